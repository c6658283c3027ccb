// The console's page: the files of web/ (and the pinned charting library from web/node_modules),
// built into the binary by embed_web_files.cmake, so `ticklake serve` needs no file at run
// time and no CDN. Only these paths are ever served: a request is looked up in this table,
// never mapped onto the file system, so `..` and encoded tricks have nothing to reach.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace ticklake::console {

struct StaticFile {
    std::string_view path;         //!< as requested: "/index.html", "/vendor/lightweight-charts.mjs"
    std::string_view content_type; //!< with charset for text
    std::string_view body;
};

std::span<const StaticFile> static_files();

//! The file served at `path` ("/" is /index.html), or nullptr.
const StaticFile* find_static_file(std::string_view path);

} // namespace ticklake::console
