// Regression tests for issue #12 item 2: a -X applied after ticklake's own settings must not
// undo what exactly-once depends on. Each pinned setting, with its aliases and spellings, is
// refused with a message naming the -X and why; values that keep the invariant, and settings
// users legitimately change, pass.
#include "kafka/pinned_settings.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "kafka/kafka_consumer.h"
#include "kafka/kafka_producer.h"
#include "kafka/rdkafka_handle.h"

namespace ticklake {
namespace {

using Setting = std::pair<std::string, std::string>;

KafkaClientConfig with(std::vector<Setting> extra) { return KafkaClientConfig{"127.0.0.1:9", std::move(extra)}; }

void expect_refused(KafkaClientRole role, const Setting& s, const std::string& pinned_key) {
    auto st = check_pinned(with({{"client.id", "x"}, s}), role);
    ASSERT_FALSE(st) << "-X " << s.first << "=" << s.second << " was accepted";
    EXPECT_EQ(st.error().kind, ErrorKind::invalid_argument);
    const std::string& m = st.error().message;
    EXPECT_EQ(m.rfind("-X " + s.first + "=" + s.second + " is not allowed: ", 0), 0u) << m;
    EXPECT_NE(m.find("(" + pinned_key + " must be "), std::string::npos) << m;
}

void expect_allowed(KafkaClientRole role, const Setting& s) {
    auto st = check_pinned(with({s}), role);
    EXPECT_TRUE(st) << "-X " << s.first << "=" << s.second << ": " << st.error().message;
}

TEST(PinnedSettings, ConsumerRefusesAutoCommitInEverySpelling) {
    for (const Setting& s : std::vector<Setting>{{"enable.auto.commit", "true"},
                                                 {"enable.auto.commit", "TRUE"},
                                                 {"enable.auto.commit", "1"},
                                                 {"auto.commit.enable", "true"}}) {
        expect_refused(KafkaClientRole::consumer, s, "enable.auto.commit");
    }
    auto st = check_pinned(with({{"enable.auto.commit", "true"}}), KafkaClientRole::consumer);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("commits offsets only after files are durable"), std::string::npos);
    expect_allowed(KafkaClientRole::consumer, {"enable.auto.commit", "false"});
}

TEST(PinnedSettings, ConsumerRefusesAutoOffsetStore) {
    expect_refused(KafkaClientRole::consumer, {"enable.auto.offset.store", "true"}, "enable.auto.offset.store");
    expect_allowed(KafkaClientRole::consumer, {"enable.auto.offset.store", "false"});
}

TEST(PinnedSettings, ConsumerRefusesReadUncommitted) {
    expect_refused(KafkaClientRole::consumer, {"isolation.level", "read_uncommitted"}, "isolation.level");
    expect_allowed(KafkaClientRole::consumer, {"isolation.level", "read_committed"});
}

TEST(PinnedSettings, ConsumerRefusesTurningOffPartitionEof) {
    expect_refused(KafkaClientRole::consumer, {"enable.partition.eof", "false"}, "enable.partition.eof");
    expect_allowed(KafkaClientRole::consumer, {"enable.partition.eof", "true"});
}

TEST(PinnedSettings, ConsumerRefusesAGroupOtherThanGroupFlag) {
    expect_refused(KafkaClientRole::consumer, {"group.id", "other"}, "group.id");
}

TEST(PinnedSettings, ConsumerRefusesCooperativeRebalancingWhereLibrdkafkaLosesTheAssignment) {
    // Measured with 2.0.2: a commit meeting a cooperative rebalance made librdkafka drop the
    // whole assignment and the sink stop (librdkafka issue #4059, fixed in 2.10).
    for (const Setting& s : std::vector<Setting>{{"partition.assignment.strategy", "cooperative-sticky"},
                                                 {"partition.assignment.strategy", "range,cooperative-sticky"}}) {
        if (rd_kafka_version() < 0x020a0000) {
            expect_refused(KafkaClientRole::consumer, s, "partition.assignment.strategy");
        } else {
            expect_allowed(KafkaClientRole::consumer, s);
        }
    }
    auto st =
        check_pinned(with({{"partition.assignment.strategy", "cooperative-sticky"}}), KafkaClientRole::consumer);
    if (!st) {
        EXPECT_NE(st.error().message.find("librdkafka issue #4059"), std::string::npos) << st.error().message;
    }
    for (const char* eager : {"range", "roundrobin", "range,roundrobin", "roundrobin, range"}) {
        expect_allowed(KafkaClientRole::consumer, {"partition.assignment.strategy", eager});
    }
}

TEST(PinnedSettings, ConsumerRefusesTheKip848GroupProtocol) {
    // librdkafka 2.0.2 does not know group.protocol at all; the refusal must still say why
    // rather than "No such configuration property".
    expect_refused(KafkaClientRole::consumer, {"group.protocol", "consumer"}, "group.protocol");
}

TEST(PinnedSettings, ProducerRefusesTurningOffIdempotence) {
    expect_refused(KafkaClientRole::producer, {"enable.idempotence", "false"}, "enable.idempotence");
    expect_refused(KafkaClientRole::producer, {"enable.idempotence", "0"}, "enable.idempotence");
    expect_allowed(KafkaClientRole::producer, {"enable.idempotence", "true"});
}

TEST(PinnedSettings, ProducerRefusesAcksOtherThanAllInEverySpelling) {
    for (const Setting& s : std::vector<Setting>{{"acks", "1"}, {"acks", "0"}, {"request.required.acks", "1"}}) {
        expect_refused(KafkaClientRole::producer, s, "acks");
    }
    expect_allowed(KafkaClientRole::producer, {"acks", "all"});
    expect_allowed(KafkaClientRole::producer, {"acks", "-1"});
    expect_allowed(KafkaClientRole::producer, {"request.required.acks", "all"});
}

TEST(PinnedSettings, ProducerRefusesMoreThanFiveRequestsInFlight) {
    expect_refused(KafkaClientRole::producer, {"max.in.flight.requests.per.connection", "6"},
                   "max.in.flight.requests.per.connection");
    expect_refused(KafkaClientRole::producer, {"max.in.flight", "1000"}, "max.in.flight.requests.per.connection");
    expect_allowed(KafkaClientRole::producer, {"max.in.flight", "1"});
    expect_allowed(KafkaClientRole::producer, {"max.in.flight.requests.per.connection", "5"});
}

TEST(PinnedSettings, ProducerRefusesZeroRetries) {
    expect_refused(KafkaClientRole::producer, {"retries", "0"}, "message.send.max.retries");
    expect_refused(KafkaClientRole::producer, {"message.send.max.retries", "0"}, "message.send.max.retries");
    expect_allowed(KafkaClientRole::producer, {"retries", "10"});
}

TEST(PinnedSettings, ProducerRefusesATransactionalId) {
    expect_refused(KafkaClientRole::producer, {"transactional.id", "tx-1"}, "transactional.id");
}

TEST(PinnedSettings, WhatUsersMayTuneStaysFree) {
    for (const Setting& s : std::vector<Setting>{{"security.protocol", "SASL_SSL"},
                                                 {"sasl.mechanisms", "PLAIN"},
                                                 {"sasl.username", "u"},
                                                 {"fetch.max.bytes", "1048576"},
                                                 {"queued.max.messages.kbytes", "65536"},
                                                 {"partition.assignment.strategy", "roundrobin"},
                                                 {"auto.offset.reset", "latest"},
                                                 {"session.timeout.ms", "30000"}}) {
        expect_allowed(KafkaClientRole::consumer, s);
    }
    for (const Setting& s : std::vector<Setting>{
             {"linger.ms", "50"}, {"compression.type", "zstd"}, {"batch.size", "65536"}, {"client.id", "p"}}) {
        expect_allowed(KafkaClientRole::producer, s);
    }
}

TEST(PinnedSettings, EachClientHasOnlyItsOwnPins) {
    // A consumer's pins mean nothing to a producer or an admin client, and the other way round.
    expect_allowed(KafkaClientRole::producer, {"enable.auto.commit", "true"});
    expect_allowed(KafkaClientRole::consumer, {"acks", "1"});
    expect_allowed(KafkaClientRole::admin, {"group.id", "anything"});
}

TEST(PinnedSettings, InvalidValuesAreLeftToLibrdkafkasOwnMessage) {
    // acks=banana is no value of acks at all: librdkafka's refusal names it better.
    expect_allowed(KafkaClientRole::producer, {"acks", "banana"});
    auto conf = rdkafka::make_conf(KafkaClientRole::producer, with({{"acks", "banana"}}), {});
    ASSERT_FALSE(conf);
    EXPECT_NE(conf.error().message.find("Kafka setting acks"), std::string::npos) << conf.error().message;
}

TEST(PinnedSettings, TheClientsRefuseThroughMakeConf) {
    auto consumer = KafkaConsumer::create(with({{"enable.auto.commit", "true"}}), "g");
    ASSERT_FALSE(consumer);
    EXPECT_EQ(consumer.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(consumer.error().message.find("-X enable.auto.commit=true is not allowed"), std::string::npos)
        << consumer.error().message;

    auto producer = KafkaProducer::create(with({{"acks", "1"}}), ProducerOptions{});
    ASSERT_FALSE(producer);
    EXPECT_EQ(producer.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(producer.error().message.find("-X acks=1 is not allowed"), std::string::npos)
        << producer.error().message;
}

TEST(PinnedSettings, OurOwnDefaultsKeepEveryPin) {
    // verify_pinned is the last check on a finished conf: the clients' own defaults pass it.
    EXPECT_TRUE(KafkaConsumer::create(with({}), "g"));
    EXPECT_TRUE(KafkaProducer::create(with({}), ProducerOptions{}));
}

TEST(PinnedSettings, VerifyCatchesABrokenFinishedConf) {
    rdkafka::Conf conf(rd_kafka_conf_new());
    ASSERT_TRUE(rdkafka::set(conf.get(), "enable.idempotence", "true"));
    ASSERT_TRUE(rdkafka::set(conf.get(), "acks", "all"));
    ASSERT_TRUE(rdkafka::set(conf.get(), "max.in.flight", "5"));
    EXPECT_TRUE(verify_pinned(conf.get(), KafkaClientRole::producer));
    ASSERT_TRUE(rdkafka::set(conf.get(), "acks", "1"));
    auto st = verify_pinned(conf.get(), KafkaClientRole::producer);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("acks is 1, but must be all"), std::string::npos) << st.error().message;
}

TEST(PinnedSettings, DocsShowTheTableAsItIs) {
    std::ifstream in(std::string(TICKLAKE_SOURCE_DIR) + "/docs/kafka-settings.md");
    ASSERT_TRUE(in) << "docs/kafka-settings.md is missing";
    std::stringstream doc;
    doc << in.rdbuf();
    EXPECT_NE(doc.str().find(pinned_settings_markdown()), std::string::npos)
        << "docs/kafka-settings.md is out of date; its table must read:\n"
        << pinned_settings_markdown();
}

} // namespace
} // namespace ticklake
