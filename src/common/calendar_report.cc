#include "common/calendar_report.h"

#include <cstdio>

#include "common/text_table.h"
#include "common/timestamp.h"

namespace ticklake {

namespace {

Result<int64_t> parse_day(std::string_view flag, std::string_view text) {
    if (text.size() != 10) {
        return fail(Error::invalid(std::string(flag) + " wants a date YYYY-MM-DD, not '" + std::string(text) + "'"));
    }
    auto ts = parse_iso8601(text);
    if (!ts) {
        return fail(Error::invalid(std::string(flag) + " wants a date YYYY-MM-DD: " + ts.error().message));
    }
    return *ts / kMicrosPerDay;
}

std::string day_text(int64_t day) { return format_date(day * kMicrosPerDay); }

} // namespace

std::string calendar_tables_sql(int last_year) {
    auto sql_time = [](int minutes) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "TIME '%02d:%02d'", minutes / 60, minutes % 60);
        return std::string(buf);
    };
    auto hhmm = [](int minutes) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
        return std::string(buf);
    };
    std::string exchanges;
    std::string eras;
    std::string exceptions;
    for (const std::string& code : ExchangeCalendar::codes()) {
        const ExchangeCalendar& cal = **ExchangeCalendar::find(code);
        const bool has_break = cal.regular_break_start_minutes() != cal.regular_break_end_minutes();
        exchanges += exchanges.empty() ? "" : ", ";
        exchanges += "('" + code + "', '" + cal.time_zone() + "', " + sql_time(cal.regular_open_minutes()) + ", " +
                     sql_time(cal.regular_close_minutes()) + ", " +
                     (has_break ? sql_time(cal.regular_break_start_minutes()) : "NULL::TIME") + ", " +
                     (has_break ? sql_time(cal.regular_break_end_minutes()) : "NULL::TIME") + ", DATE '" +
                     std::to_string(cal.first_year()) + "-01-01', DATE '" + std::to_string(last_year) + "-12-31', " +
                     std::to_string(cal.last_confirmed_year()) + ")";
        const auto hours = cal.hours_eras();
        for (size_t i = 0; i < hours.size(); ++i) {
            const auto& h = hours[i];
            const bool era_break = h.break_start_minutes != h.break_end_minutes;
            const int64_t last = i + 1 < hours.size() ? hours[i + 1].first_day - 1
                                                      : days_from_civil(last_year, 12, 31);
            eras += eras.empty() ? "" : ", ";
            eras += "('" + code + "', DATE '" + day_text(h.first_day) + "', DATE '" + day_text(last) + "', " +
                    sql_time(h.open_minutes) + ", " + sql_time(h.close_minutes) + ", " +
                    (era_break ? sql_time(h.break_start_minutes) : "NULL::TIME") + ", " +
                    (era_break ? sql_time(h.break_end_minutes) : "NULL::TIME") + ")";
        }
        for (const auto& e : cal.exceptions(days_from_civil(cal.first_year(), 1, 1), days_from_civil(last_year, 12, 31))) {
            // One text literal split in SQL: DuckDB binds a VALUES list row by row (~0.1 ms a
            // row), a split of one string is vectorised. Fields: mic|day|close|open|break
            // start|break end, the times empty on a closed day and the break's on a day without one.
            exceptions += exceptions.empty() ? "" : ";";
            exceptions += code + "|" + day_text(e.day) + "|";
            if (e.close_minutes >= 0) {
                exceptions += hhmm(e.close_minutes) + "|" + hhmm(e.open_minutes) + "|";
                if (e.break_start_minutes != e.break_end_minutes) {
                    exceptions += hhmm(e.break_start_minutes) + "|" + hhmm(e.break_end_minutes);
                } else {
                    exceptions += "|";
                }
            } else {
                exceptions += "||";
            }
        }
    }
    return "-- Generated from common/exchange_calendar.h (calendar_tables_sql).\n"
           "CREATE OR REPLACE TEMP TABLE ticklake_exchanges AS SELECT * FROM (VALUES " + exchanges +
           ") t(tl_mic, tl_tz, tl_open_time, tl_close_time, tl_break_start, tl_break_end, tl_first_day, tl_last_day, "
           "tl_last_confirmed_year);\n"
           "CREATE OR REPLACE TEMP TABLE ticklake_exchange_hours AS SELECT * FROM (VALUES " + eras +
           ") t(tl_mic, tl_from, tl_to, tl_open_time, tl_close_time, tl_break_start, tl_break_end);\n"
           "CREATE OR REPLACE TEMP TABLE ticklake_calendar_exceptions AS\n"
           "SELECT split_part(x, '|', 1) AS tl_mic, CAST(split_part(x, '|', 2) AS DATE) AS tl_day,\n"
           "       CAST(nullif(split_part(x, '|', 3), '') AS TIME) AS tl_close_time,\n"
           "       CAST(nullif(split_part(x, '|', 4), '') AS TIME) AS tl_open_time,\n"
           "       CAST(nullif(split_part(x, '|', 5), '') AS TIME) AS tl_break_start,\n"
           "       CAST(nullif(split_part(x, '|', 6), '') AS TIME) AS tl_break_end\n"
           "FROM (SELECT unnest(string_split('" + exceptions + "', ';')) AS x);\n";
}

Result<std::string> calendar_report(const CalendarReportOptions& o) {
    if (o.format == "sql") {
        return calendar_tables_sql(kCalendarSqlLastYear);
    }
    auto cal = ExchangeCalendar::find(o.exchange);
    if (!cal) return fail(cal.error());
    auto from = parse_day("--from", o.from);
    if (!from) return fail(from.error());
    auto to = parse_day("--to", o.to);
    if (!to) return fail(to.error());
    if (*to < *from) return fail(Error::invalid("--to " + o.to + " is before --from " + o.from));
    if (o.format != "table" && o.format != "csv") {
        return fail(Error::invalid("--format must be table, csv or sql, not '" + o.format + "'"));
    }
    const auto sessions = (*cal)->sessions(*from, *to);
    const std::vector<std::string> headers{"date", "open_utc", "close_utc", "break_start_utc", "break_end_utc",
                                           "early_close", "provisional"};
    auto row = [](const TradingSession& s) {
        const bool has_break = s.break_start != s.break_end;
        return std::vector<std::string>{day_text(s.day),
                                        format_iso8601(s.open),
                                        format_iso8601(s.close),
                                        has_break ? format_iso8601(s.break_start) : "",
                                        has_break ? format_iso8601(s.break_end) : "",
                                        s.early_close ? "true" : "false",
                                        s.provisional ? "true" : "false"};
    };
    if (o.format == "csv") {
        std::string out;
        for (size_t i = 0; i < headers.size(); ++i) out += (i ? "," : "") + headers[i];
        out += "\n";
        for (const auto& s : sessions) {
            const auto r = row(s);
            for (size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + r[i];
            out += "\n";
        }
        return out;
    }
    TextTable table(headers);
    for (const auto& s : sessions) table.add(row(s));
    return table.render();
}

} // namespace ticklake
