#include "net/http_client.h"

#include <cctype>
#include <charconv>
#include <mutex>
#include <string_view>

#include <curl/curl.h>

#include "net/url.h"

namespace ticklake::net {

namespace {

size_t on_body(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
    std::string_view line(data, size * count);
    constexpr std::string_view kName = "retry-after:";
    if (line.size() > kName.size()) {
        bool match = true;
        for (size_t i = 0; i < kName.size(); ++i) {
            if (std::tolower(static_cast<unsigned char>(line[i])) != kName[i]) {
                match = false;
                break;
            }
        }
        if (match) {
            auto value = line.substr(kName.size());
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
                value.remove_prefix(1);
            }
            long seconds = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
            if (ec == std::errc() && end != value.data()) {
                static_cast<HttpResponse*>(user)->retry_after = std::chrono::seconds(seconds);
            }
        }
    }
    return size * count;
}

} // namespace

HttpClient::HttpClient(std::chrono::milliseconds timeout, std::string user_agent, std::string ca_file)
    : timeout_(timeout), user_agent_(std::move(user_agent)), ca_file_(std::move(ca_file)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
    if (curl_ != nullptr) {
        curl_easy_cleanup(static_cast<CURL*>(curl_));
    }
}

Result<HttpResponse> HttpClient::get(const std::string& url) {
    auto parsed = parse_url(url);
    if (!parsed) {
        return fail(parsed.error());
    }
    if (parsed->scheme != "http" && parsed->scheme != "https") {
        return fail(Error::invalid("a REST URL starts with http:// or https://, not " + parsed->scheme + "://"));
    }
    auto* c = static_cast<CURL*>(curl_);
    if (c == nullptr) {
        return fail(Error::fatal("libcurl could not create a handle (out of memory?)"));
    }
    HttpResponse res;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent_.c_str());
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!ca_file_.empty()) {
        curl_easy_setopt(c, CURLOPT_CAINFO, ca_file_.c_str());
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &res.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &res);
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        return fail(Error::retry("GET " + parsed->redacted() + " failed: " + curl_easy_strerror(rc)));
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res.status);
    return res;
}

} // namespace ticklake::net
