// Wakes librdkafka's fetcher when its prefetch queue has room again.
//
// Why: librdkafka 2.0 stops fetching once the consumer queue passes queued.min.messages or
// queued.max.messages.kbytes, and nothing the application does by consuming wakes the broker
// thread again: it sleeps until some other op, I/O, or its 1 s timeout. A consumer that drains
// the queue in 0.3 s then idles for 0.7 s, so the bounded queue of a memory budget cost the
// sink 7-23 % of its rate (issue #12). librdkafka 2.2 added fetch.queue.backoff.ms for this;
// the Debian pin is 2.0.2. Any request queued for a broker wakes its thread, which then decides
// afresh whether to fetch, so one ListOffsets per leader (rd_kafka_offsets_for_times over the
// assignment) when the queue has drained to half is the wake-up: one small request per refill.
//
// @locality observe() on the consuming thread; the request runs on the waker's own thread so
// the consumer never waits for it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

struct rd_kafka_s;

namespace ticklake {

//! When to wake the fetcher: armed once the queue held 3/4 of a threshold before a poll
//! (librdkafka may have stopped fetching there), fired once it is back under 1/2 of both after
//! one (there is room for fetches again). One wake per fill cycle, none while the queue stays
//! low (the fetcher never stopped).
class PrefetchRefillRule {
public:
    //! Thresholds as configured: queued.min.messages and queued.max.messages.kbytes × 1024.
    PrefetchRefillRule(size_t max_messages, size_t max_bytes) : max_messages_(max_messages), max_bytes_(max_bytes) {}
    //! After a poll: what is still queued, how many messages the poll took, and the mean
    //! payload size of consumed messages. True when the fetcher is to be woken now.
    bool after_poll(size_t queued_messages, size_t consumed, double mean_payload_bytes);

private:
    double fill(size_t queued_messages, double mean_payload_bytes) const;
    size_t max_messages_;
    size_t max_bytes_;
    bool armed_ = false;
};

class PrefetchWaker {
public:
    //! rk must outlive this object; thresholds as PrefetchRefillRule takes them.
    PrefetchWaker(rd_kafka_s* rk, size_t max_messages, size_t max_bytes);
    ~PrefetchWaker(); //!< stops the thread (waiting for a request in flight, ≤ 2 s)
    PrefetchWaker(const PrefetchWaker&) = delete;
    PrefetchWaker& operator=(const PrefetchWaker&) = delete;

    //! After each poll: queued = rd_kafka_queue_length of the consumer queue; the batch just
    //! consumed (messages and their payload bytes) keeps the mean message size current.
    void observe(size_t queued, size_t batch_messages, size_t batch_payload_bytes);
    //! Wake-ups requested so far (for tests and diagnostics).
    uint64_t wakeups() const;

private:
    void run();
    void wake_leaders();

    rd_kafka_s* rk_;
    PrefetchRefillRule rule_;
    double mean_payload_ = 0;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool pending_ = false;
    bool stop_ = false;
    uint64_t wakeups_ = 0;
    std::thread thread_; //!< last: starts once the members above exist
};

} // namespace ticklake
