// Vendor timestamps to UTC microseconds, exactly: integer epoch counts in s/ms/µs/ns,
// RFC 3339 text (nanosecond fractions truncated toward the past), and exchange-local
// wall-clock times of US equities (America/New_York, whose offset depends on the date).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/timestamp.h"

namespace ticklake {

//! Epoch counts come from the vendor's JSON and may hold any 64-bit value. A count outside the
//! years 0001..9999 is no time at all (vendor_frames_fuzz found such counts overflowing): these
//! return nullopt and the protocol skips the message with `time_out_of_range`'s reason, so a
//! corrupt time is neither wrapped into a plausible one nor clamped into a real-looking one.
constexpr int64_t kFirstEpochSecond = -62'135'596'800; // 0001-01-01T00:00:00Z
constexpr int64_t kLastEpochSecond = 253'402'300'799;  // 9999-12-31T23:59:59Z
constexpr std::optional<TimestampUs> from_epoch_seconds(int64_t s) {
    if (s < kFirstEpochSecond || s > kLastEpochSecond) {
        return std::nullopt;
    }
    return s * 1'000'000;
}
constexpr std::optional<TimestampUs> from_epoch_ms(int64_t ms) {
    constexpr int64_t first = kFirstEpochSecond * 1'000, last = kLastEpochSecond * 1'000 + 999;
    if (ms < first || ms > last) {
        return std::nullopt;
    }
    return ms * 1'000;
}
//! The reason a message is skipped for an epoch count from_epoch_* refused.
std::string time_out_of_range(std::string_view field, int64_t value, std::string_view unit);
//! Truncates toward the past, like parse_iso8601 does for fractions beyond microseconds.
constexpr TimestampUs from_epoch_ns(int64_t ns) { return ns >= 0 ? ns / 1'000 : -((-ns + 999) / 1'000); }

//! "2021-02-22T15:51:45.335689322Z", "2021-04-17T16:43:30.244075Z", "...+02:00".
Result<TimestampUs> parse_rfc3339(std::string_view text);

//! UTC offset of New York (-5 h, or -4 h in daylight saving time) at a New York wall-clock
//! time, in seconds. US rules: since 2007 second Sunday of March to first Sunday of
//! November, 1987-2006 first Sunday of April to last Sunday of October, both at 02:00 local.
//! In the repeated hour of November the earlier (daylight) instant is taken.
int64_t new_york_offset_seconds(int64_t year, unsigned month, unsigned day, unsigned hour);

//! "YYYY-MM-DD HH:MM[:SS]" New York wall-clock time (Alpha Vantage's US/Eastern) to UTC.
Result<TimestampUs> parse_new_york_local(std::string_view text);

} // namespace ticklake
