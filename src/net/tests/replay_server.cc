#include "net/tests/replay_server.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace ticklake::net::testing {

namespace beast = boost::beast;
namespace asio = boost::asio;
namespace websocket = beast::websocket;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct ReplayServer::Impl {
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::optional<asio::ssl::context> tls; //!< set when the server speaks TLS (wss://, https://)
};

ReplayServer::ReplayServer(ReplayServerOptions options) : impl_(std::make_unique<Impl>()), options_(std::move(options)) {
    http_served_.assign(options_.routes.size(), 0);
    if (!options_.tls_cert_file.empty()) {
        impl_->tls.emplace(asio::ssl::context::tls_server);
        impl_->tls->use_certificate_chain_file(options_.tls_cert_file);
        impl_->tls->use_private_key_file(options_.tls_key_file, asio::ssl::context::pem);
    }
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    port_ = impl_->acceptor.local_endpoint().port();
    thread_ = std::thread([this] { run(); });
}

ReplayServer::~ReplayServer() {
    stop_ = true;
    const int fd = active_fd_.load();
    if (fd >= 0) {
        ::shutdown(fd, SHUT_RDWR);
    }
    ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
    // A connection to ourselves wakes a blocking accept() where shutdown() does not.
    try {
        asio::io_context ioc;
        tcp::socket s(ioc);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    } catch (const std::exception&) {
    }
    thread_.join();
}

std::string ReplayServer::ws_url(const std::string& path) const {
    return (impl_->tls ? "wss://127.0.0.1:" : "ws://127.0.0.1:") + std::to_string(port_) + path;
}

std::string ReplayServer::http_url(const std::string& path) const {
    return (impl_->tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

std::vector<std::vector<std::string>> ReplayServer::received() const {
    std::lock_guard lock(mu_);
    return received_;
}

std::vector<std::string> ReplayServer::targets() const {
    std::lock_guard lock(mu_);
    return targets_;
}

std::vector<RecordedHttpRequest> ReplayServer::http_requests() const {
    std::lock_guard lock(mu_);
    return http_requests_;
}

std::string RecordedHttpRequest::header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
        if (n == name) {
            return v;
        }
    }
    return {};
}

void ReplayServer::run() {
    while (!stop_) {
        tcp::socket socket(impl_->ioc);
        beast::error_code ec;
        impl_->acceptor.accept(socket, ec);
        if (ec || stop_) {
            break;
        }
        active_fd_ = socket.native_handle();
        ++accepted_;
        try {
            if (impl_->tls) {
                beast::ssl_stream<tcp::socket> stream(std::move(socket), *impl_->tls);
                stream.handshake(asio::ssl::stream_base::server);
                serve(std::move(stream));
            } else {
                serve(std::move(socket));
            }
        } catch (const std::exception&) {
            // The client went away mid-script: that ends this connection, not the server.
        }
        active_fd_ = -1;
    }
}

