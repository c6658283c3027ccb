#include "storage/s3/s3_client.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <memory>
#include <thread>

#include <openssl/evp.h>

namespace ticklake::s3 {

namespace fs = std::filesystem;

namespace {

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

std::string base64(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::string digest_final(EVP_MD_CTX* ctx) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    return std::string(reinterpret_cast<char*>(md), len);
}

struct FileDigests {
    uint64_t size = 0;
    std::string sha256_hex;
    std::string md5_base64;
};

// One pass over the file (or bytes [offset, offset + limit) of it) for both hashes a PUT needs.
Result<FileDigests> digest_file(const fs::path& path, uint64_t offset = 0, uint64_t limit = UINT64_MAX,
                                bool with_md5 = true) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) {
        return fail(Error::invalid("cannot open " + path.string() + " for upload: nothing staged there"));
    }
    if (offset > 0 && std::fseek(f.get(), static_cast<long>(offset), SEEK_SET) != 0) {
        return fail(Error::retry("cannot seek in " + path.string() + " for upload"));
    }
    MdCtx sha(EVP_MD_CTX_new());
    MdCtx md5(EVP_MD_CTX_new());
    if (!sha || !md5 || EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr) != 1 ||
        EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1) {
        return fail(Error::fatal("OpenSSL cannot initialise SHA-256/MD5"));
    }
    FileDigests out;
    std::vector<char> buffer(1 << 20);
    size_t n;
    while (out.size < limit &&
           (n = std::fread(buffer.data(), 1, static_cast<size_t>(std::min<uint64_t>(buffer.size(), limit - out.size)),
                           f.get())) > 0) {
        EVP_DigestUpdate(sha.get(), buffer.data(), n);
        if (with_md5) {
            EVP_DigestUpdate(md5.get(), buffer.data(), n);
        }
        out.size += n;
    }
    if (std::ferror(f.get())) {
        return fail(Error::retry("cannot read " + path.string() + " for upload"));
    }
    out.sha256_hex = to_hex(digest_final(sha.get()));
    if (with_md5) {
        out.md5_base64 = base64(digest_final(md5.get()));
    }
    return out;
}

std::string status_detail(const HttpResponse& r) {
    const std::string code = xml_element(r.body, "Code");
    const std::string message = xml_element(r.body, "Message");
    std::string out = "HTTP " + std::to_string(r.status);
    if (!code.empty()) {
        out += " " + code;
    }
    if (!message.empty()) {
        out += ": " + message;
    }
    return out;
}

} // namespace

std::string base64_md5(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
    return base64(std::string_view(reinterpret_cast<char*>(md), len));
}

std::string decode_xml_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '&') {
            out += text[i++];
            continue;
        }
        const size_t semi = text.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            out += text[i++];
            continue;
        }
        const std::string_view entity = text.substr(i + 1, semi - i - 1);
        std::string replacement;
        if (entity == "amp") {
            replacement = "&";
        } else if (entity == "lt") {
            replacement = "<";
        } else if (entity == "gt") {
            replacement = ">";
        } else if (entity == "quot") {
            replacement = "\"";
        } else if (entity == "apos") {
            replacement = "'";
        } else if (entity.size() > 1 && entity[0] == '#') {
            const bool hex = entity[1] == 'x' || entity[1] == 'X';
            const std::string digits(entity.substr(hex ? 2 : 1));
            char* end = nullptr;
            const unsigned long cp = digits.empty() ? 0x110000 : std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
            if (end != nullptr && *end == '\0' && cp > 0 && cp < 0x110000) {
                // UTF-8 encoding of the code point.
                if (cp < 0x80) {
                    replacement += static_cast<char>(cp);
                } else if (cp < 0x800) {
                    replacement += static_cast<char>(0xC0 | (cp >> 6));
                    replacement += static_cast<char>(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    replacement += static_cast<char>(0xE0 | (cp >> 12));
                    replacement += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                    replacement += static_cast<char>(0x80 | (cp & 0x3F));
                } else {
                    replacement += static_cast<char>(0xF0 | (cp >> 18));
                    replacement += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
                    replacement += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                    replacement += static_cast<char>(0x80 | (cp & 0x3F));
                }
            }
        }
        if (replacement.empty()) {
            out += text[i++]; // unknown entity: keep the text as it came
            continue;
        }
        out += replacement;
        i = semi + 1;
    }
    return out;
}

