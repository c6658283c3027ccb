// One WebSocket connection (RFC 6455) over TCP or TLS, driven from the caller's thread:
// read() waits at most a given time, so a source can poll it between Kafka calls and
// honour stop signals. Boost.Beast stays inside websocket_client.cc (compile times).
//
// @locality one thread owns a client; nothing here is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace ticklake::net {

struct WebSocketOptions {
    std::string url;                                    //!< ws://host:port/path or wss://...
    std::chrono::milliseconds connect_timeout{10'000};  //!< TCP + TLS + upgrade handshake
    //! Without any frame from the server for half of this, a ping is sent; without any frame
    //! for all of it, the connection is declared dead (read() fails with a retry error).
    std::chrono::milliseconds idle_timeout{30'000};
    std::string ca_file;  //!< extra CA bundle (PEM) for wss://; the system store is always used
    std::string user_agent = "ticklake"; //!< sent in the upgrade request
};

struct WebSocketCounters {
    uint64_t pings_received = 0; //!< server pings (answered automatically with a pong)
    uint64_t pongs_received = 0; //!< answers to our keep-alive pings
    uint64_t messages = 0;       //!< text/binary messages read
};

class WebSocketClient {
public:
    //! Connects and performs the upgrade handshake. Error kinds: invalid_argument for a bad
    //! URL; fatal when the server refused the upgrade with HTTP 401/403 (bad credentials: do
    //! not retry); retry for everything else (DNS, refused, TLS, timeout, other HTTP status).
    static Result<std::unique_ptr<WebSocketClient>> connect(const WebSocketOptions& options);
    ~WebSocketClient();
    WebSocketClient(const WebSocketClient&) = delete;
    WebSocketClient& operator=(const WebSocketClient&) = delete;

    //! Waits up to `wait` for the next message. nullopt: none arrived in time. The view stays
    //! valid until the next read(). Errors are retry: the server closed (code and reason in
    //! the message), the connection dropped, or it went silent past idle_timeout.
    Result<std::optional<std::string_view>> read(std::chrono::milliseconds wait);
    //! Sends one text message, waiting at most connect_timeout for it to go out.
    Status send_text(std::string_view text);
    //! Sends a close frame (1000, normal) and waits briefly for the server's; best effort.
    void close();
    const WebSocketCounters& counters() const;

    struct Impl;

private:
    explicit WebSocketClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace ticklake::net
