// Paces emission: a fixed rate (--rate R events/s) or event-time replay (--speed X).
// The clock is injected so tests check the schedule with a fake clock, not by sleeping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/event.h"

namespace ticklake {

//! Monotonic time and sleeping, in microseconds. SteadyPacerClock is the real one.
class PacerClock {
public:
    virtual ~PacerClock() = default;
    virtual int64_t now_us() = 0;
    virtual void sleep_us(int64_t us) = 0;
};

class SteadyPacerClock final : public PacerClock {
public:
    int64_t now_us() override;
    void sleep_us(int64_t us) override;
};

struct PacerOptions {
    //! Events per second (> 0), or 0 for no rate limit. Takes precedence over speed.
    double rate = 0;
    //! Replay speed (> 0): event-time gaps are divided by it (1 = real time, 60 = a minute of
    //! market time per second). 0 = no event-time pacing.
    double speed = 0;
    //! Longest single wait in speed mode. A longer gap (a night, a weekend, a missing day)
    //! is cut to this, and the schedule restarts at that event so the rest keeps its pace.
    int64_t max_wait_us = 2'000'000;
    //! Rate mode: how many events may go at once after a stall (a slow broker) before the
    //! steady rate resumes. 0 = one tenth of a second's worth (at least 1).
    double burst = 0;
};

//! Not thread-safe: one pacer per producing thread.
class Pacer {
public:
    //! clock may be null for the steady clock; otherwise it must outlive the pacer.
    explicit Pacer(const PacerOptions& options, PacerClock* clock = nullptr);

    bool unpaced() const { return !rate_mode() && !speed_mode(); }

    //! Waits until e may go. Call once per event, in emission order.
    void before(const Event& e);

    //! Non-blocking variant: how many of the leading events may go now (they count as sent).
    //! When it returns fewer than events.size(), pass the rest again later; wait_us() says
    //! how long until the next one is due.
    size_t allowed_now(std::span<const Event> events);
    //! Microseconds until the event that allowed_now() held back is due (0 if none).
    int64_t wait_us();

private:
    bool rate_mode() const { return options_.rate > 0; }
    bool speed_mode() const { return options_.rate <= 0 && options_.speed > 0; }
    //! When e is due (clock time).
    int64_t due(const Event& e, int64_t now);
    void sent();

    PacerOptions options_;
    SteadyPacerClock steady_;
    PacerClock* clock_;
    bool anchored_ = false;
    int64_t anchor_clock_ = 0;     //!< clock time of the schedule's origin
    uint64_t sent_since_anchor_ = 0; //!< rate mode: events sent since the origin
    TimestampUs anchor_event_ = 0; //!< speed mode: event time at the origin
    TimestampUs last_event_ = 0;
    bool pending_ = false;         //!< due_ holds the due time of an event held back
    int64_t due_ = 0;
};

} // namespace ticklake
