// A deterministic US-equities market simulator: trades and quotes for a universe of real
// large caps plus synthetic tickers, prices as geometric Brownian motion in event time.
// Same options (and seed) give the same events, bit for bit, on any IEEE-754 platform:
// the generator uses its own PRNG and transforms, never std::*_distribution or libm.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/event.h"
#include "sources/market_data_source.h"

namespace ticklake {

struct MarketSimulatorOptions {
    uint64_t seed = 1;          //!< same seed + options → same events
    uint64_t count = 1'000'000; //!< total events, then done()
    uint32_t symbols = 50;      //!< universe size K: the first ~60 are real tickers, then synthetic
    //! Start of the first session (UTC). Sessions are those of `exchange`'s calendar: its
    //! local hours in its own time zone (so DST moves them in UTC), no weekends, no holidays,
    //! early closes, lunch breaks. A start outside a session moves to the next open.
    TimestampUs start = 1'736'173'800'000'000; //!< 2025-01-06T14:30:00Z, a Monday
    uint32_t days = 1;          //!< trading sessions the events are spread over
    std::string exchange = "XNYS"; //!< MIC of the calendar (common/exchange_calendar.h)
    double quote_ratio = 0.6;   //!< fraction of events that are quotes; the rest are trades
};

class MarketSimulator final : public MarketDataSource {
public:
    //! Fails with invalid_argument when an option is out of range (symbols 1..100000,
    //! days 1..10000, quote_ratio in [0, 1]), the exchange is unknown, or its calendar has no
    //! session after `start`.
    static Result<std::unique_ptr<MarketSimulator>> create(const MarketSimulatorOptions& options);

    Result<size_t> next_batch(std::vector<Event>& out, size_t max_events) override;
    Result<size_t> refill(std::vector<Event>& batch, size_t max_events) override;
    bool done() const override { return produced_ >= options_.count; }
    std::string describe() const override;
    bool invents_events() const override { return true; }

    //! The universe, in activity order (index 0 trades most). Same for every seed.
    const std::vector<std::string>& symbols() const { return symbol_names_; }

    ~MarketSimulator() override;

private:
    struct SymbolState; // price, volatility and last book of one symbol (the .cc)
    //! A stretch of continuous trading in UTC: a session, or one side of its lunch break.
    struct TradingInterval {
        TimestampUs open;
        TimestampUs close;
    };
    MarketSimulator(const MarketSimulatorOptions& options, std::vector<TradingInterval> intervals);
    void build_universe();
    void build_activity_table();
    void start_clock();
    static Result<std::vector<TradingInterval>> plan_intervals(const MarketSimulatorOptions& options);
    size_t generate_from(std::vector<Event>& batch, size_t start, size_t max_events);
    void generate(Event& e, TimestampUs recv_ts);
    TimestampUs next_event_time(uint64_t seq);
    uint32_t pick_symbol();
    double move_price(SymbolState& st);
    void recentre_book(SymbolState& st);
    void fill_quote(Event& e, const SymbolState& st, double cheap);
    void fill_trade(Event& e, const SymbolState& st, double z, double cheap);
    double trade_size(double cheap);
    void write_id(Event& e, uint64_t seq) const;

    MarketSimulatorOptions options_;
    uint64_t rng_[4];
    uint64_t produced_ = 0;
    std::string id_prefix_; //!< "sim-<seed>-"
    std::vector<std::string> symbol_names_;
    std::vector<SymbolState> states_;
    std::vector<double> alias_prob_;  //!< Walker alias table over activity weights
    std::vector<uint32_t> alias_idx_;
    std::vector<TradingInterval> intervals_; //!< every interval of the `days` sessions, in order
    std::vector<int64_t> interval_clock_;    //!< trading clock at the open of each interval
    int64_t total_trading_us_ = 0;    //!< trading time available from start to the last close
    int64_t trading_clock_ = 0;       //!< µs of trading time elapsed since the first open
    size_t cached_interval_ = 0;      //!< interval of the last event (clocks only move forward)
    double spare_normal_ = 0;         //!< the polar method makes normals in pairs
    bool has_spare_ = false;
};

} // namespace ticklake
