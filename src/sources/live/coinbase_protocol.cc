// Coinbase Exchange (wss://ws-feed.exchange.coinbase.com), public channels `matches` and
// `ticker`. A match's `side` is the maker's order side, so the aggressor is the other side.
// trade_id is contiguous per product: a jump is a gap (lost trades). `sequence` numbers every
// order-book message of a product, most of which these channels do not carry, so jumps in it
// are normal here; it identifies ticker messages (event id), and a message whose sequence is
// below one already seen for its product arrived out of order (counted). A ticker and the
// match of the same trade share their sequence.
#include <unordered_map>

#include <fmt/format.h>

#include "sources/live/vendor_protocol.h"

namespace ticklake {

namespace {

using namespace vendor_json;

class CoinbaseProtocol final : public VendorProtocol<StreamProtocol> {
public:
    explicit CoinbaseProtocol(const LiveSourceOptions& o)
        : VendorProtocol(o, {.channels = {"matches", "ticker"}}) {}

    std::string connect_url() const override { return url_or("wss://ws-feed.exchange.coinbase.com"); }

    std::vector<std::string> on_open() override {
        return {R"({"type":"subscribe","product_ids":)" + array_of(o_.symbols) + R"(,"channels":)" +
                array_of(o_.channels) + "}"};
    }

    Status on_message(std::string_view text, StreamContext& ctx) override {
        const auto doc = parse(text, ctx);
        if (!doc) {
            return {};
        }
        const auto type = str(*doc, "type");
        if (type == "match" || type == "last_match") {
            return trade(*doc, text, ctx);
        }
        if (type == "ticker") {
            return quote(*doc, text, ctx);
        }
        if (type == "error") {
            return fail(Error::fatal("coinbase says: " + std::string(str(*doc, "message").value_or("error")) + " (" +
                                     std::string(str(*doc, "reason").value_or("")) +
                                     "): check --symbols (product ids like BTC-USD) and --channels"));
        }
        ++ctx.stats().ignored; // subscriptions, heartbeat, status
        return {};
    }

    std::string describe() const override {
        return fmt::format("coinbase {} {}", fmt::join(o_.channels, "+"), fmt::join(o_.symbols, ","));
    }

private:
    //! For messages that were not duplicates. last_match is excluded: it is an old trade by
    //! design, resent on every subscription.
    void check_sequence(std::string_view product, int64_t seq, StreamContext& ctx) {
        auto [it, fresh] = last_sequence_.try_emplace(std::string(product), seq);
        if (!fresh) {
            if (seq < it->second) {
                ++ctx.stats().out_of_order;
            } else {
                it->second = seq;
            }
        }
    }

    Status trade(element doc, std::string_view text, StreamContext& ctx) {
        const auto product = str(doc, "product_id");
        const auto id = i64(doc, "trade_id");
        const auto time = str(doc, "time");
        const auto side = str(doc, "side");
        const auto price = decimal(doc, "price", ctx);
        const auto size = decimal(doc, "size", ctx);
        if (!product || !id || !time || !price || !size) {
            ctx.skip("match without product_id, trade_id, time, price or size: " + excerpt(text));
            return {};
        }
        const auto ts = rfc3339_or_skip(*time, ctx);
        if (!ts) {
            return {};
        }
        auto e = vendor_event(fmt::format("coinbase:{}:t:{}", *product, *id), *product, *ts,
                              Trade{*price, *size, "", side == "sell" ? "buy" : side == "buy" ? "sell" : ""});
        const auto seq = i64(doc, "sequence");
        if (ctx.emit_sequenced(fmt::format("{} trade_id", *product), *id, std::move(e)) && seq &&
            str(doc, "type") == "match") {
            check_sequence(*product, *seq, ctx);
        }
        return {};
    }

    Status quote(element doc, std::string_view text, StreamContext& ctx) {
        const auto product = str(doc, "product_id");
        const auto seq = i64(doc, "sequence");
        const auto time = str(doc, "time");
        const auto bid = decimal(doc, "best_bid", ctx);
        const auto ask = decimal(doc, "best_ask", ctx);
        if (!product || !seq || !time || !bid || !ask) {
            ctx.skip("ticker without product_id, sequence, time, best_bid or best_ask: " + excerpt(text));
            return {};
        }
        const auto ts = rfc3339_or_skip(*time, ctx);
        if (!ts) {
            return {};
        }
        // Sizes at the best prices came with the ticker only from 2022; 0 when absent.
        const double bid_size = decimal(doc, "best_bid_size", ctx).value_or(0);
        const double ask_size = decimal(doc, "best_ask_size", ctx).value_or(0);
        if (ctx.emit(vendor_event(fmt::format("coinbase:{}:q:{}", *product, *seq), *product, *ts,
                                  Quote{*bid, bid_size, *ask, ask_size, ""}))) {
            check_sequence(*product, *seq, ctx);
        }
        return {};
    }

    std::unordered_map<std::string, int64_t> last_sequence_; //!< per product: highest sequence seen
};

} // namespace

std::unique_ptr<StreamProtocol> make_coinbase_protocol(const LiveSourceOptions& o) {
    return std::make_unique<CoinbaseProtocol>(o);
}

} // namespace ticklake