std::string xml_element(std::string_view xml, std::string_view tag) {
    std::string open;
    open.append("<").append(tag).append(">");
    std::string close;
    close.append("</").append(tag).append(">");
    const size_t start = xml.find(open);
    if (start == std::string_view::npos) {
        return {};
    }
    const size_t from = start + open.size();
    const size_t end = xml.find(close, from);
    if (end == std::string_view::npos) {
        return {};
    }
    return decode_xml_entities(xml.substr(from, end - from));
}

Result<ListPage> parse_list_objects_v2(std::string_view xml) {
    if (xml.find("<ListBucketResult") == std::string_view::npos) {
        return fail(Error::retry("unexpected ListObjectsV2 response (no ListBucketResult element)"));
    }
    ListPage page;
    // Without a delimiter, every object is one <Contents> element.
    constexpr std::string_view kOpen = "<Contents>";
    constexpr std::string_view kClose = "</Contents>";
    size_t pos = 0;
    while ((pos = xml.find(kOpen, pos)) != std::string_view::npos) {
        const size_t from = pos + kOpen.size();
        const size_t end = xml.find(kClose, from);
        if (end == std::string_view::npos) {
            return fail(Error::retry("truncated ListObjectsV2 response (unterminated <Contents>)"));
        }
        const std::string_view contents = xml.substr(from, end - from);
        if (contents.find("<Key>") == std::string_view::npos) {
            return fail(Error::retry("ListObjectsV2 response has a <Contents> without <Key>"));
        }
        ListedObject object;
        object.key = xml_element(contents, "Key");
        object.size = std::strtoull(xml_element(contents, "Size").c_str(), nullptr, 10);
        if (auto t = parse_iso8601(xml_element(contents, "LastModified")); t) {
            object.last_modified = *t;
        }
        page.keys.push_back(object.key);
        page.objects.push_back(std::move(object));
        pos = end + kClose.size();
    }
    page.truncated = xml_element(xml, "IsTruncated") == "true";
    page.next_continuation_token = xml_element(xml, "NextContinuationToken");
    if (page.truncated && page.next_continuation_token.empty()) {
        return fail(Error::retry("ListObjectsV2 response is truncated but has no NextContinuationToken"));
    }
    return page;
}

Result<UploadsPage> parse_list_multipart_uploads(std::string_view xml) {
    if (xml.find("<ListMultipartUploadsResult") == std::string_view::npos) {
        return fail(Error::retry("unexpected ListMultipartUploads response (no ListMultipartUploadsResult element)"));
    }
    UploadsPage page;
    constexpr std::string_view kOpen = "<Upload>";
    constexpr std::string_view kClose = "</Upload>";
    size_t pos = 0;
    while ((pos = xml.find(kOpen, pos)) != std::string_view::npos) {
        const size_t from = pos + kOpen.size();
        const size_t end = xml.find(kClose, from);
        if (end == std::string_view::npos) {
            return fail(Error::retry("truncated ListMultipartUploads response (unterminated <Upload>)"));
        }
        const std::string_view upload = xml.substr(from, end - from);
        page.uploads.push_back({xml_element(upload, "Key"), xml_element(upload, "UploadId")});
        pos = end + kClose.size();
    }
    page.truncated = xml_element(xml, "IsTruncated") == "true";
    page.next_key_marker = xml_element(xml, "NextKeyMarker");
    page.next_upload_id_marker = xml_element(xml, "NextUploadIdMarker");
    if (page.truncated && page.next_key_marker.empty() && page.next_upload_id_marker.empty()) {
        return fail(Error::retry("ListMultipartUploads response is truncated but has no next markers"));
    }
    return page;
}

