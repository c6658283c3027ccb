// The tables of a warehouse as the query engine binds them: `<database>/<table>/...` prefixes
// of data files (Parquet, JSON Lines, CSV), found by listing the store. For an S3 warehouse
// the files are fetched into a local read-through cache first (kept by key, size and time, so
// a repeated query downloads nothing), because the embedded DuckDB reads local files only.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "query/query_session.h"
#include "storage/object_store.h"

namespace ticklake::query {

struct WarehouseTables {
    std::vector<TableBinding> tables;
    std::vector<std::filesystem::path> folders; //!< what DuckDB must be allowed to read
    uint64_t downloaded_files = 0;
    uint64_t downloaded_bytes = 0;
};

struct WarehouseScanOptions {
    //! Where S3 objects are cached (`<cache>/<bucket>/<key>`); unused for local warehouses.
    std::filesystem::path cache_dir;
    //! Only these "database.table" names (empty: all), so a query fetches no other table.
    std::vector<std::string> only_tables;
    //! Decides per file ("database.table", key) whether the query may need it; unset: all.
    std::function<bool(const std::string&, const std::string&)> file_filter;
    //! Decides per catalogued file ("database.table", its event-time min and max) whether the
    //! query may need it; unset: all. Only the catalog knows the ranges.
    std::function<bool(const std::string&, std::optional<int64_t>, std::optional<int64_t>)> time_filter;
    //! false: plan only (names and cache paths), download nothing.
    bool fetch = true;
    //! Progress of long downloads (files done, files to fetch); may be empty.
    std::function<void(uint64_t, uint64_t)> progress;
};

//! A table's files before binding: keys in `store`, with the size and time the cache checks.
struct PlannedTable {
    std::string database;
    std::string table;
    std::string format;
    std::vector<ObjectEntry> files;
};

//! Binds planned tables of one store into `out`: local paths for a folder, cached copies
//! (fetched when stale, unless options.fetch is false) for S3. Applies only_tables and file_filter.
Status bind_files(ObjectStore& store, std::vector<PlannedTable> planned, const WarehouseScanOptions& options,
                  WarehouseTables& out);

//! Groups the store's data files into tables. Keys under `_ticklake/` (journals) and staged
//! files are skipped; a table with files of several formats is bound to its majority format.
Result<WarehouseTables> scan_warehouse(ObjectStore& store, const WarehouseScanOptions& options);

//! The default cache folder: $XDG_CACHE_HOME/ticklake/s3, else ~/.cache/ticklake/s3.
std::filesystem::path default_cache_dir();

//! "database.table" names a SQL text mentions, among `known` (for --only-tables on S3).
std::vector<std::string> tables_mentioned(std::string_view sql, const std::vector<std::string>& known);

} // namespace ticklake::query