namespace {

RecordedHttpRequest recorded(const http::request<http::string_body>& req) {
    RecordedHttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    for (const auto& field : req) {
        std::string name(field.name_string());
        for (char& c : name) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        r.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    r.body = req.body();
    return r;
}

} // namespace

template <class Stream>
void ReplayServer::serve(Stream socket) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        http::read(socket, buffer, req);
        {
            std::lock_guard lock(mu_);
            targets_.emplace_back(req.target());
        }
        if (websocket::is_upgrade(req)) {
            if (!options_.require_in_target.empty() &&
                std::string(req.target()).find(options_.require_in_target) == std::string::npos) {
                ++refused_;
                http::response<http::string_body> res{http::status::unauthorized, req.version()};
                res.set(http::field::content_type, "application/json");
                res.body() = R"({"error":"Invalid API key"})";
                res.prepare_payload();
                http::write(socket, res);
                return;
            }
            const size_t index = connections_++;
            {
                std::lock_guard lock(mu_);
                received_.emplace_back();
            }
            websocket::stream<Stream> ws(std::move(socket));
            ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
                if (kind == websocket::frame_type::pong) {
                    ++pongs_;
                } else if (kind == websocket::frame_type::ping) {
                    ++client_pings_;
                }
            });
            ws.accept(req);
            auto record = [&](const beast::flat_buffer& b) {
                std::lock_guard lock(mu_);
                received_[index].push_back(beast::buffers_to_string(b.data()));
            };
            const WsScript empty;
            const WsScript& script =
                options_.scripts.empty() ? empty : options_.scripts[std::min(index, options_.scripts.size() - 1)];
            for (const WsStep& step : script) {
                switch (step.kind) {
                case WsStep::Kind::send:
                    ws.text(true);
                    ws.write(asio::buffer(step.text));
                    break;
                case WsStep::Kind::expect:
                    for (;;) {
                        beast::flat_buffer in;
                        ws.read(in);
                        record(in);
                        if (beast::buffers_to_string(in.data()).find(step.text) != std::string::npos) {
                            break;
                        }
                    }
                    break;
                case WsStep::Kind::ping:
                    ws.ping({});
                    break;
                case WsStep::Kind::drop: {
                    beast::error_code ec;
                    beast::get_lowest_layer(ws).shutdown(tcp::socket::shutdown_both, ec);
                    beast::get_lowest_layer(ws).close(ec);
                    ++finished_;
                    return;
                }
                case WsStep::Kind::close:
                    ws.close(websocket::close_reason(static_cast<websocket::close_code>(step.code), step.text));
                    {
                        // Drain until the client's close answer ends the read.
                        beast::flat_buffer in;
                        beast::error_code ec;
                        while (!ec) {
                            ws.read(in, ec);
                            in.clear();
                        }
                    }
                    ++finished_;
                    return;
                case WsStep::Kind::hang:
                    std::this_thread::sleep_for(std::chrono::milliseconds(step.ms));
                    break;
                case WsStep::Kind::soak:
                    soak(ws, step);
                    break;
                }
            }
            // Script done: keep reading until the client closes or goes away.
            beast::error_code ec;
            while (!ec && !stop_) {
                beast::flat_buffer in;
                ws.read(in, ec);
                if (!ec) {
                    record(in);
                }
            }
            ++finished_;
            return;
        }
        // Plain HTTP: the first matching route answers; keep-alive until the client closes.
        {
            std::lock_guard lock(mu_);
            http_requests_.push_back(recorded(req));
        }
        http::response<http::string_body> res{http::status::not_found, req.version()};
        res.set(http::field::content_type, "text/plain");
        res.body() = "no route for " + std::string(req.target());
        for (size_t i = 0; i < options_.routes.size(); ++i) {
            const HttpRoute& route = options_.routes[i];
            if (std::string_view(req.target()).starts_with(route.path) && !route.replies.empty()) {
                const HttpReply& reply = route.replies[std::min(http_served_[i]++, route.replies.size() - 1)];
                res.result(static_cast<unsigned>(reply.status));
                res.set(http::field::content_type, reply.content_type);
                for (const auto& [name, value] : reply.headers) {
                    res.set(name, value);
                }
                res.body() = reply.body;
                break;
            }
        }
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        http::write(socket, res);
        if (!req.keep_alive()) {
            return;
        }
    }
}

template <class Ws>
void ReplayServer::soak(Ws& ws, const WsStep& step) {
    // Paced by the clock in 1 ms slices: behind schedule, it sends the backlog at once.
    const auto start = std::chrono::steady_clock::now();
    const uint64_t total = static_cast<uint64_t>(step.rate) * static_cast<uint64_t>(step.ms) / 1000;
    const uint64_t base = 100'000'000 + soak_sent_.load(); // ids continue across connections
    char buf[320];
    ws.text(true);
    for (uint64_t i = 0; i < total && !stop_;) {
        const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
        const uint64_t due = std::min<uint64_t>(total, static_cast<uint64_t>(elapsed.count()) * static_cast<uint64_t>(step.rate) / 1'000'000 + 1);
        if (i >= due) {
            std::this_thread::sleep_for(std::chrono::microseconds(500));
            continue;
        }
        for (; i < due; ++i) {
            const unsigned long long id = base + i;
            const long long ms = 1'700'000'000'000LL + static_cast<long long>(id / 50);
            const int n = std::snprintf(
                buf, sizeof buf,
                R"({"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":%lld,"s":"BTCUSDT","a":%llu,"p":"43250.%02llu000000",)"
                R"("q":"0.%05llu000","f":%llu,"l":%llu,"T":%lld,"m":%s,"M":true}})",
                ms, id, id % 100, id % 99'999 + 1, id, id, ms, (id & 1) ? "true" : "false");
            ws.write(asio::buffer(buf, static_cast<size_t>(n)));
            ++soak_sent_;
        }
    }
}

TestCertificate::~TestCertificate() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

std::unique_ptr<TestCertificate> make_test_certificate(const std::string& subject_alt_names) {
    static int counter = 0;
    const std::string dir = "/tmp/ticklake-test-cert-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    const std::string cmd = "mkdir -p " + dir + " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                            "-nodes -days 1 -subj /CN=ticklake-test -addext subjectAltName=" + subject_alt_names +
                            " -keyout " + dir + "/key.pem -out " + dir + "/cert.pem 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) {
        throw std::runtime_error("openssl could not make a test certificate: " + cmd);
    }
    return std::make_unique<TestCertificate>(dir, dir + "/cert.pem", dir + "/key.pem");
}

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("cannot read " + path);
    }
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    return lines;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("cannot read " + path);
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace ticklake::net::testing
