#include "common/text_type.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

TEST(ClassifyText, NarrowestTypeOfEachValue) {
    EXPECT_EQ(classify_text(""), TextType::null);
    EXPECT_EQ(classify_text("true"), TextType::boolean);
    EXPECT_EQ(classify_text("False"), TextType::boolean);
    EXPECT_EQ(classify_text("0"), TextType::int32);
    EXPECT_EQ(classify_text("-2147483648"), TextType::int32);
    EXPECT_EQ(classify_text("2147483648"), TextType::int64);
    EXPECT_EQ(classify_text("+12"), TextType::int32);
    EXPECT_EQ(classify_text("99999999999999999999"), TextType::string); // beyond 64 bits
    EXPECT_EQ(classify_text("1.5"), TextType::float64);
    EXPECT_EQ(classify_text(".5"), TextType::float64);
    EXPECT_EQ(classify_text("1e-3"), TextType::float64);
    EXPECT_EQ(classify_text("2300413.7295"), TextType::float64);
    EXPECT_EQ(classify_text("nan"), TextType::float64);
    EXPECT_EQ(classify_text("-inf"), TextType::float64);
    EXPECT_EQ(classify_text("2021-06-03"), TextType::date);
    EXPECT_EQ(classify_text("2021-13-03"), TextType::string);
    EXPECT_EQ(classify_text("2020-12-18 20:00:00"), TextType::timestamp);
    EXPECT_EQ(classify_text("2021-12-31 23:01:00.000000"), TextType::timestamp);
    EXPECT_EQ(classify_text("2024-01-02T14:30:00.000123Z"), TextType::timestamp);
    EXPECT_EQ(classify_text("2024-01-02T14:30:00+02:00"), TextType::timestamp);
    EXPECT_EQ(classify_text("2024-01-02X"), TextType::string);
    EXPECT_EQ(classify_text("1-2"), TextType::string);
    EXPECT_EQ(classify_text("-"), TextType::string);
    EXPECT_EQ(classify_text("AAPL"), TextType::string);
    EXPECT_EQ(classify_text("1.2.3"), TextType::string);
}

TEST(ClassifyText, JsonStringsStayStringsUnlessTimes) {
    EXPECT_EQ(classify_json_string("42"), TextType::string);
    EXPECT_EQ(classify_json_string("true"), TextType::string);
    EXPECT_EQ(classify_json_string("2021-04-17T16:41:49.519000Z"), TextType::timestamp);
    EXPECT_EQ(classify_json_string("2021-04-17"), TextType::date);
}

TEST(Widen, FollowsTheDocumentedLattice) {
    EXPECT_EQ(widen(TextType::null, TextType::int32), TextType::int32);
    EXPECT_EQ(widen(TextType::boolean, TextType::int32), TextType::int32);
    EXPECT_EQ(widen(TextType::int32, TextType::int64), TextType::int64);
    EXPECT_EQ(widen(TextType::int64, TextType::float64), TextType::float64);
    EXPECT_EQ(widen(TextType::float64, TextType::boolean), TextType::float64);
    EXPECT_EQ(widen(TextType::date, TextType::timestamp), TextType::timestamp);
    EXPECT_EQ(widen(TextType::date, TextType::int32), TextType::string);
    EXPECT_EQ(widen(TextType::float64, TextType::string), TextType::string);
    EXPECT_EQ(widen(TextType::timestamp, TextType::null), TextType::timestamp);
    EXPECT_STREQ(hive_type_name(TextType::null), "string");
    EXPECT_STREQ(hive_type_name(TextType::int32), "int");
}

TEST(WidenHiveType, CombinesTypesOfFiles) {
    EXPECT_EQ(widen_hive_type("int", "bigint"), "bigint");
    EXPECT_EQ(widen_hive_type("bigint", "double"), "double");
    EXPECT_EQ(widen_hive_type("float", "bigint"), "double");
    EXPECT_EQ(widen_hive_type("smallint", "float"), "float");
    EXPECT_EQ(widen_hive_type("date", "timestamp"), "timestamp");
    EXPECT_EQ(widen_hive_type("decimal(10,2)", "double"), "string");
    EXPECT_EQ(widen_hive_type("timestamp", "bigint"), "string");
    EXPECT_EQ(widen_hive_type("string", "string"), "string");
}

TEST(ParseEventTime, DatesAndTimestampsInUtc) {
    EXPECT_EQ(parse_event_time("1970-01-02"), kMicrosPerDay);
    EXPECT_EQ(parse_event_time("1970-01-01T00:00:01.5Z"), 1'500'000);
    EXPECT_EQ(parse_event_time("1970-01-01 01:00:00+01:00"), 0);
    EXPECT_FALSE(parse_event_time("yesterday"));
    EXPECT_FALSE(parse_event_time("1970-01-01T"));
}

} // namespace
} // namespace ticklake
