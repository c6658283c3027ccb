#include "common/exchange_calendar.h"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <exception>
#include <iterator>
#include <vector>

namespace ticklake {

namespace {

using date::days;
using date::sys_days;
using date::year_month_day;

//! A session in local wall-clock minutes after midnight.
struct LocalHours {
    int open = 0;
    int close = 0;
    int break_start = 0; //!< equals break_end when there is no lunch break
    int break_end = 0;
    bool early_close = false;
};

constexpr int hm(int h, int m) { return h * 60 + m; }

sys_days ymd(int y, unsigned m, unsigned d) { return sys_days{date::year{y} / date::month{m} / date::day{d}}; }

unsigned weekday_of(sys_days d) { return date::weekday{d}.c_encoding(); } // 0 = Sunday

bool is_weekend(sys_days d) {
    const unsigned w = weekday_of(d);
    return w == 0 || w == 6;
}

//! The n-th (1-based) weekday `wd` (0 = Sunday) of a month.
sys_days nth_weekday(int y, unsigned m, unsigned wd, unsigned n) {
    return sys_days{date::year{y} / date::month{m} / date::weekday{wd}[n]};
}

sys_days last_weekday(int y, unsigned m, unsigned wd) {
    return sys_days{date::year{y} / date::month{m} / date::weekday{wd}[date::last]};
}

//! Easter Sunday (Gregorian), the anonymous computus (Meeus/Jones/Butcher).
sys_days easter_sunday(int y) {
    const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
    const int f = (b + 8) / 25, g = (b - f + 1) / 3;
    const int h = (19 * a + b - d - g + 15) % 30;
    const int i = c / 4, k = c % 4;
    const int l = (32 + 2 * e + 2 * i - h - k) % 7;
    const int m = (a + 11 * h + 22 * l) / 451;
    const int month = (h + l - 7 * m + 114) / 31;
    const int day = (h + l - 7 * m + 114) % 31 + 1;
    return ymd(y, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

//! US federal observance: a Saturday holiday moves to Friday, a Sunday one to Monday.
sys_days nearest_weekday(sys_days d) {
    const unsigned w = weekday_of(d);
    if (w == 6) return d - days{1};
    if (w == 0) return d + days{1};
    return d;
}

template <size_t N>
bool listed(const std::array<sys_days, N>& table, sys_days d) {
    return std::find(table.begin(), table.end(), d) != table.end();
}

// ---- XNYS: New York Stock Exchange (Nasdaq follows the same calendar) ------------------
// Rules: NYSE Rule 7.2 and the holiday notices NYSE publishes each year (nyse.com, "Holidays
// & Trading Hours"), which list the full-day closures and the 1:00 p.m. early closes.

// Closures outside the rules, from NYSE's history of market closings: the attacks of
// 2001-09-11 (closed through 09-14), the national days of mourning for Presidents Reagan
// (2004-06-11), Ford (2007-01-02), G.H.W. Bush (2018-12-05) and Carter (2025-01-09), and
// Hurricane Sandy (2012-10-29/30).
const std::array kNyseSpecialClosures = {
    ymd(2001, 9, 11), ymd(2001, 9, 12), ymd(2001, 9, 13), ymd(2001, 9, 14), ymd(2004, 6, 11),
    ymd(2007, 1, 2),  ymd(2012, 10, 29), ymd(2012, 10, 30), ymd(2018, 12, 5), ymd(2025, 1, 9),
};

bool nyse_holiday(int y, sys_days d) {
    // New Year's Day: a Sunday moves to Monday; a Saturday one is not observed (NYSE Rule
    // 7.2 does not close the last trading day of the year, Friday Dec 31).
    const sys_days new_year = ymd(y, 1, 1);
    if (d == (weekday_of(new_year) == 0 ? new_year + days{1} : new_year)) return true;
    if (y >= 1998 && d == nth_weekday(y, 1, 1, 3)) return true; // Martin Luther King Jr. Day
    if (d == nth_weekday(y, 2, 1, 3)) return true;               // Washington's Birthday
    if (d == easter_sunday(y) - days{2}) return true;            // Good Friday
    if (d == last_weekday(y, 5, 1)) return true;                 // Memorial Day
    if (y >= 2022 && d == nearest_weekday(ymd(y, 6, 19))) return true; // Juneteenth
    if (d == nearest_weekday(ymd(y, 7, 4))) return true;         // Independence Day
    if (d == nth_weekday(y, 9, 1, 1)) return true;               // Labor Day
    if (d == nth_weekday(y, 11, 4, 4)) return true;              // Thanksgiving Day
    if (d == nearest_weekday(ymd(y, 12, 25))) return true;       // Christmas Day
    return listed(kNyseSpecialClosures, d);
}

// 1:00 p.m. closes: the day after Thanksgiving; Christmas Eve on a Monday to Thursday; the
// day before Independence Day when that is a Monday, Tuesday or Thursday (and, from 2013, a
// Wednesday); before 2013, the Friday after a Thursday Independence Day instead.
// An early close outside the rules: Friday 2003-12-26, the day after Christmas, announced by
// the NYSE that year.
const std::array kNyseSpecialEarlyCloses = {ymd(2003, 12, 26)};

bool nyse_early_close(int y, sys_days d) {
    if (listed(kNyseSpecialEarlyCloses, d)) return true;
    if (d == nth_weekday(y, 11, 4, 4) + days{1}) return true;
    const sys_days christmas_eve = ymd(y, 12, 24);
    if (d == christmas_eve && weekday_of(d) >= 1 && weekday_of(d) <= 4) return true;
    const sys_days july3 = ymd(y, 7, 3);
    if (d == july3) {
        const unsigned w = weekday_of(d);
        return w == 1 || w == 2 || w == 4 || (w == 3 && y >= 2013);
    }
    if (y < 2013 && d == ymd(y, 7, 5) && weekday_of(d) == 5) return true;
    return false;
}

std::optional<LocalHours> nyse_hours(sys_days d) {
    const int y = static_cast<int>(year_month_day{d}.year());
    if (is_weekend(d) || nyse_holiday(y, d)) return std::nullopt;
    if (nyse_early_close(y, d)) return LocalHours{hm(9, 30), hm(13, 0), 0, 0, true};
    return LocalHours{hm(9, 30), hm(16, 0)};
}

// ---- XLON: London Stock Exchange ----------------------------------------------------
// Rules: the bank holidays of England and Wales (Banking and Financial Dealings Act 1971 and
// the royal proclamations that move or add days, as listed on gov.uk/bank-holidays), on which
// the LSE is closed; half days (12:30 close) on the last business day before Christmas and
// before New Year, per the LSE's published trading calendar.

// Days added by proclamation: the Golden (2002-06-03), Diamond (2012-06-05) and Platinum
// (2022-06-03) Jubilees, the royal wedding (2011-04-29), the Queen's state funeral
// (2022-09-19) and the King's coronation (2023-05-08).
const std::array kLondonSpecialClosures = {
    ymd(2002, 6, 3), ymd(2012, 6, 5), ymd(2022, 6, 3), ymd(2011, 4, 29), ymd(2022, 9, 19), ymd(2023, 5, 8),
};

bool london_holiday(int y, sys_days d) {
    // New Year's Day: on a weekend, the next Monday.
    sys_days new_year = ymd(y, 1, 1);
    while (is_weekend(new_year)) new_year += days{1};
    if (d == new_year) return true;
    const sys_days easter = easter_sunday(y);
    if (d == easter - days{2} || d == easter + days{1}) return true; // Good Friday, Easter Monday
    // Early May bank holiday: first Monday of May; 2020 moved to Friday 8 May (VE Day 75).
    if (d == (y == 2020 ? ymd(2020, 5, 8) : nth_weekday(y, 5, 1, 1))) return true;
    // Spring bank holiday: last Monday of May, moved for the jubilees of 2002, 2012 and 2022.
    sys_days spring = last_weekday(y, 5, 1);
    if (y == 2002) spring = ymd(2002, 6, 4);
    if (y == 2012) spring = ymd(2012, 6, 4);
    if (y == 2022) spring = ymd(2022, 6, 2);
    if (d == spring) return true;
    if (d == last_weekday(y, 8, 1)) return true; // Summer bank holiday
    // Christmas and Boxing Day; a weekend one is substituted by the next free weekday.
    sys_days christmas = ymd(y, 12, 25);
    while (is_weekend(christmas)) christmas += days{1};
    sys_days boxing = std::max(ymd(y, 12, 26), christmas + days{1});
    while (is_weekend(boxing)) boxing += days{1};
    if (d == christmas || d == boxing) return true;
    return listed(kLondonSpecialClosures, d);
}

//! The last weekday on or before `d`.
sys_days weekday_on_or_before(sys_days d) {
    while (is_weekend(d)) d -= days{1};
    return d;
}

std::optional<LocalHours> london_hours(sys_days d) {
    const int y = static_cast<int>(year_month_day{d}.year());
    if (is_weekend(d) || london_holiday(y, d)) return std::nullopt;
    if (d == weekday_on_or_before(ymd(y, 12, 24)) || d == weekday_on_or_before(ymd(y, 12, 31))) {
        return LocalHours{hm(8, 0), hm(12, 30), 0, 0, true};
    }
    return LocalHours{hm(8, 0), hm(16, 30)};
}

// ---- XETR: Xetra (Deutsche Börse, Frankfurt) -------------------------------------------
// Rules: the trading calendar Deutsche Börse publishes each year for Xetra (xetra.com,
// "Trading calendar and trading hours"): closed on New Year's Day, Good Friday, Easter
// Monday, Labour Day, Christmas Eve, Christmas, Boxing Day and New Year's Eve; trading
// 09:00-17:30 Frankfurt time (the closing auction ends by 17:35, the session is taken to
// close at 17:30).
bool xetra_holiday(int y, sys_days d) {
    const year_month_day date{d};
    const unsigned m = static_cast<unsigned>(date.month()), day = static_cast<unsigned>(date.day());
    const sys_days easter = easter_sunday(y);
    if (d == easter - days{2} || d == easter + days{1}) return true;
    if (m == 1 && day == 1) return true;
    if (m == 5 && day == 1) return true;
    if (m == 12 && (day == 24 || day == 25 || day == 26 || day == 31)) return true;
    return false;
}

std::optional<LocalHours> xetra_hours(sys_days d) {
    const int y = static_cast<int>(year_month_day{d}.year());
    if (is_weekend(d) || xetra_holiday(y, d)) return std::nullopt;
    return LocalHours{hm(9, 0), hm(17, 30)};
}


//! An exchange's regular hours from `from` until the next era's start (hours reforms).
struct LocalEra {
    sys_days from;
    LocalHours hours;
};

template <size_t N>
const LocalHours& hours_of_era(const std::array<LocalEra, N>& eras, sys_days d) {
    size_t i = 0;
    while (i + 1 < N && d >= eras[i + 1].from) ++i;
    return eras[i].hours;
}

// ---- Holidays that follow the Chinese lunisolar calendar ---------------------------------
// No simple rule gives them, so they are listed, 2000 to 2027: the Gregorian dates of the
// first day of the first lunar month (Lunar New Year), the 8th of the 4th (Buddha's Birthday),
// the 5th of the 5th (Dragon Boat / Tuen Ng), the 15th of the 8th (Mid-Autumn) and the 9th of
// the 9th (Chung Yeung), as the Hong Kong Observatory's Gregorian-lunar conversion tables and
// the governments' yearly holiday notices give them. Index: year - 2000.
constexpr int kLunarFirstYear = 2000;
constexpr int kLunarLastYear = 2027;
struct LunarDates {
    unsigned new_year_m, new_year_d;
    unsigned buddha_m, buddha_d;
    unsigned dragon_m, dragon_d;
    unsigned mid_autumn_m, mid_autumn_d;
    unsigned chung_yeung_m, chung_yeung_d;
};
constexpr std::array<LunarDates, kLunarLastYear - kLunarFirstYear + 1> kLunar = {{
    {2, 5, 5, 11, 6, 6, 9, 12, 10, 6},     // 2000
    {1, 24, 4, 30, 6, 25, 10, 1, 10, 25},  // 2001
    {2, 12, 5, 19, 6, 15, 9, 21, 10, 14},  // 2002
    {2, 1, 5, 8, 6, 4, 9, 11, 10, 4},      // 2003
    {1, 22, 5, 26, 6, 22, 9, 28, 10, 22},  // 2004
    {2, 9, 5, 15, 6, 11, 9, 18, 10, 11},   // 2005
    {1, 29, 5, 5, 5, 31, 10, 6, 10, 30},   // 2006
    {2, 18, 5, 24, 6, 19, 9, 25, 10, 19},  // 2007
    {2, 7, 5, 12, 6, 8, 9, 14, 10, 7},     // 2008
    {1, 26, 5, 2, 5, 28, 10, 3, 10, 26},   // 2009
    {2, 14, 5, 21, 6, 16, 9, 22, 10, 16},  // 2010
    {2, 3, 5, 10, 6, 6, 9, 12, 10, 5},     // 2011
    {1, 23, 4, 28, 6, 23, 9, 30, 10, 23},  // 2012
    {2, 10, 5, 17, 6, 12, 9, 19, 10, 13},  // 2013
    {1, 31, 5, 6, 6, 2, 9, 8, 10, 2},      // 2014
    {2, 19, 5, 25, 6, 20, 9, 27, 10, 21},  // 2015
    {2, 8, 5, 14, 6, 9, 9, 15, 10, 9},     // 2016
    {1, 28, 5, 3, 5, 30, 10, 4, 10, 28},   // 2017
    {2, 16, 5, 22, 6, 18, 9, 24, 10, 17},  // 2018
    {2, 5, 5, 12, 6, 7, 9, 13, 10, 7},     // 2019
    {1, 25, 4, 30, 6, 25, 10, 1, 10, 25},  // 2020
    {2, 12, 5, 19, 6, 14, 9, 21, 10, 14},  // 2021
    {2, 1, 5, 8, 6, 3, 9, 10, 10, 4},      // 2022
    {1, 22, 5, 26, 6, 22, 9, 29, 10, 23},  // 2023
    {2, 10, 5, 15, 6, 10, 9, 17, 10, 11},  // 2024
    {1, 29, 5, 5, 5, 31, 10, 6, 10, 29},   // 2025
    {2, 17, 5, 24, 6, 19, 9, 25, 10, 18},  // 2026
    {2, 6, 5, 13, 6, 9, 9, 15, 10, 8},     // 2027
}};

const LunarDates* lunar_dates(int y) {
    if (y < kLunarFirstYear || y > kLunarLastYear) return nullptr;
    return &kLunar[static_cast<size_t>(y - kLunarFirstYear)];
}

//! Qingming (Ching Ming), a solar term: April 4 or 5. The usual approximation for 2000-2099,
//! floor(Y * 0.2422 + 4.81) - floor(Y / 4) with Y the year's last two digits.
sys_days qingming(int y) {
    const int yy = y % 100;
    const int d = static_cast<int>(yy * 0.2422 + 4.81) - yy / 4;
    return ymd(y, 4, static_cast<unsigned>(d));
}

// ---- XTKS: Tokyo Stock Exchange ----------------------------------------------------------
// Rules: Japan's Act on National Holidays (Cabinet Office, "National Holidays", with its 2000,
// 2003, 2005, 2014 and 2018 amendments and the one-off moves for 2019-2021), on which the TSE is
// closed, plus the exchange's own year-end holidays (December 31 to January 3). Hours: 09:00 to
// 15:00 with a lunch break from 11:30 (11:00 until 2011-11-18) to 12:30; the close moved to
// 15:30 on 2024-11-05 (arrowhead 3.0).

// The TSE halted all trading on 2020-10-01 (arrowhead system failure).
const std::array kTokyoSpecialClosures = {ymd(2020, 10, 1)};

//! Vernal and autumnal equinox days, by the formula the National Astronomical Observatory's
//! almanac uses for 1980-2099.
unsigned equinox_day(int y, double base) {
    return static_cast<unsigned>(static_cast<int>(base + 0.242194 * (y - 1980)) - (y - 1980) / 4);
}

//! National holidays by the Act, before substitutes and "sandwiched" days.
bool japan_named_holiday(int y, sys_days d) {
    const year_month_day date{d};
    const unsigned m = static_cast<unsigned>(date.month()), day = static_cast<unsigned>(date.day());
    if (m == 1 && day == 1) return true;
    if (d == nth_weekday(y, 1, 1, 2)) return true; // Coming of Age Day
    if (m == 2 && day == 11) return true;           // National Foundation Day
    if (y >= 2020 && m == 2 && day == 23) return true; // Emperor's Birthday (Naruhito)
    if (y <= 2018 && m == 12 && day == 23) return true; // Emperor's Birthday (Akihito)
    if (m == 3 && day == equinox_day(y, 20.8431)) return true;
    if (m == 4 && day == 29) return true; // Greenery Day, Showa Day from 2007
    if (m == 5 && (day == 3 || day == 4 || day == 5)) return true; // May 4: Greenery Day from 2007, a citizens' holiday before
    // Marine Day: July 20 until 2002, then the third Monday of July; moved for the Olympics.
    sys_days marine = y <= 2002 ? ymd(y, 7, 20) : nth_weekday(y, 7, 1, 3);
    if (y == 2020) marine = ymd(2020, 7, 23);
    if (y == 2021) marine = ymd(2021, 7, 22);
    if (d == marine) return true;
    // Mountain Day from 2016; moved for the Olympics.
    if (y >= 2016) {
        sys_days mountain = ymd(y, 8, 11);
        if (y == 2020) mountain = ymd(2020, 8, 10);
        if (y == 2021) mountain = ymd(2021, 8, 8);
        if (d == mountain) return true;
    }
    if (d == (y <= 2002 ? ymd(y, 9, 15) : nth_weekday(y, 9, 1, 3))) return true; // Respect for the Aged Day
    if (m == 9 && day == equinox_day(y, 23.2488)) return true;
    // Health and Sports Day: the second Monday of October; moved for the Olympics.
    sys_days sports = nth_weekday(y, 10, 1, 2);
    if (y == 2020) sports = ymd(2020, 7, 24);
    if (y == 2021) sports = ymd(2021, 7, 23);
    if (d == sports) return true;
    if (m == 11 && (day == 3 || day == 23)) return true; // Culture Day, Labour Thanksgiving Day
    // 2019: the abdication and enthronement (April 30, May 1, May 2 between holidays, October 22).
    if (y == 2019 && (d == ymd(2019, 4, 30) || d == ymd(2019, 5, 1) || d == ymd(2019, 5, 2) || d == ymd(2019, 10, 22)))
        return true;
    return false;
}

bool japan_holiday(int y, sys_days d) {
    if (japan_named_holiday(y, d)) return true;
    // Substitute holiday: a holiday on a Sunday moves to the next day that is not a holiday
    // (from 2007; before, only to the Monday).
    for (sys_days back = d - days{1};; back -= days{1}) {
        if (!japan_named_holiday(static_cast<int>(year_month_day{back}.year()), back)) break;
        if (weekday_of(back) == 0) return true;
        if (y < 2007) break;
    }
    // Citizens' holiday: a day between two holidays.
    const sys_days prev = d - days{1}, next = d + days{1};
    return weekday_of(d) != 0 && japan_named_holiday(static_cast<int>(year_month_day{prev}.year()), prev) &&
           japan_named_holiday(static_cast<int>(year_month_day{next}.year()), next);
}

const std::array kTokyoEras = {
    LocalEra{ymd(2000, 1, 1), {hm(9, 0), hm(15, 0), hm(11, 0), hm(12, 30)}},
    LocalEra{ymd(2011, 11, 21), {hm(9, 0), hm(15, 0), hm(11, 30), hm(12, 30)}},
    LocalEra{ymd(2024, 11, 5), {hm(9, 0), hm(15, 30), hm(11, 30), hm(12, 30)}},
};

std::optional<LocalHours> tokyo_hours(sys_days d) {
    const year_month_day date{d};
    const int y = static_cast<int>(date.year());
    const unsigned m = static_cast<unsigned>(date.month()), day = static_cast<unsigned>(date.day());
    if (is_weekend(d) || japan_holiday(y, d) || listed(kTokyoSpecialClosures, d)) return std::nullopt;
    if ((m == 12 && day == 31) || (m == 1 && day <= 3)) return std::nullopt; // the exchange's year-end holidays
    return hours_of_era(kTokyoEras, d);
}

// ---- XHKG: Hong Kong Exchanges ------------------------------------------------------------
// Rules: the General Holidays Ordinance (Cap. 149) as the Hong Kong government's yearly
// gazette lists the general holidays (other than Sundays), on which HKEX does not trade: a
// holiday on a Sunday (or on another holiday) moves to the next free day; Saturdays are not
// substituted. Half days (morning session only) on the eves of Christmas, New Year and Lunar
// New Year when they are weekdays. Hours (HKEX trading-hours reforms): 10:00-12:30 and
// 14:30-16:00 until 2011-03-04; 09:30-12:00 and 13:30-16:00 until 2012-03-02; 09:30-12:00 and
// 13:00-16:00 since.

// Closures outside the ordinance: the 70th anniversary of the War of Resistance (2015-09-03,
// a one-off general holiday); typhoon and black-rainstorm days HKEX did not trade at all
// (2023-09-01 Saola, 2023-09-08 black rainstorm). From 2024-09-23 HKEX trades through severe
// weather.
const std::array kHongKongSpecialClosures = {ymd(2015, 9, 3), ymd(2023, 9, 1), ymd(2023, 9, 8)};

//! The general holidays of year y, substitutes applied.
std::vector<sys_days> hong_kong_holidays(int y) {
    // Lunar New Year's three days carry their own substitute (the fourth day), so they are
    // taken as they are, Sundays dropped; every other holiday moves off a Sunday and off a
    // day already taken.
    std::vector<sys_days> out;
    std::vector<sys_days> named{ymd(y, 1, 1), ymd(y, 5, 1), ymd(y, 7, 1), ymd(y, 10, 1), ymd(y, 12, 25),
                                ymd(y, 12, 26) /* the first weekday after Christmas Day */, qingming(y)};
    const sys_days easter = easter_sunday(y);
    named.insert(named.end(), {easter - days{2}, easter - days{1}, easter + days{1}});
    if (const LunarDates* l = lunar_dates(y)) {
        const sys_days lny = ymd(y, l->new_year_m, l->new_year_d);
        for (int i = 0; i < 3; ++i) {
            if (weekday_of(lny + days{i}) != 0) out.push_back(lny + days{i});
        }
        // A Sunday among the three days adds a substitute: the fourth day from 2012 (the 2011
        // amendment of the ordinance), Lunar New Year's Eve before.
        if (weekday_of(lny) == 0 || weekday_of(lny + days{1}) == 0 || weekday_of(lny + days{2}) == 0) {
            out.push_back(y >= 2012 ? lny + days{3} : lny - days{1});
        }
        // The day following Mid-Autumn; when that is a Sunday, the next Monday from 2012 (the
        // same amendment), the festival's own day (a Saturday) before.
        const sys_days mid_autumn = ymd(y, l->mid_autumn_m, l->mid_autumn_d);
        const bool sunday_after = weekday_of(mid_autumn + days{1}) == 0;
        named.insert(named.end(), {ymd(y, l->buddha_m, l->buddha_d), ymd(y, l->dragon_m, l->dragon_d),
                                   sunday_after && y < 2012 ? mid_autumn : mid_autumn + days{1},
                                   ymd(y, l->chung_yeung_m, l->chung_yeung_d)});
    }
    std::sort(named.begin(), named.end());
    for (sys_days d : named) {
        while (weekday_of(d) == 0 || std::find(out.begin(), out.end(), d) != out.end()) d += days{1};
        out.push_back(d);
    }
    return out;
}

bool hong_kong_holiday(int y, sys_days d) {
    const auto h = hong_kong_holidays(y);
    return std::find(h.begin(), h.end(), d) != h.end() || listed(kHongKongSpecialClosures, d);
}

const std::array kHongKongEras = {
    LocalEra{ymd(2000, 1, 1), {hm(10, 0), hm(16, 0), hm(12, 30), hm(14, 30)}},
    LocalEra{ymd(2011, 3, 7), {hm(9, 30), hm(16, 0), hm(12, 0), hm(13, 30)}},
    LocalEra{ymd(2012, 3, 5), {hm(9, 30), hm(16, 0), hm(12, 0), hm(13, 0)}},
};

std::optional<LocalHours> hong_kong_hours(sys_days d) {
    const year_month_day date{d};
    const int y = static_cast<int>(date.year());
    if (is_weekend(d) || hong_kong_holiday(y, d)) return std::nullopt;
    const LocalHours& h = hours_of_era(kHongKongEras, d);
    const LunarDates* l = lunar_dates(y);
    const bool eve = d == ymd(y, 12, 24) || d == ymd(y, 12, 31) ||
                     (l != nullptr && d == ymd(y, l->new_year_m, l->new_year_d) - days{1});
    if (eve) return LocalHours{h.open, h.break_start, 0, 0, true};
    return h;
}

// ---- XSHG: Shanghai Stock Exchange -------------------------------------------------------
// Closed on the public holidays of the State Council's yearly notice (国务院办公厅关于...部分节假日
// 安排的通知) and the exchange's own notice of closures that follows it; the working weekends of
// those notices do not trade. The notice moves days every year, so closures are listed as the
// notices' holiday periods (every weekday inside one is closed), 2000 to 2026. Later years
// (provisional) use the pattern of recent notices: New Year's Day, Lunar New Year's Eve to the
// sixth day, Qingming, May 1-5, Dragon Boat, Mid-Autumn and October 1-7. Hours: 09:30-11:30 and
// 13:00-15:00.
struct DateRange {
    sys_days first, last;
};
const DateRange kShanghaiClosures[] = {
    {ymd(2000, 1, 3), ymd(2000, 1, 3)},   {ymd(2000, 1, 31), ymd(2000, 2, 11)}, {ymd(2000, 5, 1), ymd(2000, 5, 7)},
    {ymd(2000, 10, 1), ymd(2000, 10, 7)}, {ymd(2001, 1, 1), ymd(2001, 1, 1)},   {ymd(2001, 1, 22), ymd(2001, 2, 2)},
    {ymd(2001, 5, 1), ymd(2001, 5, 7)},   {ymd(2001, 10, 1), ymd(2001, 10, 7)}, {ymd(2002, 1, 1), ymd(2002, 1, 3)},
    {ymd(2002, 2, 11), ymd(2002, 2, 22)}, {ymd(2002, 5, 1), ymd(2002, 5, 7)},   {ymd(2002, 9, 30), ymd(2002, 10, 7)},
    {ymd(2003, 1, 1), ymd(2003, 1, 1)},   {ymd(2003, 1, 30), ymd(2003, 2, 7)},  {ymd(2003, 5, 1), ymd(2003, 5, 7)},
    {ymd(2003, 10, 1), ymd(2003, 10, 7)}, {ymd(2004, 1, 1), ymd(2004, 1, 1)},   {ymd(2004, 1, 19), ymd(2004, 1, 28)},
    {ymd(2004, 5, 1), ymd(2004, 5, 7)},   {ymd(2004, 10, 1), ymd(2004, 10, 7)}, {ymd(2005, 1, 1), ymd(2005, 1, 3)},
    {ymd(2005, 2, 7), ymd(2005, 2, 15)},  {ymd(2005, 5, 1), ymd(2005, 5, 7)},   {ymd(2005, 10, 1), ymd(2005, 10, 7)},
    {ymd(2006, 1, 1), ymd(2006, 1, 3)},   {ymd(2006, 1, 26), ymd(2006, 2, 3)},  {ymd(2006, 5, 1), ymd(2006, 5, 7)},
    {ymd(2006, 10, 1), ymd(2006, 10, 7)}, {ymd(2007, 1, 1), ymd(2007, 1, 3)},   {ymd(2007, 2, 18), ymd(2007, 2, 24)},
    {ymd(2007, 5, 1), ymd(2007, 5, 7)},   {ymd(2007, 10, 1), ymd(2007, 10, 7)}, {ymd(2007, 12, 31), ymd(2008, 1, 1)},
    {ymd(2008, 2, 6), ymd(2008, 2, 12)},  {ymd(2008, 4, 4), ymd(2008, 4, 4)},   {ymd(2008, 5, 1), ymd(2008, 5, 2)},
    {ymd(2008, 6, 9), ymd(2008, 6, 9)},   {ymd(2008, 9, 15), ymd(2008, 9, 15)}, {ymd(2008, 9, 29), ymd(2008, 10, 3)},
    {ymd(2009, 1, 1), ymd(2009, 1, 2)},   {ymd(2009, 1, 26), ymd(2009, 1, 30)}, {ymd(2009, 4, 6), ymd(2009, 4, 6)},
    {ymd(2009, 5, 1), ymd(2009, 5, 1)},   {ymd(2009, 5, 28), ymd(2009, 5, 29)}, {ymd(2009, 10, 1), ymd(2009, 10, 8)},
    {ymd(2010, 1, 1), ymd(2010, 1, 1)},   {ymd(2010, 2, 15), ymd(2010, 2, 19)}, {ymd(2010, 4, 5), ymd(2010, 4, 5)},
    {ymd(2010, 5, 3), ymd(2010, 5, 3)},   {ymd(2010, 6, 14), ymd(2010, 6, 16)}, {ymd(2010, 9, 22), ymd(2010, 9, 24)},
    {ymd(2010, 10, 1), ymd(2010, 10, 7)}, {ymd(2011, 1, 3), ymd(2011, 1, 3)},   {ymd(2011, 2, 2), ymd(2011, 2, 8)},
    {ymd(2011, 4, 4), ymd(2011, 4, 5)},   {ymd(2011, 5, 2), ymd(2011, 5, 2)},   {ymd(2011, 6, 6), ymd(2011, 6, 6)},
    {ymd(2011, 9, 12), ymd(2011, 9, 12)}, {ymd(2011, 10, 1), ymd(2011, 10, 7)}, {ymd(2012, 1, 2), ymd(2012, 1, 3)},
    {ymd(2012, 1, 22), ymd(2012, 1, 28)}, {ymd(2012, 4, 2), ymd(2012, 4, 4)},   {ymd(2012, 4, 30), ymd(2012, 5, 1)},
    {ymd(2012, 6, 22), ymd(2012, 6, 22)}, {ymd(2012, 9, 30), ymd(2012, 10, 7)}, {ymd(2013, 1, 1), ymd(2013, 1, 3)},
    {ymd(2013, 2, 9), ymd(2013, 2, 15)},  {ymd(2013, 4, 4), ymd(2013, 4, 5)},   {ymd(2013, 4, 29), ymd(2013, 5, 1)},
    {ymd(2013, 6, 10), ymd(2013, 6, 12)}, {ymd(2013, 9, 19), ymd(2013, 9, 20)}, {ymd(2013, 10, 1), ymd(2013, 10, 7)},
    {ymd(2014, 1, 1), ymd(2014, 1, 1)},   {ymd(2014, 1, 31), ymd(2014, 2, 6)},  {ymd(2014, 4, 7), ymd(2014, 4, 7)},
    {ymd(2014, 5, 1), ymd(2014, 5, 2)},   {ymd(2014, 6, 2), ymd(2014, 6, 2)},   {ymd(2014, 9, 8), ymd(2014, 9, 8)},
    {ymd(2014, 10, 1), ymd(2014, 10, 7)}, {ymd(2015, 1, 1), ymd(2015, 1, 2)},   {ymd(2015, 2, 18), ymd(2015, 2, 24)},
    {ymd(2015, 4, 6), ymd(2015, 4, 6)},   {ymd(2015, 5, 1), ymd(2015, 5, 1)},   {ymd(2015, 6, 22), ymd(2015, 6, 22)},
    {ymd(2015, 9, 3), ymd(2015, 9, 4)},   {ymd(2015, 10, 1), ymd(2015, 10, 7)}, {ymd(2016, 1, 1), ymd(2016, 1, 1)},
    {ymd(2016, 2, 7), ymd(2016, 2, 13)},  {ymd(2016, 4, 4), ymd(2016, 4, 4)},   {ymd(2016, 5, 2), ymd(2016, 5, 2)},
    {ymd(2016, 6, 9), ymd(2016, 6, 10)},  {ymd(2016, 9, 15), ymd(2016, 9, 16)}, {ymd(2016, 10, 1), ymd(2016, 10, 7)},
    {ymd(2017, 1, 2), ymd(2017, 1, 2)},   {ymd(2017, 1, 27), ymd(2017, 2, 2)},  {ymd(2017, 4, 3), ymd(2017, 4, 4)},
    {ymd(2017, 5, 1), ymd(2017, 5, 1)},   {ymd(2017, 5, 29), ymd(2017, 5, 30)}, {ymd(2017, 10, 1), ymd(2017, 10, 8)},
    {ymd(2018, 1, 1), ymd(2018, 1, 1)},   {ymd(2018, 2, 15), ymd(2018, 2, 21)}, {ymd(2018, 4, 5), ymd(2018, 4, 6)},
    {ymd(2018, 4, 30), ymd(2018, 5, 1)},  {ymd(2018, 6, 18), ymd(2018, 6, 18)}, {ymd(2018, 9, 24), ymd(2018, 9, 24)},
    {ymd(2018, 10, 1), ymd(2018, 10, 7)}, {ymd(2018, 12, 31), ymd(2019, 1, 1)}, {ymd(2019, 2, 4), ymd(2019, 2, 10)},
    {ymd(2019, 4, 5), ymd(2019, 4, 5)},   {ymd(2019, 5, 1), ymd(2019, 5, 3)},   {ymd(2019, 6, 7), ymd(2019, 6, 7)},
    {ymd(2019, 9, 13), ymd(2019, 9, 13)}, {ymd(2019, 10, 1), ymd(2019, 10, 7)}, {ymd(2020, 1, 1), ymd(2020, 1, 1)},
    {ymd(2020, 1, 24), ymd(2020, 2, 2)},  {ymd(2020, 4, 6), ymd(2020, 4, 6)},   {ymd(2020, 5, 1), ymd(2020, 5, 5)},
    {ymd(2020, 6, 25), ymd(2020, 6, 26)}, {ymd(2020, 10, 1), ymd(2020, 10, 8)}, {ymd(2021, 1, 1), ymd(2021, 1, 1)},
    {ymd(2021, 2, 11), ymd(2021, 2, 17)}, {ymd(2021, 4, 5), ymd(2021, 4, 5)},   {ymd(2021, 5, 3), ymd(2021, 5, 5)},
    {ymd(2021, 6, 14), ymd(2021, 6, 14)}, {ymd(2021, 9, 20), ymd(2021, 9, 21)}, {ymd(2021, 10, 1), ymd(2021, 10, 7)},
    {ymd(2022, 1, 3), ymd(2022, 1, 3)},   {ymd(2022, 1, 31), ymd(2022, 2, 4)},  {ymd(2022, 4, 4), ymd(2022, 4, 5)},
    {ymd(2022, 5, 2), ymd(2022, 5, 4)},   {ymd(2022, 6, 3), ymd(2022, 6, 3)},   {ymd(2022, 9, 12), ymd(2022, 9, 12)},
    {ymd(2022, 10, 3), ymd(2022, 10, 7)}, {ymd(2023, 1, 2), ymd(2023, 1, 2)},   {ymd(2023, 1, 23), ymd(2023, 1, 27)},
    {ymd(2023, 4, 5), ymd(2023, 4, 5)},   {ymd(2023, 5, 1), ymd(2023, 5, 3)},   {ymd(2023, 6, 22), ymd(2023, 6, 23)},
    {ymd(2023, 9, 29), ymd(2023, 10, 6)}, {ymd(2024, 1, 1), ymd(2024, 1, 1)},   {ymd(2024, 2, 9), ymd(2024, 2, 17)},
    {ymd(2024, 4, 4), ymd(2024, 4, 5)},   {ymd(2024, 5, 1), ymd(2024, 5, 3)},   {ymd(2024, 6, 10), ymd(2024, 6, 10)},
    {ymd(2024, 9, 16), ymd(2024, 9, 17)}, {ymd(2024, 10, 1), ymd(2024, 10, 7)}, {ymd(2025, 1, 1), ymd(2025, 1, 1)},
    {ymd(2025, 1, 28), ymd(2025, 2, 4)},  {ymd(2025, 4, 4), ymd(2025, 4, 4)},   {ymd(2025, 5, 1), ymd(2025, 5, 5)},
    {ymd(2025, 6, 2), ymd(2025, 6, 2)},   {ymd(2025, 10, 1), ymd(2025, 10, 8)}, {ymd(2026, 1, 1), ymd(2026, 1, 2)},
    {ymd(2026, 2, 16), ymd(2026, 2, 23)}, {ymd(2026, 4, 6), ymd(2026, 4, 6)},   {ymd(2026, 5, 1), ymd(2026, 5, 5)},
    {ymd(2026, 6, 19), ymd(2026, 6, 19)}, {ymd(2026, 9, 25), ymd(2026, 9, 25)}, {ymd(2026, 10, 1), ymd(2026, 10, 7)},
};
constexpr int kShanghaiLastListedYear = 2026;

bool shanghai_holiday(int y, sys_days d) {
    if (y <= kShanghaiLastListedYear) {
        return std::any_of(std::begin(kShanghaiClosures), std::end(kShanghaiClosures),
                           [d](const DateRange& r) { return d >= r.first && d <= r.last; });
    }
    const year_month_day date{d};
    const unsigned m = static_cast<unsigned>(date.month()), day = static_cast<unsigned>(date.day());
    if (m == 1 && day == 1) return true;
    if (m == 5 && day <= 5) return true;
    if (m == 10 && day <= 7) return true;
    if (d == qingming(y)) return true;
    if (const LunarDates* l = lunar_dates(y)) {
        const sys_days lny = ymd(y, l->new_year_m, l->new_year_d);
        if (d >= lny - days{1} && d <= lny + days{6}) return true;
        if (d == ymd(y, l->dragon_m, l->dragon_d) || d == ymd(y, l->mid_autumn_m, l->mid_autumn_d)) return true;
    }
    return false;
}

const std::array kShanghaiEras = {LocalEra{ymd(2000, 1, 1), {hm(9, 30), hm(15, 0), hm(11, 30), hm(13, 0)}}};

std::optional<LocalHours> shanghai_hours(sys_days d) {
    const int y = static_cast<int>(year_month_day{d}.year());
    if (is_weekend(d) || shanghai_holiday(y, d)) return std::nullopt;
    return kShanghaiEras[0].hours;
}

} // namespace

struct ExchangeCalendar::Spec {
    std::string zone;
    int first_year;
    int last_confirmed_year;
    std::optional<LocalHours> (*hours)(sys_days);
    //! The regular hours of a full session over time (one era for most), sorted, the last
    //! today's; exceptions() reports the weekdays that differ from their era.
    std::vector<LocalEra> eras;

    const LocalHours& regular() const { return eras.back().hours; }
    const LocalHours& regular_on(sys_days d) const {
        size_t i = 0;
        while (i + 1 < eras.size() && d >= eras[i + 1].from) ++i;
        return eras[i].hours;
    }
};

namespace {

// last_confirmed_year: the last year of each exchange's holiday notice when these tables
// were written (December 2026).
const ExchangeCalendar::Spec kNyse{"America/New_York", 2000, 2027, nyse_hours, {{ymd(2000, 1, 1), {hm(9, 30), hm(16, 0)}}}};
const ExchangeCalendar::Spec kLondon{"Europe/London", 2000, 2027, london_hours, {{ymd(2000, 1, 1), {hm(8, 0), hm(16, 30)}}}};
const ExchangeCalendar::Spec kXetra{"Europe/Berlin", 2000, 2027, xetra_hours, {{ymd(2000, 1, 1), {hm(9, 0), hm(17, 30)}}}};
// The Asian calendars' lunar table ends in 2027; Shanghai's closures are listed to 2026 (its
// 2027 notice was not in the sources used). The regular hours are today's.
const ExchangeCalendar::Spec kTokyo{"Asia/Tokyo", 2000, 2027, tokyo_hours, {kTokyoEras.begin(), kTokyoEras.end()}};
const ExchangeCalendar::Spec kHongKong{"Asia/Hong_Kong", 2000, 2027, hong_kong_hours,
                                       {kHongKongEras.begin(), kHongKongEras.end()}};
const ExchangeCalendar::Spec kShanghai{"Asia/Shanghai", 2000, kShanghaiLastListedYear, shanghai_hours,
                                       {kShanghaiEras.begin(), kShanghaiEras.end()}};

struct Entry {
    const char* mic;
    const ExchangeCalendar::Spec* spec;
};
const std::array kEntries = {
    Entry{"XNYS", &kNyse},
    Entry{"XNAS", &kNyse},
    Entry{"XLON", &kLondon},
    Entry{"XETR", &kXetra},
    Entry{"XTKS", &kTokyo},
    Entry{"XHKG", &kHongKong},
    Entry{"XSHG", &kShanghai},
};

const date::time_zone* zone_of(const std::string& name) {
    // locate_zone builds the database on first use (thread-safe, once); the lookup after
    // that is a binary search.
    return date::locate_zone(name);
}

TimestampUs to_micros(date::sys_seconds t) { return t.time_since_epoch().count() * kMicrosPerSecond; }

TimestampUs local_to_utc(const date::time_zone* zone, sys_days day, int minutes) {
    const date::local_seconds local{(day + std::chrono::minutes{minutes}).time_since_epoch()};
    // Sessions never start inside a DST gap or fold here; `earliest` keeps a rule that
    // ever does so well defined instead of throwing.
    return to_micros(zone->to_sys(local, date::choose::earliest));
}

} // namespace

Result<const ExchangeCalendar*> ExchangeCalendar::find(std::string_view mic) {
    std::string upper(mic);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // One calendar object per MIC, built on first use and alive for the process.
    static const std::vector<ExchangeCalendar> calendars = [] {
        std::vector<ExchangeCalendar> out;
        for (const Entry& e : kEntries) out.emplace_back(e.mic, e.spec);
        return out;
    }();
    for (const ExchangeCalendar& c : calendars) {
        if (c.code() == upper) return &c;
    }
    std::string known;
    for (const Entry& e : kEntries) known += (known.empty() ? "" : ", ") + std::string(e.mic);
    return fail(Error::invalid("unknown exchange '" + std::string(mic) + "': known exchanges are " + known));
}

std::vector<std::string> ExchangeCalendar::codes() {
    std::vector<std::string> out;
    for (const Entry& e : kEntries) out.emplace_back(e.mic);
    return out;
}

const std::string& ExchangeCalendar::time_zone() const { return spec_->zone; }
int ExchangeCalendar::first_year() const { return spec_->first_year; }
int ExchangeCalendar::last_confirmed_year() const { return spec_->last_confirmed_year; }

std::optional<TradingSession> ExchangeCalendar::session_on(int64_t day) const {
    const sys_days d{days{day}};
    const int y = static_cast<int>(year_month_day{d}.year());
    if (y < spec_->first_year) return std::nullopt;
    const std::optional<LocalHours> h = spec_->hours(d);
    if (!h) return std::nullopt;
    const date::time_zone* zone = zone_of(spec_->zone);
    TradingSession s;
    s.day = day;
    s.open = local_to_utc(zone, d, h->open);
    s.close = local_to_utc(zone, d, h->close);
    s.break_start = h->break_start == h->break_end ? s.close : local_to_utc(zone, d, h->break_start);
    s.break_end = h->break_start == h->break_end ? s.close : local_to_utc(zone, d, h->break_end);
    s.early_close = h->early_close;
    s.provisional = is_provisional(y);
    return s;
}

int ExchangeCalendar::regular_open_minutes() const { return spec_->regular().open; }
int ExchangeCalendar::regular_close_minutes() const { return spec_->regular().close; }
int ExchangeCalendar::regular_break_start_minutes() const { return spec_->regular().break_start; }
int ExchangeCalendar::regular_break_end_minutes() const { return spec_->regular().break_end; }

std::vector<ExchangeCalendar::HoursEra> ExchangeCalendar::hours_eras() const {
    std::vector<HoursEra> out;
    for (const LocalEra& e : spec_->eras) {
        out.push_back({e.from.time_since_epoch().count(), e.hours.open, e.hours.close, e.hours.break_start,
                       e.hours.break_end});
    }
    return out;
}

std::vector<ExchangeCalendar::Exception> ExchangeCalendar::exceptions(int64_t first_day, int64_t last_day) const {
    std::vector<Exception> out;
    for (int64_t day = first_day; day <= last_day; ++day) {
        const sys_days d{days{day}};
        if (is_weekend(d) || static_cast<int>(year_month_day{d}.year()) < spec_->first_year) continue;
        const auto h = spec_->hours(d);
        if (!h) {
            out.push_back({day, -1});
        } else if (const LocalHours& r = spec_->regular_on(d); h->open != r.open || h->close != r.close ||
                                                                 h->break_start != r.break_start ||
                                                                 h->break_end != r.break_end) {
            out.push_back({day, h->close, h->open, h->break_start, h->break_end});
        }
    }
    return out;
}

std::vector<TradingSession> ExchangeCalendar::sessions(int64_t first_day, int64_t last_day) const {
    std::vector<TradingSession> out;
    for (int64_t day = first_day; day <= last_day; ++day) {
        if (auto s = session_on(day)) out.push_back(*s);
    }
    return out;
}

std::optional<TradingSession> ExchangeCalendar::next_session(TimestampUs ts) const {
    // The UTC day of ts is the local date or one day after it in every zone listed here, so
    // starting a day before cannot miss a session.
    const int64_t start = (ts >= 0 ? ts / kMicrosPerDay : (ts - kMicrosPerDay + 1) / kMicrosPerDay) - 1;
    for (int64_t day = start; day < start + 21; ++day) {
        if (auto s = session_on(day); s && s->close > ts) return s;
    }
    return std::nullopt;
}

Status check_time_zone(std::string_view zone) {
    try {
        zone_of(std::string(zone));
        return {};
    } catch (const std::exception&) {
        return fail(Error::invalid("unknown time zone '" + std::string(zone) +
                                   "': use an IANA name such as UTC or America/New_York"));
    }
}

Result<int64_t> utc_offset_seconds(TimestampUs ts, std::string_view zone) {
    if (auto ok = check_time_zone(zone); !ok) return fail(ok.error());
    const date::sys_seconds t{std::chrono::seconds{ts >= 0 ? ts / kMicrosPerSecond
                                                           : (ts - kMicrosPerSecond + 1) / kMicrosPerSecond}};
    return zone_of(std::string(zone))->get_info(t).offset.count();
}

Result<int64_t> local_day_of(TimestampUs ts, std::string_view zone) {
    auto offset = utc_offset_seconds(ts, zone);
    if (!offset) return fail(offset.error());
    const TimestampUs local = ts + *offset * kMicrosPerSecond;
    return local >= 0 ? local / kMicrosPerDay : (local - kMicrosPerDay + 1) / kMicrosPerDay;
}

} // namespace ticklake