std::string complete_multipart_body(const std::vector<CompletedPart>& parts) {
    std::string xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    for (const auto& p : parts) {
        xml += "<Part><PartNumber>" + std::to_string(p.number) + "</PartNumber><ETag>";
        for (char c : p.etag) { // ETags are quoted hex; escape anyway
            switch (c) {
            case '&': xml += "&amp;"; break;
            case '<': xml += "&lt;"; break;
            case '>': xml += "&gt;"; break;
            case '"': xml += "&quot;"; break;
            default: xml += c;
            }
        }
        xml += "</ETag></Part>";
    }
    xml += "</CompleteMultipartUpload>";
    return xml;
}

Result<TimestampUs> parse_http_date(std::string_view text) {
    // "Wed, 25 Nov 2026 23:13:05 GMT"
    static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto bad = [&] { return fail(Error::invalid("not an HTTP date: '" + std::string(text) + "'")); };
    const size_t comma = text.find(", ");
    if (comma == std::string_view::npos || text.size() < comma + 2 + 20) {
        return bad();
    }
    const std::string_view rest = text.substr(comma + 2); // "25 Nov 2026 23:13:05 GMT"
    if (rest.size() != 24 || rest[2] != ' ' || rest[6] != ' ' || rest[11] != ' ' || rest[14] != ':' ||
        rest[17] != ':' || rest.substr(20) != " GMT") {
        return bad();
    }
    auto num = [&](size_t at, size_t len, int& out) {
        out = 0;
        for (size_t i = at; i < at + len; ++i) {
            if (rest[i] < '0' || rest[i] > '9') {
                return false;
            }
            out = out * 10 + (rest[i] - '0');
        }
        return true;
    };
    int day, year, hh, mm, ss;
    if (!num(0, 2, day) || !num(7, 4, year) || !num(12, 2, hh) || !num(15, 2, mm) || !num(18, 2, ss)) {
        return bad();
    }
    unsigned month = 0;
    for (unsigned i = 0; i < 12; ++i) {
        if (rest.substr(3, 3) == kMonths[i]) {
            month = i + 1;
        }
    }
    if (month == 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) {
        return bad();
    }
    return days_from_civil(year, month, static_cast<unsigned>(day)) * kMicrosPerDay +
           (static_cast<int64_t>(hh) * 3600 + mm * 60 + ss) * kMicrosPerSecond;
}

Error translate_s3_error(const HttpResult& result, std::string_view method, const S3Location& location,
                         int attempts) {
    const std::string where = location.uri();
    const std::string tries = " after " + std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
    if (!result) {
        const TransportError& e = result.error();
        switch (e.kind) {
        case TransportErrorKind::timeout:
        case TransportErrorKind::connection:
            return Error::retry("cannot reach S3 for " + std::string(method) + " " + where + tries + ": " + e.message);
        case TransportErrorKind::tls:
            return Error::fatal("TLS failure talking to S3 for " + where + ": " + e.message +
                                " (check the endpoint's certificate and the system CA bundle)");
        case TransportErrorKind::other:
            return Error::fatal(std::string(method) + " " + where + " failed: " + e.message);
        }
    }
    const HttpResponse& r = *result;
    const std::string code = xml_element(r.body, "Code");
    const std::string detail = status_detail(r);
    if (code == "NoSuchBucket") {
        return Error::fatal("bucket '" + location.bucket + "' does not exist (s3://" + location.bucket +
                            "): create it or fix the warehouse URI (" + detail + ")");
    }
    if (r.status == 403) {
        return Error::fatal("access denied to " + where + ": check credentials and bucket policy (" + detail + ")");
    }
    if (r.status == 404) {
        return Error::not_found(where + " not found (" + detail + ")");
    }
    if (r.status == 301 || code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed") {
        return Error::fatal(where + " is answered by another region or endpoint: set AWS_REGION to the bucket's region (" +
                            detail + ")");
    }
    if (is_retriable(result)) {
        return Error::retry(std::string(method) + " " + where + " failed" + tries + " (" + detail + ")");
    }
    return Error::fatal(std::string(method) + " " + where + " failed (" + detail + ")");
}

