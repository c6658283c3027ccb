#include "format/value_type.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

using Kind = ValueType::Kind;

ValueType parse(std::string_view s) {
    auto t = parse_type_text(s);
    EXPECT_TRUE(t) << s << ": " << (t ? "" : t.error().message);
    return t ? *t : ValueType();
}

TEST(ValueType, WideningLattice) {
    auto w = [](Kind a, Kind b) {
        auto r = widen(ValueType(a), ValueType(b));
        return r ? r->kind : Kind::null;
    };
    EXPECT_EQ(w(Kind::boolean, Kind::bigint), Kind::bigint);
    EXPECT_EQ(w(Kind::bigint, Kind::float64), Kind::float64);
    EXPECT_EQ(w(Kind::float64, Kind::varchar), Kind::varchar);
    EXPECT_EQ(w(Kind::date, Kind::timestamp), Kind::timestamp);
    EXPECT_EQ(w(Kind::date, Kind::bigint), Kind::varchar);
    EXPECT_EQ(w(Kind::null, Kind::date), Kind::date);
    EXPECT_FALSE(widen(ValueType(Kind::float64), ValueType(Kind::structure)));
    EXPECT_FALSE(widen(ValueType::list_of(ValueType(Kind::bigint)), ValueType(Kind::structure)));
    EXPECT_FALSE(widen(ValueType::decimal_of(18, 2), ValueType(Kind::float64)));
}

TEST(ValueType, StructsMergeFieldByField) {
    ValueType a = parse("struct<a:bigint,b:string>");
    ValueType b = parse("STRUCT(a DOUBLE, c DATE)");
    auto w = widen(a, b);
    ASSERT_TRUE(w);
    EXPECT_EQ(hive_type_text(*w), "struct<a:double,b:string,c:date>");
    EXPECT_EQ(duckdb_type_text(*w), R"(STRUCT("a" DOUBLE, "b" VARCHAR, "c" DATE))");
    EXPECT_EQ(json_structure(*w), R"({"a":"DOUBLE","b":"VARCHAR","c":"DATE"})");
}

TEST(ValueType, TextRoundTrips) {
    for (std::string_view s : {"bigint", "double", "string", "date", "timestamp", "boolean", "binary", "decimal(18,8)",
                               "array<struct<x:bigint,`adj close`:array<double>>>"}) {
        EXPECT_EQ(hive_type_text(parse(s)), s);
    }
    EXPECT_EQ(duckdb_type_text(parse("DOUBLE[]")), "DOUBLE[]");
    EXPECT_EQ(parse("int").kind, Kind::bigint);
    EXPECT_EQ(parse("VARCHAR").kind, Kind::varchar);
    EXPECT_FALSE(parse_type_text("decimal(40,2)"));
    EXPECT_FALSE(parse_type_text("struct<a:bigint"));
    EXPECT_FALSE(parse_type_text("money"));
    EXPECT_EQ(duckdb_type_text(parse("array<struct<>>")), "JSON[]");
}

} // namespace
} // namespace ticklake
