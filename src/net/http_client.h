// GET for REST polling (Yahoo, Alpha Vantage), over the one HTTP transport: TLS certificates
// are verified against the system store, the connection is kept between polls.
//
// @locality one thread owns a client.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/error.h"
#include "net/http_transport.h"

namespace ticklake::net {

//! What a poll needs of an answer.
struct HttpGetResponse {
    long status = 0;                                 //!< HTTP status code
    std::string body;                                //!< response body, decompressed
    std::optional<std::chrono::seconds> retry_after; //!< the Retry-After header in seconds, when sent
};

class HttpClient {
public:
    //! ca_file: a PEM bundle used instead of the system's CA store (empty: the system's).
    explicit HttpClient(std::chrono::milliseconds timeout = std::chrono::seconds(20),
                        std::string user_agent = "ticklake", std::string ca_file = {});

    //! Any HTTP status is a response (the caller judges 4xx/5xx); errors are retry (network,
    //! TLS, timeout) or invalid_argument (bad URL). Messages never show the query string.
    Result<HttpGetResponse> get(const std::string& url);

private:
    CurlHttpTransport transport_;
};

} // namespace ticklake::net
