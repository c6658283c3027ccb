// Where a command's text goes: `out` is what scripts read (stdout), `err` what people read
// (stderr). Stages that render their own progress and reports write through it, so they never
// touch the process's streams and their tests capture the text; cli/ passes the real streams.
#pragma once

#include <functional>
#include <string_view>

namespace ticklake {

struct Console {
    std::function<void(std::string_view)> out;
    std::function<void(std::string_view)> err;
};

} // namespace ticklake
