#include "schema/avro_schema.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

using Type = AvroNode::Type;
using Logical = AvroNode::Logical;

TEST(AvroSchema, ReadsARecordWithLogicalTypesUnionsAndNamedReferences) {
    auto s = AvroSchema::parse(R"({
      "type": "record", "name": "Trade", "namespace": "ticklake.events",
      "fields": [
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 18, "scale": 8}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "venue", "type": ["null", "string"], "default": null},
        {"name": "side", "type": {"type": "enum", "name": "Side", "symbols": ["BUY", "SELL"]}},
        {"name": "other_side", "type": "Side"},
        {"name": "tags", "type": {"type": "map", "values": "long"}},
        {"name": "id", "type": {"type": "fixed", "name": "Id", "size": 4}}
      ]})");
    ASSERT_TRUE(s) << s.error().message;
    const AvroNode& root = (*s)->root();
    EXPECT_EQ(root.type, Type::record);
    EXPECT_EQ(root.name, "ticklake.events.Trade");
    ASSERT_EQ(root.fields.size(), 8u);
    EXPECT_EQ(root.fields[0].type->logical, Logical::decimal);
    EXPECT_EQ(root.fields[0].type->precision, 18);
    EXPECT_EQ(root.fields[0].type->scale, 8);
    EXPECT_EQ(root.fields[1].type->logical, Logical::timestamp_micros);
    EXPECT_EQ(root.fields[2].type->logical, Logical::date);
    ASSERT_NE(root.fields[3].type->nullable_of(), nullptr);
    EXPECT_EQ(root.fields[3].type->nullable_of()->type, Type::string);
    EXPECT_EQ(root.fields[4].type->symbols, (std::vector<std::string>{"BUY", "SELL"}));
    EXPECT_EQ(root.fields[5].type, root.fields[4].type); // the reference is the same node
    EXPECT_EQ(root.fields[6].type->type, Type::map);
    EXPECT_EQ(root.fields[6].type->items->type, Type::int64);
    EXPECT_EQ(root.fields[7].type->fixed_size, 4u);
}

TEST(AvroSchema, IgnoresALogicalTypeOnTheWrongBaseType) {
    auto s = AvroSchema::parse(R"({"type": "string", "logicalType": "timestamp-millis"})");
    ASSERT_TRUE(s);
    EXPECT_EQ((*s)->root().type, Type::string);
    EXPECT_EQ((*s)->root().logical, Logical::none);
}

TEST(AvroSchema, RefusesWhatTheSpecificationDoesNotAllow) {
    EXPECT_FALSE(AvroSchema::parse("{\"type\": \"record\", \"name\": \"R\"}"));  // no fields
    EXPECT_FALSE(AvroSchema::parse("\"Unknown\""));
    EXPECT_FALSE(AvroSchema::parse("not json"));
    EXPECT_FALSE(AvroSchema::parse("[]"));
}

} // namespace
} // namespace ticklake
