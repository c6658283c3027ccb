#include "sources/live/exact_decimal.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

TEST(ExactDecimal, VendorDecimalsRoundTripExactly) {
    for (const char* s : {"0.35280000", "43250.12000000", "0.00000638", "14.7775", "2295579.57000000", "100", "0",
                          "86.4900", "123456789.12345"}) {
        const DecimalValue d = parse_decimal(s);
        EXPECT_TRUE(d.ok) << s;
        EXPECT_TRUE(d.exact) << s;
    }
    EXPECT_DOUBLE_EQ(parse_decimal("0.35280000").value, 0.3528);
}

TEST(ExactDecimal, TooManyDigitsAreFlaggedNotHidden) {
    const DecimalValue d = parse_decimal("12345678.123456789123");
    EXPECT_TRUE(d.ok);
    EXPECT_FALSE(d.exact);
    EXPECT_FALSE(parse_decimal("12x").ok);
    EXPECT_FALSE(parse_decimal("").ok);
}

TEST(ExactDecimal, SameDecimalComparesValuesNotSpellings) {
    EXPECT_TRUE(same_decimal("0.3528", "0.35280000"));
    EXPECT_TRUE(same_decimal("1e2", "100"));
    EXPECT_TRUE(same_decimal("-0.0", "0"));
    EXPECT_TRUE(same_decimal("007.50", "7.5"));
    EXPECT_FALSE(same_decimal("0.3528", "0.35281"));
    EXPECT_FALSE(same_decimal("-1", "1"));
    EXPECT_FALSE(same_decimal("10", "1"));
}

} // namespace
} // namespace ticklake
