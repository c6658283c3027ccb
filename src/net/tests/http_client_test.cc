#include "net/http_client.h"

#include <gtest/gtest.h>

#include "net/tests/replay_server.h"

namespace ticklake::net {
namespace {

using testing::HttpReply;
using testing::ReplayServer;

TEST(HttpClient, GetsBodiesAndStatusesInOrderOverOneConnection) {
    ReplayServer server({.routes = {{"/v8/finance/chart/AAPL",
                                     {HttpReply{200, R"({"chart":1})"}, HttpReply{429, "slow down"}}}}});
    HttpClient http;
    auto a = http.get(server.http_url("/v8/finance/chart/AAPL?interval=1m"));
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->status, 200);
    EXPECT_EQ(a->body, R"({"chart":1})");
    auto b = http.get(server.http_url("/v8/finance/chart/AAPL?interval=1m"));
    ASSERT_TRUE(b);
    EXPECT_EQ(b->status, 429);
    EXPECT_EQ(b->body, "slow down");
    auto c = http.get(server.http_url("/nothing"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->status, 404);
    EXPECT_EQ(server.targets().size(), 3u);
}

// Regression (found by -Wdangling-gsl under clang, #12): the header's value was read through a
// string_view of a destroyed copy; ASan reports stack-use-after-scope here without the fix.
TEST(HttpClient, ReadsRetryAfterInSeconds) {
    ReplayServer server({.routes = {{"/q", {HttpReply{429, "slow down", "text/plain", {{"Retry-After", "17"}}},
                                            HttpReply{429, "no hint"}}}}});
    HttpClient http;
    auto limited = http.get(server.http_url("/q"));
    ASSERT_TRUE(limited) << limited.error().message;
    EXPECT_EQ(limited->status, 429);
    ASSERT_TRUE(limited->retry_after.has_value());
    EXPECT_EQ(limited->retry_after->count(), 17);
    auto plain = http.get(server.http_url("/q"));
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->retry_after.has_value());
}

TEST(HttpClient, NetworkFailuresAreRetryErrorsWithoutTheQuery) {
    uint16_t port;
    {
        ReplayServer gone({});
        port = gone.port();
    }
    HttpClient http;
    auto r = http.get("http://127.0.0.1:" + std::to_string(port) + "/query?apikey=SECRET");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::retry);
    EXPECT_EQ(r.error().message.find("SECRET"), std::string::npos) << r.error().message;
    EXPECT_FALSE(http.get("ws://127.0.0.1/"));
}

TEST(HttpClient, HttpsVerifiesTheCertificate) {
    const auto cert = testing::make_test_certificate("DNS:localhost,IP:127.0.0.1");
    ReplayServer server({.routes = {{"/q", {HttpReply{200, "secure"}}}}, .tls_cert_file = cert->cert_file,
                         .tls_key_file = cert->key_file});
    const std::string url = "https://localhost:" + std::to_string(server.port()) + "/q";
    HttpClient untrusting;
    auto refused = untrusting.get(url);
    ASSERT_FALSE(refused) << "a self-signed certificate outside the trust store was accepted";
    EXPECT_EQ(refused.error().kind, ErrorKind::retry);
    HttpClient trusting(std::chrono::seconds(5), "ticklake", cert->cert_file);
    auto ok = trusting.get(url);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->body, "secure");
}

} // namespace
} // namespace ticklake::net
