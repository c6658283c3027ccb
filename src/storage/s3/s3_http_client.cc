#include "storage/s3/s3_http_client.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <thread>

#include <curl/curl.h>

namespace ticklake::s3 {

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

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
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

struct MemoryReader {
    const std::string* data;
    size_t offset = 0;
};

size_t read_memory(char* buffer, size_t size, size_t nitems, void* userdata) {
    auto* r = static_cast<MemoryReader*>(userdata);
    size_t n = std::min(size * nitems, r->data->size() - r->offset);
    std::copy_n(r->data->data() + r->offset, n, buffer);
    r->offset += n;
    return n;
}

int seek_memory(void* userdata, curl_off_t offset, int origin) {
    auto* r = static_cast<MemoryReader*>(userdata);
    if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > r->data->size()) {
        return CURL_SEEKFUNC_FAIL;
    }
    r->offset = static_cast<size_t>(offset);
    return CURL_SEEKFUNC_OK;
}

struct UploadBodyFile {
    std::FILE* file = nullptr;
    uint64_t base = 0;  //!< where the body starts in the file
    uint64_t left = 0;  //!< bytes of the body not yet read
    uint64_t size = 0;  //!< body length
};

size_t read_file(char* buffer, size_t size, size_t nitems, void* userdata) {
    auto* r = static_cast<UploadBodyFile*>(userdata);
    const size_t want = static_cast<size_t>(std::min<uint64_t>(size * nitems, r->left));
    size_t n = std::fread(buffer, 1, want, r->file);
    if (n == 0 && want > 0 && std::ferror(r->file)) {
        return CURL_READFUNC_ABORT;
    }
    r->left -= n;
    return n;
}

// libcurl rewinds the body when it resends a request on a fresh connection (the reused one
// was closed by the server); without this it fails with "necessary data rewind wasn't possible".
int seek_file(void* userdata, curl_off_t offset, int origin) {
    auto* r = static_cast<UploadBodyFile*>(userdata);
    if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > r->size ||
        std::fseek(r->file, static_cast<long>(r->base + static_cast<uint64_t>(offset)), SEEK_SET) != 0) {
        return CURL_SEEKFUNC_FAIL;
    }
    r->left = r->size - static_cast<uint64_t>(offset);
    return CURL_SEEKFUNC_OK;
}

struct BodySink {
    CURL* curl = nullptr;
    std::string* memory = nullptr;
    const std::filesystem::path* file_path = nullptr; //!< set: a 2xx body goes there
    std::FILE* file = nullptr;
    bool decided = false;
    bool to_file = false;
    bool file_error = false;
};

bool is_success(long status) { return status >= 200 && status < 300; }

size_t write_body(char* ptr, size_t size, size_t nmemb, void* userdata) {
    auto* sink = static_cast<BodySink*>(userdata);
    const size_t n = size * nmemb;
    if (!sink->decided) {
        sink->decided = true;
        long status = 0;
        curl_easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &status);
        if (sink->file_path != nullptr && is_success(status)) {
            sink->file = std::fopen(sink->file_path->c_str(), "wb");
            if (sink->file == nullptr) {
                sink->file_error = true;
                return 0; // aborts the transfer
            }
            sink->to_file = true;
        }
    }
    if (sink->to_file) {
        if (std::fwrite(ptr, 1, n, sink->file) != n) {
            sink->file_error = true;
            return 0;
        }
        return n;
    }
    sink->memory->append(ptr, n);
    return n;
}

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

struct FileCloser {
    void operator()(std::FILE* f) const {
        if (f != nullptr) {
            std::fclose(f);
        }
    }
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

CurlHttpTransport::CurlHttpTransport(HttpTimeouts timeouts) : timeouts_(timeouts) {
    global_init_once();
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
        return std::unexpected(TransportError{TransportErrorKind::other, "cannot initialise libcurl"});
    }
    // Reset keeps the connection cache, so the next request to the same endpoint reuses it.
    curl_easy_reset(curl);

    HttpResponse response;
    CurlSlist headers;
    bool ok = true;
    for (const auto& h : request.headers) {
        ok = ok && headers.append(h.name + ": " + h.value);
    }
    // No "Expect: 100-continue" round trip before each upload; S3 answers errors after the body anyway.
    ok = ok && headers.append("Expect:");
    if (!ok) {
        return std::unexpected(TransportError{TransportErrorKind::other, "out of memory building headers"});
    }

