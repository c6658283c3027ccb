#include "net/http_transport.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include <curl/curl.h>

namespace ticklake::net {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

// scheme://host:port/path: the query may hold an API key.
std::string redacted(std::string_view url) {
    const size_t q = url.find('?');
    return q == std::string_view::npos ? std::string(url) : std::string(url.substr(0, q)) + "?...";
}

TransportErrorKind classify(CURLcode code) {
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return TransportErrorKind::timeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SEND_FAIL_REWIND:
        return TransportErrorKind::connection;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
        return TransportErrorKind::tls;
    default:
        return TransportErrorKind::other;
    }
}

bool is_success(long status) { return status >= 200 && status < 300; }

std::unexpected<TransportError> transport_error(TransportErrorKind kind, std::string message) {
    return std::unexpected(TransportError{kind, std::move(message)});
}

struct FileCloser {
    void operator()(std::FILE* f) const {
        if (f != nullptr) {
            std::fclose(f);
        }
    }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// The request body, from memory or from a byte range of a file. libcurl rewinds it when it
// resends a request on a fresh connection (the reused one was closed by the server); without
// the seek callback it fails with "necessary data rewind wasn't possible".
struct UploadBody {
    const std::string* memory = nullptr;
    std::FILE* file = nullptr;
    uint64_t base = 0;   //!< where the body starts in the file
    uint64_t size = 0;   //!< body length
    uint64_t offset = 0; //!< bytes of the body already read

    static size_t read(char* buffer, size_t size, size_t nitems, void* userdata) {
        auto* b = static_cast<UploadBody*>(userdata);
        const auto want = static_cast<size_t>(std::min<uint64_t>(size * nitems, b->size - b->offset));
        if (b->file == nullptr) {
            std::copy_n(b->memory->data() + b->offset, want, buffer);
            b->offset += want;
            return want;
        }
        const size_t n = std::fread(buffer, 1, want, b->file);
        if (n == 0 && want > 0 && std::ferror(b->file)) {
            return CURL_READFUNC_ABORT;
        }
        b->offset += n;
        return n;
    }

    static int seek(void* userdata, curl_off_t offset, int origin) {
        auto* b = static_cast<UploadBody*>(userdata);
        if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > b->size) {
            return CURL_SEEKFUNC_FAIL;
        }
        const auto at = static_cast<uint64_t>(offset);
        if (b->file != nullptr && std::fseek(b->file, static_cast<long>(b->base + at), SEEK_SET) != 0) {
            return CURL_SEEKFUNC_FAIL;
        }
        b->offset = at;
        return CURL_SEEKFUNC_OK;
    }
};

// Where the response body goes: memory, or (a 2xx answer to a request with response_file) a
// file. The choice waits for the first bytes, when the status is known.
struct BodySink {
    CURL* curl = nullptr;
    std::string* memory = nullptr;
    const std::filesystem::path* file_path = nullptr;
    FilePtr file;
    bool decided = false;
    bool file_error = false;

    bool open_file_if_success() {
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (file_path != nullptr && is_success(status)) {
            file.reset(std::fopen(file_path->c_str(), "wb"));
            file_error = !file;
        }
        decided = true;
        return !file_error;
    }

    static size_t write(char* ptr, size_t size, size_t nmemb, void* userdata) {
        auto* sink = static_cast<BodySink*>(userdata);
        const size_t n = size * nmemb;
        if (!sink->decided && !sink->open_file_if_success()) {
            return 0; // aborts the transfer
        }
        if (!sink->file) {
            sink->memory->append(ptr, n);
            return n;
        }
        if (std::fwrite(ptr, 1, n, sink->file.get()) != n) {
            sink->file_error = true;
            return 0;
        }
        return n;
    }

    //! Closes the file; false when it could not be written completely.
    bool finish() {
        std::FILE* f = file.release();
        if (f != nullptr && std::fclose(f) != 0) {
            file_error = true;
        }
        return !file_error;
    }
};

