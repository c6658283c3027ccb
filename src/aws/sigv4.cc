#include "aws/sigv4.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace ticklake::aws {

namespace {

bool is_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Canonical header value: leading and trailing whitespace dropped, inner runs of whitespace
// (line folds included) collapsed to one space.
std::string canonical_header_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    bool pending_space = false;
    for (char c : value) {
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) {
            out.push_back(' ');
            pending_space = false;
        }
        out.push_back(c);
    }
    return out;
}

bool valid_amz_date(std::string_view d) {
    if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') {
        return false;
    }
    for (size_t i = 0; i < 15; ++i) {
        if (i != 8 && (d[i] < '0' || d[i] > '9')) {
            return false;
        }
    }
    return true;
}

bool valid_token(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

} // namespace

std::string to_hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0xF]);
    }
    return out;
}

std::string hex_sha256(std::string_view data) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr);
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), size));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int size = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &size);
    return std::string(reinterpret_cast<const char*>(mac.data()), size);
}

std::string uri_encode(std::string_view text, bool encode_slash) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (unsigned char c : text) {
        if (is_unreserved(c) || (c == '/' && !encode_slash)) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kDigits[c >> 4]);
            out.push_back(kDigits[c & 0xF]);
        }
    }
    return out;
}

std::string format_amz_date(TimestampUs ts) {
    int64_t seconds = ts / kMicrosPerSecond;
    if (ts % kMicrosPerSecond < 0) {
        --seconds; // floor toward the past for instants before 1970
    }
    int64_t days = seconds / 86'400;
    int64_t rest = seconds % 86'400;
    if (rest < 0) {
        rest += 86'400;
        --days;
    }
    const CivilDate date = civil_from_days(days);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02lld%02lld%02lldZ", static_cast<long long>(date.year),
                  date.month, date.day, static_cast<long long>(rest / 3600),
                  static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
    return buf;
}

std::string canonical_uri(std::string_view path, UriPathRule rule) {
    if (path.empty()) {
        return "/";
    }
    if (rule == UriPathRule::s3) {
        return uri_encode(path, false);
    }
    std::vector<std::string_view> kept;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t slash = path.find('/', pos);
        if (slash == std::string_view::npos) {
            slash = path.size();
        }
        const std::string_view segment = path.substr(pos, slash - pos);
        pos = slash + 1;
        if (segment.empty() || segment == ".") {
            continue;
        }
        if (segment == "..") {
            if (!kept.empty()) {
                kept.pop_back();
            }
            continue;
        }
        kept.push_back(segment);
    }
    std::string normalized;
    for (auto segment : kept) {
        normalized += '/';
        normalized += segment;
    }
    if (normalized.empty()) {
        return "/";
    }
    if (path.back() == '/') {
        normalized += '/';
    }
    return uri_encode(normalized, false);
}

std::string canonical_query_string(const std::vector<QueryParam>& query) {
    std::vector<std::pair<std::string, std::string>> encoded;
    encoded.reserve(query.size());
    for (const auto& p : query) {
        encoded.emplace_back(uri_encode(p.name, true), uri_encode(p.value, true));
    }
    std::sort(encoded.begin(), encoded.end());
    std::string out;
    for (const auto& [name, value] : encoded) {
        if (!out.empty()) {
            out += '&';
        }
        out += name;
        out += '=';
        out += value;
    }
    return out;
}