    std::unique_ptr<std::FILE, FileCloser> file;
    MemoryReader memory{&request.body};
    UploadBodyFile file_reader;
    const bool has_body = request.body_file.has_value() || !request.body.empty();
    if (request.body_file) {
        file.reset(std::fopen(request.body_file->c_str(), "rb"));
        if (!file || (request.body_file_offset > 0 &&
                      std::fseek(file.get(), static_cast<long>(request.body_file_offset), SEEK_SET) != 0)) {
            return std::unexpected(TransportError{TransportErrorKind::other,
                                                  "cannot open " + request.body_file->string() + " for upload"});
        }
        file_reader = UploadBodyFile{file.get(), request.body_file_offset, request.body_file_size, request.body_file_size};
    }

    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts_.connect.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts_.total.count()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    // Bigger buffers than libcurl's 64 KiB / 16 KiB defaults: fewer read()/send() calls per
    // 8 MiB part, which shows on a loopback MinIO where the network is not the bottleneck.
    curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, 1L << 20);
    curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L << 10);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
    BodySink sink;
    sink.curl = curl;
    sink.memory = &response.body;
    if (request.response_file) {
        sink.file_path = &*request.response_file;
    }
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, write_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);

    if (request.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (has_body || request.method == "PUT") {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        if (file) {
            curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_file);
            curl_easy_setopt(curl, CURLOPT_READDATA, &file_reader);
            curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, seek_file);
            curl_easy_setopt(curl, CURLOPT_SEEKDATA, &file_reader);
            curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_file_size));
        } else {
            curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_memory);
            curl_easy_setopt(curl, CURLOPT_READDATA, &memory);
            curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, seek_memory);
            curl_easy_setopt(curl, CURLOPT_SEEKDATA, &memory);
            curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        }
        if (request.method != "PUT") {
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        }
    } else if (request.method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    CURLcode code = curl_easy_perform(curl);
    if (sink.file != nullptr && std::fclose(sink.file) != 0) {
        sink.file_error = true;
    }
    if (sink.file_error) {
        return std::unexpected(TransportError{TransportErrorKind::other,
                                              "cannot write " + request.response_file->string()});
    }
    if (code != CURLE_OK) {
        std::string message = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
        return std::unexpected(TransportError{classify(code), request.method + " " + request.url + ": " + message});
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    if (request.response_file && !sink.to_file && is_success(response.status)) {
        // An empty object: no body callback ran, the file must still exist.
        std::unique_ptr<std::FILE, FileCloser> empty(std::fopen(request.response_file->c_str(), "wb"));
        if (!empty) {
            return std::unexpected(TransportError{TransportErrorKind::other,
                                                  "cannot write " + request.response_file->string()});
        }
    }
    return response;
}

std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, int retry) {
    using std::chrono::milliseconds;
    const int shift = std::clamp(retry - 1, 0, 30);
    const long double ceiling = static_cast<long double>(policy.base_delay.count()) * static_cast<long double>(1LL << shift);
    return milliseconds(static_cast<int64_t>(std::min(ceiling, static_cast<long double>(policy.max_delay.count()))));
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry) {
    double u;
    if (policy.jitter) {
        u = policy.jitter();
    } else {
        thread_local std::mt19937_64 rng{std::random_device{}()};
        u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    }
    u = std::clamp(u, 0.0, 1.0);
    const auto ceiling = backoff_ceiling(policy, retry).count();
    const auto delay = static_cast<int64_t>(static_cast<double>(ceiling) * u);
    return std::chrono::milliseconds(std::min<int64_t>(delay, ceiling > 0 ? ceiling - 1 : 0));
}

bool is_retriable(const HttpResult& result) {
    if (!result) {
        return result.error().kind == TransportErrorKind::timeout || result.error().kind == TransportErrorKind::connection;
    }
    const long s = result->status;
    if (s >= 500 || s == 429) {
        return true;
    }
    // S3 answers 400 RequestTimeout when the upload stalled: the AWS SDKs retry it.
    return s == 400 && result->body.find("<Code>RequestTimeout</Code>") != std::string::npos;
}

Result<RetryOutcome> send_with_retries(HttpTransport& transport, const std::function<Result<HttpRequest>()>& build,
                                       const RetryPolicy& policy) {
    const int max_attempts = std::max(1, policy.max_attempts);
    for (int attempt = 1;; ++attempt) {
        auto request = build();
        if (!request) {
            return fail(request.error());
        }
        HttpResult result = transport.send(*request);
        if (attempt >= max_attempts || !is_retriable(result)) {
            return RetryOutcome{std::move(result), attempt};
        }
        const auto delay = backoff_delay(policy, attempt);
        if (policy.sleep) {
            policy.sleep(delay);
        } else {
            std::this_thread::sleep_for(delay);
        }
    }
}

} // namespace ticklake::s3
