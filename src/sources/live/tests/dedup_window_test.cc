#include "sources/live/dedup_window.h"

#include <string>

#include <gtest/gtest.h>

namespace ticklake {
namespace {

TEST(DedupWindow, DropsRepeatsWithinTheWindowAndForgetsTheOldest) {
    DedupWindow w(3);
    EXPECT_TRUE(w.insert("a"));
    EXPECT_TRUE(w.insert("b"));
    EXPECT_FALSE(w.insert("a"));
    EXPECT_TRUE(w.insert("c"));
    EXPECT_TRUE(w.insert("d")); // evicts a
    EXPECT_EQ(w.size(), 3u);
    EXPECT_TRUE(w.insert("a"));
    EXPECT_FALSE(w.insert("d"));
}

TEST(DedupWindow, LongIdsSurviveEvictionChurn) {
    DedupWindow w(1000);
    for (int i = 0; i < 100'000; ++i) {
        ASSERT_TRUE(w.insert("coinbase:BAND-GBP:t:" + std::to_string(i) + std::string(40, 'x')));
    }
    EXPECT_EQ(w.size(), 1000u);
    EXPECT_FALSE(w.insert("coinbase:BAND-GBP:t:99999" + std::string(40, 'x')));
    EXPECT_TRUE(w.insert("coinbase:BAND-GBP:t:0" + std::string(40, 'x')));
}

TEST(DedupWindow, ZeroCapacityTurnsDedupOff) {
    DedupWindow w(0);
    EXPECT_TRUE(w.insert("a"));
    EXPECT_TRUE(w.insert("a"));
}

} // namespace
} // namespace ticklake
