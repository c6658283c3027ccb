#include "storage/s3/s3_probe.h"

#include <string>

#include "storage/s3/s3_client.h"

namespace ticklake::s3 {

namespace {

std::string error_code(const net::HttpResult& result) {
    if (!result) {
        switch (result.error().kind) {
        case net::TransportErrorKind::timeout: return "timeout";
        case net::TransportErrorKind::connection: return "connection";
        case net::TransportErrorKind::tls: return "tls";
        case net::TransportErrorKind::other: return "other";
        }
        return "other";
    }
    std::string code = xml_element(result->body, "Code");
    return code.empty() ? std::to_string(result->status) : code;
}

} // namespace

void record_s3_request(std::string_view method, const Result<net::RetryOutcome>& outcome, metrics::Registry& r) {
    if (!outcome) {
        return;
    }
    const std::vector<std::string> labels{std::string(method)};
    r.counter("ticklake_s3_requests_total", "S3 requests made (a retried request counts once)", {"method"})
        .labels(labels)
        .inc();
    if (outcome->attempts > 1) {
        r.counter("ticklake_s3_retries_total", "S3 attempts beyond the first", {"method"})
            .labels(labels)
            .inc(static_cast<uint64_t>(outcome->attempts - 1));
    }
    if (!outcome->result || outcome->result->status >= 300) {
        r.counter("ticklake_s3_errors_total", "S3 requests that ended in an error answer or none", {"method", "code"})
            .labels({std::string(method), error_code(outcome->result)})
            .inc();
    }
}

} // namespace ticklake::s3
