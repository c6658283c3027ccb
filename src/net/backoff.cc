#include "net/backoff.h"

#include <algorithm>
#include <chrono>

namespace ticklake::net {

Backoff::Backoff(BackoffOptions options, uint64_t seed) : options_(options) {
    // Seeded from the clock by default so processes started together spread out.
    state_ = seed != 0 ? seed
                       : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) | 1;
}

std::chrono::milliseconds Backoff::next() {
    double d = static_cast<double>(std::max<int64_t>(options_.initial.count(), 1));
    for (uint32_t i = 0; i < attempt_ && d < static_cast<double>(options_.max.count()); ++i) {
        d *= options_.multiplier;
    }
    d = std::min(d, static_cast<double>(std::max(options_.max, options_.initial).count()));
    ++attempt_;
    // splitmix64: a few lines, good enough for jitter, no global state.
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    const double unit = static_cast<double>(z >> 11) / static_cast<double>(1ull << 53);
    const auto ms = static_cast<int64_t>(d / 2 + unit * d / 2);
    return std::chrono::milliseconds(std::max<int64_t>(ms, 1));
}

} // namespace ticklake::net
