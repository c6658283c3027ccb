// Confluent-framed Avro values (decode/avro_row_decoder) and Avro schema texts
// (schema/avro_schema): a Kafka message of an `--value-format avro` topic, and a schema as a
// registry serves it. First byte even: the rest is a message value, framed or not, decoded
// against schemas 1..4 below (the frame's id picks one; other ids are unknown). First byte odd:
// the rest is a schema text, parsed; when it parses, the columns are derived and the last
// message value seen is decoded against it as id 9.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "decode/avro_row_decoder.h"
#include "schema/avro_schema.h"
#include "schema/schema_registry.h"

namespace {

using namespace ticklake;

// Every type the decoder maps: primitives, logical types, nesting, unions, enum, fixed.
constexpr const char* kSchemas[] = {
    R"({"type":"record","name":"Trade","fields":[{"name":"symbol","type":"string"},
       {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":6}},
       {"name":"size","type":"long"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
       {"name":"venue","type":["null","string"],"default":null}]})",
    R"({"type":"record","name":"Bar","fields":[{"name":"d","type":{"type":"int","logicalType":"date"}},
       {"name":"ms","type":{"type":"long","logicalType":"timestamp-millis"}},
       {"name":"t","type":{"type":"int","logicalType":"time-millis"}},
       {"name":"id","type":{"type":"string","logicalType":"uuid"}},
       {"name":"f","type":"float"},{"name":"x","type":"double"},{"name":"b","type":"boolean"},
       {"name":"fx","type":{"type":"fixed","name":"F8","size":8}},
       {"name":"big","type":{"type":"fixed","name":"D","size":20,"logicalType":"decimal","precision":45,"scale":2}}]})",
    R"({"type":"record","name":"Nest","fields":[{"name":"tags","type":{"type":"array","items":"string"}},
       {"name":"attrs","type":{"type":"map","values":["null","long"]}},
       {"name":"inner","type":{"type":"record","name":"In","fields":[{"name":"a","type":"int"},
         {"name":"e","type":{"type":"enum","name":"Side","symbols":["BUY","SELL"]}}]}},
       {"name":"any","type":["null","int","string",{"type":"array","items":"In"}]}]})",
    R"("long")",
};

class FixedSchemas final : public SchemaSource {
public:
    FixedSchemas() {
        int32_t id = 1;
        for (const char* text : kSchemas) add(id++, text);
    }
    bool add(int32_t id, std::string_view text) {
        auto parsed = AvroSchema::parse(text);
        if (!parsed) return false;
        auto s = std::make_shared<RegisteredSchema>();
        s->id = id;
        s->text = std::string(text);
        s->avro = *parsed;
        schemas_[id] = std::move(s);
        return true;
    }
    Result<std::shared_ptr<const RegisteredSchema>> schema_by_id(int32_t id) override {
        auto it = schemas_.find(id);
        if (it == schemas_.end()) return std::unexpected(Error::not_found("no schema " + std::to_string(id)));
        return it->second;
    }

private:
    std::unordered_map<int32_t, std::shared_ptr<const RegisteredSchema>> schemas_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    static std::string last_value = std::string("\0\0\0\0\1", 5);
    RowCells row;
    if ((data[0] & 1) == 0) {
        static FixedSchemas schemas;
        static AvroRowDecoder decoder(schemas); // reused as the sink reuses it
        (void)decoder.decode(rest, row);
        last_value.assign(rest);
        return 0;
    }
    auto parsed = AvroSchema::parse(rest);
    if (!parsed) return 0;
    (void)avro_columns(**parsed);
    FixedSchemas one;
    if (!one.add(9, rest)) return 0;
    AvroRowDecoder decoder(one);
    std::string framed("\0\0\0\0\x09", 5);
    framed.append(last_value.size() > 5 ? std::string_view(last_value).substr(5) : std::string_view());
    (void)decoder.decode(framed, row);
    return 0;
}
