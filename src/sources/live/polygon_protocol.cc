// Polygon (now Massive) stocks stream (wss://socket.polygon.io/stocks): frames are arrays of
// {"ev":...}. The server greets with status "connected"; we send the key, and subscribe
// after "auth_success" (again after every reconnect). T = trade, Q = quote, A = second bar,
// AM = minute bar; times are Unix milliseconds.
#include <fmt/format.h>

#include "sources/live/vendor_json.h"
#include "sources/live/vendor_time.h"

namespace ticklake {

namespace {

using namespace vendor_json;

class PolygonProtocol final : public StreamProtocol {
public:
    explicit PolygonProtocol(const LiveSourceOptions& o) : o_(o) {
        if (o_.channels.empty()) {
            o_.channels = {"T", "Q", "AM"};
        }
        if (o_.feed.empty()) {
            o_.feed = "stocks";
        }
    }

    std::string connect_url() const override {
        return o_.url.empty() ? "wss://socket.polygon.io/" + o_.feed : o_.url;
    }

    std::vector<std::string> on_open() override { return {}; }

    Status on_message(std::string_view text, StreamContext& ctx) override {
        return for_each_in_array_frame(parser_, text, ctx, [&](element m) { return one(m, ctx); });
    }

    std::string describe() const override {
        return fmt::format("polygon {} {} {}", o_.feed, fmt::join(o_.channels, "+"), fmt::join(o_.symbols, ","));
    }

private:
    Status one(element m, StreamContext& ctx) {
        const auto ev = str(m, "ev");
        if (!ev) {
            ctx.skip("message without ev");
            return {};
        }
        if (*ev == "status") {
            return on_status(m, ctx);
        }
        const auto sym = str(m, "sym");
        if (*ev == "T") {
            trade(m, sym, ctx);
        } else if (*ev == "Q") {
            quote(m, sym, ctx);
        } else if (*ev == "A" || *ev == "AM") {
            bar(m, *ev, sym, ctx);
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
            if (ctx.stats().connects > 1) {
                return fail(Error::retry("polygon: " + message + " (our previous connection may still be counted)"));
            }
            return fail(Error::fatal("polygon: " + message + ": another connection with this key is open; close it first"));
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
        Event e;
        e.type = EventType::trade;
        // Trade ids are unique per symbol and exchange.
        e.id = fmt::format("polygon:{}:t:{}:{}", *sym, *x, *id);
        e.symbol = std::string(*sym);
        e.ts = from_epoch_ms(*t);
        e.body = Trade{*p, *s, std::to_string(*x), ""};
        ctx.emit(std::move(e));
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
        Event e;
        e.type = EventType::quote;
        e.id = fmt::format("polygon:{}:q:{}", *sym, *q); // q: the tape's sequence number
        e.symbol = std::string(*sym);
        e.ts = from_epoch_ms(*t);
        e.body = Quote{*bp, *bs, *ap, *as, bx && bx == ax ? std::to_string(*bx) : std::string()};
        ctx.emit(std::move(e));
    }

    // A (second) and AM (minute) aggregates.
    static void bar(element m, std::string_view ev, std::optional<std::string_view> sym, StreamContext& ctx) {
        const auto o = num(m, "o"), h = num(m, "h"), l = num(m, "l"), c = num(m, "c"), v = num(m, "v");
        const auto s = i64(m, "s");
        if (!sym || !o || !h || !l || !c || !v || !s) {
            ctx.skip(std::string(ev) + " without sym, o, h, l, c, v or s");
            return;
        }
        Event e;
        e.type = EventType::bar;
        e.id = fmt::format("polygon:{}:{}:{}", *sym, ev, *s);
        e.symbol = std::string(*sym);
        e.ts = from_epoch_ms(*s);
        Bar b = ohlcv_bar(ev == "AM" ? "1m" : "1s", *o, *h, *l, *c, *v);
        b.vwap = num(m, "vw"); // the bar's own VWAP; "a" is the day's
        e.body = std::move(b);
        ctx.emit(std::move(e));
    }

    LiveSourceOptions o_;
    simdjson::dom::parser parser_;
};

} // namespace

std::unique_ptr<StreamProtocol> make_polygon_protocol(const LiveSourceOptions& o) {
    return std::make_unique<PolygonProtocol>(o);
}

} // namespace ticklake
