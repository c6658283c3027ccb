#include "query/query_session.h"

#include "query/result_format.h"

#include <algorithm>
#include <cctype>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <duckdb.h>

#include "duckdb_loader/duckdb_loader.h"

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

struct ResultGuard {
    duckdb_result result{};
    bool set = false;
    ~ResultGuard() {
        if (set) {
            duckdb_destroy_result(&result);
        }
    }
};

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

std::string duckdb_type_for_csv(const std::string& t) {
    if (t == "LIST" || t == "STRUCT" || t == "MAP" || t == "ARRAY" || t == "OTHER" || t == "ENUM" || t == "UUID" ||
        t == "BLOB") {
        return "VARCHAR";
    }
    if (t == "DECIMAL") {
        return "DOUBLE";
    }
    return t;
}

} // namespace

Status write_result_parquet(const QueryResult& r, const fs::path& out) {
    const fs::path csv = fs::path(out).concat(".csv.tmp");
    std::ofstream(csv) << render(r, ResultFormat::csv);
    std::string columns = "{";
    for (size_t c = 0; c < r.column_names.size(); ++c) {
        columns += (c ? ", " : "") + quote_literal(r.column_names[c]) + ": " +
                   quote_literal(duckdb_type_for_csv(r.column_types[c]));
    }
    columns += "}";
    const std::string sql = "COPY (SELECT * FROM read_csv(" + quote_literal(csv.string()) +
                            ", header = true, columns = " + columns + ")) TO " + quote_literal(out.string()) +
                            " (FORMAT parquet, COMPRESSION zstd)";
    duckdb_database db = nullptr;
    duckdb_connection con = nullptr;
    Status st;
    duckdb_result res;
    if (duckdb_open(nullptr, &db) == DuckDBError || duckdb_connect(db, &con) == DuckDBError) {
        st = fail(Error::fatal("DuckDB did not open to write Parquet"));
    } else if (duckdb_query(con, sql.c_str(), &res) == DuckDBError) {
        st = fail(Error::fatal(std::string("writing Parquet failed: ") + duckdb_result_error(&res)));
        duckdb_destroy_result(&res);
    } else {
        duckdb_destroy_result(&res);
    }
    if (con != nullptr) {
        duckdb_disconnect(&con);
    }
    if (db != nullptr) {
        duckdb_close(&db);
    }
    std::error_code ec;
    fs::remove(csv, ec);
    return st;
}


Result<std::string> parse_tree_json(std::string_view sql) {
    if (auto loaded = duckdb_loader::ensure_loaded(); !loaded) {
        return fail(loaded.error());
    }
    duckdb_database db = nullptr;
    duckdb_connection con = nullptr;
    if (duckdb_open(nullptr, &db) == DuckDBError || duckdb_connect(db, &con) == DuckDBError) {
        if (db != nullptr) {
            duckdb_close(&db);
        }
        return fail(Error::fatal("DuckDB did not open"));
    }
    std::string out;
    Status st;
    duckdb_prepared_statement stmt = nullptr;
    if (duckdb_prepare(con, "SELECT json_serialize_sql($1::VARCHAR)", &stmt) == DuckDBSuccess) {
        duckdb_bind_varchar_length(stmt, 1, sql.data(), sql.size());
        duckdb_result r;
        if (duckdb_execute_prepared(stmt, &r) == DuckDBSuccess && duckdb_row_count(&r) == 1) {
            char* v = duckdb_value_varchar(&r, 0, 0);
            out = v != nullptr ? v : "";
            duckdb_free(v);
        } else {
            st = fail(Error::fatal("json_serialize_sql failed"));
        }
        duckdb_destroy_result(&r);
    } else {
        st = fail(Error::fatal("cannot prepare json_serialize_sql"));
    }
    duckdb_destroy_prepare(&stmt);
    duckdb_disconnect(&con);
    duckdb_close(&db);
    if (!st) {
        return fail(st.error());
    }
    return out;
}

Status check_statement_kind(int type, std::string_view sql) {
    if (type == DUCKDB_STATEMENT_TYPE_SELECT || type == DUCKDB_STATEMENT_TYPE_EXPLAIN) {
        return {};
    }
    return fail(Error::invalid(std::string("refused: ") + statement_kind_name(type) + " (`" + first_line(sql) +
                               "`): queries are read-only; only SELECT (WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE) "
                               "and EXPLAIN run"));
}

