// RAII owners for librdkafka handles. Only files in src/kafka/ include librdkafka.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>

#include "common/error.h"
#include "kafka/kafka_client_config.h"
#include "kafka/pinned_settings.h"

namespace ticklake::rdkafka {

//! Frees a librdkafka object with its own destroy function, for std::unique_ptr.
template <class T, void (*Destroy)(T*)>
struct Destroyer {
    void operator()(T* p) const { Destroy(p); }
};

using Conf = std::unique_ptr<rd_kafka_conf_t, Destroyer<rd_kafka_conf_t, rd_kafka_conf_destroy>>;
using Handle = std::unique_ptr<rd_kafka_t, Destroyer<rd_kafka_t, rd_kafka_destroy>>;
using Queue = std::unique_ptr<rd_kafka_queue_t, Destroyer<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, Destroyer<rd_kafka_event_t, rd_kafka_event_destroy>>;
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                      Destroyer<rd_kafka_topic_partition_list_t, rd_kafka_topic_partition_list_destroy>>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, Destroyer<rd_kafka_message_t, rd_kafka_message_destroy>>;
using Metadata =
    std::unique_ptr<const rd_kafka_metadata_t, Destroyer<const rd_kafka_metadata_t, rd_kafka_metadata_destroy>>;

//! Sets one property; invalid_argument naming the key when librdkafka refuses it.
Status set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value);

//! A conf with bootstrap.servers, our defaults (given), then the user's -X overrides, except
//! that a -X changing a setting pinned for role (pinned_settings.h) is refused.
Result<Conf> make_conf(KafkaClientRole role, const KafkaClientConfig& config,
                       std::initializer_list<std::pair<const char*, const char*>> defaults);

Result<Handle> make_handle(rd_kafka_type_t type, Conf conf);

//! Maps a librdkafka error to what the caller should do.
Error to_error(rd_kafka_resp_err_t err, const std::string& context);

} // namespace ticklake::rdkafka
