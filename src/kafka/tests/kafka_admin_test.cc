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

// The 2.0.2 mock places every partition on all its brokers (up to its default replication
// factor), whatever factor a topic is created with: three brokers, three replicas.
TEST(KafkaAdmin, ListShowsPartitionsAndReplicationAndHidesInternalTopics) {
    MockCluster cluster(3);
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster.get(), "ticks", 6, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster.get(), "bars", 1, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster.get(), "__consumer_offsets", 2, 1), RD_KAFKA_RESP_ERR_NO_ERROR);

    auto topics = list_topics(cluster.config(), false, 5s);
    ASSERT_TRUE(topics) << topics.error().message;
    ASSERT_EQ(topics->size(), 2u);
    EXPECT_EQ((*topics)[0].name, "bars");  // sorted by name
    EXPECT_EQ((*topics)[0].partition_count, 1);
    EXPECT_EQ((*topics)[0].replication_factor, 3);
    EXPECT_EQ((*topics)[1].name, "ticks");
    EXPECT_EQ((*topics)[1].partition_count, 6);
    EXPECT_EQ((*topics)[1].replication_factor, 3);
    EXPECT_FALSE((*topics)[1].internal);

    auto all = list_topics(cluster.config(), true, 5s);
    ASSERT_TRUE(all) << all.error().message;
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].name, "__consumer_offsets");
    EXPECT_TRUE((*all)[0].internal);
}

TEST(KafkaAdmin, ListOfAClosedPortSaysRetryAndHowToStartABroker) {
    const std::string address = "127.0.0.1:" + std::to_string(testing::closed_local_port());
    auto topics = list_topics(KafkaClientConfig{address, {}}, false, 1500ms);
    ASSERT_FALSE(topics);
    EXPECT_EQ(topics.error().kind, ErrorKind::retry);
    EXPECT_NE(topics.error().message.find("listing topics"), std::string::npos) << topics.error().message;
    EXPECT_NE(topics.error().message.find("ticklake kafka start"), std::string::npos) << topics.error().message;
}

TEST(KafkaAdmin, DescribeOfAMissingTopicIsNotFound) {
    MockCluster cluster(1);
    rd_kafka_mock_topic_set_error(cluster.get(), "no-such-topic", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    auto d = describe_topic(cluster.config(), "no-such-topic", 5s);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().kind, ErrorKind::not_found) << d.error().message;
    EXPECT_NE(d.error().message.find("no-such-topic"), std::string::npos) << d.error().message;
}

// The 2.0.2 mock answers metadata but not DescribeConfigs (nor CreateTopics, DeleteTopics): the
// partitions of a description are checked against a real broker in
// tests/integration/test_kafka_topics.py. Here: a request left unanswered ends in time.
TEST(KafkaAdmin, DescribeWithoutAnAnswerToDescribeConfigsSaysRetryWithinItsTimeout) {
    MockCluster cluster(1);
    cluster.create_topic("ticks", 2);
    const auto start = std::chrono::steady_clock::now();
    auto d = describe_topic(cluster.config(), "ticks", 1s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().kind, ErrorKind::retry) << d.error().message;
    EXPECT_NE(d.error().message.find("configs of topic ticks"), std::string::npos) << d.error().message;
}

TEST(KafkaAdmin, CreateRefusesBadSettingsBeforeAskingTheCluster) {
    const KafkaClientConfig nowhere{"127.0.0.1:" + std::to_string(testing::closed_local_port()), {}};
    for (const TopicSpec& spec : {TopicSpec{"t", -3, 1, {}}, TopicSpec{"t", 1, -7, {}}}) {
        auto created = create_topic(nowhere, spec, false, 1s);
        ASSERT_FALSE(created);
        EXPECT_EQ(created.error().kind, ErrorKind::invalid_argument) << created.error().message;
    }
}

TEST(KafkaAdmin, AdminErrorsOfAnUnreachableClusterSayRetryWithinTheTimeout) {
    const std::string address = "127.0.0.1:" + std::to_string(testing::closed_local_port());
    const KafkaClientConfig nowhere{address, {}};
    const auto start = std::chrono::steady_clock::now();
    auto created = create_topic(nowhere, TopicSpec{"t", 1, 1, {{"retention.ms", "1000"}}}, false, 1s);
    auto deleted = delete_topic(nowhere, "t", true, 1s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);
    ASSERT_FALSE(created);
    ASSERT_FALSE(deleted);
    for (const Error& e : {created.error(), deleted.error()}) {
        EXPECT_EQ(e.kind, ErrorKind::retry) << e.message;
        EXPECT_NE(e.message.find(address), std::string::npos) << e.message;
        EXPECT_NE(e.message.find("topic t"), std::string::npos) << e.message;
    }
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
