#include "net/metrics_endpoint.h"

namespace ticklake::net {

HttpRoutes metrics_routes(metrics::Registry& registry, ReadinessCheck readiness) {
    HttpRoutes routes;
    routes["/metrics"] = [&registry](const HttpServerRequest&) {
        return HttpServerResponse{200, std::string(metrics::kTextContentType), registry.render()};
    };
    routes["/healthz"] = [](const HttpServerRequest&) { return HttpServerResponse::text(200, "ok\n"); };
    routes["/readyz"] = [readiness = std::move(readiness)](const HttpServerRequest&) {
        const Readiness r = readiness ? readiness() : Readiness{true, "no readiness check"};
        return HttpServerResponse::text(r.ready ? 200 : 503, (r.ready ? "ready: " : "not ready: ") + r.reason + "\n");
    };
    return routes;
}

Result<std::unique_ptr<HttpServer>> start_metrics_endpoint(const std::string& address, metrics::Registry& registry,
                                                           ReadinessCheck readiness) {
    auto hp = parse_listen_address(address);
    if (!hp) {
        return fail(hp.error());
    }
    HttpServerOptions options;
    options.host = hp->first;
    options.port = hp->second;
    auto server = HttpServer::start(options, metrics_routes(registry, std::move(readiness)));
    if (!server) {
        return fail(Error::invalid("--metrics-addr: " + server.error().message));
    }
    return server;
}

} // namespace ticklake::net
