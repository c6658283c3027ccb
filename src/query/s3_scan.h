// How a query reads its files on S3. DuckDB reads local files only, so every S3 object a query
// needs becomes a local file in the session's own folder before the query runs:
// - Parquet, ranged (the default): one HEAD (size, ETag), the footer (one ranged GET of the
//   tail, a second when the metadata is longer), then only the column chunks of the row groups
//   and columns the query can need (parquet/parquet_slice.h), close ranges coalesced, written
//   as a slice file DuckDB reads like any Parquet file.
// - Whole objects: JSON Lines and CSV (gzip too), `--s3-read whole`, and Parquet files a slice
//   cannot describe (nested columns, encryption): the reason is reported.
// Requests go out up to S3ScanOptions::concurrency at a time, in three batches (HEADs,
// footers, then ranges and whole objects); the cache is used from the calling thread only.
// Every read goes through the bounded cache (range_cache.h) first. The bytes S3 sends are
// counted, and the --max-bytes-scanned budget is checked before each footer and, for the
// column chunks and whole objects of all files, once from the plan before any is fetched.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "parquet/parquet_slice.h"
#include "query/range_cache.h"
#include "storage/object_store.h"

namespace ticklake::query {

enum class S3ReadMode { ranged, whole };

//! "ranged" | "whole".
Result<S3ReadMode> parse_s3_read_mode(std::string_view text);

//! What the query's S3 reads cost, as the statistics line reports it.
struct ScanStats {
    uint64_t s3_bytes = 0;     //!< bytes S3 sent (footers, ranges, whole objects): Athena's "data scanned"
    uint64_t cache_bytes = 0;  //!< bytes served from the local cache instead
    uint64_t requests = 0;     //!< HEADs and GETs sent
    uint64_t files = 0;        //!< S3 objects the query touched
    uint64_t ranged_files = 0; //!< read as slices
    uint64_t whole_files = 0;  //!< read whole
    std::string whole_reason;  //!< why a Parquet object was read whole, when one was
    bool any() const { return files > 0; }
};

//! What a query reads of one table, from its parse tree.
struct TableReadPlan {
    std::optional<std::set<std::string>> columns; //!< lower-case names; nullopt: all
    std::vector<parquet::ColumnCondition> conditions;
};

struct S3ScanOptions {
    S3ReadMode mode = S3ReadMode::ranged;
    std::map<std::string, TableReadPlan> tables; //!< "database.table" -> plan; absent: all of it
    uint64_t max_bytes = 0;                      //!< S3 bytes budget of the query; 0: none
    //! Ranges closer than this are fetched as one (S3 charges per request; a gap costs bytes).
    uint64_t coalesce_gap = 1ull << 20;
    //! Requests in flight at once (HEADs, footers, ranges, whole objects). Each S3 request waits
    //! a round trip: one at a time, a query of 70 column chunks waits 70 of them.
    int concurrency = 8;
};

//! One S3 object a table needs.
struct ScanFile {
    std::string table;  //!< "database.table"
    std::string format; //!< parquet | jsonl | csv
    ObjectEntry entry;
    std::filesystem::path local; //!< where the session's copy or slice goes
};

//! Makes the local files of `files` (their `local` paths), fetching what the cache lacks.
//! `stats` accumulates across calls (several stores), and so does the budget it checks.
Status fetch_s3_files(ObjectStore& store, RangeCache& cache, const S3ScanOptions& options, std::vector<ScanFile>& files,
                      ScanStats& stats);

} // namespace ticklake::query
