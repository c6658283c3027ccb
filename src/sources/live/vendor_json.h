// Small readers over simdjson's DOM for vendor messages: a missing or mistyped field is an
// empty optional, so each protocol says in one place what it does about it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "common/error.h"
#include "sources/live/exact_decimal.h"
#include "sources/live/stream_protocol.h"

namespace ticklake::vendor_json {

using simdjson::dom::element;

inline std::optional<std::string_view> str(element e, std::string_view key) {
    std::string_view v;
    if (e[key].get_string().get(v) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    return v;
}

inline std::optional<int64_t> i64(element e, std::string_view key) {
    int64_t v;
    if (e[key].get_int64().get(v) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    return v;
}

//! A JSON number (integer or not) as a double; simdjson rounds correctly, so the shortest
//! text of the double is the vendor's text for up to 15 significant digits.
inline std::optional<double> num(element e, std::string_view key) {
    double v;
    if (e[key].get_double().get(v) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    return v;
}

//! A decimal sent as text ("0.35280000") or as a number; inexact texts are counted.
inline std::optional<double> decimal(element e, std::string_view key, StreamContext& ctx) {
    std::string_view text;
    if (e[key].get_string().get(text) == simdjson::SUCCESS) {
        const DecimalValue d = parse_decimal(text);
        if (!d.ok) {
            return std::nullopt;
        }
        if (!d.exact) {
            ctx.inexact_decimal(text);
        }
        return d.value;
    }
    return num(e, key);
}

inline std::optional<bool> boolean(element e, std::string_view key) {
    bool v;
    if (e[key].get_bool().get(v) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    return v;
}

// The same readers over a lookup that may have failed, such as doc["Meta Data"] when the vendor
// left it out: a missing parent is a missing field. Without these, the call converts the failed
// lookup to an element, which throws (found by vendor_frames_fuzz).
using maybe_element = simdjson::simdjson_result<element>;

inline std::optional<std::string_view> str(maybe_element e, std::string_view key) {
    element x;
    return e.get(x) == simdjson::SUCCESS ? str(x, key) : std::nullopt;
}
inline std::optional<int64_t> i64(maybe_element e, std::string_view key) {
    element x;
    return e.get(x) == simdjson::SUCCESS ? i64(x, key) : std::nullopt;
}
inline std::optional<double> num(maybe_element e, std::string_view key) {
    element x;
    return e.get(x) == simdjson::SUCCESS ? num(x, key) : std::nullopt;
}
inline std::optional<double> decimal(maybe_element e, std::string_view key, StreamContext& ctx) {
    element x;
    return e.get(x) == simdjson::SUCCESS ? decimal(x, key, ctx) : std::nullopt;
}
inline std::optional<bool> boolean(maybe_element e, std::string_view key) {
    element x;
    return e.get(x) == simdjson::SUCCESS ? boolean(x, key) : std::nullopt;
}

//! Up to 120 characters of a message, for skip reasons.
std::string excerpt(std::string_view text);

//! One message parsed with `parser` (its buffers are reused, so keep one per protocol), or
//! nothing when the text is not JSON: the message is then skipped as "<what>: <excerpt>".
std::optional<element> parse_or_skip(simdjson::dom::parser& parser, std::string_view text, StreamContext& ctx,
                                     std::string_view what = "not JSON");

//! A JSON string literal of s (for the messages we send).
std::string json_string(std::string_view s);
//! ["a","b"] of the strings.
std::string array_of(const std::vector<std::string>& items);

} // namespace ticklake::vendor_json
