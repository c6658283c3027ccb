// Cluster probe and topic metadata against an in-process mock cluster, and against a port
// nothing listens on.
#include "kafka/kafka_admin.h"

#include <gtest/gtest.h>

#include <string>

#include "kafka/tests/mock_cluster.h"

namespace ticklake {
namespace {

using namespace std::chrono_literals;
using testing::MockCluster;

TEST(KafkaAdmin, ProbeCountsTheBrokersOfTheCluster) {
    MockCluster cluster(3);
    auto info = probe_cluster(cluster.config(), 5s);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->broker_count, 3);
    EXPECT_FALSE(info->cluster_id.empty());
}

TEST(KafkaAdmin, ProbeOfAClosedPortSaysRetryAndHowToStartABroker) {
    const std::string address = "127.0.0.1:" + std::to_string(testing::closed_local_port());
    const auto start = std::chrono::steady_clock::now();
    auto info = probe_cluster(KafkaClientConfig{address, {}}, 1500ms);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().kind, ErrorKind::retry);
    EXPECT_NE(info.error().message.find(address), std::string::npos) << info.error().message;
    EXPECT_NE(info.error().message.find("ticklake kafka start"), std::string::npos) << info.error().message;
}

TEST(KafkaAdmin, NoBrokersIsInvalidArgument) {
    auto info = probe_cluster(KafkaClientConfig{}, 1s);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().kind, ErrorKind::invalid_argument);
}

TEST(KafkaAdmin, PartitionCountOfAnExistingTopic) {
    MockCluster cluster(1);
    cluster.create_topic("ticks", 6);
    auto n = topic_partition_count(cluster.config(), "ticks", 5s);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(*n, 6);
}

// The 2.0.2 mock creates every topic a Metadata request names, even with
// allow.auto.create.topics=false, so a missing topic is simulated by the topic error a
// broker returns for it.
TEST(KafkaAdmin, PartitionCountOfAMissingTopicIsNotFound) {
    MockCluster cluster(1);
    rd_kafka_mock_topic_set_error(cluster.get(), "no-such-topic", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    auto n = topic_partition_count(cluster.config(), "no-such-topic", 5s);
    ASSERT_FALSE(n) << "got " << *n << " partitions";
    EXPECT_EQ(n.error().kind, ErrorKind::not_found);
    EXPECT_NE(n.error().message.find("no-such-topic"), std::string::npos) << n.error().message;
}

TEST(KafkaAdmin, EnsureTopicRejectsAnImpossiblePartitionCount) {
    MockCluster cluster(1);
    auto st = ensure_topic(cluster.config(), "ticks", -3, 1, 2s);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(st.error().message.find("ticks"), std::string::npos) << st.error().message;
}

// The 2.0.2 mock does not implement CreateTopics (rdkafka_mock.h says so): the request is
// never answered, which is what a hung controller looks like. Creation itself is untested.
TEST(KafkaAdmin, EnsureTopicWithoutAnAnswerSaysRetryWithinItsTimeout) {
    MockCluster cluster(1);
    const auto start = std::chrono::steady_clock::now();
    auto st = ensure_topic(cluster.config(), "ticks", 3, 1, 1s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::retry) << st.error().message;
    EXPECT_NE(st.error().message.find("ticks"), std::string::npos) << st.error().message;
}

TEST(KafkaAdmin, InvalidOverrideIsRejectedNamingTheKey) {
    MockCluster cluster(1);
    KafkaClientConfig config = cluster.config();
    config.extra = {{"no.such.property", "1"}};
    auto info = probe_cluster(config, 1s);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(info.error().message.find("no.such.property"), std::string::npos) << info.error().message;
}

} // namespace
} // namespace ticklake
