// The version this build of ticklake calls itself: in --version, and as the writer of the
// files the sink registers (the catalog's files.writer).
#pragma once

#include <string_view>

namespace ticklake {

inline constexpr std::string_view kTicklakeVersion = "ticklake 0.1.0";

} // namespace ticklake
