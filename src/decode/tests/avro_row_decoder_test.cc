#include "decode/avro_row_decoder.h"

#include <cstdint>
#include <cstring>
#include <map>

#include <gtest/gtest.h>

#include "common/timestamp.h"

namespace ticklake {
namespace {

using Kind = ValueType::Kind;

// Schemas by id from a table: the registry's part is tested in schema/.
class TableSource final : public SchemaSource {
public:
    void add(int32_t id, const std::string& text) {
        auto s = std::make_shared<RegisteredSchema>();
        s->id = id;
        s->text = text;
        s->avro = AvroSchema::parse(text).value();
        schemas_[id] = s;
    }
    Result<std::shared_ptr<const RegisteredSchema>> schema_by_id(int32_t id) override {
        ++asked;
        auto it = schemas_.find(id);
        if (it == schemas_.end()) {
            return fail(Error::poison("schema id " + std::to_string(id) + " is unknown to the registry"));
        }
        return it->second;
    }
    int asked = 0;

private:
    std::map<int32_t, std::shared_ptr<const RegisteredSchema>> schemas_;
};

// Avro binary, written by hand from the specification so the test does not trust the decoder.
struct Avro {
    std::string out;
    Avro& lng(int64_t v) {
        uint64_t u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
        while (u >= 0x80) {
            out.push_back(static_cast<char>((u & 0x7f) | 0x80));
            u >>= 7;
        }
        out.push_back(static_cast<char>(u));
        return *this;
    }
    Avro& str(std::string_view s) {
        lng(static_cast<int64_t>(s.size()));
        out += s;
        return *this;
    }
    Avro& dbl(double d) {
        char b[8];
        std::memcpy(b, &d, 8);
        out.append(b, 8);
        return *this;
    }
    Avro& boolean(bool b) {
        out.push_back(b ? 1 : 0);
        return *this;
    }
};

std::string framed(int32_t id, const std::string& payload) {
    std::string v;
    append_wire_header(v, id);
    return v + payload;
}

constexpr char kTrade[] = R"({"type":"record","name":"Trade","fields":[
  {"name":"symbol","type":"string"},
  {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":8}},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"ts_ms","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"day","type":{"type":"int","logicalType":"date"}},
  {"name":"venue","type":["null","string"]},
  {"name":"side","type":{"type":"enum","name":"Side","symbols":["BUY","SELL"]}},
  {"name":"qty","type":"double"},
  {"name":"ok","type":"boolean"},
  {"name":"legs","type":{"type":"array","items":{"type":"record","name":"Leg","fields":[{"name":"n","type":"long"}]}}},
  {"name":"tags","type":{"type":"map","values":"long"}}
]})";

std::string trade_payload() {
    Avro a;
    a.str("AAPL");
    a.lng(2).out += std::string("\xfe\x0c", 2); // -500 unscaled: -0.00000500
    a.lng(1'700'000'000'123'456).lng(1'700'000'000'123).lng(19'700);
    a.lng(1).str("XNAS");  // union branch 1: string
    a.lng(1);              // SELL
    a.dbl(2.5).boolean(true);
    a.lng(2).lng(7).lng(-8).lng(0);       // legs [{n:7},{n:-8}]
    a.lng(1).str("k").lng(42).lng(0);     // tags {k: 42}
    return a.out;
}

