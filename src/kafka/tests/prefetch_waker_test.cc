// When the prefetch waker fires (PrefetchRefillRule), and that a consumer with a small
// prefetch queue reads a backlog without librdkafka's one-second stall per refill.
#include "kafka/prefetch_waker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "kafka/kafka_consumer.h"
#include "kafka/kafka_producer.h"
#include "kafka/tests/mock_cluster.h"

namespace ticklake {
namespace {

using namespace std::chrono_literals;

TEST(PrefetchRefillRule, FiresOncePerFillCycleByCount) {
    PrefetchRefillRule rule(1000, 1 << 30);
    EXPECT_FALSE(rule.after_poll(0, 10, 100)) << "never full: the fetcher never stopped";
    EXPECT_FALSE(rule.after_poll(600, 10, 100));
    EXPECT_FALSE(rule.after_poll(400, 10, 100)) << "not armed: the queue never came near its bound";
    EXPECT_FALSE(rule.after_poll(990, 10, 100)); // arms
    EXPECT_FALSE(rule.after_poll(700, 10, 100)) << "still over half";
    EXPECT_TRUE(rule.after_poll(480, 10, 100));
    EXPECT_FALSE(rule.after_poll(100, 10, 100)) << "one wake per cycle";
    EXPECT_FALSE(rule.after_poll(0, 10, 100));
    EXPECT_FALSE(rule.after_poll(800, 10, 100)); // arms again
    EXPECT_TRUE(rule.after_poll(0, 10, 100));
}

TEST(PrefetchRefillRule, APollThatEmptiesAFullQueueFires) {
    PrefetchRefillRule rule(100, 1 << 30);
    EXPECT_TRUE(rule.after_poll(0, 100, 200)) << "the queue was full before the poll took it all";
    EXPECT_FALSE(rule.after_poll(0, 30, 200));
    EXPECT_TRUE(rule.after_poll(10, 90, 200));
}

TEST(PrefetchRefillRule, BytesCountWhenMessagesAreLarge) {
    // 1,000,000 messages allowed but 1 MiB of payload: 10 KiB messages fill it at 100.
    PrefetchRefillRule rule(1'000'000, 1 << 20);
    EXPECT_FALSE(rule.after_poll(80, 10, 10240)); // 88 % of the bytes before the poll: arms
    EXPECT_FALSE(rule.after_poll(60, 10, 10240));
    EXPECT_TRUE(rule.after_poll(40, 10, 10240));
}

TEST(PrefetchRefillRule, NoThresholdsNeverFires) {
    PrefetchRefillRule rule(0, 0);
    EXPECT_FALSE(rule.after_poll(1'000'000, 0, 1000));
    EXPECT_FALSE(rule.after_poll(0, 1'000'000, 1000));
}

// librdkafka 2.0 stops fetching at queued.min.messages and sleeps until its 1 s timeout; with
// a 100-message queue, 3,000 messages in batches of 10 take ~30 refills, so ≥ 20 s without
// the waker. The waker makes it a fraction of a second; 10 s leaves room for a loaded machine.
TEST(PrefetchWaker, SmallQueueDrainsWithoutStalling) {
    testing::MockCluster cluster(1);
    cluster.create_topic("backlog", 2);
    KafkaClientConfig pconf = cluster.config();
    pconf.extra.emplace_back("batch.num.messages", "10");
    {
        auto producer = KafkaProducer::create(pconf, ProducerOptions{});
        ASSERT_TRUE(producer) << producer.error().message;
        const std::string value(200, 'x');
        const std::string keys[] = {"AAPL", "MSFT", "NVDA"};
        for (int i = 0; i < 3000; ++i) {
            ASSERT_TRUE((*producer)->produce(Topic("backlog"), keys[i % 3], value, "trade"));
        }
        ASSERT_TRUE((*producer)->flush(10s));
    }
    KafkaClientConfig cconf = cluster.config();
    cconf.extra = {{"session.timeout.ms", "3000"},       {"heartbeat.interval.ms", "500"},
                   {"queued.min.messages", "100"},       {"max.partition.fetch.bytes", "4096"}};
    auto consumer = KafkaConsumer::create(cconf, "small-queue");
    ASSERT_TRUE(consumer) << consumer.error().message;
    ASSERT_TRUE((*consumer)->subscribe("backlog", RebalanceHandler{}));

    size_t got = 0;
    PollBatch batch;
    // The clock starts at the first message: joining the group is not what is measured.
    const auto joined_by = std::chrono::steady_clock::now() + 20s;
    while (got == 0 && std::chrono::steady_clock::now() < joined_by) {
        ASSERT_TRUE((*consumer)->poll_batch(100, 1000, batch));
        got += batch.messages.size();
    }
    ASSERT_GT(got, 0u) << "no message within 20 s";
    const auto start = std::chrono::steady_clock::now();
    while (got < 3000 && std::chrono::steady_clock::now() - start < 30s) {
        // A sink busy writing: the fetcher fills the queue to its bound meanwhile, and stops.
        std::this_thread::sleep_for(30ms);
        ASSERT_TRUE((*consumer)->poll_batch(100, 1000, batch));
        got += batch.messages.size();
    }
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(got, 3000u);
    EXPECT_GT((*consumer)->prefetch_wakeups(), 5u) << "the queue filled and drained many times";
    EXPECT_LT(took, 10s) << "refills stalled: "
                         << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms for "
                         << (*consumer)->prefetch_wakeups() << " wake-ups";
    batch.clear(); // librdkafka's destroy waits for every message handed out
    (*consumer)->close();
}

} // namespace
} // namespace ticklake
