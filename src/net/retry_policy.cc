#include "net/retry_policy.h"

#include <algorithm>
#include <random>
#include <thread>

namespace ticklake::net {

namespace {

using std::chrono::milliseconds;

// Short enough that a stop request ends a wait without a noticeable delay, long enough that
// polling it costs nothing.
constexpr milliseconds kStopPollSlice{50};

double uniform_unit(const RetryPolicy& policy) {
    if (policy.random) {
        return std::clamp(policy.random(), 0.0, 1.0);
    }
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

} // namespace

RetryPolicy reconnect_policy(milliseconds initial, milliseconds max) {
    RetryPolicy p;
    p.max_attempts = 0;
    p.base_delay = initial;
    p.max_delay = max;
    p.jitter = Jitter::equal;
    return p;
}

milliseconds backoff_ceiling(const RetryPolicy& policy, int retry) {
    const auto base = static_cast<double>(std::max<int64_t>(policy.base_delay.count(), 0));
    const auto cap = static_cast<double>(std::max(policy.max_delay, policy.base_delay).count());
    double ceiling = base;
    for (int i = 1; i < retry && ceiling < cap; ++i) {
        ceiling *= policy.multiplier;
    }
    return milliseconds(static_cast<int64_t>(std::min(ceiling, cap)));
}

milliseconds backoff_delay(const RetryPolicy& policy, int retry) {
    const int64_t ceiling = backoff_ceiling(policy, retry).count();
    switch (policy.jitter) {
    case Jitter::full: {
        const auto delay = static_cast<int64_t>(static_cast<double>(ceiling) * uniform_unit(policy));
        return milliseconds(std::min<int64_t>(delay, ceiling > 0 ? ceiling - 1 : 0));
    }
    case Jitter::equal: {
        const auto half = static_cast<double>(ceiling) / 2;
        return milliseconds(std::max<int64_t>(static_cast<int64_t>(half + uniform_unit(policy) * half), 1));
    }
    case Jitter::none:
        break;
    }
    return milliseconds(ceiling);
}

Backoff::Backoff(RetryPolicy policy) : policy_(std::move(policy)) {}

milliseconds Backoff::next() { return backoff_delay(policy_, ++retries_); }

RetryLoop::RetryLoop(const RetryPolicy& policy) : policy_(policy), started_(now()) {}

std::chrono::steady_clock::time_point RetryLoop::now() const {
    return policy_.now ? policy_.now() : std::chrono::steady_clock::now();
}

milliseconds RetryLoop::elapsed() const { return std::chrono::duration_cast<milliseconds>(now() - started_); }

bool RetryLoop::pause_before_retry(const std::function<void(milliseconds)>& announce) {
    if (stopped()) {
        gave_up_ = GiveUp::stopped;
        return false;
    }
    if (policy_.max_attempts > 0 && attempt_ >= policy_.max_attempts) {
        gave_up_ = GiveUp::attempts;
        return false;
    }
    milliseconds delay = backoff_delay(policy_, attempt_);
    if (policy_.deadline) {
        const milliseconds spent = elapsed();
        if (spent >= *policy_.deadline) {
            gave_up_ = GiveUp::deadline;
            return false;
        }
        delay = std::min(delay, *policy_.deadline - spent);
    }
    if (announce) {
        announce(delay);
    }
    if (!wait(delay)) {
        gave_up_ = GiveUp::stopped;
        return false;
    }
    ++attempt_;
    return true;
}

bool RetryLoop::wait(milliseconds delay) {
    if (policy_.sleep) {
        policy_.sleep(delay);
        return !stopped();
    }
    if (!policy_.stop_requested) {
        std::this_thread::sleep_for(delay);
        return true;
    }
    const auto until = std::chrono::steady_clock::now() + delay;
    for (auto left = delay; left.count() > 0;
         left = std::chrono::duration_cast<milliseconds>(until - std::chrono::steady_clock::now())) {
        if (stopped()) {
            return false;
        }
        std::this_thread::sleep_for(std::min(left, kStopPollSlice));
    }
    return !stopped();
}

} // namespace ticklake::net
