// The value of an event as `ticklake produce --value-format` writes it: ticklake's JSON
// (docs/events.md), or the Schema Registry's wire format with ticklake's event schemas, kept in
// the repository as schemas/*.avsc and schemas/events.proto (compiled into the binary):
//   avro:     magic byte 0, schema id, the union branch (Trade 0, Quote 1, Bar 2, Record 3),
//             then the record in Avro binary. The subject's schema is the union of the four
//             records, so one topic (TopicNameStrategy: one subject) carries every event type.
//   protobuf: magic byte 0, schema id, the message index (Trade [0] written as the single byte
//             0, Quote [1], Bar [2], Record [3]), then the message in Protobuf binary.
// The binary is written here from the two specifications for these fixed schemas, field by
// field: no reflection on the producer's hot path. Tests decode it with fastavro and protobuf's
// Python package against the schemas ticklake registered.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/event.h"
#include "schema/schema_registry.h"

namespace ticklake {

enum class EventValueFormat : uint8_t { json, avro, protobuf };

const char* to_string(EventValueFormat f);
Result<EventValueFormat> parse_event_value_format(std::string_view text);

//! The schema text ticklake registers for values in format f (avro: the JSON array of the
//! four records; protobuf: schemas/events.proto). json has none (empty).
std::string event_schema_text(EventValueFormat f);

//! Registers the event schema of f under TopicNameStrategy (`<topic>-value`) after setting
//! that subject's compatibility to BACKWARD; the schema's id, which every value then carries.
Result<int32_t> register_event_schema(SchemaRegistryClient& registry, const std::string& topic, EventValueFormat f);

class EventValueEncoder {
public:
    //! schema_id: what register_event_schema() answered (unused for json).
    EventValueEncoder(EventValueFormat format, int32_t schema_id) : format_(format), schema_id_(schema_id) {}

    //! Clears out, then writes e's value in the format.
    void encode(const Event& e, std::string& out);

    EventValueFormat format() const { return format_; }

private:
    void encode_avro(const Event& e, std::string& out);
    void encode_protobuf(const Event& e, std::string& out);

    EventValueFormat format_;
    int32_t schema_id_;
    std::string nested_; //!< reused: a Protobuf submessage before its length is known
};

} // namespace ticklake
