#include "query/query_session.h"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "duckdb_loader/duck_string.h"
#include "duckdb_loader/duckdb_loader.h"
#include "query/duckdb_handles.h"

namespace ticklake::query {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Bytes this process has read through read()/pread() so far (all threads). DuckDB reads files
// with pread, so the growth during a query is what it scanned; page-cache hits count too,
// which is what Athena's "Data scanned" means (bytes read, not bytes from disk).
uint64_t process_read_bytes() {
    std::ifstream io("/proc/self/io");
    std::string key;
    uint64_t value = 0;
    while (io >> key >> value) {
        if (key == "rchar:") {
            return value;
        }
    }
    return 0;
}

std::string type_name(duckdb_type t) {
    switch (t) {
    case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT: return "TINYINT";
    case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
    case DUCKDB_TYPE_INTEGER: return "INTEGER";
    case DUCKDB_TYPE_BIGINT: return "BIGINT";
    case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT: return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT: return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT: return "FLOAT";
    case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL: return "DECIMAL";
    case DUCKDB_TYPE_DATE: return "DATE";
    case DUCKDB_TYPE_TIME: return "TIME";
    case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP_S: return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS: return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS: return "TIMESTAMP_NS";
    case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
    case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
    case DUCKDB_TYPE_BLOB: return "BLOB";
    case DUCKDB_TYPE_UUID: return "UUID";
    case DUCKDB_TYPE_LIST: return "LIST";
    case DUCKDB_TYPE_ARRAY: return "ARRAY";
    case DUCKDB_TYPE_STRUCT: return "STRUCT";
    case DUCKDB_TYPE_MAP: return "MAP";
    case DUCKDB_TYPE_ENUM: return "ENUM";
    default: return "OTHER";
    }
}

const char* statement_kind_name(int t) {
    switch (t) {
    case DUCKDB_STATEMENT_TYPE_INSERT: return "INSERT";
    case DUCKDB_STATEMENT_TYPE_UPDATE: return "UPDATE";
    case DUCKDB_STATEMENT_TYPE_DELETE: return "DELETE";
    case DUCKDB_STATEMENT_TYPE_PREPARE: return "PREPARE";
    case DUCKDB_STATEMENT_TYPE_CREATE: return "CREATE";
    case DUCKDB_STATEMENT_TYPE_EXECUTE: return "EXECUTE";
    case DUCKDB_STATEMENT_TYPE_ALTER: return "ALTER";
    case DUCKDB_STATEMENT_TYPE_TRANSACTION: return "a transaction statement";
    case DUCKDB_STATEMENT_TYPE_COPY: return "COPY";
    case DUCKDB_STATEMENT_TYPE_ANALYZE: return "ANALYZE";
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET: return "SET VARIABLE";
    case DUCKDB_STATEMENT_TYPE_CREATE_FUNC: return "CREATE FUNCTION/MACRO";
    case DUCKDB_STATEMENT_TYPE_DROP: return "DROP";
    case DUCKDB_STATEMENT_TYPE_EXPORT: return "EXPORT";
    case DUCKDB_STATEMENT_TYPE_PRAGMA: return "PRAGMA";
    case DUCKDB_STATEMENT_TYPE_VACUUM: return "VACUUM";
    case DUCKDB_STATEMENT_TYPE_CALL: return "CALL";
    case DUCKDB_STATEMENT_TYPE_SET: return "SET";
    case DUCKDB_STATEMENT_TYPE_LOAD: return "LOAD/INSTALL";
    case DUCKDB_STATEMENT_TYPE_EXTENSION: return "an extension statement";
    case DUCKDB_STATEMENT_TYPE_ATTACH: return "ATTACH";
    case DUCKDB_STATEMENT_TYPE_DETACH: return "DETACH";
    default: return "this kind of statement";
    }
}

std::string first_line(std::string_view sql) {
    std::string s(sql.substr(0, sql.find('\n')));
    if (s.size() > 80) {
        s = s.substr(0, 77) + "...";
    }
    return s;
}

// The one translation of DuckDB errors into what the user does next.
Error translate(duckdb_error_type type, const std::string& message) {
    switch (type) {
    case DUCKDB_ERROR_PERMISSION:
        return Error::invalid("refused: " + message +
                              " (queries may read only the warehouse's tables; no files, no extensions)");
    case DUCKDB_ERROR_OUT_OF_MEMORY:
        return Error::fatal(message + " (raise --memory-limit, or narrow the query)");
    case DUCKDB_ERROR_IO:
        return Error::fatal(message);
    default:
        return Error::invalid(message);
    }
}


const char* const kReadOnlyRule = "queries are read-only; only SELECT (WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE) and "
                                  "EXPLAIN run";

// EXPLAIN [ANALYZE] of a single SELECT: the SELECT is what gets checked.
std::string statement_to_check(const std::string& text) {
    const size_t start = text.find_first_not_of(" \t\r\n");
    std::string head = start == std::string::npos ? "" : text.substr(start, 16);
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::toupper(c); });
    if (head.starts_with("EXPLAIN ANALYZE ")) {
        return text.substr(start + 16);
    }
    if (head.starts_with("EXPLAIN ")) {
        return text.substr(start + 8);
    }
    return text;
}

