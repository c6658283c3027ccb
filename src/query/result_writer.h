// Where a result goes besides the terminal: Athena writes results to an S3 "result location";
// here a local file or an s3:// URI, as CSV, JSON Lines or Parquet (by the name's extension).
#pragma once

#include <filesystem>
#include <string>

#include "common/error.h"
#include "query/query_session.h"
#include "storage/object_store.h"

namespace ticklake::query {

//! Writes a result as Parquet (zstd), each column cast back to its type (nested values as
//! text), through a private DuckDB in which no user SQL runs.
Status write_result_parquet(const QueryResult& result, const std::filesystem::path& out);

//! Writes `result` to `target` (FILE.csv, .jsonl/.ndjson/.json or .parquet, local or
//! s3://bucket/key); a local target's folder is created. S3 uploads go through a temporary file.
Status write_result_file(const QueryResult& result, const std::string& target, const ObjectStoreOptions& store);

} // namespace ticklake::query
