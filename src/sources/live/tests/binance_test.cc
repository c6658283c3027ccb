// Binance on the real spot recording (combined streams), the futures aggTrade recording
// (contiguous ids: gaps) and the documented payloads (trade, kline, bookTicker).
#include <map>

#include <gtest/gtest.h>

#include "sources/live/live_source_factory.h"
#include "sources/live/live_stream_source.h"
#include "sources/live/tests/vendor_test_support.h"

namespace ticklake::testing {
namespace {

std::unique_ptr<LiveStreamSource> binance(const std::string& url, std::vector<std::string> symbols,
                                          std::vector<std::string> channels) {
    auto o = test_options("binance", url, std::move(symbols));
    o.channels = std::move(channels);
    return std::make_unique<LiveStreamSource>(o, make_binance_protocol(o));
}

TEST(Binance, SpotRecordingGivesQuotesAndTradesWithExactDecimals) {
    const auto lines = data_lines("binance_spot_ws_combined_stream.jsonl");
    ASSERT_EQ(lines.size(), 265u);
    ReplayServer server({{sends(lines, 0, lines.size())}});
    auto src = binance(server.ws_url("/"), {"NKNUSDT", "BLZETH", "LRCBTC", "RUNEEUR"},
                       {"depth@100ms", "bookTicker", "aggTrade", "kline_1m"});
    const TimestampUs before = now_us();
    auto d = drain(*src, 84 + 2);
    const TimestampUs after = now_us();
    ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
    ASSERT_EQ(server.targets().size(), 1u);
    EXPECT_EQ(server.targets()[0], "/stream?streams=nknusdt@depth@100ms/nknusdt@bookTicker/nknusdt@aggTrade/"
                                   "nknusdt@kline_1m/blzeth@depth@100ms/blzeth@bookTicker/blzeth@aggTrade/"
                                   "blzeth@kline_1m/lrcbtc@depth@100ms/lrcbtc@bookTicker/lrcbtc@aggTrade/"
                                   "lrcbtc@kline_1m/runeeur@depth@100ms/runeeur@bookTicker/runeeur@aggTrade/"
                                   "runeeur@kline_1m");
    // Expected events, read from the recording in this test.
    simdjson::dom::parser p;
    std::map<std::string, std::string> source_of_id;
    size_t depth = 0, klines = 0;
    for (const auto& l : lines) {
        auto data = p.parse(l)["data"];
        std::string_view e;
        if (data["e"].get_string().get(e) == simdjson::SUCCESS && e == "depthUpdate") {
            ++depth;
            continue;
        }
        if (e == "kline") {
            ++klines;
            continue;
        }
        const std::string sym(data["s"].get_string().value());
        const std::string id = e == "aggTrade" ? "binance:" + sym + ":a:" + std::to_string(data["a"].get_int64().value())
                                               : "binance:" + sym + ":q:" + std::to_string(data["u"].get_int64().value());
        source_of_id[id] = l;
    }
    ASSERT_EQ(d.events.size(), source_of_id.size());
    for (const Event& ev : d.events) {
        ASSERT_TRUE(source_of_id.contains(ev.id)) << ev.id;
        auto data = p.parse(source_of_id[ev.id])["data"];
        EXPECT_EQ(ev.symbol, std::string(data["s"].get_string().value()));
        EXPECT_EQ(ev.source, "binance");
        if (ev.type == EventType::quote) {
            const auto& q = body<Quote>(ev);
            EXPECT_EQ(wire(q.bid), canon(data["b"].get_string().value()));
            EXPECT_EQ(wire(q.bid_size), canon(data["B"].get_string().value()));
            EXPECT_EQ(wire(q.ask), canon(data["a"].get_string().value()));
            EXPECT_EQ(wire(q.ask_size), canon(data["A"].get_string().value()));
            // Spot bookTicker has no time: the receive time stands in.
            EXPECT_GE(ev.ts, before);
            EXPECT_LE(ev.ts, after);
            EXPECT_EQ(ev.ts, ev.recv_ts);
        } else {
            ASSERT_EQ(ev.type, EventType::trade);
            const auto& t = body<Trade>(ev);
            EXPECT_EQ(wire(t.price), canon(data["p"].get_string().value()));
            EXPECT_EQ(wire(t.size), canon(data["q"].get_string().value()));
            EXPECT_EQ(ev.ts, data["T"].get_int64().value() * 1000);
            EXPECT_EQ(t.side, data["m"].get_bool().value() ? "sell" : "buy");
        }
    }
    EXPECT_EQ(src->stats().ignored, depth + klines); // open klines are not bars yet
    EXPECT_EQ(src->stats().inexact_decimals, 0u);
}

TEST(Binance, AggTradeIdGapsAndDuplicatesAcrossAReconnectAreCounted) {
    const auto lines = data_lines("binance_usdm_futures_ws_aggtrade.jsonl");
    ASSERT_EQ(lines.size(), 91u);
    // Connection 1: lines [0, 50) then dropped. Connection 2 replays [40, 45) again (duplicate
    // burst) and then continues at 60: lines [50, 60) are lost.
    WsScript first = sends(lines, 0, 50), second = sends(lines, 40, 45);
    first.push_back(WsStep::drop());
    for (auto& s : sends(lines, 60, lines.size())) second.push_back(s);
    ReplayServer server({{first, second}});
    auto src = binance(server.ws_url("/"), {"CTKUSDT", "AKROUSDT", "KEEPUSDT", "SUSHIUSDT"}, {"aggTrade"});
    // Oracle from the recording: per symbol, lost ids count when the symbol traded before and after.
    simdjson::dom::parser p;
    std::map<std::string, int> lost, before, after;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string s(p.parse(lines[i])["data"]["s"].get_string().value());
        if (i < 50) ++before[s];
        else if (i < 60) ++lost[s];
        else ++after[s];
    }
    uint64_t gaps = 0, missing = 0;
    for (auto& [s, n] : lost) {
        if (before[s] > 0 && after[s] > 0) {
            ++gaps;
            missing += static_cast<uint64_t>(n);
        }
    }
    ASSERT_GT(gaps, 0u);
    auto d = drain(*src, 81);
    EXPECT_EQ(d.events.size(), 81u);
    EXPECT_EQ(src->stats().duplicates, 5u);
    EXPECT_EQ(src->stats().gaps, gaps);
    EXPECT_EQ(src->stats().missing, missing);
    EXPECT_EQ(src->stats().connects, 2u);
    EXPECT_EQ(server.targets().at(1), server.targets().at(0)) << "streams not resubscribed";
}

TEST(Binance, DocumentedTradeKlineAndBookTickerPayloads) {
    const auto lines = data_lines("binance_ws_docs_examples.jsonl");
    ASSERT_EQ(lines.size(), 5u);
    // The docs' kline is still open (x false): a closed copy checks the bar mapping.
    std::string closed = lines[2];
    closed.replace(closed.find("\"x\":false"), 9, "\"x\":true");
    ReplayServer server({{{WsStep::send(lines[4]), WsStep::send(lines[0]), WsStep::send(lines[2]),
                           WsStep::send(closed), WsStep::send(lines[3])}}});
    auto src = binance(server.ws_url("/"), {"BNBBTC"}, {"trade", "kline_1m"});
    auto d = drain(*src, 3);
    ASSERT_EQ(d.events.size(), 3u);
    // T = 1672515782136 ms; m: the buyer was the maker, so the seller crossed the spread.
    EXPECT_TRUE(is_trade(d.events[0], {.id = "binance:BNBBTC:t:12345", .symbol = "BNBBTC",
                                       .time = "2022-12-31T19:43:02.136000Z", .price = "0.001", .size = "100",
                                       .side = "sell"}));
    const Event& k = d.events[1];
    EXPECT_EQ(k.id, "binance:BNBBTC:k:1m:1672515780000");
    EXPECT_EQ(k.type, EventType::bar);
    EXPECT_EQ(format_iso8601(k.ts), "2022-12-31T19:43:00.000000Z");
    const Bar& b = body<Bar>(k);
    EXPECT_EQ(b.interval, "1m");
    EXPECT_EQ(wire(b.open), "0.001");
    EXPECT_EQ(wire(b.close), "0.002");
    EXPECT_EQ(wire(b.high), "0.0025");
    EXPECT_EQ(wire(b.low), "0.0015");
    EXPECT_EQ(wire(b.volume), "1000");
    EXPECT_EQ(b.trade_count, 100);
    const Event& q = d.events[2];
    EXPECT_EQ(q.id, "binance:BNBUSDT:q:400900217");
    EXPECT_EQ(wire(body<Quote>(q).bid), "25.3519");
    EXPECT_EQ(wire(body<Quote>(q).ask_size), "40.66");
    EXPECT_EQ(src->stats().ignored, 2u); // the subscribe answer and the open kline
}

TEST(Binance, TradeIdGapsAreCountedPerSymbol) {
    const auto lines = data_lines("binance_ws_docs_examples.jsonl");
    // The documented trade (t 12345) and copies with later ids: 12346 follows, then 12349 (2 lost).
    auto with_id = [&](int id) {
        std::string t = lines[0];
        t.replace(t.find("\"t\":12345"), 9, "\"t\":" + std::to_string(id));
        return t;
    };
    ReplayServer server({{{WsStep::send(lines[0]), WsStep::send(with_id(12346)), WsStep::send(with_id(12349)),
                           WsStep::send(with_id(12346))}}});
    auto src = binance(server.ws_url("/"), {"BNBBTC"}, {"trade"});
    auto d = drain(*src, 3);
    ASSERT_EQ(d.events.size(), 3u);
    EXPECT_EQ(d.events[2].id, "binance:BNBBTC:t:12349");
    EXPECT_EQ(src->stats().gaps, 1u);
    EXPECT_EQ(src->stats().missing, 2u);
    EXPECT_EQ(src->stats().duplicates, 1u);
}

TEST(Binance, MoreStreamsThanOneConnectionAllowsIsAnErrorBeforeConnecting) {
    LiveSourceOptions o;
    o.vendor = "binance";
    for (int i = 0; i < 513; ++i) {
        o.symbols.push_back("SYM" + std::to_string(i));
    }
    auto s = open_live_source(o); // 513 symbols x 2 default channels = 1026 streams
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(s.error().message.find("1024"), std::string::npos);
    o.symbols.resize(512);
    EXPECT_TRUE(open_live_source(o));
}

} // namespace
} // namespace ticklake::testing
