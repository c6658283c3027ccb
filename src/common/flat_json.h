// A scanner for the common shape of a market-data message: one JSON object whose values are
// all scalars, in ASCII text without escapes, which is what ticklake's producers write. It
// checks the JSON grammar of everything it accepts. Anything else (an escape, a byte outside
// printable ASCII in a string, a nested value, malformed text) makes it give up, and the
// caller parses the message with simdjson instead, which also words the errors. It exists
// because simdjson's On-Demand API, general as it is, costs a quarter of the sink's CPU per
// message (bench/README.md); this shape needs one pass and no copies.
#pragma once

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ticklake::flat_json {

// The eight-byte scans read words as little-endian (the first byte in the low bits).
static_assert(std::endian::native == std::endian::little);

struct Value {
    enum class Kind : uint8_t { string, number, boolean, null };
    Kind kind = Kind::null;
    std::string_view text;   //!< string: between the quotes; number: the literal
    bool integer = false;    //!< number: no fraction and no exponent
    bool truth = false;      //!< boolean
    // number, gathered while scanning so that reading it takes no second pass over its text:
    bool negative = false;
    int digits = 0;          //!< all digits (before and after the point); 0: there is an exponent
    int fraction = 0;        //!< digits after the point
    uint64_t mantissa = 0;   //!< the digits as one integer, when there are at most 19
};

namespace detail {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline void skip_space(const char*& p, const char* end) {
    while (p < end && is_space(*p)) {
        ++p;
    }
}

} // namespace detail

constexpr uint64_t kByteOnes = 0x0101010101010101ULL;
constexpr uint64_t kByteHighs = 0x8080808080808080ULL;

//! Non-zero when one of the 8 bytes of w cannot stand as it is inside a JSON string: a control
//! byte, '"' or '\\' (exact as a whole, not which byte). For scans eight bytes at a time.
inline uint64_t string_stops(uint64_t w) {
    const uint64_t quote = w ^ (kByteOnes * '"');  // a zero byte where w has a quote
    const uint64_t slash = w ^ (kByteOnes * '\\'); // a zero byte where w has a backslash
    const uint64_t control = (w - kByteOnes * 0x20) & ~w; // high bit set below a byte < 0x20
    return (control | ((quote - kByteOnes) & ~quote) | ((slash - kByteOnes) & ~slash)) & kByteHighs;
}

namespace detail {

// p at the opening quote; on success p is past the closing one. Eight bytes at a time: the
// lowest flagged byte of string_stops (and of the high-bit test) is exactly the first quote,
// backslash, control byte or byte of 0x80 and up (a false flag can only sit above a true one,
// from a borrow), so the word says where the string ends without a loop over its bytes.
inline bool scan_string(const char*& p, const char* end, std::string_view& out) {
    const char* start = ++p;
#if defined(__SSE2__)
    // Sixteen bytes at a time where they are there to read (most keys and values end in the
    // first block). A signed byte below 0x20 is a control byte or one of 0x80 and up: one
    // compare finds both. The quote's own mask says whether the first stop ends the string,
    // so no byte is read back: the loop's chain is load, compare, movemask, count.
    while (end - p >= 16) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const auto quotes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, _mm_set1_epi8('"'))));
        const __m128i others = _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('\\')),
                                            _mm_cmplt_epi8(block, _mm_set1_epi8(0x20)));
        const unsigned stops = quotes | static_cast<unsigned>(_mm_movemask_epi8(others));
        if (stops == 0) {
            p += 16;
            continue;
        }
        const unsigned first = stops & (0u - stops);
        if ((first & quotes) == 0) {
            return false;
        }
        p += std::countr_zero(stops);
        out = std::string_view(start, static_cast<size_t>(p - start));
        ++p;
        return true;
    }
#endif
    while (end - p >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        const uint64_t stops = string_stops(w) | (w & kByteHighs);
        if (stops == 0) {
            p += 8;
            continue;
        }
        p += __builtin_ctzll(stops) / 8;
        if (*p != '"') {
            return false;
        }
        out = std::string_view(start, static_cast<size_t>(p - start));
        ++p;
        return true;
    }
    for (; p < end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c == '"') {
            out = std::string_view(start, static_cast<size_t>(p - start));
            ++p;
            return true;
        }
        if (c < 0x20 || c >= 0x80 || c == '\\') {
            return false;
        }
    }
    return false;
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
inline bool scan_number(const char*& p, const char* end, Value& v) {
    const char* start = p;
    v.negative = p < end && *p == '-';
    p += v.negative ? 1 : 0;
    if (p == end) {
        return false;
    }
    uint64_t mantissa = 0; // wraps past 19 digits, when it is not used
    const char* first = p;
    if (*p == '0') {
        ++p;
    } else if (*p >= '1' && *p <= '9') {
        for (; p < end && is_digit(*p); ++p) {
            mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
        }
    } else {
        return false;
    }
    int digits = static_cast<int>(p - first);
    v.integer = true;
    v.fraction = 0;
    if (p < end && *p == '.') {
        v.integer = false;
        ++p;
        if (p == end || !is_digit(*p)) return false;
        const char* point = p;
        for (; p < end && is_digit(*p); ++p) {
            mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
        }
        v.fraction = static_cast<int>(p - point);
        digits += v.fraction;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        v.integer = false;
        ++p;
        if (p < end && (*p == '+' || *p == '-')) ++p;
        const char* exponent = p;
        while (p < end && is_digit(*p)) ++p;
        // An exponent of more than 4 digits ("1e00000000000000000001") is left to simdjson,
        // which refuses more than 19, while std::from_chars would read it.
        if (p == exponent || p - exponent > 4) return false;
        digits = 0;
    }
    v.digits = digits;
    v.mantissa = mantissa;
    v.kind = Value::Kind::number;
    v.text = std::string_view(start, static_cast<size_t>(p - start));
    return true;
}