TEST(AvroRowDecoder, DecodesEveryFieldIntoATypedCell) {
    TableSource src;
    src.add(1, kTrade);
    AvroRowDecoder d(src);
    RowCells row;
    const std::string value = framed(1, trade_payload()); // cells view the message
    auto st = d.decode(value, row);
    ASSERT_TRUE(st) << st.error().message;
    ASSERT_EQ(row.cells().size(), 11u);
    EXPECT_EQ(row.find("symbol")->value.text, "AAPL");
    EXPECT_EQ(row.find("price")->value.text, "-0.00000500");
    EXPECT_EQ(row.find("ts")->value.kind, CellValue::Kind::timestamp);
    EXPECT_EQ(row.find("ts")->value.i, 1'700'000'000'123'456);
    EXPECT_EQ(row.find("ts_ms")->value.i, 1'700'000'000'123'000);
    EXPECT_EQ(row.find("day")->value.i, 19'700 * kMicrosPerDay);
    EXPECT_EQ(row.find("venue")->value.text, "XNAS");
    EXPECT_EQ(row.find("side")->value.text, "SELL");
    EXPECT_EQ(row.find("qty")->value.d, 2.5);
    EXPECT_TRUE(row.find("ok")->value.b);
    EXPECT_EQ(row.find("legs")->value.kind, CellValue::Kind::json);
    EXPECT_EQ(row.find("legs")->value.text, R"([{"n":7},{"n":-8}])");
    EXPECT_EQ(row.find("tags")->value.text, R"([{"key":"k","value":42}])");
    ASSERT_NE(d.last_schema(), nullptr);
    EXPECT_EQ(d.last_schema()->id, 1);
    // Decoding again asks the source nothing more.
    ASSERT_TRUE(d.decode(value, row));
    EXPECT_EQ(src.asked, 1);
}

TEST(AvroRowDecoder, MapsTheSchemaToColumnTypes) {
    auto s = AvroSchema::parse(kTrade).value();
    auto cols = avro_columns(*s);
    ASSERT_EQ(cols.size(), 11u);
    EXPECT_EQ(cols[1].second, ValueType::decimal_of(18, 8));
    EXPECT_EQ(cols[2].second.kind, Kind::timestamp);
    EXPECT_EQ(cols[3].second.kind, Kind::timestamp);
    EXPECT_EQ(cols[4].second.kind, Kind::date);
    EXPECT_EQ(cols[5].second.kind, Kind::varchar); // nullable string
    EXPECT_EQ(cols[6].second.kind, Kind::varchar); // enum
    EXPECT_EQ(cols[8].second.kind, Kind::boolean);
    EXPECT_EQ(duckdb_type_text(cols[9].second), "STRUCT(\"n\" BIGINT)[]");
    EXPECT_EQ(duckdb_type_text(cols[10].second), "STRUCT(\"key\" VARCHAR, \"value\" BIGINT)[]");
}

TEST(AvroRowDecoder, ANullBranchIsANullCell) {
    TableSource src;
    src.add(2, R"({"type":"record","name":"R","fields":[{"name":"v","type":["null","long"]}]})");
    AvroRowDecoder d(src);
    RowCells row;
    ASSERT_TRUE(d.decode(framed(2, Avro().lng(0).out), row));
    EXPECT_EQ(row.find("v")->value.kind, CellValue::Kind::null);
    ASSERT_TRUE(d.decode(framed(2, Avro().lng(1).lng(-3).out), row));
    EXPECT_EQ(row.find("v")->value.i, -3);
}

TEST(AvroRowDecoder, ARootUnionOfRecordsDecodesTheBranchItsValueNames) {
    constexpr char kEvents[] = R"([
      {"type":"record","name":"T","fields":[{"name":"id","type":"string"},{"name":"px","type":"double"}]},
      {"type":"record","name":"Q","fields":[{"name":"id","type":"string"},{"name":"bid","type":"double"},
                                            {"name":"legs","type":{"type":"array","items":"long"}}]}])";
    TableSource src;
    src.add(4, kEvents);
    AvroRowDecoder d(src);
    RowCells row;
    auto cols = avro_columns(*AvroSchema::parse(kEvents).value());
    ASSERT_EQ(cols.size(), 4u); // id once
    EXPECT_EQ(cols[0].first, "id");
    EXPECT_EQ(cols[2].first, "bid");
    const std::string quote = framed(4, Avro().lng(1).str("q1").dbl(1.5).lng(1).lng(9).lng(0).out); // cells view it
    ASSERT_TRUE(d.decode(quote, row));
    ASSERT_EQ(row.cells().size(), 3u);
    EXPECT_EQ(row.find("id")->value.text, "q1");
    EXPECT_EQ(row.find("bid")->value.d, 1.5);
    EXPECT_EQ(row.find("legs")->value.text, "[9]");
    ASSERT_TRUE(d.decode(framed(4, Avro().lng(0).str("t1").dbl(2.5).out), row));
    EXPECT_EQ(row.find("px")->value.d, 2.5);
    auto bad = d.decode(framed(4, Avro().lng(2).str("x").out), row);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("union branch"), std::string::npos) << bad.error().message;
}

