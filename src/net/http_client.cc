#include "net/http_client.h"

#include <charconv>
#include <string_view>

#include "net/url.h"

namespace ticklake::net {

namespace {

// Only the delay-seconds form: vendors that rate-limit polling send it, and an HTTP date
// would need a clock agreement we cannot check anyway.
std::optional<std::chrono::seconds> retry_after_of(const HttpResponse& response) {
    const std::string value = response.header("retry-after"); // header() returns a copy: keep it alive
    long seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end == value.data()) {
        return std::nullopt;
    }
    return std::chrono::seconds(seconds);
}

} // namespace

HttpClient::HttpClient(std::chrono::milliseconds timeout, std::string user_agent, std::string ca_file)
    : transport_(HttpTransportOptions{.connect_timeout = timeout,
                                      .total_timeout = timeout,
                                      .user_agent = std::move(user_agent),
                                      .ca_file = std::move(ca_file),
                                      .accept_compressed = true}) {}

Result<HttpGetResponse> HttpClient::get(const std::string& url) {
    auto parsed = parse_url(url);
    if (!parsed) {
        return fail(parsed.error());
    }
    if (parsed->scheme != "http" && parsed->scheme != "https") {
        return fail(Error::invalid("a REST URL starts with http:// or https://, not " + parsed->scheme + "://"));
    }
    auto sent = transport_.send(HttpRequest{.method = "GET", .url = url});
    if (!sent) {
        // TLS failures too: a poll source keeps trying (the vendor may fix its certificate).
        return fail(Error::retry(sent.error().message));
    }
    HttpGetResponse res{sent->status, std::move(sent->body), retry_after_of(*sent)};
    return res;
}

} // namespace ticklake::net