// The user's configuration of a new database; extensions are never fetched or loaded from
// disk (json, parquet and icu are built in).
Result<DuckConfig> session_config(const SessionOptions& options) {
    DuckConfig config;
    if (duckdb_create_config(config.out()) == DuckDBError) {
        return fail(Error::fatal("DuckDB: cannot create a configuration"));
    }
    duckdb_set_config(config.get(), "autoinstall_known_extensions", "false");
    duckdb_set_config(config.get(), "autoload_known_extensions", "false");
    duckdb_set_config(config.get(), "allow_community_extensions", "false");
    if (options.threads > 0) {
        duckdb_set_config(config.get(), "threads", std::to_string(options.threads).c_str());
    }
    if (!options.memory_limit.empty() &&
        duckdb_set_config(config.get(), "memory_limit", options.memory_limit.c_str()) == DuckDBError) {
        return fail(Error::invalid("--memory-limit '" + options.memory_limit + "' is not a size DuckDB reads "
                                   "(examples: 512MB, 4GB)"));
    }
    return config;
}

Status open_database(const SessionOptions& options, DuckSession& duck) {
    auto config = session_config(options);
    if (!config) {
        return fail(config.error());
    }
    duckdb_loader::DuckString open_error;
    if (duckdb_open_ext(nullptr, duck.db.out(), config->get(), open_error.out()) == DuckDBError) {
        return fail(Error::fatal("DuckDB did not open: " + open_error.str("unknown error")));
    }
    if (duckdb_connect(duck.db.get(), duck.con.out()) == DuckDBError) {
        return fail(Error::fatal("DuckDB: cannot connect"));
    }
    return {};
}

// An Iceberg table's files, each column found by its field id (name and type as the snapshot's
// schema says; absent from a file: NULL). No files: no rows, the same columns.
std::string field_id_reader(const TableBinding& t, const std::string& list) {
    if (t.files.empty()) {
        std::string cols;
        for (const auto& c : t.field_columns) {
            cols += (cols.empty() ? "" : ", ") + ("CAST(NULL AS " + c.type + ") AS " + quote_identifier(c.name));
        }
        return "(SELECT " + cols + " WHERE false)";
    }
    return "read_parquet(" + list + ", schema = " + t.field_id_schema + ", hive_partitioning = false)";
}

// The reader of one table's files; Hive key=value folders become columns, schema versions
// read together by name.
Result<std::string> table_reader(const TableBinding& t) {
    if (!t.select_sql.empty()) {
        return "(" + t.select_sql + ")";
    }
    std::string list = "[";
    for (size_t i = 0; i < t.files.size(); ++i) {
        list += (i ? ", " : "") + quote_literal(t.files[i]);
    }
    list += "]";
    if (!t.field_id_schema.empty()) {
        return field_id_reader(t, list);
    }
    if (t.format == "parquet") {
        return "read_parquet(" + list + ", hive_partitioning = true, union_by_name = true)";
    }
    if (t.format == "jsonl") {
        return "read_json(" + list + ", format = 'newline_delimited', hive_partitioning = true, union_by_name = true)";
    }
    if (t.format == "csv") {
        return "read_csv(" + list + ", header = true, hive_partitioning = true, union_by_name = true)";
    }
    return fail(Error::invalid("table " + t.database + "." + t.table + ": unknown format '" + t.format + "'"));
}

