// The one place librdkafka errors become ErrorKinds: what each kind of failure tells the
// caller to do.
#include "kafka/rdkafka_handle.h"

#include <gtest/gtest.h>

#include <string>

namespace ticklake::rdkafka {
namespace {

void expect_kind(rd_kafka_resp_err_t err, ErrorKind kind) {
    const Error e = to_error(err, "doing X");
    EXPECT_EQ(e.kind, kind) << rd_kafka_err2name(err) << " -> " << to_string(e.kind);
    EXPECT_EQ(e.message, std::string("doing X: ") + rd_kafka_err2str(err));
}

TEST(RdkafkaToError, TransientBrokerTroubleIsRetry) {
    for (auto err : {RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT,
                     RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR__QUEUE_FULL,
                     RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
                     RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                     RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
                     RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT}) {
        expect_kind(err, ErrorKind::retry);
    }
}

TEST(RdkafkaToError, UnknownTopicIsNotFound) {
    expect_kind(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, ErrorKind::not_found);
    expect_kind(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, ErrorKind::not_found);
}

TEST(RdkafkaToError, OneBadMessageIsPoison) {
    expect_kind(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, ErrorKind::poison);
}

TEST(RdkafkaToError, AdminRequestsTheBrokerRefusesAsAskedAreInvalidArguments) {
    for (auto err : {RD_KAFKA_RESP_ERR_INVALID_PARTITIONS, RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR,
                     RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT, RD_KAFKA_RESP_ERR_INVALID_CONFIG,
                     RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, RD_KAFKA_RESP_ERR_POLICY_VIOLATION}) {
        expect_kind(err, ErrorKind::invalid_argument);
    }
}

TEST(RdkafkaToError, EverythingElseIsFatal) {
    for (auto err : {RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                     RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR__INVALID_ARG,
                     RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH, RD_KAFKA_RESP_ERR_UNKNOWN}) {
        expect_kind(err, ErrorKind::fatal);
    }
}

TEST(RdkafkaConf, OverridesApplyLastAndBadOnesNameTheKey) {
    KafkaClientConfig config{"127.0.0.1:9092", {{"client.id", "from-user"}}};
    auto conf = make_conf(KafkaClientRole::admin, config, {{"client.id", "default"}});
    ASSERT_TRUE(conf) << conf.error().message;
    char value[64];
    size_t size = sizeof value;
    ASSERT_EQ(rd_kafka_conf_get(conf->get(), "client.id", value, &size), RD_KAFKA_CONF_OK);
    EXPECT_STREQ(value, "from-user");

    config.extra = {{"bogus.key", "1"}};
    auto bad = make_conf(KafkaClientRole::admin, config, {});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(bad.error().message.find("bogus.key"), std::string::npos) << bad.error().message;
}

} // namespace
} // namespace ticklake::rdkafka
