#include "decode/protobuf_row_decoder.h"

#include <cstring>
#include <map>

#include <gtest/gtest.h>

namespace ticklake {
namespace {

using Kind = ValueType::Kind;

// Protobuf schemas by id and by reference from a table: the registry's part is tested in schema/.
class TableSource final : public SchemaSource {
public:
    void add(int32_t id, const std::string& text, std::vector<SchemaReference> refs = {}) {
        auto s = std::make_shared<RegisteredSchema>();
        s->id = id;
        s->type = SchemaType::protobuf;
        s->text = text;
        s->references = std::move(refs);
        by_id_[id] = s;
    }
    void add_reference(const std::string& subject, int32_t version, const std::string& text) {
        auto s = std::make_shared<RegisteredSchema>();
        s->type = SchemaType::protobuf;
        s->text = text;
        by_ref_[subject + "/" + std::to_string(version)] = s;
    }
    Result<std::shared_ptr<const RegisteredSchema>> schema_by_id(int32_t id) override {
        ++asked;
        auto it = by_id_.find(id);
        if (it == by_id_.end()) {
            return fail(Error::poison("schema id " + std::to_string(id) + " is unknown to the registry"));
        }
        return it->second;
    }
    Result<std::shared_ptr<const RegisteredSchema>> schema_by_reference(const SchemaReference& ref) override {
        ++asked;
        auto it = by_ref_.find(ref.subject + "/" + std::to_string(ref.version));
        if (it == by_ref_.end()) {
            return SchemaSource::schema_by_reference(ref);
        }
        return it->second;
    }
    int asked = 0;

private:
    std::map<int32_t, std::shared_ptr<const RegisteredSchema>> by_id_;
    std::map<std::string, std::shared_ptr<const RegisteredSchema>> by_ref_;
};

// Protobuf binary, written by hand from the encoding guide so the test does not trust libprotobuf.
struct Pb {
    std::string out;
    Pb& varint(uint64_t u) {
        while (u >= 0x80) {
            out.push_back(static_cast<char>((u & 0x7f) | 0x80));
            u >>= 7;
        }
        out.push_back(static_cast<char>(u));
        return *this;
    }
    Pb& tag(int field, int wire) { return varint(static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire)); }
    Pb& v(int field, uint64_t u) { return tag(field, 0).varint(u); }
    Pb& s(int field, std::string_view text) {
        tag(field, 2).varint(text.size());
        out += text;
        return *this;
    }
    Pb& dbl(int field, double d) {
        char b[8];
        std::memcpy(b, &d, 8);
        tag(field, 1);
        out.append(b, 8);
        return *this;
    }
};

// Confluent's frame, then the message index list (zig-zag varints; {} writes the [0] shorthand).
std::string framed(int32_t id, std::vector<int64_t> indexes, const std::string& payload) {
    std::string v;
    append_wire_header(v, id);
    Pb p;
    p.varint(static_cast<uint64_t>(indexes.size()) << 1);
    for (int64_t i : indexes) {
        p.varint(static_cast<uint64_t>(i) << 1);
    }
    return v + p.out + payload;
}

constexpr char kTrade[] = R"(syntax = "proto3";
package ticklake.test;
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum Side { BUY = 0; SELL = 1; }

message Trade {
  message Book { double bid = 1; double ask = 2; }
  string symbol = 1;
  int64 size = 2;
  double price = 3;
  bool buy = 4;
  bytes raw = 5;
  Side side = 6;
  google.protobuf.Timestamp ts = 7;
  google.protobuf.StringValue venue = 8;
  repeated int64 fills = 9;
  Book book = 10;
  map<string, int64> tags = 11;
  uint64 big = 12;
  optional int32 maybe = 13;
}

message Other { string a = 1; }
)";

