// The whole content of a small local file (state files, AWS profiles, test outputs) as text.
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace ticklake {

//! The bytes of the file at `path`, or nullopt when it cannot be opened (absent, unreadable).
inline std::optional<std::string> read_file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

} // namespace ticklake
