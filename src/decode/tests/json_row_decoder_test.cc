#include "decode/json_row_decoder.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/tests/message_mutations.h"

namespace ticklake {
namespace {

using Kind = CellValue::Kind;

class JsonRowDecoderTest : public ::testing::Test {
protected:
    //! Decodes `json`, which must give `fields` cells, into row_.
    void decode_ok(std::string_view json, size_t fields) {
        ASSERT_TRUE(d_.decode(json, row_)) << json;
        ASSERT_EQ(row_.cells().size(), fields) << json;
    }

    JsonRowDecoder d_;
    RowCells row_; //!< views in its cells live until the next decode
};

TEST_F(JsonRowDecoderTest, ReadsEveryScalarKindInOrder) {
    ASSERT_NO_FATAL_FAILURE(
        decode_ok(R"({"Index":"HSI","Date":"1986-12-31","Open":2568.300049,"Volume":0,"ok":true,"x":null})", 6));
    const auto& c = row_.cells();
    EXPECT_EQ(c[0].field, "Index");
    EXPECT_EQ(c[0].value.kind, Kind::string);
    EXPECT_EQ(c[0].value.text, "HSI");
    EXPECT_EQ(c[2].value.kind, Kind::real);
    EXPECT_DOUBLE_EQ(c[2].value.d, 2568.300049);
    EXPECT_EQ(c[2].value.text, "2568.300049");
    EXPECT_EQ(c[3].value.kind, Kind::integer);
    EXPECT_EQ(c[3].value.i, 0);
    EXPECT_EQ(c[4].value.kind, Kind::boolean);
    EXPECT_TRUE(c[4].value.b);
    EXPECT_EQ(c[5].value.kind, Kind::null);
}

TEST_F(JsonRowDecoderTest, PythonNonFiniteLiteralsReadAsNull) {
    ASSERT_NO_FATAL_FAILURE(decode_ok(R"({"a": NaN, "b": "NaN", "c": -Infinity, "d": Infinity, "e": 1.5})", 5));
    const auto& c = row_.cells();
    EXPECT_EQ(c[0].value.kind, Kind::null);
    EXPECT_EQ(c[1].value.kind, Kind::string); // inside a string it stays text
    EXPECT_EQ(c[1].value.text, "NaN");
    EXPECT_EQ(c[2].value.kind, Kind::null);
    EXPECT_EQ(c[3].value.kind, Kind::null);
    EXPECT_DOUBLE_EQ(c[4].value.d, 1.5);
}

TEST_F(JsonRowDecoderTest, NestedValuesKeepMinifiedTextAndType) {
    ASSERT_NO_FATAL_FAILURE(decode_ok(R"({"q": {"bid": 1.5, "sizes": [1, 2, 3]}, "tags": [ "a" , "b" ]})", 2));
    const auto& c = row_.cells();
    EXPECT_EQ(c[0].value.kind, Kind::json);
    EXPECT_EQ(c[0].value.text, R"({"bid":1.5,"sizes":[1,2,3]})");
    EXPECT_EQ(duckdb_type_text(*c[0].value.nested), R"(STRUCT("bid" DOUBLE, "sizes" BIGINT[]))");
    EXPECT_EQ(c[1].value.text, R"(["a","b"])");
    EXPECT_EQ(hive_type_text(*c[1].value.nested), "array<string>");
}

TEST(JsonRowDecoder, BadInputIsPoisonWithAReason) {
    JsonRowDecoder d;
    RowCells row;
    auto reason = [&](std::string_view v) {
        auto st = d.decode(v, row);
        EXPECT_FALSE(st) << v;
        return st ? std::string() : st.error().message;
    };
    EXPECT_NE(reason("not json").find("not valid JSON"), std::string::npos);
    EXPECT_NE(reason("[1,2]").find("array, not an object"), std::string::npos);
    EXPECT_NE(reason("42").find("scalar, not an object"), std::string::npos);
    EXPECT_NE(reason("{\"a\":\"\xff\xfe\"}").find("UTF-8"), std::string::npos);
    EXPECT_NE(reason(R"({"a":1} trailing)").find("not valid JSON"), std::string::npos);
    EXPECT_NE(reason(R"({"a":1}{})").find("after its JSON object"), std::string::npos);
    EXPECT_NE(reason(R"({"a":[1,{"b":2}]})").find("mixes"), std::string::npos);
    EXPECT_FALSE(d.decode(R"({"a":1,)", row));
}

TEST(JsonRowDecoder, ReplaceNonFiniteLiteralsLeavesStringsAlone) {
    EXPECT_EQ(replace_non_finite_literals(R"({"NaN":NaN,"s":"a\"NaN"})"), R"({"NaN":null,"s":"a\"NaN"})");
    EXPECT_EQ(replace_non_finite_literals(R"({"a":1})"), "");
}

// The flat path and simdjson decode every message alike: the fuzzer's corpus, and a flat
// message with every byte replaced and every prefix. Same verdict, cells, error text.
TEST(JsonRowDecoder, FlatPathAndSimdjsonPathAgree) {
    std::vector<std::string> messages;
    for (const auto& entry : std::filesystem::directory_iterator(TICKLAKE_JSON_ROW_CORPUS)) {
        std::ifstream in(entry.path(), std::ios::binary);
        messages.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    ASSERT_GT(messages.size(), 500u);
    const std::string flat = R"({"symbol":"AAPL","price":190.12,"qty":-100,"ok":true,"no":false,"x":null,)"
                             R"("big":12345678901234567890,"e":1.5e3,"ts":"2025-01-06T14:30:01Z"})";
    ticklake::testing::add_prefixes_and_byte_changes(messages, flat, "\"\\,}0-e. N\x01\xc3");
    messages.push_back(flat);
    messages.push_back(R"({"a":1e00000000000000000001,"b":2})"); // simdjson refuses 20 exponent digits
    messages.push_back(R"({"a":1e0001,"b":-0,"c":1E+308,"d":1e-400})");
    JsonRowDecoder fast, simd;
    simd.set_simdjson_only(true);
    RowCells a, b;
    size_t accepted = 0;
    for (const auto& m : messages) {
        const auto sa = fast.decode(m, a);
        const auto sb = simd.decode(m, b);
        ASSERT_EQ(static_cast<bool>(sa), static_cast<bool>(sb)) << m;
        if (!sa) {
            EXPECT_EQ(sa.error().message, sb.error().message) << m;
            continue;
        }
        ++accepted;
        ASSERT_EQ(a.cells().size(), b.cells().size()) << m;
        for (size_t i = 0; i < a.cells().size(); ++i) {
            const CellValue& x = a.cells()[i].value;
            const CellValue& y = b.cells()[i].value;
            EXPECT_EQ(a.cells()[i].field, b.cells()[i].field) << m;
            ASSERT_EQ(x.kind, y.kind) << m << " cell " << i;
            EXPECT_EQ(x.text, y.text) << m << " cell " << i;
            EXPECT_EQ(x.b, y.b) << m;
            EXPECT_EQ(x.i, y.i) << m;
            EXPECT_EQ(std::memcmp(&x.d, &y.d, sizeof x.d), 0) << m << " cell " << i;
            EXPECT_EQ(x.nested == nullptr, y.nested == nullptr) << m;
        }
    }
    EXPECT_GT(accepted, 50u);
}

TEST(JsonRowDecoder, LongDecimalsReadExactly) {
    for (bool simdjson_only : {false, true}) {
        JsonRowDecoder d;
        d.set_simdjson_only(simdjson_only);
        RowCells row;
        ASSERT_TRUE(d.decode(R"({"a":0.95000000000000000000,"b":[0.95000000000000000000]})", row));
        EXPECT_EQ(row.cells()[0].value.d, 0.95) << simdjson_only;
    }
}

} // namespace
} // namespace ticklake
