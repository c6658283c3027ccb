#include "net/retry_policy.h"

#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace ticklake::net {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

RetryPolicy equal_jitter(milliseconds base, milliseconds max) {
    RetryPolicy p;
    p.base_delay = base;
    p.max_delay = max;
    p.jitter = Jitter::equal;
    return p;
}

// A policy whose sleeps are recorded and advance a fake clock: deterministic, instant.
struct FakeTime {
    Clock::time_point now{};
    std::vector<milliseconds> sleeps;
    RetryPolicy policy;
    explicit FakeTime(RetryPolicy p, double random = 0.5) : policy(std::move(p)) {
        policy.random = [random] { return random; };
        policy.now = [this] { return now; };
        policy.sleep = [this](milliseconds d) {
            sleeps.push_back(d);
            now += d;
        };
    }
};

TEST(RetryPolicy, CeilingGrowsByTheMultiplierUpToTheCap) {
    RetryPolicy p;
    p.base_delay = milliseconds(100);
    p.max_delay = milliseconds(1000);
    EXPECT_EQ(backoff_ceiling(p, 1), milliseconds(100));
    EXPECT_EQ(backoff_ceiling(p, 2), milliseconds(200));
    EXPECT_EQ(backoff_ceiling(p, 3), milliseconds(400));
    EXPECT_EQ(backoff_ceiling(p, 4), milliseconds(800));
    EXPECT_EQ(backoff_ceiling(p, 5), milliseconds(1000));
    EXPECT_EQ(backoff_ceiling(p, 60), milliseconds(1000));
    p.multiplier = 3.0;
    EXPECT_EQ(backoff_ceiling(p, 3), milliseconds(900));
}

