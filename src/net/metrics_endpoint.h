// The endpoints of `--metrics-addr` on one HttpServer: /metrics (the process registry in the
// Prometheus text format), /healthz (the process answers: 200) and /readyz (200 when the
// command's readiness check passes, else 503 with its reason). docs/metrics.md lists them.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/metrics.h"
#include "net/http_server.h"

namespace ticklake::net {

//! Whether the process does its job now; `reason` says why not (or what is fine).
struct Readiness {
    bool ready = false;
    std::string reason;
};

//! Called on the server's thread for every /readyz: reads atomics, never blocks.
using ReadinessCheck = std::function<Readiness()>;

//! The three routes, for a server that serves more (the web console) to include.
HttpRoutes metrics_routes(metrics::Registry& registry, ReadinessCheck readiness);

//! Serves metrics_routes on `address` (HOST:PORT, port 0 = any free one).
Result<std::unique_ptr<HttpServer>> start_metrics_endpoint(const std::string& address, metrics::Registry& registry,
                                                           ReadinessCheck readiness);

} // namespace ticklake::net
