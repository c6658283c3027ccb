#include "sources/pacer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace ticklake {

int64_t SteadyPacerClock::now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void SteadyPacerClock::sleep_us(int64_t us) {
    if (us > 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(us));
    }
}

Pacer::Pacer(const PacerOptions& options, PacerClock* clock) : options_(options), clock_(clock ? clock : &steady_) {
    if (options_.burst <= 0) {
        options_.burst = std::max(1.0, options_.rate / 10.0);
    }
    options_.max_wait_us = std::max<int64_t>(options_.max_wait_us, 1);
}

int64_t Pacer::due(const Event& e, int64_t now) {
    // Idempotent for the same event: calling again later gives the same due time, except
    // that a rate schedule which fell behind meanwhile moves its origin (the burst limit).
    pending_ = true;
    if (rate_mode()) {
        // Event n is due at origin + n/R: an absolute schedule, so rounding and oversleeping
        // never accumulate. After a stall, the origin moves so at most `burst` events are
        // owed at once (a token bucket of that depth).
        const double interval = 1e6 / options_.rate;
        if (!anchored_) {
            anchored_ = true;
            anchor_clock_ = now;
            sent_since_anchor_ = 0;
        }
        const double offset = static_cast<double>(sent_since_anchor_) * interval;
        const double lag = static_cast<double>(now - anchor_clock_) - offset;
        const double max_lag = (options_.burst - 1.0) * interval;
        if (lag > max_lag) {
            anchor_clock_ += static_cast<int64_t>(std::llround(lag - max_lag));
        }
        due_ = anchor_clock_ + static_cast<int64_t>(std::llround(offset));
        return due_;
    }
    if (speed_mode()) {
        // Times going backwards (files newest first, a second file) restart the schedule.
        if (!anchored_ || e.ts < last_event_) {
            anchored_ = true;
            anchor_clock_ = now;
            anchor_event_ = e.ts;
        }
        last_event_ = e.ts;
        due_ = anchor_clock_ + static_cast<int64_t>(std::llround(static_cast<double>(e.ts - anchor_event_) / options_.speed));
        if (due_ - now > options_.max_wait_us) {
            due_ = now + options_.max_wait_us;
            anchor_clock_ = due_;
            anchor_event_ = e.ts;
        }
        return due_;
    }
    due_ = now;
    return due_;
}

void Pacer::sent() {
    pending_ = false;
    ++sent_since_anchor_;
}

void Pacer::before(const Event& e) {
    if (unpaced()) {
        return;
    }
    const int64_t now = clock_->now_us();
    const int64_t when = due(e, now);
    if (when > now) {
        clock_->sleep_us(when - now);
    }
    sent();
}

size_t Pacer::allowed_now(std::span<const Event> events) {
    if (unpaced()) {
        return events.size();
    }
    const int64_t now = clock_->now_us();
    size_t n = 0;
    while (n < events.size() && due(events[n], now) <= now) {
        sent();
        ++n;
    }
    return n;
}

int64_t Pacer::wait_us() {
    if (!pending_) {
        return 0;
    }
    return std::max<int64_t>(0, due_ - clock_->now_us());
}

} // namespace ticklake
