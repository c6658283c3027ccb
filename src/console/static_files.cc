#include "console/static_files.h"

namespace ticklake::console {

// Defined in the source embed_web_files.cmake generates from web/.
extern const StaticFile kWebFiles[];
extern const size_t kWebFileCount;

std::span<const StaticFile> static_files() { return {kWebFiles, kWebFileCount}; }

const StaticFile* find_static_file(std::string_view path) {
    if (path == "/") {
        path = "/index.html";
    }
    for (const StaticFile& f : static_files()) {
        if (f.path == path) {
            return &f;
        }
    }
    return nullptr;
}

} // namespace ticklake::console
