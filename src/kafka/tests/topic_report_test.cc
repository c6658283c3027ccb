// What `kafka topics list|describe` and `kafka lag` show, from values (no cluster here).
#include "kafka/topic_report.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

TopicDescription orders() {
    TopicDescription d;
    d.summary = TopicSummary{"orders", 2, 1, false};
    d.partitions = {PartitionReplicas{0, 1, {1}, {1}}, PartitionReplicas{1, -1, {1, 2}, {}}};
    d.configs = {TopicConfigEntry{"cleanup.policy", "compact", "DYNAMIC_TOPIC_CONFIG", false, false, false},
                 TopicConfigEntry{"retention.ms", "604800000", "DEFAULT_CONFIG", true, false, false},
                 TopicConfigEntry{"sasl.secret", std::nullopt, "DYNAMIC_TOPIC_CONFIG", false, false, true}};
    return d;
}

TEST(TopicReport, ListAsJsonAndRows) {
    const std::vector<TopicSummary> topics = {{"a", 3, 1, false}, {"__consumer_offsets", 50, 1, true}};
    const std::string json = topics_json(topics);
    EXPECT_TRUE(json.starts_with("[")) << json;
    EXPECT_NE(json.find("__consumer_offsets"), std::string::npos) << json;
    EXPECT_EQ(topics_text(topics), "TOPIC               PARTITIONS  REPLICATION\n"
                                   "a                            3            1\n"
                                   "__consumer_offsets          50            1\n");
}

TEST(TopicReport, DescribeHidesDefaultsAndSensitiveValues) {
    const TopicDescription d = orders();
    const TopicDescriptionView view(d, false);
    EXPECT_EQ(view.text(), "topic: orders\npartitions: 2\nreplication_factor: 1\n\n"
                           "PARTITION  LEADER  REPLICAS  ISR\n"
                           "        0       1  1         1\n"
                           "        1    none  1,2\n"
                           "\n"
                           "CONFIG          VALUE        SOURCE\n"
                           "cleanup.policy  compact      DYNAMIC_TOPIC_CONFIG\n"
                           "sasl.secret     (sensitive)  DYNAMIC_TOPIC_CONFIG\n"
                           "(1 more at Kafka's defaults: --all-configs lists them)\n");
    EXPECT_NE(view.json().find("\"isr\""), std::string::npos);
    EXPECT_EQ(view.json().find("retention.ms"), std::string::npos);
    const TopicDescriptionView all(d, true);
    EXPECT_NE(all.text().find("retention.ms"), std::string::npos);
    EXPECT_EQ(all.text().find("more at Kafka's defaults"), std::string::npos);
}

TEST(TopicReport, CreateConfigsSplitAtTheFirstEquals) {
    const TopicSpec spec = topic_spec("t", 6, -1, {"cleanup.policy=compact", "x=a=b"});
    EXPECT_EQ(spec.partitions, 6);
    ASSERT_EQ(spec.configs.size(), 2u);
    EXPECT_EQ(spec.configs[1], (std::pair<std::string, std::string>{"x", "a=b"}));
    EXPECT_EQ(key_value_problem("a=1"), "");
    EXPECT_EQ(key_value_problem("=1"), "expects KEY=VALUE, e.g. retention.ms=86400000, got '=1'");
    EXPECT_NE(key_value_problem("novalue"), "");
}

TEST(TopicReport, LagTableWithTotalOrJsonLines) {
    const std::vector<PartitionLag> lags = {{0, 5, 0, 10}, {1, -1, 2, 4}};
    EXPECT_EQ(render_lag(lags, false), "PARTITION      COMMITTED            END          LAG\n"
                                        "        0              5             10            5\n"
                                        "        1              -              4            2\n"
                                        "    total                                          7\n");
    EXPECT_EQ(render_lag(lags, true), "{\"partition\":0,\"committed\":5,\"low\":0,\"high\":10,\"lag\":5}\n"
                                      "{\"partition\":1,\"committed\":-1,\"low\":2,\"high\":4,\"lag\":2}\n");
}

// Every action asks the cluster first; its error comes back as it is (the happy paths run
// against the real broker in tests/integration/test_kafka_topics.py).
TEST(TopicReport, RunTopicsPassesTheClustersErrorOn) {
    TopicsRequest r;
    r.topic = "orders";
    r.timeout_s = 1;
    for (auto action : {TopicsAction::list, TopicsAction::describe, TopicsAction::create, TopicsAction::remove}) {
        auto out = run_topics(action, KafkaClientConfig{"", {}}, r);
        ASSERT_FALSE(out) << *out;
        EXPECT_EQ(out.error().kind, ErrorKind::invalid_argument) << out.error().message;
    }
}

} // namespace
} // namespace ticklake
