// How the sink reads a topic's message values (ticklake sink --value-format).
#pragma once

#include <string_view>

#include "common/error.h"

namespace ticklake {

enum class ValueFormat {
    automatic, //!< per topic: ticklake when its messages carry the `type` header, else json
    ticklake,  //!< ticklake's own events (docs/events.md)
    json,      //!< one JSON object per message, any fields
    csv,       //!< one CSV line per message
    raw,       //!< the bytes as they are, in a BLOB column
};

const char* to_string(ValueFormat f);
Result<ValueFormat> parse_value_format(std::string_view text);

} // namespace ticklake
