// The tables of a warehouse as the query engine binds them: `<database>/<table>/...` prefixes
// of data files (Parquet, JSON Lines, CSV), found by listing the store. For an S3 warehouse
// the files a query needs are made local first (s3_scan.h: slices of Parquet through ranged
// reads, whole objects otherwise, through the bounded cache), because the embedded DuckDB
// reads local files only.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "query/query_session.h"
#include "query/range_cache.h"
#include "query/s3_scan.h"
#include "storage/object_store.h"

namespace ticklake::query {

struct WarehouseTables {
    std::vector<TableBinding> tables;
    std::vector<std::filesystem::path> folders; //!< what DuckDB must be allowed to read
    ScanStats scan; //!< what reading S3 cost
};

//! A table read as of one of its Iceberg snapshots, as a view of its own (time travel).
struct SnapshotRequest {
    std::string table; //!< as the SQL names it: "market.trades", or ".trades" without a database
    std::string alias; //!< the view's table name, in the table's database ("trades@v42")
    std::optional<int64_t> snapshot_id;
    std::optional<int64_t> as_of_ms;
};

struct WarehouseScanOptions {
    //! Where S3 reads are cached; unset: no cache. Unused for local warehouses.
    RangeCache* cache = nullptr;
    //! The session's own folder: S3 files become `<session_dir>/<bucket>/<key>` there.
    std::filesystem::path session_dir;
    //! How S3 files are read (ranged or whole, columns and conditions per table, the budget).
    S3ScanOptions s3;
    //! Only these "database.table" names (empty: all), so a query fetches no other table.
    std::vector<std::string> only_tables;
    //! Decides per file ("database.table", key) whether the query may need it; unset: all.
    std::function<bool(const std::string&, const std::string&)> file_filter;
    //! Decides per catalogued file ("database.table", its event-time min and max) whether the
    //! query may need it; unset: all. Only the catalog knows the ranges.
    std::function<bool(const std::string&, std::optional<int64_t>, std::optional<int64_t>)> time_filter;
    //! Iceberg tables read as of a snapshot (the catalog's tables only).
    std::vector<SnapshotRequest> snapshots;
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

//! Binds planned tables of one store into `out`: local paths for a folder, session copies or
//! slices for S3 (fetched unless options.fetch is false). Applies only_tables and file_filter.
Status bind_files(ObjectStore& store, std::vector<PlannedTable> planned, const WarehouseScanOptions& options,
                  WarehouseTables& out);

//! Groups the store's data files into tables. Keys under `_ticklake/` (journals) and staged
//! files are skipped; a table with files of several formats is bound to its majority format.
Result<WarehouseTables> scan_warehouse(ObjectStore& store, const WarehouseScanOptions& options);

//! The default cache folder: $XDG_CACHE_HOME/ticklake/s3, else ~/.cache/ticklake/s3.
//! Sessions' folders go beside it, in `<cache>-sessions/`.
std::filesystem::path default_cache_dir();

//! "database.table" names a SQL text mentions, among `known` (for --only-tables on S3).
std::vector<std::string> tables_mentioned(std::string_view sql, const std::vector<std::string>& known);

} // namespace ticklake::query
