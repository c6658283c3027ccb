#include "net/websocket_client.h"

#include <optional>
#include <type_traits>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/url.h"

namespace ticklake::net {

namespace beast = boost::beast;
namespace asio = boost::asio;
namespace websocket = beast::websocket;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct WebSocketClient::Impl {
    virtual ~Impl() = default;
    virtual Status open(const Url& url, const WebSocketOptions& options) = 0;
    virtual Result<std::optional<std::string_view>> read(std::chrono::milliseconds wait) = 0;
    virtual Status send_text(std::string_view text) = 0;
    virtual void close() = 0;
    WebSocketCounters counters;
};

namespace {

template <bool Tls>
class Session final : public WebSocketClient::Impl {
    using Stream = std::conditional_t<Tls, websocket::stream<beast::ssl_stream<beast::tcp_stream>>,
                                      websocket::stream<beast::tcp_stream>>;

public:
    Session() : ssl_ctx_(asio::ssl::context::tls_client) {}

    ~Session() override {
        if (ws_) {
            beast::error_code ec;
            beast::get_lowest_layer(*ws_).socket().close(ec);
        }
    }

    Status open(const Url& url, const WebSocketOptions& options) override {
        options_ = options;
        where_ = url.redacted();
        if (auto st = make_stream(); !st) {
            return st;
        }
        if (auto st = connect_tcp(url); !st) {
            return st;
        }
        if constexpr (Tls) {
            if (auto st = tls_handshake(url); !st) {
                return st;
            }
        }
        configure_websocket();
        return websocket_handshake(url);
    }

    Result<std::optional<std::string_view>> read(std::chrono::milliseconds wait) override {
        if (broken_) {
            return fail(Error::retry("connection to " + where_ + " is closed"));
        }
        if (consumed_ > 0) {
            buffer_.consume(consumed_);
            consumed_ = 0;
        }
        if (!read_pending_) {
            read_pending_ = true;
            read_done_ = false;
            ws_->async_read(buffer_, [this](beast::error_code e, std::size_t n) {
                read_ec_ = e;
                read_size_ = n;
                read_done_ = true;
            });
        }
        const auto deadline = Clock::now() + wait;
        for (;;) {
            if (ioc_.stopped()) {
                ioc_.restart();
            }
            ioc_.poll();
            if (read_done_ || Clock::now() >= deadline) {
                break;
            }
            if (ioc_.stopped()) {
                ioc_.restart();
            }
            ioc_.run_one_until(deadline);
            if (read_done_) {
                break;
            }
        }
        if (!read_done_) {
            return std::optional<std::string_view>{};
        }
        read_pending_ = false;
        if (read_ec_) {
            broken_ = true;
            if (read_ec_ == websocket::error::closed) {
                const auto& r = ws_->reason();
                std::string why = "server closed the connection (code " + std::to_string(r.code);
                if (!r.reason.empty()) {
                    why += ": " + std::string(r.reason.data(), r.reason.size());
                }
                return fail(Error::retry(why + ")"));
            }
            if (read_ec_ == beast::error::timeout) {
                return fail(Error::retry(
                    "no data or pong from " + where_ + " for " +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options_.idle_timeout).count()) +
                    " s: the connection is dead"));
            }
            return fail(Error::retry("connection to " + where_ + " lost: " + read_ec_.message()));
        }
        ++counters.messages;
        consumed_ = read_size_;
        auto data = buffer_.data();
        return std::optional<std::string_view>(std::string_view(static_cast<const char*>(data.data()), read_size_));
    }

