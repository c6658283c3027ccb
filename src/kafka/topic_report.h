// What `ticklake kafka topics` and `kafka lag` show: JSON for scripts, aligned text for people.
// The command only prints it.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "kafka/kafka_admin.h"

namespace ticklake {

//! A JSON array of {topic, partition_count, replication_factor, internal}.
std::string topics_json(const std::vector<TopicSummary>& topics);
//! A TOPIC, PARTITIONS, REPLICATION table.
std::string topics_text(const std::vector<TopicSummary>& topics);

//! A topic's description as `topics describe` shows it: by default without the configs at
//! Kafka's built-in defaults.
struct TopicDescriptionView {
    const TopicDescription& description;
    std::vector<TopicConfigEntry> shown; //!< the configs listed

    TopicDescriptionView(const TopicDescription& d, bool all_configs);
    //! One JSON object: summary fields, partitions, the shown configs.
    std::string json() const;
    //! "topic:", "partitions:" and "replication_factor:" lines, a PARTITION, LEADER, REPLICAS,
    //! ISR table, a CONFIG, VALUE, SOURCE table (sensitive values not shown), and how many
    //! configs at Kafka's defaults were left out.
    std::string text() const;
};

//! `topics create`: the topic's configs from KEY=VALUE texts (split at the first '=').
TopicSpec topic_spec(const std::string& name, int partitions, int replication_factor,
                     const std::vector<std::string>& key_values);
//! "" when `text` is KEY=VALUE with a non-empty key, else why not.
std::string key_value_problem(const std::string& text);

//! `kafka lag`: a PARTITION/COMMITTED/END/LAG table with a total, or one JSON object per line.
std::string render_lag(const std::vector<PartitionLag>& lags, bool json);

//! What a `kafka topics` subcommand was asked; each field names the subcommands that read it.
struct TopicsRequest {
    std::string topic;                //!< describe, create, delete
    int timeout_s = 10;               //!< all: seconds to wait for the cluster's answer
    bool json = false;                //!< list, describe
    bool include_internal = false;    //!< list
    bool all_configs = false;         //!< describe
    int partitions = -1;              //!< create; -1 = the broker's num.partitions
    int replication_factor = -1;      //!< create; -1 = the broker's default.replication.factor
    std::vector<std::string> configs; //!< create, KEY=VALUE
    bool if_not_exists = false;       //!< create
    bool if_exists = false;           //!< delete
};

enum class TopicsAction { list, describe, create, remove };

//! Runs one `kafka topics` subcommand against the cluster: what it prints on stdout, or why it
//! failed (the cluster's error as it is).
Result<std::string> run_topics(TopicsAction action, const KafkaClientConfig& config, const TopicsRequest& r);

} // namespace ticklake
