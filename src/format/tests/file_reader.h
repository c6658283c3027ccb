// Reads back what the writers wrote, independently of them: Parquet through DuckDB's own
// read_parquet, JSON Lines through simdjson, CSV through a small RFC 4180 parser here. The
// sink's tests read their warehouse back with the same DuckDB helpers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "format/column_batch.h"

namespace ticklake::testing {

//! A value read back; timestamps come back as int64 microseconds, dates as int64 days, blobs as bytes.
using Cell = std::variant<std::monostate, bool, int64_t, double, std::string>;

struct ReadTable {
    std::vector<std::string> names;
    std::vector<std::string> types; //!< Parquet: DuckDB's type names from DESCRIBE; text formats: empty
    std::vector<std::vector<Cell>> rows;
};

//! Runs SQL in a fresh in-memory DuckDB and returns the result; ADD_FAILURE on an error.
ReadTable query_duckdb(const std::string& sql);
//! The same, each row's cells as DuckDB's text for them (NULL as "<null>"): for tests that
//! compare what SQL computes rather than typed cells.
std::vector<std::vector<std::string>> duckdb_rows(const std::string& sql);
//! Runs SQL for its effect, e.g. `COPY ... TO` writing a test file; ADD_FAILURE on an error.
void duckdb_exec(const std::string& sql);
ReadTable read_parquet(const std::filesystem::path& path);
//! Text formats carry no types: the reader interprets each column as `schema` says.
ReadTable read_jsonl(const std::filesystem::path& path, const std::vector<Column>& schema);
ReadTable read_csv(const std::filesystem::path& path, const std::vector<Column>& schema);

//! The cell the writers should have written for batch row `row` of column c.
Cell expected_cell(const Column& c, size_t row);
std::string describe(const Cell& cell);

std::string read_file(const std::filesystem::path& path);

} // namespace ticklake::testing
