// The one retry policy of ticklake: exponential backoff with a cap, jitter, an attempt limit,
// a deadline and a stop request. S3 requests, the sink's storage writes and offset commits,
// and the live sources' reconnects all follow it; only the numbers differ.
//
// Time, sleep, randomness and the stop request are injectable so tests run without waiting.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace ticklake::net {

//! How a delay is drawn below the exponential ceiling.
enum class Jitter {
    full,  //!< uniform in [0, ceiling): spreads retrying clients the most (the AWS SDKs' choice)
    equal, //!< uniform in [ceiling/2, ceiling], never 0: a server that accepts and drops at
           //!< once cannot pull a client into a tight loop
    none,  //!< the ceiling itself
};

struct RetryPolicy {
    int max_attempts = 6;                         //!< first try included; 0: no limit (set a deadline)
    std::chrono::milliseconds base_delay{100};   //!< ceiling before the first retry
    std::chrono::milliseconds max_delay{20'000}; //!< cap of the exponential growth
    double multiplier = 2.0;                      //!< growth of the ceiling per retry
    Jitter jitter = Jitter::full;
    //! Set: no retry starts later than this after the loop began, and no wait reaches past
    //! it (0: never retry). Unset: only max_attempts and stop_requested end the retries.
    std::optional<std::chrono::milliseconds> deadline;

    //! Uniform in [0, 1); unset: a per-thread generator. Tests pass a constant.
    std::function<double()> random;
    //! Sleeps between attempts; unset: the thread sleeps. Tests pass a recorder.
    std::function<void(std::chrono::milliseconds)> sleep;
    //! The clock of the deadline; unset: steady_clock.
    std::function<std::chrono::steady_clock::time_point()> now;
    //! Polled while waiting (every 50 ms at most): true ends the wait and the retries.
    std::function<bool()> stop_requested;
};

//! The reconnect delays of a long-lived client (a live source): from `initial` doubling to
//! `max`, equal jitter so never 0, no attempt limit.
RetryPolicy reconnect_policy(std::chrono::milliseconds initial, std::chrono::milliseconds max);

//! The ceiling of the delay before retry `retry` (1-based): min(max_delay, base_delay *
//! multiplier^(retry-1)).
std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, int retry);
//! The jittered delay before retry `retry` (1-based), drawn with policy.random.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry);

//! The delays of a policy as a sequence, for loops that schedule their next attempt rather
//! than sleep (a source's reconnect). Never gives up: attempts and deadline are the caller's.
class Backoff {
public:
    explicit Backoff(RetryPolicy policy);
    std::chrono::milliseconds next();
    //! After a connection proved healthy (it delivered data): start again from base_delay.
    void reset() { retries_ = 0; }
    int attempts() const { return retries_; }

private:
    RetryPolicy policy_;
    int retries_ = 0;
};

//! One retry loop: call pause_before_retry() after each transient failure; it waits and says
//! whether to try again.
//!
//!     net::RetryLoop retry(policy);
//!     for (;;) {
//!         auto r = attempt();
//!         if (!transient(r) || !retry.pause_before_retry()) return r;
//!     }
class RetryLoop {
public:
    explicit RetryLoop(const RetryPolicy& policy);

    //! Why the last pause_before_retry() returned false.
    enum class GiveUp { none, attempts, deadline, stopped };

    //! After failed attempt attempt(): false when the policy gives up (attempts used up, the
    //! deadline reached, a stop requested before or during the wait); else waits the jittered
    //! delay (never past the deadline) and returns true. `announce` sees the delay before the
    //! wait begins (for a log line).
    bool pause_before_retry(const std::function<void(std::chrono::milliseconds)>& announce = {});

    int attempt() const { return attempt_; } //!< 1-based number of the attempt made last
    GiveUp gave_up() const { return gave_up_; }
    //! Time since the loop began.
    std::chrono::milliseconds elapsed() const;

private:
    bool wait(std::chrono::milliseconds delay);
    std::chrono::steady_clock::time_point now() const;
    bool stopped() const { return policy_.stop_requested && policy_.stop_requested(); }

    RetryPolicy policy_; //!< a copy: a loop may outlive the policy it was given
    std::chrono::steady_clock::time_point started_;
    int attempt_ = 1;
    GiveUp gave_up_ = GiveUp::none;
};

} // namespace ticklake::net
