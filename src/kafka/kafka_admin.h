// Cluster-level operations: metadata probes, topic administration (list, describe with
// configs, create, delete; what `kafka-topics.sh` does) and consumer-group lag. Each call opens
// one short-lived client, so they suit commands, not hot paths.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
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

//! A topic as a listing shows it.
struct TopicSummary {
    std::string name;
    int partition_count = 0;
    int replication_factor = 0; //!< replicas per partition (the largest count, should partitions differ)
    bool internal = false;      //!< Kafka's own, named `__...` (__consumer_offsets, __transaction_state)
};

//! Every topic of the cluster, sorted by name; internal ones only when include_internal.
Result<std::vector<TopicSummary>> list_topics(const KafkaClientConfig& config, bool include_internal,
                                              std::chrono::milliseconds timeout);

//! Where one partition lives, by broker id.
struct PartitionReplicas {
    int32_t partition = 0;
    int32_t leader = -1; //!< -1 while the partition has no leader
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr; //!< the replicas in sync with the leader
};

//! One topic setting as DescribeConfigs reports it.
struct TopicConfigEntry {
    std::string name;
    std::optional<std::string> value; //!< none when the broker withholds it (sensitive) or has none
    //! Where the value comes from, in Kafka's words: DYNAMIC_TOPIC_CONFIG (set on the topic),
    //! STATIC_BROKER_CONFIG (server.properties), DEFAULT_CONFIG (Kafka's default), ...
    std::string source;
    bool is_default = false; //!< nobody set it: Kafka's built-in default
    bool read_only = false;
    bool sensitive = false;
};

struct TopicDescription {
    TopicSummary summary;
    std::vector<PartitionReplicas> partitions; //!< by partition id
    std::vector<TopicConfigEntry> configs;     //!< every config of the topic, by name
};

//! Partitions (metadata) and configs (DescribeConfigs) of one topic; not_found when missing.
Result<TopicDescription> describe_topic(const KafkaClientConfig& config, const std::string& topic,
                                        std::chrono::milliseconds timeout);

//! What CreateTopics is asked for; -1 leaves a count to the broker (num.partitions,
//! default.replication.factor).
struct TopicSpec {
    std::string name;
    int partitions = -1;
    int replication_factor = -1;
    std::vector<std::pair<std::string, std::string>> configs; //!< e.g. {"cleanup.policy", "compact"}
};

//! true when created; false when it existed and if_not_exists (nothing is changed then).
//! An existing topic is otherwise fatal; settings the broker refuses (a replication factor
//! above the broker count, an unknown config) are invalid_argument with the broker's reason.
Result<bool> create_topic(const KafkaClientConfig& config, const TopicSpec& spec, bool if_not_exists,
                          std::chrono::milliseconds timeout);

//! true when deleted; false when it was missing and if_exists (else not_found).
Result<bool> delete_topic(const KafkaClientConfig& config, const std::string& topic, bool if_exists,
                          std::chrono::milliseconds timeout);

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
