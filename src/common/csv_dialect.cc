#include "common/csv_dialect.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>

#include "common/text_type.h"

namespace ticklake {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kDoubleEncodedBom = "\xC3\xAF\xC2\xBB\xC2\xBF";

std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

void append_utf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

constexpr uint32_t kReplacement = 0xFFFD;

// Field counts of the sample's lines split at `delim` outside double quotes.
std::vector<size_t> field_counts(std::string_view sample, bool complete, char delim) {
    std::vector<size_t> counts;
    size_t fields = 1;
    bool quoted = false;
    bool any = false;
    for (char c : sample) {
        if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && c == delim) {
            ++fields;
        } else if (!quoted && c == '\n') {
            if (any || fields > 1) {
                counts.push_back(fields);
            }
            fields = 1;
            any = false;
            continue;
        }
        if (c != '\r') {
            any = true;
        }
    }
    if (complete && (any || fields > 1)) {
        counts.push_back(fields);
    }
    return counts;
}

// Splits the sample's lines into cells at `delim` (quotes dropped), calling fn(cell).
template <class Fn>
void for_each_cell(std::string_view sample, char delim, Fn&& fn) {
    std::string cell;
    bool quoted = false;
    for (char c : sample) {
        if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && (c == delim || c == '\n' || c == '\r')) {
            fn(std::string_view(cell));
            cell.clear();
        } else {
            cell.push_back(c);
        }
    }
}

struct DateParts {
    int a = 0, b = 0, year = 0;
    std::string_view rest; //!< the time part after a space or 'T', or empty
};

// "d{1,2}<sep>d{1,2}<sep>d{4}" followed by nothing or a time.
std::optional<DateParts> split_date(std::string_view s, char sep) {
    DateParts p;
    size_t i = 0;
    auto number = [&](int min_len, int max_len, int& out) {
        const size_t start = i;
        while (i < s.size() && is_digit(s[i]) && static_cast<int>(i - start) < max_len) {
            out = out * 10 + (s[i] - '0');
            ++i;
        }
        return static_cast<int>(i - start) >= min_len;
    };
    if (!number(1, 2, p.a) || i >= s.size() || s[i++] != sep || !number(1, 2, p.b) || i >= s.size() ||
        s[i++] != sep || !number(4, 4, p.year)) {
        return std::nullopt;
    }
    if (i < s.size()) {
        if (s[i] != ' ' && s[i] != 'T') {
            return std::nullopt;
        }
        p.rest = s.substr(i + 1);
    }
    return p;
}

// "HH:MM[:SS[.fff]]" in microseconds since midnight.
std::optional<int64_t> time_of_day(std::string_view s) {
    s = trim_blanks(s);
    if (s.empty()) {
        return 0;
    }
    auto two = [&](size_t at) -> int {
        return at + 1 < s.size() && is_digit(s[at]) && is_digit(s[at + 1]) ? (s[at] - '0') * 10 + (s[at + 1] - '0')
                                                                           : -1;
    };
    size_t i = 0;
    int h = -1;
    if (s.size() >= 2 && is_digit(s[0]) && s[1] == ':') {
        h = s[0] - '0';
        i = 2;
    } else {
        h = two(0);
        if (s.size() < 3 || s[2] != ':') {
            return std::nullopt;
        }
        i = 3;
    }
    const int m = two(i);
    if (h < 0 || h > 23 || m < 0 || m > 59) {
        return std::nullopt;
    }
    i += 2;
    int sec = 0;
    int64_t frac_us = 0;
    if (i < s.size()) {
        if (s[i] != ':' || (sec = two(i + 1)) < 0 || sec > 60) {
            return std::nullopt;
        }
        i += 3;
        if (i < s.size()) {
            if (s[i] != '.' || i + 1 >= s.size()) {
                return std::nullopt;
            }
            int64_t scale = 100000;
            for (++i; i < s.size(); ++i) {
                if (!is_digit(s[i])) {
                    return std::nullopt;
                }
                frac_us += (s[i] - '0') * scale;
                scale /= 10;
            }
        }
    }
    return (static_cast<int64_t>(h) * 3600 + m * 60 + sec) * kMicrosPerSecond + frac_us;
}

