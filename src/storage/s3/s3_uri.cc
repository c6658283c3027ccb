#include "storage/s3/s3_uri.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>

#include "aws/sigv4.h"

namespace ticklake::s3 {

namespace {

// Concatenation by append: g++ 12 warns falsely (-Wrestrict) on some `"lit" + std::string` chains.
std::string cat(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (auto p : parts) {
        out.append(p);
    }
    return out;
}

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}

bool looks_like_ipv4(std::string_view s) {
    int parts = 0;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t dot = s.find('.', pos);
        if (dot == std::string_view::npos) {
            dot = s.size();
        }
        const std::string_view part = s.substr(pos, dot - pos);
        if (part.empty() || part.size() > 3 ||
            !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return false;
        }
        ++parts;
        pos = dot + 1;
    }
    return parts == 4;
}

bool valid_region(std::string_view region) {
    return !region.empty() && std::all_of(region.begin(), region.end(),
                                          [](char c) { return is_lower_alnum(c) || c == '-'; });
}

} // namespace

std::string S3Location::uri() const { return key.empty() ? "s3://" + bucket : "s3://" + bucket + "/" + key; }

Status validate_bucket_name(std::string_view bucket) {
    const std::string quoted = "bucket name '" + std::string(bucket) + "'";
    if (bucket.size() < 3 || bucket.size() > 63) {
        return fail(Error::invalid(quoted + " must be 3 to 63 characters long, it has " +
                                   std::to_string(bucket.size())));
    }
    for (char c : bucket) {
        if (!is_lower_alnum(c) && c != '.' && c != '-') {
            return fail(Error::invalid(quoted + " may hold only lower-case letters, digits, '.' and '-'"));
        }
    }
    if (!is_lower_alnum(bucket.front()) || !is_lower_alnum(bucket.back())) {
        return fail(Error::invalid(quoted + " must begin and end with a letter or a digit"));
    }
    if (bucket.find("..") != std::string_view::npos) {
        return fail(Error::invalid(quoted + " must not contain two adjacent periods"));
    }
    if (looks_like_ipv4(bucket)) {
        return fail(Error::invalid(quoted + " must not be formatted as an IP address"));
    }
    static constexpr std::array<std::string_view, 3> kReservedPrefixes = {"xn--", "sthree-", "amzn-s3-demo-"};
    for (auto p : kReservedPrefixes) {
        if (bucket.starts_with(p)) {
            return fail(Error::invalid(quoted + " must not start with '" + std::string(p) + "' (reserved by S3)"));
        }
    }
    static constexpr std::array<std::string_view, 5> kReservedSuffixes = {"-s3alias", "--ol-s3", ".mrap",
                                                                          "--x-s3", "--table-s3"};
    for (auto s : kReservedSuffixes) {
        if (bucket.ends_with(s)) {
            return fail(Error::invalid(quoted + " must not end with '" + std::string(s) + "' (reserved by S3)"));
        }
    }
    return {};
}

Result<S3Location> parse_s3_uri(std::string_view uri) {
    constexpr std::string_view kScheme = "s3://";
    if (uri.size() < kScheme.size() || lower(uri.substr(0, kScheme.size())) != kScheme) {
        return fail(Error::invalid(cat({"'", uri, "' is not an S3 URI: expected s3://bucket/prefix"})));
    }
    const std::string_view rest = uri.substr(kScheme.size());
    const size_t slash = rest.find('/');
    S3Location loc;
    loc.bucket = std::string(rest.substr(0, slash));
    if (loc.bucket.empty()) {
        return fail(Error::invalid(cat({"'", uri, "' names no bucket: expected s3://bucket/prefix"})));
    }
    if (auto ok = validate_bucket_name(loc.bucket); !ok) {
        return fail(Error::invalid(cat({"in '", uri, "': ", ok.error().message})));
    }
    if (slash != std::string_view::npos) {
        loc.key = std::string(rest.substr(slash + 1));
    }
    if (loc.key.size() > 1024) {
        return fail(Error::invalid("in '" + loc.uri().substr(0, 80) + "...': an S3 key is at most 1024 bytes"));
    }
    return loc;
}

std::string S3Endpoint::authority() const {
    return default_port() ? host : host + ":" + std::to_string(port);
}