size_t write_header(char* buffer, size_t size, size_t nitems, void* userdata) {
    auto* headers = static_cast<std::vector<HttpHeader>*>(userdata);
    std::string_view line(buffer, size * nitems);
    if (line.starts_with("HTTP/")) {
        headers->clear(); // a new response (after "100 Continue" or a redirect)
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
        headers->push_back({to_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    }
    return size * nitems;
}

struct CurlSlist {
    curl_slist* list = nullptr;
    ~CurlSlist() { curl_slist_free_all(list); }
    bool append(const std::string& line) {
        curl_slist* next = curl_slist_append(list, line.c_str());
        if (next == nullptr) {
            return false;
        }
        list = next;
        return true;
    }
};

// One request on a reset handle: every buffer libcurl points into lives here until perform
// returns.
class Exchange {
public:
    Exchange(CURL* curl, const HttpRequest& request) : curl_(curl), request_(request) {}

    std::optional<TransportError> prepare(const HttpTransportOptions& options) {
        set_connection_options(options);
        if (!set_headers()) {
            return TransportError{TransportErrorKind::other, "out of memory building headers"};
        }
        if (auto e = open_body()) {
            return e;
        }
        set_method_and_body();
        set_response_sink();
        return std::nullopt;
    }

    HttpResult perform() {
        const CURLcode code = curl_easy_perform(curl_);
        if (!sink_.finish()) {
            return cannot_write_response_file();
        }
        if (code != CURLE_OK) {
            const std::string message = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
            return transport_error(classify(code), request_.method + " " + redacted(request_.url) + " failed: " + message);
        }
        curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response_.status);
        if (request_.response_file && !sink_.decided && is_success(response_.status)) {
            // An empty object: no body callback ran, the file must still exist.
            if (!FilePtr(std::fopen(request_.response_file->c_str(), "wb"))) {
                return cannot_write_response_file();
            }
        }
        return std::move(response_);
    }

private:
    void set_connection_options(const HttpTransportOptions& options) {
        curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_buffer_);
        curl_easy_setopt(curl_, CURLOPT_URL, request_.url.c_str());
        curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!options.ca_file.empty()) {
            curl_easy_setopt(curl_, CURLOPT_CAINFO, options.ca_file.c_str());
        }
        curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
        curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
        // libcurl's low-speed check: under 1 byte/s for stall_timeout ends the transfer with
        // CURLE_OPERATION_TIMEDOUT, which classify() calls a timeout (retriable).
        const long stall = options.stall_timeout.count() > 0 ? static_cast<long>(options.stall_timeout.count()) : 0L;
        curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, stall > 0 ? 1L : 0L);
        curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, stall);
        if (!options.user_agent.empty()) {
            curl_easy_setopt(curl_, CURLOPT_USERAGENT, options.user_agent.c_str());
        }
        if (options.accept_compressed) {
            curl_easy_setopt(curl_, CURLOPT_ACCEPT_ENCODING, "");
        }
        // Bigger buffers than libcurl's 64 KiB / 16 KiB defaults: fewer read()/send() calls per
        // 8 MiB part, which shows on a loopback MinIO where the network is not the bottleneck.
        curl_easy_setopt(curl_, CURLOPT_UPLOAD_BUFFERSIZE, 1L << 20);
        curl_easy_setopt(curl_, CURLOPT_BUFFERSIZE, 512L << 10);
    }

    bool set_headers() {
        bool ok = true;
        for (const auto& h : request_.headers) {
            ok = ok && headers_.append(h.name + ": " + h.value);
        }
        // No "Expect: 100-continue" round trip before each upload; S3 answers errors after the body anyway.
        ok = ok && headers_.append("Expect:");
        curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_.list);
        return ok;
    }

    std::optional<TransportError> open_body() {
        body_.memory = &request_.body;
        body_.size = request_.body.size();
        if (!request_.body_file) {
            return std::nullopt;
        }
        file_.reset(std::fopen(request_.body_file->c_str(), "rb"));
        if (!file_ || (request_.body_file_offset > 0 &&
                       std::fseek(file_.get(), static_cast<long>(request_.body_file_offset), SEEK_SET) != 0)) {
            return TransportError{TransportErrorKind::other, "cannot open " + request_.body_file->string() + " for upload"};
        }
        body_ = UploadBody{nullptr, file_.get(), request_.body_file_offset, request_.body_file_size, 0};
        return std::nullopt;
    }

    void set_method_and_body() {
        const std::string& method = request_.method;
        const bool has_body = request_.body_file.has_value() || !request_.body.empty();
        if (method == "HEAD") {
            curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
            return;
        }
        if (has_body || method == "PUT") {
            curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &UploadBody::read);
            curl_easy_setopt(curl_, CURLOPT_READDATA, &body_);
            curl_easy_setopt(curl_, CURLOPT_SEEKFUNCTION, &UploadBody::seek);
            curl_easy_setopt(curl_, CURLOPT_SEEKDATA, &body_);
            curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body_.size));
        }
        // An upload is a PUT to libcurl and a plain transfer a GET: any other method is named.
        if (method != "PUT" && (method != "GET" || has_body)) {
            curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
        }
    }

    void set_response_sink() {
        sink_.curl = curl_;
        sink_.memory = &response_.body;
        if (request_.response_file) {
            sink_.file_path = &*request_.response_file;
        }
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &BodySink::write);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &sink_);
        curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, write_header);
        curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response_.headers);
    }

    std::unexpected<TransportError> cannot_write_response_file() const {
        return transport_error(TransportErrorKind::other, "cannot write " + request_.response_file->string());
    }

    CURL* curl_;
    const HttpRequest& request_;
    HttpResponse response_;
    CurlSlist headers_;
    FilePtr file_;
    UploadBody body_;
    BodySink sink_;
    char error_buffer_[CURL_ERROR_SIZE] = {0};
};

} // namespace

