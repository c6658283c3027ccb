// Test support for src/kafka: an in-process librdkafka mock cluster, and a raw reader that
// reads a whole topic back (with headers, which ConsumedMessage does not expose).
//
// @locality the mock brokers run on librdkafka threads owned by the cluster's throwaway
// handle. Every client that talks to the cluster must be destroyed before the MockCluster.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kafka/kafka_client_config.h"

namespace ticklake::testing {

// Kafka protocol ApiKeys (rdkafka_protocol.h is not installed by librdkafka-dev).
inline constexpr int16_t kApiProduce = 0;
inline constexpr int16_t kApiOffsetCommit = 8;

class MockCluster {
public:
    explicit MockCluster(int broker_count);
    ~MockCluster();
    MockCluster(const MockCluster&) = delete;
    MockCluster& operator=(const MockCluster&) = delete;

    rd_kafka_mock_cluster_t* get() const { return mock_; }
    std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(mock_); }
    KafkaClientConfig config() const { return KafkaClientConfig{bootstraps(), {}}; }
    void create_topic(const std::string& topic, int partitions);
    //! Whether the cluster knows the topic, asked without allowing auto-creation.
    bool topic_exists(const std::string& topic);

private:
    rd_kafka_t* owner_ = nullptr; //!< throwaway handle the cluster is bound to
    rd_kafka_mock_cluster_t* mock_ = nullptr;
};

struct RawMessage {
    int32_t partition = 0;
    int64_t offset = 0;
    std::string key;
    std::string value;
    std::optional<std::string> type_header; //!< the "type" header, if present
    size_t header_count = 0;
};

//! Every message of `topic` from the beginning of all its partitions, read with an
//! assign()-ed (group-less) consumer until each partition reports EOF or `timeout` passes.
std::vector<RawMessage> read_topic(const std::string& brokers, const std::string& topic, int partitions,
                                   std::chrono::milliseconds timeout);

//! A TCP port on 127.0.0.1 nothing listens on (bound, then closed).
int closed_local_port();

} // namespace ticklake::testing