S3Client::S3Client(S3ClientConfig config, std::shared_ptr<HttpTransport> transport)
    : config_(std::move(config)), fixed_transport_(std::move(transport)) {
    if (!config_.clock) {
        config_.clock = now_us;
    }
    if (config_.region.empty()) {
        config_.region = "us-east-1";
    }
}

std::shared_ptr<HttpTransport> S3Client::acquire_transport() {
    if (fixed_transport_) {
        return fixed_transport_;
    }
    std::lock_guard lock(pool_mutex_);
    if (!idle_transports_.empty()) {
        auto t = std::move(idle_transports_.back());
        idle_transports_.pop_back();
        return t;
    }
    return std::make_shared<CurlHttpTransport>();
}

void S3Client::release_transport(std::shared_ptr<HttpTransport> transport) {
    if (fixed_transport_) {
        return;
    }
    std::lock_guard lock(pool_mutex_);
    idle_transports_.push_back(std::move(transport));
}

Result<RetryOutcome> S3Client::execute(std::string_view method, std::string_view bucket, std::string_view key,
                                       std::vector<QueryParam> query, const Body& body, const RequestExtras& extra) {
    auto target = s3_request_target(bucket, key, config_.endpoint, config_.region, config_.addressing);
    if (!target) {
        return fail(target.error());
    }
    std::string url = target->url();
    if (!query.empty()) {
        url += "?" + canonical_query_string(query);
    }
    auto build = [&]() -> Result<HttpRequest> {
        SigningRequest sr;
        sr.method = std::string(method);
        sr.host = target->host;
        sr.path = target->path;
        sr.query = query;
        if (!body.md5_base64.empty()) {
            sr.headers.push_back({"content-md5", body.md5_base64});
        }
        for (const auto& h : extra.headers) {
            sr.headers.push_back(h);
        }
        sr.payload_hash = body.sha256_hex.empty() ? std::string(kEmptyPayloadSha256) : body.sha256_hex;
        sr.amz_date = format_amz_date(config_.clock());
        auto signed_request = sign_v4(sr, config_.credentials, SigningScope{config_.region, "s3"});
        if (!signed_request) {
            return fail(signed_request.error());
        }
        HttpRequest req;
        req.method = sr.method;
        req.url = url;
        req.headers = sr.headers;
        for (auto& h : signed_request->headers_to_add) {
            req.headers.push_back(std::move(h));
        }
        if (body.file != nullptr) {
            req.body_file = *body.file;
            req.body_file_offset = extra.body_file_offset;
            req.body_file_size = body.file_size;
        } else {
            req.body = std::string(body.memory);
        }
        if (extra.response_file != nullptr) {
            req.response_file = *extra.response_file;
        }
        return req;
    };
    auto transport = acquire_transport();
    auto outcome = send_with_retries(*transport, build, config_.retry);
    release_transport(std::move(transport));
    return outcome;
}

Status S3Client::put(std::string_view bucket, std::string_view key, const Body& body) {
    auto outcome = execute("PUT", bucket, key, {}, body);
    if (!outcome) {
        return fail(outcome.error());
    }
    if (!outcome->result || outcome->result->status != 200) {
        return fail(translate_s3_error(outcome->result, "PUT", {std::string(bucket), std::string(key)},
                                       outcome->attempts));
    }
    return {};
}

Status S3Client::put_object(std::string_view bucket, std::string_view key, std::string_view content) {
    Body body;
    body.memory = content;
    body.sha256_hex = hex_sha256(content);
    body.md5_base64 = base64_md5(content);
    return put(bucket, key, body);
}