std::optional<TimestampUs> civil(int year, int month, int day, std::string_view rest) {
    if (month < 1 || month > 12 || day < 1 || day > 31) {
        return std::nullopt;
    }
    const auto tod = time_of_day(rest);
    if (!tod) {
        return std::nullopt;
    }
    return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kMicrosPerDay + *tod;
}

std::optional<int64_t> parse_int64(std::string_view s) {
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

bool is_yyyymmdd(std::string_view s) {
    if (s.size() != 8 || !all_digits(s)) {
        return false;
    }
    const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    const int m = (s[4] - '0') * 10 + (s[5] - '0');
    const int d = (s[6] - '0') * 10 + (s[7] - '0');
    return y >= 1000 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

std::optional<TimestampUs> epoch_by_magnitude(int64_t v) {
    // Unsigned: -INT64_MIN does not fit an int64_t.
    const uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    if (mag < 100'000'000'000) {
        return v * kMicrosPerSecond; // seconds until the year 5138
    }
    if (mag < 100'000'000'000'000) {
        return v * 1000;
    }
    if (mag < 100'000'000'000'000'000) {
        return v;
    }
    return v / 1000;
}

bool is_epoch(std::string_view s) {
    const std::string_view digits = !s.empty() && s.front() == '-' ? s.substr(1) : s;
    return all_digits(digits) && parse_int64(s).has_value();
}

} // namespace

ByteOrderMark detect_byte_order_mark(std::string_view head) {
    if (head.starts_with(kDoubleEncodedBom)) {
        return {TextEncoding::utf8, kDoubleEncodedBom.size()};
    }
    if (head.starts_with(kUtf8Bom)) {
        return {TextEncoding::utf8, kUtf8Bom.size()};
    }
    if (head.starts_with("\xFF\xFE")) {
        return {TextEncoding::utf16le, 2};
    }
    if (head.starts_with("\xFE\xFF")) {
        return {TextEncoding::utf16be, 2};
    }
    return {};
}

void Utf16Transcoder::unit(uint16_t u, std::string& out) {
    if (high_ != 0) {
        if (u >= 0xDC00 && u <= 0xDFFF) {
            append_utf8(0x10000 + ((static_cast<uint32_t>(high_) - 0xD800) << 10) + (u - 0xDC00), out);
            high_ = 0;
            return;
        }
        append_utf8(kReplacement, out);
        high_ = 0;
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
        high_ = u;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
        append_utf8(kReplacement, out);
    } else {
        append_utf8(u, out);
    }
}

void Utf16Transcoder::feed(std::string_view bytes, std::string& out) {
    size_t i = 0;
    if (pending_byte_ >= 0 && !bytes.empty()) {
        const auto first = static_cast<uint8_t>(pending_byte_);
        const auto second = static_cast<uint8_t>(bytes[0]);
        unit(big_endian_ ? static_cast<uint16_t>(first << 8 | second) : static_cast<uint16_t>(second << 8 | first), out);
        pending_byte_ = -1;
        i = 1;
    }
    for (; i + 1 < bytes.size(); i += 2) {
        const auto b0 = static_cast<uint8_t>(bytes[i]);
        const auto b1 = static_cast<uint8_t>(bytes[i + 1]);
        unit(big_endian_ ? static_cast<uint16_t>(b0 << 8 | b1) : static_cast<uint16_t>(b1 << 8 | b0), out);
    }
    if (i < bytes.size()) {
        pending_byte_ = static_cast<uint8_t>(bytes[i]);
    }
}

void Utf16Transcoder::finish(std::string& out) {
    if (high_ != 0 || pending_byte_ >= 0) {
        append_utf8(kReplacement, out);
    }
    high_ = 0;
    pending_byte_ = -1;
}

std::string clean_header_name(std::string_view raw) {
    for (;;) {
        raw = trim_blanks(raw);
        const ByteOrderMark bom = detect_byte_order_mark(raw);
        if (bom.length > 0 && bom.encoding == TextEncoding::utf8) {
            raw.remove_prefix(bom.length);
            continue;
        }
        if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
            raw = raw.substr(1, raw.size() - 2);
            continue;
        }
        return std::string(raw);
    }
}

