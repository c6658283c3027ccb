// Coinbase Exchange on the real recording (shared/data/coinbase_exchange_ws_matches_ticker.jsonl):
// every field of every event against its source message, across a dropped connection, a
// duplicate burst and a gap.
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "sources/live/live_stream_source.h"
#include "sources/live/tests/vendor_test_support.h"

namespace ticklake::testing {
namespace {

const std::vector<std::string> kProducts = {"BAND-BTC", "BAND-GBP", "CRV-EUR", "DASH-BTC", "NMR-EUR",
                                            "NU-GBP",   "SKL-BTC",  "SKL-GBP", "SKL-USD",  "YFI-BTC"};

struct Source {
    std::string type, product, time;
    std::string price, size, side, bid, ask; //!< decimal texts as sent
    int64_t trade_id = 0, sequence = 0;
};

//! The recording, read with simdjson in this test (not with the code under test).
std::vector<Source> read_source(const std::vector<std::string>& lines) {
    simdjson::dom::parser p;
    std::vector<Source> out;
    for (const auto& l : lines) {
        auto doc = p.parse(l).value();
        Source s;
        s.type = std::string(doc["type"].get_string().value());
        if (s.type == "subscriptions") {
            out.push_back(s);
            continue;
        }
        s.product = std::string(doc["product_id"].get_string().value());
        s.time = std::string(doc["time"].get_string().value());
        s.sequence = doc["sequence"].get_int64().value();
        s.price = std::string(doc["price"].get_string().value());
        s.side = std::string(doc["side"].get_string().value());
        if (s.type == "ticker") {
            s.bid = std::string(doc["best_bid"].get_string().value());
            s.ask = std::string(doc["best_ask"].get_string().value());
        } else {
            s.size = std::string(doc["size"].get_string().value());
            s.trade_id = doc["trade_id"].get_int64().value();
        }
        out.push_back(s);
    }
    return out;
}

std::string id_of(const Source& s) {
    if (s.type == "ticker") {
        return "coinbase:" + s.product + ":q:" + std::to_string(s.sequence);
    }
    return "coinbase:" + s.product + ":t:" + std::to_string(s.trade_id);
}

void expect_matches_source(const Event& e, const Source& s) {
    EXPECT_EQ(e.symbol, s.product);
    EXPECT_EQ(format_iso8601(e.ts), s.time) << e.id; // Coinbase sends exactly 6 fractional digits
    EXPECT_EQ(e.source, "coinbase");
    if (s.type == "ticker") {
        ASSERT_EQ(e.type, EventType::quote) << e.id;
        EXPECT_EQ(wire(body<Quote>(e).bid), canon(s.bid)) << e.id;
        EXPECT_EQ(wire(body<Quote>(e).ask), canon(s.ask)) << e.id;
    } else {
        ASSERT_EQ(e.type, EventType::trade) << e.id;
        EXPECT_EQ(wire(body<Trade>(e).price), canon(s.price)) << e.id;
        EXPECT_EQ(wire(body<Trade>(e).size), canon(s.size)) << e.id;
        // `side` is the maker's: the aggressor took the other side.
        EXPECT_EQ(body<Trade>(e).side, s.side == "buy" ? "sell" : "buy") << e.id;
    }
}

std::unique_ptr<LiveStreamSource> coinbase(const std::string& url) {
    auto o = test_options("coinbase", url, kProducts);
    return std::make_unique<LiveStreamSource>(o, make_coinbase_protocol(o));
}

TEST(Coinbase, RecordingAcrossADropAndADuplicateBurstGivesEveryEventOnce) {
    const auto lines = data_lines("coinbase_exchange_ws_matches_ticker.jsonl");
    const auto src_msgs = read_source(lines);
    ASSERT_EQ(lines.size(), 217u);
    // Connection 1 stops dead after line 120; connection 2 starts 20 lines earlier.
    WsScript first{WsStep::expect("subscribe")}, second{WsStep::expect("subscribe")};
    for (auto& s : sends(lines, 0, 120)) first.push_back(s);
    first.push_back(WsStep::drop());
    for (auto& s : sends(lines, 100, lines.size())) second.push_back(s);
    ReplayServer server({{first, second}});
    auto src = coinbase(server.ws_url("/"));

    std::map<std::string, const Source*> expected;
    size_t burst = 0;
    for (size_t i = 0; i < src_msgs.size(); ++i) {
        if (src_msgs[i].type == "subscriptions") continue;
        expected[id_of(src_msgs[i])] = &src_msgs[i];
        burst += i >= 100 && i < 120;
    }
    ASSERT_EQ(expected.size(), 214u); // 97 match + 10 last_match + 107 ticker, all distinct
    auto d = drain(*src, expected.size());
    ASSERT_TRUE(std::all_of(d.errors.begin(), d.errors.end(), [](auto& e) { return e.kind == ErrorKind::retry; }));
    ASSERT_EQ(d.events.size(), expected.size());
    std::set<std::string> ids;
    for (const Event& e : d.events) {
        ASSERT_TRUE(ids.insert(e.id).second) << "duplicate " << e.id;
        auto it = expected.find(e.id);
        ASSERT_NE(it, expected.end()) << "unexpected id " << e.id;
        expect_matches_source(e, *it->second);
    }
    EXPECT_EQ(src->stats().duplicates, burst);
    EXPECT_EQ(src->stats().gaps, 0u);
    EXPECT_EQ(src->stats().missing, 0u);
    EXPECT_EQ(src->stats().connects, 2u);
    EXPECT_EQ(src->stats().disconnects, 1u);
    EXPECT_EQ(src->stats().inexact_decimals, 0u);
    EXPECT_EQ(src->stats().out_of_order, 0u) << "the recording is in sequence order per product";
    // Resubscribed after the reconnect, with the same products and channels.
    const auto got = server.received();
    ASSERT_EQ(got.size(), 2u);
    for (const auto& conn : got) {
        ASSERT_EQ(conn.size(), 1u);
        EXPECT_EQ(conn[0], R"({"type":"subscribe","product_ids":["BAND-BTC","BAND-GBP","CRV-EUR","DASH-BTC","NMR-EUR",)"
                           R"("NU-GBP","SKL-BTC","SKL-GBP","SKL-USD","YFI-BTC"],"channels":["matches","ticker"]})");
    }
}

TEST(Coinbase, SkippedMatchesAreCountedAsTradeIdGaps) {
    const auto lines = data_lines("coinbase_exchange_ws_matches_ticker.jsonl");
    const auto src_msgs = read_source(lines);
    const size_t cut = 120, resume = 150;
    WsScript first{WsStep::expect("subscribe")}, second{WsStep::expect("subscribe")};
    for (auto& s : sends(lines, 0, cut)) first.push_back(s);
    first.push_back(WsStep::drop());
    for (auto& s : sends(lines, resume, lines.size())) second.push_back(s);
    ReplayServer server({{first, second}});
    auto src = coinbase(server.ws_url("/"));
    // Oracle: matches lost in [cut, resume) of products that traded before and trade again after.
    std::map<std::string, int64_t> lost;
    std::set<std::string> earlier, later;
    size_t delivered = 0;
    for (size_t i = 0; i < src_msgs.size(); ++i) {
        const auto& s = src_msgs[i];
        if (s.type == "subscriptions") continue;
        const bool trade = s.type != "ticker";
        if (i >= cut && i < resume) {
            if (trade) ++lost[s.product];
        } else {
            ++delivered;
            if (trade && i >= resume) later.insert(s.product);
            if (trade && i < cut) earlier.insert(s.product);
        }
    }
    uint64_t gaps = 0, missing = 0;
    for (auto& [product, n] : lost) {
        if (earlier.contains(product) && later.contains(product)) {
            ++gaps;
            missing += static_cast<uint64_t>(n);
        }
    }
    ASSERT_GT(missing, 0u) << "the cut must lose trades for this test to mean anything";
    auto d = drain(*src, delivered);
    EXPECT_EQ(d.events.size(), delivered);
    EXPECT_EQ(src->stats().gaps, gaps);
    EXPECT_EQ(src->stats().missing, missing);
}

TEST(Coinbase, MessagesBehindTheirProductsSequenceAreCountedOutOfOrder) {
    const auto lines = data_lines("coinbase_exchange_ws_matches_ticker.jsonl");
    const auto src_msgs = read_source(lines);
    // Two matches of one product, sent in reverse order: the later-sent one is behind.
    std::vector<size_t> band;
    for (size_t i = 0; i < src_msgs.size() && band.size() < 2; ++i) {
        if (src_msgs[i].type == "match" && src_msgs[i].product == "BAND-GBP") band.push_back(i);
    }
    ASSERT_EQ(band.size(), 2u);
    ASSERT_LT(src_msgs[band[0]].sequence, src_msgs[band[1]].sequence);
    ReplayServer server({{{WsStep::expect("subscribe"), WsStep::send(lines[band[1]]), WsStep::send(lines[band[0]])}}});
    auto src = coinbase(server.ws_url("/"));
    auto d = drain(*src, 2);
    ASSERT_EQ(d.events.size(), 2u);
    EXPECT_EQ(src->stats().out_of_order, 2u); // by sequence, and by trade_id
    EXPECT_EQ(src->stats().gaps, 0u);
    EXPECT_EQ(src->stats().duplicates, 0u);
}

} // namespace
} // namespace ticklake::testing
