// KafkaProducer against an in-process mock cluster: exact delivery counts, keys and the
// type header on the wire, no duplicates under retried broker errors, and failures that
// are counted rather than hanging flush().
#include "kafka/kafka_producer.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kafka/tests/mock_cluster.h"

namespace ticklake {
namespace {

using namespace std::chrono_literals;
using testing::MockCluster;
using testing::RawMessage;

const std::vector<std::string> kSymbols = {"AAPL", "MSFT", "NVDA", "TSLA", "SPY"};

struct Sent {
    std::string key;
    std::string type;
};

//! What message i is: a unique value, its symbol key, its type header.
std::string value_of(int i) { return "tick-" + std::to_string(i); }
Sent sent_of(int i) { return {kSymbols[i % kSymbols.size()], i % 3 == 0 ? "quote" : "trade"}; }

std::unique_ptr<KafkaProducer> make_producer(KafkaClientConfig config) {
    auto p = KafkaProducer::create(config, ProducerOptions{});
    EXPECT_TRUE(p) << p.error().message;
    return p ? std::move(*p) : nullptr;
}

void produce_range(KafkaProducer& producer, const std::string& topic, int from, int to) {
    for (int i = from; i < to; ++i) {
        const Sent s = sent_of(i);
        auto st = producer.produce(Topic(topic), s.key, value_of(i), s.type);
        ASSERT_TRUE(st) << st.error().message;
    }
}

//! flush() ends with each of the n messages enqueued and delivered, none failed.
void flush_expecting_all_delivered(KafkaProducer& producer, int n) {
    auto st = producer.flush(8s);
    ASSERT_TRUE(st) << st.error().message;
    const ProducerStats& stats = producer.stats();
    EXPECT_EQ(stats.enqueued, static_cast<uint64_t>(n));
    EXPECT_EQ(stats.delivered, static_cast<uint64_t>(n));
    EXPECT_EQ(stats.failed, 0u) << stats.first_error;
    EXPECT_EQ(stats.first_error, "");
}

//! create() refused its settings as an invalid argument, saying `word`.
void expect_refused(const Result<std::unique_ptr<KafkaProducer>>& p, std::string_view word) {
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(p.error().message.find(word), std::string::npos) << p.error().message;
}

//! Every value 0..n-1 exactly once, with the key and header it was produced with, and each
//! symbol on a single partition in production order.
void expect_exactly_once(const std::vector<RawMessage>& got, int n) {
    std::map<std::string, int> seen;
    std::map<std::string, std::set<int32_t>> partitions_of_key;
    std::map<int32_t, int> last_index_on_partition;
    for (const auto& m : got) {
        ++seen[m.value];
        partitions_of_key[m.key].insert(m.partition);
        const int index = std::stoi(m.value.substr(m.value.find('-') + 1));
        ASSERT_GE(index, 0);
        ASSERT_LT(index, n);
        const Sent s = sent_of(index);
        EXPECT_EQ(m.key, s.key) << m.value;
        ASSERT_TRUE(m.type_header.has_value()) << m.value;
        EXPECT_EQ(*m.type_header, s.type) << m.value;
        EXPECT_EQ(m.header_count, 1u) << m.value;
        auto [it, first] = last_index_on_partition.try_emplace(m.partition, index);
        if (!first) {
            EXPECT_LT(it->second, index) << "reordered on partition " << m.partition;
            it->second = index;
        }
    }
    EXPECT_EQ(static_cast<int>(got.size()), n);
    for (int i = 0; i < n; ++i) {
        EXPECT_EQ(seen[value_of(i)], 1) << value_of(i) << " should be in the topic exactly once";
    }
    for (const auto& [key, parts] : partitions_of_key) {
        EXPECT_EQ(parts.size(), 1u) << "key " << key << " spread over partitions";
    }
}

//! Produces messages 0..n-1 to "ticks" (4 partitions), with `halfway` run on the producer after
//! the first half; every message must be delivered, and read back exactly once.
void produce_ticks_exactly_once(MockCluster& cluster, int n, const std::function<void(KafkaProducer&)>& halfway) {
    {
        auto producer = make_producer(cluster.config());
        ASSERT_TRUE(producer);
        produce_range(*producer, "ticks", 0, n / 2);
        halfway(*producer);
        produce_range(*producer, "ticks", n / 2, n);
        flush_expecting_all_delivered(*producer, n);
    }
    expect_exactly_once(testing::read_topic(cluster.bootstraps(), "ticks", 4, 8s), n);
}

TEST(KafkaProducer, DeliversEveryMessageWithKeyAndTypeHeader) {
    MockCluster cluster(1);
    cluster.create_topic("ticks", 4);
    produce_ticks_exactly_once(cluster, 300, [](KafkaProducer&) {});
}

TEST(KafkaProducer, RetriableProduceErrorsAndLeaderChangesNeitherLoseNorDuplicate) {
    MockCluster cluster(3);
    cluster.create_topic("ticks", 4);
    // The first Produce requests fail, each with an error the client must retry.
    rd_kafka_mock_push_request_errors(cluster.get(), testing::kApiProduce, 6, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                                      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                      RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                                      RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR__TRANSPORT);
    produce_ticks_exactly_once(cluster, 400, [&](KafkaProducer& producer) {
        producer.poll(200);
        // Move every partition to another broker while messages are in flight.
        for (int32_t p = 0; p < 4; ++p) {
            rd_kafka_mock_partition_set_leader(cluster.get(), "ticks", p, 1 + (p + 1) % 3);
        }
    });
}

TEST(KafkaProducer, NonRetriableProduceErrorIsCountedAndFlushReturns) {
    MockCluster cluster(1);
    cluster.create_topic("ticks", 1);
    constexpr int kN = 20;
    auto producer = make_producer(cluster.config());
    ASSERT_TRUE(producer);
    std::vector<rd_kafka_resp_err_t> errors(200, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    rd_kafka_mock_push_request_errors_array(cluster.get(), testing::kApiProduce, errors.size(), errors.data());
    produce_range(*producer, "ticks", 0, kN);
    const auto start = std::chrono::steady_clock::now();
    auto st = producer->flush(8s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);
    EXPECT_TRUE(st) << "flush should end once every message has a final outcome: " << st.error().message;
    const auto& stats = producer->stats();
    EXPECT_GT(stats.failed, 0u);
    EXPECT_EQ(stats.delivered + stats.failed, stats.enqueued);
    EXPECT_NE(stats.first_error.find("authorization"), std::string::npos) << stats.first_error;
    rd_kafka_mock_clear_request_errors(cluster.get(), testing::kApiProduce);
}

TEST(KafkaProducer, InvalidOverrideIsRejectedNamingTheKey) {
    MockCluster cluster(1);
    KafkaClientConfig config = cluster.config();
    config.extra = {{"no.such.property", "1"}};
    expect_refused(KafkaProducer::create(config, ProducerOptions{}), "no.such.property");
    config.extra = {{"acks", "banana"}};
    expect_refused(KafkaProducer::create(config, ProducerOptions{}), "acks");
}

TEST(KafkaProducer, ValidOverrideIsAccepted) {
    MockCluster cluster(1);
    KafkaClientConfig config = cluster.config();
    config.extra = {{"linger.ms", "0"}, {"client.id", "ticklake-test"}};
    auto p = KafkaProducer::create(config, ProducerOptions{});
    EXPECT_TRUE(p) << p.error().message;
}

} // namespace
} // namespace ticklake
