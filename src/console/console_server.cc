#include "console/console_server.h"

#include <thread>

#include "common/log.h"
#include "console/access_token.h"
#include "console/static_files.h"
#include "net/metrics_endpoint.h"

namespace ticklake::console {

namespace {

using net::HttpRouteHandler;
using net::HttpServerRequest;
using net::HttpServerResponse;

HttpServerResponse refused(int status, const std::string& message) {
    auto r = error_response(Error::invalid(message));
    r.status = status;
    return r;
}

// The host part of a Host header: "127.0.0.1:8787" -> "127.0.0.1", "[::1]:8787" -> "::1".
std::string host_of(const std::string& host_header) {
    if (host_header.starts_with('[')) {
        return host_header.substr(1, host_header.find(']') - 1);
    }
    return host_header.substr(0, host_header.rfind(':'));
}

struct Guard {
    std::string token;
    bool loopback = true;

    //! Why the request is refused before its route runs, or nothing.
    std::optional<HttpServerResponse> check(const HttpServerRequest& r, bool needs_token) const {
        const std::string host = r.header("host");
        if (loopback && !is_loopback_host(host_of(host))) {
            return refused(403, "Host '" + host + "' is not this machine's loopback address");
        }
        if (const std::string origin = r.header("origin"); !origin.empty() && origin != "http://" + host) {
            return refused(403, "cross-origin requests are refused (Origin " + origin + ")");
        }
        if (r.method == "POST" && !r.header("content-type").starts_with("application/json")) {
            return refused(415, "POST needs Content-Type: application/json");
        }
        if (needs_token && !token.empty() && !token_matches(token, bearer_token(r.header("authorization")))) {
            auto res = refused(401, "a token is required: send Authorization: Bearer TOKEN");
            res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"ticklake\"");
            return res;
        }
        return std::nullopt;
    }
};

HttpRouteHandler guarded(std::shared_ptr<const Guard> guard, bool needs_token, HttpRouteHandler handler) {
    return [guard, needs_token, handler = std::move(handler)](const HttpServerRequest& r) {
        if (auto refusal = guard->check(r, needs_token)) {
            return *refusal;
        }
        return handler(r);
    };
}

HttpServerResponse static_file(const HttpServerRequest& r) {
    const StaticFile* f = find_static_file(r.path);
    if (f == nullptr) {
        return HttpServerResponse::text(404, "not found\n");
    }
    return HttpServerResponse{200, std::string(f->content_type), std::string(f->body)};
}

} // namespace

std::vector<std::pair<std::string, std::string>> security_headers() {
    // No inline script and no eval, nothing from elsewhere, never inside a frame; the page's
    // fetches go to this server only. Style attributes are allowed (style-src-attr) because
    // lightweight-charts sizes its canvases with them; <style> elements are not, and the page
    // builds its DOM with textContent only, so no markup from data can bring an attribute in.
    return {{"Content-Security-Policy",
             "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
             "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
             "frame-ancestors 'none'"},
            {"X-Content-Type-Options", "nosniff"},
            {"X-Frame-Options", "DENY"},
            {"Referrer-Policy", "no-referrer"},
            {"Cross-Origin-Opener-Policy", "same-origin"},
            {"Cross-Origin-Resource-Policy", "same-origin"}};
}

net::HttpRoutes console_routes(ConsoleApi& api, iceberg::RestCatalog* rest, metrics::Registry& registry,
                               const ConsoleOptions& options) {
    auto guard = std::make_shared<Guard>();
    guard->token = options.token;
    const auto listen = net::parse_listen_address(options.listen);
    guard->loopback = !listen || is_loopback_host(listen->first);

    net::HttpRoutes routes;
    for (auto& [path, handler] : net::metrics_routes(registry, nullptr)) {
        routes[path] = guarded(guard, path == "/metrics", handler);
    }
    routes["/*"] = guarded(guard, false, static_file);
    routes["/api/query"] = guarded(guard, true, [&api](const HttpServerRequest& r) { return api.query(r); });
    routes["/api/catalog/*"] = guarded(guard, true, [&api](const HttpServerRequest& r) { return api.catalog(r); });
    routes["/api/ohlcv"] = guarded(guard, true, [&api](const HttpServerRequest& r) { return api.ohlcv(r); });
    routes["/api/spread"] = guarded(guard, true, [&api](const HttpServerRequest& r) { return api.spread(r); });
    routes["/api/status"] = guarded(guard, true, [&api](const HttpServerRequest& r) { return api.status(r); });
    routes["/iceberg/*"] = guarded(guard, true, [rest](const HttpServerRequest& r) {
        if (rest == nullptr) {
            return error_response(Error::not_found("no catalog file to serve as an Iceberg REST catalog (pass --catalog)"));
        }
        return rest->handle(r);
    });
    routes["/api/*"] = guarded(guard, true, [](const HttpServerRequest& r) {
        return error_response(Error::not_found("no API route " + r.path));
    });
    return routes;
}

Result<std::unique_ptr<ConsoleServer>> ConsoleServer::start(ConsoleOptions options, metrics::Registry& registry) {
    auto listen = net::parse_listen_address(options.listen);
    if (!listen) {
        return fail(listen.error());
    }
    if (auto st = check_exposure(listen->first, options.token); !st) {
        return fail(st.error());
    }
    std::unique_ptr<ConsoleServer> console(new ConsoleServer());
    console->options_ = std::move(options);
    console->api_ = std::make_unique<ConsoleApi>(console->options_.api);
    if (auto st = console->api_->check(); !st) {
        return fail(st.error());
    }
    // The catalog file's Iceberg tables over the REST catalog API, when there is a catalog file
    // (serving never creates one).
    const std::filesystem::path catalog =
        console->options_.api.engine.catalog.empty() ? default_catalog_path() : console->options_.api.engine.catalog;
    std::error_code ec;
    if (std::filesystem::exists(catalog, ec)) {
        auto rest = iceberg::RestCatalog::open({catalog, "ticklake", "/iceberg", console->options_.api.engine.store});
        if (!rest) {
            return fail(rest.error());
        }
        console->rest_ = std::move(*rest);
    }
    net::HttpServerOptions http;
    http.host = listen->first;
    http.port = listen->second;
    http.accept_post = true;
    http.max_request_bytes = console->options_.max_request_bytes;
    http.request_timeout = console->options_.request_timeout;
    http.handler_threads = console->options_.handler_threads;
    http.response_headers = security_headers();
    auto server =
        net::HttpServer::start(http, console_routes(*console->api_, console->rest_.get(), registry, console->options_));
    if (!server) {
        return fail(server.error());
    }
    console->server_ = std::move(*server);
    return console;
}

ConsoleServer::~ConsoleServer() { stop(); }

void ConsoleServer::stop() {
    if (server_) {
        server_->stop(); // joins the threads that use api_
    }
}

std::string ConsoleServer::base_url() const { return server_->base_url(); }

Status serve_console(ConsoleOptions options, const std::atomic<bool>& stop,
                     const std::function<void(const std::string& url)>& started) {
    auto console = ConsoleServer::start(std::move(options), metrics::process_registry());
    if (!console) {
        return fail(console.error());
    }
    started((*console)->base_url() + "/");
    while (!stop.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    log::info("serve: stopping");
    (*console)->stop();
    return {};
}

} // namespace ticklake::console
