// What `ticklake calendar` prints: the sessions of an exchange over a range of dates, as a
// table for people or CSV for scripts (the calendar test compares that CSV with an
// independent calendar).
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "common/exchange_calendar.h"

namespace ticklake {

struct CalendarReportOptions {
    std::string exchange = "XNYS"; //!< MIC, see ExchangeCalendar::codes()
    std::string from;              //!< first local date, YYYY-MM-DD
    std::string to;                //!< last local date, YYYY-MM-DD
    std::string format = "table";  //!< table | csv | sql (calendar_tables_sql of every exchange)
};

//! Local dates the SQL calendar covers (query sessions, `ticklake calendar --format sql`).
constexpr int kCalendarSqlLastYear = 2050;

//! The calendar as the SQL function library reads it (src/query/functions/market.sql):
//! temporary tables ticklake_exchanges (a MIC's zone, regular hours, years) and ticklake_calendar_exceptions
//! (the weekdays that are holidays or close early), through `last_year`. The weekly rule and the
//! time zones stay in SQL (DuckDB's ICU) so a session start parses a few hundred rows, not a
//! row per session. Column names carry a tl_ prefix: a macro's argument is pasted into the
//! subqueries that read these tables, and a user's column named `day` must not bind to theirs.
std::string calendar_tables_sql(int last_year);

//! One line per session: date, open and close (UTC), lunch break, early close and
//! provisional flags. Fails with invalid_argument on an unknown exchange, a bad date or an
//! empty range.
Result<std::string> calendar_report(const CalendarReportOptions& options);

} // namespace ticklake
