#include "common/timestamp.h"

#include <cmath>
#include <cstring>

#include <chrono>

namespace ticklake {

CivilDate civil_from_days(int64_t days) {
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned shifted_month = (5 * day_of_year + 2) / 153;
    const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    return {static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

namespace {

inline int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) {
        --q;
    }
    return q;
}

bool read_digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
    if (pos + n > s.size()) {
        return false;
    }
    int64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

} // namespace

// Two digits at a time from a table: the producer writes two times per simulated tick, and
// the digit-by-digit loop was a fifth of making and writing one.
void append_iso8601(std::string& out, TimestampUs ts) {
    static constexpr char kPairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";
    auto put2 = [](char* p, int64_t v) { std::memcpy(p, kPairs + 2 * v, 2); };
    const int64_t days = floor_div(ts, kMicrosPerDay);
    const int64_t in_day = ts - days * kMicrosPerDay;
    const CivilDate d = civil_from_days(days);
    char buf[27];
    const int64_t year = d.year < 0 ? 0 : (d.year > 9999 ? 9999 : d.year);
    put2(buf, year / 100);
    put2(buf + 2, year % 100);
    buf[4] = '-';
    put2(buf + 5, d.month);
    buf[7] = '-';
    put2(buf + 8, d.day);
    buf[10] = 'T';
    const int64_t secs = in_day / kMicrosPerSecond;
    const int64_t micros = in_day % kMicrosPerSecond;
    put2(buf + 11, secs / 3600);
    buf[13] = ':';
    put2(buf + 14, (secs / 60) % 60);
    buf[16] = ':';
    put2(buf + 17, secs % 60);
    buf[19] = '.';
    put2(buf + 20, micros / 10000);
    put2(buf + 22, (micros / 100) % 100);
    put2(buf + 24, micros % 100);
    buf[26] = 'Z';
    out.append(buf, 27);
}

std::string format_iso8601(TimestampUs ts) {
    std::string s;
    append_iso8601(s, ts);
    return s;
}

std::string format_date(TimestampUs ts) {
    std::string s = format_iso8601(ts);
    s.resize(10);
    return s;
}

Result<TimestampUs> parse_iso8601(std::string_view s) {
    if (TimestampUs ts = 0; read_canonical_iso8601(s, ts)) {
        return ts;
    }
    auto bad = [&] { return fail(Error::poison("not an ISO 8601 timestamp: '" + std::string(s.substr(0, 64)) + "'")); };
    int64_t year = 0, month = 0, day = 0;
    if (!read_digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !read_digits(s, 5, 2, month) || s[7] != '-' ||
        !read_digits(s, 8, 2, day)) {
        return bad();
    }
    if (month < 1 || month > 12 || day < 1 || day > 31) {
        return bad();
    }
    int64_t hour = 0, minute = 0, second = 0, micros = 0, offset_us = 0;
    size_t pos = 10;
    if (pos < s.size()) {
        if (s[pos] != 'T' && s[pos] != ' ') {
            return bad();
        }
        if (!read_digits(s, pos + 1, 2, hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !read_digits(s, pos + 4, 2, minute)) {
            return bad();
        }
        pos += 6;
        if (pos < s.size() && s[pos] == ':') {
            if (!read_digits(s, pos + 1, 2, second)) {
                return bad();
            }
            pos += 3;
            if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
                ++pos;
                int digits = 0;
                while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                    if (digits < 6) {
                        micros = micros * 10 + (s[pos] - '0');
                    }
                    ++digits;
                    ++pos;
                }
                if (digits == 0) {
                    return bad();
                }
                for (int i = digits; i < 6; ++i) {
                    micros *= 10;
                }
            }
        }
        if (hour > 23 || minute > 59 || second > 60) {
            return bad();
        }
        if (pos < s.size()) {
            if (s[pos] == 'Z' || s[pos] == 'z') {
                ++pos;
            } else if (s[pos] == '+' || s[pos] == '-') {
                const int64_t sign = s[pos] == '-' ? -1 : 1;
                int64_t oh = 0, om = 0;
                if (!read_digits(s, pos + 1, 2, oh)) {
                    return bad();
                }
                pos += 3;
                if (pos < s.size() && s[pos] == ':') {
                    ++pos;
                }
                if (!read_digits(s, pos, 2, om)) {
                    return bad();
                }
                pos += 2;
                offset_us = sign * (oh * 3600 + om * 60) * kMicrosPerSecond;
            }
        }
        if (pos != s.size()) {
            return bad();
        }
    }
    const int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    return days * kMicrosPerDay + ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + micros - offset_us;
}

TimestampUs now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

TimestampUs epoch_to_micros(double v) {
    const double a = std::fabs(v);
    if (a < 1e11) {
        return static_cast<TimestampUs>(std::floor(v * 1e6));
    }
    if (a < 1e14) {
        return static_cast<TimestampUs>(std::floor(v * 1e3));
    }
    if (a < 1e17) {
        return static_cast<TimestampUs>(std::floor(v));
    }
    return static_cast<TimestampUs>(std::floor(v / 1e3));
}

} // namespace ticklake
