// Schema, row count, codec and event-time range of a Parquet file, exact, from its footer
// only. DuckDB reads the footer (the only file that includes duckdb.h for this purpose).
// For an object that is not a local file, only the footer's bytes are fetched (read_range)
// and written at their own offset into a sparse local file of the object's size, so a
// multi-GB object on S3 costs one or two small GETs.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "catalog/catalog_model.h"
#include "common/error.h"
#include "storage/object_store.h"

namespace ticklake {

struct ParquetFooter {
    Columns columns;     //!< Hive types (DuckDB's reading of the Parquet schema, translated)
    int64_t rows = 0;    //!< exact, from the row groups
    std::string compression; //!< codec of the first column chunk, lower case ("zstd", "snappy")
    std::optional<TimestampUs> ts_min; //!< from the `ts` column's statistics, when present
    std::optional<TimestampUs> ts_max;
    uint64_t bytes_fetched = 0; //!< what was read from the store (the footer, or 0 for a local file)
};

class ParquetFooterReader {
public:
    //! `scratch` holds the sparse footer files (created when missing); DuckDB (in memory) starts
    //! with the first file read.
    static Result<std::unique_ptr<ParquetFooterReader>> create(std::filesystem::path scratch);
    ~ParquetFooterReader();

    Result<ParquetFooter> read(ObjectStore& store, const ObjectEntry& entry);

private:
    struct Db;
    ParquetFooterReader(std::unique_ptr<Db> db, std::filesystem::path scratch);
    Result<ParquetFooter> read_local(const std::filesystem::path& path, const std::string& key);

    std::unique_ptr<Db> db_;
    std::filesystem::path scratch_;
};

//! Hive type of a DuckDB type as DuckDB names it ("BIGINT", "DECIMAL(18,3)", "VARCHAR[]",
//! "STRUCT(a INTEGER, \"b c\" VARCHAR)", "MAP(VARCHAR, DOUBLE)", "TIMESTAMP WITH TIME ZONE").
std::string hive_type_of_duckdb(std::string_view duckdb_type);

} // namespace ticklake
