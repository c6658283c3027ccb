// librdkafka's statistics (`statistics.interval.ms`, a JSON document per interval, see its
// STATISTICS.md) mapped to Prometheus metrics under ticklake_kafka_* (docs/metrics.md).
// Clients made with KafkaClientConfig::statistics report here; -X statistics.interval.ms
// changes the interval (0 turns the reports off).
#pragma once

#include <string_view>

#include "common/error.h"
#include "common/metrics.h"

namespace ticklake {

//! The interval ticklake asks for when KafkaClientConfig::statistics is set.
inline constexpr const char* kKafkaStatisticsIntervalMs = "5000";

//! Records one statistics document into the registry, labelled by client type (producer,
//! consumer). A document that does not parse is an invalid_argument and changes nothing.
Status record_kafka_statistics(std::string_view json, metrics::Registry& registry);

} // namespace ticklake