TEST(AvroRowDecoder, BadInputIsPoisonWithTheReason) {
    TableSource src;
    src.add(1, kTrade);
    AvroRowDecoder d(src);
    RowCells row;
    const std::string whole = trade_payload();

    auto truncated = d.decode(framed(1, whole.substr(0, whole.size() - 3)), row);
    ASSERT_FALSE(truncated);
    EXPECT_EQ(truncated.error().kind, ErrorKind::poison);
    EXPECT_NE(truncated.error().message.find("inside field 'tags'"), std::string::npos) << truncated.error().message;

    auto extra = d.decode(framed(1, whole + "zz"), row);
    ASSERT_FALSE(extra);
    EXPECT_NE(extra.error().message.find("2 bytes left"), std::string::npos) << extra.error().message;

    auto unknown = d.decode(framed(9, whole), row);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().kind, ErrorKind::poison);
    EXPECT_NE(unknown.error().message.find("schema id 9 is unknown"), std::string::npos);

    auto magic = d.decode("{\"json\": 1}", row);
    ASSERT_FALSE(magic);
    EXPECT_NE(magic.error().message.find("magic byte 123"), std::string::npos) << magic.error().message;

    auto bad_enum = d.decode(framed(1, Avro().str("A").lng(0).lng(0).lng(0).lng(0).lng(0).lng(5).out), row);
    ASSERT_FALSE(bad_enum);
    EXPECT_NE(bad_enum.error().message.find("field 'side'"), std::string::npos) << bad_enum.error().message;
}

