#include "format/open_table.h"

#include <map>

#include <gtest/gtest.h>

namespace ticklake {
namespace {

using Kind = CellValue::Kind;

// A row of JSON-like cells: name -> (kind, text, number).
struct Val {
    Kind kind;
    std::string text;
    double num = 0;
};

void fill(RowCells& row, const std::vector<std::pair<std::string, Val>>& fields,
          std::deque<std::string>& names, std::deque<ValueType>& types) {
    row.clear();
    for (const auto& [name, v] : fields) {
        names.push_back(name);
        CellValue& c = row.add(names.back());
        c.kind = v.kind;
        c.text = v.text;
        if (v.kind == Kind::integer) {
            c.i = static_cast<int64_t>(v.num);
        } else if (v.kind == Kind::real) {
            c.d = v.num;
        } else if (v.kind == Kind::boolean) {
            c.b = v.num != 0;
        } else if (v.kind == Kind::json) {
            types.push_back(v.num == 0 ? ValueType(ValueType::Kind::structure) : ValueType::list_of(ValueType(ValueType::Kind::bigint)));
            if (v.num == 0) {
                types.back().fields.emplace_back("b", ValueType(ValueType::Kind::bigint));
            }
            c.nested = &types.back();
        }
    }
}

struct Fixture : ::testing::Test {
    OpenSchema schema{{"dt"}, 100};
    OpenTableBuffer buf{schema};
    RowCells row;
    std::deque<std::string> names;
    std::deque<ValueType> types;

