#include "net/url.h"

#include <gtest/gtest.h>

namespace ticklake::net {
namespace {

TEST(Url, DefaultsPortsAndTargets) {
    auto u = parse_url("wss://stream.binance.com:9443/stream?streams=btcusdt@trade");
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->scheme, "wss");
    EXPECT_EQ(u->host, "stream.binance.com");
    EXPECT_EQ(u->port, 9443);
    EXPECT_EQ(u->target, "/stream?streams=btcusdt@trade");
    EXPECT_TRUE(u->tls());
    auto v = parse_url("WS://127.0.0.1");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->scheme, "ws");
    EXPECT_EQ(v->port, 80);
    EXPECT_EQ(v->target, "/");
    auto w = parse_url("https://ws.finnhub.io?token=SECRET");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->port, 443);
    EXPECT_EQ(w->target, "/?token=SECRET");
}

TEST(Url, RedactedFormHidesTheQuery) {
    auto u = parse_url("wss://ws.finnhub.io/?token=SECRET");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->redacted(), "wss://ws.finnhub.io:443/?...");
    EXPECT_EQ(u->redacted().find("SECRET"), std::string::npos);
}

TEST(Url, RejectsWhatCannotWorkWithoutEchoingTheKey) {
    for (const char* bad : {"ftp://x/?token=SECRET", "stream.binance.com?token=SECRET", "ws://:80/?token=SECRET",
                            "ws://host:99999/?token=SECRET", "ws://user:pw@host/?token=SECRET"}) {
        auto u = parse_url(bad);
        ASSERT_FALSE(u) << bad;
        EXPECT_EQ(u.error().kind, ErrorKind::invalid_argument);
        EXPECT_EQ(u.error().message.find("SECRET"), std::string::npos) << u.error().message;
    }
}

} // namespace
} // namespace ticklake::net
