#include "query/query_shell.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "query/result_format.h"
#include "query/result_writer.h"
#include "query/statement_splitter.h"

namespace ticklake::query {

Status show_result(const QueryResult& r, const ResultOutput& o, const Console& console) {
    if (!o.file.empty()) {
        if (auto st = write_result_file(r, o.file, o.store); !st) {
            return st;
        }
    } else {
        const ResultFormat by_terminal = o.out_is_terminal ? ResultFormat::table : ResultFormat::csv;
        auto format = o.format.empty() ? Result<ResultFormat>(by_terminal) : parse_result_format(o.format);
        if (!format) {
            return fail(format.error());
        }
        console.out(render(r, *format));
    }
    if (!o.quiet) {
        console.err(describe_stats(r) + (o.file.empty() ? "" : ", written to " + o.file) + "\n");
    }
    return {};
}

Result<std::string> query_text(const std::string& sql, const std::string& file, std::istream& in,
                               bool in_is_terminal) {
    std::string text = sql;
    if (!file.empty()) {
        std::ifstream f(file);
        if (!f) {
            return fail(Error::invalid("cannot read " + file));
        }
        std::stringstream ss;
        ss << f.rdbuf();
        text = ss.str();
    } else if (sql == "-" || (sql.empty() && !in_is_terminal)) {
        std::stringstream ss;
        ss << in.rdbuf();
        text = ss.str();
    }
    if (text.find_first_not_of(" \t\r\n;") == std::string::npos) {
        return fail(Error::invalid("no SQL given: ticklake query \"SELECT ...\" (or -f FILE, or stdin)"));
    }
    return text;
}

namespace {

// One pass of the shell over its session; `failures` counts what went wrong.
struct Shell {
    QuerySession& session;
    const QueryLimits& limits;
    const ResultOutput& out;
    const Console& console;
    const std::function<void(const Error&)>& report;
    bool terminal;
    int failures = 0;

    void statement(const std::string& sql) {
        auto r = session.run(sql, limits);
        if (!r) {
            report(r.error());
            ++failures;
        } else if (auto shown = show_result(*r, out, console); !shown) {
            // The statement ran: a result that cannot be shown is reported, not counted.
            report(shown.error());
        }
    }

    void dot_command(const StatementSplitter::Input& in) {
        if (in.command == ".tables") {
            for (const auto& t : session.table_names()) {
                console.out(t + "\n");
            }
        } else if (in.command == ".describe" && !in.argument.empty()) {
            auto r = session.run("DESCRIBE " + in.argument);
            if (!r) {
                report(r.error());
                ++failures;
                return;
            }
            console.out(render(*r, terminal ? ResultFormat::table : ResultFormat::csv));
        } else {
            console.err("unknown command " + in.command + ": .tables, .describe TABLE, .quit\n");
        }
    }
};

} // namespace

int run_shell(QuerySession& session, const std::string& source, const ShellInput& in, const QueryLimits& limits,
              const ResultOutput& out, const Console& console, const std::function<void(const Error&)>& report) {
    if (in.terminal) {
        console.err(fmt::format("ticklake sql on {}: {} tables. End statements with ';'. .tables, .describe TABLE, "
                                ".quit\n",
                                source, session.table_names().size()));
    }
    Shell shell{session, limits, out, console, report, in.terminal};
    StatementSplitter splitter;
    while (auto line = in.read(splitter.in_statement() ? "      ...> " : "ticklake> ")) {
        const auto input = splitter.feed(*line);
        if (input.kind == StatementSplitter::Input::Kind::none) {
            continue;
        }
        in.remember(input.text);
        if (input.kind == StatementSplitter::Input::Kind::statement) {
            shell.statement(input.text);
        } else if (input.command == ".quit" || input.command == ".exit") {
            break;
        } else {
            shell.dot_command(input);
        }
    }
    if (auto rest = splitter.rest()) {
        shell.statement(*rest);
    }
    return shell.failures;
}

} // namespace ticklake::query
