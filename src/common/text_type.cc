#include "common/text_type.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace ticklake {

namespace {

bool all_digits(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

// [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
bool is_decimal_number(std::string_view s) {
    size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        ++i;
    }
    size_t digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        ++i;
        ++digits;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
            ++i;
            ++digits;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            ++i;
        }
        if (!all_digits(s.substr(i))) {
            return false;
        }
        return true;
    }
    return i == s.size();
}

bool is_date_shape(std::string_view s) {
    return s.size() == 10 && all_digits(s.substr(0, 4)) && s[4] == '-' && all_digits(s.substr(5, 2)) && s[7] == '-' &&
           all_digits(s.substr(8, 2));
}

bool valid_date(std::string_view s) {
    const int month = (s[5] - '0') * 10 + (s[6] - '0');
    const int day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// Rank on the numeric chain, or -1 for a type off it.
int numeric_rank(TextType t) {
    switch (t) {
    case TextType::boolean: return 0;
    case TextType::int32: return 1;
    case TextType::int64: return 2;
    case TextType::float64: return 3;
    default: return -1;
    }
}

int hive_numeric_rank(const std::string& t) {
    static constexpr std::array<std::string_view, 7> kChain = {"boolean", "tinyint", "smallint", "int",
                                                              "bigint",  "float",   "double"};
    for (size_t i = 0; i < kChain.size(); ++i) {
        if (t == kChain[i]) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

} // namespace

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
        const auto x = static_cast<unsigned char>(a[i]);
        const auto y = static_cast<unsigned char>(b[i]);
        if (x != y && std::tolower(x) != std::tolower(y)) {
            return false;
        }
    }
    return true;
}

std::optional<TimestampUs> parse_event_time(std::string_view value) {
    if (value.size() < 10 || !is_date_shape(value.substr(0, 10)) || !valid_date(value)) {
        return std::nullopt;
    }
    if (value.size() > 10 && value[10] != 'T' && value[10] != ' ') {
        return std::nullopt;
    }
    if (value.size() > 10 && value.size() < 16) {
        return std::nullopt;
    }
    auto ts = parse_iso8601(value);
    if (!ts) {
        return std::nullopt;
    }
    return *ts;
}

TextType classify_json_string(std::string_view v) {
    if (v.size() >= 10 && is_date_shape(v.substr(0, 10)) && parse_event_time(v)) {
        return v.size() == 10 ? TextType::date : TextType::timestamp;
    }
    return TextType::string;
}

TextType classify_text(std::string_view v) {
    if (v.empty()) {
        return TextType::null;
    }
    if (iequals(v, "true") || iequals(v, "false")) {
        return TextType::boolean;
    }
    const char c0 = v[0];
    if ((c0 >= '0' && c0 <= '9') || c0 == '-' || c0 == '+' || c0 == '.') {
        std::string_view digits = (c0 == '-' || c0 == '+') ? v.substr(1) : v;
        if (all_digits(digits)) {
            int64_t n = 0;
            const char* first = v.data() + (c0 == '+' ? 1 : 0);
            auto [p, ec] = std::from_chars(first, v.data() + v.size(), n);
            if (ec != std::errc() || p != v.data() + v.size()) {
                return TextType::string; // beyond 64 bits: keep the digits exactly
            }
            return n >= std::numeric_limits<int32_t>::min() && n <= std::numeric_limits<int32_t>::max()
                       ? TextType::int32
                       : TextType::int64;
        }
        if (is_decimal_number(v)) {
            return TextType::float64;
        }
        if (v.size() >= 10 && is_date_shape(v.substr(0, 10))) {
            return classify_json_string(v);
        }
        if (iequals(v, "-inf") || iequals(v, "-infinity")) {
            return TextType::float64;
        }
        return TextType::string;
    }
    if (iequals(v, "nan") || iequals(v, "inf") || iequals(v, "infinity")) {
        return TextType::float64;
    }
    return TextType::string;
}

TextType widen(TextType a, TextType b) {
    if (a == b || b == TextType::null) {
        return a;
    }
    if (a == TextType::null) {
        return b;
    }
    const int ra = numeric_rank(a);
    const int rb = numeric_rank(b);
    if (ra >= 0 && rb >= 0) {
        return ra > rb ? a : b;
    }
    if ((a == TextType::date && b == TextType::timestamp) || (a == TextType::timestamp && b == TextType::date)) {
        return TextType::timestamp;
    }
    return TextType::string;
}

const char* hive_type_name(TextType t) {
    switch (t) {
    case TextType::boolean: return "boolean";
    case TextType::int32: return "int";
    case TextType::int64: return "bigint";
    case TextType::float64: return "double";
    case TextType::date: return "date";
    case TextType::timestamp: return "timestamp";
    case TextType::null:
    case TextType::string: return "string";
    }
    return "string";
}

std::string widen_hive_type(const std::string& a, const std::string& b) {
    if (a == b) {
        return a;
    }
    const int ra = hive_numeric_rank(a);
    const int rb = hive_numeric_rank(b);
    if (ra >= 0 && rb >= 0) {
        // float beside bigint loses integer precision: double holds both better.
        if ((a == "float" && rb >= 3) || (b == "float" && ra >= 3)) {
            return "double";
        }
        return ra > rb ? a : b;
    }
    if ((a == "date" && b == "timestamp") || (a == "timestamp" && b == "date")) {
        return "timestamp";
    }
    return "string";
}

} // namespace ticklake
