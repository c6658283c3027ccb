#include "common/flat_json.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace ticklake {
namespace {

double from_chars_of(const std::string& s) {
    double d = 0;
    std::from_chars(s.data(), s.data() + s.size(), d);
    return d;
}

void expect_same_as_from_chars(const std::string& s) {
    double ours = 0;
    ASSERT_TRUE(flat_json::to_double(s, ours)) << s;
    const double theirs = from_chars_of(s);
    ASSERT_EQ(std::memcmp(&ours, &theirs, sizeof ours), 0) << s << ": " << ours << " vs " << theirs;
}

// The fast path must give the bits std::from_chars gives, for every shape of decimal it takes
// (up to 15 digits, any split between integer and fraction, leading zeros, signs) and for
// those it passes on (16+ digits, exponents).
TEST(FlatJson, ToDoubleReadsWhatFromCharsReads) {
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    size_t fast = 0;
    for (int i = 0; i < 1'000'000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const int digits = 1 + static_cast<int>(x % 18);
        std::string body = std::to_string(x >> 4);
        body.resize(std::min<size_t>(body.size(), static_cast<size_t>(digits)));
        const size_t point = (x >> 40) % (body.size() + 1);
        std::string s = (x & 1) ? "-" : "";
        if (point == 0) {
            s.append("0.").append(body);
        } else if (point == body.size()) {
            s.append(body);
        } else {
            s.append(body, 0, point).append(".").append(body, point);
        }
        if ((x >> 20) % 50 == 0) {
            s.append("e").append(std::to_string(static_cast<int>((x >> 30) % 40) - 20));
        }
        fast += body.size() <= 15 && s.find('e') == std::string::npos;
        expect_same_as_from_chars(s);
    }
    EXPECT_GT(fast, 500'000u);
    for (const char* s : {"0", "-0", "0.0", "1", "0.1", "0.3", "100", "190.12", "999999999999999", "0.000000000000001",
                          "123456789012345", "1234567890123456", "9007199254740993", "2.2250738585072014e-308",
                          "1.7976931348623157e308", "5e-324", "0.95000000000000000000"}) {
        expect_same_as_from_chars(s);
    }
    double d = 0;
    EXPECT_FALSE(flat_json::to_double("1e400", d));
}

// A string ends at its first quote, and any backslash, control byte or byte of 0x80 and up
// before that gives up. Every length up to six of the scan's eight-byte words and every
// position of a stop byte: in a whole word, in the bytes after the last one, at the edges.
TEST(FlatJson, StringsEndAtTheirFirstQuoteAndGiveUpOnAnyOtherStop) {
    const std::string stops = std::string("\"\\\x01\x1f\x80\xff") + '\0';
    size_t accepted = 0;
    size_t refused = 0;
    for (size_t len = 0; len <= 48; ++len) {
        for (size_t at = 0; at <= len; ++at) {
            for (const char stop : stops) {
                std::string body(len, 'a');
                for (size_t i = 0; i < len; ++i) {
                    body[i] = static_cast<char>('a' + (i * 7 + len) % 26);
                }
                if (at < len) {
                    body[at] = stop;
                }
                const std::string json = "{\"k\":\"" + body + "\"}";
                std::string_view seen;
                const bool ok = flat_json::scan_object(json, [&](std::string_view, const flat_json::Value& v) {
                    seen = v.text;
                    return true;
                });
                if (at == len) {
                    ASSERT_TRUE(ok) << len;
                    EXPECT_EQ(seen, body) << len;
                    ++accepted;
                } else { // a quote ends the string early: the letters after it are no member's end
                    ASSERT_FALSE(ok) << len << " " << at << " " << static_cast<int>(static_cast<unsigned char>(stop));
                    ++refused;
                }
            }
        }
    }
    EXPECT_GT(accepted, 0u);
    EXPECT_GT(refused, 1000u);
}

} // namespace
} // namespace ticklake
