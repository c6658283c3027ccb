#include "storage/s3/s3_client.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <memory>

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

// One pass over the file for both hashes the PUT needs.
Result<FileDigests> digest_file(const fs::path& path) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) {
        return fail(Error::invalid("cannot open " + path.string() + " for upload: nothing staged there"));
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
    while ((n = std::fread(buffer.data(), 1, buffer.size(), f.get())) > 0) {
        EVP_DigestUpdate(sha.get(), buffer.data(), n);
        EVP_DigestUpdate(md5.get(), buffer.data(), n);
        out.size += n;
    }
    if (std::ferror(f.get())) {
        return fail(Error::retry("cannot read " + path.string() + " for upload"));
    }
    out.sha256_hex = to_hex(digest_final(sha.get()));
    out.md5_base64 = base64(digest_final(md5.get()));
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
    // Without a delimiter, <Key> only occurs inside <Contents>.
    constexpr std::string_view kOpen = "<Key>";
    constexpr std::string_view kClose = "</Key>";
    size_t pos = 0;
    while ((pos = xml.find(kOpen, pos)) != std::string_view::npos) {
        const size_t from = pos + kOpen.size();
        const size_t end = xml.find(kClose, from);
        if (end == std::string_view::npos) {
            return fail(Error::retry("truncated ListObjectsV2 response (unterminated <Key>)"));
        }
        page.keys.push_back(decode_xml_entities(xml.substr(from, end - from)));
        pos = end + kClose.size();
    }
    page.truncated = xml_element(xml, "IsTruncated") == "true";
    page.next_continuation_token = xml_element(xml, "NextContinuationToken");
    if (page.truncated && page.next_continuation_token.empty()) {
        return fail(Error::retry("ListObjectsV2 response is truncated but has no NextContinuationToken"));
    }
    return page;
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
    : config_(std::move(config)), transport_(std::move(transport)) {
    if (!transport_) {
        transport_ = std::make_shared<CurlHttpTransport>();
    }
    if (!config_.clock) {
        config_.clock = now_us;
    }
    if (config_.region.empty()) {
        config_.region = "us-east-1";
    }
}

Result<RetryOutcome> S3Client::execute(std::string_view method, std::string_view bucket, std::string_view key,
                                       std::vector<QueryParam> query, const Body& body) {
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
            req.body_file_size = body.file_size;
        } else {
            req.body = std::string(body.memory);
        }
        return req;
    };
    return send_with_retries(*transport_, build, config_.retry);
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

} // namespace ticklake::s3