struct QuerySession::Impl {
    duckdb_database db = nullptr;
    duckdb_connection con = nullptr;
    ~Impl() {
        if (con != nullptr) {
            duckdb_disconnect(&con);
        }
        if (db != nullptr) {
            duckdb_close(&db);
        }
    }

    //! Parse-only check, before anything is bound: binding some statements already acts
    //! (EXPORT DATABASE creates its folder while being prepared). DuckDB serialises only
    //! SELECT statements to JSON, so a failure to serialise means "not a SELECT".
    Status check_parse(const std::string& sql) {
        duckdb_prepared_statement stmt = nullptr;
        const char* q = "SELECT json_extract_string(j, '$.error'), json_extract_string(j, '$.error_message') "
                        "FROM (SELECT json_serialize_sql($1::VARCHAR) AS j)";
        if (duckdb_prepare(con, q, &stmt) == DuckDBError) {
            duckdb_destroy_prepare(&stmt);
            return fail(Error::fatal("cannot prepare the statement check"));
        }
        duckdb_bind_varchar_length(stmt, 1, sql.data(), sql.size());
        ResultGuard r;
        r.set = true;
        const bool ran = duckdb_execute_prepared(stmt, &r.result) == DuckDBSuccess;
        duckdb_destroy_prepare(&stmt);
        if (!ran || duckdb_row_count(&r.result) != 1) {
            return fail(Error::fatal("the statement check failed to run"));
        }
        char* error = duckdb_value_varchar(&r.result, 0, 0);
        char* message = duckdb_value_varchar(&r.result, 1, 0);
        const bool failed = error != nullptr && std::string_view(error) == "true";
        std::string msg = message != nullptr ? message : "";
        duckdb_free(error);
        duckdb_free(message);
        if (!failed) {
            return {};
        }
        if (msg.find("Only SELECT statements") != std::string::npos) {
            return fail(Error::invalid("refused: `" + first_line(sql) +
                                       "`: queries are read-only; only SELECT (WITH, VALUES, DESCRIBE, SHOW, "
                                       "SUMMARIZE) and EXPLAIN run"));
        }
        return fail(Error::invalid(msg));
    }

    //! Runs trusted SQL of ours (setup, bookkeeping); no statement check.
    Status exec(const std::string& sql) {
        ResultGuard r;
        r.set = true;
        if (duckdb_query(con, sql.c_str(), &r.result) == DuckDBError) {
            return fail(translate(duckdb_result_error_type(&r.result), duckdb_result_error(&r.result)));
        }
        return {};
    }
};

