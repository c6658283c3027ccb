// The WebSocket client against the scripted replay server: messages, server pings, keep-alive
// pings, close frames, drops, dead servers and refused handshakes.
#include "net/websocket_client.h"

#include <gtest/gtest.h>

#include "net/tests/replay_server.h"

namespace ticklake::net {
namespace {

using namespace std::chrono_literals;
using testing::ReplayServer;
using testing::ReplayServerOptions;
using testing::WsStep;

//! Reads until a message or an error, for at most `limit`.
Result<std::optional<std::string>> next(WebSocketClient& c, std::chrono::milliseconds limit = 3000ms) {
    auto m = c.read(limit);
    if (!m) {
        return fail(m.error());
    }
    if (!*m) {
        return std::optional<std::string>{};
    }
    return std::optional<std::string>(std::string(**m));
}

TEST(WebSocketClient, ExchangesTextMessagesAndAnswersServerPings) {
    ReplayServer server({{{WsStep::send("hello"), WsStep::expect("subscribe"), WsStep::ping(),
                           WsStep::send(R"({"a":1})"), WsStep::expect("ack"), WsStep::close(1000, "bye")}}});
    auto c = WebSocketClient::connect({.url = server.ws_url("/feed?x=1")});
    ASSERT_TRUE(c) << c.error().message;
    auto m = next(**c);
    ASSERT_TRUE(m && *m);
    EXPECT_EQ(**m, "hello");
    ASSERT_TRUE((*c)->send_text(R"({"type":"subscribe"})"));
    m = next(**c);
    ASSERT_TRUE(m && *m) << (m ? "timeout" : m.error().message);
    EXPECT_EQ(**m, R"({"a":1})");
    ASSERT_TRUE((*c)->send_text("ack"));
    m = next(**c);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().kind, ErrorKind::retry);
    EXPECT_NE(m.error().message.find("code 1000: bye"), std::string::npos) << m.error().message;
    EXPECT_EQ((*c)->counters().pings_received, 1u);
    EXPECT_EQ(server.pongs(), 1u);
    ASSERT_EQ(server.received().size(), 1u);
    EXPECT_EQ(server.received()[0], (std::vector<std::string>{R"({"type":"subscribe"})", "ack"}));
    EXPECT_EQ(server.targets().at(0), "/feed?x=1");
}

TEST(WebSocketClient, ReadReturnsNothingWhenNothingArrivesInTime) {
    ReplayServer server({{{WsStep::send("first")}}});
    auto c = WebSocketClient::connect({.url = server.ws_url()});
    ASSERT_TRUE(c);
    auto m = next(**c);
    ASSERT_TRUE(m && *m);
    const auto t0 = std::chrono::steady_clock::now();
    m = next(**c, 150ms);
    const auto waited = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_FALSE(*m);
    EXPECT_GE(waited, 140ms);
    EXPECT_LT(waited, 1000ms);
}

TEST(WebSocketClient, KeepAlivePingsHoldAQuietConnectionOpen) {
    ReplayServer server({{{WsStep::send("hi")}}});
    auto c = WebSocketClient::connect({.url = server.ws_url(), .idle_timeout = 400ms});
    ASSERT_TRUE(c);
    ASSERT_TRUE(next(**c));
    for (int i = 0; i < 6; ++i) {
        auto m = next(**c, 250ms);
        ASSERT_TRUE(m) << "quiet but alive connection declared dead: " << m.error().message;
    }
    EXPECT_GE(server.pings_from_client(), 2u);
    EXPECT_GE((*c)->counters().pongs_received, 2u);
}

TEST(WebSocketClient, ASilentServerIsDeclaredDeadAfterTheIdleTimeout) {
    ReplayServer server({{{WsStep::send("hi"), WsStep::hang(3000)}}});
    auto c = WebSocketClient::connect({.url = server.ws_url(), .idle_timeout = 400ms});
    ASSERT_TRUE(c);
    ASSERT_TRUE(next(**c));
    const auto t0 = std::chrono::steady_clock::now();
    Result<std::optional<std::string>> m;
    do {
        m = next(**c, 100ms);
    } while (m && std::chrono::steady_clock::now() - t0 < 2500ms);
    ASSERT_FALSE(m) << "a server that answers no ping was not detected";
    EXPECT_NE(m.error().message.find("dead"), std::string::npos) << m.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
}

TEST(WebSocketClient, ADroppedConnectionIsARetryError) {
    ReplayServer server({{{WsStep::send("one"), WsStep::drop()}}});
    auto c = WebSocketClient::connect({.url = server.ws_url()});
    ASSERT_TRUE(c);
    ASSERT_TRUE(next(**c));
    auto m = next(**c);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().kind, ErrorKind::retry);
    EXPECT_FALSE((*c)->send_text("x")) << "sending on a dead connection must fail";
}

