// KafkaConsumer against an in-process mock cluster: assignment with committed offsets,
// batches with partition EOFs, resuming a group from its commits, and commit failures.
#include "kafka/kafka_consumer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <string>
#include <vector>

#include "kafka/kafka_producer.h"
#include "kafka/tests/mock_cluster.h"

namespace ticklake {
namespace {

using namespace std::chrono_literals;
using testing::MockCluster;

constexpr int kPartitions = 2;

// Built with += rather than "v" + std::to_string(i): g++ 12 -O3 warns falsely (-Wrestrict) on that.
std::string tagged(const char* prefix, int i) {
    std::string s = prefix;
    s += std::to_string(i);
    return s;
}

void produce(const KafkaClientConfig& config, const std::string& topic, int from, int to) {
    auto producer = KafkaProducer::create(config, ProducerOptions{});
    ASSERT_TRUE(producer) << producer.error().message;
    for (int i = from; i < to; ++i) {
        auto st = (*producer)->produce(Topic(topic), tagged("SYM", i % 5), tagged("v", i), "trade");
        ASSERT_TRUE(st) << st.error().message;
    }
    auto st = (*producer)->flush(5s);
    ASSERT_TRUE(st) << st.error().message;
    ASSERT_EQ((*producer)->stats().delivered, static_cast<uint64_t>(to - from));
}

//! What one group member saw: its assignments, revocations, messages and EOFs.
struct Member {
    std::vector<std::vector<PartitionOffset>> assigned;
    std::vector<std::vector<TopicPartition>> revoked;
    std::vector<std::string> values;
    std::vector<std::string> keys;
    //! last offset read + 1
    std::vector<PartitionOffset> next_offsets{{Topic("ticks"), Partition(0), Offset::none()},
                                              {Topic("ticks"), Partition(1), Offset::none()}};
    std::set<TopicPartition> eofs;
    std::unique_ptr<KafkaConsumer> consumer;

    RebalanceHandler handler() {
        return RebalanceHandler{
            [this](const std::vector<PartitionOffset>& p) { assigned.push_back(p); },
            [this](const std::vector<TopicPartition>& p) { revoked.push_back(p); },
        };
    }

    //! poll_batch until every partition reported EOF and `expected` messages arrived.
    void drain(size_t expected, std::chrono::milliseconds timeout) {
        PollBatch batch;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while ((eofs.size() < kPartitions || values.size() < expected) && std::chrono::steady_clock::now() < deadline) {
            auto st = consumer->poll_batch(100, 1000, batch);
            ASSERT_TRUE(st) << st.error().message;
            for (const auto& m : batch.messages) {
                values.emplace_back(m.value());
                keys.emplace_back(m.key());
                EXPECT_EQ(m.topic(), "ticks");
                ASSERT_GE(m.partition(), Partition(0));
                ASSERT_LT(m.partition(), Partition(kPartitions));
                Offset& next = next_offsets[static_cast<size_t>(m.partition().value())].offset;
                EXPECT_GE(m.offset(), next) << "offset went backwards";
                next = m.offset().next();
                EXPECT_GT(m.timestamp_ms(), 0);
            }
            eofs.insert(batch.partition_eofs.begin(), batch.partition_eofs.end());
        }
        ASSERT_EQ(eofs.size(), static_cast<size_t>(kPartitions)) << "not every partition reached EOF in time";
        ASSERT_EQ(values.size(), expected);
    }
};

std::vector<PartitionOffset> sorted(std::vector<PartitionOffset> v) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.partition < b.partition; });
    return v;
}

void expect_offsets(const std::vector<PartitionOffset>& got, const std::vector<PartitionOffset>& want) {
    auto g = sorted(got);
    ASSERT_EQ(g.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(g[i].topic, want[i].topic);
        EXPECT_EQ(g[i].partition, want[i].partition);
        EXPECT_EQ(g[i].offset, want[i].offset) << "partition " << want[i].partition;
    }
}

std::unique_ptr<KafkaConsumer> make_consumer(KafkaClientConfig config, const std::string& group) {
    // The mock coordinator holds a rebalance for up to the session timeout (10 s by our
    // default) waiting for members: shorten it through -X so each test stays fast.
    config.extra.emplace_back("session.timeout.ms", "3000");
    config.extra.emplace_back("heartbeat.interval.ms", "500");
    auto c = KafkaConsumer::create(config, group);
    EXPECT_TRUE(c) << c.error().message;
    return c ? std::move(*c) : nullptr;
}

//! A one-broker mock cluster with the topic "ticks" of kPartitions partitions.
class TicksTopicTest : public ::testing::Test {
protected:
    void SetUp() override { cluster_.create_topic("ticks", kPartitions); }

    void produce_ticks(int from, int to) { produce(cluster_.config(), "ticks", from, to); }
    //! Makes m a member of `group` subscribed to "ticks" and reads until it has `expected`
    //! messages and every partition's EOF.
    void join_and_drain(Member& m, const std::string& group, size_t expected) {
        m.consumer = make_consumer(cluster_.config(), group);
        ASSERT_TRUE(m.consumer);
        ASSERT_TRUE(m.consumer->subscribe("ticks", m.handler()));
        m.drain(expected, 8s);
    }

