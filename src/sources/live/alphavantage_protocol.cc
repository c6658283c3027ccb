// Alpha Vantage TIME_SERIES_INTRADAY (https://www.alphavantage.co/query?function=...): bars
// keyed by exchange-local time text ("2017-12-18 14:56:00", zone in "6. Time Zone",
// US/Eastern), values as decimal strings. Rate limits and plan limits come back with HTTP
// 200 and a "Note" or "Information" field instead of data; bad keys or symbols with an
// "Error Message".
#include <algorithm>

#include <fmt/format.h>

#include "sources/live/vendor_protocol.h"
#include "sources/live/vendor_time.h"

namespace ticklake {

namespace {

using namespace vendor_json;

std::string av_interval(std::string_view i) {
    if (i == "1m") return "1min";
    if (i == "5m") return "5min";
    if (i == "15m") return "15min";
    if (i == "30m") return "30min";
    if (i == "60m" || i == "1h") return "60min";
    return std::string(i);
}

class AlphaVantageProtocol final : public VendorProtocol<PollProtocol> {
public:
    explicit AlphaVantageProtocol(const LiveSourceOptions& o) : VendorProtocol(o, {.interval = "1m"}) {}

    std::string request_url(const std::string& symbol) const override {
        return fmt::format("{}/query?function=TIME_SERIES_INTRADAY&symbol={}&interval={}&outputsize=compact&apikey={}",
                           without_trailing_slashes(url_or("https://www.alphavantage.co")), symbol,
                           av_interval(o_.interval), o_.key);
    }

    Result<PollAdvice> on_response(const std::string& symbol, long status, std::string_view body,
                                   StreamContext& ctx) override {
        const auto doc = parse(body, ctx, fmt::format("{}: HTTP {} with a body that is not JSON", symbol, status));
        if (!doc) {
            return PollAdvice{};
        }
        if (auto note = str(*doc, "Note")) {
            return PollAdvice{wait()};
        }
        if (auto info = str(*doc, "Information")) {
            // Newer answers put both rate limits and "premium endpoint" refusals here; only
            // the first goes away by waiting, but waiting a minute is harmless for both.
            return PollAdvice{wait()};
        }
        if (auto error = str(*doc, "Error Message")) {
            return fail(Error::fatal(fmt::format("alphavantage: {}: {}: check --symbols and ALPHAVANTAGE_API_KEY", symbol,
                                                 excerpt(*error))));
        }
        const std::string series_key = "Time Series (" + av_interval(o_.interval) + ")";
        simdjson::dom::object series;
        if ((*doc)[series_key].get_object().get(series) != simdjson::SUCCESS) {
            ctx.skip(fmt::format("{}: HTTP {} without \"{}\": {}", symbol, status, series_key, excerpt(body)));
            return PollAdvice{};
        }
        const std::string_view zone = str((*doc)["Meta Data"], "6. Time Zone").value_or("US/Eastern");
        const bool new_york = zone == "US/Eastern" || zone == "America/New_York";
        if (!new_york && zone != "UTC") {
            ctx.skip(fmt::format("{}: time zone {} is not supported (US/Eastern or UTC)", symbol, zone));
            return PollAdvice{};
        }
        // The series comes newest first; Kafka should see each symbol's bars in time order.
        std::vector<Event> bars;
        for (auto [time, bar] : series) {
            auto ts = new_york ? parse_new_york_local(time) : parse_rfc3339(time);
            const auto o = decimal(bar, "1. open", ctx), h = decimal(bar, "2. high", ctx),
                       l = decimal(bar, "3. low", ctx), c = decimal(bar, "4. close", ctx),
                       v = decimal(bar, "5. volume", ctx);
            if (!ts || !o || !h || !l || !c || !v) {
                ctx.skip(fmt::format("{}: bar {} without a valid time or 1. open .. 5. volume", symbol, time));
                continue;
            }
            const std::string id = fmt::format("alphavantage:{}:{}:{}", symbol, o_.interval, format_iso8601(*ts));
            bars.push_back(vendor_event(id, symbol, *ts, ohlcv_bar(o_.interval, *o, *h, *l, *c, *v)));
        }
        std::stable_sort(bars.begin(), bars.end(), [](const Event& x, const Event& y) { return x.ts < y.ts; });
        for (Event& e : bars) {
            ctx.emit(std::move(e));
        }
        return PollAdvice{};
    }

    std::string describe() const override {
        return fmt::format("alphavantage intraday {} {}", o_.interval, fmt::join(o_.symbols, ","));
    }

private:
    //! The free plan allows a few requests a minute: after a rate-limit note, wait (a minute).
    std::chrono::milliseconds wait() const {
        return std::chrono::milliseconds(static_cast<int64_t>(o_.rate_limit_wait_s * 1000));
    }
};

} // namespace

std::unique_ptr<PollProtocol> make_alphavantage_protocol(const LiveSourceOptions& o) {
    return std::make_unique<AlphaVantageProtocol>(o);
}

} // namespace ticklake
