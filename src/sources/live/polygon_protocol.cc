// Polygon (now Massive) stocks stream (wss://socket.polygon.io/stocks): frames are arrays of
// {"ev":...}. The server greets with status "connected"; we send the key, and subscribe
// after "auth_success" (again after every reconnect). T = trade, Q = quote, A = second bar,
// AM = minute bar; times are Unix milliseconds.
#include <fmt/format.h>

#include "sources/live/vendor_protocol.h"
#include "sources/live/vendor_time.h"

namespace ticklake {

namespace {

using namespace vendor_json;

class PolygonProtocol final : public ArrayFrameProtocol {
public:
    explicit PolygonProtocol(const LiveSourceOptions& o)
        : ArrayFrameProtocol(o, {.channels = {"T", "Q", "AM"}, .feed = "stocks"}, "ev") {}

    std::string connect_url() const override { return url_or("wss://socket.polygon.io/" + o_.feed); }

    std::string describe() const override {
        return fmt::format("polygon {} {} {}", o_.feed, fmt::join(o_.channels, "+"), fmt::join(o_.symbols, ","));
    }

private:
    Status on_item(element m, std::string_view ev, StreamContext& ctx) override {
        if (ev == "status") {
            return on_status(m, ctx);
        }
        const auto sym = str(m, "sym");
        if (ev == "T") {
            trade(m, sym, ctx);
        } else if (ev == "Q") {
            quote(m, sym, ctx);
        } else if (ev == "A" || ev == "AM") {
            bar(m, ev, sym, ctx);
        } else {
            ++ctx.stats().ignored;
        }
        return {};
    }

    // The handshake (key once connected, subscription once authenticated) and its refusals.
    Status on_status(element m, StreamContext& ctx) {
        const auto status = str(m, "status").value_or("");
        const std::string message(str(m, "message").value_or(""));
        ++ctx.stats().ignored;
        if (status == "connected") {
            ctx.send(R"({"action":"auth","params":)" + json_string(o_.key) + "}");
        } else if (status == "auth_success") {
            std::string params;
            for (const auto& c : o_.channels) {
                for (const auto& s : o_.symbols) {
                    params += (params.empty() ? "" : ",") + c + "." + s;
                }
            }
            ctx.send(R"({"action":"subscribe","params":)" + json_string(params) + "}");
        } else if (status == "auth_failed") {
            return fail(Error::fatal("polygon refused the key (" + message + "): check POLYGON_API_KEY"));
        } else if (status == "max_connections") {
            return fail(connection_limit("polygon: " + message, ctx.stats().connects > 1));
        } else if (status == "error") {
            return fail(Error::fatal("polygon: " + message + ": check --symbols and --channels"));
        }
        return {};
    }

    static void trade(element m, std::optional<std::string_view> sym, StreamContext& ctx) {
        const auto id = str(m, "i");
        const auto x = i64(m, "x");
        const auto p = num(m, "p"), s = num(m, "s");
        const auto t = i64(m, "t");
        if (!sym || !id || !x || !p || !s || !t) {
            ctx.skip("T without sym, i, x, p, s or t");
            return;
        }
        const auto ts = from_epoch_ms(*t);
        if (!ts) {
            ctx.skip("T " + time_out_of_range("t", *t, "ms"));
            return;
        }
        // Trade ids are unique per symbol and exchange.
        ctx.emit(vendor_event(fmt::format("polygon:{}:t:{}:{}", *sym, *x, *id), *sym, *ts,
                              Trade{*p, *s, std::to_string(*x), ""}));
    }

    static void quote(element m, std::optional<std::string_view> sym, StreamContext& ctx) {
        const auto q = i64(m, "q");
        const auto bp = num(m, "bp"), bs = num(m, "bs"), ap = num(m, "ap"), as = num(m, "as");
        const auto t = i64(m, "t");
        if (!sym || !q || !bp || !bs || !ap || !as || !t) {
            ctx.skip("Q without sym, q, bp, bs, ap, as or t");
            return;
        }
        const auto bx = i64(m, "bx"), ax = i64(m, "ax");
        const auto ts = from_epoch_ms(*t);
        if (!ts) {
            ctx.skip("Q " + time_out_of_range("t", *t, "ms"));
            return;
        }
        // q: the tape's sequence number
        ctx.emit(vendor_event(fmt::format("polygon:{}:q:{}", *sym, *q), *sym, *ts,
                              Quote{*bp, *bs, *ap, *as, bx && bx == ax ? std::to_string(*bx) : std::string()}));
    }

    // A (second) and AM (minute) aggregates.
    static void bar(element m, std::string_view ev, std::optional<std::string_view> sym, StreamContext& ctx) {
        const auto o = num(m, "o"), h = num(m, "h"), l = num(m, "l"), c = num(m, "c"), v = num(m, "v");
        const auto s = i64(m, "s");
        if (!sym || !o || !h || !l || !c || !v || !s) {
            ctx.skip(std::string(ev) + " without sym, o, h, l, c, v or s");
            return;
        }
        const auto ts = from_epoch_ms(*s);
        if (!ts) {
            ctx.skip(std::string(ev) + " " + time_out_of_range("s", *s, "ms"));
            return;
        }
        Bar b = ohlcv_bar(ev == "AM" ? "1m" : "1s", *o, *h, *l, *c, *v);
        b.vwap = num(m, "vw"); // the bar's own VWAP; "a" is the day's
        ctx.emit(vendor_event(fmt::format("polygon:{}:{}:{}", *sym, ev, *s), *sym, *ts, std::move(b)));
    }
};

} // namespace

std::unique_ptr<StreamProtocol> make_polygon_protocol(const LiveSourceOptions& o) {
    return std::make_unique<PolygonProtocol>(o);
}

} // namespace ticklake