inline bool scan_literal(const char*& p, const char* end, std::string_view word) {
    if (static_cast<size_t>(end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0) {
        return false;
    }
    p += word.size();
    return true;
}

inline bool scan_value(const char*& p, const char* end, Value& v) {
    switch (*p) {
    case '"': v.kind = Value::Kind::string; return scan_string(p, end, v.text);
    case 't': v.kind = Value::Kind::boolean; v.truth = true; return scan_literal(p, end, "true");
    case 'f': v.kind = Value::Kind::boolean; v.truth = false; return scan_literal(p, end, "false");
    case 'n': v.kind = Value::Kind::null; return scan_literal(p, end, "null");
    default: return scan_number(p, end, v); // objects and arrays give up here too
    }
}

} // namespace detail

//! What to_double saw of a literal: `short_form` when it took the fast path (no exponent, 1 to
//! 15 digits), with the digits counted and whether there was a point.
struct NumberShape {
    bool short_form = false;
    bool dot = false;
    int digits = 0;
};

//! Powers of ten that are exact doubles: the fast path's divisors.
inline constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

//! A number's literal (as scan_object gives it) as a double, exactly as std::from_chars reads
//! it; false when it is out of range. A decimal of at most 15 digits without an exponent, as
//! prices and sizes nearly always are, is one integer divided by a power of ten. Both are exact
//! doubles, so the one division rounds correctly: the same double as from_chars, in a fraction
//! of its time (Clinger's fast path). Other literals go to std::from_chars.
inline bool to_double(std::string_view literal, double& out, NumberShape* shape = nullptr) {
    const char* p = literal.data();
    const char* const end = p + literal.size();
    const bool negative = p < end && *p == '-';
    p += negative ? 1 : 0;
    uint64_t mantissa = 0;
    int digits = 0;
    int fraction = 0;
    bool dot = false;
    for (; p < end; ++p) {
        const unsigned d = static_cast<unsigned char>(*p) - static_cast<unsigned>('0');
        if (d <= 9) {
            mantissa = mantissa * 10 + d;
            ++digits;
            fraction += dot ? 1 : 0;
        } else if (*p == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    if (p == end && digits > 0 && digits <= 15) {
        const double v = static_cast<double>(mantissa) / kPow10[fraction];
        out = negative ? -v : v;
        if (shape != nullptr) {
            *shape = {true, dot, digits};
        }
        return true;
    }
    if (shape != nullptr) {
        *shape = {};
    }
    const auto r = std::from_chars(literal.data(), end, out);
    return r.ec == std::errc() && r.ptr == end && std::isfinite(out);
}

//! A number scan_object gave as a double, exactly as to_double(v.text) reads it; the digits the
//! scan gathered serve to_double's fast path without reading the text again.
inline bool to_double(const Value& v, double& out, NumberShape* shape = nullptr) {
    if (v.digits > 0 && v.digits <= 15) {
        const double d = static_cast<double>(v.mantissa) / kPow10[v.fraction];
        out = v.negative ? -d : d;
        if (shape != nullptr) {
            *shape = {true, !v.integer, v.digits};
        }
        return true;
    }
    return to_double(v.text, out, shape);
}

//! An integer scan_object gave (v.integer) as an int64_t, as std::from_chars reads its text;
//! false past int64's range.
inline bool to_int64(const Value& v, int64_t& out) {
    if (v.digits > 0 && v.digits <= 18) { // below 10^18: no overflow either way
        const auto m = static_cast<int64_t>(v.mantissa);
        out = v.negative ? -m : m;
        return true;
    }
    const char* end = v.text.data() + v.text.size();
    const auto r = std::from_chars(v.text.data(), end, out);
    return r.ec == std::errc() && r.ptr == end;
}

//! Calls on_member(key, value) for each member of the object in `json`, in order, until it
//! returns false. Returns true when the whole text is such an object and every call returned
//! true; false means "parse it another way" (members before the point of giving up may have
//! been passed on already).
template <class OnMember>
bool scan_object(std::string_view json, OnMember&& on_member) {
    using namespace detail;
    const char* p = json.data();
    const char* const end = p + json.size();
    skip_space(p, end);
    if (p == end || *p != '{') {
        return false;
    }
    ++p;
    skip_space(p, end);
    if (p < end && *p == '}') {
        ++p;
        skip_space(p, end);
        return p == end;
    }
    for (;;) {
        std::string_view key;
        if (p == end || *p != '"' || !scan_string(p, end, key)) {
            return false;
        }
        skip_space(p, end);
        if (p == end || *p != ':') {
            return false;
        }
        ++p;
        skip_space(p, end);
        Value value;
        if (p == end || !scan_value(p, end, value) || !on_member(key, value)) {
            return false;
        }
        skip_space(p, end);
        if (p == end) {
            return false;
        }
        if (*p == '}') {
            ++p;
            skip_space(p, end);
            return p == end;
        }
        if (*p != ',') {
            return false;
        }
        ++p;
        skip_space(p, end);
    }
}

} // namespace ticklake::flat_json
