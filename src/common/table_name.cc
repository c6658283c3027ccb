#include "common/table_name.h"

namespace ticklake {

std::string identifier_text(std::string_view raw) {
    std::string out;
    out.reserve(raw.size() + 2);
    for (const char c : raw) {
        if (c >= 'A' && c <= 'Z') {
            out.push_back(static_cast<char>(c - 'A' + 'a'));
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
            out.push_back(c);
        } else {
            out.push_back('_');
        }
    }
    return out;
}

std::string table_name(std::string_view raw, std::string_view fallback) {
    if (raw.empty()) {
        return std::string(fallback);
    }
    std::string out = identifier_text(raw);
    if (out[0] >= '0' && out[0] <= '9') {
        out.insert(0, "t_");
    }
    return out;
}

} // namespace ticklake