// Unqualified names resolve as in Athena with a database selected: DuckDB's main schema
// first (the function library lives there), then "default", then the others by name.
std::string search_path(const std::set<std::string>& schemas) {
    std::vector<std::string> order(schemas.begin(), schemas.end());
    std::stable_partition(order.begin(), order.end(), [](const std::string& n) { return n == "default"; });
    std::string path = "main";
    for (const auto& n : order) {
        path += "," + quote_identifier(n);
    }
    return path;
}

std::string allowed_directories_list(const std::vector<fs::path>& dirs) {
    std::string allowed = "[";
    for (size_t i = 0; i < dirs.size(); ++i) {
        std::string dir = fs::absolute(dirs[i]).lexically_normal().string();
        if (dir.empty() || dir.back() != '/') {
            dir += '/';
        }
        allowed += (i ? ", " : "") + quote_literal(dir);
    }
    return allowed + "]";
}

// Interrupts the connection's query on the timeout or once the process's read bytes pass the
// cutoff; stopped (and joined) by finish() or the destructor.
// @locality its own thread only polls and interrupts; reason() is read after finish().
class Watchdog {
public:
    enum class Reason { none, timeout, bytes };

    Watchdog(duckdb_connection con, const QueryLimits& limits) : limits_(limits), read_before_(process_read_bytes()) {
        if (limits.timeout.count() > 0 || limits.max_bytes_scanned > 0) {
            thread_ = std::thread([this, con] { watch(con); });
        }
    }
    ~Watchdog() { finish(); }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    //! Stops watching; returns the seconds since the start.
    double finish() {
        {
            std::lock_guard lock(mu_);
            done_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) {
            thread_.join();
        }
        return std::chrono::duration<double>(Clock::now() - t0_).count();
    }
    Reason reason() const { return reason_; }

private:
    void watch(duckdb_connection con) {
        std::unique_lock lock(mu_);
        while (!cv_.wait_for(lock, std::chrono::milliseconds(10), [&] { return done_; })) {
            if (limits_.timeout.count() > 0 && Clock::now() - t0_ >= limits_.timeout) {
                reason_ = Reason::timeout;
            } else if (limits_.max_bytes_scanned > 0 && process_read_bytes() - read_before_ > limits_.max_bytes_scanned) {
                reason_ = Reason::bytes;
            }
            if (reason_ != Reason::none) {
                duckdb_interrupt(con);
                return;
            }
        }
    }

    const QueryLimits limits_;
    const uint64_t read_before_;
    const Clock::time_point t0_ = Clock::now();
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
    Reason reason_ = Reason::none;
    std::thread thread_;
};

//! The statements of one run, each prepared and checked before any runs.
struct PreparedRun {
    DuckExtracted extracted;
    std::vector<DuckPrepared> statements;
    //! A single SELECT as SELECT COLUMNS(*)::VARCHAR FROM (...), when that prepared.
    DuckPrepared as_text;
};

//! A statement of run_prepared(), kept for the session's life, with its columns as written.
struct KeptStatement {
    PreparedRun run;
    std::vector<std::string> column_names;
    std::vector<std::string> column_types;
};

// Kept statements per session: a chart has a few shapes (bounds given or not, dates or
// times); past this many something asks unusual texts, and the oldest are dropped together.
constexpr size_t kMaxKeptStatements = 64;

// The text of one cell (nullopt for NULL).
std::optional<std::string> cell_text(duckdb_result& r, idx_t column, idx_t row) {
    if (duckdb_value_is_null(&r, column, row)) {
        return std::nullopt;
    }
    return duckdb_loader::DuckString(duckdb_value_varchar(&r, column, row)).str();
}

