#include "sink/sink_pipeline.h"

#include <chrono>
#include <memory>

#include <fmt/format.h>

#include "kafka/kafka_admin.h"
#include "kafka/pinned_settings.h"
#include "common/log.h"
#include "net/metrics_endpoint.h"
#include "sink/sink_probe.h"

namespace ticklake {

namespace {

// Refused before anything is opened.
Status check_options(const SinkOptions& o) {
    if (o.writer_threads < 1 || o.writer_threads > 64) {
        return fail(Error::invalid("--writer-threads must be between 1 and 64"));
    }
    if (o.storage_retry_s < 0) {
        return fail(Error::invalid("--storage-retry-timeout must not be negative"));
    }
    return {};
}

Result<std::vector<std::unique_ptr<RecordWriter>>> make_writers(const SinkOptions& o) {
    std::vector<std::unique_ptr<RecordWriter>> writers;
    for (int i = 0; i < o.writer_threads; ++i) {
        auto writer = make_record_writer(o.format, o.writer);
        if (!writer) {
            return fail(writer.error());
        }
        writers.push_back(std::move(*writer));
    }
    return writers;
}

// Fail fast with a clear message rather than waiting silently for a broker.
Status check_cluster(const SinkOptions& o, const std::vector<std::string>& named_topics) {
    // A bad -X is refused first, whether a broker answers or not.
    if (auto st = check_pinned(o.kafka, KafkaClientRole::consumer); !st) {
        return st;
    }
    if (auto probe = probe_cluster(o.kafka, std::chrono::seconds(10)); !probe) {
        return fail(probe.error());
    }
    for (const auto& topic : named_topics) { // patterns may match topics that come later
        if (auto n = topic_partition_count(o.kafka, topic, std::chrono::seconds(10)); !n) {
            return fail(Error::invalid(n.error().message + ": create it (ticklake kafka topics create " + topic +
                                       "), produce to it, or check --topic"));
        }
    }
    return {};
}

std::string start_line(const SinkOptions& o, const ObjectStore& store) {
    std::string topics;
    for (const auto& t : o.topics) {
        topics += (topics.empty() ? "" : ",") + t;
    }
    return fmt::format("sink: {} -> {} ({}, values {}, group {})", topics, store.uri(), o.format,
                       to_string(o.value_format), o.group);
}

SinkOutcome failed(Error e) { return SinkOutcome{fail(std::move(e)), false, {}, 0}; }

// A stop that came while the sink was starting (opening the store through an outage, say) is
// not a failure: nothing was consumed, so nothing is lost, and the exit is clean.
SinkOutcome failed_or_stopped(Error e, const std::atomic<bool>& stop) {
    if (stop.load(std::memory_order_relaxed)) {
        return SinkOutcome{{}, false, {}, 0, true};
    }
    return failed(std::move(e));
}

} // namespace

SinkOutcome run_sink_pipeline(SinkPipelineOptions p, const std::atomic<bool>& stop) {
    SinkOptions& o = p.sink;
    if (auto st = check_options(o); !st) {
        return failed(st.error());
    }
    // First, so /healthz answers and /readyz says why not while the sink starts. The probe
    // outlives the server (declared before it), the server outlives the runner's reports.
    SinkProbe probe;
    std::unique_ptr<net::HttpServer> metrics_server;
    if (!p.metrics_addr.empty()) {
        auto server = net::start_metrics_endpoint(p.metrics_addr, metrics::process_registry(),
                                                  [&probe] { return probe.readiness(); });
        if (!server) {
            return failed(server.error());
        }
        metrics_server = std::move(*server);
        o.kafka.statistics = true;
        log::info("sink: serving metrics on {}/metrics", metrics_server->base_url());
    }
    // One stop request for everything that retries: the batch writer's backoff (SinkRunner::run)
    // and the store's own requests end within moments of SIGINT/SIGTERM, even during an outage.
    p.store.stop_requested = [&stop] { return stop.load(std::memory_order_relaxed); };
    auto store = open_object_store(o.warehouse, p.store);
    if (!store) {
        return failed_or_stopped(store.error(), stop);
    }
    probe.storage_reachable(true);
    o.writer.direct_io = (*store)->stages_in_place();
    auto writers = make_writers(o);
    if (!writers) {
        return failed(writers.error());
    }
    if (auto st = check_cluster(o, p.named_topics); !st) {
        return failed_or_stopped(st.error(), stop);
    }
    auto consumer = KafkaConsumer::create(o.kafka, o.group, p.start);
    if (!consumer) {
        return failed_or_stopped(consumer.error(), stop);
    }
    CommitListener* listener = nullptr;
    if (p.listener) {
        auto made = p.listener(**store, o);
        if (!made) {
            return failed_or_stopped(made.error(), stop);
        }
        listener = *made;
    }
    TableCommitter* committer = nullptr;
    if (p.table_committer) {
        auto made = p.table_committer(**store);
        if (!made) {
            return failed_or_stopped(made.error(), stop);
        }
        committer = *made;
    }
    if (stop.load(std::memory_order_relaxed)) {
        return SinkOutcome{{}, false, {}, 0, true};
    }
    if (p.on_start) {
        p.on_start(start_line(o, **store));
    }
    const auto t0 = std::chrono::steady_clock::now();
    SinkRunner runner(o, **store, std::move(*writers), **consumer);
    runner.set_commit_listener(listener);
    runner.set_table_committer(committer);
    runner.set_probe(&probe);
    SinkOutcome out;
    out.status = runner.run(stop);
    (*consumer)->close();
    out.ran = true;
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.stats = runner.stats();
    return out;
}

std::vector<std::string> sink_summary_lines(const SinkStats& s, double seconds) {
    std::vector<std::string> lines;
    lines.push_back(fmt::format("sink: consumed {} messages, wrote {} rows in {} files, {} dead letters, {:.1f} s",
                                s.consumed, s.rows_written, s.files_written, s.dead_letters, seconds));
    if (s.tombstones > 0 || s.header_lines > 0) {
        lines.push_back(fmt::format("sink:   {} tombstones (messages without a value), {} CSV header messages",
                                    s.tombstones, s.header_lines));
    }
    if (s.already_in_table > 0) {
        lines.push_back(fmt::format("sink:   {} messages skipped: their tables held them already (a crash between "
                                    "the tables' commits)",
                                    s.already_in_table));
    }
    for (const auto& [t, n] : s.rows_by_table) {
        auto grain = s.time_partition_by_table.find(t);
        lines.push_back(grain == s.time_partition_by_table.end()
                            ? fmt::format("sink:   {}: {} rows", t, n)
                            : fmt::format("sink:   {}: {} rows, time partition {}", t, n, grain->second));
    }
    return lines;
}

std::string sink_summary_json(const SinkStats& s, double seconds) {
    std::string tables;
    for (const auto& [t, n] : s.rows_by_table) {
        tables += fmt::format("{}\"{}\":{}", tables.empty() ? "" : ",", t, n);
    }
    std::string grains;
    for (const auto& [t, g] : s.time_partition_by_table) {
        grains += fmt::format("{}\"{}\":\"{}\"", grains.empty() ? "" : ",", t, g);
    }
    return fmt::format(
        "{{\"consumed\":{},\"rows_written\":{},\"files_written\":{},\"dead_letters\":{},\"tombstones\":{},"
        "\"header_lines\":{},\"batches_committed\":{},\"recovered_removed\":{},\"already_in_table\":{},"
        "\"seconds\":{:.3f},"
        "\"busy_seconds\":{:.3f},\"cpu_s\":{:.3f},\"rows_by_table\":{{{}}},\"time_partition_by_table\":{{{}}}}}\n",
        s.consumed, s.rows_written, s.files_written, s.dead_letters, s.tombstones, s.header_lines, s.batches_committed,
        s.recovered_removed, s.already_in_table, seconds, s.busy_seconds, s.cpu_seconds, tables, grains);
}

} // namespace ticklake
