// `ticklake query "SQL"` and `ticklake sql` (a shell): Athena's job on the embedded DuckDB,
// over the warehouse's own files, with read-only guardrails and Athena's run statistics.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/line_reader.h"
#include "query/query_engine.h"
#include "query/result_format.h"
#include "query/result_writer.h"
#include "query/statement_splitter.h"

namespace ticklake::cli {

namespace {

using namespace ticklake::query;

struct QueryFlags {
    std::string sql;
    std::string file;
    EngineOptions engine; //!< warehouse, memory limit, threads
    std::string format;
    std::string output;
    std::string max_bytes;
    std::string timeout;
    std::string cache_dir;
    bool quiet = false;
    StorageFlags storage;
    CatalogFlags catalog;
};

Result<Engine> open_engine(const QueryFlags& f, const std::string& sql_hint) {
    auto store = f.storage.options();
    if (!store) {
        return fail(store.error());
    }
    EngineOptions o = f.engine;
    if (const char* env = std::getenv("TICKLAKE_WAREHOUSE"); o.warehouse.empty() && env != nullptr) {
        o.warehouse = env;
    }
    o.catalog = f.catalog.path;
    o.store = *store;
    o.cache_dir = f.cache_dir;
    if (!f.quiet) {
        o.note = [](const std::string& note) { std::fprintf(stderr, "query: %s\n", note.c_str()); };
    }
    return Engine::open(o, sql_hint);
}

Result<QueryLimits> limits_of(const QueryFlags& f) {
    auto timeout = f.timeout.empty() ? Result<int64_t>(0) : parse_duration_us(f.timeout);
    return timeout ? query_limits(f.max_bytes, *timeout) : fail(timeout.error());
}

int print_result(const QueryResult& r, const QueryFlags& f) {
    if (!f.output.empty()) {
        auto store = f.storage.options();
        Status st = store ? write_result_file(r, f.output, *store) : fail(store.error());
        if (!st) {
            return report_error("query", st.error());
        }
    } else {
        const ResultFormat by_tty = ::isatty(STDOUT_FILENO) == 1 ? ResultFormat::table : ResultFormat::csv;
        auto format = f.format.empty() ? Result<ResultFormat>(by_tty) : parse_result_format(f.format);
        if (!format) {
            return report_error("query", format.error());
        }
        const std::string text = render(r, *format);
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
    }
    if (!f.quiet) {
        std::fprintf(stderr, "%s%s\n", describe_stats(r).c_str(),
                     f.output.empty() ? "" : (", written to " + f.output).c_str());
    }
    return 0;
}

int run_query(QueryFlags& f) {
    std::string sql = f.sql;
    if (!f.file.empty()) {
        std::ifstream in(f.file);
        if (!in) {
            return report_error("query", Error::invalid("cannot read " + f.file));
        }
        std::stringstream ss;
        ss << in.rdbuf();
        sql = ss.str();
    } else if (sql == "-" || (sql.empty() && ::isatty(STDIN_FILENO) == 0)) {
        std::stringstream ss;
        ss << std::cin.rdbuf();
        sql = ss.str();
    }
    if (sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
        return report_error("query", Error::invalid("no SQL given: ticklake query \"SELECT ...\" (or -f FILE, or stdin)"));
    }
    auto limits = limits_of(f);
    if (!limits) {
        return report_error("query", limits.error());
    }
    auto engine = open_engine(f, sql);
    if (!engine) {
        return report_error("query", engine.error());
    }
    auto result = engine->session->run(sql, *limits);
    if (!result) {
        return report_error("query", result.error());
    }
    return print_result(*result, f);
}

// Runs one statement of the shell and prints its result; false when it failed.
bool run_statement(QuerySession& session, const std::string& sql, const QueryLimits& limits, const QueryFlags& f) {
    auto r = session.run(sql, limits);
    if (!r) {
        report_error("sql", r.error());
        return false;
    }
    print_result(*r, f);
    return true;
}

// .tables, .describe TABLE; false when a .describe failed.
bool run_dot_command(QuerySession& session, const StatementSplitter::Input& in, bool tty) {
    if (in.command == ".tables") {
        for (const auto& t : session.table_names()) {
            std::printf("%s\n", t.c_str());
        }
    } else if (in.command == ".describe" && !in.argument.empty()) {
        auto r = session.run("DESCRIBE " + in.argument);
        if (!r) {
            report_error("sql", r.error());
            return false;
        }
        const std::string text = render(*r, tty ? ResultFormat::table : ResultFormat::csv);
        std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
        std::fprintf(stderr, "unknown command %s: .tables, .describe TABLE, .quit\n", in.command.c_str());
    }
    return true;
}

// The shell: statements end with ';' (several lines allowed); dot commands list and describe
// tables.
int run_shell(QueryFlags& f) {
    auto limits = limits_of(f);
    if (!limits) {
        return report_error("sql", limits.error());
    }
    auto engine = open_engine(f, "");
    if (!engine) {
        return report_error("sql", engine.error());
    }
    QuerySession& session = *engine->session;
    const bool tty = ::isatty(STDIN_FILENO) == 1;
    LineReader reader(tty);
    if (tty) {
        std::fprintf(stderr, "ticklake sql on %s: %zu tables. End statements with ';'. .tables, .describe TABLE, "
                             ".quit\n",
                     engine->source.c_str(), session.table_names().size());
    }
    StatementSplitter splitter;
    int failures = 0;
    while (auto line = reader.read(splitter.in_statement() ? "      ...> " : "ticklake> ")) {
        const auto in = splitter.feed(*line);
        if (in.kind == StatementSplitter::Input::Kind::none) {
            continue;
        }
        reader.remember(in.text);
        if (in.kind == StatementSplitter::Input::Kind::statement) {
            failures += run_statement(session, in.text, *limits, f) ? 0 : 1;
        } else if (in.command == ".quit" || in.command == ".exit") {
            break;
        } else {
            failures += run_dot_command(session, in, tty) ? 0 : 1;
        }
    }
    if (auto rest = splitter.rest()) {
        failures += run_statement(session, *rest, *limits, f) ? 0 : 1;
    }
    return failures == 0 ? 0 : 1;
}

void add_common_flags(CLI::App& cmd, QueryFlags& f) {
    f.catalog.add_to(cmd);
    cmd.add_option("--warehouse,-w", f.engine.warehouse,
                   "Query a warehouse's folders directly instead of the catalog: a folder or s3://bucket/prefix "
                   "(also $TICKLAKE_WAREHOUSE); tables are <database>.<table> from its folders");
    cmd.add_option("--format", f.format, "table, csv or jsonl (default: table on a terminal, else csv)");
    cmd.add_option("--output,-o", f.output,
                   "Write the result to FILE.csv, .jsonl or .parquet, local or s3:// (Athena's result location)");
    cmd.add_option("--max-bytes-scanned", f.max_bytes,
                   "Cancel a query that reads more than this (e.g. 500MB, 10GiB): Athena's per-query data limit");
    cmd.add_option("--timeout", f.timeout, "Interrupt a query running longer than this (e.g. 30s, 5m)");
    cmd.add_option("--memory-limit", f.engine.memory_limit, "DuckDB memory limit (e.g. 2GB; default 80% of RAM)");
    cmd.add_option("--threads", f.engine.threads, "DuckDB threads (default: all cores)");
    cmd.add_option("--cache-dir", f.cache_dir,
                   "Where S3 files are cached for queries (default $XDG_CACHE_HOME/ticklake/s3 or ~/.cache/ticklake/s3)");
    cmd.add_flag("--quiet,-q", f.quiet, "No statistics line on stderr");
    f.storage.add_to(cmd);
}

} // namespace

void add_query_commands(CLI::App& app) {
    auto q = std::make_shared<QueryFlags>();
    CLI::App* query = app.add_subcommand(
        "query", "Run SQL over the lake's tables (Athena's job, on embedded DuckDB), read-only.\n"
                 "Tables are the catalog's (ticklake crawl / sink registration), as database.table; or, with -w,\n"
                 "the folders of one warehouse.\n"
                 "Prints the result, then rows, time, files read and bytes scanned (Athena's \"Data scanned\").\n"
                 "Filters on partition columns (dt) read only the matching files.\n"
                 "Example: ticklake query \"SELECT symbol, count(*) FROM market.trades WHERE dt = DATE '2025-01-06' "
                 "GROUP BY 1\"");
    query->add_option("sql", q->sql, "SQL (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW); '-' reads standard input");
    query->add_option("--file,-f", q->file, "Read the SQL from this file");
    add_common_flags(*query, *q);
    query->footer("Refused: COPY, EXPORT, ATTACH, INSTALL/LOAD, SET, CREATE/INSERT/DROP, and any file outside the\n"
                  "warehouse (read_csv('/etc/passwd')). Exit status: 0 ok, 1 query failed, 2 bad arguments or SQL.");
    query->callback([q] { exit_code = run_query(*q); });

    auto s = std::make_shared<QueryFlags>();
    CLI::App* shell = app.add_subcommand(
        "sql", "Interactive SQL shell over the warehouse (same engine and guardrails as `query`).\n"
               "Statements end with ';' and may span lines; .tables lists tables, .describe TABLE shows columns,\n"
               ".quit leaves. Line editing and history (arrow keys; kept in ~/.ticklake_history) on a terminal;\n"
               "statements are read from stdin as a script when it is not a terminal.");
    add_common_flags(*shell, *s);
    shell->callback([s] { exit_code = run_shell(*s); });
}

} // namespace ticklake::cli
