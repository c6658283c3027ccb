// Cluster-level operations: metadata probes and topic creation (Admin API).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

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

//! Where a consumer group stands on one partition.
struct PartitionLag {
    int32_t partition = 0;
    int64_t committed = -1; //!< next offset the group will read; -1 when it never committed
    int64_t low = 0;        //!< earliest offset still in the log
    int64_t high = 0;       //!< end of the log (next offset to be written)
    //! Messages the group has yet to consume (from `low` when it never committed).
    int64_t lag() const { return high - (committed >= 0 ? committed : low); }
};

//! Committed offsets of `group` on every partition of `topic`, with the log's watermarks.
//! Asks the group coordinator without joining the group, so it never causes a rebalance.
Result<std::vector<PartitionLag>> group_lag(const KafkaClientConfig& config, const std::string& group,
                                            const std::string& topic, std::chrono::milliseconds timeout);

} // namespace ticklake
