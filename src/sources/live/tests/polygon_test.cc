// Polygon on the official client's mock-server frames and the spec's examples.
#include <gtest/gtest.h>

#include "sources/live/live_stream_source.h"
#include "sources/live/tests/vendor_test_support.h"

namespace ticklake::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<LiveStreamSource> polygon(const std::string& url, std::vector<std::string> symbols) {
    auto o = test_options("polygon", url, std::move(symbols));
    o.key = "PKEY";
    return std::make_unique<LiveStreamSource>(o, make_polygon_protocol(o));
}

TEST(Polygon, AuthThenSubscribeThenTrades) {
    const auto lines = data_lines("polygon_ws_mock_server_frames.jsonl");
    ASSERT_EQ(lines.size(), 4u);
    ReplayServer server({{{WsStep::send(lines[0]), WsStep::expect("auth"), WsStep::send(lines[1]),
                           WsStep::expect("subscribe"), WsStep::send(lines[2]), WsStep::send(lines[3])}}});
    auto src = polygon(server.ws_url("/stocks"), {"AAPL", "AMZN"});
    auto d = drain(*src, 3);
    ASSERT_EQ(d.events.size(), 3u);
    // t = 1651684192462 ms
    EXPECT_TRUE(is_trade(d.events[0], {.id = "polygon:AAPL:t:10:5096", .symbol = "AAPL",
                                       .time = "2022-05-04T17:09:52.462000Z", .price = "161.87", .size = "300",
                                       .exchange = "10"}));
    EXPECT_EQ(d.events[1].id, "polygon:AMZN:t:12:72815");
    EXPECT_EQ(d.events[2].id, "polygon:AMZN:t:4:799");
    EXPECT_EQ(d.events[2].ts, 1651684192717000);
    EXPECT_EQ(wire(body<Trade>(d.events[2]).size), "100");
    const auto got = server.received();
    ASSERT_EQ(got.size(), 1u);
    ASSERT_EQ(got[0].size(), 2u);
    EXPECT_EQ(got[0][0], R"({"action":"auth","params":"PKEY"})");
    EXPECT_EQ(got[0][1], R"({"action":"subscribe","params":"T.AAPL,T.AMZN,Q.AAPL,Q.AMZN,AM.AAPL,AM.AMZN"})");
}

TEST(Polygon, SpecExamplesOfQuotesAndBars) {
    const auto lines = data_lines("polygon_ws_stocks_spec_examples.jsonl");
    ASSERT_EQ(lines.size(), 4u);
    const auto mock = data_lines("polygon_ws_mock_server_frames.jsonl");
    // On the wire Polygon sends arrays of these objects.
    WsScript s{WsStep::send(mock[0]), WsStep::expect("auth"), WsStep::send(mock[1]), WsStep::expect("subscribe")};
    for (const auto& l : lines) {
        s.push_back(WsStep::send("[" + l + "]"));
    }
    ReplayServer server({{s}});
    auto src = polygon(server.ws_url("/stocks"), {"MSFT"});
    auto d = drain(*src, 4);
    ASSERT_EQ(d.events.size(), 4u);
    EXPECT_EQ(d.events[0].id, "polygon:MSFT:t:4:12345");
    EXPECT_EQ(wire(body<Trade>(d.events[0]).price), "114.125");
    const Event& q = d.events[1];
    EXPECT_EQ(q.id, "polygon:MSFT:q:50385480");
    EXPECT_EQ(q.ts, 1536036818784000);
    EXPECT_EQ(wire(body<Quote>(q).bid), "114.125");
    EXPECT_EQ(wire(body<Quote>(q).bid_size), "100");
    EXPECT_EQ(wire(body<Quote>(q).ask), "114.128");
    EXPECT_EQ(wire(body<Quote>(q).ask_size), "160");
    const Event& sec = d.events[2];
    EXPECT_EQ(sec.symbol, "SPCE");
    EXPECT_EQ(body<Bar>(sec).interval, "1s");
    EXPECT_EQ(sec.ts, 1610144868000000);
    EXPECT_EQ(wire(body<Bar>(sec).open), "25.39");
    EXPECT_EQ(wire(*body<Bar>(sec).vwap), "25.3981");
    EXPECT_EQ(wire(body<Bar>(sec).volume), "200");
    const Event& min = d.events[3];
    EXPECT_EQ(min.id, "polygon:GTE:AM:1610144640000");
    EXPECT_EQ(body<Bar>(min).interval, "1m");
    EXPECT_EQ(wire(body<Bar>(min).high), "0.4489");
    EXPECT_EQ(wire(body<Bar>(min).low), "0.4486");
    EXPECT_EQ(wire(body<Bar>(min).close), "0.4486");
}

TEST(Polygon, AuthFailedIsFatalAndNotRetried) {
    const auto mock = data_lines("polygon_ws_mock_server_frames.jsonl");
    ReplayServer server({{{WsStep::send(mock[0]), WsStep::expect("auth"),
                           WsStep::send(R"([{"ev":"status","status":"auth_failed","message":"authentication failed"}])")}}});
    auto src = polygon(server.ws_url("/stocks"), {"AAPL"});
    auto d = drain(*src, 1, 2s);
    ASSERT_EQ(d.errors.size(), 1u);
    EXPECT_EQ(d.errors[0].kind, ErrorKind::fatal);
    EXPECT_NE(d.errors[0].message.find("POLYGON_API_KEY"), std::string::npos);
    EXPECT_EQ(d.errors[0].message.find("PKEY"), std::string::npos);
    EXPECT_EQ(server.connections(), 1u);
}

} // namespace
} // namespace ticklake::testing
