// Binance spot combined streams (wss://stream.binance.com:9443/stream?streams=a@trade/b@...):
// the streams are in the URL, so a reconnect resubscribes by itself. trade ids (`t`) and
// aggregate trade ids (`a`) are contiguous per symbol: jumps are gaps. bookTicker has an
// update id (`u`) but, on spot, no time: its event time is the receive time. Only closed
// klines (`x` true) become bars; the open ones are updates of a bar still moving.
#include <cctype>

#include <fmt/format.h>

#include "sources/live/vendor_protocol.h"
#include "sources/live/vendor_time.h"

namespace ticklake {

namespace {

using namespace vendor_json;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

class BinanceProtocol final : public VendorProtocol<StreamProtocol> {
public:
    explicit BinanceProtocol(const LiveSourceOptions& o)
        : VendorProtocol(o, {.channels = {"trade", "bookTicker"}}) {}

    std::string connect_url() const override {
        std::string url = without_trailing_slashes(url_or("wss://stream.binance.com:9443")) + "/stream?streams=";
        bool first = true;
        for (const auto& s : o_.symbols) {
            for (const auto& c : o_.channels) {
                if (!first) {
                    url += '/';
                }
                url += lower(s);
                url += '@';
                url += c;
                first = false;
            }
        }
        return url;
    }

    std::vector<std::string> on_open() override { return {}; }

    Status on_message(std::string_view text, StreamContext& ctx) override {
        const auto doc = parse(text, ctx);
        if (!doc) {
            return {};
        }
        element data;
        if ((*doc)["data"].get(data) != simdjson::SUCCESS) {
            data = *doc; // a raw stream (/ws/<stream>) has no wrapper
        }
        const auto s = str(data, "s");
        const auto kind = str(data, "e");
        if (!s) {
            if (auto msg = str(*doc, "msg")) {
                return fail(Error::fatal("binance says: " + std::string(*msg) +
                                         " (check --symbols like BTCUSDT and --channels)"));
            }
            ++ctx.stats().ignored; // {"result":null,"id":1}: answer to a (un)subscribe request
            return {};
        }
        if (kind == "trade" || kind == "aggTrade") {
            trade(data, *s, *kind == "aggTrade", text, ctx);
        } else if (kind == "kline") {
            kline(data, *s, text, ctx);
        } else if (!kind || kind == "bookTicker") {
            book_ticker(data, *s, text, ctx);
        } else {
            ++ctx.stats().ignored; // depthUpdate and other streams are not market events here
        }
        return {};
    }

    std::string describe() const override {
        return fmt::format("binance {} {}", fmt::join(o_.channels, "+"), fmt::join(o_.symbols, ","));
    }

private:
    static void trade(element data, std::string_view s, bool agg, std::string_view text, StreamContext& ctx) {
        const auto id = i64(data, agg ? "a" : "t");
        const auto price = decimal(data, "p", ctx);
        const auto qty = decimal(data, "q", ctx);
        const auto ms = i64(data, "T");
        const auto buyer_maker = boolean(data, "m");
        if (!id || !price || !qty || !ms || !buyer_maker) {
            ctx.skip(fmt::format("{} without id, p, q, T or m: {}", agg ? "aggTrade" : "trade", excerpt(text)));
            return;
        }
        const auto ts = from_epoch_ms(*ms);
        if (!ts) {
            ctx.skip(time_out_of_range("T", *ms, "ms") + ": " + excerpt(text));
            return;
        }
        // The buyer was the maker: the seller crossed the spread.
        auto e = vendor_event(fmt::format("binance:{}:{}:{}", s, agg ? "a" : "t", *id), s, *ts,
                              Trade{*price, *qty, "", *buyer_maker ? "sell" : "buy"});
        ctx.emit_sequenced(fmt::format("{} {}", s, agg ? "aggTrade" : "trade"), *id, std::move(e));
    }

    static void kline(element data, std::string_view s, std::string_view text, StreamContext& ctx) {
        element k;
        if (data["k"].get(k) != simdjson::SUCCESS) {
            ctx.skip("kline without k: " + excerpt(text));
            return;
        }
        if (boolean(k, "x") != true) {
            ++ctx.stats().ignored;
            return;
        }
        const auto start = i64(k, "t");
        const auto interval = str(k, "i");
        const auto o = decimal(k, "o", ctx), h = decimal(k, "h", ctx), l = decimal(k, "l", ctx),
                   c = decimal(k, "c", ctx), v = decimal(k, "v", ctx);
        if (!start || !interval || !o || !h || !l || !c || !v) {
            ctx.skip("kline without t, i, o, h, l, c or v: " + excerpt(text));
            return;
        }
        const auto ts = from_epoch_ms(*start);
        if (!ts) {
            ctx.skip(time_out_of_range("kline t", *start, "ms") + ": " + excerpt(text));
            return;
        }
        Bar b = ohlcv_bar(std::string(*interval), *o, *h, *l, *c, *v);
        b.trade_count = i64(k, "n");
        ctx.emit(vendor_event(fmt::format("binance:{}:k:{}:{}", s, *interval, *start), s, *ts,
                              std::move(b)));
    }

    static void book_ticker(element data, std::string_view s, std::string_view text, StreamContext& ctx) {
        const auto u = i64(data, "u");
        const auto bid = decimal(data, "b", ctx), bid_qty = decimal(data, "B", ctx), ask = decimal(data, "a", ctx),
                   ask_qty = decimal(data, "A", ctx);
        if (!u || !bid || !bid_qty || !ask || !ask_qty) {
            ctx.skip("bookTicker without u, b, B, a or A: " + excerpt(text));
            return;
        }
        const auto t = i64(data, "T"); // futures send a time; spot does not
        const auto ts = t ? from_epoch_ms(*t) : std::optional<TimestampUs>(ctx.received_at());
        if (!ts) {
            ctx.skip(time_out_of_range("T", *t, "ms") + ": " + excerpt(text));
            return;
        }
        ctx.emit(vendor_event(fmt::format("binance:{}:q:{}", s, *u), s, *ts,
                              Quote{*bid, *bid_qty, *ask, *ask_qty, ""}));
    }
};

} // namespace

std::unique_ptr<StreamProtocol> make_binance_protocol(const LiveSourceOptions& o) {
    return std::make_unique<BinanceProtocol>(o);
}

} // namespace ticklake
