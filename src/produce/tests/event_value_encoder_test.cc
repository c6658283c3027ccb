#include "produce/event_value_encoder.h"

#include <gtest/gtest.h>

#include "schema/avro_schema.h"

namespace ticklake {
namespace {

Event trade() {
    Event e;
    e.type = EventType::trade;
    e.id = "t1";
    e.symbol = "AB";
    e.ts = 1;        // 1 µs after the epoch
    e.recv_ts = -1;  // 1 µs before it: the Timestamp's nanos stay positive
    e.source = "sim";
    e.body = Trade{0.5, 2.0, "X", ""};
    return e;
}

TEST(EventValueEncoder, WritesAvroAfterTheFrameAndTheUnionBranch) {
    EventValueEncoder enc(EventValueFormat::avro, 258);
    std::string out;
    enc.encode(trade(), out);
    const std::string want = std::string("\0\0\0\x01\x02", 5) + // frame: id 258
                             std::string("\x00", 1) +             // branch 0: Trade
                             "\x02" "\x04t1" "\x04" "AB" "\x02" "\x01" "\x06sim" +
                             std::string("\0\0\0\0\0\0\xe0\x3f", 8) + // 0.5
                             std::string("\0\0\0\0\0\0\x00\x40", 8) + // 2.0
                             "\x02X" + std::string("\x00", 1);       // exchange, empty side
    EXPECT_EQ(out, want);
}

TEST(EventValueEncoder, WritesProtobufAfterTheFrameAndTheMessageIndex) {
    EventValueEncoder enc(EventValueFormat::protobuf, 7);
    std::string out;
    Event q = trade();
    q.type = EventType::quote;
    q.body = Quote{1.0, 0, 0, 0, ""};
    enc.encode(q, out);
    const std::string want = std::string("\0\0\0\0\x07", 5) + "\x02\x02" + // frame, index [1]
                             "\x08\x01" "\x12\x02t1" "\x1a\x02" "AB" +
                             "\x22\x03\x10\xe8\x07" +                        // ts: nanos 1000
                             "\x2a\x11\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x10\x98\x8c\xeb\xdc\x03" + // -1 s + 999999000 ns
                             "\x32\x03sim" + std::string("\x39\0\0\0\0\0\0\xf0\x3f", 9); // bid 1.0; zeros left out
    EXPECT_EQ(out, want);
    enc.encode(trade(), out);
    EXPECT_EQ(out.substr(5, 1), std::string(1, '\0')); // Trade: the [0] shorthand
}

TEST(EventValueEncoder, TheAvroSchemaIsTheUnionOfTheFourEventRecords) {
    auto s = AvroSchema::parse(event_schema_text(EventValueFormat::avro));
    ASSERT_TRUE(s) << s.error().message;
    const AvroNode& root = (*s)->root();
    ASSERT_EQ(root.type, AvroNode::Type::union_);
    ASSERT_EQ(root.branches.size(), 4u);
    EXPECT_EQ(root.branches[0]->name, "ticklake.events.Trade");
    EXPECT_EQ(root.branches[3]->name, "ticklake.events.Record");
    EXPECT_NE(event_schema_text(EventValueFormat::protobuf).find("message Record"), std::string::npos);
    EXPECT_EQ(parse_event_value_format("protobuf").value(), EventValueFormat::protobuf);
    EXPECT_FALSE(parse_event_value_format("xml"));
}

} // namespace
} // namespace ticklake
