// What the sink holds for one Kafka partition between two commits.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "format/table_buffer.h"

namespace ticklake {

//! A malformed message, kept with enough context to find and replay it.
struct DeadLetter {
    int64_t offset;
    int64_t kafka_ts_ms;
    std::string key;
    std::string value;
    std::string reason;
};

//! The rows of one output file: one table, one time partition.
struct FileBuffer {
    TableBuffer rows;
    std::string table;
    int64_t period = 0;       //!< day / month / year number of the time partition
    int64_t first_offset = -1;
};

//! A contiguous offset range of one partition: its rows by (table, period), and dead letters.
struct PartitionBatch {
    int64_t first_offset = -1; //!< -1: empty
    int64_t last_offset = -1;
    int64_t min_ts = 0;
    int64_t max_ts = 0;
    size_t rows = 0;
    size_t bytes = 0;
    std::chrono::steady_clock::time_point opened;
    std::map<std::pair<std::string, int64_t>, FileBuffer> files;
    std::vector<DeadLetter> dead;
    bool empty() const { return first_offset < 0; }
};

} // namespace ticklake
