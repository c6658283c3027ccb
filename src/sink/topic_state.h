// What the sink decided about one topic the first time it read it, kept beside the journals
// (_ticklake/sink/<group>/<topic>/topic.json) so a restart, or another member of the group,
// reads the topic the same way: --value-format auto's choice, the detected time field, a CSV
// topic's header. Decisions are made once per topic, never per message.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/kafka_position.h"
#include "decode/value_format.h"

namespace ticklake {

struct TopicState {
    ValueFormat value_format = ValueFormat::automatic; //!< automatic: not decided yet
    std::optional<std::string> time_field; //!< "" = the Kafka timestamp; nullopt: not decided yet
    std::vector<std::string> csv_columns;  //!< from the topic's header message

    std::string to_json() const;
    static Result<TopicState> from_json(std::string_view json);
};

//! "_ticklake/sink/<group>/<topic>/topic.json"
std::string topic_state_key(std::string_view group, const Topic& topic);

} // namespace ticklake
