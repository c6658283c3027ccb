// DuckDB is loaded on first use, not when the program starts.
//
// libduckdb.so is 64 MB with ~35,000 symbol relocations: linking it normally costs every
// `ticklake` command ~9 ms in the dynamic loader before main(), which is most of the time of a
// `catalog tables` or an incremental `crawl`. The C API functions the project calls are defined
// in duckdb_loader.cc as forwarders that dlopen the library on the first call, so only the
// commands that use DuckDB (sink with Parquet, query, sql) pay for it.
#pragma once

#include <string>

#include "common/error.h"

namespace ticklake::duckdb_loader {

// Loads libduckdb.so if it is not loaded yet. Call it where DuckDB is first opened to get a
// clear error instead of the forwarders' abort. $TICKLAKE_DUCKDB_LIBRARY, when set, is the only
// file tried; otherwise the library found at build time, then the dynamic loader's own search
// (LD_LIBRARY_PATH, system folders).
Status ensure_loaded();

// The file that was loaded (empty before ensure_loaded() succeeded).
std::string loaded_path();

} // namespace ticklake::duckdb_loader
