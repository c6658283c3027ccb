// Alpaca v2 on the documented frames (shared/data/alpaca_stream_v2*.jsonl): the auth and
// subscription exchange, trades/quotes/bars, and what each error code does.
#include <gtest/gtest.h>

#include "sources/live/live_stream_source.h"
#include "sources/live/tests/vendor_test_support.h"

namespace ticklake::testing {
namespace {

using namespace std::chrono_literals;

struct Frames {
    std::vector<std::string> stream = data_lines("alpaca_stream_v2.jsonl");
    std::vector<std::string> points = data_lines("alpaca_stream_v2_datapoints.jsonl");
    std::string connected() const { return stream[0]; }
    std::string authenticated() const { return stream[1]; }
    std::string error(int code) const {
        for (const auto& l : stream) {
            if (l.find("\"code\":" + std::to_string(code)) != std::string::npos) return l;
        }
        throw std::runtime_error("no error frame " + std::to_string(code));
    }
};

std::unique_ptr<LiveStreamSource> alpaca(const std::string& url) {
    auto o = test_options("alpaca", url, {"AAPL", "AMD"});
    o.key = "AKID";
    o.secret = "s3cr3t";
    return std::make_unique<LiveStreamSource>(o, make_alpaca_protocol(o));
}

WsScript handshake(const Frames& f) {
    return {WsStep::send(f.connected()), WsStep::expect("auth"), WsStep::send(f.authenticated()),
            WsStep::expect("subscribe"), WsStep::send(f.stream[14])};
}

TEST(Alpaca, AuthSubscribeAndEveryFieldOfTradesQuotesAndBars) {
    Frames f;
    ASSERT_EQ(f.stream.size(), 18u);
    WsScript first = handshake(f);
    first.push_back(WsStep::send(f.stream[16])); // one trade
    first.push_back(WsStep::send(f.stream[17])); // three quotes
    first.push_back(WsStep::send("[" + f.points[2] + "," + f.points[3] + "," + f.points[4] + "]")); // b, d, s
    first.push_back(WsStep::drop());
    WsScript second = handshake(f);
    second.push_back(WsStep::send(f.stream[16])); // the trade again after the reconnect
    ReplayServer server({{first, second}});
    auto src = alpaca(server.ws_url("/v2/iex"));
    auto d = drain(*src, 6);
    ASSERT_EQ(d.events.size(), 6u);
    EXPECT_TRUE(is_trade(d.events[0], {.id = "alpaca:AAPL:t:D:96921", .symbol = "AAPL",
                                       .time = "2021-02-22T15:51:44.208000Z", .price = "126.55", .size = "1",
                                       .exchange = "D"}));
    const char* times[] = {"2021-02-22T15:51:45.335567Z", "2021-02-22T15:51:45.335689Z", "2021-02-22T15:51:45.335806Z"};
    const char* asks[] = {"87.67", "87.68", "87.67"};
    const char* ask_sizes[] = {"1", "4", "1"};
    for (int i = 0; i < 3; ++i) {
        const Event& q = d.events[1 + i];
        EXPECT_EQ(q.type, EventType::quote);
        EXPECT_EQ(q.symbol, "AMD");
        EXPECT_EQ(format_iso8601(q.ts), times[i]); // nanoseconds truncated to micros
        EXPECT_EQ(wire(body<Quote>(q).bid), "87.66");
        EXPECT_EQ(wire(body<Quote>(q).bid_size), "1");
        EXPECT_EQ(wire(body<Quote>(q).ask), asks[i]);
        EXPECT_EQ(wire(body<Quote>(q).ask_size), ask_sizes[i]);
    }
    const Event& b = d.events[4];
    EXPECT_EQ(b.id, "alpaca:SPY:1m:2021-02-22T19:15:00Z");
    EXPECT_EQ(format_iso8601(b.ts), "2021-02-22T19:15:00.000000Z");
    EXPECT_EQ(body<Bar>(b).interval, "1m");
    EXPECT_EQ(wire(body<Bar>(b).open), "388.985");
    EXPECT_EQ(wire(body<Bar>(b).high), "389.13");
    EXPECT_EQ(wire(body<Bar>(b).low), "388.975");
    EXPECT_EQ(wire(body<Bar>(b).close), "389.12");
    EXPECT_EQ(wire(body<Bar>(b).volume), "49378");
    const Event& day = d.events[5];
    EXPECT_EQ(body<Bar>(day).interval, "1d");
    EXPECT_EQ(format_iso8601(day.ts), "2021-02-16T00:00:00.000000Z"); // the session date
    EXPECT_EQ(wire(body<Bar>(day).volume), "749378");
    EXPECT_EQ(src->stats().duplicates, 1u);
    EXPECT_EQ(src->stats().connects, 2u);
    const auto got = server.received();
    ASSERT_EQ(got.size(), 2u);
    for (const auto& conn : got) { // authenticated and subscribed again after the reconnect
        ASSERT_EQ(conn.size(), 2u);
        EXPECT_EQ(conn[0], R"({"action":"auth","key":"AKID","secret":"s3cr3t"})");
        EXPECT_EQ(conn[1], R"({"action":"subscribe","trades":["AAPL","AMD"],"quotes":["AAPL","AMD"],)"
                           R"("bars":["AAPL","AMD"]})");
    }
}

TEST(Alpaca, AuthFailureIsReportedOnceAndNotRetried) {
    Frames f;
    ReplayServer server({{{WsStep::send(f.connected()), WsStep::expect("auth"), WsStep::send(f.error(402))}}});
    auto src = alpaca(server.ws_url("/v2/iex"));
    auto d = drain(*src, 1, 2s);
    ASSERT_EQ(d.errors.size(), 1u);
    EXPECT_EQ(d.errors[0].kind, ErrorKind::fatal);
    EXPECT_NE(d.errors[0].message.find("402"), std::string::npos);
    EXPECT_NE(d.errors[0].message.find("APCA_API_KEY_ID"), std::string::npos);
    EXPECT_EQ(d.errors[0].message.find("s3cr3t"), std::string::npos);
    EXPECT_TRUE(src->done());
    EXPECT_EQ(server.connections(), 1u);
}

TEST(Alpaca, ErrorCodesChooseBetweenStoppingAndReconnecting) {
    Frames f;
    for (int code : {401, 405, 406, 408, 409}) {
        ReplayServer server({{{WsStep::send(f.connected()), WsStep::expect("auth"), WsStep::send(f.error(code))}}});
        auto src = alpaca(server.ws_url("/"));
        auto d = drain(*src, 1, 2s);
        ASSERT_EQ(d.errors.size(), 1u) << code;
        EXPECT_EQ(d.errors[0].kind, ErrorKind::fatal) << code;
        EXPECT_EQ(server.connections(), 1u) << code;
    }
    for (int code : {404, 407, 500}) {
        WsScript bad{WsStep::send(f.connected()), WsStep::expect("auth"), WsStep::send(f.error(code))};
        WsScript good = handshake(f);
        good.push_back(WsStep::send(f.stream[16]));
        ReplayServer server({{bad, good}});
        auto src = alpaca(server.ws_url("/"));
        auto d = drain(*src, 1, 3s);
        EXPECT_TRUE(d.errors.empty()) << code;
        EXPECT_EQ(d.events.size(), 1u) << code;
        EXPECT_EQ(src->stats().connects, 2u) << code;
    }
}

TEST(Alpaca, ConnectionLimitRightAfterAReconnectIsRetriedNotFatal) {
    Frames f;
    WsScript drop{WsStep::send(f.connected()), WsStep::expect("auth"), WsStep::send(f.authenticated()),
                  WsStep::expect("subscribe"), WsStep::drop()};
    WsScript limited{WsStep::send(f.connected()), WsStep::expect("auth"), WsStep::send(f.error(406))};
    WsScript good = handshake(f);
    good.push_back(WsStep::send(f.stream[16]));
    ReplayServer server({{drop, limited, good}});
    auto src = alpaca(server.ws_url("/"));
    auto d = drain(*src, 1, 3s);
    EXPECT_TRUE(d.errors.empty()) << d.errors[0].message;
    EXPECT_EQ(d.events.size(), 1u);
    EXPECT_EQ(src->stats().connects, 3u);
}

} // namespace
} // namespace ticklake::testing
