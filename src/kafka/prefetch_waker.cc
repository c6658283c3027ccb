#include "kafka/prefetch_waker.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

namespace ticklake {

double PrefetchRefillRule::fill(size_t queued_messages, double mean_payload_bytes) const {
    const double by_count = max_messages_ > 0 ? static_cast<double>(queued_messages) / max_messages_ : 0;
    const double by_bytes =
        max_bytes_ > 0 ? static_cast<double>(queued_messages) * mean_payload_bytes / max_bytes_ : 0;
    return std::max(by_count, by_bytes);
}

bool PrefetchRefillRule::after_poll(size_t queued_messages, size_t consumed, double mean_payload_bytes) {
    // What was queued before this poll took its batch: a poll may empty a full queue at once.
    if (fill(queued_messages + consumed, mean_payload_bytes) >= 0.75) {
        armed_ = true;
    }
    if (armed_ && fill(queued_messages, mean_payload_bytes) <= 0.5) {
        armed_ = false;
        return true;
    }
    return false;
}

PrefetchWaker::PrefetchWaker(rd_kafka_s* rk, size_t max_messages, size_t max_bytes)
    : rk_(rk), rule_(max_messages, max_bytes), thread_([this] { run(); }) {}

PrefetchWaker::~PrefetchWaker() {
    {
        std::lock_guard lk(mu_);
        stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
}

void PrefetchWaker::observe(size_t queued, size_t batch_messages, size_t batch_payload_bytes) {
    if (batch_messages > 0) {
        const double batch_mean = static_cast<double>(batch_payload_bytes) / static_cast<double>(batch_messages);
        // A moving mean: message sizes drift (topics differ), one odd batch should not swing it.
        mean_payload_ = mean_payload_ == 0 ? batch_mean : 0.9 * mean_payload_ + 0.1 * batch_mean;
    }
    if (!rule_.after_poll(queued, batch_messages, mean_payload_)) {
        return;
    }
    {
        std::lock_guard lk(mu_);
        pending_ = true;
        ++wakeups_;
    }
    cv_.notify_one();
}

uint64_t PrefetchWaker::wakeups() const {
    std::lock_guard lk(mu_);
    return wakeups_;
}

void PrefetchWaker::run() {
    std::unique_lock lk(mu_);
    for (;;) {
        cv_.wait(lk, [this] { return stop_ || pending_; });
        if (stop_) {
            return;
        }
        pending_ = false;
        lk.unlock();
        wake_leaders();
        lk.lock();
    }
}

void PrefetchWaker::wake_leaders() {
    rd_kafka_topic_partition_list_t* parts = nullptr;
    if (rd_kafka_assignment(rk_, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || parts == nullptr) {
        return;
    }
    if (parts->cnt > 0) {
        // The answer (each partition's end offset) is not needed: the request is the wake-up.
        // librdkafka sends one ListOffsets per leader, so every stalled fetcher gets one.
        for (int i = 0; i < parts->cnt; ++i) {
            parts->elems[i].offset = RD_KAFKA_OFFSET_END;
        }
        (void)rd_kafka_offsets_for_times(rk_, parts, 2000);
    }
    rd_kafka_topic_partition_list_destroy(parts);
}

} // namespace ticklake
