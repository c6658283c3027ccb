// How the sink reads a topic's message values (ticklake sink --value-format).
#pragma once

#include <string_view>

#include "common/error.h"

namespace ticklake {

enum class ValueFormat {
    //! per topic: ticklake when its messages carry the `type` header; avro, protobuf or
    //! jsonschema when they start with the Schema Registry's magic byte 0 (and a registry is
    //! set), as the registry's type of their schema says; else json
    automatic,
    ticklake,  //!< ticklake's own events (docs/events.md)
    json,      //!< one JSON object per message, any fields
    csv,       //!< one CSV line per message
    raw,       //!< the bytes as they are, in a BLOB column
    avro,      //!< Confluent wire format: magic 0, schema id, Avro binary (schema from the registry)
    protobuf,  //!< Confluent wire format: magic 0, schema id, message indexes, Protobuf binary
    jsonschema, //!< Confluent wire format: magic 0, schema id, JSON typed by its JSON Schema
};

const char* to_string(ValueFormat f);
Result<ValueFormat> parse_value_format(std::string_view text);

} // namespace ticklake