std::string credential_scope(std::string_view date, const SigningScope& scope) {
    return std::string(date) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

std::string derive_signing_key(std::string_view secret_access_key, std::string_view date,
                               const SigningScope& scope) {
    const std::string k_date = hmac_sha256("AWS4" + std::string(secret_access_key), date);
    const std::string k_region = hmac_sha256(k_date, scope.region);
    const std::string k_service = hmac_sha256(k_region, scope.service);
    return hmac_sha256(k_service, "aws4_request");
}

namespace {

// Errors name the bad field, never the secret key or the session token.
Status check_signing_input(const SigningRequest& request, const AwsCredentials& credentials,
                           const SigningScope& scope) {
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
        return fail(Error::invalid("cannot sign an AWS request without an access key id and a secret key"));
    }
    if (request.method.empty() || request.host.empty()) {
        return fail(Error::invalid("cannot sign an AWS request without a method and a host"));
    }
    if (!request.path.empty() && request.path.front() != '/') {
        return fail(Error::invalid("the path of a signed request must start with '/': " + request.path));
    }
    if (!valid_amz_date(request.amz_date)) {
        return fail(Error::invalid("x-amz-date must look like 20150830T123600Z, got '" + request.amz_date + "'"));
    }
    if (request.payload_hash.empty()) {
        return fail(Error::invalid("the payload hash is missing: pass hex_sha256(body) or UNSIGNED-PAYLOAD"));
    }
    if (!valid_token(scope.region) || !valid_token(scope.service)) {
        return fail(Error::invalid("the signing region and service must be lower-case names such as us-east-1 "
                                   "and s3, got '" + scope.region + "' and '" + scope.service + "'"));
    }
    return {};
}

struct CanonicalHeaders {
    std::string text;         //!< "name:value\n" per signed header, repeated names joined by ','
    std::string signed_names; //!< "host;x-amz-content-sha256;x-amz-date"
};

// Host, the signer's own headers and the caller's, lower-cased, canonical values, sorted by
// name; a caller's header that duplicates one of the signer's is refused.
Result<CanonicalHeaders> canonical_headers(const SigningRequest& request, const std::vector<HttpHeader>& to_add) {
    std::vector<HttpHeader> canonical;
    canonical.push_back({"host", canonical_header_value(request.host)});
    for (const auto& h : to_add) {
        canonical.push_back({h.name, canonical_header_value(h.value)});
    }
    for (const auto& h : request.headers) {
        std::string name = lower(canonical_header_value(h.name));
        if (name.empty()) {
            return fail(Error::invalid("a header to sign has an empty name"));
        }
        const bool ours = name == "host" || name == "authorization" ||
                          std::any_of(to_add.begin(), to_add.end(),
                                      [&](const HttpHeader& a) { return a.name == name; });
        if (ours) {
            return fail(Error::invalid("header '" + name + "' is set by the signer; do not pass it"));
        }
        canonical.push_back({std::move(name), canonical_header_value(h.value)});
    }
    // Stable: repeated headers keep the order they were given in, joined by ','.
    std::stable_sort(canonical.begin(), canonical.end(),
                     [](const HttpHeader& a, const HttpHeader& b) { return a.name < b.name; });
    CanonicalHeaders out;
    for (size_t i = 0; i < canonical.size(); ++i) {
        if (i > 0 && canonical[i].name == canonical[i - 1].name) {
            out.text.pop_back(); // the '\n' of the previous value
            out.text += ',' + canonical[i].value + '\n';
            continue;
        }
        if (!out.signed_names.empty()) {
            out.signed_names += ';';
        }
        out.signed_names += canonical[i].name;
        out.text += canonical[i].name + ':' + canonical[i].value + '\n';
    }
    return out;
}

} // namespace

Result<SignedRequest> sign_v4(const SigningRequest& request, const AwsCredentials& credentials,
                              const SigningScope& scope, const SigV4Options& options) {
    if (auto st = check_signing_input(request, credentials, scope); !st) {
        return fail(st.error());
    }
    // The headers we add come first so that duplicates of them given by the caller are refused.
    std::vector<HttpHeader> to_add;
    to_add.push_back({"x-amz-date", request.amz_date});
    if (options.content_sha256_header) {
        to_add.push_back({"x-amz-content-sha256", request.payload_hash});
    }
    if (!credentials.session_token.empty()) {
        to_add.push_back({"x-amz-security-token", credentials.session_token});
    }
    auto headers = canonical_headers(request, to_add);
    if (!headers) {
        return fail(headers.error());
    }

    SignedRequest out;
    out.canonical_request = request.method + '\n' + canonical_uri(request.path, options.path_rule) + '\n' +
                            canonical_query_string(request.query) + '\n' + headers->text + '\n' +
                            headers->signed_names + '\n' + request.payload_hash;
    const std::string_view date = std::string_view(request.amz_date).substr(0, 8);
    const std::string scope_text = credential_scope(date, scope);
    out.string_to_sign = std::string(kSigV4Algorithm) + '\n' + request.amz_date + '\n' + scope_text + '\n' +
                         hex_sha256(out.canonical_request);
    out.signature =
        to_hex(hmac_sha256(derive_signing_key(credentials.secret_access_key, date, scope), out.string_to_sign));
    out.signed_headers = headers->signed_names;
    out.authorization = std::string(kSigV4Algorithm) + " Credential=" + credentials.access_key_id + '/' +
                        scope_text + ", SignedHeaders=" + out.signed_headers + ", Signature=" + out.signature;
    out.headers_to_add = std::move(to_add);
    out.headers_to_add.push_back({"Authorization", out.authorization});
    return out;
}

} // namespace ticklake::aws
