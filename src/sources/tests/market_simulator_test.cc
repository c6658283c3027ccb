#include "sources/market_simulator.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <map>
#include <set>
#include <unordered_set>

#include <gtest/gtest.h>

#include "common/event_json.h"

namespace ticklake {
namespace {

std::unique_ptr<MarketSimulator> make(const MarketSimulatorOptions& o) {
    auto sim = MarketSimulator::create(o);
    EXPECT_TRUE(sim.has_value()) << (sim ? "" : sim.error().message);
    return sim ? std::move(*sim) : nullptr;
}

std::vector<Event> drain(MarketSimulator& sim, size_t batch = 4096) {
    std::vector<Event> all, chunk;
    while (!sim.done()) {
        chunk.clear();
        auto n = sim.next_batch(chunk, batch);
        EXPECT_TRUE(n.has_value());
        if (!n || *n == 0) {
            break;
        }
        std::move(chunk.begin(), chunk.end(), std::back_inserter(all));
    }
    return all;
}

// Wire JSON with the receive time (the one wall-clock field) blanked out.
std::string serialise(std::vector<Event> events) {
    std::string out;
    for (Event& e : events) {
        e.recv_ts = 0;
        append_event_json(out, e);
        out.push_back('\n');
    }
    return out;
}

uint64_t fnv1a(const std::string& s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : s) {
        h = (h ^ c) * 0x100000001b3ull;
    }
    return h;
}

TEST(MarketSimulator, SameSeedSameEventsWhateverTheBatchSize) {
    MarketSimulatorOptions o;
    o.seed = 42;
    o.count = 100'000;
    auto a = make(o);
    auto b = make(o);
    const std::string sa = serialise(drain(*a, 4096));
    const std::string sb = serialise(drain(*b, 333));
    EXPECT_EQ(sa.size(), sb.size());
    EXPECT_TRUE(sa == sb) << "same seed and options must give identical events";
    EXPECT_GT(sa.size(), 100'000u * 100);
}

// refill() writes over the batch's old events in place (the producer's loop): every member
// must be set again, whatever event of whatever type held the slot before.
TEST(MarketSimulator, RefillGivesTheSameEventsAsNextBatch) {
    MarketSimulatorOptions o;
    o.seed = 42;
    o.count = 20'000;
    auto a = make(o);
    auto b = make(o);
    const std::string expected = serialise(drain(*a, 1000));
    std::vector<Event> batch(1000);
    for (Event& e : batch) { // stale slots: records with every member set
        e.type = EventType::record;
        e.id = "a stale id longer than any simulated one";
        e.symbol = "STALE";
        e.source = "stale";
        e.ts = e.recv_ts = 1;
        e.body.emplace<Record>();
    }
    std::string got;
    size_t events = 0;
    while (!b->done()) {
        auto n = b->refill(batch, 1000 - events % 7); // batches of changing size
        ASSERT_TRUE(n.has_value());
        ASSERT_EQ(batch.size(), *n);
        events += *n;
        got += serialise(batch);
    }
    EXPECT_EQ(events, o.count);
    EXPECT_TRUE(got == expected) << "refill must give exactly the events next_batch gives";
}

TEST(MarketSimulator, DifferentSeedsDiffer) {
    MarketSimulatorOptions o;
    o.count = 10'000;
    o.seed = 1;
    auto a = drain(*make(o));
    o.seed = 2;
    auto b = drain(*make(o));
    ASSERT_EQ(a.size(), b.size());
    size_t same_symbol = 0, same_ts = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        same_symbol += a[i].symbol == b[i].symbol;
        same_ts += a[i].ts == b[i].ts;
    }
    EXPECT_LT(same_symbol, a.size() / 2);
    EXPECT_LT(same_ts, a.size() / 10);
    EXPECT_EQ(a[0].id, "sim-1-000000000000");
    EXPECT_EQ(b[9999].id, "sim-2-000000009999");
}

// A fingerprint of seed 7's first 2,000 events. Every platform and compiler must give these
// bytes; a change here means the simulator's output changed (update it deliberately).
TEST(MarketSimulator, GoldenFingerprint) {
    MarketSimulatorOptions o;
    o.seed = 7;
    o.count = 2'000;
    const std::string text = serialise(drain(*make(o)));
    EXPECT_EQ(fnv1a(text), 0x8d06e82ad542c5acull) << "first event: " << text.substr(0, text.find('\n'));
}

TEST(MarketSimulator, RejectsBadOptions) {
    MarketSimulatorOptions o;
    o.quote_ratio = 1.5;
    EXPECT_FALSE(MarketSimulator::create(o).has_value());
    o = {};
    o.symbols = 0;
    auto r = MarketSimulator::create(o);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(r.error().message.find("symbols"), std::string::npos);
    o = {};
    o.days = 0;
    EXPECT_FALSE(MarketSimulator::create(o).has_value());
}

TEST(MarketSimulator, ZeroCountIsDoneAtOnce) {
    MarketSimulatorOptions o;
    o.count = 0;
    auto sim = make(o);
    EXPECT_TRUE(sim->done());
    std::vector<Event> out;
    auto n = sim->next_batch(out, 100);
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(*n, 0u);
    EXPECT_TRUE(out.empty());
}

bool in_session(TimestampUs ts) {
    const int64_t day = ts / kMicrosPerDay;
    const int64_t weekday = (day + 3) % 7; // Monday = 0
    const int64_t in_day = ts % kMicrosPerDay;
    return weekday < 5 && in_day >= (14 * 3600 + 30 * 60) * kMicrosPerSecond && in_day < 21 * 3600 * kMicrosPerSecond;
}

bool on_tick(double price) {
    const double ticks = price * (price < 1.0 ? 10'000.0 : 100.0);
    return std::fabs(ticks - std::round(ticks)) < 1e-6;
}

TEST(MarketSimulator, RealismOverAMillionEvents) {
    MarketSimulatorOptions o;
    o.seed = 2025;
    o.count = 1'000'000;
    o.days = 3;
    o.start = 1'736'524'800'000'000; // 2025-01-10T16:00:00Z, a Friday mid-session
    auto sim = make(o);
    const auto events = drain(*sim);
    ASSERT_EQ(events.size(), 1'000'000u);

    const std::set<std::string> venues = {"XNAS", "XNYS", "ARCX", "BATS", "BATY", "EDGX", "EDGA", "IEXG",
                                          "MEMX", "XBOS", "XPHL", "XCHI", "FINN", "FINY", "XADF"};
    std::unordered_set<std::string> ids;
    std::map<std::string, uint64_t> per_symbol;
    std::map<std::string, std::pair<double, double>> last_quote;
    std::map<std::string, double> first_mid, last_mid;
    std::set<std::string> dates;
    uint64_t quotes = 0, trades = 0, odd = 0, round_lots = 0, blocks = 0, buys = 0, inside = 0, checked_trades = 0;
    TimestampUs prev = 0;
    for (const Event& e : events) {
        ASSERT_TRUE(ids.insert(e.id).second) << "duplicate id " << e.id;
        ASSERT_GE(e.ts, prev) << e.id;
        prev = e.ts;
        ASSERT_TRUE(in_session(e.ts)) << e.id << " at " << format_iso8601(e.ts);
        ASSERT_GE(e.ts, o.start);
        ASSERT_EQ(e.source, "sim");
        ASSERT_GT(e.recv_ts, 0);
        dates.insert(format_date(e.ts));
        ++per_symbol[e.symbol];
        if (e.type == EventType::quote) {
            ++quotes;
            const Quote& q = std::get<Quote>(e.body);
            ASSERT_GT(q.bid, 0) << e.id;
            ASSERT_LT(q.bid, q.ask) << e.id;
            ASSERT_TRUE(on_tick(q.bid) && on_tick(q.ask)) << e.id << " " << q.bid << "/" << q.ask;
            ASSERT_LE(q.ask - q.bid, 0.02 * q.ask + 0.0001) << e.id; // spreads of a few ticks, not dollars
            ASSERT_GT(q.bid_size, 0);
            ASSERT_EQ(std::fmod(q.bid_size, 100.0), 0.0);
            ASSERT_EQ(std::fmod(q.ask_size, 100.0), 0.0);
            ASSERT_TRUE(venues.count(q.exchange)) << q.exchange;
            last_quote[e.symbol] = {q.bid, q.ask};
            last_mid[e.symbol] = (q.bid + q.ask) / 2;
            first_mid.emplace(e.symbol, (q.bid + q.ask) / 2);
        } else {
            ASSERT_EQ(e.type, EventType::trade);
            ++trades;
            const Trade& t = std::get<Trade>(e.body);
            ASSERT_GT(t.price, 0);
            ASSERT_TRUE(on_tick(t.price)) << e.id << " " << t.price;
            ASSERT_GT(t.size, 0);
            ASSERT_EQ(t.size, std::floor(t.size));
            ASSERT_TRUE(t.side == "buy" || t.side == "sell");
            ASSERT_TRUE(venues.count(t.exchange)) << t.exchange;
            buys += t.side == "buy";
            odd += t.size < 100;
            round_lots += t.size >= 100 && std::fmod(t.size, 100.0) == 0.0;
            blocks += t.size >= 10'000;
            auto it = last_quote.find(e.symbol);
            if (it != last_quote.end()) {
                ++checked_trades;
                const auto [bid, ask] = it->second;
                const double mid = (bid + ask) / 2;
                ASSERT_LT(std::fabs(t.price - mid) / mid, 0.01) << e.id << " traded " << t.price << " vs " << bid << "/" << ask;
                inside += t.price >= bid && t.price <= ask;
            }
        }
    }
    EXPECT_NEAR(static_cast<double>(quotes) / 1e6, 0.6, 0.01);
    EXPECT_GT(checked_trades, trades * 9 / 10);
    EXPECT_EQ(inside, checked_trades) << "trades print at or inside the symbol's last quote";
    EXPECT_NEAR(static_cast<double>(buys) / static_cast<double>(trades), 0.5, 0.05);
    EXPECT_GT(odd, trades / 5);
    EXPECT_GT(round_lots, trades / 2);
    EXPECT_GT(blocks, 0u);
    EXPECT_LT(blocks, trades / 100);
    // Friday from 16:00, then Monday and Tuesday.
    EXPECT_EQ(dates, (std::set<std::string>{"2025-01-10", "2025-01-13", "2025-01-14"}));
    EXPECT_GT(events.back().ts, 1'736'881'200'000'000 - 60 * kMicrosPerSecond); // ends near Tuesday's close

    // Zipf-like activity: the most active symbol trades far more than the least.
    ASSERT_EQ(per_symbol.size(), 50u);
    std::vector<uint64_t> counts;
    for (const auto& [sym, n] : per_symbol) {
        counts.push_back(n);
    }
    std::sort(counts.rbegin(), counts.rend());
    EXPECT_GT(counts.front(), 20 * counts.back());
    EXPECT_GT(counts[0] + counts[1] + counts[2] + counts[3] + counts[4], 400'000u);
    EXPECT_EQ(per_symbol.begin()->first.empty(), false);
    EXPECT_GT(per_symbol["NVDA"], per_symbol["MSFT"]);

    // Starting prices are plausible and three days of GBM do not run away.
    EXPECT_NEAR(first_mid["AAPL"], 190.0, 10.0);
    EXPECT_NEAR(first_mid["MSFT"], 420.0, 20.0);
    for (const auto& [sym, mid] : last_mid) {
        EXPECT_GT(mid / first_mid[sym], 0.6) << sym;
        EXPECT_LT(mid / first_mid[sym], 1.6) << sym;
    }
}

TEST(MarketSimulator, LargeUniverseHasSyntheticTickersAndPennyStocks) {
    MarketSimulatorOptions o;
    o.symbols = 2'000;
    o.count = 200'000;
    auto sim = make(o);
    const auto& names = sim->symbols();
    ASSERT_EQ(names.size(), 2'000u);
    EXPECT_EQ(names[0], "NVDA");
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size()) << "symbols must be unique";
    for (size_t i = 60; i < names.size(); ++i) {
        ASSERT_EQ(names[i].size(), 4u) << names[i];
        ASSERT_TRUE(std::all_of(names[i].begin(), names[i].end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
    }
    auto again = make(o);
    EXPECT_EQ(again->symbols(), names) << "the universe depends on its size only";

    bool penny = false;
    for (const Event& e : drain(*sim)) {
        if (e.type == EventType::quote) {
            const Quote& q = std::get<Quote>(e.body);
            ASSERT_LT(q.bid, q.ask);
            ASSERT_TRUE(on_tick(q.bid) && on_tick(q.ask)) << q.bid << "/" << q.ask;
            penny |= q.ask < 1.0 && std::fabs(q.ask * 100 - std::round(q.ask * 100)) > 1e-6;
        }
    }
    EXPECT_TRUE(penny) << "some sub-$1 symbols should quote in $0.0001";
}

TEST(MarketSimulator, StartOnAWeekendMovesToMondayOpen) {
    MarketSimulatorOptions o;
    o.count = 1000;
    o.start = 1'736'596'800'000'000; // 2025-01-11T12:00:00Z, Saturday
    const auto events = drain(*make(o));
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(format_date(events.front().ts), "2025-01-13");
    EXPECT_EQ(format_date(events.back().ts), "2025-01-13");
    EXPECT_GE(events.front().ts, 1'736'778'600'000'000); // 14:30Z
}

TEST(MarketSimulator, QuoteRatioExtremes) {
    MarketSimulatorOptions o;
    o.count = 5000;
    o.quote_ratio = 0;
    for (const Event& e : drain(*make(o))) {
        ASSERT_EQ(e.type, EventType::trade);
    }
    o.quote_ratio = 1;
    for (const Event& e : drain(*make(o))) {
        ASSERT_EQ(e.type, EventType::quote);
    }
}

// The NYSE session in New York time: 09:30-16:00 is 13:30-20:00 UTC in summer (EDT) and
// 14:30-21:00 UTC in winter (EST); holidays have no events; early closes stop at 13:00.
std::set<std::string> trade_dates_between(const std::vector<Event>& events, const char* lo, const char* hi) {
    std::set<std::string> dates;
    for (const Event& e : events) {
        EXPECT_GE(e.ts, *parse_iso8601(std::string(format_date(e.ts)) + "T" + lo + "Z")) << format_iso8601(e.ts);
        EXPECT_LT(e.ts, *parse_iso8601(std::string(format_date(e.ts)) + "T" + hi + "Z")) << format_iso8601(e.ts);
        dates.insert(format_date(e.ts));
    }
    return dates;
}

TEST(MarketSimulator, SummerSessionsFollowNewYorkDaylightTime) {
    MarketSimulatorOptions o;
    o.count = 20'000;
    o.days = 3;
    o.start = *parse_iso8601("2025-07-08T00:00:00Z");
    const auto dates = trade_dates_between(drain(*make(o)), "13:30", "20:00");
    EXPECT_EQ(dates, (std::set<std::string>{"2025-07-08", "2025-07-09", "2025-07-10"}));
}

TEST(MarketSimulator, WinterSessionsFollowNewYorkStandardTime) {
    MarketSimulatorOptions o;
    o.count = 20'000;
    o.days = 2;
    o.start = *parse_iso8601("2025-01-14T00:00:00Z");
    const auto dates = trade_dates_between(drain(*make(o)), "14:30", "21:00");
    EXPECT_EQ(dates, (std::set<std::string>{"2025-01-14", "2025-01-15"}));
}

TEST(MarketSimulator, HolidaysHaveNoEventsAndEarlyClosesStopAtOnePm) {
    MarketSimulatorOptions o;
    o.count = 50'000;
    o.days = 2;
    o.start = *parse_iso8601("2025-07-03T00:00:00Z"); // early close, then Independence Day
    const auto summer = drain(*make(o));
    std::set<std::string> dates;
    for (const Event& e : summer) {
        dates.insert(format_date(e.ts));
        if (format_date(e.ts) == "2025-07-03") {
            ASSERT_LT(e.ts, *parse_iso8601("2025-07-03T17:00:00Z")) << "after 13:00 New York";
        }
    }
    EXPECT_EQ(dates, (std::set<std::string>{"2025-07-03", "2025-07-07"})); // not 07-04, not the weekend
    o.start = *parse_iso8601("2025-04-17T00:00:00Z"); // Thursday before Good Friday
    dates.clear();
    for (const Event& e : drain(*make(o))) dates.insert(format_date(e.ts));
    EXPECT_EQ(dates, (std::set<std::string>{"2025-04-17", "2025-04-21"}));
}

TEST(MarketSimulator, NoEventsInALunchBreak) {
    // Hong Kong: 09:30-12:00 and 13:00-16:00 local, 01:30-04:00 and 05:00-08:00 UTC.
    MarketSimulatorOptions o;
    o.count = 20'000;
    o.days = 2;
    o.exchange = "XHKG";
    o.start = *parse_iso8601("2025-07-02T00:00:00Z");
    size_t morning = 0, afternoon = 0;
    for (const Event& e : drain(*make(o))) {
        const std::string day = format_date(e.ts);
        const TimestampUs break_start = *parse_iso8601(day + "T04:00:00Z");
        const TimestampUs break_end = *parse_iso8601(day + "T05:00:00Z");
        ASSERT_FALSE(e.ts >= break_start && e.ts < break_end) << "in the lunch break: " << format_iso8601(e.ts);
        ASSERT_GE(e.ts, *parse_iso8601(day + "T01:30:00Z"));
        ASSERT_LT(e.ts, *parse_iso8601(day + "T08:00:00Z"));
        ++(e.ts < break_start ? morning : afternoon);
    }
    EXPECT_GT(morning, 0u);
    EXPECT_GT(afternoon, 0u);
}

TEST(MarketSimulator, OtherExchangesUseTheirOwnZone) {
    MarketSimulatorOptions o;
    o.count = 5'000;
    o.exchange = "XLON";
    o.start = *parse_iso8601("2025-07-08T00:00:00Z");
    trade_dates_between(drain(*make(o)), "07:00", "15:30"); // 08:00-16:30 British Summer Time
    o.exchange = "XXXX";
    auto bad = MarketSimulator::create(o);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, ErrorKind::invalid_argument);
}

} // namespace
} // namespace ticklake
