#include "broker/broker_config.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

namespace ticklake::broker {
namespace {

std::map<std::string, std::string> parse_properties(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        auto eq = line.find('=');
        EXPECT_NE(eq, std::string::npos) << line;
        EXPECT_FALSE(out.contains(line.substr(0, eq))) << "duplicate key " << line;
        out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
}

TEST(BrokerConfig, RendersSingleNodeKraftOnLoopback) {
    BrokerConfig c;
    c.port = 19092;
    c.controller_port = 19193;
    c.data_dir = "/tmp/state/data";
    auto p = parse_properties(render_server_properties(c));
    EXPECT_EQ(p["process.roles"], "broker,controller");
    EXPECT_EQ(p["node.id"], "1");
    EXPECT_EQ(p["listeners"], "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19193");
    EXPECT_EQ(p["advertised.listeners"], "PLAINTEXT://127.0.0.1:19092");
    EXPECT_EQ(p["controller.listener.names"], "CONTROLLER");
    EXPECT_EQ(p["listener.security.protocol.map"], "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    EXPECT_EQ(p["controller.quorum.bootstrap.servers"], "127.0.0.1:19193");
    EXPECT_FALSE(p.contains("controller.quorum.voters")) << "--standalone format refuses static voters";
    EXPECT_EQ(p["log.dirs"], "/tmp/state/data");
    for (const char* key : {"offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                            "transaction.state.log.min.isr", "share.coordinator.state.topic.replication.factor",
                            "share.coordinator.state.topic.min.isr", "num.partitions"}) {
        EXPECT_EQ(p[key], "1") << key;
    }
    EXPECT_EQ(p["group.initial.rebalance.delay.ms"], "0");
    EXPECT_EQ(p["auto.create.topics.enable"], "true") << "Apache Kafka's default: clients may send to new topics";
    EXPECT_EQ(p["log.segment.bytes"], std::to_string(256 << 20));
    EXPECT_EQ(p["log.retention.hours"], "168");
    EXPECT_EQ(c.bootstrap(), "127.0.0.1:19092");
}

TEST(BrokerConfig, NoAutoCreateTurnsTopicCreationOnFirstUseOff) {
    BrokerConfig c;
    c.auto_create_topics = false;
    auto p = parse_properties(render_server_properties(c));
    EXPECT_EQ(p["auto.create.topics.enable"], "false");
    EXPECT_EQ(p["num.partitions"], "1");
}

TEST(BrokerConfig, Log4jWritesServerLogAndNothingToConsole) {
    auto text = render_log4j2_properties("/s/logs");
    EXPECT_NE(text.find("fileName = /s/logs/server.log\n"), std::string::npos) << text;
    EXPECT_NE(text.find("rootLogger.level = info\n"), std::string::npos);
    EXPECT_EQ(text.find("Console"), std::string::npos) << "broker output must stay off the terminal";
}

TEST(BrokerConfig, ClusterIdsAreValidAndDistinct) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto id = new_cluster_id();
        EXPECT_EQ(id.size(), 22u);
        EXPECT_TRUE(is_valid_cluster_id(id)) << id;
        EXPECT_NE(id.front(), '-');
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(BrokerConfig, ClusterIdValidation) {
    EXPECT_TRUE(is_valid_cluster_id("aeQHNlzOSWygfGe26GAD9Q"));  // printed by kafka-storage random-uuid
    EXPECT_FALSE(is_valid_cluster_id("aeQHNlzOSWygfGe26GAD9"));   // 21 chars
    EXPECT_FALSE(is_valid_cluster_id("aeQHNlzOSWygfGe26GAD9Q="));
    EXPECT_FALSE(is_valid_cluster_id("aeQHNlzOSWygfGe26GAD9+"));  // base64, not base64url
    EXPECT_FALSE(is_valid_cluster_id("aeQHNlzOSWygfGe26GAD9R"));  // trailing bits beyond 128 set
}

} // namespace
} // namespace ticklake::broker
