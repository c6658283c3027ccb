// One embedded DuckDB session for `ticklake query` / `ticklake sql`: the warehouse's tables
// bound as read-only views, the function library loaded, and the guardrails Athena users
// expect (read-only, no file access outside the warehouse, no extension downloads, a scan
// cutoff, a timeout). query_session.cc and result_writer.cc are the only code of the stage that
// calls DuckDB's C API (through duckdb_handles.h); its errors are translated here.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/sql_quote.h"
#include "query/s3_scan.h"

namespace ticklake::query {

struct SessionOptions {
    //! Folders DuckDB may read (the local warehouse, the S3 read-through cache); nothing else.
    std::vector<std::filesystem::path> allowed_directories;
    std::string memory_limit; //!< DuckDB syntax ("2GB"); empty: DuckDB's default (80 % of RAM)
    int threads = 0;          //!< 0: DuckDB's default (all cores)
    //! SQL run before the guardrails lock (function library: CREATE MACRO ...).
    std::vector<std::string> setup_sql;
};

//! A column of an Iceberg table (with no files, the view still has it).
struct FieldColumn {
    std::string name;
    std::string type; //!< DuckDB's type name
};

//! A table as queries see it: `database.table` over a list of local files.
struct TableBinding {
    std::string database;
    std::string table;
    std::string format; //!< parquet | jsonl | csv
    std::vector<std::string> files; //!< absolute local paths; Hive key=value folders become columns
    //! Iceberg tables: the snapshot's schema as read_parquet's `schema` argument
    //! (iceberg::field_id_schema): the files are read by field id, so files written before a
    //! rename or a widening read under the table's names and types, and Hive folders are not
    //! columns (Iceberg's partitioning is hidden). With no files the view is empty with
    //! `field_columns`.
    std::string field_id_schema;
    std::vector<FieldColumn> field_columns;
    //! A view over fixed rows instead of files (an Iceberg table's `$snapshots`): its SELECT.
    std::string select_sql;
};

struct QueryLimits {
    uint64_t max_bytes_scanned = 0;             //!< 0: no cutoff
    std::chrono::milliseconds timeout{0};       //!< 0: none
};

struct QueryStats {
    double elapsed_s = 0;
    uint64_t files_read = 0;    //!< distinct files DuckDB read bytes from
    uint64_t bytes_scanned = 0; //!< bytes DuckDB read from local files
    ScanStats s3;               //!< what the query's tables read from S3 (Athena's "Data scanned")
};

struct QueryResult {
    std::vector<std::string> column_names;
    std::vector<std::string> column_types; //!< DuckDB type names ("BIGINT", "TIMESTAMP", ...)
    std::vector<std::vector<std::optional<std::string>>> rows; //!< cells as text; nullopt = NULL
    QueryStats stats;
};

//! Statement kinds a read-only session runs: SELECT (also WITH, VALUES, DESCRIBE, SHOW,
//! SUMMARIZE, FROM-first) and EXPLAIN. Returns an error naming the refused kind otherwise.
Status check_statement_kind(int duckdb_statement_type, std::string_view sql);

//! @locality one thread runs queries; the watchdog thread only interrupts.
class QuerySession {
public:
    static Result<std::unique_ptr<QuerySession>> open(const SessionOptions& options,
                                                      const std::vector<TableBinding>& tables);
    ~QuerySession();
    QuerySession(const QuerySession&) = delete;
    QuerySession& operator=(const QuerySession&) = delete;

    //! Runs one or more statements (only read-only kinds); the result is the last one's.
    //! The stats cover all of them. Errors: invalid_argument for refused statements and SQL
    //! errors, retry for interrupts (timeout, scan cutoff), fatal otherwise.
    Result<QueryResult> run(std::string_view sql, const QueryLimits& limits = {});

    //! Runs one statement with `$1..$n` bound to `params` (as VARCHAR: the SQL casts them).
    //! It is checked and prepared the first time this text is run, then only executed: a
    //! caller that asks the same shape of query with other values (the console's charts)
    //! skips the parse, the statement check and the planning of the view each time. Limits,
    //! statistics and cells as run().
    Result<QueryResult> run_prepared(std::string_view sql, const std::vector<std::string>& params,
                                     const QueryLimits& limits = {});

    //! "database.table" of every bound table, sorted.
    const std::vector<std::string>& table_names() const { return table_names_; }

private:
    QuerySession() = default;
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::vector<std::string> table_names_;
};

//! DuckDB's parse tree of `sql` as JSON (json_serialize_sql), from a private in-memory
//! DuckDB that reads no files: for planning before any session exists.
Result<std::string> parse_tree_json(std::string_view sql);

} // namespace ticklake::query
