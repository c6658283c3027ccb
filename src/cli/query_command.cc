// `ticklake query "SQL"` and `ticklake sql` (a shell): Athena's job on the embedded DuckDB,
// over the warehouse's own files, with read-only guardrails and Athena's run statistics.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <tuple>
#include <unistd.h>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/line_reader.h"
#include "query/query_engine.h"
#include "query/query_shell.h"
#include "query/range_cache.h"
#include "query/warehouse_tables.h"

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
    std::string s3_read = "ranged";
    uint64_t cache_max_mib = 2048;
    bool quiet = false;
    StorageFlags storage;
    CatalogFlags catalog;
};

Result<Engine> open_engine(const QueryFlags& f, const std::string& sql_hint, const QueryLimits& limits) {
    auto store = f.storage.options();
    if (!store) {
        return fail(store.error());
    }
    auto mode = parse_s3_read_mode(f.s3_read);
    if (!mode) {
        return fail(mode.error());
    }
    EngineOptions o = f.engine;
    o.s3_read = *mode;
    o.cache_max_bytes = f.cache_max_mib << 20;
    o.max_bytes_scanned = limits.max_bytes_scanned;
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

ResultOutput output_of(const QueryFlags& f) {
    // open_engine has checked the storage flags already.
    return {f.format, f.output, f.storage.options().value_or(ObjectStoreOptions{}), f.quiet,
            ::isatty(STDOUT_FILENO) == 1};
}

int run_query(QueryFlags& f) {
    auto sql = query_text(f.sql, f.file, std::cin, ::isatty(STDIN_FILENO) == 1);
    auto limits = sql ? limits_of(f) : fail(sql.error());
    auto engine = limits ? open_engine(f, *sql, *limits) : fail(limits.error());
    auto result = engine ? engine->run(*sql, *limits) : fail(engine.error());
    return exit_status("query", result ? show_result(*result, output_of(f), std_console()) : fail(result.error()));
}

int run_shell(QueryFlags& f) {
    auto limits = limits_of(f);
    auto engine = limits ? open_engine(f, "", *limits) : fail(limits.error());
    if (!engine) {
        return report_error("sql", engine.error());
    }
    const bool tty = ::isatty(STDIN_FILENO) == 1;
    LineReader reader(tty);
    const ShellInput in{[&](const char* prompt) { return reader.read(prompt); },
                        [&](const std::string& statement) { reader.remember(statement); }, tty};
    const int failures = query::run_shell(*engine->session, engine->source, in, *limits, output_of(f), std_console(),
                                          [](const Error& e) { report_error("sql", e); });
    return failures == 0 ? 0 : 1;
}

void add_common_flags(CLI::App& cmd, QueryFlags& f) {
    f.catalog.add_to(cmd, true);
    cmd.add_option("--warehouse,-w", f.engine.warehouse,
                   "Query a warehouse's folders directly instead of the catalog: a folder or s3://bucket/prefix "
                   "(also $TICKLAKE_WAREHOUSE); tables are <database>.<table> from its folders");
    cmd.add_option("--format", f.format, "table, csv or jsonl (default: table on a terminal, else csv)");
    cmd.add_option("--output,-o", f.output,
                   "Write the result to FILE.csv, .jsonl or .parquet, local or s3:// (Athena's result location)");
    cmd.add_option("--max-bytes-scanned", f.max_bytes,
                   "Refuse or cancel a query that reads more than this (e.g. 500MB, 10GiB) from S3 (checked before "
                   "transfers) plus local tables: Athena's per-query data limit");
    cmd.add_option("--timeout", f.timeout, "Interrupt a query running longer than this (e.g. 30s, 5m)")
        ->type_name("DURATION");
    cmd.add_option("--memory-limit", f.engine.memory_limit, "DuckDB memory limit (e.g. 2GB; default 80% of RAM)");
    cmd.add_option("--threads", f.engine.threads, "DuckDB threads (default: all cores)");
    cmd.add_option("--cache-dir", f.cache_dir,
                   "Where S3 reads are cached for queries (default $XDG_CACHE_HOME/ticklake/s3 or ~/.cache/ticklake/s3)");
    cmd.add_option("--cache-max-mib", f.cache_max_mib,
                   "Bound of the S3 cache in MiB, least recently used out first (0: no cache)")
        ->capture_default_str();
    cmd.add_option("--s3-read", f.s3_read,
                   "Parquet on S3: ranged (footers, then only the column chunks the query needs) or whole (every "
                   "object whole)")
        ->capture_default_str();
    cmd.add_flag("--quiet,-q", f.quiet, "No statistics line on stderr");
    f.storage.add_to(cmd);
}

struct CacheFlags {
    std::string cache_dir;
    uint64_t cache_max_mib = 2048;
};

RangeCache cache_of(const CacheFlags& f) {
    return RangeCache(f.cache_dir.empty() ? default_cache_dir() : std::filesystem::path(f.cache_dir),
                      f.cache_max_mib << 20);
}

int run_cache_stats(const CacheFlags& f) {
    const RangeCache cache = cache_of(f);
    const CacheUsage u = cache.usage();
    std::printf("%s: %llu entries, %llu bytes of %llu (--cache-max-mib %llu)\n", cache.dir().c_str(),
                static_cast<unsigned long long>(u.entries), static_cast<unsigned long long>(u.bytes),
                static_cast<unsigned long long>(cache.max_bytes()), static_cast<unsigned long long>(f.cache_max_mib));
    return 0;
}

int run_cache_clear(const CacheFlags& f) {
    RangeCache cache = cache_of(f);
    const CacheUsage before = cache.usage();
    auto st = cache.clear();
    if (st) {
        std::printf("%s: removed %llu entries, %llu bytes\n", cache.dir().c_str(),
                    static_cast<unsigned long long>(before.entries), static_cast<unsigned long long>(before.bytes));
    }
    return exit_status("cache", st);
}

// `ticklake cache stats|clear`, registered with the query commands it serves.
void add_cache_command(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand("cache", "The query's S3 cache: what it holds, or empty it.");
    cmd->require_subcommand(1);
    for (auto [name, help, run] : {std::tuple{"stats", "Entries and bytes the cache holds, and its bound", &run_cache_stats},
                                   std::tuple{"clear", "Remove every entry (safe while queries run)", &run_cache_clear}}) {
        auto [s, f] = add_command<CacheFlags>(*cmd, name, help, run);
        s->add_option("--cache-dir", f->cache_dir,
                      "The cache folder (default $XDG_CACHE_HOME/ticklake/s3 or ~/.cache/ticklake/s3)");
        s->add_option("--cache-max-mib", f->cache_max_mib, "The bound to report against")->capture_default_str();
    }
}

} // namespace