std::vector<std::string> csv_column_names(const std::vector<std::string>& raw) {
    std::vector<std::string> out;
    std::map<std::string, int> seen;
    for (size_t i = 0; i < raw.size(); ++i) {
        std::string name = clean_header_name(raw[i]);
        if (name.empty()) {
            name = "column_" + std::to_string(i + 1);
        }
        const int n = ++seen[ascii_lower(name)];
        if (n > 1) {
            // "Close, close" -> Close, close_2; a later real "close_2" gets its own suffix.
            std::string candidate;
            int k = n;
            do {
                candidate = name + "_" + std::to_string(k++);
            } while (seen.count(ascii_lower(candidate)) > 0);
            ++seen[ascii_lower(candidate)];
            name = std::move(candidate);
        }
        out.push_back(std::move(name));
    }
    return out;
}

CsvNullTokens::CsvNullTokens() : CsvNullTokens(parse(kDefaultCsvNullValues)) {}

CsvNullTokens CsvNullTokens::parse(std::string_view list) {
    CsvNullTokens t{std::vector<std::string>{}};
    size_t begin = 0;
    while (begin <= list.size()) {
        size_t end = list.find(',', begin);
        if (end == std::string_view::npos) {
            end = list.size();
        }
        const std::string_view token = trim_blanks(list.substr(begin, end - begin));
        if (!token.empty()) {
            t.tokens_.emplace_back(token);
        }
        begin = end + 1;
    }
    return t;
}

bool CsvNullTokens::is_null(std::string_view cell) const {
    cell = trim_blanks(cell);
    if (cell.empty()) {
        return true;
    }
    return std::find(tokens_.begin(), tokens_.end(), cell) != tokens_.end();
}

size_t csv_split_score(const std::vector<size_t>& field_counts) {
    std::map<size_t, size_t> freq;
    for (size_t n : field_counts) {
        ++freq[n];
    }
    size_t modal = 0;
    size_t count = 0;
    for (const auto& [n, k] : freq) {
        if (k > count) {
            modal = n;
            count = k;
        }
    }
    return modal > 1 ? count : 0;
}

char sniff_csv_delimiter(std::string_view sample, bool complete) {
    char best = ',';
    size_t best_score = 0;
    for (char delim : {',', '\t', ';', '|'}) {
        const size_t score = csv_split_score(field_counts(sample, complete, delim));
        if (score > best_score) {
            best_score = score;
            best = delim;
        }
    }
    return best;
}

CsvNumberStyle sniff_csv_number_style(std::string_view sample, char delimiter) {
    CsvNumberStyle style;
    if (delimiter != ';') {
        return style;
    }
    bool decimal_comma = false;
    for_each_cell(sample, delimiter, [&](std::string_view cell) {
        cell = trim_blanks(cell);
        const size_t comma = cell.rfind(',');
        if (decimal_comma || comma == std::string_view::npos || comma + 1 >= cell.size()) {
            return;
        }
        if (parse_csv_number(cell, CsvNumberStyle{','}) && all_digits(cell.substr(comma + 1))) {
            decimal_comma = true;
        }
    });
    if (decimal_comma) {
        style.decimal = ',';
    }
    return style;
}

namespace {

//! One pass over a number's text, normalising it to what from_chars reads (sign, digits, '.',
//! exponent) and noting what the number's shape says about separators and leading zeros.
struct NumberScan {
    std::string_view text;
    char dec;
    char sep;
    std::string plain;
    size_t i = 0;
    size_t int_start = 0;
    size_t int_digits = 0;
    size_t separators = 0;
    bool grouping_ok = true;
    bool fraction = false;
    bool exponent = false;