Result<std::unique_ptr<QuerySession>> QuerySession::open(const SessionOptions& options,
                                                         const std::vector<TableBinding>& tables) {
    std::unique_ptr<QuerySession> session(new QuerySession());
    session->impl_ = std::make_unique<Impl>();
    Impl& s = *session->impl_;

    if (auto loaded = duckdb_loader::ensure_loaded(); !loaded) {
        return fail(loaded.error());
    }
    duckdb_config config = nullptr;
    if (duckdb_create_config(&config) == DuckDBError) {
        return fail(Error::fatal("DuckDB: cannot create a configuration"));
    }
    // No extension is ever fetched or loaded from disk: json, parquet and icu are built in.
    duckdb_set_config(config, "autoinstall_known_extensions", "false");
    duckdb_set_config(config, "autoload_known_extensions", "false");
    duckdb_set_config(config, "allow_community_extensions", "false");
    if (options.threads > 0) {
        duckdb_set_config(config, "threads", std::to_string(options.threads).c_str());
    }
    if (!options.memory_limit.empty() &&
        duckdb_set_config(config, "memory_limit", options.memory_limit.c_str()) == DuckDBError) {
        duckdb_destroy_config(&config);
        return fail(Error::invalid("--memory-limit '" + options.memory_limit + "' is not a size DuckDB reads "
                                   "(examples: 512MB, 4GB)"));
    }
    char* open_error = nullptr;
    const auto opened = duckdb_open_ext(nullptr, &s.db, config, &open_error);
    duckdb_destroy_config(&config);
    if (opened == DuckDBError) {
        std::string msg = open_error != nullptr ? open_error : "unknown error";
        duckdb_free(open_error);
        return fail(Error::fatal("DuckDB did not open: " + msg));
    }
    if (duckdb_connect(s.db, &s.con) == DuckDBError) {
        return fail(Error::fatal("DuckDB: cannot connect"));
    }
    // Timestamps are UTC everywhere in the lake; the function library assumes it too.
    if (auto st = s.exec("SET TimeZone = 'UTC'"); !st) {
        return fail(st.error());
    }
    for (const auto& sql : options.setup_sql) {
        if (auto st = s.exec(sql); !st) {
            return fail(Error::fatal("loading the function library failed: " + st.error().message));
        }
    }
    // Every file read is logged (path, bytes): the source of "files read" and "bytes scanned".
    if (auto st = s.exec("CALL enable_logging('FileSystem')"); !st) {
        return fail(st.error());
    }

    std::set<std::string> schemas;
    for (const auto& t : tables) {
        if (t.files.empty()) {
            continue;
        }
        std::string list = "[";
        for (size_t i = 0; i < t.files.size(); ++i) {
            if (i) {
                list += ", ";
            }
            list += quote_literal(t.files[i]);
        }
        list += "]";
        std::string reader;
        if (t.format == "parquet") {
            reader = "read_parquet(" + list + ", hive_partitioning = true, union_by_name = true)";
        } else if (t.format == "jsonl") {
            reader = "read_json(" + list +
                     ", format = 'newline_delimited', hive_partitioning = true, union_by_name = true)";
        } else if (t.format == "csv") {
            reader = "read_csv(" + list + ", header = true, hive_partitioning = true, union_by_name = true)";
        } else {
            return fail(Error::invalid("table " + t.database + "." + t.table + ": unknown format '" + t.format + "'"));
        }
        if (schemas.insert(t.database).second) {
            if (auto st = s.exec("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(t.database)); !st) {
                return fail(st.error());
            }
        }
        // A view binds at query time: only the files a query needs after Hive partition
        // pruning are opened, and new schema versions are read together (union_by_name).
        if (auto st = s.exec("CREATE OR REPLACE VIEW " + quote_identifier(t.database) + "." + quote_identifier(t.table) +
                             " AS SELECT * FROM " + reader);
            !st) {
            return fail(st.error());
        }
        session->table_names_.push_back(t.database + "." + t.table);
    }
    std::sort(session->table_names_.begin(), session->table_names_.end());
    // Unqualified names resolve as in Athena with a database selected: DuckDB's main schema
    // first (the function library lives there), then "default", then the others by name.
    if (!schemas.empty()) {
        std::vector<std::string> order(schemas.begin(), schemas.end());
        std::stable_partition(order.begin(), order.end(), [](const std::string& n) { return n == "default"; });
        std::string path = "main";
        for (const auto& n : order) {
            path += "," + quote_identifier(n);
        }
        if (auto st = s.exec("SET search_path = " + quote_literal(path)); !st) {
            return fail(Error::fatal("cannot set the schema search path: " + st.error().message));
        }
    }
    // Creating the views read file footers: not part of any query's statistics.
    if (auto st = s.exec("CALL truncate_duckdb_logs()"); !st) {
        return fail(st.error());
    }

    // The guardrails, last, then locked: user SQL can neither read nor write outside these
    // folders, nor turn any of it back on.
    std::string allowed = "[";
    for (size_t i = 0; i < options.allowed_directories.size(); ++i) {
        std::string dir = fs::absolute(options.allowed_directories[i]).lexically_normal().string();
        if (dir.empty() || dir.back() != '/') {
            dir += '/';
        }
        if (i) {
            allowed += ", ";
        }
        allowed += quote_literal(dir);
    }
    allowed += "]";
    for (const std::string& sql : {"SET allowed_directories = " + allowed, std::string("SET enable_external_access = false"),
                                  std::string("SET lock_configuration = true")}) {
        if (auto st = s.exec(sql); !st) {
            return fail(Error::fatal("cannot set the query guardrails (" + sql + "): " + st.error().message));
        }
    }
    return session;
}

QuerySession::~QuerySession() = default;

Result<QueryResult> QuerySession::run(std::string_view sql, const QueryLimits& limits) {
    Impl& s = *impl_;
    const std::string text(sql);
    // EXPLAIN [ANALYZE] of a single SELECT: check the SELECT.
    std::string checked = text;
    {
        const size_t start = checked.find_first_not_of(" \t\r\n");
        std::string head = start == std::string::npos ? "" : checked.substr(start, 16);
        std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::toupper(c); });
        if (head.starts_with("EXPLAIN ANALYZE ")) {
            checked = checked.substr(start + 16);
        } else if (head.starts_with("EXPLAIN ")) {
            checked = checked.substr(start + 8);
        }
    }
    if (checked.find_first_not_of(" \t\r\n;") == std::string::npos) {
        return fail(Error::invalid("no SQL statement given"));
    }
    if (auto st = s.check_parse(checked); !st) {
        return fail(st.error());
    }
    duckdb_extracted_statements statements = nullptr;
    const idx_t count = duckdb_extract_statements(s.con, text.c_str(), &statements);
    struct ExtractedGuard {
        duckdb_extracted_statements* p;
        ~ExtractedGuard() { duckdb_destroy_extracted(p); }
    } extracted_guard{&statements};
    if (count == 0) {
        const char* err = duckdb_extract_statements_error(statements);
        return fail(Error::invalid(err != nullptr && *err != '\0' ? err : "no SQL statement given"));
    }
    std::vector<duckdb_prepared_statement> prepared(count, nullptr);
    struct PreparedGuard {
        std::vector<duckdb_prepared_statement>* v;
        ~PreparedGuard() {
            for (auto& p : *v) {
                if (p != nullptr) {
                    duckdb_destroy_prepare(&p);
                }
            }
        }
    } prepared_guard{&prepared};
    // Every statement is checked before any runs.
    for (idx_t i = 0; i < count; ++i) {
        if (duckdb_prepare_extracted_statement(s.con, statements, i, &prepared[i]) == DuckDBError) {
            const char* err = duckdb_prepare_error(prepared[i]);
            std::string msg = err != nullptr ? err : "cannot prepare the statement";
            if (msg.find("Permission Error") != std::string::npos) {
                return fail(translate(DUCKDB_ERROR_PERMISSION, msg));
            }
            return fail(Error::invalid(msg));
        }
        if (auto st = check_statement_kind(duckdb_prepared_statement_type(prepared[i]), text); !st) {
            return fail(st.error());
        }
    }

    // Watchdog: interrupts on the timeout or once the bytes read pass the cutoff.
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    enum class Reason { none, timeout, bytes } reason = Reason::none;
    const uint64_t read_before = process_read_bytes();
    const auto t0 = Clock::now();
    std::thread watchdog;
    if (limits.timeout.count() > 0 || limits.max_bytes_scanned > 0) {
        watchdog = std::thread([&] {
            std::unique_lock lock(mu);
            while (!cv.wait_for(lock, std::chrono::milliseconds(10), [&] { return done; })) {
                if (limits.timeout.count() > 0 && Clock::now() - t0 >= limits.timeout) {
                    reason = Reason::timeout;
                } else if (limits.max_bytes_scanned > 0 &&
                           process_read_bytes() - read_before > limits.max_bytes_scanned) {
                    reason = Reason::bytes;
                }
                if (reason != Reason::none) {
                    duckdb_interrupt(s.con);
                    return;
                }
            }
        });
    }
    // A single SELECT runs as SELECT COLUMNS(*)::VARCHAR FROM (...): the C API prints TIMESTAMP
    // WITH TIME ZONE, LIST, MAP and STRUCT values only once DuckDB cast them to text itself.
    // Names and types come from the statement as written.
    QueryResult out;
    duckdb_prepared_statement as_text = nullptr;
    struct AsTextGuard {
        duckdb_prepared_statement* p;
        ~AsTextGuard() {
            if (*p != nullptr) {
                duckdb_destroy_prepare(p);
            }
        }
    } as_text_guard{&as_text};
    if (count == 1 && duckdb_prepared_statement_type(prepared[0]) == DUCKDB_STATEMENT_TYPE_SELECT) {
        std::string body = text;
        while (!body.empty() && (body.back() == ';' || std::isspace(static_cast<unsigned char>(body.back())))) {
            body.pop_back();
        }
        const std::string wrapped = "SELECT COLUMNS(*)::VARCHAR FROM (\n" + body + "\n)";
        if (duckdb_prepare(s.con, wrapped.c_str(), &as_text) == DuckDBSuccess &&
            duckdb_prepared_statement_column_count(as_text) == duckdb_prepared_statement_column_count(prepared[0])) {
            for (idx_t c = 0; c < duckdb_prepared_statement_column_count(prepared[0]); ++c) {
                out.column_names.emplace_back(duckdb_prepared_statement_column_name(prepared[0], c));
                out.column_types.push_back(type_name(duckdb_prepared_statement_column_type(prepared[0], c)));
            }
        } else if (as_text != nullptr) {
            duckdb_destroy_prepare(&as_text); // e.g. a trailing comment swallowed the ')': run it as written
            as_text = nullptr;
        }
    }
    Status status;
    for (idx_t i = 0; i < count && status; ++i) {
        ResultGuard r;
        r.set = true;
        duckdb_prepared_statement run_this = (as_text != nullptr && i + 1 == count) ? as_text : prepared[i];
        if (duckdb_execute_prepared(run_this, &r.result) == DuckDBError) {
            const auto type = duckdb_result_error_type(&r.result);
            std::string msg = duckdb_result_error(&r.result);
            status = fail(translate(type, msg));
            continue;
        }
        if (i + 1 < count) {
            continue;
        }
        const idx_t columns = duckdb_column_count(&r.result);
        if (run_this != as_text) {
            for (idx_t c = 0; c < columns; ++c) {
                out.column_names.emplace_back(duckdb_column_name(&r.result, c));
                out.column_types.push_back(type_name(duckdb_column_type(&r.result, c)));
            }
        }
        const idx_t rows = duckdb_row_count(&r.result);
        out.rows.reserve(rows);
        for (idx_t row = 0; row < rows; ++row) {
            std::vector<std::optional<std::string>> cells;
            cells.reserve(columns);
            for (idx_t c = 0; c < columns; ++c) {
                if (duckdb_value_is_null(&r.result, c, row)) {
                    cells.emplace_back(std::nullopt);
                } else {
                    char* v = duckdb_value_varchar(&r.result, c, row);
                    cells.emplace_back(v != nullptr ? std::string(v) : std::string());
                    duckdb_free(v);
                }
            }
            out.rows.push_back(std::move(cells));
        }
    }
    {
        std::lock_guard lock(mu);
        done = true;
    }
    cv.notify_all();
    if (watchdog.joinable()) {
        watchdog.join();
    }
    out.stats.elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();

    // What DuckDB read, from its file-system log; then the log is emptied for the next query.
    {
        ResultGuard r;
        r.set = true;
        const char* stats_sql =
            "SELECT count(DISTINCT path), coalesce(sum(bytes), 0)::UBIGINT FROM ("
            "SELECT json_extract_string(message, '$.path') AS path, json_extract_string(message, '$.op') AS op, "
            "TRY_CAST(json_extract_string(message, '$.bytes') AS UBIGINT) AS bytes "
            "FROM duckdb_logs WHERE type = 'FileSystem') WHERE op = 'READ'";
        if (duckdb_query(s.con, stats_sql, &r.result) == DuckDBSuccess && duckdb_row_count(&r.result) == 1) {
            out.stats.files_read = duckdb_value_uint64(&r.result, 0, 0);
            out.stats.bytes_scanned = duckdb_value_uint64(&r.result, 1, 0);
        }
        (void)s.exec("CALL truncate_duckdb_logs()");
    }
    if (reason == Reason::timeout) {
        return fail(Error::retry("query cancelled after " + std::to_string(limits.timeout.count() / 1000.0).substr(0, 5) +
                                 " s: it ran past --timeout"));
    }
    if (reason == Reason::none && status && limits.max_bytes_scanned > 0 &&
        out.stats.bytes_scanned > limits.max_bytes_scanned) {
        reason = Reason::bytes; // finished before the watchdog looked: the limit holds all the same
    }
    if (reason == Reason::bytes) {
        return fail(Error::retry("query cancelled: it read more than --max-bytes-scanned " +
                                 std::to_string(limits.max_bytes_scanned) +
                                 " bytes (filter on partition columns such as dt to read less)"));
    }
    if (!status) {
        return fail(status.error());
    }
    return out;
}

} // namespace ticklake::query
