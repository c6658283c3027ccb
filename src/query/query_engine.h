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
#include "storage/object_store.h"

namespace ticklake::query {

struct EngineOptions {
    //! A folder, file:// or s3:// URI whose folders are the tables; empty: the catalog's tables.
    std::string warehouse;
    std::filesystem::path catalog;   //!< empty: default_catalog_path()
    ObjectStoreOptions store;
    std::filesystem::path cache_dir; //!< S3 read-through cache; empty: default_cache_dir()
    std::string memory_limit;        //!< DuckDB syntax; empty: DuckDB's default
    int threads = 0;                 //!< 0: all cores
    //! What a person should know that does not stop the query (downloads into the cache, files
    //! the catalog lists that are gone); may be empty.
    std::function<void(const std::string&)> note;
};

struct Engine {
    std::string source; //!< what the tables come from, for messages
    std::unique_ptr<QuerySession> session;

    //! Binds the tables and opens the session. With `sql_hint`, an S3 warehouse (or catalog
    //! tables on S3) fetches only the files that query can need; empty: every file.
    static Result<Engine> open(const EngineOptions& options, std::string_view sql_hint = {});
};

//! "500MB", "10GiB", "1e9", "4096" -> bytes (decimal units are powers of 1000, binary of 1024).
Result<uint64_t> parse_size(const std::string& text);

//! The limits of each query: a scan cutoff written as a size (empty: none) and a timeout in
//! microseconds (0: none).
Result<QueryLimits> query_limits(const std::string& max_bytes_scanned, int64_t timeout_us);

} // namespace ticklake::query