std::string trade_payload() {
    Pb p;
    p.s(1, "AAPL").v(2, 300).dbl(3, 187.25).v(4, 1).s(5, std::string("\x00\xff", 2)).v(6, 1);
    p.s(7, Pb().v(1, 1'700'000'000).v(2, 123'456'789).out);      // ts: seconds, nanos
    p.s(8, Pb().s(1, "XNAS").out);                                // venue wrapper
    p.s(9, Pb().varint(7).varint(static_cast<uint64_t>(-8)).out); // packed fills [7, -8]
    p.s(10, Pb().dbl(1, 1.5).dbl(2, 2.5).out);
    p.s(11, Pb().s(1, "k").v(2, 42).out);
    p.v(12, UINT64_MAX);
    return p.out;
}

// Found by registry_value_fuzz: Timestamp seconds of 3e13 overflowed the scaling to
// microseconds (UBSan: signed-integer-overflow). The row is poison, the next one decodes.
TEST(ProtobufRowDecoder, ATimestampOutsideItsRangeIsPoisonNotAnOverflow) {
    TableSource src;
    src.add(3, kTrade);
    ProtobufRowDecoder d(src);
    RowCells row;
    for (const auto& ts : {Pb().v(1, 30'528'721'133'032).out, Pb().v(1, static_cast<uint64_t>(-62'135'596'801)).out,
                           Pb().v(1, 1'700'000'000).v(2, 1'000'000'000).out}) {
        Pb p;
        p.s(1, "AAPL").s(7, ts);
        auto st = d.decode(framed(3, {}, p.out), row);
        ASSERT_FALSE(st);
        EXPECT_EQ(st.error().kind, ErrorKind::poison);
        EXPECT_NE(st.error().message.find("google.protobuf.Timestamp"), std::string::npos) << st.error().message;
    }
    // The limits themselves are values, and the decoder goes on after a poison row.
    Pb last;
    last.s(1, "AAPL").s(7, Pb().v(1, 253'402'300'799).v(2, 999'999'999).out);
    auto st = d.decode(framed(3, {}, last.out), row);
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(row.find("ts")->value.i, 253'402'300'799'999'999);
}

TEST(ProtobufRowDecoder, DecodesEveryFieldIntoATypedCell) {
    TableSource src;
    src.add(3, kTrade);
    ProtobufRowDecoder d(src);
    RowCells row;
    const std::string value = framed(3, {}, trade_payload());
    auto st = d.decode(value, row);
    ASSERT_TRUE(st) << st.error().message;
    ASSERT_EQ(row.cells().size(), 13u);
    EXPECT_EQ(row.find("symbol")->value.text, "AAPL");
    EXPECT_EQ(row.find("size")->value.i, 300);
    EXPECT_EQ(row.find("price")->value.d, 187.25);
    EXPECT_TRUE(row.find("buy")->value.b);
    EXPECT_EQ(row.find("raw")->value.kind, CellValue::Kind::bytes);
    EXPECT_EQ(row.find("raw")->value.text, std::string_view("\x00\xff", 2));
    EXPECT_EQ(row.find("side")->value.text, "SELL");
    EXPECT_EQ(row.find("ts")->value.kind, CellValue::Kind::timestamp);
    EXPECT_EQ(row.find("ts")->value.i, 1'700'000'000'123'456); // nanoseconds cut to microseconds
    EXPECT_EQ(row.find("venue")->value.text, "XNAS");
    EXPECT_EQ(row.find("fills")->value.kind, CellValue::Kind::json);
    EXPECT_EQ(row.find("fills")->value.text, "[7,-8]");
    EXPECT_EQ(row.find("book")->value.text, R"({"bid":1.5,"ask":2.5})");
    EXPECT_EQ(row.find("tags")->value.text, R"([{"key":"k","value":42}])");
    EXPECT_EQ(row.find("big")->value.text, "18446744073709551615");
    EXPECT_EQ(row.find("maybe")->value.kind, CellValue::Kind::null); // proto3 optional, unset
    ASSERT_NE(d.last_schema(), nullptr);
    EXPECT_EQ(d.last_schema()->id, 3);
    // Decoding again asks the source nothing more.
    ASSERT_TRUE(d.decode(value, row));
    EXPECT_EQ(src.asked, 1);
}

TEST(ProtobufRowDecoder, MapsTheSchemaToColumnTypes) {
    TableSource src;
    src.add(3, kTrade);
    ProtobufRowDecoder d(src);
    RowCells row;
    ASSERT_TRUE(d.decode(framed(3, {}, trade_payload()), row));
    const auto& cols = d.last_columns();
    ASSERT_EQ(cols.size(), 13u);
    std::map<std::string, std::string> text;
    for (const auto& [name, type] : cols) {
        text[name] = duckdb_type_text(type);
    }
    EXPECT_EQ(text["symbol"], "VARCHAR");
    EXPECT_EQ(text["size"], "BIGINT");
    EXPECT_EQ(text["price"], "DOUBLE");
    EXPECT_EQ(text["buy"], "BOOLEAN");
    EXPECT_EQ(text["raw"], "BLOB");
    EXPECT_EQ(text["side"], "VARCHAR");
    EXPECT_EQ(text["ts"], "TIMESTAMP");
    EXPECT_EQ(text["venue"], "VARCHAR");
    EXPECT_EQ(text["fills"], "BIGINT[]");
    EXPECT_EQ(text["book"], "STRUCT(\"bid\" DOUBLE, \"ask\" DOUBLE)");
    EXPECT_EQ(text["tags"], "STRUCT(\"key\" VARCHAR, \"value\" BIGINT)[]");
    EXPECT_EQ(text["big"], "DECIMAL(20,0)");
    EXPECT_EQ(text["maybe"], "BIGINT");
}

TEST(ProtobufRowDecoder, UnsetMessagesAndWrappersAreNullAndScalarsTheirDefaults) {
    TableSource src;
    src.add(3, kTrade);
    ProtobufRowDecoder d(src);
    RowCells row;
    ASSERT_TRUE(d.decode(framed(3, {}, Pb().s(1, "X").v(13, 0).out), row));
    EXPECT_EQ(row.find("ts")->value.kind, CellValue::Kind::null);
    EXPECT_EQ(row.find("venue")->value.kind, CellValue::Kind::null);
    EXPECT_EQ(row.find("book")->value.kind, CellValue::Kind::null);
    EXPECT_EQ(row.find("size")->value.kind, CellValue::Kind::integer); // proto3: no presence, 0
    EXPECT_EQ(row.find("size")->value.i, 0);
    EXPECT_EQ(row.find("maybe")->value.kind, CellValue::Kind::integer); // optional, set to 0
    EXPECT_EQ(row.find("fills")->value.text, "[]");
}

TEST(ProtobufRowDecoder, MessageIndexesPickTheMessage) {
    TableSource src;
    src.add(3, kTrade);
    ProtobufRowDecoder d(src);
    RowCells row;
    ASSERT_TRUE(d.decode(framed(3, {1}, Pb().s(1, "other").out), row));
    ASSERT_EQ(row.cells().size(), 1u);
    EXPECT_EQ(row.find("a")->value.text, "other");
    ASSERT_TRUE(d.decode(framed(3, {0, 0}, Pb().dbl(1, 9.5).out), row)); // Trade.Book
    EXPECT_EQ(row.find("bid")->value.d, 9.5);
    EXPECT_EQ(d.last_columns().size(), 2u);
    auto missing = d.decode(framed(3, {2}, ""), row);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("message index 2 of schema id 3 names no message"), std::string::npos)
        << missing.error().message;
}

TEST(ProtobufRowDecoder, ResolvesImportsThroughTheRegistrysReferences) {
    TableSource src;
    src.add_reference("money-value", 2, R"(syntax = "proto3"; package m; message Money { int64 units = 1; string ccy = 2; })");
    src.add(4, R"(syntax = "proto3"; import "m/money.proto"; message Fill { m.Money px = 1; })",
            {{"m/money.proto", "money-value", 2}});
    ProtobufRowDecoder d(src);
    RowCells row;
    auto st = d.decode(framed(4, {}, Pb().s(1, Pb().v(1, 5).s(2, "USD").out).out), row);
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(row.find("px")->value.text, R"({"units":5,"ccy":"USD"})");
    EXPECT_EQ(duckdb_type_text(d.last_columns()[0].second), "STRUCT(\"units\" BIGINT, \"ccy\" VARCHAR)");
}

TEST(ProtobufRowDecoder, ARecursiveMessageIsItsJsonText) {
    TableSource src;
    src.add(6, R"(syntax = "proto3"; message Node { string name = 1; Node next = 2; })");
    ProtobufRowDecoder d(src);
    RowCells row;
    ASSERT_TRUE(d.decode(framed(6, {}, Pb().s(1, "a").s(2, Pb().s(1, "b").out).out), row));
    EXPECT_EQ(d.last_columns()[1].second.kind, Kind::varchar);
    EXPECT_EQ(row.find("next")->value.text, R"({"name":"b"})");
}

TEST(ProtobufRowDecoder, BadInputIsPoisonWithTheReason) {
    TableSource src;
    src.add(3, kTrade);
    src.add(7, "syntax = \"proto3\"; message Broken { string a = 1 }");
    src.add(8, R"(syntax = "proto3"; import "nowhere.proto"; message M { string a = 1; })");
    ProtobufRowDecoder d(src);
    RowCells row;
    const std::string whole = trade_payload();
    auto expect_poison = [&](const std::string& value, std::string_view want) {
        auto st = d.decode(value, row);
        ASSERT_FALSE(st) << want;
        EXPECT_EQ(st.error().kind, ErrorKind::poison);
        EXPECT_NE(st.error().message.find(want), std::string::npos) << st.error().message;
    };
    expect_poison(framed(3, {}, whole.substr(0, whole.size() - 3)), "does not decode as ticklake.test.Trade");
    expect_poison(framed(9, {}, whole), "schema id 9 is unknown");
    expect_poison("{\"json\": 1}", "magic byte 123");
    expect_poison(framed(7, {}, ""), "does not parse: line 1");
    expect_poison(framed(8, {}, ""), "imports nowhere.proto, which its registry references do not name");
    std::string cut;
    append_wire_header(cut, 3);
    cut.push_back('\x04'); // two indexes announced, none there
    expect_poison(cut, "message index list");
}

} // namespace
} // namespace ticklake
