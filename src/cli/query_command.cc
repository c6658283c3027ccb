// `ticklake query "SQL"` and `ticklake sql` (a shell): Athena's job on the embedded DuckDB,
// over the warehouse's own files, with read-only guardrails and Athena's run statistics.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include <editline/readline.h>
#include <fmt/format.h>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "catalog/catalog.h"
#include "query/catalog_tables.h"
#include "query/function_library.h"
#include "query/partition_pruning.h"
#include "query/query_session.h"
#include "query/result_format.h"
#include "query/warehouse_tables.h"
#include "storage/object_store.h"

namespace ticklake::cli {

namespace {

namespace fs = std::filesystem;
using namespace ticklake::query;

struct QueryFlags {
    std::string sql;
    std::string file;
    std::string warehouse;
    std::string format;
    std::string output;
    std::string max_bytes;
    std::string timeout;
    std::string memory_limit;
    int threads = 0;
    std::string cache_dir;
    bool quiet = false;
    StorageFlags storage;
    CatalogFlags catalog;
};

//! "500MB", "10GiB", "1e9", "4096" -> bytes (decimal units are powers of 1000, binary of 1024).
Result<uint64_t> parse_size(const std::string& text) {
    size_t pos = 0;
    double v = 0;
    try {
        v = std::stod(text, &pos);
    } catch (...) {
        return fail(Error::invalid("not a size: '" + text + "' (examples: 500MB, 10GiB, 1000000)"));
    }
    std::string unit = text.substr(pos);
    for (auto& c : unit) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    double scale = 1;
    if (unit.empty() || unit == "B") {
        scale = 1;
    } else if (unit == "KB") {
        scale = 1e3;
    } else if (unit == "MB") {
        scale = 1e6;
    } else if (unit == "GB") {
        scale = 1e9;
    } else if (unit == "TB") {
        scale = 1e12;
    } else if (unit == "KIB") {
        scale = 1024.0;
    } else if (unit == "MIB") {
        scale = 1024.0 * 1024;
    } else if (unit == "GIB") {
        scale = 1024.0 * 1024 * 1024;
    } else if (unit == "TIB") {
        scale = 1024.0 * 1024 * 1024 * 1024;
    } else {
        return fail(Error::invalid("unknown size unit in '" + text + "' (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"));
    }
    if (v < 0) {
        return fail(Error::invalid("size must not be negative: '" + text + "'"));
    }
    return static_cast<uint64_t>(v * scale);
}

// Which files a query can need on S3: the tables it names, and of those the files whose
// partition folders can meet its conditions (partition_pruning.h). Local tables are read in
// place, so DuckDB prunes them itself.
void narrow_to_query(WarehouseScanOptions& scan, const std::string& sql, const std::vector<std::string>& names) {
    scan.only_tables = tables_mentioned(sql, names);
    if (scan.only_tables.empty()) {
        scan.only_tables = {"-"}; // names no table: bind none
    }
    if (auto tree = parse_tree_json(sql); tree) {
        if (auto plan = pruning_plan_from_parse_tree(*tree); plan && !plan->empty()) {
            scan.file_filter = [plan = *plan](const std::string& table, const std::string& key) {
                auto it = plan.find(table);
                return it == plan.end() || file_may_match(key, it->second);
            };
        }
    }
}

struct Engine {
    std::string source; //!< what the tables come from, for messages
    std::unique_ptr<QuerySession> session;
};

Result<Engine> open_engine(const QueryFlags& f, const std::string& sql_hint) {
    auto options = f.storage.options();
    if (!options) {
        return fail(options.error());
    }
    WarehouseScanOptions scan;
    scan.cache_dir = f.cache_dir.empty() ? default_cache_dir() : fs::path(f.cache_dir);
    if (!f.quiet) {
        scan.progress = [](uint64_t done, uint64_t total) {
            if (done == total || done % 20 == 0) {
                std::fprintf(stderr, "query: fetched %llu of %llu files into the local cache\n",
                             static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
            }
        };
    }
    WarehouseTables tables;
    std::string source;
    if (f.warehouse.empty() && !std::getenv("TICKLAKE_WAREHOUSE")) {
        // Athena's way: the tables the catalog knows, with the files it lists.
        const fs::path path = f.catalog.path.empty() ? default_catalog_path() : fs::path(f.catalog.path);
        auto catalog = Catalog::open(path);
        if (!catalog) {
            return fail(catalog.error());
        }
        if (!sql_hint.empty()) {
            WarehouseScanOptions names_only = scan;
            names_only.fetch = false;
            auto all = bind_catalog(*catalog, names_only, *options);
            if (!all) {
                return fail(all.error());
            }
            if (all->all_names.empty()) {
                return fail(Error::invalid("the catalog " + path.string() + " has no tables: crawl a warehouse "
                                           "(ticklake crawl DIR|s3://...), sink with registration, or query a "
                                           "warehouse's folders directly with -w DIR"));
            }
            narrow_to_query(scan, sql_hint, all->all_names);
        }
        auto bound = bind_catalog(*catalog, scan, *options);
        if (!bound) {
            return fail(bound.error());
        }
        if (bound->missing_files > 0 && !f.quiet) {
            std::fprintf(stderr, "query: %llu file(s) the catalog lists are gone and were left out: run `ticklake "
                                 "crawl` on their warehouse\n",
                         static_cast<unsigned long long>(bound->missing_files));
        }
        tables = std::move(bound->tables);
        source = "catalog " + path.string();
    } else {
        const std::string uri = f.warehouse.empty() ? std::getenv("TICKLAKE_WAREHOUSE") : f.warehouse;
        const bool s3 = uri.rfind("s3://", 0) == 0 || uri.rfind("S3://", 0) == 0;
        if (!s3) {
            std::string path = uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
            if (!fs::is_directory(path)) {
                return fail(Error::invalid("no warehouse at " + path + ": pass --warehouse DIR|s3://bucket/prefix, or "
                                           "leave it out to query the catalog's tables"));
            }
        }
        auto store = open_object_store(uri, *options);
        if (!store) {
            return fail(store.error());
        }
        if (s3 && !sql_hint.empty()) {
            WarehouseScanOptions names_only = scan;
            names_only.fetch = false;
            auto all = scan_warehouse(**store, names_only);
            if (!all) {
                return fail(all.error());
            }
            std::vector<std::string> names;
            for (const auto& t : all->tables) {
                names.push_back(t.database + "." + t.table);
            }
            narrow_to_query(scan, sql_hint, names);
        }
        auto scanned = scan_warehouse(**store, scan);
        if (!scanned) {
            return fail(scanned.error());
        }
        tables = std::move(*scanned);
        source = (*store)->uri();
    }
    SessionOptions so;
    so.allowed_directories = tables.folders;
    so.memory_limit = f.memory_limit;
    so.threads = f.threads;
    so.setup_sql = function_library_sql();
    auto session = QuerySession::open(so, tables.tables);
    if (!session) {
        return fail(session.error());
    }
    return Engine{source, std::move(*session)};
}

Result<QueryLimits> limits_of(const QueryFlags& f) {
    QueryLimits limits;
    if (!f.max_bytes.empty()) {
        auto b = parse_size(f.max_bytes);
        if (!b) {
            return fail(b.error());
        }
        limits.max_bytes_scanned = *b;
    }
    if (!f.timeout.empty()) {
        auto t = parse_duration_us(f.timeout);
        if (!t) {
            return fail(t.error());
        }
        limits.timeout = std::chrono::milliseconds(*t / 1000);
    }
    return limits;
}

// Athena writes results to an S3 "result location"; here: a local file or an s3:// URI.
Status write_output(const QueryResult& r, const std::string& target, const StorageFlags& storage) {
    const bool parquet = target.ends_with(".parquet");
    ResultFormat format = ResultFormat::csv;
    if (!parquet) {
        auto f = result_format_for_path(target);
        if (!f) {
            return fail(f.error());
        }
        format = *f;
    }
    const bool s3 = target.rfind("s3://", 0) == 0;
    fs::path local = s3 ? fs::temp_directory_path() / ("ticklake-result-" + std::to_string(::getpid()) +
                                                        fs::path(target).extension().string())
                        : fs::path(target);
    if (!s3 && local.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(local.parent_path(), ec);
    }
    if (parquet) {
        if (auto st = write_result_parquet(r, local); !st) {
            return st;
        }
    } else {
        std::ofstream out(local, std::ios::binary | std::ios::trunc);
        out << render(r, format);
        if (!out) {
            return fail(Error::fatal("cannot write " + local.string()));
        }
    }
    if (s3) {
        const size_t slash = target.rfind('/');
        auto options = storage.options();
        if (!options) {
            return fail(options.error());
        }
        auto store = open_object_store(target.substr(0, slash), *options);
        Status st = store ? (*store)->put_file(target.substr(slash + 1), local) : fail(store.error());
        std::error_code ec;
        fs::remove(local, ec);
        return st;
    }
    return {};
}

int print_result(const QueryResult& r, const QueryFlags& f) {
    if (!f.output.empty()) {
        if (auto st = write_output(r, f.output, f.storage); !st) {
            return report_error("query", st.error());
        }
    } else {
        ResultFormat format = ::isatty(STDOUT_FILENO) == 1 ? ResultFormat::table : ResultFormat::csv;
        if (!f.format.empty()) {
            auto parsed = parse_result_format(f.format);
            if (!parsed) {
                return report_error("query", parsed.error());
            }
            format = *parsed;
        }
        const std::string text = render(r, format);
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
    }
    if (!f.quiet) {
        std::fprintf(stderr, "%s%s\n", describe_stats(r).c_str(),
                     f.output.empty() ? "" : fmt::format(", written to {}", f.output).c_str());
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

// Lines of the shell: libedit (line editing, history with the arrow keys, kept in
// ~/.ticklake_history) on a terminal; plain reads from a pipe, so scripts work.
class LineReader {
public:
    explicit LineReader(bool tty) : tty_(tty) {
        if (!tty_) {
            return;
        }
        if (const char* home = std::getenv("HOME"); home != nullptr) {
            history_file_ = (fs::path(home) / ".ticklake_history").string();
            using_history();
            read_history(history_file_.c_str());
        }
    }
    ~LineReader() {
        if (tty_ && !history_file_.empty()) {
            write_history(history_file_.c_str());
        }
    }
    //! The next line, or nullopt at the end of input.
    std::optional<std::string> read(const char* prompt) {
        if (!tty_) {
            std::string line;
            if (!std::getline(std::cin, line)) {
                return std::nullopt;
            }
            return line;
        }
        char* raw = readline(prompt);
        if (raw == nullptr) {
            return std::nullopt;
        }
        std::string line(raw);
        std::free(raw);
        return line;
    }
    //! Remembers a whole statement (all its lines) as one history entry.
    void remember(const std::string& statement) {
        if (tty_ && statement.find_first_not_of(" \t\r\n") != std::string::npos) {
            std::string one = statement;
            while (!one.empty() && (one.back() == '\n' || one.back() == ' ')) {
                one.pop_back();
            }
            add_history(one.c_str());
        }
    }

private:
    bool tty_;
    std::string history_file_;
};

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
    const bool tty = ::isatty(STDIN_FILENO) == 1;
    LineReader reader(tty);
    if (tty) {
        std::fprintf(stderr, "ticklake sql on %s: %zu tables. End statements with ';'. .tables, .describe TABLE, "
                             ".quit\n",
                     engine->source.c_str(), engine->session->table_names().size());
    }
    std::string buffer;
    int failures = 0;
    while (true) {
        auto next = reader.read(buffer.empty() ? "ticklake> " : "      ...> ");
        if (!next) {
            break;
        }
        const std::string& line = *next;
        if (buffer.empty() && !line.empty() && line[0] == '.') {
            std::istringstream words(line);
            std::string cmd, arg;
            words >> cmd >> arg;
            reader.remember(line);
            if (cmd == ".quit" || cmd == ".exit") {
                break;
            }
            if (cmd == ".tables") {
                for (const auto& t : engine->session->table_names()) {
                    std::printf("%s\n", t.c_str());
                }
                continue;
            }
            if (cmd == ".describe" && !arg.empty()) {
                auto r = engine->session->run("DESCRIBE " + arg);
                if (r) {
                    const std::string text = render(*r, tty ? ResultFormat::table : ResultFormat::csv);
                    std::fwrite(text.data(), 1, text.size(), stdout);
                } else {
                    report_error("sql", r.error());
                    ++failures;
                }
                continue;
            }
            std::fprintf(stderr, "unknown command %s: .tables, .describe TABLE, .quit\n", cmd.c_str());
            continue;
        }
        buffer += line + "\n";
        const size_t end = line.find_last_not_of(" \t\r");
        if (end == std::string::npos || line[end] != ';') {
            continue;
        }
        reader.remember(buffer);
        auto r = engine->session->run(buffer, *limits);
        buffer.clear();
        if (!r) {
            report_error("sql", r.error());
            ++failures;
            continue;
        }
        print_result(*r, f);
    }
    if (buffer.find_first_not_of(" \t\r\n") != std::string::npos) {
        auto r = engine->session->run(buffer, *limits);
        if (!r) {
            report_error("sql", r.error());
            ++failures;
        } else {
            print_result(*r, f);
        }
    }
    return failures == 0 ? 0 : 1;
}

void add_common_flags(CLI::App& cmd, QueryFlags& f) {
    f.catalog.add_to(cmd);
    cmd.add_option("--warehouse,-w", f.warehouse,
                   "Query a warehouse's folders directly instead of the catalog: a folder or s3://bucket/prefix "
                   "(also $TICKLAKE_WAREHOUSE); tables are <database>.<table> from its folders");
    cmd.add_option("--format", f.format, "table, csv or jsonl (default: table on a terminal, else csv)");
    cmd.add_option("--output,-o", f.output,
                   "Write the result to FILE.csv, .jsonl or .parquet, local or s3:// (Athena's result location)");
    cmd.add_option("--max-bytes-scanned", f.max_bytes,
                   "Cancel a query that reads more than this (e.g. 500MB, 10GiB): Athena's per-query data limit");
    cmd.add_option("--timeout", f.timeout, "Interrupt a query running longer than this (e.g. 30s, 5m)");
    cmd.add_option("--memory-limit", f.memory_limit, "DuckDB memory limit (e.g. 2GB; default 80% of RAM)");
    cmd.add_option("--threads", f.threads, "DuckDB threads (default: all cores)");
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
