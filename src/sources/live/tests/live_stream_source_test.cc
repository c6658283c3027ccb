// The vendor-independent behaviour of LiveStreamSource: reconnect pacing, dead servers,
// close frames, duration and connection age. Coinbase's protocol is the vehicle.
#include <gtest/gtest.h>

#include "sources/live/live_stream_source.h"
#include "sources/live/tests/vendor_test_support.h"

namespace ticklake::testing {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> matches() {
    std::vector<std::string> out;
    for (const auto& l : data_lines("coinbase_exchange_ws_matches_ticker.jsonl")) {
        if (l.find("\"type\":\"match\"") != std::string::npos) out.push_back(l);
    }
    return out;
}

//! A Coinbase source whose timing options are o's (LiveSourceOptions' defaults where o sets none).
std::unique_ptr<LiveStreamSource> source(const std::string& url, const LiveSourceOptions& o = {}) {
    auto base = test_options("coinbase", url, {"BAND-GBP"});
    base.idle_timeout_s = o.idle_timeout_s;
    base.duration_s = o.duration_s;
    base.max_connection_age_s = o.max_connection_age_s;
    base.backoff_initial_s = o.backoff_initial_s;
    base.backoff_max_s = o.backoff_max_s;
    return std::make_unique<LiveStreamSource>(base, make_coinbase_protocol(base));
}

TEST(LiveStreamSource, AServerThatDropsAtOnceIsNotHammered) {
    ReplayServer server({{{WsStep::drop()}}});
    auto src = source(server.ws_url(), {.backoff_initial_s = 0.1, .backoff_max_s = 0.4});
    drain(*src, 1, 1500ms);
    // Delays of 50-100, 100-200, 200-400, then 200-400 ms: at most 7 attempts in 1.5 s, at least 4.
    EXPECT_GE(server.connections(), 4u);
    EXPECT_LE(server.connections(), 8u);
    EXPECT_FALSE(src->done());
}

TEST(LiveStreamSource, ASilentServerIsLeftAndTheFeedResumesOnANewConnection) {
    const auto m = matches();
    // The server serves one connection at a time: the new one is answered after the hang.
    ReplayServer server({{{WsStep::expect("subscribe"), WsStep::send(m[0]), WsStep::hang(1200)},
                          {WsStep::expect("subscribe"), WsStep::send(m[1])}}});
    auto src = source(server.ws_url(), {.idle_timeout_s = 0.4});
    auto d = drain(*src, 2, 5000ms, 100ms);
    ASSERT_EQ(d.events.size(), 2u);
    EXPECT_EQ(src->stats().disconnects, 1u);
    EXPECT_GE(server.pings_from_client(), 1u) << "the client should have pinged the silent server";
    EXPECT_EQ(src->stats().connects, 2u);
}

TEST(LiveStreamSource, ACloseFrameLeadsToAReconnectAndResubscribe) {
    const auto m = matches();
    ReplayServer server({{{WsStep::expect("subscribe"), WsStep::send(m[0]), WsStep::close(1001, "going away")},
                          {WsStep::expect("subscribe"), WsStep::send(m[1])}}});
    auto src = source(server.ws_url());
    auto d = drain(*src, 2);
    ASSERT_EQ(d.events.size(), 2u);
    EXPECT_EQ(src->stats().disconnects, 1u);
    EXPECT_EQ(server.received().size(), 2u);
}

TEST(LiveStreamSource, DurationEndsTheSource) {
    ReplayServer server({{{WsStep::expect("subscribe")}}});
    auto src = source(server.ws_url(), {.duration_s = 0.5});
    const auto t0 = std::chrono::steady_clock::now();
    drain(*src, 1000, 5s);
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_TRUE(src->done());
    EXPECT_GE(took, 450ms);
    EXPECT_LT(took, 1500ms);
}

TEST(LiveStreamSource, OldConnectionsAreRenewedBeforeTheVendorCutsThem) {
    const auto m = matches();
    ReplayServer server({{{WsStep::expect("subscribe"), WsStep::send(m[0])},
                          {WsStep::expect("subscribe"), WsStep::send(m[1])}}});
    auto src = source(server.ws_url(), {.max_connection_age_s = 0.3});
    auto d = drain(*src, 2, 3s, 100ms);
    EXPECT_EQ(d.events.size(), 2u);
    EXPECT_GE(src->stats().connects, 2u);
    EXPECT_EQ(src->stats().disconnects, 0u) << "a planned renewal is not a lost connection";
}

TEST(LiveStreamSource, ServerPingsMidStreamAreAnsweredAndTheStreamGoesOn) {
    const auto m = matches();
    // After the ping the server reads on (expecting a message never sent): the pong shows up.
    ReplayServer server({{{WsStep::expect("subscribe"), WsStep::send(m[0]), WsStep::ping(), WsStep::send(m[1]),
                           WsStep::expect("never sent")}}});
    auto src = source(server.ws_url());
    auto d = drain(*src, 2);
    ASSERT_EQ(d.events.size(), 2u);
    EXPECT_EQ(server.pongs(), 1u);
    EXPECT_EQ(src->stats().disconnects, 0u);
}

} // namespace
} // namespace ticklake::testing
