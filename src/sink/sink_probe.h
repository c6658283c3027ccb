// The sink's metrics and readiness, kept apart from its logic: SinkRunner reports at the points
// where it already counts (once per poll batch, once per commit, once a second), never per
// message, so the cost on the hot path is a few atomic adds per batch of up to 2048 messages.
// docs/metrics.md describes every metric.
//
// @locality the report methods run on the sink's thread;
// readiness() runs on the HTTP server's thread and reads atomics only.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "common/kafka_position.h"
#include "common/metrics.h"
#include "net/metrics_endpoint.h"
#include "sink/partition_batch.h"

namespace ticklake {

struct FlushJob;

const char* to_string(DeadLetterCode code);

class SinkProbe {
public:
    explicit SinkProbe(metrics::Registry& registry = metrics::process_registry());

    void consumed(uint64_t messages, uint64_t bytes);
    //! A batch's offsets were committed `commit_seconds` after the commit was sent.
    void committed(const FlushJob& job, double commit_seconds);
    void buffered(uint64_t rows, uint64_t bytes);
    //! A partition's lag: its high watermark minus the committed offset.
    void lag(const TopicPartition& tp, int64_t messages);
    //! The assignment changed: `count` partitions now (the group has answered).
    void assigned(size_t count);
    void partition_revoked(const TopicPartition& tp);
    void storage_reachable(bool reachable) { storage_ok_.store(reachable, std::memory_order_relaxed); }
    //! Ready: the group assigned this member partitions, and the store answers writes.
    net::Readiness readiness() const;

private:
    metrics::Registry& registry_;
    metrics::Counter& consumed_messages_;
    metrics::Counter& consumed_bytes_;
    metrics::Counter& batches_;
    metrics::Gauge& buffered_rows_;
    metrics::Gauge& buffered_bytes_;
    metrics::Gauge& assigned_;
    metrics::Histogram& commit_seconds_;
    metrics::Histogram& event_to_durable_seconds_;
    metrics::Family<metrics::Counter>& rows_;
    metrics::Family<metrics::Counter>& files_;
    metrics::Family<metrics::Counter>& bytes_;
    metrics::Family<metrics::Counter>& dead_letters_;
    metrics::Family<metrics::Gauge>& lag_;
    std::atomic<int64_t> assigned_count_{-1}; //!< -1: not in the group yet
    std::atomic<bool> storage_ok_{false};
};

} // namespace ticklake
