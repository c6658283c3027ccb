// How one number, --max-memory-mib, is shared out between the parts of a sink that hold
// memory: librdkafka's prefetch, the rows the sink buffers, and each Parquet writer's DuckDB.
// The split and the measurements behind it are in src/sink/README.md ("Memory").
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace ticklake {

struct MemoryBudget {
    size_t total_bytes = 0;
    //! Code, libraries (DuckDB's, once loaded), thread stacks, allocator slack: not tunable.
    size_t fixed_bytes = 0;
    //! librdkafka's queue of prefetched messages, its per-message overhead included.
    size_t kafka_bytes = 0;
    //! Rows held, as the sink counts them (filling batches plus batches with the writers):
    //! --max-buffer-mib. The heap they take is about twice that count (see the README).
    size_t buffer_bytes = 0;
    //! DuckDB's memory_limit per Parquet writer (one instance per writer thread).
    size_t duckdb_bytes_per_writer = 0;
    //! A batch goes to a writer at this size at the latest, so one batch's copy in DuckDB fits
    //! its memory_limit and the writers' batches plus the filling ones fit buffer_bytes.
    size_t batch_bytes = 0;

    // librdkafka settings from kafka_bytes (applied before -X, so a user's value still wins).
    size_t queued_max_kbytes = 0;  //!< queued.max.messages.kbytes: one consumer queue, all partitions
    //! queued.min.messages: librdkafka stops fetching at this many queued messages (its name
    //! says "min" because it is the level fetching keeps the queue above)
    size_t queued_max_messages = 0;
    size_t fetch_max_bytes = 0;    //!< fetch.max.bytes: what one fetch response may overshoot by
    size_t partition_fetch_bytes = 0; //!< max.partition.fetch.bytes
};

//! The smallest budget a sink runs in: the fixed part and a few MiB for each share.
constexpr size_t kMinMemoryMib = 128;

//! The split of total_mib for a sink with writer_threads writers; refuses a total below
//! kMinMemoryMib. buffer_mib > 0: --max-buffer-mib given, it replaces the buffer's share.
//! duckdb_writers false (JSON Lines, CSV): no DuckDB to bound, its share is left as headroom.
Result<MemoryBudget> split_memory_budget(double total_mib, int writer_threads, double buffer_mib = 0,
                                         bool duckdb_writers = true);

//! The librdkafka settings of the budget, as key/value text.
std::vector<std::pair<std::string, std::string>> kafka_prefetch_settings(const MemoryBudget& budget);

} // namespace ticklake
