// S3 requests, retries and errors as metrics (docs/metrics.md), counted where the S3 client
// sends: once per request, after its retries, so the cost is nothing beside an HTTP exchange.
#pragma once

#include <string_view>

#include "common/error.h"
#include "common/metrics.h"
#include "net/http_transport.h"

namespace ticklake::s3 {

//! Counts one request of `method` and how it ended: attempts beyond the first are retries; an
//! answer of 300 or more, or none, is an error by S3's code, else the status, else the
//! transport failure. A request that was never sent (signing failed) is not counted.
void record_s3_request(std::string_view method, const Result<net::RetryOutcome>& outcome,
                       metrics::Registry& registry = metrics::process_registry());

} // namespace ticklake::s3
