#include "produce/event_value_encoder.h"
#include "common/varint.h"

#include <cmath>
#include <cstring>
#include <optional>

#include "common/event_json.h"
#include "produce/event_schemas.h"

namespace ticklake {

namespace {

// Avro binary: zig-zag varints for int and long, little-endian IEEE doubles, length-prefixed
// strings (the specification's "Binary Encoding").
void avro_long(std::string& out, int64_t v) { varint::append_zigzag(out, v); }

void little_endian_double(std::string& out, double d) {
    char b[8];
    std::memcpy(b, &d, 8); // x86-64 and aarch64 are little-endian, as both encodings are
    out.append(b, 8);
}

void avro_string(std::string& out, std::string_view s) {
    avro_long(out, static_cast<int64_t>(s.size()));
    out += s;
}

void avro_optional_double(std::string& out, const std::optional<double>& v) {
    avro_long(out, v ? 1 : 0); // the union ["null", "double"]: branch 0 is null
    if (v) {
        little_endian_double(out, *v);
    }
}

// Protobuf binary (the encoding guide): a tag (field number and wire type) before each value.
// proto3 leaves fields at their default out; fields declared `optional` are written when set.
void pb_varint(std::string& out, uint64_t u) { varint::append(out, u); }

void pb_tag(std::string& out, int field, int wire_type) {
    pb_varint(out, static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire_type));
}

void pb_bytes(std::string& out, int field, std::string_view s) {
    pb_tag(out, field, 2);
    pb_varint(out, s.size());
    out += s;
}

void pb_string(std::string& out, int field, std::string_view s) {
    if (!s.empty()) {
        pb_bytes(out, field, s);
    }
}

void pb_double(std::string& out, int field, double d, bool always = false) {
    if (d != 0 || std::signbit(d) || always) {
        pb_tag(out, field, 1);
        little_endian_double(out, d);
    }
}

void pb_int64(std::string& out, int field, int64_t v, bool always = false) {
    if (v != 0 || always) {
        pb_tag(out, field, 0);
        pb_varint(out, static_cast<uint64_t>(v)); // int64: two's complement, ten bytes when negative
    }
}

// google.protobuf.Timestamp {int64 seconds = 1; int32 nanos = 2;}, nanos never negative.
void pb_timestamp(std::string& out, int field, TimestampUs ts) {
    int64_t seconds = ts / kMicrosPerSecond;
    int64_t micros = ts % kMicrosPerSecond;
    if (micros < 0) {
        --seconds;
        micros += kMicrosPerSecond;
    }
    std::string m;
    pb_int64(m, 1, seconds);
    pb_int64(m, 2, micros * 1000);
    pb_bytes(out, field, m);
}

constexpr int kWireVersion = kWireSchemaVersion;

} // namespace

const char* to_string(EventValueFormat f) {
    switch (f) {
    case EventValueFormat::json: return "json";
    case EventValueFormat::avro: return "avro";
    case EventValueFormat::protobuf: return "protobuf";
    }
    return "json";
}

Result<EventValueFormat> parse_event_value_format(std::string_view text) {
    for (auto f : {EventValueFormat::json, EventValueFormat::avro, EventValueFormat::protobuf}) {
        if (text == to_string(f)) {
            return f;
        }
    }
    return fail(Error::invalid("value format '" + std::string(text) + "' is not one of json, avro, protobuf"));
}

std::string event_schema_text(EventValueFormat f) {
    switch (f) {
    case EventValueFormat::json: return {};
    case EventValueFormat::avro:
        // The union's branch order is the wire's branch index: EventType's order.
        return std::string("[") + event_schemas::kTradeAvsc + "," + event_schemas::kQuoteAvsc + "," +
               event_schemas::kBarAvsc + "," + event_schemas::kRecordAvsc + "]";
    case EventValueFormat::protobuf: return event_schemas::kEventsProto;
    }
    return {};
}

Result<int32_t> register_event_schema(SchemaRegistryClient& registry, const std::string& topic, EventValueFormat f) {
    if (f == EventValueFormat::json) {
        return fail(Error::invalid("json values have no registry schema"));
    }
    const std::string subject = topic + "-value"; // TopicNameStrategy
    if (auto st = registry.set_compatibility(subject, "BACKWARD"); !st) {
        return fail(st.error());
    }
    return registry.register_schema(subject, event_schema_text(f),
                                    f == EventValueFormat::avro ? SchemaType::avro : SchemaType::protobuf);
}

void EventValueEncoder::encode(const Event& e, std::string& out) {
    out.clear();
    switch (format_) {
    case EventValueFormat::json: append_event_json(out, e); return;
    case EventValueFormat::avro: encode_avro(e, out); return;
    case EventValueFormat::protobuf: encode_protobuf(e, out); return;
    }
}