    Status add(const std::vector<std::pair<std::string, Val>>& fields, std::string_view key = "", TimestampUs ts = 0) {
        fill(row, fields, names, types);
        return buf.append(row, key, ts);
    }
    std::string type_of(const std::string& name) {
        for (const auto& c : schema.columns()) {
            if (c.name == name) {
                return hive_type_text(c.type);
            }
        }
        return "-";
    }
};

TEST_F(Fixture, TutorialRowTypes) {
    ASSERT_TRUE(add({{"Index", {Kind::string, "HSI"}},
                     {"Date", {Kind::string, "1986-12-31"}},
                     {"Open", {Kind::real, "2568.300049", 2568.300049}},
                     {"Adj Close", {Kind::real, "2568.300049", 2568.300049}},
                     {"Volume", {Kind::real, "0.0", 0}},
                     {"When", {Kind::string, "2025-01-06T14:30:00Z"}}}));
    EXPECT_EQ(type_of("Index"), "string");
    EXPECT_EQ(type_of("Date"), "date");
    EXPECT_EQ(type_of("Open"), "double");
    EXPECT_EQ(type_of("Adj Close"), "double");
    EXPECT_EQ(type_of("When"), "timestamp");
    const ColumnBatch& b = buf.finish();
    ASSERT_EQ(b.columns.size(), 6u);
    EXPECT_EQ(b.columns[1].type, ColumnType::date);
    EXPECT_EQ(b.columns[1].ints[0], days_from_civil(1986, 12, 31));
    EXPECT_DOUBLE_EQ(b.columns[2].doubles[0], 2568.300049);
}

TEST_F(Fixture, WidensAlongTheChainAndConvertsEarlierValues) {
    ASSERT_TRUE(add({{"x", {Kind::boolean, "", 1}}}));
    ASSERT_TRUE(add({{"x", {Kind::integer, "7", 7}}}));
    EXPECT_EQ(type_of("x"), "bigint");
    ASSERT_TRUE(add({{"x", {Kind::real, "2.5", 2.5}}}));
    EXPECT_EQ(type_of("x"), "double");
    ASSERT_TRUE(add({{"x", {Kind::string, "n/a"}}}));
    EXPECT_EQ(type_of("x"), "string");
    const ColumnBatch& b = buf.finish();
    EXPECT_EQ(b.columns[0].strings.to_vector(), (std::vector<std::string>{"1", "7", "2.5", "n/a"}));
}

TEST_F(Fixture, DateThenTimestampIsTimestampAndDateThenTextIsText) {
    ASSERT_TRUE(add({{"d", {Kind::string, "2025-01-06"}}, {"e", {Kind::string, "2025-01-06"}}}));
    ASSERT_TRUE(add({{"d", {Kind::string, "2025-01-06T12:00:00"}}, {"e", {Kind::string, "soon"}}}));
    EXPECT_EQ(type_of("d"), "timestamp");
    EXPECT_EQ(type_of("e"), "string");
    const ColumnBatch& b = buf.finish();
    EXPECT_EQ(b.columns[0].ints[0], days_from_civil(2025, 1, 6) * kMicrosPerDay);
    EXPECT_EQ(b.columns[1].strings[0], "2025-01-06");
}

TEST_F(Fixture, AnObjectWhereANumberWasIsRefusedAndChangesNothing) {
    ASSERT_TRUE(add({{"price", {Kind::real, "1.5", 1.5}}}));
    auto st = add({{"new_field", {Kind::integer, "1", 1}}, {"price", {Kind::json, R"({"b":1})", 0}}});
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::poison);
    EXPECT_NE(st.error().message.find("an object does not fit column 'price' of type double"), std::string::npos)
        << st.error().message;
    EXPECT_EQ(buf.rows(), 1u);
    EXPECT_EQ(schema.columns().size(), 1u); // new_field was not added
    ASSERT_TRUE(add({{"price", {Kind::real, "2.5", 2.5}}}));
    EXPECT_EQ(buf.rows(), 2u);
}

TEST_F(Fixture, NewFieldsAppendColumnsAndEarlierRowsAreNull) {
    ASSERT_TRUE(add({{"a", {Kind::integer, "1", 1}}}));
    ASSERT_TRUE(add({{"b", {Kind::string, "x"}}, {"a", {Kind::integer, "2", 2}}}));
    const ColumnBatch& b = buf.finish();
    ASSERT_EQ(b.columns.size(), 2u);
    EXPECT_EQ(b.columns[1].name, "b");
    EXPECT_EQ(b.columns[1].valid, (std::vector<uint8_t>{0, 1}));
    EXPECT_EQ(b.columns[0].ints, (std::vector<int64_t>{1, 2}));
}

// The schema predicts each field's column from the one before it. Shapes that share a prefix,
// part, meet again and come in any order (keys of 1 to 20 bytes, one repeated) must still land
// every value in its own column.
TEST_F(Fixture, MixedShapesInAnyOrderLandInTheirColumns) {
    const std::vector<std::vector<std::string>> shapes = {
        {"ts", "sym", "price", "size", "venue"},
        {"ts", "sym", "bid", "ask", "venue"},
        {"ts", "sym", "a_twenty_byte_name_x", "bid", "price"},
        {"sym", "ts", "size", "size"},
    };
    std::map<std::string, std::vector<int64_t>> expected;
    std::vector<std::string> all_fields;
    for (const auto& shape : shapes) {
        for (const auto& f : shape) {
            if (!expected.contains(f)) {
                expected[f];
                all_fields.push_back(f);
            }
        }
    }
    uint64_t state = 12345;
    for (int r = 0; r < 400; ++r) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const auto& shape = shapes[(state >> 33) % shapes.size()];
        std::vector<std::pair<std::string, Val>> fields;
        std::map<std::string, int64_t> row_values;
        for (size_t i = 0; i < shape.size(); ++i) {
            const int64_t v = r * 100 + static_cast<int64_t>(i);
            fields.push_back({shape[i], {Kind::integer, std::to_string(v), static_cast<double>(v)}});
            row_values[shape[i]] = v; // a repeated field: the last value wins
        }
        ASSERT_TRUE(add(fields));
        for (auto& [f, values] : expected) {
            values.push_back(row_values.contains(f) ? row_values[f] : -1);
        }
    }
    const ColumnBatch& b = buf.finish();
    ASSERT_EQ(b.columns.size(), all_fields.size());
    for (const Column& c : b.columns) {
        const auto& want = expected.at(c.name);
        ASSERT_EQ(c.valid.size(), want.size()) << c.name;
        for (size_t r = 0; r < want.size(); ++r) {
            ASSERT_EQ(c.valid[r] != 0, want[r] != -1) << c.name << " row " << r;
            if (want[r] != -1) {
                ASSERT_EQ(c.ints[r], want[r]) << c.name << " row " << r;
            }
        }
    }
}

