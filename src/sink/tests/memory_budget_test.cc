#include "sink/memory_budget.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "sink/sink_settings.h"

namespace ticklake {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

size_t planned(const MemoryBudget& b, int writers) {
    // Rows take about twice their counted size in the heap (README, "Memory").
    return b.fixed_bytes + b.kafka_bytes + 2 * b.buffer_bytes + b.duckdb_bytes_per_writer * static_cast<size_t>(writers);
}

TEST(MemoryBudgetTest, TheSharesFitTheTotal) {
    for (double total : {128.0, 160.0, 512.0, 4096.0}) {
        for (int writers : {1, 2, 8}) {
            auto b = split_memory_budget(total, writers);
            ASSERT_TRUE(b) << total;
            EXPECT_EQ(b->total_bytes, static_cast<size_t>(total) * kMiB);
            EXPECT_LE(planned(*b, writers), b->total_bytes) << total << " MiB, " << writers << " writers";
            // Each writer's batch plus a filling one fit the buffer; a batch fits its DuckDB.
            EXPECT_LE(b->batch_bytes * static_cast<size_t>(writers + 1), b->buffer_bytes);
            EXPECT_LE(b->batch_bytes, b->duckdb_bytes_per_writer);
            // librdkafka's queue (payload, and ~320 bytes of bookkeeping per message) and one
            // fetch's overshoot fit its share.
            EXPECT_LE(b->queued_max_kbytes * 1024 + b->fetch_max_bytes + b->queued_max_messages * 320,
                      b->kafka_bytes + 10'000 * 320);
        }
    }
}

TEST(MemoryBudgetTest, DefaultSplit) {
    auto b = split_memory_budget(512, 2);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->fixed_bytes, 64 * kMiB);
    EXPECT_EQ(b->buffer_bytes, 56 * kMiB);
    EXPECT_EQ(b->duckdb_bytes_per_writer, 42 * kMiB);
    EXPECT_EQ(b->kafka_bytes, 224 * kMiB);
    EXPECT_EQ(b->queued_max_kbytes, 64 * 1024u);
    EXPECT_EQ(b->fetch_max_bytes, 8 * kMiB);
    // What is left of Kafka's share after the payload and one fetch, at 320 bytes a message:
    // ~498k messages, about the 64 MiB of payload for ~130-byte ticks.
    EXPECT_EQ(b->queued_max_messages, 152 * kMiB / 320);
    EXPECT_EQ(b->batch_bytes, 56 * kMiB / 3);
}

TEST(MemoryBudgetTest, WithoutDuckDbTheRowsGetMore) {
    // JSON Lines and CSV: their writers, not the queue, held the sink back (memory_budget.cc).
    auto b = split_memory_budget(512, 2, 0, false);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->duckdb_bytes_per_writer, 0u);
    EXPECT_EQ(b->kafka_bytes, 168 * kMiB);
    EXPECT_EQ(b->buffer_bytes, 112 * kMiB);
    EXPECT_LE(b->fixed_bytes + b->kafka_bytes + 2 * b->buffer_bytes, b->total_bytes * 15 / 16);
    EXPECT_GT(b->buffer_bytes, split_memory_budget(512, 2)->buffer_bytes);
    for (double total : {128.0, 160.0, 512.0, 4096.0}) {
        for (int writers : {1, 2, 8}) {
            auto t = split_memory_budget(total, writers, 0, false);
            ASSERT_TRUE(t) << total;
            EXPECT_LE(planned(*t, writers), t->total_bytes) << total << " MiB, " << writers << " writers";
            EXPECT_LE(t->batch_bytes * static_cast<size_t>(writers + 1), t->buffer_bytes);
            EXPECT_LE(t->queued_max_kbytes * 1024 + t->fetch_max_bytes + t->queued_max_messages * 320,
                      t->kafka_bytes + 10'000 * 320);
        }
    }
}

TEST(MemoryBudgetTest, TheQueueIsBoundedByCountToo) {
    // Tiny messages: the payload bound alone would let millions of them queue, each with its
    // bookkeeping; the count bound holds them to the share.
    auto b = split_memory_budget(256, 2);
    ASSERT_TRUE(b);
    const size_t tiny = 20;
    const size_t by_payload = b->queued_max_kbytes * 1024 / tiny;
    const size_t queued = std::min(by_payload, b->queued_max_messages);
    EXPECT_LT(queued, by_payload);
    EXPECT_LE(queued * (320 + tiny) + b->fetch_max_bytes, b->kafka_bytes);
    auto settings = kafka_prefetch_settings(*b);
    EXPECT_NE(std::find(settings.begin(), settings.end(),
                        std::pair<std::string, std::string>{"queued.min.messages", std::to_string(b->queued_max_messages)}),
              settings.end());
    // A tailing sink lets the broker gather a fetch (at most one response's worth) for 100 ms.
    const auto value_of = [&](std::string_view key) {
        auto it = std::find_if(settings.begin(), settings.end(), [&](const auto& kv) { return kv.first == key; });
        return it == settings.end() ? std::string() : it->second;
    };
    EXPECT_EQ(value_of("fetch.wait.max.ms"), "100");
    ASSERT_FALSE(value_of("fetch.min.bytes").empty());
    EXPECT_LE(std::stoull(value_of("fetch.min.bytes")), b->fetch_max_bytes);
    EXPECT_GE(std::stoull(value_of("fetch.min.bytes")), 64 * 1024u);
}

TEST(MemoryBudgetTest, AnExplicitBufferReplacesItsShare) {
    auto b = split_memory_budget(512, 2, 32);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->buffer_bytes, 32 * kMiB);
    EXPECT_EQ(b->batch_bytes, 32 * kMiB / 3);
}

TEST(MemoryBudgetTest, RefusesLessThanTheFixedPart) {
    auto b = split_memory_budget(100, 2);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(b.error().message.find("--max-memory-mib must be at least 128"), std::string::npos);
}

TEST(MemoryBudgetTest, SettingsApplyTheBudgetBeforeTheUsersKafkaSettings) {
    SinkSettings s;
    s.topics = {"ticks"};
    s.max_memory_mib = 256;
    s.rotate_mib = 128;
    SinkPipelineOptions p;
    p.sink.kafka.extra = {{"fetch.max.bytes", "1234567"}};
    ASSERT_TRUE(apply_sink_settings(s, p));
    auto b = split_memory_budget(256, p.sink.writer_threads);
    ASSERT_TRUE(b);
    EXPECT_EQ(p.sink.max_buffer_bytes, b->buffer_bytes);
    EXPECT_EQ(p.sink.rotate_bytes, b->batch_bytes) << "--rotate-mib is capped by the budget's batch size";
    EXPECT_EQ(p.sink.writer.parquet_memory_limit_bytes, b->duckdb_bytes_per_writer);
    ASSERT_FALSE(p.sink.kafka.extra.empty());
    EXPECT_EQ(p.sink.kafka.extra.front().first, "queued.max.messages.kbytes");
    // The user's -X comes last, so librdkafka ends with the user's value.
    EXPECT_EQ(p.sink.kafka.extra.back(), (std::pair<std::string, std::string>{"fetch.max.bytes", "1234567"}));
}

} // namespace
} // namespace ticklake
