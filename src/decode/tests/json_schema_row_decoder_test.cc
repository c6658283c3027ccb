#include "decode/json_schema_row_decoder.h"

#include <map>

#include <gtest/gtest.h>

#include "decode/schema_row_decoder.h"

namespace ticklake {
namespace {

using Kind = ValueType::Kind;

class TableSource final : public SchemaSource {
public:
    void add(int32_t id, SchemaType type, const std::string& text) {
        auto s = std::make_shared<RegisteredSchema>();
        s->id = id;
        s->type = type;
        s->text = text;
        if (type == SchemaType::avro) {
            s->avro = AvroSchema::parse(text).value();
        }
        schemas_[id] = s;
    }
    Result<std::shared_ptr<const RegisteredSchema>> schema_by_id(int32_t id) override {
        auto it = schemas_.find(id);
        if (it == schemas_.end()) {
            return fail(Error::poison("schema id " + std::to_string(id) + " is unknown to the registry"));
        }
        return it->second;
    }

private:
    std::map<int32_t, std::shared_ptr<const RegisteredSchema>> schemas_;
};

std::string framed(int32_t id, const std::string& payload) {
    std::string v;
    append_wire_header(v, id);
    return v + payload;
}

constexpr char kTick[] = R"({"type": "object", "properties": {
  "symbol": {"type": "string"},
  "ts": {"type": "string", "format": "date-time"},
  "day": {"type": "string", "format": "date"},
  "price": {"type": "number"},
  "size": {"type": ["integer", "null"]},
  "ok": {"type": "boolean"},
  "book": {"type": "object", "properties": {"bid": {"type": "number"}, "note": {}}},
  "fills": {"type": "array", "items": {"type": "integer"}},
  "any": {"oneOf": [{"type": "string"}, {"type": "integer"}]}
}})";

TEST(JsonSchemaColumns, TypeTheColumnsFromTheSchema) {
    auto cols = json_schema_columns(kTick).value();
    std::map<std::string, std::string> text;
    for (const auto& [name, type] : cols) {
        text[name] = duckdb_type_text(type);
    }
    EXPECT_EQ(cols.size(), 8u); // `any` is left to inference
    EXPECT_EQ(cols[0].first, "symbol");
    EXPECT_EQ(text["symbol"], "VARCHAR");
    EXPECT_EQ(text["ts"], "TIMESTAMP");
    EXPECT_EQ(text["day"], "DATE");
    EXPECT_EQ(text["price"], "DOUBLE");
    EXPECT_EQ(text["size"], "BIGINT");
    EXPECT_EQ(text["ok"], "BOOLEAN");
    EXPECT_EQ(text["book"], "STRUCT(\"bid\" DOUBLE, \"note\" JSON)");
    EXPECT_EQ(text["fills"], "BIGINT[]");
    EXPECT_FALSE(json_schema_columns("{not json"));
}

TEST(JsonSchemaRowDecoder, StripsTheFrameAndDecodesTheJson) {
    TableSource src;
    src.add(11, SchemaType::json, kTick);
    src.add(12, SchemaType::avro, R"({"type":"record","name":"R","fields":[{"name":"v","type":"long"}]})");
    JsonSchemaRowDecoder d(src);
    RowCells row;
    const std::string value = framed(11, R"({"symbol":"AAPL","price":3,"size":null})");
    auto st = d.decode(value, row);
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(row.find("symbol")->value.text, "AAPL");
    EXPECT_EQ(row.find("price")->value.kind, CellValue::Kind::integer); // the column types it, not the value
    EXPECT_EQ(row.find("size")->value.kind, CellValue::Kind::null);
    ASSERT_NE(d.last_schema(), nullptr);
    EXPECT_EQ(d.last_schema()->id, 11);
    EXPECT_EQ(d.last_columns().size(), 8u);

    auto other = d.decode(framed(12, "{}"), row);
    ASSERT_FALSE(other);
    EXPECT_NE(other.error().message.find("schema id 12 is of type avro, not JSON Schema"), std::string::npos)
        << other.error().message;
    auto broken = d.decode(framed(11, R"({"symbol":)"), row);
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().kind, ErrorKind::poison);
}

TEST(SchemaRowDecoder, AutoDecodesByTheSchemasType) {
    TableSource src;
    src.add(11, SchemaType::json, kTick);
    src.add(12, SchemaType::avro, R"({"type":"record","name":"R","fields":[{"name":"v","type":"long"}]})");
    src.add(13, SchemaType::protobuf, R"(syntax = "proto3"; message M { int64 v = 1; })");
    SchemaRowDecoder d(src);
    RowCells row;
    EXPECT_EQ(d.format_of(framed(12, "")).value(), ValueFormat::avro);
    EXPECT_EQ(d.format_of(framed(13, "")).value(), ValueFormat::protobuf);
    EXPECT_EQ(d.format_of(framed(11, "")).value(), ValueFormat::jsonschema);
    EXPECT_FALSE(d.format_of(framed(99, "")));

    ASSERT_TRUE(d.decode(framed(12, std::string(1, '\x06')), ValueFormat::automatic, row)); // long 3
    EXPECT_EQ(row.find("v")->value.i, 3);
    EXPECT_EQ(d.last_schema()->id, 12);
    ASSERT_EQ(d.last_columns().size(), 1u);
    // protobuf: the [0] shorthand, then field 1 varint 5
    ASSERT_TRUE(d.decode(framed(13, std::string("\x00\x08\x05", 3)), ValueFormat::automatic, row));
    EXPECT_EQ(row.find("v")->value.i, 5);
    EXPECT_EQ(d.last_schema()->id, 13);
    ASSERT_TRUE(d.decode(framed(11, R"({"ok":true})"), ValueFormat::jsonschema, row));
    EXPECT_TRUE(row.find("ok")->value.b);
    EXPECT_EQ(d.last_columns().size(), 8u);

    auto wrong = d.decode(framed(12, std::string(1, '\x06')), ValueFormat::protobuf, row);
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message.find("schema id 12 is of type avro, not Protobuf"), std::string::npos);
}

} // namespace
} // namespace ticklake
