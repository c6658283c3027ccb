#include "sink/memory_budget.h"

#include <algorithm>

#include <fmt/format.h>

namespace ticklake {

namespace {

constexpr size_t kMiB = size_t{1} << 20;

// Measured (bench/README.md, "Memory"): an idle Parquet sink, DuckDB loaded and two writers
// open, is 45 MiB; the rest covers thread stacks and the allocator's per-thread arenas.
constexpr size_t kFixedBytes = 64 * kMiB;

// librdkafka keeps its own bookkeeping beside each queued message's payload (the message and
// its queue entry), and queued.max.messages.kbytes counts payload only. Measured on a backlog of
// ~130-byte ticks (bench/README.md, "Memory"): each message queued took ~455 bytes of RSS, ~325
// beyond its payload. So the queue is bounded twice: its payload (queued.max.messages.kbytes)
// and its message count (queued.min.messages), which holds tiny messages whose bookkeeping
// outweighs them.
constexpr size_t kKafkaBytesPerMessage = 320;

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
    // Of the rest (Parquet): 1/2 Kafka, 1/8 rows as counted (which take twice that in the heap),
    // 3/16 DuckDB over all writers, 1/16 slack for the allocator. JSON Lines and CSV have no
    // DuckDB: 3/8 Kafka, 1/4 rows, and the rest is headroom. Kafka's share is the largest for
    // Parquet because the queue has to keep the sink busy while the fetcher refills it.
    // librdkafka 2.0 stops fetching once its queue is full and, left alone, looks again up to a
    // second later; the rate then followed the queue's size (bench/README.md, "Memory": 14 MiB of
    // queue gave 120k msgs/s, 88 MiB 540k). KafkaConsumer's prefetch waker
    // (kafka/prefetch_waker.h) now restarts the fetcher when the queue is half empty, so a
    // smaller queue costs less: the text formats, whose writers had the consumer waiting for
    // them with 1/8 for rows, run as fast with 3/8 Kafka and 1/4 rows (480-510k msgs/s, ~392 MiB
    // peak, against 410-460k at 5/8 and 1/8, 478 MiB).
    b.kafka_bytes = duckdb_writers ? rest / 2 : rest * 3 / 8;
    // At least a 1 MiB batch for each writer and the filling one (small budgets, many writers).
    b.buffer_bytes = buffer_mib > 0 ? static_cast<size_t>(buffer_mib * static_cast<double>(kMiB))
                                    : std::max(duckdb_writers ? rest / 8 : rest / 4, (writers + 1) * kMiB);
    b.duckdb_bytes_per_writer = duckdb_writers ? rest * 3 / 16 / writers : 0;
    // One batch per writer in flight plus one filling: each at most buffer / (writers + 1), and
    // no larger than a writer's DuckDB holds without spilling.
    const size_t batch = b.buffer_bytes / (writers + 1);
    b.batch_bytes = std::max(duckdb_writers ? std::min(batch, b.duckdb_bytes_per_writer) : batch, kMiB);
    // The Kafka share: one fetch response's overshoot (1/28), the queue's payload (2/7) and the
    // bookkeeping of as many messages as the rest holds (the count bound).
    b.fetch_max_bytes = std::max(b.kafka_bytes / 28, kMiB);
    b.queued_max_kbytes = std::max<size_t>(b.kafka_bytes * 2 / 7 / 1024, 1024);
    const size_t for_messages = b.kafka_bytes - std::min(b.kafka_bytes, b.fetch_max_bytes + b.queued_max_kbytes * 1024);
    b.queued_max_messages = std::max<size_t>(for_messages / kKafkaBytesPerMessage, 10'000);
    b.partition_fetch_bytes = std::min(b.fetch_max_bytes, kMiB);
    return b;
}

std::vector<std::pair<std::string, std::string>> kafka_prefetch_settings(const MemoryBudget& b) {
    return {
        {"queued.max.messages.kbytes", std::to_string(b.queued_max_kbytes)},
        {"queued.min.messages", std::to_string(b.queued_max_messages)},
        {"fetch.max.bytes", std::to_string(b.fetch_max_bytes)},
        {"max.partition.fetch.bytes", std::to_string(b.partition_fetch_bytes)},
        // A sink tailing a topic asked with fetch.min.bytes=1 (the default) for every few
        // produced batches, and each answer costs the broker: let it wait for 1 MiB or 100 ms.
        // Measured with the sink started before 2,000,000 produced ticks, three pairs: the
        // broker's CPU 0.79-0.93 -> 0.61-0.65 us per tick. A slow stream's rows wait at most
        // 100 ms more, under --max-buffer-age's second.
        {"fetch.min.bytes", std::to_string(std::min(b.fetch_max_bytes, kMiB))},
        {"fetch.wait.max.ms", "100"},
    };
}

} // namespace ticklake
