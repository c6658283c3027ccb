#include "sources/pacer.h"

#include <vector>

#include <gtest/gtest.h>

namespace ticklake {
namespace {

// Time moves only when the pacer sleeps or the test says so.
class FakeClock final : public PacerClock {
public:
    int64_t now_us() override { return now; }
    void sleep_us(int64_t us) override {
        EXPECT_GT(us, 0);
        sleeps.push_back(us);
        now += us;
    }
    int64_t now = 1'000'000'000;
    std::vector<int64_t> sleeps;
};

Event at(TimestampUs ts) {
    Event e;
    e.ts = ts;
    return e;
}

TEST(Pacer, UnpacedNeverSleeps) {
    FakeClock clock;
    Pacer pacer({}, &clock);
    EXPECT_TRUE(pacer.unpaced());
    for (int i = 0; i < 1000; ++i) {
        pacer.before(at(i * kMicrosPerDay));
    }
    EXPECT_TRUE(clock.sleeps.empty());
    std::vector<Event> batch(50);
    EXPECT_EQ(pacer.allowed_now(batch), 50u);
}

TEST(Pacer, RateIsExactOverALongRun) {
    FakeClock clock;
    Pacer pacer({.rate = 3000}, &clock); // 333.33 µs apart: rounding must not accumulate
    const int64_t start = clock.now;
    for (int i = 0; i < 300'001; ++i) {
        pacer.before(at(0));
    }
    EXPECT_EQ(clock.now - start, 100'000'000) << "300,000 intervals at 3000/s are exactly 100 s";
    for (int64_t s : clock.sleeps) {
        ASSERT_GE(s, 333);
        ASSERT_LE(s, 334);
    }
}

TEST(Pacer, RateAfterAStallAllowsOnlyABurst) {
    FakeClock clock;
    Pacer pacer({.rate = 1000, .burst = 10}, &clock);
    for (int i = 0; i < 100; ++i) {
        pacer.before(at(0));
    }
    clock.sleeps.clear();
    clock.now += 5'000'000; // the producer was blocked for 5 s
    for (int i = 0; i < 10; ++i) {
        pacer.before(at(0));
    }
    EXPECT_TRUE(clock.sleeps.empty()) << "ten events were owed and go at once";
    pacer.before(at(0));
    ASSERT_EQ(clock.sleeps.size(), 1u) << "then the steady rate resumes instead of a 5,000-event catch-up";
    EXPECT_EQ(clock.sleeps[0], 1000);
}

TEST(Pacer, AllowedNowIsTheNonBlockingForm) {
    FakeClock clock;
    Pacer pacer({.rate = 10, .burst = 1}, &clock);
    std::vector<Event> batch(5);
    EXPECT_EQ(pacer.allowed_now(batch), 1u);
    std::span<const Event> rest(batch.begin() + 1, batch.end());
    EXPECT_EQ(pacer.allowed_now(rest), 0u);
    EXPECT_EQ(pacer.wait_us(), 100'000);
    clock.now += 60'000;
    EXPECT_EQ(pacer.allowed_now(rest), 0u);
    EXPECT_EQ(pacer.wait_us(), 40'000);
    clock.now += 40'000;
    EXPECT_EQ(pacer.allowed_now(rest), 1u);
    clock.now += 250'000;
    EXPECT_EQ(pacer.allowed_now(rest.subspan(1)), 1u) << "burst 1: a late caller gets one event, not three";
    EXPECT_TRUE(clock.sleeps.empty());
}

TEST(Pacer, SpeedDividesEventTimeGaps) {
    FakeClock clock;
    Pacer pacer({.speed = 60}, &clock);
    const TimestampUs t0 = 1'704'205'800'000'000;
    for (int i = 0; i <= 10; ++i) {
        pacer.before(at(t0 + i * 60 * kMicrosPerSecond)); // one-minute bars
    }
    ASSERT_EQ(clock.sleeps.size(), 10u);
    for (int64_t s : clock.sleeps) {
        EXPECT_EQ(s, 1'000'000);
    }
}

TEST(Pacer, SpeedCapsLongGapsAndKeepsPaceAfterwards) {
    FakeClock clock;
    Pacer pacer({.speed = 1, .max_wait_us = 3'000'000}, &clock);
    const TimestampUs close = 1'704'229'200'000'000;
    pacer.before(at(close));
    pacer.before(at(close + 17 * 3600 * kMicrosPerSecond)); // overnight
    pacer.before(at(close + 17 * 3600 * kMicrosPerSecond + 500'000));
    pacer.before(at(close + 17 * 3600 * kMicrosPerSecond + 500'000)); // same time: no wait
    ASSERT_EQ(clock.sleeps.size(), 2u);
    EXPECT_EQ(clock.sleeps[0], 3'000'000);
    EXPECT_EQ(clock.sleeps[1], 500'000);
}

TEST(Pacer, SpeedNeverDriftsWhenSleepsAreLate) {
    // A clock that oversleeps by 300 µs each time: the schedule absorbs it.
    class LateClock final : public PacerClock {
    public:
        int64_t now_us() override { return now; }
        void sleep_us(int64_t us) override { now += us + 300; }
        int64_t now = 0;
    } clock;
    Pacer pacer({.speed = 1}, &clock);
    for (int i = 0; i <= 1000; ++i) {
        pacer.before(at(i * 1000));
    }
    EXPECT_LE(clock.now, 1'000'000 + 300);
}

TEST(Pacer, TimeGoingBackwardsRestartsTheSchedule) {
    FakeClock clock;
    Pacer pacer({.speed = 1}, &clock);
    pacer.before(at(10 * kMicrosPerSecond));
    pacer.before(at(5 * kMicrosPerSecond)); // newest-first file
    EXPECT_TRUE(clock.sleeps.empty());
    pacer.before(at(6 * kMicrosPerSecond));
    ASSERT_EQ(clock.sleeps.size(), 1u);
    EXPECT_EQ(clock.sleeps[0], 1'000'000);
}

} // namespace
} // namespace ticklake
