#include "common/exchange_calendar.h"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <exception>

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

} // namespace

struct ExchangeCalendar::Spec {
    std::string zone;
    int first_year;
    int last_confirmed_year;
    std::optional<LocalHours> (*hours)(sys_days);
    LocalHours regular; //!< a full session; exceptions() reports the weekdays that differ
};

namespace {

// last_confirmed_year: the last year of each exchange's holiday notice when these tables
// were written (December 2026).
const ExchangeCalendar::Spec kNyse{"America/New_York", 2000, 2027, nyse_hours, {hm(9, 30), hm(16, 0)}};
const ExchangeCalendar::Spec kLondon{"Europe/London", 2000, 2027, london_hours, {hm(8, 0), hm(16, 30)}};
const ExchangeCalendar::Spec kXetra{"Europe/Berlin", 2000, 2027, xetra_hours, {hm(9, 0), hm(17, 30)}};

struct Entry {
    const char* mic;
    const ExchangeCalendar::Spec* spec;
};
const std::array kEntries = {
    Entry{"XNYS", &kNyse},
    Entry{"XNAS", &kNyse},
    Entry{"XLON", &kLondon},
    Entry{"XETR", &kXetra},
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

int ExchangeCalendar::regular_open_minutes() const { return spec_->regular.open; }
int ExchangeCalendar::regular_close_minutes() const { return spec_->regular.close; }

std::vector<ExchangeCalendar::Exception> ExchangeCalendar::exceptions(int64_t first_day, int64_t last_day) const {
    std::vector<Exception> out;
    for (int64_t day = first_day; day <= last_day; ++day) {
        const sys_days d{days{day}};
        if (is_weekend(d) || static_cast<int>(year_month_day{d}.year()) < spec_->first_year) continue;
        const auto h = spec_->hours(d);
        if (!h) {
            out.push_back({day, -1});
        } else if (h->open != spec_->regular.open || h->close != spec_->regular.close) {
            out.push_back({day, h->close});
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
