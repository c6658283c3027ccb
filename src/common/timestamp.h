// Event time on the wire and in files: UTC, microseconds since the Unix epoch.
// Text form (ISO 8601, always UTC with 6 fractional digits): 2024-01-02T14:30:00.000123Z
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/error.h"

namespace ticklake {

using TimestampUs = int64_t; //!< microseconds since 1970-01-01T00:00:00Z

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

//! Days since 1970-01-01 of a proleptic Gregorian civil date. The well-known era/day-of-era
//! decomposition (400-year eras of 146097 days); inline, as every timestamp read calls it.
constexpr int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
    year -= month <= 2 ? 1 : 0;
    const int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned shifted_month = month > 2 ? month - 3 : month + 9; // March = 0
    const unsigned day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

struct CivilDate {
    int64_t year;
    unsigned month;
    unsigned day;
};
CivilDate civil_from_days(int64_t days);

//! Appends the ISO 8601 text form (27 bytes) to out.
void append_iso8601(std::string& out, TimestampUs ts);
std::string format_iso8601(TimestampUs ts);
//! "YYYY-MM-DD" of the UTC day holding ts (the `dt` Hive partition value).
std::string format_date(TimestampUs ts);

//! Parses "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]" with an optional "Z" or
//! "+HH:MM"/"-HH:MM" offset. Text without an offset is taken as UTC. Fractions beyond
//! microseconds are truncated toward the past.
Result<TimestampUs> parse_iso8601(std::string_view text);

//! The form append_iso8601 writes, which ticklake's producers send twice per tick:
//! "YYYY-MM-DDTHH:MM:SS.ffffffZ", 27 bytes, read without the general parser's branches. False
//! for any other text or a field out of range: then parse_iso8601 reads it (and gives the same
//! value for this form) or words the error.
inline bool read_canonical_iso8601(std::string_view s, TimestampUs& out) {
    if (s.size() != 27 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z') {
        return false;
    }
    unsigned bad = 0;
    auto d = [&](size_t i) {
        const unsigned v = static_cast<unsigned char>(s[i]) - static_cast<unsigned>('0');
        bad |= v > 9 ? 1u : 0u;
        return static_cast<int64_t>(v);
    };
    // Ticks of one stream share their date: the day numbers of the last two dates read on
    // this thread (a tick's event time and receive time may differ) are kept with their 10
    // bytes, so most reads skip the calendar arithmetic.
    struct KnownDate {
        uint64_t head; // bytes 0-7, "YYYY-MM-", as a little-endian word
        uint16_t tail; // bytes 8-9, "DD"
        int64_t days;
    };
    // Both start as 1970-01-01 (day 0), a real date: no "empty" value a text could match.
    constexpr auto word = [](std::string_view b) {
        uint64_t w = 0;
        for (size_t i = b.size(); i-- > 0;) w = (w << 8) | static_cast<unsigned char>(b[i]);
        return w;
    };
    constexpr KnownDate kEpoch{word("1970-01-"), static_cast<uint16_t>(word("01")), 0};
    static thread_local KnownDate known[2] = {kEpoch, kEpoch};
    static thread_local unsigned next_slot = 0;
    uint64_t head;
    uint16_t tail;
    std::memcpy(&head, s.data(), 8);
    std::memcpy(&tail, s.data() + 8, 2);
    int64_t days;
    if (head == known[0].head && tail == known[0].tail) {
        days = known[0].days;
    } else if (head == known[1].head && tail == known[1].tail) {
        days = known[1].days;
    } else {
        if (s[4] != '-' || s[7] != '-') {
            return false;
        }
        const int64_t year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
        const int64_t month = d(5) * 10 + d(6);
        const int64_t day = d(8) * 10 + d(9);
        if (bad != 0 || month < 1 || month > 12 || day < 1 || day > 31) {
            return false;
        }
        days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
        known[next_slot] = KnownDate{head, tail, days};
        next_slot ^= 1;
    }
    const int64_t hour = d(11) * 10 + d(12);
    const int64_t minute = d(14) * 10 + d(15);
    const int64_t second = d(17) * 10 + d(18);
    const int64_t micros = ((((d(20) * 10 + d(21)) * 10 + d(22)) * 10 + d(23)) * 10 + d(24)) * 10 + d(25);
    if (bad != 0 || hour > 23 || minute > 59 || second > 60) {
        return false;
    }
    out = days * kMicrosPerDay + ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + micros;
    return true;
}

//! An epoch number as a time, its unit told by magnitude: below 1e11 seconds (to year 5138),
//! below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds. Millisecond times before
//! March 1973 therefore read as seconds: pass them with an explicit unit upstream.
TimestampUs epoch_to_micros(double value);

//! Wall clock now, for receive times.
TimestampUs now_us();

} // namespace ticklake
