// Scratch folders for the catalog's and the crawler's tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace ticklake::testing {

//! A new, empty folder `<prefix>-XXXXXX` in the system's temp folder; empty when none can be made.
inline std::filesystem::path make_temp_dir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    return ::mkdtemp(pattern.data()) != nullptr ? std::filesystem::path(pattern) : std::filesystem::path();
}

} // namespace ticklake::testing
