// Reading a JSON number as a double with simdjson's On-Demand API, exactly.
#pragma once

#include <charconv>
#include <string_view>

#include <simdjson.h>

namespace ticklake {

//! v.get_double(), except that a literal of more than 19 characters is read again with
//! std::from_chars. Debian 12's simdjson (3.0.1) On-Demand misreads decimals of more than 19
//! digits whose integer part is 0 ("0.95000000000000000000" gives 0.0277; simdjson issue
//! #2093, fixed upstream in 3.6.3); simdjson still checks the JSON grammar first.
inline simdjson::error_code get_exact_double(simdjson::ondemand::value& v, double& out) {
    std::string_view token = v.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' || token.back() == '\r')) {
        token.remove_suffix(1);
    }
    if (auto e = v.get_double().get(out); e) {
        return e;
    }
    if (token.size() > 19) {
        double exact = 0;
        const char* end = token.data() + token.size();
        if (auto r = std::from_chars(token.data(), end, exact); r.ec == std::errc() && r.ptr == end) {
            out = exact;
        }
    }
    return simdjson::SUCCESS;
}

} // namespace ticklake