void cells_of(duckdb_result& r, QueryResult& out) {
    const idx_t columns = duckdb_column_count(&r);
    const idx_t rows = duckdb_row_count(&r);
    out.rows.reserve(rows);
    for (idx_t row = 0; row < rows; ++row) {
        std::vector<std::optional<std::string>> cells;
        cells.reserve(columns);
        for (idx_t c = 0; c < columns; ++c) {
            cells.push_back(cell_text(r, c, row));
        }
        out.rows.push_back(std::move(cells));
    }
}

// Runs `query` with `sql` as its one parameter, for exactly one row of answer about it.
Status ask_about_sql(duckdb_connection con, const char* query, std::string_view sql, DuckResult& r,
                     const char* cannot_prepare, const char* failed) {
    DuckPrepared stmt;
    if (duckdb_prepare(con, query, stmt.out()) == DuckDBError) {
        return fail(Error::fatal(cannot_prepare));
    }
    duckdb_bind_varchar_length(stmt.get(), 1, sql.data(), sql.size());
    if (duckdb_execute_prepared(stmt.get(), r.out()) != DuckDBSuccess || duckdb_row_count(&r.result) != 1) {
        return fail(Error::fatal(failed));
    }
    return {};
}

Status limit_status(Watchdog::Reason reason, const QueryLimits& limits, const Status& status, const QueryStats& stats) {
    if (reason == Watchdog::Reason::timeout) {
        return fail(Error::retry("query cancelled after " + std::to_string(limits.timeout.count() / 1000.0).substr(0, 5) +
                                 " s: it ran past --timeout"));
    }
    if (reason == Watchdog::Reason::none && status && limits.max_bytes_scanned > 0 &&
        stats.bytes_scanned > limits.max_bytes_scanned) {
        reason = Watchdog::Reason::bytes; // finished before the watchdog looked: the limit holds all the same
    }
    if (reason == Watchdog::Reason::bytes) {
        return fail(Error::retry("query cancelled: it read more than --max-bytes-scanned " +
                                 std::to_string(limits.max_bytes_scanned) +
                                 " bytes (filter on partition columns such as dt to read less)"));
    }
    return status;
}

} // namespace

Result<std::string> parse_tree_json(std::string_view sql) {
    if (auto loaded = duckdb_loader::ensure_loaded(); !loaded) {
        return fail(loaded.error());
    }
    DuckSession duck;
    if (!open_in_memory(duck)) {
        return fail(Error::fatal("DuckDB did not open"));
    }
    DuckResult r;
    if (auto st = ask_about_sql(duck.con.get(), "SELECT json_serialize_sql($1::VARCHAR)", sql, r,
                                "cannot prepare json_serialize_sql", "json_serialize_sql failed");
        !st) {
        return fail(st.error());
    }
    std::string out = cell_text(r.result, 0, 0).value_or("");
    return out;
}

Status check_statement_kind(int type, std::string_view sql) {
    if (type == DUCKDB_STATEMENT_TYPE_SELECT || type == DUCKDB_STATEMENT_TYPE_EXPLAIN) {
        return {};
    }
    return fail(Error::invalid(std::string("refused: ") + statement_kind_name(type) + " (`" + first_line(sql) +
                               "`): " + kReadOnlyRule));
}

struct QuerySession::Impl {
    DuckSession duck;

    duckdb_connection con() const { return duck.con.get(); }

    //! Parse-only check, before anything is bound: binding some statements already acts
    //! (EXPORT DATABASE creates its folder while being prepared). DuckDB serialises only
    //! SELECT statements to JSON, so a failure to serialise means "not a SELECT".
    Status check_parse(const std::string& sql) {
        const char* q = "SELECT json_extract_string(j, '$.error'), json_extract_string(j, '$.error_message') "
                        "FROM (SELECT json_serialize_sql($1::VARCHAR) AS j)";
        DuckResult r;
        if (auto st = ask_about_sql(con(), q, sql, r, "cannot prepare the statement check",
                                    "the statement check failed to run");
            !st) {
            return st;
        }
        const bool failed = cell_text(r.result, 0, 0) == "true";
        const std::string msg = cell_text(r.result, 1, 0).value_or("");
        if (!failed) {
            return {};
        }
        if (msg.find("Only SELECT statements") != std::string::npos) {
            return fail(Error::invalid("refused: `" + first_line(sql) + "`: " + kReadOnlyRule));
        }
        return fail(Error::invalid(msg));
    }

