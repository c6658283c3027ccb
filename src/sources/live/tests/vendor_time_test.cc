#include "sources/live/vendor_time.h"

#include <cstdint>

#include <gtest/gtest.h>

namespace ticklake {
namespace {

TEST(VendorTime, EpochUnitsConvertExactly) {
    EXPECT_EQ(format_iso8601(*from_epoch_ms(1575526691134)), "2019-12-05T06:18:11.134000Z");
    EXPECT_EQ(format_iso8601(*from_epoch_seconds(1598880600)), "2020-08-31T13:30:00.000000Z");
    EXPECT_EQ(from_epoch_ns(1651684192462123456), 1651684192462123);
    EXPECT_EQ(from_epoch_ns(-1), -1); // toward the past, like the text parser
}

// Found by vendor_frames_fuzz: an epoch of 1.6e16 ms overflowed when scaled to microseconds.
// Such counts are no time: refused (the protocol skips the message), neither wrapped nor clamped.
TEST(VendorTime, EpochCountsOutsideTheYears1To9999AreRefused) {
    EXPECT_FALSE(from_epoch_ms(16'269'927'422'797'138));
    EXPECT_FALSE(from_epoch_ms(INT64_MIN));
    EXPECT_FALSE(from_epoch_seconds(INT64_MAX));
    EXPECT_FALSE(from_epoch_seconds(kLastEpochSecond + 1));
    EXPECT_EQ(from_epoch_ms(253'402'300'799'999), 253'402'300'799'999'000); // the last ms kept exactly
    EXPECT_EQ(format_iso8601(*from_epoch_seconds(kFirstEpochSecond)), "0001-01-01T00:00:00.000000Z");
    EXPECT_EQ(time_out_of_range("T", 16'269'927'422'797'138, "ms"),
              "T = 16269927422797138 ms since 1970 is outside the years 0001..9999");
}

TEST(VendorTime, Rfc3339KeepsMicrosAndTruncatesNanos) {
    EXPECT_EQ(format_iso8601(*parse_rfc3339("2021-02-22T15:51:45.335689322Z")), "2021-02-22T15:51:45.335689Z");
    EXPECT_EQ(format_iso8601(*parse_rfc3339("2021-02-22T15:51:45.3355677Z")), "2021-02-22T15:51:45.335567Z");
    EXPECT_EQ(format_iso8601(*parse_rfc3339("2021-04-17T18:43:30.244075+02:00")), "2021-04-17T16:43:30.244075Z");
    EXPECT_FALSE(parse_rfc3339("yesterday"));
}

TEST(VendorTime, NewYorkLocalTimesFollowTheDaylightSavingRules) {
    // Winter (EST, -5 h) and summer (EDT, -4 h).
    EXPECT_EQ(format_iso8601(*parse_new_york_local("2017-12-18 14:56:00")), "2017-12-18T19:56:00.000000Z");
    EXPECT_EQ(format_iso8601(*parse_new_york_local("2020-07-01 09:30:00")), "2020-07-01T13:30:00.000000Z");
    // 2020: DST from Sunday 8 March 02:00 to Sunday 1 November 02:00.
    EXPECT_EQ(format_iso8601(*parse_new_york_local("2020-03-08 01:59:00")), "2020-03-08T06:59:00.000000Z");
    EXPECT_EQ(format_iso8601(*parse_new_york_local("2020-03-08 03:00:00")), "2020-03-08T07:00:00.000000Z");
    EXPECT_EQ(format_iso8601(*parse_new_york_local("2020-11-01 00:30:00")), "2020-11-01T04:30:00.000000Z");
    EXPECT_EQ(format_iso8601(*parse_new_york_local("2020-11-01 02:30:00")), "2020-11-01T07:30:00.000000Z");
    // 2006 rules: first Sunday of April (2 April) to last Sunday of October (29 October).
    EXPECT_EQ(new_york_offset_seconds(2006, 4, 1, 12), -5 * 3600);
    EXPECT_EQ(new_york_offset_seconds(2006, 4, 2, 12), -4 * 3600);
    EXPECT_EQ(new_york_offset_seconds(2006, 10, 28, 12), -4 * 3600);
    EXPECT_EQ(new_york_offset_seconds(2006, 10, 29, 12), -5 * 3600);
    EXPECT_FALSE(parse_new_york_local("2020-11-01 02:30:00Z"));
}

} // namespace
} // namespace ticklake