void add_query_commands(CLI::App& app) {
    auto [query, q] = add_command<QueryFlags>(
        app, "query",
        "Run SQL over the lake's tables (Athena's job, on embedded DuckDB), read-only.\n"
        "Tables are the catalog's (ticklake crawl / sink registration), as database.table; or, with -w,\n"
        "the folders of one warehouse.\n"
        "Prints the result, then rows, time, files read and bytes scanned (Athena's \"Data scanned\").\n"
        "Filters on partition columns (dt) read only the matching files.\n"
        "Example: ticklake query \"SELECT symbol, count(*) FROM market.trades WHERE dt = DATE '2025-01-06' "
        "GROUP BY 1\"",
        run_query);
    query->add_option("sql", q->sql, "SQL (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW); '-' reads standard input");
    query->add_option("--file,-f", q->file, "Read the SQL from this file");
    add_common_flags(*query, *q);
    query->footer("Refused: COPY, EXPORT, ATTACH, INSTALL/LOAD, SET, CREATE/INSERT/DROP, and any file outside the\n"
                  "warehouse (read_csv('/etc/passwd')). Exit status: 0 ok, 1 query failed, 2 bad arguments or SQL.");

    auto [shell, s] = add_command<QueryFlags>(
        app, "sql",
        "Interactive SQL shell over the warehouse (same engine and guardrails as `query`).\n"
        "Statements end with ';' and may span lines; .tables lists tables, .describe TABLE shows columns,\n"
        ".quit leaves. Line editing and history (arrow keys; kept in ~/.ticklake_history) on a terminal;\n"
        "statements are read from stdin as a script when it is not a terminal.",
        run_shell);
    add_common_flags(*shell, *s);
    add_cache_command(app);
}

} // namespace ticklake::cli
