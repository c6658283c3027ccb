// Merges Parquet files into a few sorted ones with DuckDB (the only file of the stage that calls
// DuckDB's C API). Local files in, local files out: the compactor moves them through the store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/error.h"
#include "format/record_writer.h"

namespace ticklake {

struct MergeRequest {
    std::vector<std::filesystem::path> inputs;
    std::vector<std::string> order_by;  //!< columns, in order (those the inputs have)
    std::filesystem::path output_dir;   //!< created; receives part-0.parquet, part-1.parquet, ...
    uint64_t target_file_bytes = 128ull << 20;
    int threads = 1;
    WriterOptions writer; //!< compression and row groups: the sink's defaults
    //! Iceberg tables: read_parquet's `schema` (columns by field id, iceberg/table_scan.h
    //! field_id_schema) instead of union by name, and the outputs' field ids ("'id': 1, ...").
    std::string field_id_schema;
    std::string field_ids;
};

//! The sort columns of merged files, of `columns` (a table's): the sink's order, symbol then
//! event time (ts), those the table has.
std::vector<std::string> sort_columns_of(const std::vector<std::string>& columns);

//! The files written, in order. Columns are the union of the inputs' (by name); rows sorted by
//! `order_by`; with the Parquet options the sink writes (parquet_copy_options).
Result<std::vector<std::filesystem::path>> merge_parquet(const MergeRequest& request);

} // namespace ticklake
