// Event time on the wire and in files: UTC, microseconds since the Unix epoch.
// Text form (ISO 8601, always UTC with 6 fractional digits): 2024-01-02T14:30:00.000123Z
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"

namespace ticklake {

using TimestampUs = int64_t; //!< microseconds since 1970-01-01T00:00:00Z

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

//! Days since 1970-01-01 of a proleptic Gregorian civil date.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

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

//! An epoch number as a time, its unit told by magnitude: below 1e11 seconds (to year 5138),
//! below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds. Millisecond times before
//! March 1973 therefore read as seconds: pass them with an explicit unit upstream.
TimestampUs epoch_to_micros(double value);

//! Wall clock now, for receive times.
TimestampUs now_us();

} // namespace ticklake
