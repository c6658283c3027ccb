#include "console/access_token.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

namespace ticklake::console {
namespace {

TEST(TokenMatches, OnlyTheSameTokenMatches) {
    EXPECT_TRUE(token_matches("s3cret-token-0123", "s3cret-token-0123"));
    EXPECT_FALSE(token_matches("s3cret-token-0123", "s3cret-token-0124"));
    EXPECT_FALSE(token_matches("s3cret-token-0123", "s3cret-token-012"));
    EXPECT_FALSE(token_matches("s3cret-token-0123", "s3cret-token-01234"));
    EXPECT_FALSE(token_matches("s3cret-token-0123", ""));
    EXPECT_FALSE(token_matches("", ""));                 // no token set never means "anything goes" here
    EXPECT_FALSE(token_matches("abcabc", "abc"));         // the repeat used for unequal lengths
    EXPECT_FALSE(token_matches("abc", "abcabc"));
}

// The time of a check must not tell how many leading bytes were right. A memcmp-style early exit
// on a 64 KiB token differs about a thousandfold between a miss at the first byte and one at the
// last; a constant-time check takes the same time for both (the band is wide for busy machines).
TEST(TokenMatches, TakesTheSameTimeWhereverTheTokensDiffer) {
    const std::string token(64 * 1024, 'k');
    std::string first = token, last = token;
    first.front() = 'x';
    last.back() = 'x';
    auto median_ns = [&](const std::string& given) {
        std::vector<int64_t> t;
        for (int i = 0; i < 301; ++i) {
            const auto a = std::chrono::steady_clock::now();
            const bool r = token_matches(token, given);
            const auto b = std::chrono::steady_clock::now();
            EXPECT_FALSE(r);
            t.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
        }
        std::nth_element(t.begin(), t.begin() + 150, t.end());
        return static_cast<double>(t[150]);
    };
    median_ns(first); // warm up
    const double early = median_ns(first);
    const double late = median_ns(last);
    EXPECT_GT(early / late, 0.33) << early << " ns vs " << late << " ns";
    EXPECT_LT(early / late, 3.0) << early << " ns vs " << late << " ns";
}

TEST(BearerToken, ReadsTheSchemeCaseInsensitively) {
    EXPECT_EQ(bearer_token("Bearer abc"), "abc");
    EXPECT_EQ(bearer_token("bearer   abc"), "abc");
    EXPECT_EQ(bearer_token("Basic abc"), "");
    EXPECT_EQ(bearer_token("Bearer"), "");
    EXPECT_EQ(bearer_token(""), "");
}

TEST(LoadToken, FileFirstThenEnvironmentAndShortTokensRefused) {
    const auto dir = std::filesystem::temp_directory_path() / ("tl-token-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "token") << "  0123456789abcdef0123  \nsecond line\n";
    std::ofstream(dir / "short") << "abc\n";
    auto t = load_token(dir / "token", "from-the-environment-0000");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(*t, "0123456789abcdef0123");
    auto env = load_token({}, "from-the-environment-0000");
    ASSERT_TRUE(env);
    EXPECT_EQ(*env, "from-the-environment-0000");
    auto none = load_token({}, nullptr);
    ASSERT_TRUE(none);
    EXPECT_EQ(*none, "");
    EXPECT_FALSE(load_token(dir / "short", nullptr));
    EXPECT_FALSE(load_token(dir / "missing", nullptr));
    EXPECT_FALSE(load_token({}, "short"));
    std::filesystem::remove_all(dir);
}

TEST(CheckExposure, OffTheLoopbackOnlyWithAToken) {
    EXPECT_TRUE(check_exposure("127.0.0.1", ""));
    EXPECT_TRUE(check_exposure("::1", ""));
    EXPECT_TRUE(check_exposure("localhost", ""));
    auto open = check_exposure("0.0.0.0", "");
    ASSERT_FALSE(open);
    EXPECT_NE(open.error().message.find("--token-file"), std::string::npos);
    EXPECT_FALSE(check_exposure("192.168.1.5", ""));
    EXPECT_TRUE(check_exposure("0.0.0.0", "0123456789abcdef"));
}

} // namespace
} // namespace ticklake::console
