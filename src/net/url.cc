#include "net/url.h"

#include <charconv>

#include <fmt/format.h>

namespace ticklake::net {

namespace {

std::string without_query(std::string_view text) {
    return std::string(text.substr(0, text.find('?')));
}

} // namespace

std::string Url::redacted() const {
    const auto q = target.find('?');
    return fmt::format("{}://{}:{}{}{}", scheme, host, port, std::string_view(target).substr(0, q),
                       q == std::string::npos ? "" : "?...");
}

Result<Url> parse_url(std::string_view text) {
    Url u;
    const auto sep = text.find("://");
    if (sep == std::string_view::npos) {
        return fail(Error::invalid(fmt::format("'{}' is not a URL: expected ws://, wss://, http:// or https://", without_query(text))));
    }
    for (char c : text.substr(0, sep)) {
        u.scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    uint16_t default_port = 0;
    if (u.scheme == "ws" || u.scheme == "http") {
        default_port = 80;
    } else if (u.scheme == "wss" || u.scheme == "https") {
        default_port = 443;
    } else {
        return fail(Error::invalid(fmt::format("unsupported URL scheme '{}' in '{}': use ws://, wss://, http:// or https://",
                                               u.scheme, without_query(text))));
    }
    std::string_view rest = text.substr(sep + 3);
    const auto path_at = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, path_at);
    u.target.push_back('/'); // (not = "/": GCC 12 raises a false -Wrestrict there)
    if (path_at != std::string_view::npos) {
        // "host?query" has an empty path: the target still starts with "/".
        std::string_view path = rest.substr(path_at);
        if (path[0] == '/') {
            path.remove_prefix(1);
        }
        u.target.append(path);
    }
    if (authority.find('@') != std::string_view::npos) {
        return fail(Error::invalid("credentials in the URL are not supported: use the vendor's environment variable"));
    }
    std::string_view port_text;
    if (!authority.empty() && authority[0] == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return fail(Error::invalid(fmt::format("unbalanced '[' in the host of '{}'", without_query(text))));
        }
        u.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size() && authority[close + 1] == ':') {
            port_text = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
        }
    }
    if (u.host.empty()) {
        return fail(Error::invalid(fmt::format("no host in '{}'", without_query(text))));
    }
    u.port = default_port;
    if (!port_text.empty()) {
        unsigned p = 0;
        auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || p == 0 || p > 65535) {
            return fail(Error::invalid(fmt::format("bad port '{}' in '{}'", port_text, without_query(text))));
        }
        u.port = static_cast<uint16_t>(p);
    }
    return u;
}

} // namespace ticklake::net
