#include "sources/live/exact_decimal.h"

#include <charconv>
#include <cstdint>
#include <string>

namespace ticklake {

namespace {

//! Sign, digits without leading/trailing zeros, and decimal exponent: the value is
//! sign * 0.digits * 10^exponent. Empty digits means zero.
struct Canonical {
    bool negative = false;
    std::string digits;
    int64_t exponent = 0;
    bool ok = false;

    bool operator==(const Canonical& o) const {
        return ok && o.ok && digits == o.digits && (digits.empty() || (negative == o.negative && exponent == o.exponent));
    }
};

Canonical canonical(std::string_view s) {
    Canonical c;
    size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
        c.negative = s[i] == '-';
        ++i;
    }
    int64_t point = -1;
    int64_t count = 0;
    bool any = false;
    for (; i < s.size(); ++i) {
        const char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            any = true;
            c.digits += ch;
            ++count;
        } else if (ch == '.' && point < 0) {
            point = count;
        } else {
            break;
        }
    }
    if (!any) {
        return c;
    }
    int64_t exp10 = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && s[i] == '+') {
            ++i;
        }
        auto [end, ec] = std::from_chars(s.data() + i, s.data() + s.size(), exp10);
        if (ec != std::errc() || end != s.data() + s.size()) {
            return c;
        }
        i = s.size();
    }
    if (i != s.size()) {
        return c;
    }
    int64_t int_digits = point < 0 ? count : point;
    size_t lead = 0;
    while (lead < c.digits.size() && c.digits[lead] == '0') {
        ++lead;
        --int_digits;
    }
    c.digits.erase(0, lead);
    while (!c.digits.empty() && c.digits.back() == '0') {
        c.digits.pop_back();
    }
    c.exponent = int_digits + exp10;
    c.ok = true;
    return c;
}

} // namespace

DecimalValue parse_decimal(std::string_view text) {
    DecimalValue d;
    const char* begin = text.data();
    if (!text.empty() && text[0] == '+') {
        ++begin;
    }
    auto [end, ec] = std::from_chars(begin, text.data() + text.size(), d.value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return d;
    }
    d.ok = true;
    char buf[32];
    auto [out, ec2] = std::to_chars(buf, buf + sizeof(buf), d.value);
    d.exact = ec2 == std::errc() && same_decimal(text, std::string_view(buf, static_cast<size_t>(out - buf)));
    return d;
}

bool same_decimal(std::string_view a, std::string_view b) { return canonical(a) == canonical(b); }

} // namespace ticklake
