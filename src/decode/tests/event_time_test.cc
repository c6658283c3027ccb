#include "decode/event_time.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

CellValue text(std::string_view s) {
    CellValue v;
    v.kind = CellValue::Kind::string;
    v.text = s;
    return v;
}

CellValue number(double d) {
    CellValue v;
    v.kind = CellValue::Kind::real;
    v.d = d;
    return v;
}

TEST(EventTime, IsoDatesAndEpochsByMagnitude) {
    const TimestampUs t = 1736173800'000000; // 2025-01-06T14:30:00Z
    auto of = [](CellValue v) { return *event_time_of(v); };
    EXPECT_EQ(of(text("2025-01-06T14:30:00Z")), t);
    EXPECT_EQ(of(text("2025-01-06T15:30:00+01:00")), t);
    EXPECT_EQ(of(text("2025-01-06 14:30:00")), t);
    EXPECT_EQ(of(text("1986-12-31")), days_from_civil(1986, 12, 31) * kMicrosPerDay);
    EXPECT_EQ(of(number(1736173800)), t);
    EXPECT_EQ(of(number(1736173800000.0)), t);
    EXPECT_EQ(of(number(1736173800000000.0)), t);
    EXPECT_EQ(of(number(1736173800000000000.0)), t);
    EXPECT_EQ(of(text("1736173800000")), t);
    CellValue twice = text("2025-01-06T14:30:00Z");
    EXPECT_EQ(*event_time_of(twice), t);
    EXPECT_EQ(twice.time_kind, CellValue::kTimestamp);
}

TEST(EventTime, UnreadableTimesArePoison) {
    for (auto v : {text("yesterday"), text(""), text("2025-13-45"), CellValue{}}) {
        // (each a copy: the reading is kept in the cell)
        auto r = event_time_of(v);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, ErrorKind::poison);
    }
}

} // namespace
} // namespace ticklake
