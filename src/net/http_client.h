// A thin HTTP(S) GET for REST polling (Yahoo, Alpha Vantage). libcurl stays inside
// http_client.cc; TLS certificates are verified against the system store.
//
// @locality one thread owns a client (it keeps one connection alive between polls).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/error.h"

namespace ticklake::net {

struct HttpResponse {
    long status = 0;                              //!< HTTP status code
    std::string body;                             //!< response body, as received
    std::optional<std::chrono::seconds> retry_after; //!< the Retry-After header in seconds, when sent
};

class HttpClient {
public:
    //! ca_file: a PEM bundle used instead of the system's CA store (empty: the system's).
    explicit HttpClient(std::chrono::milliseconds timeout = std::chrono::seconds(20),
                        std::string user_agent = "ticklake", std::string ca_file = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    //! Any HTTP status is a response (the caller judges 4xx/5xx); errors are retry (network,
    //! TLS, timeout) or invalid_argument (bad URL). Messages never show the query string.
    Result<HttpResponse> get(const std::string& url);

private:
    void* curl_; //!< CURL*, opaque so that curl.h stays out of this header
    std::chrono::milliseconds timeout_;
    std::string user_agent_;
    std::string ca_file_;
};

} // namespace ticklake::net
