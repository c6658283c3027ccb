// Writes a ColumnBatch to one local file in one format. Seam between the sink and formats:
// the sink picks the implementation by --format; tests run every implementation.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "common/error.h"
#include "format/column_batch.h"

namespace ticklake {

struct WriterOptions {
    int zstd_level = 3;             //!< Parquet and zstd compression level
    //! Parquet row group size. 16,384 (not DuckDB's 122,880): a file of 1,000,000 rows sorted by
    //! symbol then has ~61 row groups, so a one-symbol query on S3 fetches ~2-3% of it through
    //! min/max pruning instead of ~11%; measured the same file size and write time (bench/README.md).
    size_t row_group_rows = 16384;
    int parquet_threads = 1;        //!< DuckDB worker threads of one Parquet writer (when DuckDB writes)
    //! DuckDB's memory_limit of one Parquet writer (it spills to a temporary folder beyond it);
    //! 0: DuckDB's default, 80% of the machine's memory.
    size_t parquet_memory_limit_bytes = 0;
    //! Parquet: give each column a field_id, as Iceberg tables need (--table-format iceberg):
    //! those write() is given, else 1..n in file order; top-level columns only.
    bool field_ids = false;
    //! Parquet: write every file through DuckDB's COPY (--parquet-writer duckdb), not only those
    //! with decimal or nested columns; the others go to ticklake's own encoder by default.
    bool parquet_via_duckdb = false;
    //! JSON Lines and CSV: write files past the page cache (O_DIRECT; where the file system
    //! refuses it, through the cache as before). For files nothing reads back soon: a local
    //! warehouse's (the sink sets it from ObjectStore::stages_in_place). A JSON Lines sink
    //! writes about 200 bytes a message, and copying them into the page cache, in pages that
    //! had to be found and charged first, was up to a third of its CPU (bench/README.md,
    //! "Round 9").
    bool direct_io = false;
};

class RecordWriter {
public:
    virtual ~RecordWriter() = default;
    //! File extension without the dot: "parquet", "jsonl", "csv".
    virtual std::string_view extension() const = 0;
    //! Writes the rows of batch, in the order given by `order` (indexes into the batch; only
    //! those rows), to a new file at path, replacing any file there. Does not fsync: the caller
    //! makes it durable. On error a partial file may be left at path. `field_ids` (Parquet with
    //! WriterOptions::field_ids): each column's id, in column order, as its table assigns them;
    //! empty: 1..n in file order. Every override declares the same default.
    //! @locality one thread at a time per writer object.
    virtual Status write(const ColumnBatch& batch, std::span<const uint32_t> order, const std::filesystem::path& path,
                         std::span<const int> field_ids = {}) = 0;
};

//! format: "parquet" | "jsonl" | "csv". Unknown format -> ErrorKind::invalid_argument.
Result<std::unique_ptr<RecordWriter>> make_record_writer(std::string_view format, const WriterOptions& options = {});

} // namespace ticklake
