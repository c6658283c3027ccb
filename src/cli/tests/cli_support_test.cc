#include "cli/cli_support.h"

#include <gtest/gtest.h>

namespace ticklake::cli {

TEST(ParseDuration, UnitsAndPlainSeconds) {
    EXPECT_EQ(*parse_duration_us("30"), 30'000'000);
    EXPECT_EQ(*parse_duration_us("1.5s"), 1'500'000);
    EXPECT_EQ(*parse_duration_us("250ms"), 250'000);
    EXPECT_EQ(*parse_duration_us("7us"), 7);
    EXPECT_EQ(*parse_duration_us("5m"), 300'000'000);
    EXPECT_EQ(*parse_duration_us("1h"), 3'600'000'000);
    EXPECT_EQ(*parse_duration_us("1d"), 86'400'000'000);
}

TEST(ParseDuration, BadTextSaysWhatIsExpected) {
    for (const char* bad : {"", "soon", "5 parsecs", "10w", "-1s"}) {
        auto r = parse_duration_us(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
    }
    EXPECT_NE(parse_duration_us("10w").error().message.find("us, ms, s, m, h or d"), std::string::npos);
}

TEST(KafkaFlags, SettingsBecomeLibrdkafkaOverridesInOrder) {
    KafkaFlags f;
    f.brokers = "h1:9092,h2:9092";
    f.settings = {"security.protocol=SASL_SSL", "sasl.password=a=b"};
    auto c = f.config();
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->brokers, "h1:9092,h2:9092");
    ASSERT_EQ(c->extra.size(), 2u);
    EXPECT_EQ(c->extra[0], (std::pair<std::string, std::string>{"security.protocol", "SASL_SSL"}));
    EXPECT_EQ(c->extra[1].second, "a=b"); // only the first '=' splits
}

TEST(KafkaFlags, MalformedSettingIsRejected) {
    KafkaFlags f;
    f.settings = {"novalue"};
    auto c = f.config();
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(c.error().message.find("novalue"), std::string::npos);
    f.settings = {"=x"};
    EXPECT_FALSE(f.config());
}

} // namespace ticklake::cli
