#include "produce/produce_probe.h"

namespace ticklake {

ProduceProbe::ProduceProbe(metrics::Registry& r)
    : registry_(r)
    , sent_(r.counter("ticklake_produce_messages_sent_total", "Messages handed to the producer").get())
    , delivered_(r.counter("ticklake_produce_messages_delivered_total", "Messages the brokers acknowledged").get())
    , failed_(r.counter("ticklake_produce_messages_failed_total", "Messages whose delivery failed").get())
    , bytes_(r.counter("ticklake_produce_bytes_sent_total", "Bytes of the keys and values handed to the producer")
                 .get())
    , skipped_(r.counter("ticklake_produce_input_rows_skipped_total", "Input rows the source could not read").get())
    , gaps_(r.counter("ticklake_produce_feed_gaps_total",
                      "Live feeds: places where the vendor's contiguous ids jumped")
                .get())
    , duplicates_(r.counter("ticklake_produce_feed_duplicates_total",
                            "Live feeds: events dropped because their id was seen within the window")
                      .get())
    , missing_(r.counter("ticklake_produce_feed_missing_total", "Live feeds: ids skipped over by gaps (lost events)")
                   .get())
    , source_(r.counter("ticklake_produce_source_events_total",
                        "Every counter of the source (live feeds: messages, reconnects, rate limits, ...)",
                        {"counter"})) {}

void ProduceProbe::report(const ProducerStats& stats, uint64_t bytes, uint64_t skipped,
                          const std::vector<std::pair<std::string, uint64_t>>& source_counters) {
    sent_.set_total(stats.enqueued);
    delivered_.set_total(stats.delivered);
    failed_.set_total(stats.failed);
    bytes_.set_total(bytes);
    skipped_.set_total(skipped);
    for (const auto& [name, value] : source_counters) {
        if (name == "gaps") {
            gaps_.set_total(value);
        } else if (name == "duplicates") {
            duplicates_.set_total(value);
        } else if (name == "missing") {
            missing_.set_total(value);
        }
        source_.labels({name}).set_total(value);
    }
}

net::Readiness ProduceProbe::readiness() const {
    if (!opened_.load(std::memory_order_relaxed)) {
        return {false, "starting: opening the source and connecting to the cluster"};
    }
    auto& reports = registry_.counter("ticklake_kafka_statistics_total", "Statistics reports received from librdkafka",
                                      {"client"});
    auto& up = registry_.gauge("ticklake_kafka_brokers_up", "Brokers this client is connected to", {"client"});
    if (reports.labels({"producer"}).value() > 0 && up.labels({"producer"}).value() < 1) {
        return {false, "no connection to a broker (librdkafka's last statistics)"};
    }
    return {true, "connected to the cluster"};
}

} // namespace ticklake
