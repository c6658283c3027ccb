// Cluster-level operations: metadata probes and topic creation (Admin API).
#pragma once

#include <chrono>
#include <string>

#include "common/error.h"
#include "kafka/kafka_client_config.h"

namespace ticklake {

struct ClusterInfo {
    int broker_count = 0;
    std::string cluster_id;
};

//! One metadata request; ErrorKind::retry when no broker answered within timeout.
Result<ClusterInfo> probe_cluster(const KafkaClientConfig& config, std::chrono::milliseconds timeout);

//! Creates the topic when missing (no-op when it exists). replication_factor -1 = broker default.
Status ensure_topic(const KafkaClientConfig& config, const std::string& topic, int partitions,
                    int replication_factor, std::chrono::milliseconds timeout);

//! Number of partitions of an existing topic, or not_found.
Result<int> topic_partition_count(const KafkaClientConfig& config, const std::string& topic,
                                  std::chrono::milliseconds timeout);

} // namespace ticklake