Result<S3Endpoint> parse_endpoint_url(std::string_view url) {
    const auto bad = [&](std::string_view why) {
        return fail(Error::invalid("endpoint URL '" + std::string(url) + "' " + std::string(why) +
                                   ": expected http(s)://host[:port], e.g. http://127.0.0.1:9000"));
    };
    const size_t sep = url.find("://");
    if (sep == std::string_view::npos) {
        return bad("has no scheme");
    }
    S3Endpoint ep;
    ep.scheme = lower(url.substr(0, sep));
    if (ep.scheme != "http" && ep.scheme != "https") {
        return bad("must use http or https");
    }
    std::string_view rest = url.substr(sep + 3);
    const size_t end = rest.find_first_of("/?#");
    std::string_view tail = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    const std::string_view authority = rest.substr(0, end);
    if (!tail.empty() && tail != "/") {
        return bad("must not have a path, query or fragment");
    }
    if (authority.find('@') != std::string_view::npos) {
        return bad("must not carry user information");
    }
    std::string_view host = authority;
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            return bad("has an unterminated IPv6 address");
        }
        host = authority.substr(0, close + 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') {
                return bad("has text after the IPv6 address");
            }
            port_text = authority.substr(close + 2);
            if (port_text.empty()) {
                return bad("has an empty port");
            }
        }
    } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port_text = authority.substr(colon + 1);
        if (port_text.empty()) {
            return bad("has an empty port");
        }
    }
    if (host.empty() || host == "[]") {
        return bad("has no host");
    }
    const bool host_chars_ok = host.front() == '[' || std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.' || c == '_';
    });
    if (!host_chars_ok) {
        return bad("has a host with characters a host name cannot hold");
    }
    ep.host = lower(host);
    if (port_text.empty()) {
        ep.port = ep.scheme == "https" ? 443 : 80;
    } else {
        unsigned value = 0;
        const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc() || ptr != port_text.data() + port_text.size() || value == 0 || value > 65535) {
            return bad("has a port that is not a number from 1 to 65535");
        }
        ep.port = static_cast<uint16_t>(value);
    }
    return ep;
}

Result<AddressingStyle> parse_addressing_style(std::string_view text) {
    if (text == "auto" || text.empty()) {
        return AddressingStyle::automatic;
    }
    if (text == "path") {
        return AddressingStyle::path;
    }
    if (text == "virtual") {
        return AddressingStyle::virtual_hosted;
    }
    return fail(Error::invalid("S3 addressing style '" + std::string(text) + "' is not one of auto, path, virtual"));
}

std::string S3RequestTarget::url() const { return scheme + "://" + host + aws::uri_encode(path, false); }

Result<S3RequestTarget> s3_request_target(std::string_view bucket, std::string_view key,
                                          const std::optional<S3Endpoint>& endpoint, std::string_view region,
                                          AddressingStyle style) {
    if (auto ok = validate_bucket_name(bucket); !ok) {
        return fail(ok.error());
    }
    S3Endpoint ep;
    if (endpoint) {
        ep = *endpoint;
    } else {
        if (!valid_region(region)) {
            return fail(Error::invalid(region.empty()
                                           ? std::string("no AWS region for S3: set AWS_REGION, or region in the "
                                                         "profile, or give an endpoint URL")
                                           : "AWS region '" + std::string(region) +
                                                 "' may hold only lower-case letters, digits and '-'"));
        }
        ep = S3Endpoint{"https", "s3." + std::string(region) + ".amazonaws.com", 443};
    }
    if (style == AddressingStyle::automatic) {
        // A bucket with dots breaks the TLS wildcard certificate of virtual-hosted names;
        // a custom endpoint (MinIO, Ceph) rarely has per-bucket DNS names.
        const bool dotted = bucket.find('.') != std::string_view::npos;
        style = endpoint || (dotted && ep.scheme == "https") ? AddressingStyle::path
                                                              : AddressingStyle::virtual_hosted;
    }
    if (style == AddressingStyle::virtual_hosted && ep.host.front() == '[') {
        return fail(Error::invalid("virtual-hosted addressing needs a host name, not the IP address " + ep.host +
                                   ": use path-style addressing"));
    }
    if (style == AddressingStyle::virtual_hosted && looks_like_ipv4(ep.host)) {
        return fail(Error::invalid("virtual-hosted addressing needs a host name, not the IP address " + ep.host +
                                   ": use path-style addressing"));
    }
    S3RequestTarget t;
    t.scheme = ep.scheme;
    t.port = ep.port;
    if (style == AddressingStyle::virtual_hosted) {
        t.connect_host = std::string(bucket) + "." + ep.host;
        t.path = cat({"/", key});
    } else {
        t.connect_host = ep.host;
        t.path = key.empty() ? cat({"/", bucket}) : cat({"/", bucket, "/", key});
    }
    t.host = ep.default_port() ? t.connect_host : t.connect_host + ":" + std::to_string(ep.port);
    return t;
}

} // namespace ticklake::s3
