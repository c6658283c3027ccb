// Which files of an S3 table a query can need, decided before any is fetched: the query's
// conjunctive conditions on Hive partition columns (dt = DATE '2025-01-06', dt BETWEEN ...,
// dt IN (...)), read from DuckDB's parse tree (json_serialize_sql), checked against each
// file's key=value folders. Sound by construction: anything not understood keeps the file.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace ticklake::query {

struct PartitionCondition {
    enum class Op { eq, ne_unused, lt, le, gt, ge, in };
    //! What the constants were in the SQL: a string literal, an integer, or a string cast to a
    //! time (DATE '...', TIMESTAMP '...'); decides which column statistics they compare with.
    enum class Kind { text, integer, time };
    std::string column;
    Op op = Op::eq;
    std::vector<std::string> values; //!< one, or the IN list
    Kind kind = Kind::text;
};

//! "database.table" -> conditions that every row it contributes must meet.
using PruningPlan = std::map<std::string, std::vector<PartitionCondition>>;

//! Reads the plan from the JSON of json_serialize_sql(sql). Only a single SELECT reading a
//! table exactly once (no CTE, no set operation, no second reference in a subquery, no table
//! function such as ohlcv('market.trades', ...), which reads a table it names in a string)
//! gets conditions for that table: another reference could need the rows the first excludes.
Result<PruningPlan> pruning_plan_from_parse_tree(std::string_view json);

//! The columns a query can read, by name (every part of every column reference, so a
//! struct field or an alias only adds names); nullopt when it may read all of them or the
//! tree is not understood: `*`, COLUMNS(...), a whole-row reference (`SELECT t FROM trades t`),
//! a table function, several statements, or a parse error.
std::optional<std::set<std::string>> referenced_columns(std::string_view json);

//! False only when `key`'s partition folders prove that no row of the file meets `conditions`.
bool file_may_match(std::string_view key, const std::vector<PartitionCondition>& conditions);

//! False only when a file's event-time range [ts_min, ts_max] (the catalog's, of its `ts`
//! column) proves that no row meets the conditions on `ts`; an unknown range, or a condition
//! whose value is not a time, keeps the file. Times are read as UTC, as the query session's
//! TimeZone is; a time that states an offset keeps the file (DuckDB drops the offset when it
//! casts to TIMESTAMP and applies it for TIMESTAMPTZ).
bool time_range_may_match(std::optional<int64_t> ts_min, std::optional<int64_t> ts_max,
                          const std::vector<PartitionCondition>& conditions);

} // namespace ticklake::query
