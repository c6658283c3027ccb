#include "common/zone_clock.h"

#include <date/tz.h>

#include <exception>
#include <limits>

namespace ticklake {

Result<ZoneClock> ZoneClock::open(std::string_view zone) {
    ZoneClock c;
    c.name_ = std::string(zone);
    if (zone == "UTC" || zone == "Etc/UTC") {
        return c;
    }
    try {
        c.zone_ = date::locate_zone(c.name_);
    } catch (const std::exception&) {
        return fail(Error::invalid("unknown time zone '" + c.name_ + "': use an IANA name such as UTC or America/New_York"));
    }
    return c;
}

void ZoneClock::refresh(TimestampUs ts) const {
    const auto* zone = static_cast<const date::time_zone*>(zone_);
    const int64_t secs = ts >= 0 ? ts / kMicrosPerSecond : (ts - kMicrosPerSecond + 1) / kMicrosPerSecond;
    const date::sys_info info = zone->get_info(date::sys_seconds{std::chrono::seconds{secs}});
    constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / kMicrosPerSecond;
    auto micros = [&](date::sys_seconds t) {
        const int64_t s = t.time_since_epoch().count();
        return s >= kMaxSeconds ? std::numeric_limits<int64_t>::max()
                                : (s <= -kMaxSeconds ? std::numeric_limits<int64_t>::min() : s * kMicrosPerSecond);
    };
    valid_from_ = micros(info.begin);
    valid_until_ = micros(info.end);
    offset_ = info.offset.count() * kMicrosPerSecond;
}

} // namespace ticklake
