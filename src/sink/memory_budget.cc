#include "sink/memory_budget.h"

#include <algorithm>

#include <fmt/format.h>

namespace ticklake {

namespace {

constexpr size_t kMiB = size_t{1} << 20;

// Measured (bench/README.md, "Memory"): an idle Parquet sink, DuckDB loaded and two writers
// open, is 45 MiB; the rest covers thread stacks and the allocator's per-thread arenas.
constexpr size_t kFixedBytes = 64 * kMiB;

// librdkafka keeps a few hundred bytes of bookkeeping per queued message beside its payload,
// and queued.max.messages.kbytes counts payload only: with ~130-byte ticks the queue takes
// about 4x its payload. The queue gets an eighth of the Kafka share and a fetch response (the
// overshoot) a sixteenth, so both, with that overhead, stay inside the share.
constexpr size_t kKafkaOverhead = 4;

} // namespace

Result<MemoryBudget> split_memory_budget(double total_mib, int writer_threads, double buffer_mib, bool duckdb_writers) {
    if (!(total_mib >= static_cast<double>(kMinMemoryMib))) {
        return fail(Error::invalid(fmt::format("--max-memory-mib must be at least {} (the sink's fixed part is {} MiB)",
                                               kMinMemoryMib, kFixedBytes / kMiB)));
    }
    const size_t writers = static_cast<size_t>(std::max(writer_threads, 1));
    MemoryBudget b;
    b.total_bytes = static_cast<size_t>(total_mib * static_cast<double>(kMiB));
    b.fixed_bytes = kFixedBytes;
    const size_t rest = b.total_bytes - b.fixed_bytes;
    // Of the rest: 3/16 Kafka, 1/4 rows as counted (which take twice that in the heap), 1/4
    // DuckDB over all writers; what is left (1/16) is slack for the allocator.
    b.kafka_bytes = duckdb_writers ? rest * 3 / 16 : rest * 7 / 16;
    b.buffer_bytes = buffer_mib > 0 ? static_cast<size_t>(buffer_mib * static_cast<double>(kMiB)) : rest / 4;
    b.duckdb_bytes_per_writer = duckdb_writers ? rest / 4 / writers : 0;
    // One batch per writer in flight plus one filling: each at most buffer / (writers + 1), and
    // no larger than a writer's DuckDB holds without spilling.
    const size_t batch = b.buffer_bytes / (writers + 1);
    b.batch_bytes = std::max(duckdb_writers ? std::min(batch, b.duckdb_bytes_per_writer) : batch, kMiB);
    const size_t queue_payload = b.kafka_bytes / kKafkaOverhead * 2 / 3;
    b.queued_max_kbytes = std::max<size_t>(queue_payload / 1024, 1024);
    b.fetch_max_bytes = std::max(b.kafka_bytes / kKafkaOverhead / 3, kMiB);
    b.partition_fetch_bytes = std::min(b.fetch_max_bytes, kMiB);
    return b;
}

std::vector<std::pair<std::string, std::string>> kafka_prefetch_settings(const MemoryBudget& b) {
    return {
        {"queued.max.messages.kbytes", std::to_string(b.queued_max_kbytes)},
        {"fetch.max.bytes", std::to_string(b.fetch_max_bytes)},
        {"max.partition.fetch.bytes", std::to_string(b.partition_fetch_bytes)},
        // librdkafka 2.0 backs a partition off for fetch.error.backoff.ms once the queue is
        // full (2.1 split that into fetch.queue.backoff.ms). With a queue sized by the budget
        // (a fraction of a second of messages) the default 500 ms starves the sink.
        {"fetch.error.backoff.ms", "50"},
    };
}

} // namespace ticklake
