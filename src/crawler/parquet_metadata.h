// Parquet's footer (the Thrift-compact FileMetaData) decoded by our own code: schema, row
// count, codec and the `ts` range, with no DuckDB to start. An incremental crawl reads one or
// two new footers; starting an embedded database for that cost more than the rest of the
// crawl. Types are given as DuckDB names them when it reads the same file (so tables keep the
// same schema whichever reader saw a file), then as Hive types (hive_type_of_duckdb).
#pragma once

#include <string_view>

#include "common/error.h"
#include "crawler/parquet_footer_reader.h"

namespace ticklake {

//! Decodes FileMetaData from the footer bytes (without the trailing length and "PAR1").
//! A footer that is not well-formed Thrift is a poison error naming `key`.
Result<ParquetFooter> decode_parquet_footer(std::string_view footer, std::string_view key);

} // namespace ticklake
