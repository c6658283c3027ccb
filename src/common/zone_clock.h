// UTC instants as wall-clock time of one IANA zone, for partitioning by a local date (the sink's
// --partition-tz). The zone's offset is cached with the span it holds for (between two DST
// changes), so per-row use costs a comparison, not a tz database lookup.
// @locality one thread: the cache is unsynchronised.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "common/timestamp.h"

namespace ticklake {

class ZoneClock {
public:
    //! UTC: to_local is the identity.
    ZoneClock() = default;
    //! Fails with invalid_argument when the system tz database has no such zone.
    static Result<ZoneClock> open(std::string_view zone);

    const std::string& zone() const { return name_; }
    bool is_utc() const { return zone_ == nullptr; }
    //! ts shifted by the zone's offset at ts: its local wall-clock time, read as if it were UTC
    //! (so format_date / period arithmetic give the local date and hour).
    TimestampUs to_local(TimestampUs ts) const {
        if (zone_ == nullptr) return ts;
        if (ts < valid_from_ || ts >= valid_until_) refresh(ts);
        return ts + offset_;
    }

private:
    void refresh(TimestampUs ts) const;

    std::string name_ = "UTC";
    const void* zone_ = nullptr; //!< date::time_zone of name_; null for UTC
    mutable TimestampUs valid_from_ = 0;
    mutable TimestampUs valid_until_ = 0;
    mutable TimestampUs offset_ = 0;
};

} // namespace ticklake
