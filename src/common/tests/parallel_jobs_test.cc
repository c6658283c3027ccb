#include "common/parallel_jobs.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ticklake {
namespace {

TEST(RunParallel, RunsEveryJobOnceOnSeveralThreads) {
    std::vector<std::atomic<int>> runs(500);
    std::mutex mu;
    std::set<std::thread::id> threads;
    auto st = run_parallel(runs.size(), 4, [&](size_t i) -> Status {
        ++runs[i];
        {
            std::lock_guard lock(mu);
            threads.insert(std::this_thread::get_id());
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200)); // long enough for the others to start
        return {};
    });
    ASSERT_TRUE(st) << st.error().message;
    for (size_t i = 0; i < runs.size(); ++i) {
        EXPECT_EQ(runs[i].load(), 1) << "job " << i;
    }
    EXPECT_GT(threads.size(), 1u);
    EXPECT_LE(threads.size(), 4u);
}

TEST(RunParallel, ReturnsTheFirstErrorAndStartsNoJobAfterIt) {
    // One thread: exactly the jobs up to the failing one ran.
    int started = 0;
    auto st = run_parallel(1000, 1, [&](size_t i) -> Status {
        ++started;
        return i == 10 ? Status(fail(Error::not_found("job 10 failed"))) : Status{};
    });
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::not_found);
    EXPECT_EQ(st.error().message, "job 10 failed");
    EXPECT_EQ(started, 11);
    // Three threads: the other two finish what they took, then stop (the rest take 1 ms each,
    // so running them all would take a third of a second).
    std::atomic<int> many{0};
    st = run_parallel(1000, 3, [&](size_t i) -> Status {
        ++many;
        if (i == 10) {
            return fail(Error::not_found("job 10 failed"));
        }
        if (i > 10) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return {};
    });
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message, "job 10 failed");
    EXPECT_GE(many.load(), 11);
    EXPECT_LT(many.load(), 1000);
}

TEST(RunParallel, NoJobsAndOneThreadAreFine) {
    EXPECT_TRUE(run_parallel(0, 8, [](size_t) -> Status { return fail(Error::fatal("never")); }));
    std::vector<size_t> order;
    ASSERT_TRUE(run_parallel(5, 0, [&](size_t i) -> Status {
        order.push_back(i); // one thread: the caller's, in index order
        return {};
    }));
    EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
}

} // namespace
} // namespace ticklake
