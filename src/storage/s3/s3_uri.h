// Where an S3 object lives and where to send a request for it: `s3://bucket/key` URIs,
// endpoint URLs of S3-compatible servers, and the host + path of a request under path-style
// or virtual-hosted-style addressing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace ticklake::s3 {

struct S3Location {
    std::string bucket;
    std::string key; //!< the text after "bucket/", verbatim (a key or a prefix); may be empty
    std::string uri() const; //!< "s3://bucket/key"
    bool operator==(const S3Location&) const = default;
};

//! Checks the general-purpose bucket naming rules: 3-63 characters of lower-case letters,
//! digits, '.' and '-'; a letter or digit at both ends; no ".."; not an IPv4 address; none of
//! the prefixes and suffixes S3 reserves. The error says which rule the name breaks.
Status validate_bucket_name(std::string_view bucket);

//! Parses "s3://bucket" or "s3://bucket/key/or/prefix". The scheme is case-insensitive.
Result<S3Location> parse_s3_uri(std::string_view uri);

struct S3Endpoint {
    std::string scheme; //!< "http" or "https"
    std::string host;   //!< lower-cased; an IPv6 literal keeps its brackets
    uint16_t port = 0;  //!< always set: 80/443 when the URL had none
    bool default_port() const { return port == (scheme == "https" ? 443 : 80); }
    //! "host" or "host:port" when the port is not the scheme's default (the Host header).
    std::string authority() const;
    bool operator==(const S3Endpoint&) const = default;
};

//! Parses an endpoint override such as "http://127.0.0.1:9000" or "https://s3.example.com/".
//! Only http and https; no user info, path, query or fragment.
Result<S3Endpoint> parse_endpoint_url(std::string_view url);

enum class AddressingStyle {
    automatic,      //!< virtual-hosted on AWS (path-style for bucket names with dots), path-style on a custom endpoint
    path,           //!< https://host/bucket/key
    virtual_hosted, //!< https://bucket.host/key
};
//! "auto", "path", "virtual" (the values of the AWS config's s3.addressing_style).
Result<AddressingStyle> parse_addressing_style(std::string_view text);

struct S3RequestTarget {
    std::string scheme;    //!< "http" or "https"
    std::string host;      //!< the Host header, with ":port" when not the default
    std::string connect_host; //!< the host to connect to, without port
    uint16_t port = 0;
    std::string path;      //!< raw (not percent-encoded), starts with '/'; what SigV4 signs
    //! scheme://host + the path encoded as S3 expects it (same encoding as the canonical URI).
    std::string url() const;
};

//! Host and path of a request for `key` in `bucket` (key may be empty: a bucket-level request).
//! Without an endpoint the target is AWS: s3.<region>.amazonaws.com, over https.
Result<S3RequestTarget> s3_request_target(std::string_view bucket, std::string_view key,
                                          const std::optional<S3Endpoint>& endpoint, std::string_view region,
                                          AddressingStyle style = AddressingStyle::automatic);

} // namespace ticklake::s3
