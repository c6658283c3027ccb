// An HttpTransport that answers from a script and records what it was sent: fault injection
// for the retry and error-translation tests (net's and S3's), no network.
#pragma once

#include <deque>
#include <vector>

#include "net/http_transport.h"

namespace ticklake::net::testing {

class FakeHttpTransport final : public HttpTransport {
public:
    void respond(long status, std::string body = {}) { script_.push_back(HttpResponse{status, {}, std::move(body)}); }
    void respond_with(long status, std::vector<HttpHeader> headers, std::string body = {}) {
        script_.push_back(HttpResponse{status, std::move(headers), std::move(body)});
    }
    void fail_with(TransportErrorKind kind) { script_.push_back(std::unexpected(TransportError{kind, "injected"})); }

    HttpResult send(const HttpRequest& request) override {
        sent.push_back(request);
        if (script_.empty()) {
            return std::unexpected(TransportError{TransportErrorKind::other, "fake transport: script exhausted"});
        }
        HttpResult r = std::move(script_.front());
        script_.pop_front();
        return r;
    }

    std::vector<HttpRequest> sent;

private:
    std::deque<HttpResult> script_;
};

inline std::string header_of(const HttpRequest& r, std::string_view name) {
    for (const auto& h : r.headers) {
        if (h.name == name) {
            return h.value;
        }
    }
    return {};
}

} // namespace ticklake::net::testing
