// Base-128 varints (seven bits a byte, the low group first, the top bit set on every byte but
// the last) and zig-zag signed integers (0, -1, 1, -2, ... as 0, 1, 2, 3, ...): the integer
// encoding that Avro's binary format, Protobuf and Thrift's compact protocol share. One copy,
// used by the Avro and Protobuf decoders, the producer's encoders and the Parquet footer codec.
#pragma once

#include <cstdint>
#include <string>

namespace ticklake::varint {

constexpr uint64_t zigzag_encode(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

constexpr int64_t zigzag_decode(uint64_t u) {
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}

inline void append(std::string& out, uint64_t u) {
    while (u >= 0x80) {
        out.push_back(static_cast<char>((u & 0x7F) | 0x80));
        u >>= 7;
    }
    out.push_back(static_cast<char>(u));
}

inline void append_zigzag(std::string& out, int64_t v) { append(out, zigzag_encode(v)); }

//! Reads one varint at `p`, advancing it. False when the input ends first or the varint runs
//! past ten bytes (64 bits); `p` is then somewhere inside it and `u` is unspecified.
inline bool read(const unsigned char*& p, const unsigned char* end, uint64_t& u) {
    u = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
        const unsigned char b = *p++;
        u |= static_cast<uint64_t>(b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
            return true;
        }
    }
    return false;
}

inline bool read_zigzag(const unsigned char*& p, const unsigned char* end, int64_t& v) {
    uint64_t u = 0;
    if (!read(p, end, u)) {
        return false;
    }
    v = zigzag_decode(u);
    return true;
}

} // namespace ticklake::varint
