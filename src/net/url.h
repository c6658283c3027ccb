// A parsed ws://, wss://, http:// or https:// address: what a connection needs, nothing more.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"

namespace ticklake::net {

struct Url {
    std::string scheme; //!< "ws", "wss", "http" or "https", lower case
    std::string host;   //!< name or IPv4 address, without brackets
    uint16_t port = 0;  //!< explicit, or the scheme's default (80 / 443)
    std::string target; //!< path and query, at least "/"

    bool tls() const { return scheme == "wss" || scheme == "https"; }
    //! scheme://host:port/path without the query string: safe to log (vendors put keys there).
    std::string redacted() const;
};

//! Errors are invalid_argument and quote the text (minus its query, which may hold a key).
Result<Url> parse_url(std::string_view text);

} // namespace ticklake::net