TEST_F(Fixture, NamesAreUniqueIgnoringCaseAndPartitionKeysAreReserved) {
    ASSERT_TRUE(add({{"price", {Kind::integer, "1", 1}}, {"Price", {Kind::integer, "2", 2}}, {"DT", {Kind::string, "z"}}}));
    ASSERT_EQ(schema.columns().size(), 3u);
    EXPECT_EQ(schema.columns()[1].name, "Price_2");
    EXPECT_EQ(schema.columns()[2].name, "DT_2");
    ASSERT_TRUE(add({{"Price", {Kind::integer, "3", 3}}}));
    EXPECT_EQ(schema.columns().size(), 3u);
}

TEST_F(Fixture, RepeatedFieldLastValueWins) {
    ASSERT_TRUE(add({{"a", {Kind::integer, "1", 1}}, {"a", {Kind::integer, "2", 2}}}));
    ASSERT_TRUE(add({{"a", {Kind::integer, "3", 3}}, {"a", {Kind::integer, "4", 4}}}));
    EXPECT_EQ(buf.finish().columns[0].ints, (std::vector<int64_t>{2, 4}));
}

TEST_F(Fixture, TooManyColumnsIsRefused) {
    OpenSchema small({}, 3);
    OpenTableBuffer b(small);
    fill(row, {{"a", {Kind::null, ""}}, {"b", {Kind::null, ""}}, {"c", {Kind::null, ""}}, {"d", {Kind::null, ""}}}, names,
         types);
    auto st = b.append(row, "", 0);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("--max-columns"), std::string::npos);
    EXPECT_TRUE(small.columns().empty());
}

TEST_F(Fixture, FixedDecimalAndTimestampColumnsConvertOrRefuse) {
    schema.declare("price", "price", ValueType::decimal_of(18, 8));
    schema.declare("ts", "ts", ValueType(ValueType::Kind::timestamp));
    ASSERT_TRUE(add({{"price", {Kind::string, "190.125"}}, {"ts", {Kind::integer, "1736173800000", 1736173800000}}}));
    ASSERT_TRUE(add({{"price", {Kind::real, "1e-3", 0.001}}, {"ts", {Kind::string, "2025-01-06T14:30:00Z"}}}));
    auto st = add({{"price", {Kind::string, "abc"}}});
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("--column"), std::string::npos);
    const ColumnBatch& b = buf.finish();
    EXPECT_EQ(b.columns[0].type, ColumnType::decimal);
    EXPECT_EQ(b.columns[0].type_text, "DECIMAL(18,8)");
    EXPECT_EQ(b.columns[0].strings.to_vector(), (std::vector<std::string>{"190.12500000", "0.00100000"}));
    EXPECT_EQ(b.columns[1].ints, (std::vector<int64_t>{1736173800000000, 1736173800000000}));
}

TEST_F(Fixture, BuffersSharingASchemaCatchUpOnFinish) {
    OpenTableBuffer other(schema);
    ASSERT_TRUE(add({{"x", {Kind::integer, "1", 1}}}));
    // Named: the row's cells are views into these texts until the append.
    const std::vector<std::pair<std::string, Val>> fields{{"x", {Kind::real, "1.5", 1.5}}, {"y", {Kind::string, "new"}}};
    fill(row, fields, names, types);
    ASSERT_TRUE(other.append(row, "", 0));
    const ColumnBatch& b = buf.finish();
    ASSERT_EQ(b.columns.size(), 2u);
    EXPECT_EQ(b.columns[0].type, ColumnType::float64);
    EXPECT_EQ(b.columns[0].doubles[0], 1.0);
    EXPECT_EQ(b.columns[1].valid, (std::vector<uint8_t>{0}));
}