TEST(RetryPolicy, FullJitterIsWithinZeroAndTheCeiling) {
    RetryPolicy p;
    p.base_delay = milliseconds(100);
    p.max_delay = milliseconds(1000);
    for (auto [u, want] : {std::pair{0.0, 0}, {0.25, 100}, {0.9999999, 399}, {7.0, 399}}) {
        p.random = [u] { return u; };
        EXPECT_EQ(backoff_delay(p, 3), milliseconds(want)) << u;
    }
    // The default random source: always within [0, ceiling), and spread out.
    RetryPolicy real;
    real.base_delay = milliseconds(1000);
    real.max_delay = milliseconds(100'000);
    std::set<int64_t> seen;
    for (int i = 0; i < 500; ++i) {
        const auto d = backoff_delay(real, 4);
        ASSERT_GE(d.count(), 0);
        ASSERT_LT(d.count(), 8000);
        seen.insert(d.count() / 1000);
    }
    EXPECT_EQ(seen.size(), 8u) << "500 samples should cover each eighth of [0, 8s)";
}

TEST(RetryPolicy, EqualJitterIsInTheUpperHalfAndNoJitterIsTheCeiling) {
    RetryPolicy p = equal_jitter(milliseconds(100), milliseconds(1000));
    p.random = [] { return 0.0; };
    EXPECT_EQ(backoff_delay(p, 3), milliseconds(200));
    p.random = [] { return 1.0; };
    EXPECT_EQ(backoff_delay(p, 3), milliseconds(400));
    p.jitter = Jitter::none;
    EXPECT_EQ(backoff_delay(p, 3), milliseconds(400));
}

TEST(Backoff, GrowsExponentiallyWithJitterUpToTheCap) {
    Backoff b(equal_jitter(milliseconds(100), milliseconds(1600)));
    const int64_t caps[] = {100, 200, 400, 800, 1600, 1600, 1600};
    for (int64_t cap : caps) {
        const auto d = b.next().count();
        EXPECT_GE(d, cap / 2);
        EXPECT_LE(d, cap);
    }
}

TEST(Backoff, EqualJitterIsNeverZeroSoNoTightLoop) {
    Backoff b(equal_jitter(milliseconds(0), milliseconds(0)));
    for (int i = 0; i < 100; ++i) {
        EXPECT_GE(b.next().count(), 1);
    }
}

TEST(Backoff, JitterSpreadsDelaysAndResetStartsOver) {
    Backoff b(equal_jitter(milliseconds(1000), milliseconds(1000)));
    int64_t lo = 1000, hi = 0;
    for (int i = 0; i < 200; ++i) {
        const auto d = b.next().count();
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    EXPECT_LT(lo, 600);
    EXPECT_GT(hi, 900);
    Backoff c(equal_jitter(milliseconds(100), milliseconds(10000)));
    for (int i = 0; i < 6; ++i) {
        c.next();
    }
    EXPECT_GT(c.next().count(), 1000);
    EXPECT_EQ(c.attempts(), 7);
    c.reset();
    EXPECT_LE(c.next().count(), 100);
}

TEST(RetryLoop, StopsWhenTheAttemptsRunOut) {
    RetryPolicy p;
    p.max_attempts = 4;
    p.base_delay = milliseconds(100);
    FakeTime t(p);
    RetryLoop retry(t.policy);
    int tries = 1;
    while (retry.pause_before_retry()) {
        ++tries;
    }
    EXPECT_EQ(tries, 4);
    EXPECT_EQ(retry.attempt(), 4);
    EXPECT_EQ(retry.gave_up(), RetryLoop::GiveUp::attempts);
    EXPECT_EQ(t.sleeps, (std::vector<milliseconds>{milliseconds(50), milliseconds(100), milliseconds(200)}));
}

TEST(RetryLoop, NeverWaitsPastTheDeadlineAndThenGivesUp) {
    RetryPolicy p = equal_jitter(milliseconds(200), milliseconds(15'000));
    p.max_attempts = 0; // only the deadline bounds it
    p.deadline = milliseconds(1000);
    FakeTime t(p, 1.0);
    RetryLoop retry(t.policy);
    std::vector<milliseconds> announced;
    while (retry.pause_before_retry([&](milliseconds d) { announced.push_back(d); })) {
    }
    // 200 + 400 = 600 ms, then the 800 ms wait is cut to the 400 ms left: the last try is at the deadline.
    EXPECT_EQ(t.sleeps, (std::vector<milliseconds>{milliseconds(200), milliseconds(400), milliseconds(400)}));
    EXPECT_EQ(announced, t.sleeps);
    EXPECT_EQ(retry.gave_up(), RetryLoop::GiveUp::deadline);
    EXPECT_EQ(retry.attempt(), 4);
    EXPECT_EQ(retry.elapsed(), milliseconds(1000));
}

TEST(RetryLoop, AStopRequestEndsTheRetries) {
    bool stop = false;
    RetryPolicy p;
    p.max_attempts = 0;
    FakeTime t(p);
    t.policy.stop_requested = [&] { return stop; };
    RetryLoop retry(t.policy);
    EXPECT_TRUE(retry.pause_before_retry());
    stop = true;
    EXPECT_FALSE(retry.pause_before_retry());
    EXPECT_EQ(retry.gave_up(), RetryLoop::GiveUp::stopped);
    EXPECT_EQ(t.sleeps.size(), 1u) << "no wait once a stop is requested";
}

TEST(RetryLoop, AStopRequestCutsARealWaitShort) {
    RetryPolicy p;
    p.base_delay = milliseconds(60'000);
    p.jitter = Jitter::none;
    const auto start = Clock::now();
    p.stop_requested = [start] { return Clock::now() - start > milliseconds(100); };
    RetryLoop retry(p);
    EXPECT_FALSE(retry.pause_before_retry());
    EXPECT_EQ(retry.gave_up(), RetryLoop::GiveUp::stopped);
    EXPECT_LT(Clock::now() - start, milliseconds(5000));
}

} // namespace
} // namespace ticklake::net