std::string HttpResponse::header(std::string_view name) const {
    const std::string wanted = to_lower(name);
    for (const auto& h : headers) {
        if (h.name == wanted) {
            return h.value;
        }
    }
    return {};
}

CurlHttpTransport::CurlHttpTransport(HttpTransportOptions options) : options_(std::move(options)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    handle_ = curl_easy_init();
}

CurlHttpTransport::~CurlHttpTransport() {
    if (handle_ != nullptr) {
        curl_easy_cleanup(static_cast<CURL*>(handle_));
    }
}

HttpResult CurlHttpTransport::send(const HttpRequest& request) {
    std::lock_guard lock(mutex_);
    CURL* curl = static_cast<CURL*>(handle_);
    if (curl == nullptr) {
        return transport_error(TransportErrorKind::other, "cannot initialise libcurl");
    }
    // Reset keeps the connection cache, so the next request to the same endpoint reuses it.
    curl_easy_reset(curl);
    Exchange exchange(curl, request);
    if (auto error = exchange.prepare(options_)) {
        return std::unexpected(std::move(*error));
    }
    return exchange.perform();
}

bool is_transient(const HttpResult& result) {
    if (!result) {
        return result.error().kind == TransportErrorKind::timeout || result.error().kind == TransportErrorKind::connection;
    }
    return result->status >= 500 || result->status == 429;
}

Result<RetryOutcome> send_with_retries(HttpTransport& transport, const std::function<Result<HttpRequest>()>& build,
                                       const RetryPolicy& policy,
                                       const std::function<bool(const HttpResult&)>& transient) {
    RetryLoop retry(policy);
    for (;;) {
        auto request = build();
        if (!request) {
            return fail(request.error());
        }
        HttpResult result = transport.send(*request);
        if (!transient(result) || !retry.pause_before_retry()) {
            return RetryOutcome{std::move(result), retry.attempt()};
        }
    }
}

} // namespace ticklake::net
