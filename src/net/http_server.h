// One small HTTP/1.1 server (Boost.Beast) on a thread of its own: a table of routes, each a
// function that returns status, content type and body. It serves `--metrics-addr`
// (/metrics, /healthz, /readyz, net/metrics_endpoint.h) and the web console of `ticklake serve`
// (console/: its pages, its JSON routes and /metrics on one server); nothing in it is specific
// to either. GET and HEAD always; POST only when a server is started with accept_post.
//
// Bounded so that a slow or hostile client cannot hold it: a request must arrive whole
// within `request_timeout` (a client that drips bytes is cut), a kept-alive connection idle
// that long is closed, requests are capped in size, and connections over `max_connections`
// are answered 503 and closed at once.
//
// @locality handlers run on the server's thread, one at a time, unless handler_threads asks
// for a pool: then up to that many run at once (never two of one connection) and must be
// thread-safe with one another. Either way they must be thread-safe with respect to whatever
// else they read (atomics, a registry's render()).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace ticklake::net {

struct HttpServerRequest {
    std::string method; //!< GET, HEAD, or POST with accept_post (others are answered 405 before a handler runs)
    std::string target; //!< as sent: path and query
    std::string path;   //!< target without its query
    std::string query;  //!< after '?', undecoded; empty when none
    std::map<std::string, std::string> headers; //!< by lower-case name; a repeated header keeps its last value
    std::string body;   //!< POST only; at most max_request_bytes with the header

    //! The header's value, or empty when absent; `lower_name` in lower case.
    std::string header(const std::string& lower_name) const {
        const auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct HttpServerResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; //!< more headers for this answer

    static HttpServerResponse text(int status, std::string body) {
        return {status, "text/plain; charset=utf-8", std::move(body)};
    }
    static HttpServerResponse json(int status, std::string body) { return {status, "application/json", std::move(body)}; }
};

using HttpRouteHandler = std::function<HttpServerResponse(const HttpServerRequest&)>;

//! GET routes by exact path; a key ending in "/*" matches every path under it (the longest
//! such prefix wins), for a console's static files or /api/... later.
using HttpRoutes = std::map<std::string, HttpRouteHandler>;

struct HttpServerOptions {
    std::string host = "127.0.0.1";  //!< an IPv4 or IPv6 address to bind (loopback unless told)
    uint16_t port = 0;               //!< 0: the system picks one (see HttpServer::port())
    size_t max_connections = 16;     //!< open at once; more are answered 503 and closed
    std::chrono::milliseconds request_timeout{5000}; //!< for a whole request, and for idling between two
    size_t max_request_bytes = 16 * 1024;            //!< header and body together
    bool accept_post = false; //!< else POST is answered 405 like any other method
    //! Threads that run handlers; 0: the server's own thread runs them, one at a time (fine for
    //! /metrics; a console with queries wants a few, so a slow query holds no other request).
    size_t handler_threads = 0;
    //! Sent with every answer of this server, refusals (404, 405, 413) included: the console's
    //! security headers.
    std::vector<std::pair<std::string, std::string>> response_headers;
};

//! "HOST:PORT" or "[v6]:PORT"; PORT may be 0. invalid_argument says what is expected.
Result<std::pair<std::string, uint16_t>> parse_listen_address(std::string_view text);

class HttpServer {
public:
    //! Binds and starts serving on a new thread; the error says when the address is taken or
    //! cannot be bound.
    static Result<std::unique_ptr<HttpServer>> start(const HttpServerOptions& options, HttpRoutes routes);
    //! Stops (see stop()).
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    //! Stops accepting, closes every connection and joins the thread; handlers in progress
    //! finish first. Idempotent.
    void stop();
    const std::string& host() const;
    uint16_t port() const; //!< the bound port (the system's choice when asked for 0)
    //! "http://host:port" (IPv6 in brackets), for a start-up line.
    std::string base_url() const;

private:
    struct Impl;
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace ticklake::net
