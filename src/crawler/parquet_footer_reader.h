// Schema, row count, codec and event-time range of a Parquet file, exact, from its footer
// only, decoded by our own Thrift reader (parquet_metadata.h): no database to start, which
// an incremental crawl of one new file would mostly spend its time on. For an object that is
// not a local file only the footer's bytes are fetched (read_range): a multi-GB object on S3
// costs one or two small GETs.
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
    Columns columns;     //!< Hive types (the Parquet schema as DuckDB reads it, translated)
    int64_t rows = 0;    //!< exact, from the row groups
    std::string compression; //!< codec of the first column chunk, lower case ("zstd", "snappy")
    std::optional<TimestampUs> ts_min; //!< from the `ts` column's statistics, when present
    std::optional<TimestampUs> ts_max;
    uint64_t bytes_fetched = 0; //!< what was read from the store (the footer, or 0 for a local file)
};

class ParquetFooterReader {
public:
    //! `scratch` is kept for callers; footers are decoded in memory.
    static Result<std::unique_ptr<ParquetFooterReader>> create(std::filesystem::path scratch);
    ~ParquetFooterReader();

    Result<ParquetFooter> read(ObjectStore& store, const ObjectEntry& entry);

private:
    explicit ParquetFooterReader(std::filesystem::path scratch);
    Result<ParquetFooter> read_local(const std::filesystem::path& path, const std::string& key);

    std::filesystem::path scratch_;
};

//! Hive type of a DuckDB type as DuckDB names it ("BIGINT", "DECIMAL(18,3)", "VARCHAR[]",
//! "STRUCT(a INTEGER, \"b c\" VARCHAR)", "MAP(VARCHAR, DOUBLE)", "TIMESTAMP WITH TIME ZONE").
std::string hive_type_of_duckdb(std::string_view duckdb_type);

} // namespace ticklake
