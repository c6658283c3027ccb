// The simulator's random numbers, reproducible bit for bit on every IEEE-754 platform:
// splitmix64 seeding xoshiro256**, and normal/exponential transforms built from + - * /
// and sqrt only (all correctly rounded by IEEE 754), never libm's log/exp, whose last
// bits differ between C libraries, nor std::*_distribution, whose algorithms differ
// between standard libraries. Compile users with -ffp-contract=off (no fused multiply-add).
#pragma once

#include <cmath>
#include <cstdint>

namespace ticklake::sim_random {

inline uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

inline void seed_xoshiro(uint64_t (&s)[4], uint64_t seed) {
    uint64_t sm = seed;
    for (uint64_t& word : s) {
        word = splitmix64(sm);
    }
}

inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

//! xoshiro256**: the next 64 random bits.
inline uint64_t next(uint64_t (&s)[4]) {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

//! Uniform in [0, 1) from the top 53 bits.
inline double to_unit(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

//! Natural log of x > 0: exact binary exponent split (frexp), then 2·atanh((m-1)/(m+1))
//! as a fixed polynomial; error below 1e-15 relative, the same on every platform.
inline double log(double x) {
    int exponent = 0;
    double m = std::frexp(x, &exponent); // m in [0.5, 1), exact
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        --exponent;
    }
    const double u = (m - 1.0) / (m + 1.0); // |u| <= 0.1716
    const double u2 = u * u;
    double series = 1.0 / 23.0;
    for (int k = 21; k >= 1; k -= 2) {
        series = series * u2 + 1.0 / k;
    }
    return static_cast<double>(exponent) * 0.69314718055994530942 + 2.0 * u * series;
}

//! Exponential with mean 1.
inline double exponential(uint64_t (&s)[4]) { return -log(1.0 - to_unit(next(s))); }

//! Standard normal by Marsaglia's polar method; keeps the second value of each pair.
inline double normal(uint64_t (&s)[4], double& spare, bool& has_spare) {
    if (has_spare) {
        has_spare = false;
        return spare;
    }
    double v1 = 0, v2 = 0, r2 = 0;
    do {
        v1 = 2.0 * to_unit(next(s)) - 1.0;
        v2 = 2.0 * to_unit(next(s)) - 1.0;
        r2 = v1 * v1 + v2 * v2;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = std::sqrt(-2.0 * log(r2) / r2);
    spare = v2 * f;
    has_spare = true;
    return v1 * f;
}

} // namespace ticklake::sim_random
