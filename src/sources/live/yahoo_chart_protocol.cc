// Yahoo Finance v8 chart (https://query2.finance.yahoo.com/v8/finance/chart/SYM?interval=&range=):
// parallel arrays `timestamp` (Unix seconds, bar start) and indicators.quote[0].{open,high,
// low,close,volume}; daily bars also have indicators.adjclose. A session without trades
// (weekend, holiday) has no `timestamp` and an empty quote object: no bars, not an error.
// Minutes without trades are nulls in the arrays: skipped, they are not bars.
#include <fmt/format.h>

#include "sources/live/vendor_protocol.h"
#include "sources/live/vendor_time.h"

namespace ticklake {

int64_t interval_seconds(std::string_view interval) {
    if (interval.empty()) {
        return 0;
    }
    int64_t n = 0;
    size_t i = 0;
    while (i < interval.size() && interval[i] >= '0' && interval[i] <= '9') {
        n = n * 10 + (interval[i++] - '0');
    }
    const std::string_view unit = interval.substr(i);
    if (unit == "s") return n;
    if (unit == "m" || unit == "min") return n * 60;
    if (unit == "h") return n * 3600;
    if (unit == "d") return n * 86'400;
    if (unit == "wk") return n * 7 * 86'400;
    return 0;
}

namespace {

using namespace vendor_json;

class YahooChartProtocol final : public VendorProtocol<PollProtocol> {
public:
    explicit YahooChartProtocol(const LiveSourceOptions& o)
        : VendorProtocol(o, {.interval = "1m", .range = "1d"}) {}

    std::string request_url(const std::string& symbol) const override {
        return fmt::format("{}/v8/finance/chart/{}?interval={}&range={}",
                           without_trailing_slashes(url_or("https://query2.finance.yahoo.com")), symbol, o_.interval,
                           o_.range);
    }

    Result<PollAdvice> on_response(const std::string& symbol, long status, std::string_view body,
                                   StreamContext& ctx) override {
        const auto doc = parse(body, ctx, fmt::format("{}: HTTP {} with a body that is not JSON", symbol, status));
        if (!doc) {
            return PollAdvice{};
        }
        element err;
        if ((*doc)["chart"]["error"].get(err) == simdjson::SUCCESS && !err.is_null()) {
            return fail(Error::fatal(fmt::format("yahoo: {}: {} ({}): check --symbols (Yahoo notation: AAPL, ^GSPC, "
                                                 "BTC-USD) and --interval/--range",
                                                 symbol, str(err, "description").value_or(""),
                                                 str(err, "code").value_or(""))));
        }
        element r;
        if ((*doc)["chart"]["result"].at(0).get(r) != simdjson::SUCCESS) {
            ctx.skip(fmt::format("{}: HTTP {} without chart.result: {}", symbol, status, excerpt(body)));
            return PollAdvice{};
        }
        const int64_t offset = i64(r["meta"], "gmtoffset").value_or(0);
        if (offset < -86'400 || offset > 86'400) { // UTC offsets are within ±14 h
            ctx.skip(fmt::format("{}: meta.gmtoffset {} s is not a UTC offset", symbol, offset));
            return PollAdvice{};
        }
        const int64_t step = interval_seconds(o_.interval);
        const bool daily = step >= 86'400;
        simdjson::dom::array times;
        if (r["timestamp"].get_array().get(times) != simdjson::SUCCESS) {
            ++ctx.stats().ignored; // a session without bars
            return PollAdvice{};
        }
        element q;
        if (r["indicators"]["quote"].at(0).get(q) != simdjson::SUCCESS) {
            ctx.skip(symbol + ": timestamps without indicators.quote");
            return PollAdvice{};
        }
        simdjson::dom::array adj;
        const bool has_adj = r["indicators"]["adjclose"].at(0)["adjclose"].get_array().get(adj) == simdjson::SUCCESS;
        const int64_t now_s = now_us() / kMicrosPerSecond;
        size_t k = 0;
        for (element t : times) {
            const size_t idx = k++;
            int64_t start;
            if (t.get_int64().get(start) != simdjson::SUCCESS) {
                ctx.skip(symbol + ": a timestamp that is not an integer");
                continue;
            }
            const auto start_us = from_epoch_seconds(start);
            if (!start_us) {
                ctx.skip(symbol + ": " + time_out_of_range("timestamp", start, "s"));
                continue;
            }
            if (step > 0 && start + step > now_s) {
                continue; // the bar still forming: it is sent once complete, by a later poll
            }
            double o, h, l, c, v;
            if (q["open"].at(idx).get_double().get(o) || q["high"].at(idx).get_double().get(h) ||
                q["low"].at(idx).get_double().get(l) || q["close"].at(idx).get_double().get(c) ||
                q["volume"].at(idx).get_double().get(v)) {
                ++ctx.stats().ignored; // nulls: no trade in that interval
                continue;
            }
            // Daily bars are stamped at the session's open; docs/events.md wants the session
            // date at 00:00Z, i.e. the exchange-local date of the open.
            const TimestampUs ts = daily ? (start + offset) / 86'400 * kMicrosPerDay : *start_us;
            Bar b = ohlcv_bar(o_.interval, o, h, l, c, v);
            double a;
            if (has_adj && adj.at(idx).get_double().get(a) == simdjson::SUCCESS) {
                b.adj_close = a;
            }
            ctx.emit(vendor_event(
                fmt::format("yahoo:{}:{}:{}", symbol, o_.interval, daily ? format_date(ts) : std::to_string(start)),
                symbol, ts, std::move(b)));
        }
        return PollAdvice{};
    }

    std::string describe() const override {
        return fmt::format("yahoo chart {} range {} {}", o_.interval, o_.range, fmt::join(o_.symbols, ","));
    }
};

} // namespace

std::unique_ptr<PollProtocol> make_yahoo_chart_protocol(const LiveSourceOptions& o) {
    return std::make_unique<YahooChartProtocol>(o);
}

} // namespace ticklake