    //! Runs trusted SQL of ours (setup, bookkeeping); no statement check.
    Status exec(const std::string& sql) {
        DuckResult r;
        if (duckdb_query(con(), sql.c_str(), r.out()) == DuckDBError) {
            return fail(translate(duckdb_result_error_type(&r.result), duckdb_result_error(&r.result)));
        }
        return {};
    }

    Status prepare_session(const SessionOptions& options);
    Status bind_tables(const std::vector<TableBinding>& tables, std::vector<std::string>& names);
    Status lock_guardrails(const SessionOptions& options);
    Status prepare_run(const std::string& text, PreparedRun& run);
    void prepare_as_text(const std::string& text, PreparedRun& run, QueryResult& out);
    Status execute(PreparedRun& run, QueryResult& out);
    void read_scan_stats(QueryStats& stats);
    Result<QueryResult> run_watched(PreparedRun& run, QueryResult out, const QueryLimits& limits);

    std::map<std::string, std::unique_ptr<KeptStatement>> kept; //!< run_prepared()'s, by SQL text
};

// Before any table: UTC, the function library, and the file log the statistics come from.
Status QuerySession::Impl::prepare_session(const SessionOptions& options) {
    // Timestamps are UTC everywhere in the lake; the function library assumes it too.
    if (auto st = exec("SET TimeZone = 'UTC'"); !st) {
        return st;
    }
    for (const auto& sql : options.setup_sql) {
        if (auto st = exec(sql); !st) {
            return fail(Error::fatal("loading the function library failed: " + st.error().message));
        }
    }
    // Every file read is logged (path, bytes): the source of "files read" and "bytes scanned".
    return exec("CALL enable_logging('FileSystem')");
}

