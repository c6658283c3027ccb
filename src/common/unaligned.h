// Words read from text at any address (memcpy, which compilers turn into one load): for
// parsers and comparisons that look at 4 or 8 bytes at a time. Callers check the length first.
#pragma once

#include <cstdint>
#include <cstring>

namespace ticklake {

//! Eight bytes at p as a little-endian word.
inline uint64_t load_u64(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

//! Four bytes at p as a little-endian word.
inline uint32_t load_u32(const char* p) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
}

} // namespace ticklake
