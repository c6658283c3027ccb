// Broken copies of a message, for checking a parser's fast path against simdjson on them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ticklake::testing {

//! Appends every prefix of `message`, and every copy of it with one byte replaced by each of
//! `bytes`, to `out`.
inline void add_prefixes_and_byte_changes(std::vector<std::string>& out, const std::string& message,
                                          std::string_view bytes) {
    for (size_t cut = 0; cut < message.size(); ++cut) {
        out.push_back(message.substr(0, cut));
        for (const char c : bytes) {
            std::string m = message;
            m[cut] = c;
            out.push_back(std::move(m));
        }
    }
}

} // namespace ticklake::testing
