// A row's event time from one of its fields (ticklake sink --time-field).
#pragma once

#include <array>
#include <string_view>

#include "common/error.h"
#include "common/timestamp.h"
#include "format/open_table.h"

namespace ticklake {

//! Fields tried, in this order, when --time-field is not given: the first one a topic's first
//! message has becomes the topic's time field. A topic without any uses the Kafka timestamp.
inline constexpr std::array<std::string_view, 8> kTimeFieldCandidates = {"ts",   "timestamp", "time", "datetime",
                                                                         "date", "Date",      "t",    "E"};

//! The time a value gives: ISO 8601 text with or without a zone (none: UTC), a date
//! (midnight UTC), or an epoch number, as a JSON number or digits in a string, whose magnitude
//! tells the unit (see epoch_to_micros). Anything else is a poison error naming the value.
//! A string's reading is kept in the cell, so the table's typing does not parse it again.
Result<TimestampUs> event_time_of(CellValue& v);

} // namespace ticklake
