#include "net/http_server.h"

#include <atomic>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "common/log.h"

namespace ticklake::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class Session;

} // namespace

// What the server's thread works on (HttpServer::Impl is it, under the header's private name).
struct ServerCore {
    HttpServerOptions options;
    HttpRoutes routes;
    std::string host;
    uint16_t port = 0;
    // Owned by the server's thread. Declared before ioc: handlers the io_context still holds
    // when it is destroyed end sessions, which unregister themselves here.
    std::map<Session*, std::weak_ptr<Session>> sessions;
    asio::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    std::thread thread;
    //! Runs handlers when options.handler_threads > 0; sockets stay on `thread`.
    std::optional<asio::thread_pool> handlers;
    std::atomic<bool> stopped{false}; // set by stop(), read by answers on the server's thread

    void accept();
    HttpServerResponse dispatch(const HttpServerRequest& request) const;
    const HttpRouteHandler* find(const std::string& path) const;
};

struct HttpServer::Impl : ServerCore {};

namespace {

// One client connection: read a request (whole, within the timeout), answer it, and read the
// next while the client keeps the connection alive.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, ServerCore& server) : stream_(std::move(socket)), server_(server) {}
    ~Session() { server_.sessions.erase(this); }

    void start() {
        server_.sessions[this] = weak_from_this();
        read();
    }

    //! A handler of this connection is running on the pool; stop() lets it answer first.
    bool busy() const { return busy_; }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
    }

private:
    void read() {
        parser_.emplace();
        parser_->header_limit(static_cast<uint32_t>(server_.options.max_request_bytes));
        parser_->body_limit(server_.options.max_request_bytes);
        // One deadline for the whole request (and the idle wait before it): a client that
        // sends a byte a second cannot keep the connection.
        stream_.expires_after(server_.options.request_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::body_limit || ec == http::error::header_limit || ec == http::error::buffer_overflow) {
            write(HttpServerResponse::text(413, "request too large\n"), false, false);
            return;
        }
        if (ec) {
            close(); // end of stream, timeout, reset, a malformed request, or stop()
            return;
        }
        const auto& req = parser_->get();
        const bool head = req.method() == http::verb::head;
        const bool post = req.method() == http::verb::post && server_.options.accept_post;
        HttpServerResponse response;
        if (req.method() != http::verb::get && !head && !post) {
            response = HttpServerResponse::text(
                405, server_.options.accept_post ? "only GET, HEAD and POST are served\n" : "only GET and HEAD are served\n");
        } else {
            HttpServerRequest r;
            r.method = std::string(req.method_string());
            r.target = std::string(req.target());
            const auto q = r.target.find('?');
            r.path = r.target.substr(0, q);
            r.query = q == std::string::npos ? std::string() : r.target.substr(q + 1);
            for (const auto& field : req) {
                std::string name(field.name_string());
                for (char& c : name) {
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                }
                r.headers[name] = std::string(field.value());
            }
            if (post) {
                r.body = req.body();
            }
            if (server_.handlers) {
                dispatch_elsewhere(std::move(r), req.keep_alive(), head);
                return;
            }
            response = server_.dispatch(r);
        }
        write(std::move(response), req.keep_alive(), head);
    }

    // The handler runs on a pool thread, so a slow route (a query) does not hold the others;
    // its answer is written back on the server's thread, which alone touches sockets and the
    // session table. The work guard keeps that thread's run() going until the answer is back.
    void dispatch_elsewhere(HttpServerRequest request, bool keep_alive, bool head) {
        busy_ = true;
        auto back = asio::make_work_guard(server_.ioc);
        asio::post(*server_.handlers, [self = shared_from_this(), request = std::move(request), keep_alive, head,
                                       back = std::move(back)]() mutable {
            HttpServerResponse response = self->server_.dispatch(request);
            asio::post(back.get_executor(), [self, response = std::move(response), keep_alive, head]() mutable {
                self->busy_ = false;
                self->write(std::move(response), keep_alive, head);
            });
            back.reset();
        });
    }

    void write(HttpServerResponse response, bool keep_alive, bool head) {
        auto res = std::make_shared<http::response<http::string_body>>();
        res->version(11);
        res->result(static_cast<unsigned>(response.status));
        res->set(http::field::server, "ticklake");
        res->set(http::field::content_type, response.content_type);
        res->set(http::field::cache_control, "no-store");
        for (const auto& [name, value] : server_.options.response_headers) {
            res->set(name, value);
        }
        for (const auto& [name, value] : response.headers) {
            res->set(name, value);
        }
        keep_alive = keep_alive && !server_.stopped; // an answer finished after stop() is the last
        res->keep_alive(keep_alive);
        if (head) {
            res->set(http::field::content_length, std::to_string(response.body.size()));
        } else {
            res->body() = std::move(response.body);
            res->prepare_payload();
        }
        stream_.expires_after(server_.options.request_timeout);
        http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
            if (ec || !keep_alive) {
                self->close();
                return;
            }
            self->read();
        });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    ServerCore& server_;
    bool busy_ = false;
};

