// Bytes written as text, for formats that hold only text (JSON Lines, CSV, dead letters).
#pragma once

#include <string>
#include <string_view>

namespace ticklake {

//! Standard base64 (RFC 4648, with '=' padding), as Athena's and Spark's unbase64() read it.
void append_base64(std::string& out, std::string_view bytes);

//! Lower-case hex, two digits per byte.
void append_hex(std::string& out, std::string_view bytes);

} // namespace ticklake