Status S3Client::put_object_from_file(std::string_view bucket, std::string_view key, const fs::path& file) {
    auto digests = digest_file(file);
    if (!digests) {
        return fail(digests.error());
    }
    Body body;
    body.file = &file;
    body.file_size = digests->size;
    body.sha256_hex = digests->sha256_hex;
    body.md5_base64 = digests->md5_base64;
    return put(bucket, key, body);
}

Result<std::string> S3Client::get_object(std::string_view bucket, std::string_view key) {
    auto outcome = execute("GET", bucket, key, {}, {});
    if (!outcome) {
        return fail(outcome.error());
    }
    if (!outcome->result || outcome->result->status != 200) {
        return fail(translate_s3_error(outcome->result, "GET", {std::string(bucket), std::string(key)},
                                       outcome->attempts));
    }
    return std::move(outcome->result->body);
}

Result<ObjectInfo> S3Client::head_object(std::string_view bucket, std::string_view key) {
    auto outcome = execute("HEAD", bucket, key, {}, {});
    if (!outcome) {
        return fail(outcome.error());
    }
    if (!outcome->result || outcome->result->status != 200) {
        return fail(translate_s3_error(outcome->result, "HEAD", {std::string(bucket), std::string(key)},
                                       outcome->attempts));
    }
    ObjectInfo info;
    info.size = std::strtoull(outcome->result->header("content-length").c_str(), nullptr, 10);
    info.etag = outcome->result->header("etag");
    if (auto t = parse_http_date(outcome->result->header("last-modified")); t) {
        info.last_modified = *t;
    }
    return info;
}

Status S3Client::delete_object(std::string_view bucket, std::string_view key) {
    auto outcome = execute("DELETE", bucket, key, {}, {});
    if (!outcome) {
        return fail(outcome.error());
    }
    if (!outcome->result || (outcome->result->status != 204 && outcome->result->status != 200)) {
        return fail(translate_s3_error(outcome->result, "DELETE", {std::string(bucket), std::string(key)},
                                       outcome->attempts));
    }
    return {};
}

Result<ListPage> S3Client::list_objects_v2(std::string_view bucket, std::string_view prefix,
                                           std::string_view continuation_token, int max_keys) {
    std::vector<QueryParam> query{{"list-type", "2"}, {"prefix", std::string(prefix)}};
    if (!continuation_token.empty()) {
        query.push_back({"continuation-token", std::string(continuation_token)});
    }
    if (max_keys > 0) {
        query.push_back({"max-keys", std::to_string(max_keys)});
    }
    auto outcome = execute("GET", bucket, "", std::move(query), {});
    if (!outcome) {
        return fail(outcome.error());
    }
    if (!outcome->result || outcome->result->status != 200) {
        return fail(translate_s3_error(outcome->result, "LIST", {std::string(bucket), std::string(prefix)},
                                       outcome->attempts));
    }
    return parse_list_objects_v2(outcome->result->body);
}

Result<std::vector<std::string>> S3Client::list_all(std::string_view bucket, std::string_view prefix, int max_keys) {
    std::vector<std::string> keys;
    std::string token;
    do {
        auto page = list_objects_v2(bucket, prefix, token, max_keys);
        if (!page) {
            return fail(page.error());
        }
        keys.insert(keys.end(), page->keys.begin(), page->keys.end());
        token = page->truncated ? page->next_continuation_token : std::string();
    } while (!token.empty());
    return keys;
}

Status S3Client::create_bucket(std::string_view bucket) {
    Body body;
    std::string location_constraint;
    if (config_.region != "us-east-1") {
        location_constraint = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                              "<LocationConstraint>" + config_.region + "</LocationConstraint></CreateBucketConfiguration>";
        body.memory = location_constraint;
    }
    body.sha256_hex = hex_sha256(body.memory);
    auto outcome = execute("PUT", bucket, "", {}, body);
    if (!outcome) {
        return fail(outcome.error());
    }
    if (outcome->result && outcome->result->status == 409 &&
        xml_element(outcome->result->body, "Code") == "BucketAlreadyOwnedByYou") {
        return {};
    }
    if (!outcome->result || outcome->result->status != 200) {
        return fail(translate_s3_error(outcome->result, "CREATE BUCKET", {std::string(bucket), ""},
                                       outcome->attempts));
    }
    return {};
}

