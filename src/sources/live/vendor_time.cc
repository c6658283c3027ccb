#include "sources/live/vendor_time.h"

#include <string>

namespace ticklake {

std::string time_out_of_range(std::string_view field, int64_t value, std::string_view unit) {
    return std::string(field) + " = " + std::to_string(value) + " " + std::string(unit) +
           " since 1970 is outside the years 0001..9999";
}

namespace {

//! Weekday of a civil date, 0 = Sunday.
unsigned weekday(int64_t year, unsigned month, unsigned day) {
    const int64_t d = days_from_civil(year, month, day);
    return static_cast<unsigned>(((d % 7) + 11) % 7); // 1970-01-01 was a Thursday (4)
}

//! Day of month of the n-th Sunday (n >= 1) of a month.
unsigned nth_sunday(int64_t year, unsigned month, unsigned n) {
    const unsigned first = weekday(year, month, 1);
    return 1 + (7 - first) % 7 + 7 * (n - 1);
}

unsigned last_sunday(int64_t year, unsigned month, unsigned days_in_month) {
    const unsigned w = weekday(year, month, days_in_month);
    return days_in_month - w;
}

} // namespace

Result<TimestampUs> parse_rfc3339(std::string_view text) {
    auto t = parse_iso8601(text);
    if (!t) {
        return fail(Error::poison("bad RFC 3339 time '" + std::string(text) + "'"));
    }
    return *t;
}

int64_t new_york_offset_seconds(int64_t year, unsigned month, unsigned day, unsigned hour) {
    constexpr int64_t kStandard = -5 * 3600;
    constexpr int64_t kDaylight = -4 * 3600;
    unsigned start_month, start_day, end_month, end_day;
    if (year >= 2007) {
        start_month = 3;
        start_day = nth_sunday(year, 3, 2);
        end_month = 11;
        end_day = nth_sunday(year, 11, 1);
    } else if (year >= 1987) {
        start_month = 4;
        start_day = nth_sunday(year, 4, 1);
        end_month = 10;
        end_day = last_sunday(year, 10, 31);
    } else {
        return kStandard; // older rules are not needed by any vendor feed
    }
    const auto key = [](unsigned m, unsigned d, unsigned h) { return (m * 32 + d) * 24 + h; };
    const unsigned now = key(month, day, hour);
    // 02:00 standard becomes 03:00 daylight; 02:00 daylight becomes 01:00 standard.
    if (now < key(start_month, start_day, 2) || now >= key(end_month, end_day, 2)) {
        return kStandard;
    }
    return kDaylight;
}

Result<TimestampUs> parse_new_york_local(std::string_view text) {
    auto local = parse_iso8601(text); // no offset: read as if UTC, then shift
    if (!local || text.find_first_of("Zz+") != std::string_view::npos) {
        return fail(Error::poison("bad New York local time '" + std::string(text) + "'"));
    }
    const int64_t days = *local >= 0 ? *local / kMicrosPerDay : (*local - kMicrosPerDay + 1) / kMicrosPerDay;
    const CivilDate date = civil_from_days(days);
    const auto hour = static_cast<unsigned>((*local - days * kMicrosPerDay) / (3600 * kMicrosPerSecond));
    return *local - new_york_offset_seconds(date.year, date.month, date.day, hour) * kMicrosPerSecond;
}

} // namespace ticklake
