// What the sink holds for one Kafka partition between two commits.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

#include "common/kafka_position.h"
#include "format/open_table.h"
#include "format/table_buffer.h"
#include "sink/time_partition.h"

namespace ticklake {

//! Why a message became a dead letter, as a metric label (the full reason is in the file).
enum class DeadLetterCode { malformed_event, csv_header_missing, undecodable, type_conflict };

//! A malformed message, kept with enough context to find and replay it.
struct DeadLetter {
    Offset offset;
    int64_t kafka_ts_ms;
    std::string key;
    std::string value;
    std::string reason;
    DeadLetterCode code = DeadLetterCode::undecodable;
};

//! The rows of one output file: one table, one Hive partition (field values, then time).
//! Events of ticklake's format fill `typed`; rows of the open formats fill `open`.
//! Rows of a FileBuffer that go to one file of their own: when the table's grain is decided at
//! the flush (auto), the buffer's rows are cut by period into several files.
struct FilePart {
    int64_t period = 0;
    std::vector<uint32_t> order; //!< rows of the part in write order
};

//! The period of a row whose table has no grain yet (--time-partition auto before its first flush).
constexpr int64_t kUndecidedPeriod = INT64_MIN;

struct FileBuffer {
    std::unique_ptr<TableBuffer> typed;
    std::unique_ptr<OpenTableBuffer> open;
    std::string table;
    std::string partition_path; //!< "symbol=AAPL/" with --partition-by, else ""
    TimePartition grain = TimePartition::day; //!< automatic: not decided when the rows came
    int64_t period = 0;         //!< period_of(grain, ts) of the rows; kUndecidedPeriod when automatic
    Offset first_offset;
    std::vector<FilePart> parts; //!< empty: one file of all rows at `period`

    const std::vector<int64_t>& event_times() const { return typed ? typed->event_times() : open->event_times(); }
    void add_derived_column(Column c) {
        if (typed) {
            typed->add_derived_column(std::move(c));
        } else {
            open->add_derived_column(std::move(c));
        }
    }

    size_t rows() const { return typed ? typed->rows() : open->rows(); }
    size_t approx_bytes() const { return typed ? typed->approx_bytes() : open->approx_bytes(); }
    //! The columns to write; for an open table, call finish() first (on the sink's thread).
    const ColumnBatch& batch() const { return typed ? typed->batch() : open->batch(); }
    std::vector<uint32_t> sorted_order() const { return typed ? typed->sorted_order() : open->sorted_order(); }
};

//! Where a file's rows go: table, field partitions, time partition.
using FileKey = std::tuple<std::string, std::string, int64_t>;

//! A contiguous offset range of one partition: its rows by file, and dead letters.
struct PartitionBatch {
    Offset first_offset; //!< none: empty
    Offset last_offset;
    int64_t min_ts = 0;
    int64_t max_ts = 0;
    size_t rows = 0;
    size_t bytes = 0;
    std::chrono::steady_clock::time_point opened;
    std::map<FileKey, FileBuffer> files;
    std::vector<DeadLetter> dead;
    FileBuffer* last_file = nullptr; //!< of the previous row: consecutive rows nearly always share it
    bool empty() const { return !first_offset.valid(); }
};

} // namespace ticklake
