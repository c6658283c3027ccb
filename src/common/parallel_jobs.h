// Runs `count` independent jobs on up to `threads` threads (the caller's own among them) and
// returns the first error. Built for I/O-bound fan-out: S3 part uploads, ranged GETs, copying
// files. Jobs are taken in index order; after a failure no new job starts, and the ones already
// running finish. The jobs must not share mutable state without their own locking.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/error.h"

namespace ticklake {

inline Status run_parallel(size_t count, int threads, const std::function<Status(size_t)>& job) {
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex mu;
    std::optional<Error> first_error;
    auto worker = [&] {
        for (size_t i; !failed.load() && (i = next.fetch_add(1)) < count;) {
            if (auto st = job(i); !st) {
                std::lock_guard lock(mu);
                if (!first_error) {
                    first_error = st.error();
                }
                failed = true;
            }
        }
    };
    const size_t n = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), count);
    std::vector<std::thread> pool;
    for (size_t i = 1; i < n; ++i) {
        pool.emplace_back(worker);
    }
    worker();
    for (auto& t : pool) {
        t.join();
    }
    return first_error ? Status(fail(std::move(*first_error))) : Status{};
}

} // namespace ticklake
