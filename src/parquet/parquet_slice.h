// A Parquet "slice": a local file holding only the row groups and columns a query needs, cut
// out of a remote object with ranged reads. The footer is read first (plan_slice decides from
// it alone), only the chosen column chunks are fetched, and write_slice writes them with a
// footer re-encoded so its offsets point into the new file. DuckDB then reads the slice as any
// Parquet file: it holds no byte that was not fetched, so no reader can see a byte it should not.
// Flat schemas only; anything else (nested columns, encryption, chunks in other files) is
// reported as `unsupported`, and the caller reads the whole object instead.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "parquet/thrift_compact.h"

namespace ticklake::parquet {

struct ByteRange {
    uint64_t offset = 0;
    uint64_t length = 0;
    uint64_t end() const { return offset + length; }
    bool operator==(const ByteRange&) const = default;
};

//! How a column's statistics compare with a query's constants; `other` is never pruned on.
enum class StatsKind { other, text, integer, time };

struct ColumnInfo {
    std::string name;
    StatsKind kind = StatsKind::other;
    int64_t micros_per_unit = 1; //!< time: 1 (µs), 1000 (ms), 86400e6 (DATE days); -1000 for ns
};

struct ChunkInfo {
    ByteRange range;          //!< its pages in the file (dictionary page first)
    std::optional<std::string> min, max; //!< plain-encoded statistics, when usable for pruning
};

struct RowGroupInfo {
    int64_t rows = 0;
    std::vector<ChunkInfo> chunks; //!< one per column, in schema order
};

//! A decoded footer, kept whole for rewriting.
struct ParquetLayout {
    ThriftValue meta;
    std::vector<ColumnInfo> columns;
    std::vector<RowGroupInfo> row_groups;
    //! Non-empty: why this file cannot be sliced (read the whole object instead).
    std::string unsupported;
};

//! The size of FileMetaData from a file's last 8 bytes (length + "PAR1"); poison otherwise.
Result<uint32_t> metadata_length(std::string_view last8);

//! Decodes FileMetaData of a `file_size`-byte file. Poison when it is not well-formed or a
//! chunk lies outside the file's data area.
Result<ParquetLayout> read_layout(std::string_view metadata, uint64_t file_size);

//! A condition every row of the query's answer meets, as a query planner read it.
struct ColumnCondition {
    enum class Op { eq, lt, le, gt, ge, in };
    std::string column;
    Op op = Op::eq;
    std::vector<std::string> values; //!< one, or the IN list
    StatsKind kind = StatsKind::other; //!< what the constants are (text, integer, time as ISO text)
};

struct SlicePlan {
    std::vector<size_t> row_groups; //!< kept, in file order
    std::vector<size_t> columns;    //!< kept, in schema order
    std::vector<ByteRange> chunks;  //!< the kept chunks' ranges, in file order
    uint64_t chunk_bytes() const;
};

//! Which row groups and columns a query needs. `wanted` (lower-case names; nullopt: all columns). A row group is
//! dropped only when a condition's statistics prove no row of it can match. At least one
//! column is kept (the smallest), so row counts still read.
SlicePlan plan_slice(const ParquetLayout& layout, const std::optional<std::set<std::string>>& wanted,
                     const std::vector<ColumnCondition>& conditions);

//! Merges ranges (sorted by offset) whose gap is at most `max_gap` bytes and at most a quarter
//! of the bytes merged, so merging saves requests without fetching much that is not needed.
std::vector<ByteRange> coalesce(std::vector<ByteRange> ranges, uint64_t max_gap);

//! Writes the slice to `path`: "PAR1", the kept chunks (bytes from `chunk_bytes`, one call
//! per chunk of plan.chunks), the rewritten footer, its length, "PAR1".
Status write_slice(const ParquetLayout& layout, const SlicePlan& plan,
                   const std::function<Result<std::string>(const ByteRange&)>& chunk_bytes,
                   const std::filesystem::path& path);

} // namespace ticklake::parquet
