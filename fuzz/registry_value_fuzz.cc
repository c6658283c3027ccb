// Schema Registry formats other than Avro: Confluent-framed Protobuf values
// (decode/protobuf_row_decoder, .proto texts parsed at run time) and JSON Schema values
// (decode/json_schema_row_decoder). A Kafka message of a `--value-format protobuf|jsonschema`
// topic, and a schema text as a registry serves it. First byte mod 4:
//   0: the rest is a protobuf message value, framed, against the fixed schemas 1..3 below
//   1: the rest is a .proto text registered as id 9; the last protobuf value seen is decoded
//      against it (its frame's id replaced by 9)
//   2: the rest is a JSON Schema value, framed, against the fixed schemas 11..12 below
//   3: the rest is a JSON Schema text: its columns, then the last JSON value seen against it
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "decode/json_schema_row_decoder.h"
#include "decode/protobuf_row_decoder.h"
#include "schema/schema_registry.h"

namespace {

using namespace ticklake;

// Scalars of every width and signedness, enums, nesting, repeated and map fields, oneof,
// optional, well-known types, and a message imported through a registry reference.
constexpr const char* kProtos[] = {
    R"(syntax = "proto3";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
message Trade {
  string symbol = 1; double price = 2; int64 size = 3; uint64 seq = 4; sint32 delta = 5;
  fixed64 id = 6; google.protobuf.Timestamp ts = 7; google.protobuf.StringValue venue = 8;
  optional bool odd = 9; bytes raw = 10; float f = 11; sfixed32 s32 = 12;
  enum Side { UNKNOWN = 0; BUY = 1; SELL = 2; } Side side = 13;
})",
    R"(syntax = "proto3"; package q;
message Level { double px = 1; int64 qty = 2; }
message Book { string symbol = 1; repeated Level bids = 2; repeated Level asks = 3;
  map<string, int64> counts = 4; oneof extra { string note = 5; int32 code = 6; }
  Level best = 7; repeated int32 flags = 8 [packed = true]; }
message Wrapper { message Inner { string a = 1; } Inner inner = 1; repeated Book books = 2; })",
    R"(syntax = "proto3"; import "m/money.proto"; message Fill { m.Money px = 1; string sym = 2; })",
};

constexpr const char* kJsonSchemas[] = {
    R"({"type":"object","properties":{"symbol":{"type":"string"},"price":{"type":"number"},
       "size":{"type":"integer"},"ts":{"type":"string","format":"date-time"},
       "d":{"type":"string","format":"date"},"ok":{"type":["boolean","null"]}}})",
    R"({"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"}},
       "inner":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"number"}}},
       "any":{"oneOf":[{"type":"string"},{"type":"integer"}]},"ref":{"$ref":"#/definitions/x"}}})",
};

class TableSource final : public SchemaSource {
public:
    void add(int32_t id, SchemaType type, std::string_view text) {
        auto s = std::make_shared<RegisteredSchema>();
        s->id = id;
        s->type = type;
        s->text = std::string(text);
        if (id == 3) s->references.push_back({"m/money.proto", "money-value", 1});
        by_id_[id] = std::move(s);
    }
    TableSource() {
        for (int i = 0; i < 3; ++i) add(i + 1, SchemaType::protobuf, kProtos[i]);
        for (int i = 0; i < 2; ++i) add(i + 11, SchemaType::json, kJsonSchemas[i]);
        auto money = std::make_shared<RegisteredSchema>();
        money->type = SchemaType::protobuf;
        money->text = R"(syntax = "proto3"; package m; message Money { int64 units = 1; string ccy = 2; })";
        money_ = std::move(money);
    }
    Result<std::shared_ptr<const RegisteredSchema>> schema_by_id(int32_t id) override {
        auto it = by_id_.find(id);
        if (it == by_id_.end()) return std::unexpected(Error::poison("no schema " + std::to_string(id)));
        return it->second;
    }
    Result<std::shared_ptr<const RegisteredSchema>> schema_by_reference(const SchemaReference& ref) override {
        if (ref.subject == "money-value" && ref.version == 1) return money_;
        return SchemaSource::schema_by_reference(ref);
    }

private:
    std::map<int32_t, std::shared_ptr<const RegisteredSchema>> by_id_;
    std::shared_ptr<const RegisteredSchema> money_;
};

// The value with its frame's schema id replaced (magic byte, then the id big-endian).
std::string with_id(std::string_view value, int32_t id) {
    std::string out("\0", 1);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((id >> shift) & 0xff));
    if (value.size() > 5) out.append(value.substr(5));
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    static TableSource fixed;
    static ProtobufRowDecoder protobuf(fixed); // reused as the sink reuses it
    static JsonSchemaRowDecoder json(fixed);
    static std::string last_protobuf = with_id("", 1);
    static std::string last_json = with_id("{}", 11);
    RowCells row;
    switch (data[0] & 3) {
    case 0:
        (void)protobuf.decode(rest, row);
        last_protobuf.assign(rest);
        break;
    case 1: {
        TableSource one;
        one.add(9, SchemaType::protobuf, rest);
        ProtobufRowDecoder decoder(one);
        (void)decoder.decode(with_id(last_protobuf, 9), row);
        break;
    }
    case 2:
        (void)json.decode(rest, row);
        last_json.assign(rest);
        break;
    default: {
        (void)json_schema_columns(rest);
        TableSource one;
        one.add(9, SchemaType::json, rest);
        JsonSchemaRowDecoder decoder(one);
        (void)decoder.decode(with_id(last_json, 9), row);
        break;
    }
    }
    return 0;
}
