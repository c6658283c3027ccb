#include "net/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/metrics.h"
#include "net/http_transport.h"
#include "net/metrics_endpoint.h"

namespace ticklake::net {
namespace {

HttpResult get(const HttpServer& server, const std::string& target, const std::string& method = "GET") {
    CurlHttpTransport transport(HttpTransportOptions{.connect_timeout = std::chrono::seconds(2),
                                                     .total_timeout = std::chrono::seconds(5)});
    HttpRequest req;
    req.method = method;
    req.url = server.base_url() + target;
    return transport.send(req);
}

// A raw TCP client, for what a well-behaved HTTP client never does.
class RawClient {
public:
    explicit RawClient(uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            throw std::runtime_error("connect failed");
        }
        timeval tv{5, 0}; // a read never hangs the test
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~RawClient() { ::close(fd_); }
    void send(std::string_view text) { ASSERT_EQ(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL), (ssize_t)text.size()); }
    //! Everything until the server closes (or 5 s pass).
    std::string read_all() {
        std::string out;
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) {
                return out;
            }
            out.append(buf, static_cast<size_t>(n));
        }
    }

private:
    int fd_ = -1;
};

HttpRoutes sample_routes() {
    HttpRoutes routes;
    routes["/hello"] = [](const HttpServerRequest& r) {
        return HttpServerResponse::text(200, "hello " + r.query + "\n");
    };
    routes["/api/status"] = [](const HttpServerRequest&) { return HttpServerResponse::json(200, R"({"ok":true})"); };
    routes["/static/*"] = [](const HttpServerRequest& r) { return HttpServerResponse::text(200, "file " + r.path); };
    routes["/broken"] = [](const HttpServerRequest&) -> HttpServerResponse { throw std::runtime_error("bug"); };
    return routes;
}

TEST(HttpServer, ServesRoutesWithTheirTypes404AndErrors) {
    auto server = HttpServer::start({}, sample_routes());
    ASSERT_TRUE(server) << server.error().message;
    EXPECT_EQ((*server)->host(), "127.0.0.1");
    EXPECT_GT((*server)->port(), 0);

    auto hello = get(**server, "/hello?x=1");
    ASSERT_TRUE(hello) << hello.error().message;
    EXPECT_EQ(hello->status, 200);
    EXPECT_EQ(hello->body, "hello x=1\n");
    EXPECT_EQ(hello->header("content-type"), "text/plain; charset=utf-8");

    auto json = get(**server, "/api/status");
    ASSERT_TRUE(json);
    EXPECT_EQ(json->body, R"({"ok":true})");
    EXPECT_EQ(json->header("content-type"), "application/json");

    auto file = get(**server, "/static/js/app.js");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->status, 200);
    EXPECT_EQ(file->body, "file /static/js/app.js");

    auto missing = get(**server, "/nothing");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    auto not_under = get(**server, "/static"); // the prefix route is for paths under /static/
    ASSERT_TRUE(not_under);
    EXPECT_EQ(not_under->status, 404);

    auto broken = get(**server, "/broken");
    ASSERT_TRUE(broken);
    EXPECT_EQ(broken->status, 500);
    auto post = get(**server, "/hello", "POST");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 405);
    // The server goes on after all of that.
    auto again = get(**server, "/hello");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
}

