#include "common/timestamp.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace ticklake {

TEST(Timestamp, FormatsEpochAndKnownInstant) {
    EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00.000000Z");
    // 2024-02-29T13:45:07.123456Z: leap day, computed independently as days * 86400 + seconds.
    const int64_t days = 19782; // 2024-02-29 is day 19782 after the epoch
    const int64_t ts = (days * 86400 + 13 * 3600 + 45 * 60 + 7) * kMicrosPerSecond + 123456;
    EXPECT_EQ(format_iso8601(ts), "2024-02-29T13:45:07.123456Z");
    EXPECT_EQ(format_date(ts), "2024-02-29");
}

TEST(Timestamp, NegativeTimesFloorToThePreviousDay) {
    EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59.999999Z");
    EXPECT_EQ(format_date(-1), "1969-12-31");
}

TEST(Timestamp, CivilRoundTripOverFourCenturies) {
    for (int64_t d = -146097; d <= 146097; d += 7) {
        auto c = civil_from_days(d);
        ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
    }
}

TEST(Timestamp, ParsesFormsAndOffsets) {
    EXPECT_EQ(*parse_iso8601("1970-01-02"), kMicrosPerDay);
    EXPECT_EQ(*parse_iso8601("1970-01-01T00:00:01Z"), kMicrosPerSecond);
    EXPECT_EQ(*parse_iso8601("1970-01-01 00:01"), 60 * kMicrosPerSecond);
    EXPECT_EQ(*parse_iso8601("1970-01-01T00:00:00.5Z"), 500000);
    EXPECT_EQ(*parse_iso8601("1970-01-01T00:00:00.123456789Z"), 123456);
    EXPECT_EQ(*parse_iso8601("1970-01-01T01:00:00+01:00"), 0);
    EXPECT_EQ(*parse_iso8601("1969-12-31T19:00:00-0500"), 0);
    const int64_t t = 1'700'000'000'123'456;
    EXPECT_EQ(*parse_iso8601(format_iso8601(t)), t);
}

TEST(Timestamp, RejectsGarbage) {
    for (const char* s : {"", "2024", "2024-13-01", "2024-01-01X", "2024-01-01T25:00", "2024-01-01T10:00:00.Z",
                          "yesterday", "2024-01-01T10:00:00Zjunk"}) {
        auto r = parse_iso8601(s);
        EXPECT_FALSE(r.has_value()) << s;
        if (!r) {
            EXPECT_EQ(r.error().kind, ErrorKind::poison);
        }
    }
}

// The 27-byte form ticklake writes has a parser of its own: it must read exactly what the
// general parser reads from the same instant written with "+00:00" (which only the general
// parser takes), and refuse what that one refuses, byte by byte.
TEST(Timestamp, TheCanonicalFormReadsAsTheGeneralParserReadsIt) {
    size_t checked = 0;
    for (int64_t t = -3 * kMicrosPerDay; t < 200 * 365 * kMicrosPerDay; t += 3'333'333'333'337) {
        const std::string canonical = format_iso8601(t);
        ASSERT_EQ(*parse_iso8601(canonical), t) << canonical;
        for (size_t i = 0; i < canonical.size(); ++i) {
            for (const char c : std::string_view("0123456789/:A\x00\x80\xca\xcf\xf9\xff", 19)) {
                std::string m = canonical;
                m[i] = c;
                std::string general = m;
                if (general.back() == 'Z') {
                    general.replace(general.size() - 1, 1, "+00:00");
                }
                const auto a = parse_iso8601(m);
                const auto b = parse_iso8601(general);
                ASSERT_EQ(a.has_value(), b.has_value()) << m;
                if (a) {
                    ASSERT_EQ(*a, *b) << m;
                    ++checked;
                }
            }
        }
    }
    EXPECT_GT(checked, 10'000u);
}

// The canonical reader keeps the day numbers of recent dates: text whose date bytes are not
// digits must never match what it keeps, and a date read after others must give its own day.
TEST(Timestamp, RecentDatesAreKeptWithoutMixingThemUp) {
    EXPECT_EQ(*parse_iso8601("1970-01-01T00:00:00.000001Z"), 1);
    std::string zeros(27, '\0');
    zeros.replace(10, 17, "T00:00:00.000001Z");
    EXPECT_FALSE(parse_iso8601(zeros).has_value());
    const int64_t days[] = {0, 19782, 19781, 20000, 19782, 0, -1, 19781, 20000, 2932896};
    for (int round = 0; round < 3; ++round) {
        for (const int64_t d : days) {
            const int64_t t = d * kMicrosPerDay + 45'296'789'012;
            ASSERT_EQ(*parse_iso8601(format_iso8601(t)), t) << format_iso8601(t);
        }
    }
}

} // namespace ticklake