Result<std::string> S3Client::get_object_range(std::string_view bucket, std::string_view key, uint64_t offset,
                                               uint64_t length) {
    if (length == 0) {
        return std::string();
    }
    RequestExtras extra;
    extra.headers.push_back({"range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1)});
    auto outcome = execute("GET", bucket, key, {}, {}, extra);
    if (!outcome) {
        return fail(outcome.error());
    }
    if (outcome->result && outcome->result->status == 416) {
        return std::string(); // the range starts past the end
    }
    if (!outcome->result || (outcome->result->status != 206 && outcome->result->status != 200)) {
        return fail(translate_s3_error(outcome->result, "GET", {std::string(bucket), std::string(key)},
                                       outcome->attempts));
    }
    std::string body = std::move(outcome->result->body);
    if (outcome->result->status == 200) {
        // A server that ignores Range sends the whole object.
        body = offset >= body.size() ? std::string() : body.substr(offset, length);
    }
    return body;
}

Status S3Client::download_object(std::string_view bucket, std::string_view key, const fs::path& destination) {
    RequestExtras extra;
    extra.response_file = &destination;
    auto outcome = execute("GET", bucket, key, {}, {}, extra);
    if (!outcome) {
        return fail(outcome.error());
    }
    if (!outcome->result || outcome->result->status != 200) {
        return fail(translate_s3_error(outcome->result, "GET", {std::string(bucket), std::string(key)},
                                       outcome->attempts));
    }
    return {};
}

Result<std::string> S3Client::create_multipart_upload(std::string_view bucket, std::string_view key) {
    auto outcome = execute("POST", bucket, key, {{"uploads", ""}}, {});
    if (!outcome) {
        return fail(outcome.error());
    }
    if (!outcome->result || outcome->result->status != 200) {
        return fail(translate_s3_error(outcome->result, "CREATE MULTIPART UPLOAD",
                                       {std::string(bucket), std::string(key)}, outcome->attempts));
    }
    std::string id = xml_element(outcome->result->body, "UploadId");
    if (id.empty()) {
        return fail(Error::retry("CreateMultipartUpload for " + S3Location{std::string(bucket), std::string(key)}.uri() +
                                 " answered without an UploadId"));
    }
    return id;
}

Result<std::string> S3Client::upload_part(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                          int number, const fs::path& file, uint64_t offset, uint64_t length) {
    // The signed SHA-256 payload hash is the part's integrity check: S3 recomputes it and
    // refuses the part on a mismatch (XAmzContentSHA256Mismatch). MD5 on top would cost more
    // CPU than the hash itself (OpenSSL here: SHA-256 with SHA-NI ~2 GB/s, MD5 ~0.9 GB/s).
    auto digests = digest_file(file, offset, length, /*with_md5=*/false);
    if (!digests) {
        return fail(digests.error());
    }
    if (digests->size != length) {
        return fail(Error::invalid("part " + std::to_string(number) + " of " + file.string() + " is short: the file shrank"));
    }
    Body body;
    body.file = &file;
    body.file_size = length;
    body.sha256_hex = digests->sha256_hex;
    body.md5_base64 = digests->md5_base64;
    RequestExtras extra;
    extra.body_file_offset = offset;
    auto outcome = execute("PUT", bucket, key, {{"partNumber", std::to_string(number)}, {"uploadId", std::string(upload_id)}},
                           body, extra);
    if (!outcome) {
        return fail(outcome.error());
    }
    if (!outcome->result || outcome->result->status != 200) {
        return fail(translate_s3_error(outcome->result, "UPLOAD PART", {std::string(bucket), std::string(key)},
                                       outcome->attempts));
    }
    std::string etag = outcome->result->header("etag");
    if (etag.empty()) {
        return fail(Error::retry("UploadPart answered without an ETag"));
    }
    return etag;
}

Status S3Client::complete_multipart_upload(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                           const std::vector<CompletedPart>& parts) {
    const std::string xml = complete_multipart_body(parts);
    Body body;
    body.memory = xml;
    body.sha256_hex = hex_sha256(xml);
    body.md5_base64 = base64_md5(xml);
    const S3Location where{std::string(bucket), std::string(key)};
    // S3 may answer 200 and put an <Error> in the body when it fails while assembling the
    // object: that is a failure too, and a retriable one when the code says so.
    for (int attempt = 1;; ++attempt) {
        auto outcome = execute("POST", bucket, key, {{"uploadId", std::string(upload_id)}}, body);
        if (!outcome) {
            return fail(outcome.error());
        }
        if (!outcome->result || outcome->result->status != 200) {
            return fail(translate_s3_error(outcome->result, "COMPLETE MULTIPART UPLOAD", where, outcome->attempts));
        }
        const std::string& response = outcome->result->body;
        if (response.find("<CompleteMultipartUploadResult") != std::string::npos) {
            return {};
        }
        const std::string code = xml_element(response, "Code");
        const bool retriable = code == "InternalError" || code == "SlowDown" || code == "ServiceUnavailable";
        if (!retriable || attempt >= std::max(1, config_.retry.max_attempts)) {
            return fail((retriable ? Error::retry : Error::fatal)(
                "COMPLETE MULTIPART UPLOAD " + where.uri() + " failed (HTTP 200 " + code + ": " +
                xml_element(response, "Message") + ")"));
        }
        const auto delay = backoff_delay(config_.retry, attempt);
        if (config_.retry.sleep) {
            config_.retry.sleep(delay);
        } else {
            std::this_thread::sleep_for(delay);
        }
    }
}

Status S3Client::abort_multipart_upload(std::string_view bucket, std::string_view key, std::string_view upload_id) {
    auto outcome = execute("DELETE", bucket, key, {{"uploadId", std::string(upload_id)}}, {});
    if (!outcome) {
        return fail(outcome.error());
    }
    if (outcome->result && (outcome->result->status == 204 || outcome->result->status == 200)) {
        return {};
    }
    if (outcome->result && outcome->result->status == 404 &&
        xml_element(outcome->result->body, "Code") == "NoSuchUpload") {
        return {};
    }
    return fail(translate_s3_error(outcome->result, "ABORT MULTIPART UPLOAD", {std::string(bucket), std::string(key)},
                                   outcome->attempts));
}

Result<std::vector<MultipartUpload>> S3Client::list_multipart_uploads(std::string_view bucket, std::string_view prefix) {
    std::vector<MultipartUpload> uploads;
    std::string key_marker;
    std::string upload_id_marker;
    for (;;) {
        std::vector<QueryParam> query{{"uploads", ""}, {"prefix", std::string(prefix)}};
        if (!key_marker.empty()) {
            query.push_back({"key-marker", key_marker});
        }
        if (!upload_id_marker.empty()) {
            query.push_back({"upload-id-marker", upload_id_marker});
        }
        auto outcome = execute("GET", bucket, "", std::move(query), {});
        if (!outcome) {
            return fail(outcome.error());
        }
        if (!outcome->result || outcome->result->status != 200) {
            return fail(translate_s3_error(outcome->result, "LIST MULTIPART UPLOADS",
                                           {std::string(bucket), std::string(prefix)}, outcome->attempts));
        }
        auto page = parse_list_multipart_uploads(outcome->result->body);
        if (!page) {
            return fail(page.error());
        }
        uploads.insert(uploads.end(), page->uploads.begin(), page->uploads.end());
        if (!page->truncated) {
            return uploads;
        }
        key_marker = page->next_key_marker;
        upload_id_marker = page->next_upload_id_marker;
    }
}

} // namespace ticklake::s3