    MockCluster cluster_{1};
};

//! create() refused its settings as an invalid argument, saying `word`.
void expect_refused(const Result<std::unique_ptr<KafkaConsumer>>& c, std::string_view word) {
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(c.error().message.find(word), std::string::npos) << c.error().message;
}

TEST_F(TicksTopicTest, NewGroupReadsEverythingThenResumesFromCommittedOffsets) {
    produce_ticks(0, 20);

    Member first;
    ASSERT_NO_FATAL_FAILURE(join_and_drain(first, "sink", 20));
    EXPECT_EQ(first.consumer->topic(), "ticks");
    ASSERT_EQ(first.assigned.size(), 1u);
    // A new group has no commits.
    expect_offsets(first.assigned[0], {{Topic("ticks"), Partition(0), Offset::none()},
                                       {Topic("ticks"), Partition(1), Offset::none()}});
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(std::count(first.values.begin(), first.values.end(), tagged("v", i)), 1);
    }
    for (size_t i = 0; i < first.values.size(); ++i) {
        EXPECT_EQ(first.keys[i], tagged("SYM", std::stoi(first.values[i].substr(1)) % 5));
    }
    const std::vector<PartitionOffset> committed = first.next_offsets;
    auto st = first.consumer->commit(committed);
    ASSERT_TRUE(st) << st.error().message;
    first.consumer->close();
    ASSERT_EQ(first.revoked.size(), 1u) << "close() runs on_revoke";
    auto revoked = first.revoked[0];
    std::sort(revoked.begin(), revoked.end());
    EXPECT_EQ(revoked, (std::vector<TopicPartition>{{Topic("ticks"), Partition(0)}, {Topic("ticks"), Partition(1)}}));

    produce_ticks(20, 30);

    Member second;
    ASSERT_NO_FATAL_FAILURE(join_and_drain(second, "sink", 10));
    ASSERT_EQ(second.assigned.size(), 1u);
    expect_offsets(second.assigned[0], committed);
    std::vector<std::string> got = second.values;
    std::sort(got.begin(), got.end());
    std::vector<std::string> want;
    for (int i = 20; i < 30; ++i) {
        want.push_back(tagged("v", i));
    }
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << "the second member must start exactly where the first committed";
    second.consumer.reset();
}

// Regression: rd_kafka_consume_batch_queue() waits until it has max_messages OR the timeout
// passed, so poll_batch once held 3 queued messages for its whole 2.5 s timeout.
TEST_F(TicksTopicTest, BatchReturnsAsSoonAsMessagesAreThere) {
    produce_ticks(0, 4);
    Member m;
    ASSERT_NO_FATAL_FAILURE(join_and_drain(m, "latency", 4));
    produce_ticks(4, 7);
    std::this_thread::sleep_for(1s); // the fetcher has them queued locally by now
    PollBatch batch;
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(m.consumer->poll_batch(2500, 1000, batch));
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(batch.messages.size(), 3u);
    EXPECT_LT(took, 1000ms) << "poll_batch held queued messages until its timeout";
}

TEST_F(TicksTopicTest, CommitRejectedByBrokerIsAnError) {
    produce_ticks(0, 4);
    Member m;
    ASSERT_NO_FATAL_FAILURE(join_and_drain(m, "refused", 4));

    rd_kafka_mock_push_request_errors(cluster_.get(), testing::kApiOffsetCommit, 1,
                                      RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED);
    auto st = m.consumer->commit(m.next_offsets);
    ASSERT_FALSE(st) << "a refused commit must not look durable";
    EXPECT_EQ(st.error().kind, ErrorKind::fatal) << st.error().message;
    EXPECT_NE(st.error().message.find("commit"), std::string::npos) << st.error().message;

    // The injected error is used up: the same commit now goes through.
    st = m.consumer->commit(m.next_offsets);
    EXPECT_TRUE(st) << st.error().message;
}

TEST(KafkaConsumer, CommitOfNothingIsANoOp) {
    MockCluster cluster(1);
    auto consumer = make_consumer(cluster.config(), "idle");
    ASSERT_TRUE(consumer);
    EXPECT_TRUE(consumer->commit({}));
}

TEST(KafkaConsumer, InvalidOverrideIsRejectedNamingTheKey) {
    MockCluster cluster(1);
    KafkaClientConfig config = cluster.config();
    config.extra = {{"no.such.property", "1"}};
    expect_refused(KafkaConsumer::create(config, "g"), "no.such.property");
    config.extra = {{"session.timeout.ms", "not-a-number"}};
    expect_refused(KafkaConsumer::create(config, "g"), "session.timeout.ms");
}

TEST(KafkaConsumer, MissingGroupOrBrokersIsInvalidArgument) {
    expect_refused(KafkaConsumer::create(KafkaClientConfig{"127.0.0.1:1", {}}, ""), "group");
    expect_refused(KafkaConsumer::create(KafkaClientConfig{}, "g"), "--brokers");
}

} // namespace
} // namespace ticklake
