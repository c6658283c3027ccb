#include "net/backoff.h"

#include <gtest/gtest.h>

namespace ticklake::net {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, GrowsExponentiallyWithJitterUpToTheCap) {
    Backoff b({milliseconds(100), milliseconds(1600), 2.0}, 42);
    const int64_t caps[] = {100, 200, 400, 800, 1600, 1600, 1600};
    for (int64_t cap : caps) {
        const auto d = b.next().count();
        EXPECT_GE(d, cap / 2);
        EXPECT_LE(d, cap);
    }
}

TEST(Backoff, NeverZeroSoNoTightLoop) {
    Backoff b({milliseconds(0), milliseconds(0), 2.0}, 7);
    for (int i = 0; i < 100; ++i) {
        EXPECT_GE(b.next().count(), 1);
    }
}

TEST(Backoff, JitterSpreadsDelaysAndResetStartsOver) {
    Backoff b({milliseconds(1000), milliseconds(1000), 2.0}, 3);
    int64_t lo = 1000, hi = 0;
    for (int i = 0; i < 200; ++i) {
        const auto d = b.next().count();
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    EXPECT_LT(lo, 600);
    EXPECT_GT(hi, 900);
    Backoff c({milliseconds(100), milliseconds(10000), 2.0}, 5);
    for (int i = 0; i < 6; ++i) {
        c.next();
    }
    EXPECT_GT(c.next().count(), 1000);
    c.reset();
    EXPECT_LE(c.next().count(), 100);
}

} // namespace
} // namespace ticklake::net
