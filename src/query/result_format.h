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

//! One cell as a JSON value, as jsonl writes it: numbers and booleans as JSON values, NULL as
//! null, everything else a string (the web console's result grid).
std::string json_cell(const std::optional<std::string>& cell, const std::string& type);

//! "12 rows in 0.034 s, 3 files, 1.2 MiB scanned" (Athena's run statistics).
std::string describe_stats(const QueryResult& result);

} // namespace ticklake::query
