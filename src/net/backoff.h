// Reconnect delays: exponential with jitter, never zero, so a server that accepts and
// drops at once cannot pull a client into a tight loop, and many clients restarted
// together do not reconnect in lock step.
#pragma once

#include <chrono>
#include <cstdint>

namespace ticklake::net {

struct BackoffOptions {
    std::chrono::milliseconds initial{500}; //!< first delay (before jitter)
    std::chrono::milliseconds max{60'000};  //!< cap of the exponential growth
    double multiplier = 2.0;                //!< growth per consecutive failure
};

class Backoff {
public:
    explicit Backoff(BackoffOptions options = {}, uint64_t seed = 0);
    //! The delay before the next attempt: uniform in [d/2, d] where d grows by multiplier
    //! from initial up to max ("equal jitter"): at least initial/2, never 0.
    std::chrono::milliseconds next();
    //! After a connection proved healthy (it delivered data): start again from initial.
    void reset() { attempt_ = 0; }
    uint32_t attempts() const { return attempt_; }

private:
    BackoffOptions options_;
    uint32_t attempt_ = 0;
    uint64_t state_;
};

} // namespace ticklake::net
