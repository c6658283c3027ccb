// Alpaca market data v2 (wss://stream.data.alpaca.markets/v2/{iex,sip}). Every frame is an
// array of messages. The server greets with success/connected; we answer with the key and
// secret, and subscribe once it says authenticated (again after every reconnect).
// Error codes decide between stopping (credentials, plan, limits) and reconnecting.
#include <fmt/format.h>

#include "sources/live/vendor_protocol.h"
#include "sources/live/vendor_time.h"

namespace ticklake {

namespace {

using namespace vendor_json;

class AlpacaProtocol final : public ArrayFrameProtocol {
public:
    explicit AlpacaProtocol(const LiveSourceOptions& o)
        : ArrayFrameProtocol(o, {.channels = {"trades", "quotes", "bars"}, .feed = "iex"}, "T") {}

    std::string connect_url() const override { return url_or("wss://stream.data.alpaca.markets/v2/" + o_.feed); }

    std::string describe() const override {
        return fmt::format("alpaca {} {} {}", o_.feed, fmt::join(o_.channels, "+"), fmt::join(o_.symbols, ","));
    }

private:
    Status on_item(element m, std::string_view t, StreamContext& ctx) override {
        if (t == "success") {
            on_success(str(m, "msg"), ctx);
            return {};
        }
        if (t == "error") {
            return error(i64(m, "code").value_or(0), str(m, "msg").value_or(""), ctx.stats().connects > 1);
        }
        const auto sym = str(m, "S");
        if (t == "t") {
            trade(m, sym, ctx);
        } else if (t == "q") {
            quote(m, sym, ctx);
        } else if (t == "b" || t == "d") {
            bar(m, sym, t == "d", ctx);
        } else {
            ++ctx.stats().ignored; // subscription, s (status), u (updated bar), c/x (corrections)
        }
        return {};
    }

    // The handshake: credentials once connected, the subscription once authenticated.
    void on_success(std::optional<std::string_view> msg, StreamContext& ctx) {
        if (msg == "connected") {
            ctx.send(R"({"action":"auth","key":)" + json_string(o_.key) + R"(,"secret":)" + json_string(o_.secret) + "}");
        } else if (msg == "authenticated") {
            std::string sub = R"({"action":"subscribe")";
            for (const auto& c : o_.channels) {
                // Appends, not "," + ...: GCC 12 at -O3 warns falsely (-Wrestrict) on the latter.
                sub += ',';
                sub += json_string(c);
                sub += ':';
                sub += array_of(o_.symbols);
            }
            ctx.send(sub + "}");
        }
        ++ctx.stats().ignored;
    }

    static void trade(element m, std::optional<std::string_view> sym, StreamContext& ctx) {
        const auto id = i64(m, "i");
        const auto p = num(m, "p");
        const auto s = num(m, "s");
        const auto time = str(m, "t");
        const auto x = str(m, "x");
        if (!sym || !id || !p || !s || !time) {
            ctx.skip("trade without S, i, p, s or t");
            return;
        }
        const auto ts = rfc3339_or_skip(*time, ctx); // nanoseconds, truncated
        if (!ts) {
            return;
        }
        // Trade ids are unique per symbol and reporting exchange.
        ctx.emit(vendor_event(fmt::format("alpaca:{}:t:{}:{}", *sym, x.value_or(""), *id), *sym, *ts,
                              Trade{*p, *s, std::string(x.value_or("")), ""}));
    }

    static void quote(element m, std::optional<std::string_view> sym, StreamContext& ctx) {
        const auto bp = num(m, "bp"), bs = num(m, "bs"), ap = num(m, "ap"), as = num(m, "as");
        const auto time = str(m, "t");
        const auto bx = str(m, "bx").value_or(""), ax = str(m, "ax").value_or("");
        if (!sym || !bp || !bs || !ap || !as || !time) {
            ctx.skip("quote without S, bp, bs, ap, as or t");
            return;
        }
        const auto ts = rfc3339_or_skip(*time, ctx);
        if (!ts) {
            return;
        }
        // Quotes carry no id: the nanosecond time text and the two venues identify one.
        ctx.emit(vendor_event(fmt::format("alpaca:{}:q:{}:{}:{}", *sym, *time, bx, ax), *sym, *ts,
                              Quote{*bp, *bs, *ap, *as, bx == ax ? std::string(bx) : std::string()}));
    }

    static void bar(element m, std::optional<std::string_view> sym, bool daily, StreamContext& ctx) {
        const auto o = num(m, "o"), h = num(m, "h"), l = num(m, "l"), c = num(m, "c"), v = num(m, "v");
        const auto time = str(m, "t");
        if (!sym || !o || !h || !l || !c || !v || !time) {
            ctx.skip("bar without S, o, h, l, c, v or t");
            return;
        }
        auto ts = rfc3339_or_skip(*time, ctx);
        if (!ts) {
            return;
        }
        // Daily bars are stamped at midnight in New York (04:00Z or 05:00Z); docs/events.md
        // wants the session date at 00:00Z: the nearest UTC midnight.
        if (daily) {
            *ts = (*ts + kMicrosPerDay / 2) / kMicrosPerDay * kMicrosPerDay;
        }
        Bar b = ohlcv_bar(daily ? "1d" : "1m", *o, *h, *l, *c, *v);
        b.vwap = num(m, "vw");
        b.trade_count = i64(m, "n");
        ctx.emit(vendor_event(fmt::format("alpaca:{}:{}:{}", *sym, daily ? "1d" : "1m", *time), *sym, *ts,
                              std::move(b)));
    }

    //! reconnected: our previous connection may still count on Alpaca's side for a moment.
    static Status error(int64_t code, std::string_view msg, bool reconnected) {
        const std::string what = fmt::format("alpaca error {} ({})", code, msg);
        switch (code) {
        case 401:
        case 402:
            return fail(Error::fatal(what + ": check APCA_API_KEY_ID and APCA_API_SECRET_KEY"));
        case 405:
            return fail(Error::fatal(what + ": your plan allows fewer symbols; pass fewer --symbols"));
        case 406:
            return fail(connection_limit(what, reconnected));
        case 408:
        case 409:
            return fail(Error::fatal(what + ": your plan does not include this feed; try --feed iex"));
        case 400:
            return fail(Error::fatal(what + ": ticklake sent a message Alpaca did not understand (a bug: please report)"));
        case 403:
            return {}; // already authenticated: harmless
        default:
            return fail(Error::retry(what)); // 404 auth timeout, 407 slow client, 500 internal error
        }
    }
};

} // namespace

std::unique_ptr<StreamProtocol> make_alpaca_protocol(const LiveSourceOptions& o) {
    return std::make_unique<AlpacaProtocol>(o);
}

} // namespace ticklake
