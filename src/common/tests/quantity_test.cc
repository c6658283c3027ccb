#include "common/quantity.h"

#include <gtest/gtest.h>

namespace ticklake {

TEST(ParseDuration, UnitsAndPlainSeconds) {
    EXPECT_EQ(*parse_duration_us("30"), 30'000'000);
    EXPECT_EQ(*parse_duration_us("5"), 5'000'000);
    EXPECT_EQ(*parse_duration_us("5s"), 5'000'000);
    EXPECT_EQ(*parse_duration_us("1.5s"), 1'500'000);
    EXPECT_EQ(*parse_duration_us("0.25"), 250'000);
    EXPECT_EQ(*parse_duration_us("250ms"), 250'000);
    EXPECT_EQ(*parse_duration_us("7us"), 7);
    EXPECT_EQ(*parse_duration_us("5m"), 300'000'000);
    EXPECT_EQ(*parse_duration_us("1h"), 3'600'000'000);
    EXPECT_EQ(*parse_duration_us("1d"), 86'400'000'000);
    EXPECT_EQ(*parse_duration_us("0"), 0);
}

TEST(ParseDuration, BadTextSaysWhatIsExpected) {
    for (const char* bad : {"", "soon", "5 parsecs", "10w", "-1s", "5 s", "nan", "inf", "1e300", "s"}) {
        auto r = parse_duration_us(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
        EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
    }
    EXPECT_NE(parse_duration_us("10w").error().message.find("us, ms, s, m, h or d"), std::string::npos);
    EXPECT_NE(parse_duration_us("soon").error().message.find("30s"), std::string::npos);
}

} // namespace ticklake
