// The sink's settings as a person writes them (`ticklake sink` flags, later a config file),
// read into the pipeline's options: where a group starts, the time partition, which topics land in which
// table, explicit column types. Every error says what to write instead.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "kafka/kafka_consumer.h"
#include "sink/sink_options.h"
#include "sink/sink_pipeline.h"

namespace ticklake {

//! earliest, latest, or a time (ISO 8601, or epoch milliseconds).
Result<StartFrom> parse_start_from(const std::string& text);

//! The settings written as text or in other units than SinkOptions holds them.
struct SinkSettings {
    std::vector<std::string> topics;
    std::vector<std::string> topic_regex; //!< POSIX regexes, anchored at the start when not already
    std::string value_format = "auto";
    std::vector<std::string> tables;  //!< NAME (one topic) or TOPIC=NAME
    std::vector<std::string> columns; //!< FIELD=TYPE
    std::string start_from = "earliest";
    std::string time_partition = "auto";
    double rotate_mib = 128;
    double max_memory_mib = 512; //!< the whole sink's budget (memory_budget.h)
    double max_buffer_mib = 0;   //!< rows held; 0: the budget's share
    double until_idle = -1; //!< seconds; negative: never
};

//! Fills p.start, p.named_topics and, in p.sink, the topics, value format, tables, columns,
//! time partition and sizes; checks p.sink.max_columns.
Status apply_sink_settings(const SinkSettings& s, SinkPipelineOptions& p);

} // namespace ticklake
