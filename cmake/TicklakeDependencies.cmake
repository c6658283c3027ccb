# Every third-party dependency is found here, once, and exposed as an imported target.
# Debian packages come from `setup/setup.sh apt`; DuckDB from `setup/setup.sh duckdb`
# (.deps/duckdb), DUCKDB_HOME, or a system install.
find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
# zstd for the Parquet pages ticklake encodes itself (format/parquet_encoder).
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
find_package(simdjson REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(Threads REQUIRED)
# Protobuf topics (decode/protobuf_row_decoder): descriptors and dynamic messages from
# libprotobuf, the .proto text parser from libprotoc (CMake's FindProtobuf, Debian's 3.21).
find_package(Protobuf REQUIRED)

set(_duckdb_hints ${PROJECT_SOURCE_DIR}/.deps/duckdb)
if(DEFINED ENV{DUCKDB_HOME})
  list(PREPEND _duckdb_hints $ENV{DUCKDB_HOME})
endif()
find_path(DUCKDB_INCLUDE_DIR duckdb.h HINTS ${_duckdb_hints} PATH_SUFFIXES include)
find_library(DUCKDB_LIBRARY duckdb HINTS ${_duckdb_hints} PATH_SUFFIXES lib)
if(NOT DUCKDB_INCLUDE_DIR OR NOT DUCKDB_LIBRARY)
  message(FATAL_ERROR "DuckDB not found: run `make setup` (or setup/setup.sh duckdb), "
                      "or set DUCKDB_HOME to a folder with include/duckdb.h and lib/libduckdb.so")
endif()
# Only the header is used at build time: src/duckdb_loader loads libduckdb.so with dlopen the
# first time DuckDB is called (so commands without DuckDB skip its ~35,000 relocations at start),
# from the path found here unless TICKLAKE_DUCKDB_LIBRARY names another.
add_library(duckdb_headers INTERFACE)
target_include_directories(duckdb_headers SYSTEM INTERFACE ${DUCKDB_INCLUDE_DIR})