TEST_F(Fixture, NestedStructsGainFieldsAndListsStayLists) {
    ASSERT_TRUE(add({{"q", {Kind::json, R"({"b":1})", 0}}, {"l", {Kind::json, "[1]", 1}}}));
    EXPECT_EQ(type_of("q"), "struct<b:bigint>");
    EXPECT_EQ(type_of("l"), "array<bigint>");
    auto st = add({{"l", {Kind::json, R"({"b":1})", 0}}});
    EXPECT_FALSE(st);
    const ColumnBatch& b = buf.finish();
    EXPECT_EQ(b.columns[0].type, ColumnType::nested);
    EXPECT_EQ(b.columns[0].type_text, R"({"b":"BIGINT"})");
    EXPECT_EQ(b.columns[0].strings[0], R"({"b":1})");
}

TEST_F(Fixture, ColumnsWithOnlyNullsAreNotWritten) {
    ASSERT_TRUE(add({{"a", {Kind::integer, "1", 1}}, {"z", {Kind::null, ""}}}));
    EXPECT_EQ(buf.finish().columns.size(), 1u);
}

TEST(OpenSchema, SeededSuffixedColumnIsTakenOverByItsField) {
    OpenSchema s({}, 100);
    s.seed("price", ValueType(ValueType::Kind::float64));
    s.seed("Price_2", ValueType(ValueType::Kind::bigint));
    const uint32_t col = s.add("Price", ValueType(ValueType::Kind::bigint));
    EXPECT_EQ(col, 1u);
    EXPECT_EQ(s.columns().size(), 2u);
    EXPECT_EQ(s.find("Price", kNoColumn), 1u);
    EXPECT_EQ(s.find("price_2", 0), kNoColumn);
}

TEST(NormalizeDecimal, RoundsAndRefusesWhatDoesNotFit) {
    EXPECT_EQ(*normalize_decimal("190.125", 18, 2), "190.13");
    EXPECT_EQ(*normalize_decimal("-0.004", 18, 2), "0.00");
    EXPECT_EQ(*normalize_decimal("-1.005", 18, 2), "-1.01");
    EXPECT_EQ(*normalize_decimal("12", 5, 2), "12.00");
    EXPECT_EQ(*normalize_decimal("1.5e3", 10, 1), "1500.0");
    EXPECT_EQ(*normalize_decimal("9.999", 5, 2), "10.00");
    EXPECT_EQ(*normalize_decimal("007", 3, 0), "7");
    EXPECT_FALSE(normalize_decimal("1234", 5, 2));
    EXPECT_FALSE(normalize_decimal("abc", 5, 2));
    EXPECT_FALSE(normalize_decimal("1.2.3", 5, 2));
    EXPECT_FALSE(normalize_decimal("", 5, 2));
}

} // namespace
} // namespace ticklake

namespace ticklake {
namespace {

TEST(OpenTableBuffer, ColumnsTheSinkFillsStayAlignedWithTheRows) {
    OpenSchema schema({}, 100);
    const uint32_t offset_col = schema.declare("", "_offset", ValueType(ValueType::Kind::bigint));
    OpenTableBuffer buf(schema);
    RowCells row;
    for (int64_t i = 0; i < 3; ++i) {
        row.clear();
        CellValue& a = row.add("a");
        a.kind = CellValue::Kind::text;
        a.text = i == 0 ? "x" : "y";
        CellValue& o = row.add_to_column(offset_col);
        o.kind = CellValue::Kind::integer;
        o.i = 10 + i;
        ASSERT_TRUE(buf.append(row, "", 0));
    }
    const ColumnBatch& b = buf.finish();
    ASSERT_EQ(b.columns.size(), 2u);
    EXPECT_EQ(b.columns[0].name, "_offset");
    EXPECT_EQ(b.columns[0].ints, (std::vector<int64_t>{10, 11, 12}));
    EXPECT_EQ(b.columns[0].valid, (std::vector<uint8_t>{1, 1, 1}));
}

} // namespace
} // namespace ticklake
