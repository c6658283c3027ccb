#include "net/http_transport.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "net/tests/fake_http_transport.h"
#include "net/tests/replay_server.h"

namespace ticklake::net {
namespace {

using testing::FakeHttpTransport;
using testing::HttpReply;
using testing::ReplayServer;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

struct RecordingPolicy {
    std::vector<milliseconds> sleeps;
    RetryPolicy policy;
    RecordingPolicy() {
        policy.max_attempts = 4;
        policy.base_delay = milliseconds(100);
        policy.max_delay = milliseconds(1000);
        policy.sleep = [this](milliseconds d) { sleeps.push_back(d); };
        policy.random = [] { return 0.5; };
    }
};

Result<RetryOutcome> run(FakeHttpTransport& t, const RetryPolicy& p) {
    int built = 0;
    return send_with_retries(
        t, [&]() -> Result<HttpRequest> { return HttpRequest{"GET", "http://x/" + std::to_string(built++)}; }, p);
}

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("tl-http-" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(SendWithRetries, A503ThenOkSucceedsAfterOneRetryWithTheRequestBuiltAgain) {
    FakeHttpTransport t;
    t.respond(503, "busy");
    t.respond(200, "done");
    RecordingPolicy rp;
    auto out = run(t, rp.policy);
    ASSERT_TRUE(out);
    ASSERT_TRUE(out->result);
    EXPECT_EQ(out->result->body, "done");
    EXPECT_EQ(out->attempts, 2);
    EXPECT_EQ(rp.sleeps, std::vector<milliseconds>{milliseconds(50)});
    ASSERT_EQ(t.sent.size(), 2u);
    EXPECT_EQ(t.sent[0].url, "http://x/0");
    EXPECT_EQ(t.sent[1].url, "http://x/1");
}

TEST(SendWithRetries, ClientErrorsAndTlsFailuresAreNotRetried) {
    for (long status : {400L, 403L, 404L, 409L}) {
        FakeHttpTransport t;
        t.respond(status);
        t.respond(200);
        RecordingPolicy rp;
        auto out = run(t, rp.policy);
        ASSERT_TRUE(out);
        EXPECT_EQ(out->result->status, status);
        EXPECT_EQ(out->attempts, 1) << status;
        EXPECT_TRUE(rp.sleeps.empty()) << status;
    }
    FakeHttpTransport t;
    t.fail_with(TransportErrorKind::tls);
    RecordingPolicy rp;
    auto out = run(t, rp.policy);
    ASSERT_TRUE(out);
    EXPECT_FALSE(out->result);
    EXPECT_EQ(out->attempts, 1);
}

TEST(SendWithRetries, TransientFailuresAreRetriedUntilTheAttemptsRunOut) {
    FakeHttpTransport t;
    t.respond(500);
    t.fail_with(TransportErrorKind::timeout);
    t.fail_with(TransportErrorKind::connection);
    t.respond(429);
    t.respond(200);
    RecordingPolicy rp;
    auto out = run(t, rp.policy);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->attempts, 4);
    ASSERT_TRUE(out->result);
    EXPECT_EQ(out->result->status, 429);
    EXPECT_EQ(rp.sleeps, (std::vector<milliseconds>{milliseconds(50), milliseconds(100), milliseconds(200)}));
}

TEST(SendWithRetries, TheCallerDecidesWhatIsTransient) {
    FakeHttpTransport t;
    t.respond(400, "<Code>RequestTimeout</Code>");
    t.respond(200);
    RecordingPolicy rp;
    auto out = send_with_retries(
        t, [] { return Result<HttpRequest>(HttpRequest{"GET", "http://x/"}); }, rp.policy,
        [](const HttpResult& r) { return r && r->status == 400; });
    ASSERT_TRUE(out);
    EXPECT_EQ(out->attempts, 2);
}

TEST(HttpResponseTest, HeaderLookupIsCaseInsensitive) {
    HttpResponse r{200, {{"etag", "\"abc\""}, {"content-length", "5"}}, ""};
    EXPECT_EQ(r.header("ETag"), "\"abc\"");
    EXPECT_EQ(r.header("Content-Length"), "5");
    EXPECT_EQ(r.header("x-missing"), "");
}

TEST(CurlHttpTransport, ReusesOneConnectionAndSendsMethodsHeadersAndBodies) {
    ReplayServer server({.routes = {{"/o", {HttpReply{200, "ok"}}}}});
    CurlHttpTransport http(HttpTransportOptions{.user_agent = "ticklake-test"});
    auto get = http.send(HttpRequest{"GET", server.http_url("/o/a"), {{"range", "bytes=2-4"}}});
    ASSERT_TRUE(get) << get.error().message;
    EXPECT_EQ(get->status, 200);
    EXPECT_EQ(get->body, "ok");
    EXPECT_EQ(get->header("Content-Type"), "application/json");
    ASSERT_TRUE(http.send(HttpRequest{"PUT", server.http_url("/o/b"), {}, "from memory"}));
    ASSERT_TRUE(http.send(HttpRequest{"POST", server.http_url("/o/c?uploads")}));
    ASSERT_TRUE(http.send(HttpRequest{"DELETE", server.http_url("/o/d")}));

    const auto seen = server.http_requests();
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].header("range"), "bytes=2-4");
    EXPECT_EQ(seen[0].header("user-agent"), "ticklake-test");
    EXPECT_EQ(seen[1].method, "PUT");
    EXPECT_EQ(seen[1].body, "from memory");
    EXPECT_EQ(seen[1].header("expect"), "") << "no 100-continue round trip";
    EXPECT_EQ(seen[2].method, "POST");
    EXPECT_EQ(seen[2].target, "/o/c?uploads");
    EXPECT_EQ(seen[3].method, "DELETE");
    EXPECT_EQ(server.accepted(), 1u) << "the connection is kept between requests";
}

