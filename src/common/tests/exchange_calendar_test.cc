#include "common/exchange_calendar.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

int64_t day(int y, unsigned m, unsigned d) { return days_from_civil(y, m, d); }
TimestampUs at(const char* iso) { return *parse_iso8601(iso); }

const ExchangeCalendar& nyse() { return **ExchangeCalendar::find("XNYS"); }

TEST(ExchangeCalendar, NyseSummerAndWinterHoursFollowNewYorkDst) {
    auto july = nyse().session_on(day(2025, 7, 7));
    ASSERT_TRUE(july);
    EXPECT_EQ(july->open, at("2025-07-07T13:30:00Z"));
    EXPECT_EQ(july->close, at("2025-07-07T20:00:00Z"));
    auto january = nyse().session_on(day(2025, 1, 6));
    ASSERT_TRUE(january);
    EXPECT_EQ(january->open, at("2025-01-06T14:30:00Z"));
    EXPECT_EQ(january->close, at("2025-01-06T21:00:00Z"));
}

TEST(ExchangeCalendar, NyseHolidaysWeekendsAndSpecialClosures) {
    EXPECT_FALSE(nyse().session_on(day(2025, 7, 4)));   // Independence Day
    EXPECT_FALSE(nyse().session_on(day(2025, 4, 18)));  // Good Friday
    EXPECT_FALSE(nyse().session_on(day(2025, 1, 9)));   // President Carter's day of mourning
    EXPECT_TRUE(nyse().session_on(day(2021, 6, 18)));   // no Juneteenth before 2022
    EXPECT_FALSE(nyse().session_on(day(2022, 6, 20)));  // Juneteenth on a Sunday -> Monday
    EXPECT_FALSE(nyse().session_on(day(2025, 7, 5)));   // Saturday
    EXPECT_TRUE(nyse().session_on(day(2021, 12, 31)));  // New Year's Day on a Saturday: not observed
    EXPECT_FALSE(nyse().session_on(day(2023, 1, 2)));   // New Year's Day on a Sunday -> Monday
}

TEST(ExchangeCalendar, NyseEarlyClosesAtOnePmNewYork) {
    auto black_friday = nyse().session_on(day(2025, 11, 28));
    ASSERT_TRUE(black_friday);
    EXPECT_TRUE(black_friday->early_close);
    EXPECT_EQ(black_friday->close, at("2025-11-28T18:00:00Z"));
    auto july3 = nyse().session_on(day(2025, 7, 3));
    ASSERT_TRUE(july3);
    EXPECT_EQ(july3->close, at("2025-07-03T17:00:00Z"));
    EXPECT_FALSE(nyse().session_on(day(2025, 7, 7))->early_close);
}

TEST(ExchangeCalendar, ProvisionalAfterTheLastPublishedYear) {
    EXPECT_FALSE(nyse().is_provisional(2026));
    EXPECT_TRUE(nyse().is_provisional(nyse().last_confirmed_year() + 1));
    EXPECT_TRUE(nyse().session_on(day(2031, 1, 6))->provisional);
    EXPECT_FALSE(nyse().session_on(day(2025, 1, 6))->provisional);
}

TEST(ExchangeCalendar, NextSessionSkipsTheWeekendAndHolidays) {
    auto s = nyse().next_session(at("2025-07-03T17:00:00Z")); // after the early close
    ASSERT_TRUE(s);
    EXPECT_EQ(s->day, day(2025, 7, 7));
}

TEST(ExchangeCalendar, LondonAndXetraUseTheirOwnZones) {
    auto lse = **ExchangeCalendar::find("xlon");
    EXPECT_EQ(lse.session_on(day(2025, 7, 7))->open, at("2025-07-07T07:00:00Z"));
    EXPECT_EQ(lse.session_on(day(2025, 1, 6))->open, at("2025-01-06T08:00:00Z"));
    EXPECT_FALSE(lse.session_on(day(2025, 8, 25))); // Summer bank holiday
    auto xetra = **ExchangeCalendar::find("XETR");
    EXPECT_EQ(xetra.session_on(day(2025, 7, 7))->close, at("2025-07-07T15:30:00Z"));
    EXPECT_FALSE(xetra.session_on(day(2025, 12, 24)));
}

