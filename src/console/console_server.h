// `ticklake serve`: the web console and the process's /metrics on one HTTP server (net/'s).
// Routes: the page's built-in files (static_files.h), /api/... (console_api.h), /metrics,
// /healthz, /readyz, and the Iceberg REST catalog of the catalog file at /iceberg/v1/...
// (iceberg/rest_catalog.h; behind the token like /api).
//
// Hardening, each with its test (console/tests, tests/integration/test_console.py):
// - with a token, every route but the page's files and /healthz answers 401 unless the request
//   carries "Authorization: Bearer TOKEN", checked in constant time (access_token.h);
// - off the loopback only with a token (check_exposure);
// - requests capped in size and time (HttpServerOptions), so slow or huge clients are cut;
// - CORS off: no Access-Control-* header is ever sent, POST needs Content-Type
//   application/json (so a browser must preflight it, and the preflight is refused), and a
//   request whose Origin is not this server is refused 403;
// - on the loopback, a Host header that is not a loopback name is refused 403 (DNS rebinding);
// - CSP without inline script, frame-ancestors 'none', nosniff, no-referrer on every answer;
// - only the built-in files are served: a path is looked up in their table, never on disk.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/metrics.h"
#include "console/console_api.h"
#include "iceberg/rest_catalog.h"
#include "net/http_server.h"

namespace ticklake::console {

struct ConsoleOptions {
    std::string listen = "127.0.0.1:8787"; //!< HOST:PORT; off the loopback only with a token
    std::string token;                     //!< empty: none (loopback only)
    ConsoleApiOptions api;
    size_t max_request_bytes = 64 * 1024;  //!< header and body (the SQL) together
    std::chrono::milliseconds request_timeout{10000};
    //! Requests answered at once: the page's files, /metrics and the catalog's reports answer
    //! while a query runs (queries themselves take turns on the one session).
    size_t handler_threads = 4;
};

//! The headers every answer carries.
std::vector<std::pair<std::string, std::string>> security_headers();

//! Every route of the console around `api` (and `rest`, the Iceberg REST catalog; may be null),
//! with the token check and the origin checks.
net::HttpRoutes console_routes(ConsoleApi& api, iceberg::RestCatalog* rest, metrics::Registry& registry,
                               const ConsoleOptions& options);

class ConsoleServer {
public:
    //! Checks the exposure rule and the catalog or warehouse, then starts serving.
    static Result<std::unique_ptr<ConsoleServer>> start(ConsoleOptions options, metrics::Registry& registry);
    ~ConsoleServer();
    std::string base_url() const;
    void stop();

private:
    ConsoleServer() = default;
    ConsoleOptions options_;
    std::unique_ptr<ConsoleApi> api_;
    //! The Iceberg REST catalog at /iceberg (none when there is no catalog file to serve).
    std::unique_ptr<iceberg::RestCatalog> rest_;
    std::unique_ptr<net::HttpServer> server_;
};

//! Starts the console, calls `started` with its URL, and serves until `stop` is set.
Status serve_console(ConsoleOptions options, const std::atomic<bool>& stop,
                     const std::function<void(const std::string& url)>& started);

} // namespace ticklake::console