TEST(CurlHttpTransport, UploadsAByteRangeOfAFile) {
    TempDir dir;
    std::ofstream(dir.path / "parts", std::ios::binary) << "0123456789";
    ReplayServer server({.routes = {{"/", {HttpReply{200, ""}}}}});
    CurlHttpTransport http;
    HttpRequest put{"PUT", server.http_url("/part")};
    put.body_file = dir.path / "parts";
    put.body_file_offset = 3;
    put.body_file_size = 4;
    auto r = http.send(put);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(server.http_requests().size(), 1u);
    EXPECT_EQ(server.http_requests()[0].body, "3456");

    put.body_file = dir.path / "missing";
    auto missing = http.send(put);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, TransportErrorKind::other);
}

TEST(CurlHttpTransport, StreamsSuccessfulBodiesToAFileAndKeepsErrorBodiesInMemory) {
    TempDir dir;
    ReplayServer server({.routes = {{"/big", {HttpReply{200, std::string(300'000, 'x')}}},
                                    {"/empty", {HttpReply{200, ""}}}}});
    CurlHttpTransport http;
    HttpRequest get{"GET", server.http_url("/big")};
    get.response_file = dir.path / "big";
    auto big = http.send(get);
    ASSERT_TRUE(big) << big.error().message;
    EXPECT_TRUE(big->body.empty());
    EXPECT_EQ(slurp(dir.path / "big"), std::string(300'000, 'x'));

    get.url = server.http_url("/empty");
    get.response_file = dir.path / "empty";
    ASSERT_TRUE(http.send(get));
    EXPECT_TRUE(fs::exists(dir.path / "empty")) << "an empty object is still a file";

    get.url = server.http_url("/nothing");
    get.response_file = dir.path / "nothing";
    auto missing = http.send(get);
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(missing->body, "no route for /nothing");
    EXPECT_FALSE(fs::exists(dir.path / "nothing"));
}

TEST(CurlHttpTransport, ConnectionRefusedIsAConnectionErrorWithoutTheQuery) {
    CurlHttpTransport t(HttpTransportOptions{.connect_timeout = milliseconds(2000), .total_timeout = milliseconds(5000)});
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    auto r = t.send(HttpRequest{"GET", "http://127.0.0.1:1/q?apikey=SECRET"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, TransportErrorKind::connection);
    EXPECT_NE(r.error().message.find("127.0.0.1:1"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("SECRET"), std::string::npos) << r.error().message;
}

TEST(CurlHttpTransport, AStalledAnswerIsATimeoutAfterTheStallTimeNotTheTotal) {
    // A listener that never accepts: the kernel completes the handshake from its backlog, the
    // request is sent, and no answer ever comes, as on a hung connection to a store.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 4), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/stuck";

    CurlHttpTransport t(HttpTransportOptions{.total_timeout = milliseconds(60'000), .stall_timeout = std::chrono::seconds(1)});
    const auto t0 = std::chrono::steady_clock::now();
    auto r = t.send(HttpRequest{"GET", url});
    const auto waited = std::chrono::steady_clock::now() - t0;
    ::close(fd);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, TransportErrorKind::timeout) << r.error().message;
    EXPECT_TRUE(is_transient(r));
    EXPECT_LT(waited, std::chrono::seconds(20)) << "the stall time, not the 60 s total, ended it";
}

} // namespace
} // namespace ticklake::net