TEST(HttpServer, PostBodiesHeadersAndServerWideResponseHeadersWhenAccepted) {
    HttpRoutes routes;
    routes["/echo"] = [](const HttpServerRequest& r) {
        HttpServerResponse res = HttpServerResponse::text(200, r.method + " " + r.header("x-probe") + " " + r.body);
        res.headers.emplace_back("X-Route", "echo");
        return res;
    };
    HttpServerOptions options;
    options.accept_post = true;
    options.response_headers = {{"X-Content-Type-Options", "nosniff"}};
    auto server = HttpServer::start(options, routes);
    ASSERT_TRUE(server) << server.error().message;
    CurlHttpTransport transport(HttpTransportOptions{.connect_timeout = std::chrono::seconds(2),
                                                     .total_timeout = std::chrono::seconds(5)});
    HttpRequest req;
    req.method = "POST";
    req.url = (*server)->base_url() + "/echo";
    req.headers = {{"X-Probe", "p1"}};
    req.body = "select 1";
    auto post = transport.send(req);
    ASSERT_TRUE(post) << post.error().message;
    EXPECT_EQ(post->status, 200);
    EXPECT_EQ(post->body, "POST p1 select 1");
    EXPECT_EQ(post->header("x-route"), "echo");
    EXPECT_EQ(post->header("x-content-type-options"), "nosniff");
    // Refusals carry the server's headers too, and other methods stay refused.
    auto missing = get(**server, "/nothing");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(missing->header("x-content-type-options"), "nosniff");
    auto put = get(**server, "/echo", "PUT");
    ASSERT_TRUE(put);
    EXPECT_EQ(put->status, 405);
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
    auto server = HttpServer::start({}, sample_routes());
    ASSERT_TRUE(server);
    RawClient c((*server)->port());
    c.send("GET /hello?a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello?b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const std::string all = c.read_all();
    EXPECT_NE(all.find("hello a\n"), std::string::npos) << all;
    EXPECT_NE(all.find("hello b\n"), std::string::npos) << all;
}

TEST(HttpServer, ConcurrentScrapesAllAnswered) {
    metrics::Registry registry;
    auto& counter = registry.counter("ticklake_test_total", "T").get();
    auto server = start_metrics_endpoint("127.0.0.1:0", registry, [] { return Readiness{true, "fine"}; });
    ASSERT_TRUE(server) << server.error().message;
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                counter.inc();
                auto r = get(**server, "/metrics");
                if (r && r->status == 200 && r->body.find("# TYPE ticklake_test_total counter") != std::string::npos) {
                    ++ok;
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(ok.load(), 200);
    auto last = get(**server, "/metrics");
    ASSERT_TRUE(last);
    EXPECT_NE(last->body.find("ticklake_test_total 200\n"), std::string::npos) << last->body;
    EXPECT_EQ(last->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
}

TEST(HttpServer, ReadinessAnswers503WithReasonThen200) {
    metrics::Registry registry;
    std::atomic<bool> assigned{false};
    auto server = start_metrics_endpoint("127.0.0.1:0", registry, [&] {
        return assigned ? Readiness{true, "partitions assigned"} : Readiness{false, "no partition assigned yet"};
    });
    ASSERT_TRUE(server);
    auto health = get(**server, "/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    auto before = get(**server, "/readyz");
    ASSERT_TRUE(before);
    EXPECT_EQ(before->status, 503);
    EXPECT_EQ(before->body, "not ready: no partition assigned yet\n");
    assigned = true;
    auto after = get(**server, "/readyz");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200);
    EXPECT_EQ(after->body, "ready: partitions assigned\n");
}

TEST(HttpServer, SlowClientIsCutAndOthersAreServedMeanwhile) {
    HttpServerOptions options;
    options.request_timeout = std::chrono::milliseconds(300);
    auto server = HttpServer::start(options, sample_routes());
    ASSERT_TRUE(server);
    RawClient slow((*server)->port());
    slow.send("GET /hello HTTP/1.1\r\nHo"); // and never the rest
    auto other = get(**server, "/hello");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 200);
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(slow.read_all(), ""); // closed without an answer
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST(HttpServer, OversizedRequestIs413) {
    HttpServerOptions options;
    options.max_request_bytes = 1024;
    auto server = HttpServer::start(options, sample_routes());
    ASSERT_TRUE(server);
    RawClient c((*server)->port());
    c.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
    EXPECT_NE(c.read_all().find("HTTP/1.1 413"), std::string::npos);
}

TEST(HttpServer, ConnectionsOverTheLimitGet503) {
    HttpServerOptions options;
    options.max_connections = 2;
    auto server = HttpServer::start(options, sample_routes());
    ASSERT_TRUE(server);
    {
        RawClient a((*server)->port());
        RawClient b((*server)->port());
        a.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"); // kept alive: holds its slot
        b.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        RawClient c((*server)->port());
        EXPECT_NE(c.read_all().find("HTTP/1.1 503"), std::string::npos);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // the server sees them leave
    auto r = get(**server, "/hello");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, StopClosesEverythingAndIsIdempotent) {
    auto server = HttpServer::start({}, sample_routes());
    ASSERT_TRUE(server);
    RawClient idle((*server)->port());
    idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // answered; kept alive, idle
    const std::string url = (*server)->base_url();
    const auto t0 = std::chrono::steady_clock::now();
    (*server)->stop();
    (*server)->stop();
    EXPECT_NE(idle.read_all().find("hello"), std::string::npos);
    // Closed by stop(), not by the 5 s idle timeout.
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    CurlHttpTransport transport;
    HttpRequest req;
    req.url = url + "/hello";
    EXPECT_FALSE(transport.send(req));
}

// With a handler pool, a slow route holds no other request; without one (the default) it
// does, which is what the pool is for. stop() waits for the slow answer and sends it.
TEST(HttpServer, HandlerThreadsAnswerWhileASlowHandlerRuns) {
    for (const size_t threads : {size_t{0}, size_t{3}}) {
        std::atomic<bool> slow_running{false};
        HttpRoutes routes = sample_routes();
        routes["/slow"] = [&](const HttpServerRequest&) {
            slow_running = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            return HttpServerResponse::text(200, "slow done\n");
        };
        HttpServerOptions options;
        options.handler_threads = threads;
        auto server = HttpServer::start(options, routes);
        ASSERT_TRUE(server);
        RawClient slow((*server)->port());
        slow.send("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        while (!slow_running) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        const auto t0 = std::chrono::steady_clock::now();
        auto fast = get(**server, "/hello?fast");
        const auto took = std::chrono::steady_clock::now() - t0;
        ASSERT_TRUE(fast) << fast.error().message;
        EXPECT_EQ(fast->body, "hello fast\n");
        if (threads > 0) {
            EXPECT_LT(took, std::chrono::milliseconds(700)) << "the fast route waited for the slow one";
        } else {
            EXPECT_GT(took, std::chrono::milliseconds(700)) << "one thread: the fast route waits its turn";
        }
        (*server)->stop();
        EXPECT_NE(slow.read_all().find("slow done"), std::string::npos);
    }
}

TEST(HttpServer, AddressInUseIsAnError) {
    auto a = HttpServer::start({}, sample_routes());
    ASSERT_TRUE(a);
    HttpServerOptions options;
    options.port = (*a)->port();
    auto b = HttpServer::start(options, sample_routes());
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().message.find("cannot listen on 127.0.0.1:"), std::string::npos) << b.error().message;
}

TEST(ParseListenAddress, HostPortV6AndErrors) {
    EXPECT_EQ(*parse_listen_address("127.0.0.1:9464"), std::make_pair(std::string("127.0.0.1"), uint16_t{9464}));
    EXPECT_EQ(*parse_listen_address("localhost:0"), std::make_pair(std::string("localhost"), uint16_t{0}));
    EXPECT_EQ(*parse_listen_address("[::1]:80"), std::make_pair(std::string("::1"), uint16_t{80}));
    for (const char* bad : {"9464", ":9464", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:x", "[::1]80"}) {
        auto r = parse_listen_address(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
        EXPECT_NE(r.error().message.find("HOST:PORT"), std::string::npos);
    }
}

} // namespace
} // namespace ticklake::net