// Answered to a connection over the limit, written without waiting: it fits any socket buffer.
void refuse_busy(tcp::socket& socket) {
    static constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 34\r\n"
        "Connection: close\r\n\r\ntoo many connections, retry later\n";
    beast::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(kBusy.data(), kBusy.size()), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
}

} // namespace

void ServerCore::accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (ec != asio::error::operation_aborted) {
                log::warn("http server {}:{}: accept failed: {}", host, port, ec.message());
                accept();
            }
            return; // operation_aborted: stop() closed the acceptor
        }
        if (sessions.size() >= options.max_connections) {
            refuse_busy(socket);
        } else {
            std::make_shared<Session>(std::move(socket), *this)->start();
        }
        accept();
    });
}

const HttpRouteHandler* ServerCore::find(const std::string& path) const {
    if (auto it = routes.find(path); it != routes.end()) {
        return &it->second;
    }
    const HttpRouteHandler* best = nullptr;
    size_t best_length = 0;
    for (const auto& [key, handler] : routes) {
        if (key.size() >= 2 && key.ends_with("/*")) {
            const std::string_view prefix(key.data(), key.size() - 1); // keeps the '/'
            if (path.starts_with(prefix) && prefix.size() > best_length) {
                best = &handler;
                best_length = prefix.size();
            }
        }
    }
    return best;
}

HttpServerResponse ServerCore::dispatch(const HttpServerRequest& request) const {
    const HttpRouteHandler* handler = find(request.path);
    if (handler == nullptr) {
        return HttpServerResponse::text(404, "not found: " + request.path + "\n");
    }
    try {
        return (*handler)(request);
    } catch (const std::exception& e) {
        // A handler's bug answers 500 and the server goes on; the line says which route.
        log::error("http server: {} failed: {}", request.path, e.what());
        return HttpServerResponse::text(500, "internal error\n");
    }
}

Result<std::pair<std::string, uint16_t>> parse_listen_address(std::string_view text) {
    auto bad = [&](std::string_view why) {
        return fail(Error::invalid(fmt::format("bad listen address '{}': {} (expected HOST:PORT, e.g. 127.0.0.1:9464; "
                                               "port 0 picks a free one)",
                                               text, why)));
    };
    std::string host;
    std::string_view port_text;
    if (text.starts_with('[')) {
        const auto close = text.find("]:");
        if (close == std::string_view::npos) {
            return bad("an IPv6 address needs [ADDRESS]:PORT");
        }
        host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            return bad("no port");
        }
        host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
    }
    if (host.empty()) {
        return bad("no host");
    }
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        return bad("the port must be a number from 0 to 65535");
    }
    return std::make_pair(host, static_cast<uint16_t>(port));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpServerOptions& options, HttpRoutes routes) {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->routes = std::move(routes);
    beast::error_code ec;
    tcp::resolver resolver(impl->ioc);
    const auto found = resolver.resolve(options.host, std::to_string(options.port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || found.empty()) {
        return fail(Error::invalid(fmt::format("cannot listen on {}:{}: {}", options.host, options.port,
                                               ec ? ec.message() : "no such address")));
    }
    const tcp::endpoint endpoint = found.begin()->endpoint();
    auto& acceptor = impl->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return fail(Error::invalid(fmt::format("cannot listen on {}:{}: {}", options.host, options.port, ec.message())));
    }
    impl->host = endpoint.address().to_string();
    impl->port = acceptor.local_endpoint().port();
    impl->accept();
    if (options.handler_threads > 0) {
        impl->handlers.emplace(options.handler_threads);
    }
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] { raw->ioc.run(); });
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void HttpServer::stop() {
    if (impl_->stopped) {
        return;
    }
    impl_->stopped = true;
    Impl* impl = impl_.get();
    // On the server's thread: no new connection, every open one closed; their handlers then
    // complete (aborted) and run() returns once nothing is left to do.
    asio::post(impl->ioc, [impl] {
        beast::error_code ec;
        impl->acceptor.close(ec);
        auto sessions = impl->sessions; // closing may end a session, which unregisters itself
        for (auto& [raw, weak] : sessions) {
            if (auto s = weak.lock(); s && !s->busy()) {
                s->close(); // a busy one closes once its answer is written
            }
        }
    });
    if (impl->thread.joinable()) {
        impl->thread.join(); // after handlers in progress handed their answers back
    }
    if (impl->handlers) {
        impl->handlers->join();
    }
}

HttpServer::~HttpServer() { stop(); }

const std::string& HttpServer::host() const { return impl_->host; }
uint16_t HttpServer::port() const { return impl_->port; }

std::string HttpServer::base_url() const {
    const bool v6 = impl_->host.find(':') != std::string::npos;
    return fmt::format("http://{}{}{}:{}", v6 ? "[" : "", impl_->host, v6 ? "]" : "", impl_->port);
}

} // namespace ticklake::net