TEST(ExchangeCalendar, AsianExchangesHaveLunchBreaksInTheirZones) {
    // Tokyo 09:00-11:30, 12:30-15:30 since 2024-11-05 (JST, UTC+9, no DST).
    auto tse = (**ExchangeCalendar::find("XTKS")).session_on(day(2025, 7, 7));
    ASSERT_TRUE(tse);
    EXPECT_EQ(tse->open, at("2025-07-07T00:00:00Z"));
    EXPECT_EQ(tse->break_start, at("2025-07-07T02:30:00Z"));
    EXPECT_EQ(tse->break_end, at("2025-07-07T03:30:00Z"));
    EXPECT_EQ(tse->close, at("2025-07-07T06:30:00Z"));
    EXPECT_EQ((**ExchangeCalendar::find("XTKS")).session_on(day(2024, 11, 1))->close, at("2024-11-01T06:00:00Z"));
    // Hong Kong 09:30-12:00, 13:00-16:00 (HKT, UTC+8).
    auto hk = (**ExchangeCalendar::find("XHKG")).session_on(day(2025, 7, 2));
    ASSERT_TRUE(hk);
    EXPECT_EQ(hk->open, at("2025-07-02T01:30:00Z"));
    EXPECT_EQ(hk->break_start, at("2025-07-02T04:00:00Z"));
    EXPECT_EQ(hk->break_end, at("2025-07-02T05:00:00Z"));
    EXPECT_EQ(hk->close, at("2025-07-02T08:00:00Z"));
    // Shanghai 09:30-11:30, 13:00-15:00 (CST, UTC+8).
    auto sh = (**ExchangeCalendar::find("XSHG")).session_on(day(2025, 7, 2));
    ASSERT_TRUE(sh);
    EXPECT_EQ(sh->break_start, at("2025-07-02T03:30:00Z"));
    EXPECT_EQ(sh->break_end, at("2025-07-02T05:00:00Z"));
    EXPECT_EQ(sh->close, at("2025-07-02T07:00:00Z"));
}

TEST(ExchangeCalendar, AsianHolidaysByRuleAndByTable) {
    const auto& tse = **ExchangeCalendar::find("XTKS");
    EXPECT_FALSE(tse.session_on(day(2025, 1, 2)));   // the exchange's year-end holidays
    EXPECT_FALSE(tse.session_on(day(2025, 1, 13)));  // Coming of Age Day, second Monday
    EXPECT_FALSE(tse.session_on(day(2025, 3, 20)));  // Vernal Equinox Day
    EXPECT_FALSE(tse.session_on(day(2025, 5, 6)));   // substitute for Sunday May 4
    EXPECT_FALSE(tse.session_on(day(2015, 9, 22)));  // citizens' holiday between two holidays
    EXPECT_FALSE(tse.session_on(day(2020, 7, 24)));  // Sports Day moved for the Olympics
    const auto& hk = **ExchangeCalendar::find("XHKG");
    EXPECT_FALSE(hk.session_on(day(2025, 1, 29)));   // Lunar New Year
    EXPECT_FALSE(hk.session_on(day(2023, 1, 25)));   // fourth day: the first was a Sunday
    EXPECT_FALSE(hk.session_on(day(2025, 10, 7)));   // the day following Mid-Autumn
    EXPECT_FALSE(hk.session_on(day(2021, 4, 6)));    // Ching Ming on Sunday, Easter Monday taken
    auto eve = hk.session_on(day(2025, 12, 24));      // half day: the morning session only
    ASSERT_TRUE(eve);
    EXPECT_TRUE(eve->early_close);
    EXPECT_EQ(eve->close, at("2025-12-24T04:00:00Z"));
    EXPECT_EQ(eve->break_start, eve->break_end);
    const auto& sh = **ExchangeCalendar::find("XSHG");
    EXPECT_FALSE(sh.session_on(day(2025, 2, 3)));    // Spring Festival week
    EXPECT_FALSE(sh.session_on(day(2024, 10, 7)));   // National Day week
    EXPECT_TRUE(sh.session_on(day(2024, 10, 8)));
    EXPECT_TRUE(sh.session_on(day(2028, 3, 1))->provisional);
}

TEST(ExchangeCalendar, UnknownExchangeAndZoneAreInvalidArguments) {
    auto c = ExchangeCalendar::find("XXXX");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, ErrorKind::invalid_argument);
    EXPECT_FALSE(check_time_zone("Mars/Olympus"));
    EXPECT_TRUE(check_time_zone("America/New_York"));
}

TEST(ExchangeCalendar, LocalDayOfATimestamp) {
    // 02:00 UTC on July 2 is still July 1 in New York (EDT, UTC-4).
    EXPECT_EQ(*local_day_of(at("2025-07-02T02:00:00Z"), "America/New_York"), day(2025, 7, 1));
    EXPECT_EQ(*local_day_of(at("2025-07-02T04:00:00Z"), "America/New_York"), day(2025, 7, 2));
    EXPECT_EQ(*local_day_of(at("2025-01-02T04:30:00Z"), "America/New_York"), day(2025, 1, 1));
}

} // namespace
} // namespace ticklake
