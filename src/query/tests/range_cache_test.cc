// The bounded cache: LRU eviction before adding, never above the bound, versions apart.
#include "query/range_cache.h"

#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

namespace ticklake::query {
namespace {

namespace fs = std::filesystem;

uint64_t bytes_under(const fs::path& dir) {
    uint64_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file() && e.path().filename() != ".lock") {
            n += e.file_size();
        }
    }
    return n;
}

TEST(RangeCache, EvictsTheLeastRecentlyUsedAndNeverExceedsTheBound) {
    const fs::path dir = fs::temp_directory_path() / ("tl-cache-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    RangeCache cache(dir, 1000);
    const ObjectVersion v1{10, "\"e1\""};
    const ObjectVersion v2{10, "\"e2\""};
    const fs::path a = cache.entry_path("b/k", v1, "r0-400");
    const fs::path b = cache.entry_path("b/k", v1, "r400-400");
    const fs::path other = cache.entry_path("b/k", v2, "r0-400");
    EXPECT_NE(a, other); // another version of the same object never shares an entry
    ASSERT_TRUE(cache.put({{a, std::string(400, 'a'), {}, 0}}));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(cache.put({{b, std::string(400, 'b'), {}, 0}}));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(cache.get(a), std::string(400, 'a')); // a is now the most recently used
    ASSERT_TRUE(cache.put({{other, std::string(400, 'c'), {}, 0}}));
    EXPECT_LE(bytes_under(dir), 1000u);
    EXPECT_TRUE(cache.get(a).has_value());
    EXPECT_FALSE(cache.get(b).has_value()); // evicted first: least recently used
    EXPECT_EQ(cache.get(other), std::string(400, 'c'));
    ASSERT_TRUE(cache.put({{cache.entry_path("b/x", v1, "whole"), std::string(2000, 'x'), {}, 0}}));
    EXPECT_LE(bytes_under(dir), 1000u); // larger than the bound: not cached at all
    EXPECT_EQ(cache.usage().entries, 2u);
    ASSERT_TRUE(cache.clear());
    EXPECT_EQ(cache.usage().bytes, 0u);
    fs::remove_all(dir);
}

} // namespace
} // namespace ticklake::query
