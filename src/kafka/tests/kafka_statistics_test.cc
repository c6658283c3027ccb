// librdkafka's statistics JSON -> ticklake_kafka_* metrics: a document shaped as librdkafka
// 2.0 writes it (STATISTICS.md), and a real producer's reports from the mock cluster.
#include "kafka/kafka_statistics.h"

#include <gtest/gtest.h>

#include <thread>

#include "kafka/kafka_producer.h"
#include "kafka/tests/mock_cluster.h"

namespace ticklake {
namespace {

constexpr std::string_view kConsumerStats = R"({
  "name": "rdkafka#consumer-1", "client_id": "rdkafka", "type": "consumer", "ts": 1, "time": 2,
  "replyq": 3, "msg_cnt": 0, "msg_size": 0, "tx": 40, "tx_bytes": 4000, "rx": 39, "rx_bytes": 90000,
  "txmsgs": 0, "txmsg_bytes": 0, "rxmsgs": 1200, "rxmsg_bytes": 150000,
  "brokers": {
    "127.0.0.1:9092/1": {"name": "127.0.0.1:9092/1", "nodeid": 1, "source": "learned", "state": "UP",
                          "outbuf_cnt": 2, "waitresp_cnt": 1, "txerrs": 1, "rxerrs": 2, "req_timeouts": 4,
                          "disconnects": 5, "rtt": {"min": 100, "max": 900, "avg": 2500, "cnt": 10}},
    "127.0.0.1:9092/bootstrap": {"name": "127.0.0.1:9092/bootstrap", "nodeid": -1, "source": "configured",
                                  "state": "UP", "rtt": {"avg": 7}},
    "GroupCoordinator": {"name": "GroupCoordinator", "nodeid": -1, "source": "logical", "state": "UP"}
  },
  "topics": {"ticks": {"topic": "ticks", "partitions": {
      "0": {"partition": 0, "consumer_lag": 17, "hi_offset": 100},
      "1": {"partition": 1, "consumer_lag": -1},
      "-1": {"partition": -1, "consumer_lag": -1}}}},
  "cgrp": {"state": "up", "rebalance_cnt": 2, "assignment_size": 2}
})";

TEST(KafkaStatistics, ConsumerDocumentMapsToMetrics) {
    metrics::Registry r;
    ASSERT_TRUE(record_kafka_statistics(kConsumerStats, r));
    const std::string text = r.render();
    for (const char* line : {
             "ticklake_kafka_statistics_total{client=\"consumer\"} 1\n",
             "ticklake_kafka_replyq{client=\"consumer\"} 3\n",
             "ticklake_kafka_rx_messages_total{client=\"consumer\"} 1200\n",
             "ticklake_kafka_rx_message_bytes_total{client=\"consumer\"} 150000\n",
             "ticklake_kafka_requests_total{client=\"consumer\"} 40\n",
             "ticklake_kafka_broker_rtt_seconds{client=\"consumer\",broker=\"127.0.0.1:9092/1\"} 0.0025\n",
             "ticklake_kafka_broker_up{client=\"consumer\",broker=\"127.0.0.1:9092/1\"} 1\n",
             "ticklake_kafka_broker_errors_total{client=\"consumer\",broker=\"127.0.0.1:9092/1\"} 3\n",
             "ticklake_kafka_broker_request_timeouts_total{client=\"consumer\",broker=\"127.0.0.1:9092/1\"} 4\n",
             "ticklake_kafka_brokers_up{client=\"consumer\"} 1\n",
             "ticklake_kafka_consumer_lag_messages{client=\"consumer\",topic=\"ticks\",partition=\"0\"} 17\n",
             "ticklake_kafka_consumer_rebalances_total{client=\"consumer\"} 2\n",
         }) {
        EXPECT_NE(text.find(line), std::string::npos) << line << "\nnot in\n" << text;
    }
    // Bootstrap and logical brokers are not connections; unconsumed partitions have no lag.
    EXPECT_EQ(text.find("bootstrap"), std::string::npos);
    EXPECT_EQ(text.find("GroupCoordinator"), std::string::npos);
    EXPECT_EQ(text.find("partition=\"1\""), std::string::npos);
    EXPECT_EQ(text.find("partition=\"-1\""), std::string::npos);
}

TEST(KafkaStatistics, BadDocumentsAreRefused) {
    metrics::Registry r;
    EXPECT_FALSE(record_kafka_statistics("not json", r));
    EXPECT_FALSE(record_kafka_statistics("[1,2]", r));
    EXPECT_FALSE(record_kafka_statistics(R"({"replyq": 1})", r));
    EXPECT_EQ(r.render(), "");
}

// A real client's reports reach the process registry when statistics are asked for.
TEST(KafkaStatistics, ProducerReportsFromTheMockCluster) {
    testing::MockCluster cluster(1);
    cluster.create_topic("stats", 1);
    KafkaClientConfig config = cluster.config();
    config.statistics = true;
    config.extra.push_back({"statistics.interval.ms", "100"});
    auto& reports = metrics::process_registry()
                        .counter("ticklake_kafka_statistics_total", "Statistics reports received from librdkafka",
                                 {"client"})
                        .labels({"producer"});
    const uint64_t before = reports.value();
    {
        auto producer = KafkaProducer::create(config, ProducerOptions{});
        ASSERT_TRUE(producer) << producer.error().message;
        for (int i = 0; i < 10; ++i) {
            ASSERT_TRUE((*producer)->produce(Topic("stats"), "k", "v", "trade"));
        }
        ASSERT_TRUE((*producer)->flush(std::chrono::seconds(10)));
        for (int i = 0; i < 30 && reports.value() < before + 2; ++i) {
            (*producer)->poll(100);
        }
    }
    EXPECT_GE(reports.value(), before + 2);
    const std::string text = metrics::process_registry().render();
    EXPECT_NE(text.find("ticklake_kafka_tx_messages_total{client=\"producer\"} 10\n"), std::string::npos) << text;
}

} // namespace
} // namespace ticklake
