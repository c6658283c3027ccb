// One HTTP exchange with an S3 endpoint, and the retry loop around it. `CurlHttpTransport`
// is the only code that sees libcurl; everything above it talks to `HttpTransport`, so tests
// inject faults through a fake transport and a fake sleeper.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "storage/s3/aws_sigv4.h"

namespace ticklake::s3 {

struct HttpRequest {
    std::string method = "GET";
    std::string url;                 //!< fully encoded, with the query string
    std::vector<HttpHeader> headers; //!< sent as given (the signer's output included)
    std::string body;                //!< used when `body_file` is unset
    std::optional<std::filesystem::path> body_file; //!< streamed from disk instead of `body`
    uint64_t body_file_offset = 0;   //!< where in `body_file` the body starts (multipart parts)
    uint64_t body_file_size = 0;     //!< Content-Length of `body_file`
    //! A 2xx body goes to this file (created or truncated) instead of HttpResponse::body;
    //! error bodies stay in memory so they can be read.
    std::optional<std::filesystem::path> response_file;
};

struct HttpResponse {
    long status = 0;
    std::vector<HttpHeader> headers; //!< names lower-cased
    std::string body;
    //! Value of the first header named `name` (case-insensitive), empty when absent.
    std::string header(std::string_view name) const;
};

enum class TransportErrorKind {
    timeout,    //!< connect or total timeout: retriable
    connection, //!< refused, reset, DNS, nothing received: retriable
    tls,        //!< certificate or handshake failure: a configuration problem, not retried
    other,      //!< anything else libcurl reports (bad URL, local file error): not retried
};

struct TransportError {
    TransportErrorKind kind = TransportErrorKind::other;
    std::string message; //!< libcurl's description; never contains request headers
};

using HttpResult = std::expected<HttpResponse, TransportError>;

class HttpTransport {
public:
    virtual ~HttpTransport() = default;
    virtual HttpResult send(const HttpRequest& request) = 0;
};

struct HttpTimeouts {
    std::chrono::milliseconds connect{10'000};
    std::chrono::milliseconds total{15 * 60'000}; //!< a whole single PUT of a large file
};

//! libcurl easy handle, reused across requests so connections stay open. HTTPS always
//! verifies the peer and host name; plain HTTP is allowed (local MinIO).
//! @locality one request at a time: send() holds a mutex; use one transport per thread for parallelism.
class CurlHttpTransport final : public HttpTransport {
public:
    explicit CurlHttpTransport(HttpTimeouts timeouts = {});
    ~CurlHttpTransport() override;
    CurlHttpTransport(const CurlHttpTransport&) = delete;
    CurlHttpTransport& operator=(const CurlHttpTransport&) = delete;

    HttpResult send(const HttpRequest& request) override;

private:
    HttpTimeouts timeouts_;
    std::mutex mutex_;
    void* handle_ = nullptr; //!< CURL*, kept opaque so no header but the .cc includes curl
};

//! Exponential backoff with full jitter: before retry n (1-based) sleep
//! uniform(0, min(max_delay, base_delay * 2^(n-1))).
struct RetryPolicy {
    int max_attempts = 6; //!< first try included
    std::chrono::milliseconds base_delay{100};
    std::chrono::milliseconds max_delay{20'000};
    //! Sleeps between attempts; tests pass a recorder.
    std::function<void(std::chrono::milliseconds)> sleep;
    //! Uniform in [0, 1); tests pass a constant.
    std::function<double()> jitter;
};

//! The ceiling of the jittered delay before retry `retry` (1-based).
std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, int retry);
//! The delay before retry `retry`: floor(ceiling * jitter()), jitter clamped to [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry);

//! 5xx (including 503 SlowDown), 429, S3's 400 RequestTimeout, timeouts and connection errors.
bool is_retriable(const HttpResult& result);

struct RetryOutcome {
    HttpResult result;
    int attempts = 0;
};

//! Builds and sends a request until it succeeds or stops being retriable or the attempts run
//! out. `build` runs before every attempt, so each one is signed with a fresh date.
//! A build error stops the loop and is returned as is.
Result<RetryOutcome> send_with_retries(HttpTransport& transport, const std::function<Result<HttpRequest>()>& build,
                                       const RetryPolicy& policy);

} // namespace ticklake::s3
