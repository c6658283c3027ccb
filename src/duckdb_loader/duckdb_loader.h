// DuckDB is loaded on first use, not when the program starts.
//
// libduckdb.so is 64 MB with ~35,000 symbol relocations: linking it normally costs every
// `ticklake` command ~6 ms in the dynamic loader before main() (`ticklake --help`: 11.7 -> 5.7 ms),
// about a third of an incremental `crawl`. The C API functions the project calls are defined
// in duckdb_loader.cc as forwarders that dlopen the library on the first call, so only the
// commands that use DuckDB (sink with Parquet, query, sql) pay for it.
#pragma once

#include "common/error.h"

namespace ticklake::duckdb_loader {

// Loads libduckdb.so if it is not loaded yet. Call it where DuckDB is first opened to get a
// clear error instead of the forwarders' abort. $TICKLAKE_DUCKDB_LIBRARY, when set, is the only
// file tried; otherwise the library found at build time, then the dynamic loader's own search
// (LD_LIBRARY_PATH, system folders).
Status ensure_loaded();

} // namespace ticklake::duckdb_loader
