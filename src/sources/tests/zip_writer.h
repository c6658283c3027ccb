// Test helper: writes a .zip with libzip, so tests make the archives they read.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <zip.h>

namespace ticklake::testing {

//! Writes `members` (name, bytes) to a new archive at `path`; false on any libzip error.
//! An archive with no member is written by hand: libzip removes a file it would leave empty.
inline bool write_zip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& members) {
    if (members.empty()) {
        FILE* f = std::fopen(path.c_str(), "wb");
        static const char kEmptyEnd[22] = {'P', 'K', 5, 6}; // end of central directory, no entries
        const bool ok = f != nullptr && std::fwrite(kEmptyEnd, 1, sizeof kEmptyEnd, f) == sizeof kEmptyEnd;
        return f != nullptr && std::fclose(f) == 0 && ok;
    }
    int code = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (z == nullptr) {
        return false;
    }
    for (const auto& [name, bytes] : members) {
        // The buffers of `members` outlive zip_close, which is when libzip reads them.
        zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
        if (src == nullptr || zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8) < 0) {
            zip_source_free(src);
            zip_discard(z);
            return false;
        }
    }
    return zip_close(z) == 0;
}

} // namespace ticklake::testing