    Status send_text(std::string_view text) override {
        if (broken_) {
            return fail(Error::retry("connection to " + where_ + " is closed"));
        }
        out_.assign(text);
        ws_->text(true);
        bool done = false;
        beast::error_code ec;
        ws_->async_write(asio::buffer(out_), [&](beast::error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        const auto deadline = Clock::now() + options_.connect_timeout;
        while (!done && Clock::now() < deadline) {
            if (ioc_.stopped()) {
                ioc_.restart();
            }
            ioc_.run_one_until(deadline);
        }
        if (!done || ec) {
            broken_ = true;
            return fail(Error::retry("cannot send to " + where_ + ": " + (done ? ec.message() : "timed out")));
        }
        return {};
    }

    void close() override {
        if (broken_ || !ws_ || !ws_->is_open()) {
            return;
        }
        broken_ = true;
        bool done = false;
        ws_->async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
        // The pending read completes when the server answers the close frame.
        const auto deadline = Clock::now() + std::chrono::seconds(1);
        while (!done && Clock::now() < deadline) {
            if (ioc_.stopped()) {
                ioc_.restart();
            }
            ioc_.run_one_until(deadline);
        }
    }

private:
    Status make_stream() {
        if constexpr (Tls) {
            beast::error_code ec;
            ssl_ctx_.set_default_verify_paths(ec);
            if (!options_.ca_file.empty()) {
                ssl_ctx_.load_verify_file(options_.ca_file, ec);
                if (ec) {
                    return fail(Error::invalid("cannot load the CA file " + options_.ca_file + ": " + ec.message()));
                }
            }
            ssl_ctx_.set_verify_mode(asio::ssl::verify_peer);
            ws_.emplace(ioc_, ssl_ctx_);
        } else {
            ws_.emplace(ioc_);
        }
        return {};
    }

    Status connect_tcp(const Url& url) {
        tcp::resolver resolver(ioc_);
        beast::error_code ec;
        auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
        if (ec) {
            return fail(Error::retry("cannot resolve " + url.host + ": " + ec.message()));
        }
        auto& lowest = beast::get_lowest_layer(*ws_);
        lowest.expires_after(options_.connect_timeout);
        ec = run_to_completion([&](auto handler) { lowest.async_connect(endpoints, handler); });
        if (ec) {
            return fail(Error::retry("cannot connect to " + where_ + ": " + ec.message()));
        }
        return {};
    }

    Status tls_handshake(const Url& url) {
        // SNI: servers behind a CDN pick the certificate by it.
        if (!SSL_set_tlsext_host_name(ws_->next_layer().native_handle(), url.host.c_str())) {
            return fail(Error::retry("cannot set TLS server name " + url.host));
        }
        ws_->next_layer().set_verify_callback(asio::ssl::host_name_verification(url.host));
        const auto ec = run_to_completion(
            [&](auto handler) { ws_->next_layer().async_handshake(asio::ssl::stream_base::client, handler); });
        if (ec) {
            return fail(Error::retry("TLS handshake with " + where_ + " failed: " + ec.message() +
                                     " (certificate not trusted? --ca-file adds a CA bundle)"));
        }
        return {};
    }

    // From here the WebSocket's own timers rule: handshake timeout, idle pings.
    void configure_websocket() {
        beast::get_lowest_layer(*ws_).expires_never();
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = options_.connect_timeout;
        timeouts.idle_timeout = options_.idle_timeout;
        timeouts.keep_alive_pings = true;
        ws_->set_option(timeouts);
        ws_->set_option(websocket::stream_base::decorator([ua = options_.user_agent](websocket::request_type& req) {
            req.set(http::field::user_agent, ua);
        }));
        ws_->control_callback([this](websocket::frame_type kind, beast::string_view) {
            if (kind == websocket::frame_type::ping) {
                ++counters.pings_received;
            } else if (kind == websocket::frame_type::pong) {
                ++counters.pongs_received;
            }
        });
    }

    Status websocket_handshake(const Url& url) {
        const bool default_port = url.port == (Tls ? 443 : 80);
        const std::string host = default_port ? url.host : url.host + ":" + std::to_string(url.port);
        websocket::response_type res;
        const auto ec = run_to_completion([&](auto handler) { ws_->async_handshake(res, host, url.target, handler); });
        if (!ec) {
            return {};
        }
        const unsigned status = res.result_int();
        if (status == 401 || status == 403) {
            return fail(Error::fatal(where_ + " refused the connection with HTTP " + std::to_string(status) +
                                     ": the API key is missing, wrong or not entitled to this feed"));
        }
        std::string why = ec.message();
        if (status != 0 && status != 101) {
            why = "HTTP " + std::to_string(status) + " instead of an upgrade";
        }
        return fail(Error::retry("WebSocket handshake with " + where_ + " failed: " + why));
    }

    // Starts one asynchronous step with a completion handler and runs the loop until it is done.
    template <class Start>
    beast::error_code run_to_completion(Start start) {
        beast::error_code ec;
        bool done = false;
        start([&](beast::error_code e, auto&&...) {
            ec = e;
            done = true;
        });
        run_until_done(done);
        return ec;
    }

    void run_until_done(bool& done) {
        ioc_.restart();
        while (!done) {
            if (ioc_.run_one() == 0) {
                break;
            }
        }
    }

    asio::io_context ioc_{1};
    asio::ssl::context ssl_ctx_;
    std::optional<Stream> ws_;
    WebSocketOptions options_;
    std::string where_;
    beast::flat_buffer buffer_;
    std::string out_;
    std::size_t consumed_ = 0;
    bool read_pending_ = false;
    bool read_done_ = false;
    bool broken_ = false;
    beast::error_code read_ec_;
    std::size_t read_size_ = 0;
};

} // namespace

WebSocketClient::WebSocketClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebSocketClient::~WebSocketClient() = default;

Result<std::unique_ptr<WebSocketClient>> WebSocketClient::connect(const WebSocketOptions& options) {
    auto url = parse_url(options.url);
    if (!url) {
        return fail(url.error());
    }
    if (url->scheme != "ws" && url->scheme != "wss") {
        return fail(Error::invalid("a WebSocket URL starts with ws:// or wss://, not " + url->scheme + "://"));
    }
    std::unique_ptr<Impl> impl;
    if (url->tls()) {
        impl = std::make_unique<Session<true>>();
    } else {
        impl = std::make_unique<Session<false>>();
    }
    if (auto st = impl->open(*url, options); !st) {
        return fail(st.error());
    }
    return std::unique_ptr<WebSocketClient>(new WebSocketClient(std::move(impl)));
}

Result<std::optional<std::string_view>> WebSocketClient::read(std::chrono::milliseconds wait) {
    return impl_->read(wait);
}

Status WebSocketClient::send_text(std::string_view text) { return impl_->send_text(text); }
void WebSocketClient::close() { impl_->close(); }
const WebSocketCounters& WebSocketClient::counters() const { return impl_->counters; }

} // namespace ticklake::net
