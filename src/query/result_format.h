// How query results are shown: an aligned table (the default on a terminal), CSV (RFC 4180)
// or JSON Lines (numbers and booleans as JSON values, NULL as null).
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "query/query_session.h"

namespace ticklake::query {

enum class ResultFormat { table, csv, jsonl };

Result<ResultFormat> parse_result_format(std::string_view name);
//! The format a file name asks for (.csv, .jsonl/.ndjson/.json); invalid_argument otherwise.
Result<ResultFormat> result_format_for_path(std::string_view path);

std::string render(const QueryResult& result, ResultFormat format);

//! "12 rows in 0.034 s, 3 files, 1.2 MiB scanned" (Athena's run statistics).
std::string describe_stats(const QueryResult& result);

} // namespace ticklake::query
