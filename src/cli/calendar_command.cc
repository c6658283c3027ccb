// `ticklake calendar`: the trading sessions of an exchange. The calendar is
// common/exchange_calendar.h, the text common/calendar_report.h; this file binds flags.
#include <cstdio>
#include <string>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "common/calendar_report.h"

namespace ticklake::cli {

void add_calendar_command(CLI::App& app) {
    auto [cmd, f] = add_command<CalendarReportOptions>(
        app, "calendar",
        "Print the trading sessions of an exchange: local date, open and close in UTC, early closes.\n"
        "Years after the exchange's last published holiday list are computed by its rules and marked provisional.",
        [](CalendarReportOptions& o) {
            auto text = calendar_report(o);
            if (!text) return report_error("calendar", text.error());
            std::fputs(text->c_str(), stdout);
            return 0;
        });
    cmd->add_option("exchange", f->exchange, "Exchange MIC: XNYS (XNAS), XLON, XETR, XTKS, XHKG, XSHG")->capture_default_str();
    cmd->add_option("--from", f->from, "First local date, YYYY-MM-DD (not for sql)");
    cmd->add_option("--to", f->to, "Last local date, YYYY-MM-DD (not for sql)");
    cmd->add_option("--format", f->format,
                    "table, csv, or sql: the calendar tables the SQL functions read, every exchange to 2050")
        ->capture_default_str();
}

} // namespace ticklake::cli
