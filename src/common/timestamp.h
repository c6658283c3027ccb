// Event time on the wire and in files: UTC, microseconds since the Unix epoch.
// Text form (ISO 8601, always UTC with 6 fractional digits): 2024-01-02T14:30:00.000123Z
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/unaligned.h"

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

namespace detail {

// True when every byte of w where `digits` has 0xFF is '0'..'9' and the other bytes equal those
// of `separators`; then `values` holds the digits' values (0-9) in their bytes. Digit bytes
// are checked as a whole: v = b ^ '0' is 0-9 only for b in '0'..'9', and then neither v nor
// v + 6 has a bit in its high nibble. (v alone catches 0xFA-0xFF, whose + 6 carries out.)
inline bool read_digit_word(uint64_t w, uint64_t digits, uint64_t separators, uint64_t& values) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    values = (w ^ (kOnes * '0')) & digits;
    const uint64_t high = ((values + (kOnes * 6 & digits)) | values) & (kOnes * 0xF0 & digits);
    return (w & ~digits) == separators && high == 0;
}

inline unsigned byte_at(uint64_t w, unsigned i) { return static_cast<unsigned>(w >> (8 * i)) & 0xFF; }

} // namespace detail

//! The form append_iso8601 writes, which ticklake's producers send twice per tick:
//! "YYYY-MM-DDTHH:MM:SS.ffffffZ", 27 bytes, read without the general parser's branches. False
//! for any other text or a field out of range: then parse_iso8601 reads it (and gives the same
//! value for this form) or words the error.
inline bool read_canonical_iso8601(std::string_view s, TimestampUs& out) {
    using detail::byte_at;
    if (s.size() != 27) {
        return false;
    }
    // Bytes 8-15 "DDTHH:MM", 16-23 ":SS.ffff", 19-26 ".ffffffZ" (the last two overlap).
    uint64_t day_time, seconds, fraction;
    if (!detail::read_digit_word(load_u64(s.data() + 8), 0xFFFF00FFFF00FFFFULL, 0x00003A0000540000ULL, day_time) ||
        !detail::read_digit_word(load_u64(s.data() + 16), 0xFFFFFFFF00FFFF00ULL, 0x000000002E00003AULL, seconds) ||
        !detail::read_digit_word(load_u64(s.data() + 19), 0x00FFFFFFFFFFFF00ULL, 0x5A0000000000002EULL, fraction)) {
        return false;
    }
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
    const uint64_t head = load_u64(s.data());
    uint16_t tail;
    std::memcpy(&tail, s.data() + 8, 2);
    int64_t days;
    if (head == known[0].head && tail == known[0].tail) {
        days = known[0].days;
    } else if (head == known[1].head && tail == known[1].tail) {
        days = known[1].days;
    } else {
        uint64_t ym;
        if (!detail::read_digit_word(head, 0x00FFFF00FFFFFFFFULL, 0x2D00002D00000000ULL, ym)) {
            return false;
        }
        const unsigned year = byte_at(ym, 0) * 1000 + byte_at(ym, 1) * 100 + byte_at(ym, 2) * 10 + byte_at(ym, 3);
        const unsigned month = byte_at(ym, 5) * 10 + byte_at(ym, 6);
        const unsigned day = byte_at(day_time, 0) * 10 + byte_at(day_time, 1);
        if (month < 1 || month > 12 || day < 1 || day > 31) {
            return false;
        }
        days = days_from_civil(year, month, day);
        known[next_slot] = KnownDate{head, tail, days};
        next_slot ^= 1;
    }
    const int64_t hour = byte_at(day_time, 3) * 10 + byte_at(day_time, 4);
    const int64_t minute = byte_at(day_time, 6) * 10 + byte_at(day_time, 7);
    const int64_t second = byte_at(seconds, 1) * 10 + byte_at(seconds, 2);
    int64_t micros = 0;
    for (unsigned i = 1; i <= 6; ++i) {
        micros = micros * 10 + byte_at(fraction, i);
    }
    if (hour > 23 || minute > 59 || second > 60) {
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
