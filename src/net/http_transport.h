// One HTTP exchange, and the retry loop around it. `CurlHttpTransport` is the only code in
// ticklake that sees libcurl; everything above it (S3, REST polling) talks to `HttpTransport`,
// so tests inject faults through a fake transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "net/retry_policy.h"

namespace ticklake::net {

struct HttpHeader {
    std::string name;
    std::string value;
    bool operator==(const HttpHeader&) const = default;
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;                 //!< fully encoded, with the query string
    std::vector<HttpHeader> headers; //!< sent as given (a signer's output included)
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
    //! Method, URL without its query (vendors put keys there) and libcurl's description;
    //! never a request header.
    std::string message;
};

using HttpResult = std::expected<HttpResponse, TransportError>;

class HttpTransport {
public:
    virtual ~HttpTransport() = default;
    virtual HttpResult send(const HttpRequest& request) = 0;
};

struct HttpTransportOptions {
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds total_timeout{15 * 60'000}; //!< a whole single PUT of a large file
    //! A transfer that moves no byte either way for this long is abandoned as a timeout (so it
    //! is retried): a hung connection must not hold a request for total_timeout. Zero: off.
    std::chrono::seconds stall_timeout{0};
    std::string user_agent;       //!< empty: no User-Agent header
    std::string ca_file;          //!< a PEM bundle used instead of the system's CA store
    //! Ask for gzip/deflate and decode them (REST APIs). Off for object stores, whose bytes
    //! (and byte ranges) must arrive as stored.
    bool accept_compressed = false;
};

//! libcurl easy handle, reused across requests so connections stay open. HTTPS always
//! verifies the peer and host name; plain HTTP is allowed (local MinIO, test servers).
//! @locality one request at a time: send() holds a mutex; use one transport per thread for parallelism.
class CurlHttpTransport final : public HttpTransport {
public:
    explicit CurlHttpTransport(HttpTransportOptions options = {});
    ~CurlHttpTransport() override;
    CurlHttpTransport(const CurlHttpTransport&) = delete;
    CurlHttpTransport& operator=(const CurlHttpTransport&) = delete;

    HttpResult send(const HttpRequest& request) override;

private:
    HttpTransportOptions options_;
    std::mutex mutex_;
    void* handle_ = nullptr; //!< CURL*, kept opaque so no header but the .cc includes curl
};

//! Timeouts and connection failures, 5xx and 429: what a later attempt may get through.
bool is_transient(const HttpResult& result);

struct RetryOutcome {
    HttpResult result;
    int attempts = 0;
};

//! Builds and sends a request until it succeeds, stops being `transient`, or the policy gives
//! up. `build` runs before every attempt, so each one can be signed with a fresh date. A build
//! error stops the loop and is returned as is.
Result<RetryOutcome> send_with_retries(HttpTransport& transport, const std::function<Result<HttpRequest>()>& build,
                                       const RetryPolicy& policy,
                                       const std::function<bool(const HttpResult&)>& transient = is_transient);

} // namespace ticklake::net
