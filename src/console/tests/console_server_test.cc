// The console's hardening over real HTTP on 127.0.0.1: token, headers, origins, sizes, slow
// clients, paths; and that the server answers after every refusal.
#include "console/console_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "console/static_files.h"
#include "net/http_transport.h"

namespace ticklake::console {
namespace {

constexpr const char* kToken = "test-token-0123456789";

// A raw TCP client, for requests no well-behaved client sends.
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
        timeval tv{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~RawClient() { ::close(fd_); }
    bool send(std::string_view text) { return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == (ssize_t)text.size(); }
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

class ConsoleServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("tl-console-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        ASSERT_TRUE(Catalog::open(dir_ / "catalog.db")); // an empty catalog
        ConsoleOptions o;
        o.listen = "127.0.0.1:0";
        o.token = kToken;
        o.api.engine.catalog = dir_ / "catalog.db";
        o.api.engine.threads = 1;
        o.max_request_bytes = 8 * 1024;
        o.request_timeout = std::chrono::milliseconds(700);
        auto s = ConsoleServer::start(o, registry_);
        ASSERT_TRUE(s) << s.error().message;
        server_ = std::move(*s);
        port_ = static_cast<uint16_t>(std::stoi(server_->base_url().substr(server_->base_url().rfind(':') + 1)));
    }
    void TearDown() override {
        server_.reset();
        std::filesystem::remove_all(dir_);
    }

    net::HttpResponse send(const std::string& method, const std::string& target, std::vector<net::HttpHeader> headers = {},
                           std::string body = {}) {
        net::CurlHttpTransport transport(net::HttpTransportOptions{.connect_timeout = std::chrono::seconds(2),
                                                                   .total_timeout = std::chrono::seconds(20)});
        net::HttpRequest req;
        req.method = method;
        req.url = server_->base_url() + target;
        req.headers = std::move(headers);
        req.body = std::move(body);
        auto r = transport.send(req);
        EXPECT_TRUE(r) << r.error().message;
        return r ? *r : net::HttpResponse{};
    }
    std::vector<net::HttpHeader> auth() { return {{"Authorization", std::string("Bearer ") + kToken}}; }
    std::vector<net::HttpHeader> auth_json() {
        auto h = auth();
        h.push_back({"Content-Type", "application/json"});
        return h;
    }
    void expect_up() {
        auto r = send("GET", "/healthz");
        EXPECT_EQ(r.status, 200);
    }

    std::filesystem::path dir_;
    metrics::Registry registry_;
    std::unique_ptr<ConsoleServer> server_;
    uint16_t port_ = 0;
};

TEST_F(ConsoleServerTest, ThePageIsServedWithTheSecurityHeaders) {
    auto page = send("GET", "/");
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("<script type=\"module\" src=\"/app.js\">"), std::string::npos);
    const std::string csp = page.header("content-security-policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    const std::string script_src = csp.substr(csp.find("script-src "), csp.find(';', csp.find("script-src ")) - csp.find("script-src "));
    EXPECT_EQ(script_src, "script-src 'self'") << csp; // no inline script, no eval
    EXPECT_EQ(csp.find("style-src-elem"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(page.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(page.header("access-control-allow-origin"), "");
    auto chart = send("GET", "/vendor/lightweight-charts.mjs");
    EXPECT_EQ(chart.status, 200);
    EXPECT_EQ(chart.header("content-type"), "text/javascript; charset=utf-8");
    // The page has no inline script for the CSP to refuse.
    for (const auto& f : static_files()) {
        if (f.path.ends_with(".html")) {
            EXPECT_EQ(f.body.find("<script>"), std::string::npos) << f.path;
            EXPECT_EQ(f.body.find(" on"), std::string::npos) << f.path << ": an inline event handler";
        }
    }
}

TEST_F(ConsoleServerTest, TheApiAnswers401WithoutTheRightToken) {
    EXPECT_EQ(send("GET", "/api/status").status, 401);
    EXPECT_EQ(send("GET", "/api/status", {{"Authorization", "Bearer wrong-token-0123456789"}}).status, 401);
    EXPECT_EQ(send("GET", "/api/status", {{"Authorization", std::string("Basic ") + kToken}}).status, 401);
    EXPECT_EQ(send("GET", "/metrics").status, 401);
    auto q = send("POST", "/api/query", {{"Content-Type", "application/json"}}, R"({"sql":"SELECT 1"})");
    EXPECT_EQ(q.status, 401);
    EXPECT_NE(q.header("www-authenticate").find("Bearer"), std::string::npos);
    auto ok = send("GET", "/api/status", auth());
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_NE(ok.body.find("\"tables\":[]"), std::string::npos) << ok.body;
    EXPECT_EQ(send("GET", "/metrics", auth()).status, 200);
}

TEST_F(ConsoleServerTest, QueriesRunWithTheGuardrailsAndRefusalsSayWhy) {
    auto ok = send("POST", "/api/query", auth_json(), R"({"sql":"SELECT 42 AS answer, 'x' AS s, NULL AS n"})");
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_NE(ok.body.find(R"("rows":[[42,"x",null]])"), std::string::npos) << ok.body;
    EXPECT_NE(ok.body.find("\"bytes_scanned\":0"), std::string::npos) << ok.body;
    EXPECT_NE(ok.body.find("\"s3_bytes\":0,\"s3_cache_bytes\":0"), std::string::npos) << ok.body; // no S3 table
    // The query command's attack corpus, through the API: all refused, the server stays up.
    for (const char* sql : {"COPY (SELECT 1) TO '/tmp/tl-console-pwned.csv'", "SELECT * FROM read_csv('/etc/passwd')",
                            "ATTACH '/tmp/x.db' AS x", "INSTALL httpfs", "SET enable_external_access = true",
                            "CREATE TABLE t AS SELECT 1", "PRAGMA database_list; COPY (SELECT 1) TO '/tmp/y.csv'"}) {
        std::string body = std::string(R"({"sql":")") + sql + "\"}";
        auto r = send("POST", "/api/query", auth_json(), body);
        EXPECT_EQ(r.status, 400) << sql << ": " << r.body;
        EXPECT_NE(r.body.find("\"error\":"), std::string::npos) << r.body;
    }
    EXPECT_FALSE(std::filesystem::exists("/tmp/tl-console-pwned.csv"));
    EXPECT_EQ(send("POST", "/api/query", auth_json(), "not json").status, 400);
    EXPECT_EQ(send("GET", "/api/query", auth()).status, 400);
    expect_up();
}

TEST_F(ConsoleServerTest, CrossOriginAndForeignHostsAreRefused) {
    auto h = auth_json();
    h.push_back({"Origin", "http://evil.example"});
    EXPECT_EQ(send("POST", "/api/query", h, R"({"sql":"SELECT 1"})").status, 403);
    auto text = auth();
    text.push_back({"Content-Type", "text/plain"});
    EXPECT_EQ(send("POST", "/api/query", text, R"({"sql":"SELECT 1"})").status, 415);
    EXPECT_EQ(send("OPTIONS", "/api/query", {{"Origin", "http://evil.example"}}).status, 405);
    auto same = auth_json();
    same.push_back({"Origin", server_->base_url()});
    EXPECT_EQ(send("POST", "/api/query", same, R"({"sql":"SELECT 1"})").status, 200);
    // DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends its own Host.
    RawClient c(port_);
    ASSERT_TRUE(c.send("GET /api/status HTTP/1.1\r\nHost: evil.example:8787\r\nConnection: close\r\n\r\n"));
    EXPECT_NE(c.read_all().find("HTTP/1.1 403"), std::string::npos);
    expect_up();
}

TEST_F(ConsoleServerTest, OnlyTheBuiltInFilesAreServed) {
    for (const char* target : {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/vendor/../../../etc/passwd",
                               "/..%2f..%2fetc%2fpasswd", "//etc/passwd", "/index.html/../../../etc/passwd",
                               "/web/index.html", "/node_modules/lightweight-charts/package.json", "/.git/config"}) {
        RawClient c(port_);
        ASSERT_TRUE(c.send(std::string("GET ") + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        const std::string answer = c.read_all();
        EXPECT_NE(answer.find("HTTP/1.1 404"), std::string::npos) << target << ": " << answer.substr(0, 200);
        EXPECT_EQ(answer.find("root:"), std::string::npos) << target;
    }
    expect_up();
}

TEST_F(ConsoleServerTest, OversizedBodiesAndSlowClientsAreCut) {
    {
        RawClient c(port_);
        const std::string body = R"({"sql":"SELECT ')" + std::string(64 * 1024, 'x') + R"('"})";
        c.send("POST /api/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer " +
               std::string(kToken) + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
        EXPECT_NE(c.read_all().find("HTTP/1.1 413"), std::string::npos);
    }
    {
        RawClient c(port_); // a header alone over the limit
        c.send("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(16 * 1024, 'a') + "\r\n\r\n");
        EXPECT_NE(c.read_all().find("HTTP/1.1 413"), std::string::npos);
    }
    // Slowloris: headers a byte at a time never finish a request; the server closes it at the
    // request timeout (700 ms here) while it keeps answering others.
    RawClient slow(port_);
    const auto start = std::chrono::steady_clock::now();
    const std::string head = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    bool cut = false;
    for (size_t i = 0; i < 100 && !cut; ++i) {
        cut = !slow.send(std::string(1, head[i % head.size()]));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (i == 5) {
            expect_up(); // served meanwhile
        }
        if (std::chrono::steady_clock::now() - start > std::chrono::seconds(2)) {
            break;
        }
    }
    EXPECT_EQ(slow.read_all(), ""); // closed without an answer
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
    expect_up();
}

TEST(ConsoleServer, RefusesToListenBeyondTheLoopbackWithoutAToken) {
    metrics::Registry registry;
    ConsoleOptions o;
    o.listen = "0.0.0.0:0";
    auto s = ConsoleServer::start(o, registry);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(s.error().message.find("token"), std::string::npos) << s.error().message;
}

} // namespace
} // namespace ticklake::console
