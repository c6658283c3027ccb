// Finnhub on its documented messages (shared/data/finnhub_ws_trades.jsonl).
#include <gtest/gtest.h>

#include "sources/live/live_source_factory.h"
#include "sources/live/live_stream_source.h"
#include "sources/live/tests/vendor_test_support.h"

namespace ticklake::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<LiveStreamSource> finnhub(const std::string& url, const std::string& key) {
    auto o = test_options("finnhub", url, {"BINANCE:BTCUSDT", "AAPL"});
    o.key = key;
    return std::make_unique<LiveStreamSource>(o, make_finnhub_protocol(o));
}

TEST(Finnhub, TradesAreNormalisedAndTheRepeatedTradeIsDroppedOnce) {
    const auto lines = data_lines("finnhub_ws_trades.jsonl");
    ASSERT_EQ(lines.size(), 4u);
    // Lines 1 and 2 are the same trade (2 adds "c":null); line 3 is Finnhub's ping.
    WsScript s{WsStep::expect("AAPL")};
    for (size_t i = 0; i < 3; ++i) {
        s.push_back(WsStep::send(lines[i]));
    }
    ReplayServer server({.scripts = {s}, .require_in_target = "token=k3y"});
    auto src = finnhub(server.ws_url("/"), "k3y");
    auto d = drain(*src, 1);
    ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
    ASSERT_EQ(d.events.size(), 1u);
    const Event& e = d.events[0];
    // t = 1575526691134 ms
    EXPECT_TRUE(is_trade(e, {.id = "finnhub:BINANCE:BTCUSDT:1575526691134:7296.89x0.011467:0",
                             .symbol = "BINANCE:BTCUSDT", .time = "2019-12-05T06:18:11.134000Z",
                             .price = "7296.89", .size = "0.011467"}));
    EXPECT_EQ(e.source, "finnhub");
    EXPECT_GT(e.recv_ts, 0);
    EXPECT_EQ(src->stats().duplicates, 1u);
    EXPECT_EQ(src->stats().ignored, 1u); // the ping
    const auto got = server.received();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], (std::vector<std::string>{R"({"type":"subscribe","symbol":"BINANCE:BTCUSDT"})",
                                                R"({"type":"subscribe","symbol":"AAPL"})"}));
}

// vendor_frames_fuzz: a time of 1.6e16 ms overflowed. Such a trade is skipped with its reason
// (not clamped to year 9999); the frame's other trades still arrive.
TEST(Finnhub, ATradeWithATimeOutsideTheYears1To9999IsSkippedAndTheRestKept) {
    const std::string frame = R"({"type":"trade","data":[)"
                              R"({"s":"AAPL","p":1.5,"v":2,"t":16269927422797138},)"
                              R"({"s":"AAPL","p":1.5,"v":3,"t":1575526691134}]})";
    ReplayServer server({{{WsStep::expect("AAPL"), WsStep::send(frame)}}});
    auto src = finnhub(server.ws_url("/"), "k");
    auto d = drain(*src, 1);
    ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
    ASSERT_EQ(d.events.size(), 1u);
    EXPECT_EQ(format_iso8601(d.events[0].ts), "2019-12-05T06:18:11.134000Z");
    EXPECT_EQ(src->stats().skipped, 1u);
}

TEST(Finnhub, AnErrorMessageStopsTheSourceOnceWithTheVendorsWords) {
    const auto lines = data_lines("finnhub_ws_trades.jsonl");
    ReplayServer server({{{WsStep::expect("AAPL"), WsStep::send(lines[3])}}});
    auto src = finnhub(server.ws_url("/"), "k");
    auto d = drain(*src, 1, 2s);
    ASSERT_EQ(d.errors.size(), 1u);
    EXPECT_EQ(d.errors[0].kind, ErrorKind::fatal);
    EXPECT_NE(d.errors[0].message.find("Subscribing to too many symbols"), std::string::npos);
    EXPECT_TRUE(src->done());
    EXPECT_EQ(server.connections(), 1u);
}

TEST(Finnhub, ARefusedTokenIsFatalAndNeverRetried) {
    ReplayServer server({.scripts = {{WsStep::send("{}")}}, .require_in_target = "token=good"});
    auto src = finnhub(server.ws_url("/"), "bad-SECRET");
    auto d = drain(*src, 1, 2s);
    ASSERT_EQ(d.errors.size(), 1u);
    EXPECT_EQ(d.errors[0].kind, ErrorKind::fatal);
    EXPECT_NE(d.errors[0].message.find("401"), std::string::npos) << d.errors[0].message;
    EXPECT_EQ(d.errors[0].message.find("SECRET"), std::string::npos) << "the key leaked into an error";
    std::vector<Event> more;
    EXPECT_EQ(src->next_batch(more, 10).value_or(99), 0u);
    EXPECT_EQ(server.refused(), 1u);
}

TEST(Finnhub, FactoryNeedsTheKeyVariableAndSymbols) {
    LiveSourceOptions o;
    o.vendor = "finnhub";
    ::unsetenv("FINNHUB_API_KEY");
    auto st = credentials_from_env(o);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("FINNHUB_API_KEY"), std::string::npos);
    ::setenv("FINNHUB_API_KEY", "abc", 1);
    ASSERT_TRUE(credentials_from_env(o));
    EXPECT_EQ(o.key, "abc");
    ::unsetenv("FINNHUB_API_KEY");
    auto s = open_live_source(o);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("--symbols"), std::string::npos);
}

} // namespace
} // namespace ticklake::testing
