// Parquet through DuckDB: `COPY (FROM tl_rows()) TO` writes the file (zstd, row groups of
// WriterOptions::row_group_rows), where tl_rows() is a table function that hands DuckDB the
// batch's columns a data chunk at a time, in the file's order.
// The only file of the project, with parquet_writer.cc, that sees DuckDB's C API.
#pragma once

#include <memory>

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
    std::string field_ids_option(const ColumnBatch& batch, std::span<const int> ids) const;

    WriterOptions options_;
    std::unique_ptr<Db> db_;
};

} // namespace ticklake
