// The query engine as a command opens it: which tables a query sees (the catalog's, Athena's
// way, or the folders of one warehouse), which of their files it can need (S3 only: tables it
// names, partitions its conditions allow), and the session over them. Flags stay in cli/;
// planning, pruning and size parsing live here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "query/query_session.h"
#include "query/s3_scan.h"
#include "storage/object_store.h"

namespace ticklake::query {

struct EngineOptions {
    //! A folder, file:// or s3:// URI whose folders are the tables; empty: the catalog's tables.
    std::string warehouse;
    std::filesystem::path catalog;   //!< empty: default_catalog_path()
    ObjectStoreOptions store;
    std::filesystem::path cache_dir; //!< S3 read cache; empty: default_cache_dir()
    uint64_t cache_max_bytes = 2048ull << 20; //!< the cache's bound (LRU); 0: no cache
    S3ReadMode s3_read = S3ReadMode::ranged;   //!< Parquet on S3: slices of ranges, or whole objects
    //! The query's budget of bytes read from S3 (--max-bytes-scanned), checked before transfers;
    //! 0: none. Applies when a query is given (sql_hint), not to a shell's tables.
    uint64_t max_bytes_scanned = 0;
    std::string memory_limit;        //!< DuckDB syntax; empty: DuckDB's default
    int threads = 0;                 //!< 0: all cores
    //! What a person should know that does not stop the query (downloads into the cache, files
    //! the catalog lists that are gone); may be empty.
    std::function<void(const std::string&)> note;
};

struct Engine {
    std::string source; //!< what the tables come from, for messages
    ScanStats scan;     //!< what binding the tables read from S3 (and from the cache)
    bool local_tables = false; //!< some table is read in place from a local folder
    //! The session's folder of S3 copies and slices; removed once the last copy of it goes,
    //! after the session (declared first, destroyed last).
    std::shared_ptr<const std::filesystem::path> session_dir;
    std::unique_ptr<QuerySession> session;

    //! Binds the tables and opens the session. With `sql_hint`, an S3 warehouse (or catalog
    //! tables on S3) fetches only what that query can need (files, and of Parquet files the
    //! row groups and columns); empty: every file, whole.
    static Result<Engine> open(const EngineOptions& options, std::string_view sql_hint = {});

    //! Runs `sql` on the session; its statistics add what binding read from S3. The scan
    //! cutoff counts S3 bytes and local reads of local tables: with only S3 tables, the bytes
    //! were already checked before they were fetched, so local reads of slices are not counted twice.
    Result<QueryResult> run(std::string_view sql, QueryLimits limits) const;
};

//! "500MB", "10GiB", "1e9", "4096" -> bytes (decimal units are powers of 1000, binary of 1024).
Result<uint64_t> parse_size(const std::string& text);

//! The limits of each query: a scan cutoff written as a size (empty: none) and a timeout in
//! microseconds (0: none).
Result<QueryLimits> query_limits(const std::string& max_bytes_scanned, int64_t timeout_us);

} // namespace ticklake::query
