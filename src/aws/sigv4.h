// AWS Signature Version 4 (header form, payload hash in `x-amz-content-sha256`) for S3 and,
// with options, for the generic AWS services the published SigV4 test suite describes.
// Pure and deterministic: the caller passes the timestamp, so signing is testable against
// the published vectors. OpenSSL's libcrypto does the hashing; nothing here does I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/timestamp.h"
#include "net/http_transport.h"
#include "aws/credentials.h"

namespace ticklake::aws {

inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
//! hex SHA-256 of the empty string: the payload hash of a request without a body.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

//! Lower-case hex of `bytes`.
std::string to_hex(std::string_view bytes);
//! Lower-case hex SHA-256 of `data`.
std::string hex_sha256(std::string_view data);
//! Raw (32-byte) HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

//! Percent-encodes every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~) as
//! %XX with upper-case hex; '/' stays as is unless `encode_slash`. Space is %20, never '+'.
std::string uri_encode(std::string_view text, bool encode_slash);

//! "20150830T123600Z": the x-amz-date form of a UTC timestamp (sub-seconds dropped).
std::string format_amz_date(TimestampUs ts);

//! How the canonical URI is formed from the request path.
enum class UriPathRule {
    s3,         //!< S3: the path encoded once, '/' kept, no normalisation ("a//b/../c" is a key)
    normalized, //!< other services: "." and ".." segments resolved and repeated '/' merged first
};

//! Signed headers are the headers the transport sends.
using HttpHeader = net::HttpHeader;

struct QueryParam {
    std::string name;  //!< raw, not percent-encoded
    std::string value; //!< raw; empty for a value-less parameter such as "?lifecycle"
};

struct SigningRequest {
    std::string method = "GET";
    std::string host;               //!< Host header value, with ":port" when not the scheme's default
    std::string path = "/";         //!< raw (not percent-encoded) path, starting with '/'
    std::vector<QueryParam> query;  //!< in any order; sorted for signing
    std::vector<HttpHeader> headers; //!< further headers to sign; not Host, X-Amz-Date, Authorization
    std::string payload_hash;       //!< hex_sha256(body) or kUnsignedPayload
    std::string amz_date;           //!< format_amz_date(now)
};

struct SigningScope {
    std::string region; //!< "us-east-1"
    std::string service = "s3";
};

struct SigV4Options {
    UriPathRule path_rule = UriPathRule::s3;
    //! S3 requires `x-amz-content-sha256`; other services (and the generic test suite) omit it.
    bool content_sha256_header = true;
};

struct SignedRequest {
    //! Headers the caller adds to the request, in this order: x-amz-date,
    //! x-amz-content-sha256 (when enabled), x-amz-security-token (when a session token), Authorization.
    std::vector<HttpHeader> headers_to_add;
    std::string canonical_request;
    std::string string_to_sign;
    std::string signed_headers; //!< "host;x-amz-content-sha256;x-amz-date"
    std::string signature;      //!< lower-case hex
    std::string authorization;  //!< the Authorization header value
};

std::string canonical_uri(std::string_view path, UriPathRule rule);
//! Parameters encoded with uri_encode(…, true), sorted by encoded name then encoded value.
std::string canonical_query_string(const std::vector<QueryParam>& query);
//! "20150830/us-east-1/service/aws4_request"
std::string credential_scope(std::string_view date, const SigningScope& scope);
//! kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"), raw.
std::string derive_signing_key(std::string_view secret_access_key, std::string_view date,
                               const SigningScope& scope);

//! Signs `request`. Errors (kind invalid_argument) name the bad field; they never carry the
//! secret key or the session token.
Result<SignedRequest> sign_v4(const SigningRequest& request, const AwsCredentials& credentials,
                              const SigningScope& scope, const SigV4Options& options = {});

} // namespace ticklake::aws
