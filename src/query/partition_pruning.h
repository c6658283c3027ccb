// Which files of an S3 table a query can need, decided before any is fetched: the query's
// conjunctive conditions on Hive partition columns (dt = DATE '2025-01-06', dt BETWEEN ...,
// dt IN (...)), read from DuckDB's parse tree (json_serialize_sql), checked against each
// file's key=value folders. Sound by construction: anything not understood keeps the file.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace ticklake::query {

struct PartitionCondition {
    enum class Op { eq, ne_unused, lt, le, gt, ge, in };
    std::string column;
    Op op = Op::eq;
    std::vector<std::string> values; //!< one, or the IN list
};

//! "database.table" -> conditions that every row it contributes must meet.
using PruningPlan = std::map<std::string, std::vector<PartitionCondition>>;

//! Reads the plan from the JSON of json_serialize_sql(sql). Only a single SELECT reading a
//! table exactly once (no CTE, no set operation, no second reference in a subquery) gets
//! conditions for that table: a second reference could need the files the first excludes.
Result<PruningPlan> pruning_plan_from_parse_tree(std::string_view json);

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