TEST(WebSocketClient, A401HandshakeIsFatalAndTheTokenIsNotEchoed) {
    ReplayServer server({.scripts = {{WsStep::send("never")}}, .require_in_target = "token=good"});
    auto c = WebSocketClient::connect({.url = server.ws_url("/?token=bad-SECRET")});
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, ErrorKind::fatal);
    EXPECT_NE(c.error().message.find("401"), std::string::npos) << c.error().message;
    EXPECT_EQ(c.error().message.find("SECRET"), std::string::npos) << c.error().message;
    EXPECT_EQ(server.refused(), 1u);
    auto ok = WebSocketClient::connect({.url = server.ws_url("/?token=good")});
    ASSERT_TRUE(ok) << ok.error().message;
}

TEST(WebSocketClient, NobodyListeningIsARetryError) {
    uint16_t port;
    {
        ReplayServer gone({});
        port = gone.port();
    }
    auto c = WebSocketClient::connect({.url = "ws://127.0.0.1:" + std::to_string(port) + "/"});
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, ErrorKind::retry);
}

TEST(WebSocketClient, WssVerifiesTheCertificate) {
    // A plain-text server on the other end: the TLS handshake must fail, never fall back to plain.
    ReplayServer server({{{WsStep::send("plain")}}});
    auto c = WebSocketClient::connect(
        {.url = "wss://127.0.0.1:" + std::to_string(server.port()) + "/", .connect_timeout = 2000ms});
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, ErrorKind::retry);
    EXPECT_NE(c.error().message.find("TLS"), std::string::npos) << c.error().message;
}

TEST(WebSocketClient, WssWithATrustedCertificateWorks) {
    const auto cert = testing::make_test_certificate("DNS:localhost,IP:127.0.0.1");
    ReplayServer server({.scripts = {{WsStep::send("over tls"), WsStep::expect("x")}},
                         .tls_cert_file = cert->cert_file, .tls_key_file = cert->key_file});
    const std::string url = "wss://localhost:" + std::to_string(server.port()) + "/feed";
    auto c = WebSocketClient::connect({.url = url, .ca_file = cert->cert_file});
    ASSERT_TRUE(c) << c.error().message;
    auto m = next(**c);
    ASSERT_TRUE(m && *m);
    EXPECT_EQ(**m, "over tls");
    ASSERT_TRUE((*c)->send_text("x"));
}

TEST(WebSocketClient, WssRejectsAnUntrustedCertificate) {
    const auto cert = testing::make_test_certificate("DNS:localhost,IP:127.0.0.1");
    ReplayServer server({.scripts = {{WsStep::send("over tls")}}, .tls_cert_file = cert->cert_file,
                         .tls_key_file = cert->key_file});
    auto c = WebSocketClient::connect({.url = "wss://localhost:" + std::to_string(server.port()) + "/"});
    ASSERT_FALSE(c) << "a self-signed certificate outside the trust store was accepted";
    EXPECT_EQ(c.error().kind, ErrorKind::retry);
    EXPECT_NE(c.error().message.find("TLS"), std::string::npos) << c.error().message;
}

TEST(WebSocketClient, WssRejectsACertificateForAnotherHost) {
    const auto cert = testing::make_test_certificate("DNS:feed.example.com");
    ReplayServer server({.scripts = {{WsStep::send("over tls")}}, .tls_cert_file = cert->cert_file,
                         .tls_key_file = cert->key_file});
    auto c = WebSocketClient::connect(
        {.url = "wss://localhost:" + std::to_string(server.port()) + "/", .ca_file = cert->cert_file});
    ASSERT_FALSE(c) << "a trusted certificate for another host name was accepted";
    EXPECT_NE(c.error().message.find("TLS"), std::string::npos) << c.error().message;
}

} // namespace
} // namespace ticklake::net