    void sign() {
        if (text[i] == '+' || text[i] == '-') {
            if (text[i] == '-') {
                plain.push_back('-');
            }
            ++i;
        }
        int_start = i;
    }

    //! The integer part; a separator must follow 1-3 digits (not a leading 0), then groups of 3.
    void integer_part() {
        size_t group = 0; // digits since the last separator (or the start)
        while (i < text.size() && (is_digit(text[i]) || text[i] == sep)) {
            if (text[i] == sep) {
                grouping_ok = grouping_ok && (separators == 0 ? group >= 1 && group <= 3 && text[int_start] != '0'
                                                              : group == 3);
                ++separators;
                group = 0;
            } else {
                plain.push_back(text[i]);
                ++group;
            }
            ++i;
        }
        int_digits = plain.size() - (plain.starts_with('-') ? 1 : 0);
        if (separators > 0) {
            grouping_ok = grouping_ok && group == 3;
        }
    }

    void fraction_part() {
        if (i < text.size() && text[i] == dec) {
            fraction = true;
            plain.push_back('.');
            ++i;
            while (i < text.size() && is_digit(text[i])) {
                plain.push_back(text[i++]);
            }
        }
    }

    //! False when an exponent marker has no digits after it.
    bool exponent_part() {
        if (i >= text.size() || (text[i] != 'e' && text[i] != 'E')) {
            return true;
        }
        exponent = true;
        plain.push_back('e');
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
            plain.push_back(text[i++]);
        }
        if (i >= text.size() || !is_digit(text[i])) {
            return false;
        }
        while (i < text.size() && is_digit(text[i])) {
            plain.push_back(text[i++]);
        }
        return true;
    }

    std::optional<CsvNumber> value() const {
        CsvNumber n;
        n.leading_zero = separators == 0 && !fraction && !exponent && int_digits > 1 && text[int_start] == '0';
        if (!fraction && !exponent) {
            if (auto v = parse_int64(plain)) {
                n.integral = true;
                n.integer = *v;
                n.value = static_cast<double>(*v);
                return n;
            }
        }
        const auto [ptr, ec] = std::from_chars(plain.data(), plain.data() + plain.size(), n.value);
        if (ec != std::errc() || ptr != plain.data() + plain.size() || !std::isfinite(n.value)) {
            return std::nullopt;
        }
        return n;
    }
};

} // namespace

std::optional<CsvNumber> parse_csv_number(std::string_view text, CsvNumberStyle style) {
    text = trim_blanks(text);
    if (text.empty()) {
        return std::nullopt;
    }
    NumberScan scan{.text = text, .dec = style.decimal, .sep = style.thousands()};
    scan.sign();
    scan.integer_part();
    scan.fraction_part();
    if (scan.separators > 0) {
        if (!scan.grouping_ok) {
            return std::nullopt;
        }
        // One '.' with no decimal part in a decimal-comma file: a decimal point, not thousands.
        if (scan.dec == ',' && scan.separators == 1 && !scan.fraction) {
            return parse_csv_number(text, CsvNumberStyle{'.'});
        }
    }
    if (scan.int_digits == 0 && (!scan.fraction || scan.plain.back() == '.')) {
        return std::nullopt;
    }
    if (!scan.exponent_part() || scan.i != text.size()) {
        return std::nullopt;
    }
    return scan.value();
}

TextType csv_cell_type(std::string_view text, bool quoted, const CsvNullTokens& nulls, CsvNumberStyle style) {
    if (quoted && text.empty()) {
        return TextType::string;
    }
    if (nulls.is_null(text)) {
        return TextType::null;
    }
    if (const auto n = parse_csv_number(text, style)) {
        if (n->leading_zero) {
            return TextType::string;
        }
        if (n->integral) {
            return n->integer >= INT32_MIN && n->integer <= INT32_MAX ? TextType::int32 : TextType::int64;
        }
        const std::string_view t = trim_blanks(text);
        if (all_digits(t.front() == '-' || t.front() == '+' ? t.substr(1) : t)) {
            return TextType::string; // beyond int64: keep the digits exactly
        }
        return TextType::float64;
    }
    return classify_text(trim_blanks(text));
}

