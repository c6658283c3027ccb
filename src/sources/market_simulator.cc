#include "sources/market_simulator.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include <fmt/format.h>

#include "common/exchange_calendar.h"
#include "sources/sim_random.h"

namespace ticklake {

namespace {

struct RealTicker {
    const char* name;
    double price; //!< plausible early-January-2025 level, USD
    double vol;   //!< annualised volatility
};

// Ordered by typical US trading activity (most active first): the order is the Zipf rank.
constexpr RealTicker kRealTickers[] = {
    {"NVDA", 140.0, 0.50}, {"TSLA", 400.0, 0.60}, {"AAPL", 190.0, 0.25}, {"AMD", 125.0, 0.50},
    {"AMZN", 220.0, 0.30}, {"MSFT", 420.0, 0.22}, {"META", 600.0, 0.35}, {"PLTR", 75.0, 0.75},
    {"GOOGL", 190.0, 0.28}, {"INTC", 20.0, 0.45}, {"F", 10.0, 0.30}, {"SOFI", 15.0, 0.65},
    {"BAC", 44.0, 0.25}, {"AVGO", 230.0, 0.45}, {"MU", 95.0, 0.50}, {"NFLX", 880.0, 0.35},
    {"UBER", 63.0, 0.40}, {"T", 22.7, 0.18}, {"PFE", 26.5, 0.22}, {"JPM", 240.0, 0.20},
    {"WFC", 70.0, 0.25}, {"SNAP", 11.0, 0.60}, {"XOM", 108.0, 0.22}, {"CSCO", 59.0, 0.20},
    {"VZ", 40.0, 0.18}, {"BA", 175.0, 0.35}, {"KO", 62.0, 0.15}, {"DIS", 112.0, 0.25},
    {"WMT", 90.0, 0.18}, {"QCOM", 155.0, 0.35}, {"ORCL", 170.0, 0.35}, {"CRM", 330.0, 0.35},
    {"NKE", 75.0, 0.30}, {"CVX", 145.0, 0.22}, {"MRK", 100.0, 0.22}, {"V", 315.0, 0.18},
    {"UNH", 510.0, 0.25}, {"JNJ", 145.0, 0.15}, {"PG", 165.0, 0.15}, {"SBUX", 92.0, 0.25},
    {"ABBV", 175.0, 0.22}, {"PEP", 150.0, 0.16}, {"MA", 530.0, 0.18}, {"HD", 390.0, 0.20},
    {"GE", 170.0, 0.30}, {"ADBE", 440.0, 0.30}, {"TXN", 190.0, 0.25}, {"IBM", 220.0, 0.22},
    {"LLY", 780.0, 0.30}, {"ABT", 113.0, 0.18}, {"COST", 920.0, 0.20}, {"PM", 122.0, 0.18},
    {"CAT", 365.0, 0.25}, {"AMGN", 260.0, 0.22}, {"MCD", 290.0, 0.16}, {"ACN", 350.0, 0.22},
    {"TMO", 530.0, 0.22}, {"INTU", 630.0, 0.30}, {"LIN", 420.0, 0.16}, {"BRK.B", 460.0, 0.15},
};
constexpr size_t kRealCount = sizeof(kRealTickers) / sizeof(kRealTickers[0]);

// Venue shares in per-mille. Trades include the FINRA TRFs (off-exchange prints, ~40% of
// US volume); quotes come from lit exchanges only.
struct Venue {
    const char* code;
    uint32_t cumulative; //!< per-mille, cumulative
};
constexpr Venue kTradeVenues[] = {
    {"XNAS", 170}, {"FINN", 370}, {"XNYS", 450}, {"FINY", 520}, {"ARCX", 580}, {"EDGX", 640},
    {"BATS", 700}, {"MEMX", 750}, {"IEXG", 785}, {"BATY", 815}, {"EDGA", 835}, {"XBOS", 850},
    {"XPHL", 860}, {"XCHI", 870}, {"XADF", 1000},
};
constexpr Venue kQuoteVenues[] = {
    {"XNAS", 260}, {"XNYS", 400}, {"ARCX", 510}, {"EDGX", 610}, {"BATS", 710}, {"MEMX", 790},
    {"IEXG", 850}, {"BATY", 900}, {"EDGA", 940}, {"XBOS", 965}, {"XPHL", 985}, {"XCHI", 1000},
};

template <size_t N>
const char* pick_venue(const Venue (&venues)[N], uint32_t per_mille) {
    for (const Venue& v : venues) {
        if (per_mille < v.cumulative) {
            return v.code;
        }
    }
    return venues[N - 1].code;
}

constexpr int64_t kSessionLenUs = (6 * 3600 + 30 * 60) * kMicrosPerSecond;
//! Trading time in a year: 252 sessions of 6.5 hours (volatility is per trading year).
constexpr double kTradingYearUs = 252.0 * static_cast<double>(kSessionLenUs);

} // namespace

struct MarketSimulator::SymbolState {
    double mid = 0;           //!< continuous price; quotes and trades round it to the tick
    double vol = 0;           //!< annualised
    double spread_bps = 0;    //!< typical quoted spread in basis points
    double mean_lots = 1;     //!< typical displayed size, in round lots
    int64_t last_clock = 0;   //!< trading clock of this symbol's previous event
    int64_t bid_ticks = 0;    //!< the last book (0 = none yet), in ticks of...
    int64_t ask_ticks = 0;
    double ticks_per_dollar = 100.0; //!< ...1/100 dollar, or 1/10000 below $1
};

MarketSimulator::~MarketSimulator() = default;

Result<std::unique_ptr<MarketSimulator>> MarketSimulator::create(const MarketSimulatorOptions& o) {
    if (o.symbols < 1 || o.symbols > 100'000) {
        return fail(Error::invalid(fmt::format("simulator: symbols must be 1..100000, got {}", o.symbols)));
    }
    if (o.days < 1 || o.days > 10'000) {
        return fail(Error::invalid(fmt::format("simulator: days must be 1..10000, got {}", o.days)));
    }
    if (!(o.quote_ratio >= 0.0 && o.quote_ratio <= 1.0)) {
        return fail(Error::invalid(fmt::format("simulator: quote_ratio must be in [0, 1], got {}", o.quote_ratio)));
    }
    auto intervals = plan_intervals(o);
    if (!intervals) {
        return fail(intervals.error());
    }
    return std::unique_ptr<MarketSimulator>(new MarketSimulator(o, std::move(*intervals)));
}

// The trading intervals of `days` sessions of the exchange's calendar, from the session
// holding `start` (or the next one) on; a lunch break splits a session in two.
Result<std::vector<MarketSimulator::TradingInterval>> MarketSimulator::plan_intervals(const MarketSimulatorOptions& o) {
    auto calendar = ExchangeCalendar::find(o.exchange);
    if (!calendar) {
        return fail(Error::invalid("simulator: " + calendar.error().message));
    }
    auto first = (*calendar)->next_session(o.start);
    if (!first) {
        return fail(Error::invalid(fmt::format("simulator: no {} session within three weeks after {} (the calendar starts in {})",
                                               o.exchange, format_iso8601(o.start), (*calendar)->first_year())));
    }
    std::vector<TradingInterval> out;
    int64_t day = first->day;
    for (uint32_t n = 0; n < o.days; ++day) {
        const auto s = (*calendar)->session_on(day);
        if (!s) {
            continue;
        }
        if (s->break_start < s->break_end) {
            out.push_back({s->open, s->break_start});
            out.push_back({s->break_end, s->close});
        } else {
            out.push_back({s->open, s->close});
        }
        ++n;
    }
    return out;
}

MarketSimulator::MarketSimulator(const MarketSimulatorOptions& options, std::vector<TradingInterval> intervals)
    : options_(options), intervals_(std::move(intervals)) {
    sim_random::seed_xoshiro(rng_, options.seed);
    id_prefix_ = fmt::format("sim-{}-", options.seed);
    build_universe();
    build_activity_table();
    start_clock();
}

// The universe depends only on its size, never on the seed: symbol names, starting prices
// and volatilities come from the index alone.
void MarketSimulator::build_universe() {
    const uint32_t k = options_.symbols;
    symbol_names_.reserve(k);
    states_.resize(k);
    std::unordered_set<std::string> used;
    for (size_t i = 0; i < std::min<size_t>(k, kRealCount); ++i) {
        symbol_names_.emplace_back(kRealTickers[i].name);
        states_[i].mid = kRealTickers[i].price;
        states_[i].vol = kRealTickers[i].vol;
    }
    for (const RealTicker& t : kRealTickers) {
        used.insert(t.name);
    }
    uint64_t code_seq = 0;
    for (size_t i = kRealCount; i < k; ++i) {
        std::string name;
        do {
            // A multiplicative walk over the 26^4 four-letter codes: a bijection, so the
            // only possible clashes are with the real tickers above.
            uint64_t code = (code_seq++ * 7919 + 104'729) % (26ull * 26 * 26 * 26);
            name.assign(4, 'A');
            for (int c = 3; c >= 0; --c) {
                name[c] = static_cast<char>('A' + code % 26);
                code /= 26;
            }
        } while (!used.insert(name).second);
        symbol_names_.push_back(std::move(name));
        uint64_t h = 0x5EED0000ull + i;
        const double u_decade = sim_random::to_unit(sim_random::splitmix64(h));
        const double u_mantissa = sim_random::to_unit(sim_random::splitmix64(h));
        const double u_vol = sim_random::to_unit(sim_random::splitmix64(h));
        // Price decades: $0.1–1 (5%), $1–10 (25%), $10–100 (45%), $100–1000 (25%).
        const double decade = u_decade < 0.05 ? 0.1 : u_decade < 0.30 ? 1.0 : u_decade < 0.75 ? 10.0 : 100.0;
        states_[i].mid = decade * (1.0 + 9.0 * u_mantissa);
        states_[i].vol = 0.15 + 0.65 * u_vol;
        if (states_[i].mid < 5.0) {
            states_[i].vol = std::max(states_[i].vol, 0.5); // penny stocks swing
        }
    }
}

// Zipf activity weights 1/(rank+1) in a Walker alias table: O(1) symbol picks. Spreads and
// lot sizes follow the same rank.
void MarketSimulator::build_activity_table() {
    const uint32_t k = options_.symbols;
    std::vector<double> scaled(k);
    double total = 0;
    for (uint32_t i = 0; i < k; ++i) {
        total += 1.0 / (i + 1.0);
    }
    for (uint32_t i = 0; i < k; ++i) {
        scaled[i] = (1.0 / (i + 1.0)) / total * k;
        const double liquidity = static_cast<double>(i) / k; // 0 = most liquid
        // Quoted spreads: 1–5 bps for the real large caps, 5–30 bps for the synthetic tail.
        states_[i].spread_bps = i < kRealCount ? 1.0 + 4.0 * liquidity : 5.0 + 25.0 * liquidity;
        states_[i].mean_lots = 4.0 - 3.0 * liquidity;
    }
    alias_prob_.assign(k, 1.0);
    alias_idx_.resize(k);
    std::vector<uint32_t> small, large;
    for (uint32_t i = 0; i < k; ++i) {
        alias_idx_[i] = i;
        (scaled[i] < 1.0 ? small : large).push_back(i);
    }
    while (!small.empty() && !large.empty()) {
        const uint32_t s = small.back();
        small.pop_back();
        const uint32_t l = large.back();
        alias_prob_[s] = scaled[s];
        alias_idx_[s] = l;
        scaled[l] = (scaled[l] + scaled[s]) - 1.0;
        if (scaled[l] < 1.0) {
            large.pop_back();
            small.push_back(l);
        }
    }
}

// The clock starts at `start` inside the first interval that has not closed by then, or at
// that interval's open.
void MarketSimulator::start_clock() {
    int64_t clock = 0;
    interval_clock_.reserve(intervals_.size());
    for (const TradingInterval& in : intervals_) {
        interval_clock_.push_back(clock);
        clock += in.close - in.open;
    }
    total_trading_us_ = clock;
    int64_t offset = 0;
    for (size_t i = 0; i < intervals_.size(); ++i) {
        if (intervals_[i].close > options_.start) {
            offset = interval_clock_[i] + std::max<int64_t>(0, options_.start - intervals_[i].open);
            cached_interval_ = i;
            break;
        }
    }
    trading_clock_ = offset;
    for (SymbolState& s : states_) {
        s.last_clock = offset;
    }
}

std::string MarketSimulator::describe() const {
    return fmt::format("sim seed={} symbols={} count={} days={} quote_ratio={}", options_.seed, options_.symbols,
                       options_.count, options_.days, options_.quote_ratio);
}

Result<size_t> MarketSimulator::next_batch(std::vector<Event>& out, size_t max_events) {
    return generate_from(out, out.size(), max_events);
}

Result<size_t> MarketSimulator::refill(std::vector<Event>& batch, size_t max_events) {
    return generate_from(batch, 0, max_events);
}

// The next events into batch[start...], which ends there; generate() sets every member, so an
// event already in a slot is written over as it is.
size_t MarketSimulator::generate_from(std::vector<Event>& batch, size_t start, size_t max_events) {
    const auto n = static_cast<size_t>(std::min<uint64_t>(max_events, options_.count - produced_));
    batch.resize(start + n);
    const TimestampUs recv = now_us();
    for (size_t i = start; i < batch.size(); ++i) {
        generate(batch[i], recv);
    }
    return n;
}

// Event time: exponential gaps whose mean spreads the remaining events evenly over the
// remaining trading time, so the run ends near the last close and never runs past it.
TimestampUs MarketSimulator::next_event_time(uint64_t seq) {
    const uint64_t remaining = options_.count - seq;
    const double mean_gap = static_cast<double>(total_trading_us_ - trading_clock_) / static_cast<double>(remaining + 1);
    const auto gap = static_cast<int64_t>(sim_random::exponential(rng_) * mean_gap);
    trading_clock_ = std::min(trading_clock_ + gap, total_trading_us_ - 1);
    // The clock only moves forward: walk the intervals from the last one used.
    while (cached_interval_ + 1 < intervals_.size() && trading_clock_ >= interval_clock_[cached_interval_ + 1]) {
        ++cached_interval_;
    }
    return intervals_[cached_interval_].open + (trading_clock_ - interval_clock_[cached_interval_]);
}

uint32_t MarketSimulator::pick_symbol() {
    const uint64_t r = sim_random::next(rng_);
    const auto idx = static_cast<uint32_t>((r >> 32) * options_.symbols >> 32);
    return sim_random::to_unit(r << 32) < alias_prob_[idx] ? idx : alias_idx_[idx];
}

// Geometric Brownian motion over the trading time since this symbol's last event (Euler step
// on the price, no drift; the floor keeps a tail draw from going negative). Returns the draw.
double MarketSimulator::move_price(SymbolState& st) {
    const double dt = static_cast<double>(trading_clock_ - st.last_clock);
    st.last_clock = trading_clock_;
    const double z = sim_random::normal(rng_, spare_normal_, has_spare_);
    if (dt > 0) {
        const double step = st.vol * std::sqrt(dt / kTradingYearUs);
        st.mid *= std::max(0.5, 1.0 + step * std::clamp(z, -8.0, 8.0));
        st.mid = std::max(st.mid, 0.0001);
    }
    return z;
}

// Quotes re-centre the book on the mid; sub-$1 stocks quote in $0.0001 (Reg NMS 612).
void MarketSimulator::recentre_book(SymbolState& st) {
    const double width = 0.6 + 0.8 * sim_random::to_unit(sim_random::next(rng_));
    auto make_book = [&](double ticks_per_dollar) {
        st.ticks_per_dollar = ticks_per_dollar;
        const double mid_ticks = st.mid * ticks_per_dollar;
        const auto spread =
            std::clamp<int64_t>(static_cast<int64_t>(mid_ticks * st.spread_bps * 1e-4 * width + 0.5), 1, 200);
        st.bid_ticks = std::max<int64_t>(static_cast<int64_t>(mid_ticks - 0.5 * static_cast<double>(spread)), 1);
        st.ask_ticks = st.bid_ticks + spread;
    };
    make_book(st.mid < 1.0 ? 10'000.0 : 100.0);
    if (st.ticks_per_dollar > 100.0 && st.ask_ticks >= 10'000) {
        make_book(100.0); // a price of $1 or more is quoted in whole cents
    }
}

void MarketSimulator::fill_quote(Event& e, const SymbolState& st, double cheap) {
    e.type = EventType::quote;
    Quote& q = e.body.emplace<Quote>();
    q.bid = static_cast<double>(st.bid_ticks) / st.ticks_per_dollar;
    q.ask = static_cast<double>(st.ask_ticks) / st.ticks_per_dollar;
    auto lots = [&] {
        const double l = 1.0 + std::floor(sim_random::exponential(rng_) * st.mean_lots);
        return 100.0 * std::min(l, 100.0) * cheap;
    };
    q.bid_size = lots();
    q.ask_size = lots();
    q.exchange = pick_venue(kQuoteVenues, static_cast<uint32_t>(sim_random::next(rng_) % 1000));
}

// Blocks, odd lots, and round lots of 1, 2, 3, 5, 10... lots with falling frequency.
double MarketSimulator::trade_size(double cheap) {
    using namespace sim_random;
    const double u = to_unit(next(rng_));
    if (u < 0.002) {
        return 10'000.0 * static_cast<double>(1 + next(rng_) % 10) * cheap; // block
    }
    if (u < 0.30) {
        return static_cast<double>(1 + next(rng_) % 99); // odd lot
    }
    static constexpr struct { uint32_t cumulative; double lots; } kLots[] = {
        {450, 1}, {650, 2}, {750, 3}, {800, 4}, {880, 5}, {950, 10}, {975, 20}, {990, 50}, {1000, 100},
    };
    const auto pm = static_cast<uint32_t>(next(rng_) % 1000);
    double lots = 1;
    for (const auto& l : kLots) {
        if (pm < l.cumulative) {
            lots = l.lots;
            break;
        }
    }
    return 100.0 * lots * cheap;
}

// Trades print against the last book, as real prints do against the displayed NBBO;
// aggressors lean with the price move `z` that the trade is part of.
void MarketSimulator::fill_trade(Event& e, const SymbolState& st, double z, double cheap) {
    using namespace sim_random;
    e.type = EventType::trade;
    Trade& t = e.body.emplace<Trade>();
    const bool buy = to_unit(next(rng_)) < (z > 0 ? 0.7 : 0.3);
    t.side = buy ? "buy" : "sell";
    const int64_t spread = st.ask_ticks - st.bid_ticks;
    int64_t px_ticks = buy ? st.ask_ticks : st.bid_ticks;
    if (spread > 1 && to_unit(next(rng_)) < 0.25) {
        // Inside the spread (midpoint and hidden liquidity, retail price improvement).
        px_ticks = st.bid_ticks + 1 + static_cast<int64_t>(next(rng_) % static_cast<uint64_t>(spread - 1));
    }
    t.price = static_cast<double>(px_ticks) / st.ticks_per_dollar;
    t.size = trade_size(cheap);
    t.exchange = pick_venue(kTradeVenues, static_cast<uint32_t>(next(rng_) % 1000));
}

void MarketSimulator::write_id(Event& e, uint64_t seq) const {
    e.id.reserve(id_prefix_.size() + 12);
    e.id.assign(id_prefix_);
    char digits[12];
    uint64_t v = seq;
    for (int d = 11; d >= 0; --d) {
        digits[d] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    e.id.append(digits, 12);
}

// The random draws happen in a fixed order (time, symbol, price, quote-or-trade, book, body):
// the output for a seed is pinned by golden tests.
void MarketSimulator::generate(Event& e, TimestampUs recv_ts) {
    const uint64_t seq = produced_++;
    e.ts = next_event_time(seq);
    e.recv_ts = recv_ts;
    const uint32_t sym = pick_symbol();
    SymbolState& st = states_[sym];
    const double z = move_price(st);
    const bool is_quote = sim_random::to_unit(sim_random::next(rng_)) < options_.quote_ratio;
    if (is_quote || st.bid_ticks == 0) {
        recentre_book(st);
    }
    e.symbol = symbol_names_[sym];
    e.source = "sim";
    write_id(e, seq);
    const double cheap = st.mid < 5.0 ? 10.0 : 1.0; // cheap stocks trade and display more shares
    if (is_quote) {
        fill_quote(e, st, cheap);
    } else {
        fill_trade(e, st, z, cheap);
    }
}

} // namespace ticklake
