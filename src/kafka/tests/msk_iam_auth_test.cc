// MSK IAM wiring: -X sasl.mechanism=AWS_MSK_IAM becomes SASL/OAUTHBEARER whose token comes from
// the AWS credential chain, and librdkafka accepts the token our refresh callback sets (on its
// background thread, before any connection). librdkafka's mock cluster has no SASL and a local
// Kafka only takes unsecured JWTs, so no broker checks the signature here: the token's content
// is aws/'s test, byte for byte against the reference signer.
#include "kafka/msk_iam_auth.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "kafka/kafka_producer.h"
#include "kafka/rdkafka_handle.h"
#include "kafka/tests/mock_cluster.h"

namespace ticklake {
namespace {

using namespace std::chrono_literals;

TEST(MskIam, OnlyTheLastMechanismSettingCounts) {
    KafkaClientConfig c{"b:9092", {{"sasl.mechanism", "AWS_MSK_IAM"}}};
    EXPECT_TRUE(rdkafka::wants_msk_iam(c));
    c.extra.emplace_back("sasl.mechanisms", "PLAIN");
    EXPECT_FALSE(rdkafka::wants_msk_iam(c));
    EXPECT_FALSE(rdkafka::wants_msk_iam(KafkaClientConfig{"b:9092", {}}));
}

TEST(MskIam, ProducerGetsATokenFromTheChainOnLibrdkafkasBackgroundThread) {
    // The chain reads the process environment: long-term test keys, a region, nothing else.
    setenv("AWS_ACCESS_KEY_ID", "AKIDMSKUNITTEST0000", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "msk-unit-test-secret", 1);
    setenv("AWS_REGION", "eu-west-1", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);

    testing::MockCluster cluster(1);
    cluster.create_topic("msk", 1);
    KafkaClientConfig config = cluster.config();
    config.extra = {{"security.protocol", "SASL_PLAINTEXT"}, {"sasl.mechanism", "AWS_MSK_IAM"}};
    auto conf = rdkafka::make_conf(KafkaClientRole::admin, config, {});
    ASSERT_TRUE(conf) << conf.error().message;
    char mechanism[64];
    size_t size = sizeof mechanism;
    ASSERT_EQ(rd_kafka_conf_get(conf->get(), "sasl.mechanisms", mechanism, &size), RD_KAFKA_CONF_OK);
    EXPECT_STREQ(mechanism, "OAUTHBEARER");
    EXPECT_TRUE(rdkafka::uses_msk_iam(conf->get()));

    const int before = rdkafka::msk_iam_counters().tokens;
    {
        auto producer = KafkaProducer::create(config, ProducerOptions{});
        ASSERT_TRUE(producer) << producer.error().message;
        // No poll() here: the callback must run without the application serving it.
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (rdkafka::msk_iam_counters().tokens == before && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(10ms);
        }
    }
    EXPECT_GT(rdkafka::msk_iam_counters().tokens, before);
    EXPECT_EQ(rdkafka::msk_iam_counters().failures, 0);
}

} // namespace
} // namespace ticklake