const char* to_string(CsvDateFormat f) {
    switch (f) {
    case CsvDateFormat::any: return "any";
    case CsvDateFormat::iso: return "iso";
    case CsvDateFormat::mdy: return "MM/DD/YYYY";
    case CsvDateFormat::dmy_slash: return "DD/MM/YYYY";
    case CsvDateFormat::dmy: return "DD.MM.YYYY";
    case CsvDateFormat::yyyymmdd: return "YYYYMMDD";
    case CsvDateFormat::epoch: return "epoch";
    }
    return "?";
}

std::optional<TimestampUs> parse_csv_date(std::string_view text, CsvDateFormat format) {
    text = trim_blanks(text);
    switch (format) {
    case CsvDateFormat::iso: {
        if (text.size() < 10 || text[4] != '-') {
            return std::nullopt;
        }
        auto t = parse_iso8601(text);
        return t ? std::optional<TimestampUs>(*t) : std::nullopt;
    }
    case CsvDateFormat::mdy:
    case CsvDateFormat::dmy_slash: {
        const auto p = split_date(text, '/');
        if (!p) {
            return std::nullopt;
        }
        return format == CsvDateFormat::mdy ? civil(p->year, p->a, p->b, p->rest) : civil(p->year, p->b, p->a, p->rest);
    }
    case CsvDateFormat::dmy: {
        const auto p = split_date(text, '.');
        return p ? civil(p->year, p->b, p->a, p->rest) : std::nullopt;
    }
    case CsvDateFormat::yyyymmdd:
        if (!is_yyyymmdd(text)) {
            return std::nullopt;
        }
        return civil((text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0'),
                     (text[4] - '0') * 10 + (text[5] - '0'), (text[6] - '0') * 10 + (text[7] - '0'), {});
    case CsvDateFormat::epoch: {
        if (!is_epoch(text)) {
            return std::nullopt;
        }
        return epoch_by_magnitude(*parse_int64(text));
    }
    case CsvDateFormat::any:
        for (CsvDateFormat f : {CsvDateFormat::iso, CsvDateFormat::mdy, CsvDateFormat::dmy_slash, CsvDateFormat::dmy,
                                CsvDateFormat::yyyymmdd, CsvDateFormat::epoch}) {
            if (auto t = parse_csv_date(text, f)) {
                return t;
            }
        }
        return std::nullopt;
    }
    return std::nullopt;
}

void CsvDateSniffer::see(std::string_view cell) {
    cell = trim_blanks(cell);
    ++seen_;
    if (parse_csv_date(cell, CsvDateFormat::iso)) {
        ++iso_;
    } else if (const auto p = split_date(cell, '/')) {
        if (parse_csv_date(cell, CsvDateFormat::mdy) || parse_csv_date(cell, CsvDateFormat::dmy_slash)) {
            ++slash_;
            slash_first_above_12_ = slash_first_above_12_ || p->a > 12;
        }
    } else if (parse_csv_date(cell, CsvDateFormat::dmy)) {
        ++dots_;
    } else if (is_epoch(cell)) {
        ++epoch_;
        if (is_yyyymmdd(cell)) {
            ++ymd_;
        }
    }
}

std::optional<CsvDateFormat> CsvDateSniffer::format() const {
    if (seen_ == 0) {
        return std::nullopt;
    }
    if (iso_ == seen_) {
        return CsvDateFormat::iso;
    }
    if (slash_ == seen_) {
        return slash_first_above_12_ ? CsvDateFormat::dmy_slash : CsvDateFormat::mdy;
    }
    if (dots_ == seen_) {
        return CsvDateFormat::dmy;
    }
    if (ymd_ == seen_) {
        return CsvDateFormat::yyyymmdd;
    }
    if (epoch_ == seen_) {
        return CsvDateFormat::epoch;
    }
    return std::nullopt;
}

} // namespace ticklake
