// RAII owners for librdkafka handles. Only files in src/kafka/ include librdkafka.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>

#include "common/error.h"
#include "kafka/kafka_client_config.h"

namespace ticklake::rdkafka {

struct ConfDeleter {
    void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
struct HandleDeleter {
    void operator()(rd_kafka_t* k) const { rd_kafka_destroy(k); }
};
struct QueueDeleter {
    void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct EventDeleter {
    void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
struct PartitionListDeleter {
    void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
struct MessageDeleter {
    void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
struct MetadataDeleter {
    void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};

using Conf = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using Queue = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using Metadata = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

//! Sets one property; invalid_argument naming the key when librdkafka refuses it.
Status set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value);

//! A conf with bootstrap.servers, our defaults (given), then the user's -X overrides.
Result<Conf> make_conf(const KafkaClientConfig& config,
                       std::initializer_list<std::pair<const char*, const char*>> defaults);

Result<Handle> make_handle(rd_kafka_type_t type, Conf conf);

//! Maps a librdkafka error to what the caller should do.
Error to_error(rd_kafka_resp_err_t err, const std::string& context);

} // namespace ticklake::rdkafka