Status QuerySession::Impl::bind_tables(const std::vector<TableBinding>& tables, std::vector<std::string>& names) {
    std::set<std::string> schemas;
    for (const auto& t : tables) {
        if (t.files.empty() && t.field_columns.empty() && t.select_sql.empty()) {
            continue;
        }
        auto reader = table_reader(t);
        if (!reader) {
            return fail(reader.error());
        }
        if (schemas.insert(t.database).second) {
            if (auto st = exec("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(t.database)); !st) {
                return st;
            }
        }
        // A view binds at query time: only the files a query needs after Hive partition
        // pruning are opened, and new schema versions are read together (union_by_name).
        if (auto st = exec("CREATE OR REPLACE VIEW " + quote_identifier(t.database) + "." + quote_identifier(t.table) +
                           " AS SELECT * FROM " + *reader);
            !st) {
            return st;
        }
        names.push_back(t.database + "." + t.table);
    }
    std::sort(names.begin(), names.end());
    if (!schemas.empty()) {
        if (auto st = exec("SET search_path = " + quote_literal(search_path(schemas))); !st) {
            return fail(Error::fatal("cannot set the schema search path: " + st.error().message));
        }
    }
    // Creating the views read file footers: not part of any query's statistics.
    return exec("CALL truncate_duckdb_logs()");
}

// The guardrails, last, then locked: user SQL can neither read nor write outside these
// folders, nor turn any of it back on.
Status QuerySession::Impl::lock_guardrails(const SessionOptions& options) {
    for (const std::string& sql : {"SET allowed_directories = " + allowed_directories_list(options.allowed_directories),
                                  std::string("SET enable_external_access = false"),
                                  std::string("SET lock_configuration = true")}) {
        if (auto st = exec(sql); !st) {
            return fail(Error::fatal("cannot set the query guardrails (" + sql + "): " + st.error().message));
        }
    }
    return {};
}

Result<std::unique_ptr<QuerySession>> QuerySession::open(const SessionOptions& options,
                                                         const std::vector<TableBinding>& tables) {
    std::unique_ptr<QuerySession> session(new QuerySession());
    session->impl_ = std::make_unique<Impl>();
    Impl& s = *session->impl_;
    if (auto loaded = duckdb_loader::ensure_loaded(); !loaded) {
        return fail(loaded.error());
    }
    if (auto st = open_database(options, s.duck); !st) {
        return fail(st.error());
    }
    if (auto st = s.prepare_session(options); !st) {
        return fail(st.error());
    }
    if (auto st = s.bind_tables(tables, session->table_names_); !st) {
        return fail(st.error());
    }
    if (auto st = s.lock_guardrails(options); !st) {
        return fail(st.error());
    }
    return session;
}

QuerySession::~QuerySession() = default;

// Every statement is prepared and its kind checked before any runs.
Status QuerySession::Impl::prepare_run(const std::string& text, PreparedRun& run) {
    const idx_t count = duckdb_extract_statements(con(), text.c_str(), &run.extracted.statements);
    if (count == 0) {
        const char* err = duckdb_extract_statements_error(run.extracted.statements);
        return fail(Error::invalid(err != nullptr && *err != '\0' ? err : "no SQL statement given"));
    }
    run.statements.resize(count);
    for (idx_t i = 0; i < count; ++i) {
        DuckPrepared& p = run.statements[i];
        if (duckdb_prepare_extracted_statement(con(), run.extracted.statements, i, p.out()) == DuckDBError) {
            const char* err = duckdb_prepare_error(p.get());
            std::string msg = err != nullptr ? err : "cannot prepare the statement";
            if (msg.find("Permission Error") != std::string::npos) {
                return fail(translate(DUCKDB_ERROR_PERMISSION, msg));
            }
            return fail(Error::invalid(msg));
        }
        if (auto st = check_statement_kind(duckdb_prepared_statement_type(p.get()), text); !st) {
            return st;
        }
    }
    return {};
}

// A single SELECT runs as SELECT COLUMNS(*)::VARCHAR FROM (...): the C API prints TIMESTAMP
// WITH TIME ZONE, LIST, MAP and STRUCT values only once DuckDB cast them to text itself.
// Names and types come from the statement as written.
void QuerySession::Impl::prepare_as_text(const std::string& text, PreparedRun& run, QueryResult& out) {
    if (run.statements.size() != 1 || duckdb_prepared_statement_type(run.statements[0].get()) != DUCKDB_STATEMENT_TYPE_SELECT) {
        return;
    }
    duckdb_prepared_statement original = run.statements[0].get();
    std::string body = text;
    while (!body.empty() && (body.back() == ';' || std::isspace(static_cast<unsigned char>(body.back())))) {
        body.pop_back();
    }
    const std::string wrapped = "SELECT COLUMNS(*)::VARCHAR FROM (\n" + body + "\n)";
    if (duckdb_prepare(con(), wrapped.c_str(), run.as_text.out()) == DuckDBSuccess &&
        duckdb_prepared_statement_column_count(run.as_text.get()) == duckdb_prepared_statement_column_count(original)) {
        for (idx_t c = 0; c < duckdb_prepared_statement_column_count(original); ++c) {
            out.column_names.push_back(
                duckdb_loader::DuckString(duckdb_prepared_statement_column_name(original, c)).str());
            out.column_types.push_back(type_name(duckdb_prepared_statement_column_type(original, c)));
        }
    } else {
        run.as_text.reset(); // e.g. a trailing comment swallowed the ')': run it as written
    }
}

// Runs the statements in order; the result is the last one's.
Status QuerySession::Impl::execute(PreparedRun& run, QueryResult& out) {
    const size_t count = run.statements.size();
    for (size_t i = 0; i < count; ++i) {
        const bool last = i + 1 == count;
        const bool as_text = last && run.as_text.get() != nullptr;
        DuckResult r;
        if (duckdb_execute_prepared(as_text ? run.as_text.get() : run.statements[i].get(), r.out()) == DuckDBError) {
            return fail(translate(duckdb_result_error_type(&r.result), duckdb_result_error(&r.result)));
        }
        if (!last) {
            continue;
        }
        if (!as_text) {
            for (idx_t c = 0; c < duckdb_column_count(&r.result); ++c) {
                out.column_names.emplace_back(duckdb_column_name(&r.result, c));
                out.column_types.push_back(type_name(duckdb_column_type(&r.result, c)));
            }
        }
        cells_of(r.result, out);
    }
    return {};
}

// What DuckDB read, from its file-system log; then the log is emptied for the next query.
void QuerySession::Impl::read_scan_stats(QueryStats& stats) {
    {
        DuckResult r;
        const char* stats_sql =
            "SELECT count(DISTINCT path), coalesce(sum(bytes), 0)::UBIGINT FROM ("
            // The log's own table, not the duckdb_logs view: the view joins every entry to its
            // context, which took a third of a chart request's statistics.
            "SELECT json_extract_string(message, '$.path') AS path, json_extract_string(message, '$.op') AS op, "
            "TRY_CAST(json_extract_string(message, '$.bytes') AS UBIGINT) AS bytes "
            "FROM duckdb_logs(denormalized_table = false) WHERE type = 'FileSystem') WHERE op = 'READ'";
        if (duckdb_query(con(), stats_sql, r.out()) == DuckDBSuccess && duckdb_row_count(&r.result) == 1) {
            stats.files_read = duckdb_value_uint64(&r.result, 0, 0);
            stats.bytes_scanned = duckdb_value_uint64(&r.result, 1, 0);
        }
    }
    (void)exec("CALL truncate_duckdb_logs()");
}

Result<QueryResult> QuerySession::run(std::string_view sql, const QueryLimits& limits) {
    Impl& s = *impl_;
    const std::string text(sql);
    const std::string checked = statement_to_check(text);
    if (checked.find_first_not_of(" \t\r\n;") == std::string::npos) {
        return fail(Error::invalid("no SQL statement given"));
    }
    if (auto st = s.check_parse(checked); !st) {
        return fail(st.error());
    }
    PreparedRun prepared;
    if (auto st = s.prepare_run(text, prepared); !st) {
        return fail(st.error());
    }
    QueryResult out;
    s.prepare_as_text(text, prepared, out);
    return s.run_watched(prepared, std::move(out), limits);
}

Result<QueryResult> QuerySession::Impl::run_watched(PreparedRun& run, QueryResult out, const QueryLimits& limits) {
    Watchdog watchdog(con(), limits);
    const Status status = execute(run, out);
    out.stats.elapsed_s = watchdog.finish();
    read_scan_stats(out.stats);
    if (auto st = limit_status(watchdog.reason(), limits, status, out.stats); !st) {
        return fail(st.error());
    }
    return out;
}

Result<QueryResult> QuerySession::run_prepared(std::string_view sql, const std::vector<std::string>& params,
                                               const QueryLimits& limits) {
    Impl& s = *impl_;
    const std::string text(sql);
    auto it = s.kept.find(text);
    if (it == s.kept.end()) {
        // The same checks as run(), once per text.
        if (auto st = s.check_parse(statement_to_check(text)); !st) {
            return fail(st.error());
        }
        auto kept = std::make_unique<KeptStatement>();
        if (auto st = s.prepare_run(text, kept->run); !st) {
            return fail(st.error());
        }
        if (kept->run.statements.size() != 1) {
            return fail(Error::invalid("run_prepared takes one statement, not " +
                                       std::to_string(kept->run.statements.size())));
        }
        QueryResult shape;
        s.prepare_as_text(text, kept->run, shape);
        kept->column_names = std::move(shape.column_names);
        kept->column_types = std::move(shape.column_types);
        if (s.kept.size() >= kMaxKeptStatements) {
            s.kept.clear();
        }
        it = s.kept.emplace(text, std::move(kept)).first;
    }
    KeptStatement& kept = *it->second;
    duckdb_prepared_statement stmt = kept.run.as_text.get() != nullptr ? kept.run.as_text.get()
                                                                        : kept.run.statements[0].get();
    for (size_t i = 0; i < params.size(); ++i) {
        if (duckdb_bind_varchar_length(stmt, i + 1, params[i].data(), params[i].size()) == DuckDBError) {
            return fail(Error::invalid("cannot bind parameter $" + std::to_string(i + 1) + " of `" + first_line(text) + "`"));
        }
    }
    QueryResult out;
    out.column_names = kept.column_names; // empty without as_text: execute() names them
    out.column_types = kept.column_types;
    return s.run_watched(kept.run, std::move(out), limits);
}

} // namespace ticklake::query
