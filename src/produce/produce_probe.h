// Metrics and readiness of `ticklake produce`, kept apart from the pump: the pump reports its
// totals once a second and at the end (mirrored into counters), never per message.
// docs/metrics.md describes every metric.
//
// @locality report() on the pump's thread; readiness() on the HTTP server's thread (atomics
// and the registry only).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/metrics.h"
#include "kafka/kafka_producer.h"
#include "net/metrics_endpoint.h"

namespace ticklake {

class ProduceProbe {
public:
    explicit ProduceProbe(metrics::Registry& registry = metrics::process_registry());

    //! The totals so far: the producer's counts, bytes sent, rows skipped, and the source's
    //! own counters (live feeds: gaps, duplicates, missing ids, ...).
    void report(const ProducerStats& stats, uint64_t bytes, uint64_t skipped,
                const std::vector<std::pair<std::string, uint64_t>>& source_counters);
    //! The source is open, the cluster answered and the producer is connected.
    void opened() { opened_.store(true, std::memory_order_relaxed); }
    //! Ready: opened, and librdkafka's last statistics (if any came) show a broker up.
    net::Readiness readiness() const;

private:
    metrics::Registry& registry_;
    metrics::Counter& sent_;
    metrics::Counter& delivered_;
    metrics::Counter& failed_;
    metrics::Counter& bytes_;
    metrics::Counter& skipped_;
    metrics::Counter& gaps_;
    metrics::Counter& duplicates_;
    metrics::Counter& missing_;
    metrics::Family<metrics::Counter>& source_;
    std::atomic<bool> opened_{false};
};

} // namespace ticklake
