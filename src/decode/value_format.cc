#include "decode/value_format.h"

#include <string>

namespace ticklake {

const char* to_string(ValueFormat f) {
    switch (f) {
    case ValueFormat::automatic: return "auto";
    case ValueFormat::ticklake: return "ticklake";
    case ValueFormat::json: return "json";
    case ValueFormat::csv: return "csv";
    case ValueFormat::raw: return "raw";
    case ValueFormat::avro: return "avro";
    case ValueFormat::protobuf: return "protobuf";
    case ValueFormat::jsonschema: return "jsonschema";
    }
    return "?";
}

Result<ValueFormat> parse_value_format(std::string_view text) {
    for (auto f : {ValueFormat::automatic, ValueFormat::ticklake, ValueFormat::json, ValueFormat::csv, ValueFormat::raw,
                   ValueFormat::avro, ValueFormat::protobuf, ValueFormat::jsonschema}) {
        if (text == to_string(f)) {
            return f;
        }
    }
    return fail(Error::invalid("value format '" + std::string(text) + "' is not one of auto, ticklake, json, csv, raw, avro, protobuf, jsonschema"));
}

} // namespace ticklake
