// Trading sessions of a few exchanges: which local dates trade, and when each session opens
// and closes in UTC. Local hours become UTC through the system tz database (date/tz over
// /usr/share/zoneinfo), never through hand-written DST rules. Holidays are rules where the
// exchange follows rules (Easter, "third Monday", weekend substitution) and tables of facts
// where it does not (closures for storms, funerals, jubilees). Years after the last one the
// exchange had published when the tables were written are computed by the rules alone and
// flagged provisional: an unannounced closure there is simply unknown.
// Used by the simulator (sources/), the sink's partition time zone and the SQL functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/timestamp.h"

namespace ticklake {

//! One trading session. `day` is the exchange's local date (days since 1970-01-01).
struct TradingSession {
    int64_t day = 0;
    TimestampUs open = 0;        //!< UTC
    TimestampUs close = 0;       //!< UTC
    TimestampUs break_start = 0; //!< UTC start of the lunch break; equals break_end when none
    TimestampUs break_end = 0;
    bool early_close = false;    //!< closes before the regular hour (half day)
    bool provisional = false;    //!< year after the last published one: rules only
};

class ExchangeCalendar {
public:
    struct Spec;  //!< an exchange's zone, hours and holiday rules (exchange_calendar.cc)

    //! The calendar of an ISO 10383 MIC ("XNYS"; "XNAS" shares it). Case-insensitive.
    static Result<const ExchangeCalendar*> find(std::string_view mic);
    //! Every MIC `find` accepts, in the order the docs list them.
    static std::vector<std::string> codes();

    const std::string& code() const { return code_; }
    //! IANA zone of the exchange, e.g. "America/New_York".
    const std::string& time_zone() const;
    //! First year of the tables; earlier dates have no sessions.
    int first_year() const;
    //! The last year whose holidays the exchange had published when the tables were written.
    int last_confirmed_year() const;
    bool is_provisional(int year) const { return year > last_confirmed_year(); }

    //! The session on local date `day` (days since epoch), or none on a weekend or holiday.
    std::optional<TradingSession> session_on(int64_t day) const;
    //! Sessions with local dates in [first_day, last_day].
    std::vector<TradingSession> sessions(int64_t first_day, int64_t last_day) const;
    //! A weekday that differs from the regular week of its era (hours_eras): closed
    //! (close_minutes < 0), closing early or without its lunch break, at local minutes after
    //! midnight; break_start == break_end: no lunch break that day. What the SQL functions
    //! carry as data.
    struct Exception {
        int64_t day;
        int close_minutes;
        int open_minutes = 0;
        int break_start_minutes = 0;
        int break_end_minutes = 0;
    };
    //! Regular local hours (minutes after midnight) of a full session; the lunch break's start
    //! equals its end where the exchange has none.
    int regular_open_minutes() const;
    int regular_close_minutes() const;
    int regular_break_start_minutes() const;
    int regular_break_end_minutes() const;
    //! Regular hours over time: from first_day (days since epoch) until the next era's, local
    //! minutes after midnight (hours reforms: Hong Kong 2011-2012, Tokyo 2011 and 2024).
    struct HoursEra {
        int64_t first_day;
        int open_minutes, close_minutes, break_start_minutes, break_end_minutes;
    };
    std::vector<HoursEra> hours_eras() const;
    //! The exceptions to the Monday-to-Friday week with regular hours, local dates in
    //! [first_day, last_day]. Cheap: no time zone work.
    std::vector<Exception> exceptions(int64_t first_day, int64_t last_day) const;

    //! The first session whose close lies after `ts` (within ~3 weeks, else none).
    std::optional<TradingSession> next_session(TimestampUs ts) const;

    ExchangeCalendar(std::string code, const Spec* spec) : code_(std::move(code)), spec_(spec) {}

private:
    std::string code_;
    const Spec* spec_;
};

//! Days since epoch of the local date of `ts` in IANA zone `zone` (e.g. "America/New_York").
Result<int64_t> local_day_of(TimestampUs ts, std::string_view zone);

//! Whether `zone` names a zone of the system tz database.
Status check_time_zone(std::string_view zone);

//! Offset of `zone` from UTC at `ts`, in seconds (negative west of Greenwich).
Result<int64_t> utc_offset_seconds(TimestampUs ts, std::string_view zone);

} // namespace ticklake
