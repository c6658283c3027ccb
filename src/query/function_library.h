// The SQL function library loaded into every query session: market-data functions and
// Athena/Trino compatibility macros, from src/query/functions/*.sql (embedded at build time).
#pragma once

#include <string>
#include <vector>

namespace ticklake::query {

//! The library's SQL files in load order, as text.
const std::vector<std::string>& function_library_sql();

} // namespace ticklake::query
