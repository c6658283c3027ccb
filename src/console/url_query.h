// The parameters of a request's query string (?table=market.trades&symbol=AAPL), decoded.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace ticklake::console {

//! name -> value, percent-decoded ('+' is a space); a repeated name keeps its last value; a
//! malformed escape is kept as written.
std::map<std::string, std::string> parse_url_query(std::string_view query);

} // namespace ticklake::console
