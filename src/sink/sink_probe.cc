#include "sink/sink_probe.h"

#include <fmt/format.h>

#include "common/timestamp.h"
#include "sink/batch_writer.h"

namespace ticklake {

const char* to_string(DeadLetterCode code) {
    switch (code) {
    case DeadLetterCode::malformed_event: return "malformed_event";
    case DeadLetterCode::csv_header_missing: return "csv_header_missing";
    case DeadLetterCode::undecodable: return "undecodable";
    case DeadLetterCode::type_conflict: return "type_conflict";
    }
    return "other";
}

SinkProbe::SinkProbe(metrics::Registry& r)
    : registry_(r)
    , consumed_messages_(r.counter("ticklake_sink_messages_consumed_total", "Messages read from Kafka").get())
    , consumed_bytes_(
          r.counter("ticklake_sink_bytes_consumed_total", "Bytes of the keys and values of the messages read").get())
    , batches_(r.counter("ticklake_sink_batches_committed_total", "Batches whose offsets were committed").get())
    , buffered_rows_(r.gauge("ticklake_sink_buffered_rows", "Rows held in memory, not yet written").get())
    , buffered_bytes_(
          r.gauge("ticklake_sink_buffered_bytes", "Bytes held in memory: filling batches and batches being written").get())
    , assigned_(r.gauge("ticklake_sink_assigned_partitions", "Partitions assigned to this member").get())
    , commit_seconds_(r.histogram("ticklake_sink_commit_duration_seconds",
                                  "Time an offset commit took, from sending it to the coordinator's answer",
                                  metrics::latency_buckets_seconds())
                          .get())
    , event_to_durable_seconds_(
          r.histogram("ticklake_sink_event_to_durable_seconds",
                      "Per committed batch: from the event time of its oldest row to the commit of its offsets",
                      metrics::latency_buckets_seconds())
              .get())
    , rows_(r.counter("ticklake_sink_rows_written_total", "Rows in committed files", {"table"}))
    , files_(r.counter("ticklake_sink_files_written_total", "Data files committed", {"table"}))
    , bytes_(r.counter("ticklake_sink_bytes_written_total", "Bytes of the data files written", {"table"}))
    , dead_letters_(r.counter("ticklake_sink_dead_letters_total", "Malformed messages committed to dead_letters",
                              {"reason"}))
    , lag_(r.gauge("ticklake_sink_consumer_lag_messages",
                   "Messages of an assigned partition not yet committed: high watermark minus committed offset",
                   {"topic", "partition"})) {}

void SinkProbe::consumed(uint64_t messages, uint64_t bytes) {
    consumed_messages_.inc(messages);
    consumed_bytes_.inc(bytes);
}

void SinkProbe::committed(const FlushJob& job, double commit_seconds) {
    batches_.inc();
    commit_seconds_.observe(commit_seconds);
    for (const auto& [table, rows] : job.rows_by_table) {
        rows_.labels({table}).inc(rows);
    }
    for (const auto& [table, files] : job.files_by_table) {
        files_.labels({table}).inc(files);
    }
    for (const auto& [table, bytes] : job.bytes_by_table) {
        bytes_.labels({table}).inc(bytes);
    }
    for (const auto& [code, n] : job.dead_letters_by_code) {
        dead_letters_.labels({to_string(code)}).inc(n);
    }
    if (job.rows > 0 && job.batch.min_ts != INT64_MAX) {
        event_to_durable_seconds_.observe(static_cast<double>(now_us() - job.batch.min_ts) / 1e6);
    }
}

void SinkProbe::buffered(uint64_t rows, uint64_t bytes) {
    buffered_rows_.set(static_cast<double>(rows));
    buffered_bytes_.set(static_cast<double>(bytes));
}

void SinkProbe::lag(const TopicPartition& tp, int64_t messages) {
    lag_.labels({std::string(tp.topic.view()), std::to_string(tp.partition.value())})
        .set(static_cast<double>(messages));
}

void SinkProbe::assigned(size_t count) {
    assigned_count_.store(static_cast<int64_t>(count), std::memory_order_relaxed);
    assigned_.set(static_cast<double>(count));
}

void SinkProbe::partition_revoked(const TopicPartition& tp) {
    // Another member reports it now; a stale value here would add up wrongly across members.
    lag_.remove({std::string(tp.topic.view()), std::to_string(tp.partition.value())});
}

net::Readiness SinkProbe::readiness() const {
    const int64_t assigned = assigned_count_.load(std::memory_order_relaxed);
    if (assigned < 0) {
        return {false, "not in the consumer group yet"};
    }
    if (assigned == 0) {
        return {false, "the group assigned this member no partition"};
    }
    if (!storage_ok_.load(std::memory_order_relaxed)) {
        return {false, "the warehouse does not answer (writes are being retried)"};
    }
    return {true, fmt::format("{} partitions assigned, warehouse reachable", assigned)};
}

} // namespace ticklake