// Found by avro_row_decoder_fuzz: a varint may hold any 64-bit value, and scaling a time-millis
// of -3.6e18 by 1000 overflowed (UBSan). Values outside their type's range are poison, never a
// wrapped number; the largest value in range still decodes.
TEST(AvroRowDecoder, ValuesOutsideTheirLogicalTypesRangeArePoisonNotWrapped) {
    TableSource src;
    src.add(1, R"({"type":"record","name":"T","fields":[{"name":"t","type":{"type":"int","logicalType":"time-millis"}}]})");
    src.add(2, R"({"type":"record","name":"D","fields":[{"name":"d","type":{"type":"int","logicalType":"date"}}]})");
    src.add(3, R"({"type":"record","name":"M","fields":[{"name":"m","type":{"type":"long","logicalType":"timestamp-millis"}}]})");
    src.add(4, R"({"type":"record","name":"I","fields":[{"name":"i","type":"int"}]})");
    AvroRowDecoder d(src);
    RowCells row;

    auto overflowing_time = d.decode(framed(1, Avro().lng(-3'574'169'254'271'909'888).out), row);
    ASSERT_FALSE(overflowing_time);
    EXPECT_EQ(overflowing_time.error().kind, ErrorKind::poison);
    EXPECT_NE(overflowing_time.error().message.find("field 't'"), std::string::npos) << overflowing_time.error().message;
    EXPECT_FALSE(d.decode(framed(1, Avro().lng(86'400'001).out), row)); // past the end of the day
    ASSERT_TRUE(d.decode(framed(1, Avro().lng(86'399'999).out), row));
    EXPECT_EQ(row.find("t")->value.i, 86'399'999'000);

    EXPECT_FALSE(d.decode(framed(2, Avro().lng(int64_t{1} << 40).out), row)); // not an int
    EXPECT_FALSE(d.decode(framed(2, Avro().lng(INT32_MAX).out), row)); // an int, but past int64 microseconds
    ASSERT_TRUE(d.decode(framed(2, Avro().lng(106'751'991).out), row)); // the last day in range
    EXPECT_EQ(row.find("d")->value.i, int64_t{106'751'991} * kMicrosPerDay);

    EXPECT_FALSE(d.decode(framed(3, Avro().lng(INT64_MAX / 1000 + 1).out), row));
    ASSERT_TRUE(d.decode(framed(3, Avro().lng(INT64_MAX / 1000).out), row));
    EXPECT_EQ(row.find("m")->value.i, INT64_MAX / 1000 * 1000);

    EXPECT_FALSE(d.decode(framed(4, Avro().lng(int64_t{INT32_MIN} - 1).out), row));
    ASSERT_TRUE(d.decode(framed(4, Avro().lng(INT32_MIN).out), row));
    EXPECT_EQ(row.find("i")->value.i, INT32_MIN);
}

// Found by avro_row_decoder_fuzz: a block count of INT64_MIN was negated (UBSan), and a count
// the payload cannot hold would loop for as long as it says. Counts are bounded by the bytes
// left, or by a million for items that take no bytes (null).
TEST(AvroRowDecoder, ABlockCountThePayloadCannotHoldIsPoison) {
    TableSource src;
    src.add(1, R"({"type":"record","name":"A","fields":[{"name":"a","type":{"type":"array","items":"long"}}]})");
    src.add(2, R"({"type":"record","name":"N","fields":[{"name":"n","type":{"type":"array","items":"null"}}]})");
    AvroRowDecoder d(src);
    RowCells row;

    EXPECT_FALSE(d.decode(framed(1, Avro().lng(INT64_MIN).lng(1).out), row));
    EXPECT_FALSE(d.decode(framed(1, Avro().lng(int64_t{1} << 60).lng(1).lng(0).out), row));
    ASSERT_TRUE(d.decode(framed(1, Avro().lng(-2).lng(2).lng(7).lng(8).lng(0).out), row)); // sized block
    EXPECT_EQ(row.find("a")->value.text, "[7,8]");

    EXPECT_FALSE(d.decode(framed(2, Avro().lng(2'000'000).lng(0).out), row));
    ASSERT_TRUE(d.decode(framed(2, Avro().lng(3).lng(0).out), row));
    EXPECT_EQ(row.find("n")->value.text, "[null,null,null]");
}

// Found by avro_row_decoder_fuzz (stack overflows): a record that holds a list of itself is a
// valid Avro schema. Its column type stops at the recursion (VARCHAR: the value as JSON), and
// a value nested deeper than the decoder's bound is poison, not a million stack frames.
TEST(AvroRowDecoder, ARecursiveSchemaHasAFiniteTypeAndBoundedNesting) {
    const char* tree = R"({"type":"record","name":"Node","fields":[{"name":"v","type":"long"},
        {"name":"kids","type":{"type":"array","items":"Node"}}]})";
    auto schema = AvroSchema::parse(tree);
    ASSERT_TRUE(schema) << schema.error().message;
    const ValueType t = avro_column_type((*schema)->root());
    ASSERT_EQ(t.kind, Kind::structure);
    ASSERT_EQ(t.fields.size(), 2u);
    ASSERT_EQ(t.fields[1].second.kind, Kind::list);
    EXPECT_EQ(t.fields[1].second.element.at(0).kind, Kind::varchar);

    TableSource src;
    src.add(1, tree);
    AvroRowDecoder d(src);
    RowCells row;
    // v=1, kids=[ {v=2, kids=[]} ]
    ASSERT_TRUE(d.decode(framed(1, Avro().lng(1).lng(1).lng(2).lng(0).lng(0).out), row));
    EXPECT_EQ(row.find("kids")->value.text, R"([{"v":2,"kids":[]}])");

    // A well-formed chain of `levels` nodes, each the only kid of the one above.
    auto chain = [](int levels) {
        Avro a;
        a.lng(0);
        for (int i = 0; i < levels; ++i) {
            a.lng(1).lng(0); // a block of one kid, whose v is 0; its kids follow
        }
        a.lng(0); // the innermost node has no kids
        for (int i = 0; i < levels; ++i) {
            a.lng(0); // the end of each block
        }
        return a.out;
    };
    EXPECT_TRUE(d.decode(framed(1, chain(40)), row));
    auto r = d.decode(framed(1, chain(10'000)), row);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::poison);
}

} // namespace
} // namespace ticklake
