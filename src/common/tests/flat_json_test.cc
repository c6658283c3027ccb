#include "common/flat_json.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace ticklake {
namespace {

// xorshift64: the tests' random literals, the same on every run.
uint64_t next_random(uint64_t& x) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

double from_chars_of(const std::string& s) {
    double d = 0;
    std::from_chars(s.data(), s.data() + s.size(), d);
    return d;
}

// The number as scan_object passes it on (with the digits it gathered on the way). Its text
// views a buffer the next call overwrites.
flat_json::Value scanned(const std::string& literal) {
    static std::string json;
    json = "{\"n\":" + literal + "}";
    flat_json::Value out;
    const bool ok = flat_json::scan_object(json, [&](std::string_view, const flat_json::Value& v) {
        out = v;
        return true;
    });
    EXPECT_TRUE(ok) << literal;
    EXPECT_EQ(out.text, literal);
    return out;
}

// to_double of the text, and of the scanned value, give from_chars's bits and the same shape.
void expect_same_as_from_chars(const std::string& s) {
    double ours = 0;
    flat_json::NumberShape by_text;
    ASSERT_TRUE(flat_json::to_double(s, ours, &by_text)) << s;
    const double theirs = from_chars_of(s);
    ASSERT_EQ(std::memcmp(&ours, &theirs, sizeof ours), 0) << s << ": " << ours << " vs " << theirs;
    double from_scan = 0;
    flat_json::NumberShape by_scan;
    ASSERT_TRUE(flat_json::to_double(scanned(s), from_scan, &by_scan)) << s;
    ASSERT_EQ(std::memcmp(&from_scan, &theirs, sizeof from_scan), 0) << s << ": " << from_scan << " vs " << theirs;
    ASSERT_EQ(by_scan.short_form, by_text.short_form) << s;
    ASSERT_EQ(by_scan.dot, by_text.dot) << s;
    ASSERT_EQ(by_scan.digits, by_text.digits) << s;
}

// The fast path must give the bits std::from_chars gives, for every shape of decimal it takes
// (up to 15 digits, any split between integer and fraction, leading zeros, signs) and for
// those it passes on (16+ digits, exponents).
TEST(FlatJson, ToDoubleReadsWhatFromCharsReads) {
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    size_t fast = 0;
    for (int i = 0; i < 1'000'000; ++i) {
        next_random(x);
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

// Integers read from the digits the scan gathered are what std::from_chars reads, up to and
// past int64's range (which gives up).
TEST(FlatJson, IntegersReadAsFromCharsReadsThem) {
    uint64_t x = 0x2545F4914F6CDD1DULL;
    size_t past_range = 0;
    for (int i = 0; i < 200'000; ++i) {
        next_random(x);
        std::string s = std::to_string(x);
        s.resize(1 + (x >> 50) % s.size());
        if (s.size() > 1 && s[0] == '0') {
            s[0] = '1';
        }
        if ((x >> 33) % 4 == 0) {
            s = std::to_string(x) + std::to_string(x % 10); // 20 digits and more
        }
        if (x & 1) {
            s.insert(0, "-");
        }
        const flat_json::Value v = scanned(s);
        ASSERT_TRUE(v.integer) << s;
        int64_t ours = 0;
        int64_t theirs = 0;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), theirs);
        const bool fits = r.ec == std::errc() && r.ptr == s.data() + s.size();
        ASSERT_EQ(flat_json::to_int64(v, ours), fits) << s;
        past_range += fits ? 0 : 1;
        if (fits) {
            ASSERT_EQ(ours, theirs) << s;
        }
    }
    for (const char* s : {"0", "-0", "9223372036854775807", "-9223372036854775808", "999999999999999999",
                          "-999999999999999999", "1000000000000000000"}) {
        int64_t ours = 0;
        int64_t theirs = 0;
        std::from_chars(s, s + std::strlen(s), theirs);
        ASSERT_TRUE(flat_json::to_int64(scanned(s), ours)) << s;
        EXPECT_EQ(ours, theirs) << s;
    }
    int64_t out = 0;
    EXPECT_FALSE(flat_json::to_int64(scanned("9223372036854775808"), out));
    EXPECT_FALSE(flat_json::to_int64(scanned("-9223372036854775809"), out));
    EXPECT_GT(past_range, 10'000u);
}

// A string ends at its first quote, and any backslash, control byte or byte of 0x80 and up
// before that gives up. Every length up to three 16-byte blocks (six 8-byte words) and every
// position of a stop byte: inside a block or word, in the bytes after the last one, at the edges.
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
