// Parquet files of the sink. Batches of flat columns go to ticklake's own encoder
// (format/parquet_encoder.h). Batches with decimal or nested columns, and all of them with
// WriterOptions::parquet_via_duckdb, go through DuckDB: `COPY (FROM tl_rows()) TO` writes the file
// (zstd, row groups of WriterOptions::row_group_rows), where tl_rows() is a table function that
// hands DuckDB the batch's columns a data chunk at a time, in the file's order. DuckDB starts with
// the first batch that needs it.
// The only file of the project, with parquet_writer.cc, that sees DuckDB's C API.
#pragma once

#include <memory>

#include "format/parquet_encoder.h"
#include "format/record_writer.h"

namespace ticklake {

//! The Parquet options of DuckDB's COPY as the sink writes them ("FORMAT parquet, COMPRESSION
//! zstd, COMPRESSION_LEVEL n, ROW_GROUP_SIZE m"), for every writer of the warehouse's Parquet
//! files (the sink, compaction), so a compacted file is read as cheaply as the sink's.
std::string parquet_copy_options(const WriterOptions& options);

class ParquetWriter final : public RecordWriter {
public:
    //! Opens the writer's own in-memory database; fails when DuckDB cannot start.
    static Result<std::unique_ptr<ParquetWriter>> open(const WriterOptions& options);
    ~ParquetWriter() override;
    ParquetWriter(const ParquetWriter&) = delete;
    ParquetWriter& operator=(const ParquetWriter&) = delete;

    std::string_view extension() const override { return "parquet"; }
    Status write(const ColumnBatch& batch, std::span<const uint32_t> order, const std::filesystem::path& path,
                 std::span<const int> field_ids = {}) override;

private:
    struct Db; //!< database and connection; reused across files
    ParquetWriter(const WriterOptions& options, std::unique_ptr<Db> db);
    static Result<std::unique_ptr<Db>> open_db(const WriterOptions& options);
    std::string field_ids_option(const ColumnBatch& batch, std::span<const int> ids) const;

    WriterOptions options_;
    std::unique_ptr<Db> db_; //!< null until a batch needs DuckDB
    ParquetEncoder encoder_;
};

} // namespace ticklake