void EventValueEncoder::encode_avro(const Event& e, std::string& out) {
    append_wire_header(out, schema_id_);
    avro_long(out, static_cast<int64_t>(e.type)); // the union branch
    avro_long(out, kWireVersion);
    avro_string(out, e.id);
    avro_string(out, e.symbol);
    avro_long(out, e.ts);
    avro_long(out, e.recv_ts);
    avro_string(out, e.source);
    if (const auto* t = std::get_if<Trade>(&e.body)) {
        little_endian_double(out, t->price);
        little_endian_double(out, t->size);
        avro_string(out, t->exchange);
        avro_string(out, t->side);
    } else if (const auto* q = std::get_if<Quote>(&e.body)) {
        little_endian_double(out, q->bid);
        little_endian_double(out, q->bid_size);
        little_endian_double(out, q->ask);
        little_endian_double(out, q->ask_size);
        avro_string(out, q->exchange);
    } else if (const auto* b = std::get_if<Bar>(&e.body)) {
        avro_string(out, b->interval);
        little_endian_double(out, b->open);
        little_endian_double(out, b->high);
        little_endian_double(out, b->low);
        little_endian_double(out, b->close);
        avro_optional_double(out, b->adj_close);
        little_endian_double(out, b->volume);
        avro_optional_double(out, b->vwap);
        avro_long(out, b->trade_count ? 1 : 0);
        if (b->trade_count) {
            avro_long(out, *b->trade_count);
        }
    } else if (const auto* r = std::get_if<Record>(&e.body)) {
        avro_string(out, r->dataset);
        if (!r->fields.empty()) { // one block of every field, then the empty block
            avro_long(out, static_cast<int64_t>(r->fields.size()));
            for (const RecordField& f : r->fields) {
                avro_string(out, f.name);
                // The union ["null", "boolean", "long", "double", "string"] is FieldValue's order.
                avro_long(out, static_cast<int64_t>(f.value.index()));
                if (const bool* v = std::get_if<bool>(&f.value)) {
                    out.push_back(*v ? 1 : 0);
                } else if (const int64_t* i = std::get_if<int64_t>(&f.value)) {
                    avro_long(out, *i);
                } else if (const double* d = std::get_if<double>(&f.value)) {
                    little_endian_double(out, *d);
                } else if (const std::string* s = std::get_if<std::string>(&f.value)) {
                    avro_string(out, *s);
                }
            }
        }
        avro_long(out, 0);
    }
}

void EventValueEncoder::encode_protobuf(const Event& e, std::string& out) {
    append_wire_header(out, schema_id_);
    // The message index list: [0] is the single byte 0; [n] is the count 1, then n (zig-zag).
    if (e.type == EventType::trade) {
        out.push_back('\0');
    } else {
        out.push_back(2);
        out.push_back(static_cast<char>(static_cast<int>(e.type) * 2));
    }
    pb_int64(out, 1, kWireVersion);
    pb_string(out, 2, e.id);
    pb_string(out, 3, e.symbol);
    pb_timestamp(out, 4, e.ts);
    pb_timestamp(out, 5, e.recv_ts);
    pb_string(out, 6, e.source);
    if (const auto* t = std::get_if<Trade>(&e.body)) {
        pb_double(out, 7, t->price);
        pb_double(out, 8, t->size);
        pb_string(out, 9, t->exchange);
        pb_string(out, 10, t->side);
    } else if (const auto* q = std::get_if<Quote>(&e.body)) {
        pb_double(out, 7, q->bid);
        pb_double(out, 8, q->bid_size);
        pb_double(out, 9, q->ask);
        pb_double(out, 10, q->ask_size);
        pb_string(out, 11, q->exchange);
    } else if (const auto* b = std::get_if<Bar>(&e.body)) {
        pb_string(out, 7, b->interval);
        pb_double(out, 8, b->open);
        pb_double(out, 9, b->high);
        pb_double(out, 10, b->low);
        pb_double(out, 11, b->close);
        if (b->adj_close) {
            pb_double(out, 12, *b->adj_close, true);
        }
        pb_double(out, 13, b->volume);
        if (b->vwap) {
            pb_double(out, 14, *b->vwap, true);
        }
        if (b->trade_count) {
            pb_int64(out, 15, *b->trade_count, true);
        }
    } else if (const auto* r = std::get_if<Record>(&e.body)) {
        pb_string(out, 7, r->dataset);
        // map<string, FieldValue> fields = 8: one entry message {key = 1, value = 2} per field;
        // a null is a FieldValue with nothing set.
        for (const RecordField& f : r->fields) {
            std::string value;
            if (const bool* v = std::get_if<bool>(&f.value)) {
                pb_int64(value, 1, *v ? 1 : 0, true);
            } else if (const int64_t* i = std::get_if<int64_t>(&f.value)) {
                pb_int64(value, 2, *i, true);
            } else if (const double* d = std::get_if<double>(&f.value)) {
                pb_double(value, 3, *d, true);
            } else if (const std::string* s = std::get_if<std::string>(&f.value)) {
                pb_bytes(value, 4, *s);
            }
            nested_.clear();
            pb_bytes(nested_, 1, f.name);
            pb_bytes(nested_, 2, value);
            pb_bytes(out, 8, nested_);
        }
    }
}

} // namespace ticklake
