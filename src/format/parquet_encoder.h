// Parquet files encoded by ticklake itself, for batches of flat columns: the sink's typed tables
// and most open tables. DuckDB's COPY wrote every file before; its writer took about a third of
// the sink's CPU per message (bench/README.md), much of it work a sink's rows do not need:
// hashing every value of a unique column for a dictionary, then giving up on it; a bloom filter
// per dictionary column; a second copy of each row group.
//
// What it writes, so readers see the files as they saw DuckDB's (docs/storage.md):
// - format version 1 with data pages v1, every column OPTIONAL, zstd at WriterOptions::zstd_level,
//   row groups of WriterOptions::row_group_rows;
// - per column chunk a dictionary (PLAIN_DICTIONARY, indexes in the RLE/bit-packed hybrid) when
//   its first values repeat, else PLAIN;
// - the types DuckDB gives the same columns (VARCHAR: BYTE_ARRAY UTF8/STRING; TIMESTAMP: INT64
//   TIMESTAMP(MICROS, not adjusted to UTC); DATE: INT32 DATE; BLOB: BYTE_ARRAY);
// - min/max statistics (min_value/max_value; the deprecated signed min/max for numbers and
//   booleans only), null counts, the TYPE_ORDER column orders, and field ids when
//   WriterOptions::field_ids asks for them.
// Not written: bloom filters, page indexes, key-value metadata.
// Decimal and nested columns are not handled here: ParquetWriter sends those batches to DuckDB.
#pragma once

#include <filesystem>
#include <memory>
#include <span>

#include "common/error.h"
#include "format/column_batch.h"
#include "format/record_writer.h"

namespace ticklake {

//! True when the encoder writes every column of the batch (all types but decimal and nested).
bool parquet_encoder_supports(const ColumnBatch& batch);

class ParquetEncoder {
public:
    explicit ParquetEncoder(const WriterOptions& options);
    ~ParquetEncoder();
    ParquetEncoder(const ParquetEncoder&) = delete;
    ParquetEncoder& operator=(const ParquetEncoder&) = delete;

    //! As RecordWriter::write; the batch must pass parquet_encoder_supports().
    //! @locality one thread at a time.
    Status write(const ColumnBatch& batch, std::span<const uint32_t> order, const std::filesystem::path& path,
                 std::span<const int> field_ids);

private:
    struct State; //!< buffers and the zstd context, reused from file to file
    WriterOptions options_;
    std::unique_ptr<State> state_;
};

} // namespace ticklake
