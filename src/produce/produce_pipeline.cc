#include "produce/produce_pipeline.h"

#include <fmt/format.h>

#include "common/log.h"
#include "common/process_cpu.h"
#include "net/metrics_endpoint.h"
#include "kafka/kafka_admin.h"
#include "kafka/pinned_settings.h"

namespace ticklake {

using Clock = std::chrono::steady_clock;

//! Calls the progress function at most once a second, with the send rate since the last call.
class ProducePipeline::Ticker {
public:
    Ticker(const ProduceProgressFn& fn, const KafkaProducer& producer, const SelectedSource& source,
           std::function<void()> report)
        : fn_(fn), producer_(producer), source_(source), report_(std::move(report)), last_(Clock::now()) {}

    void tick() {
        const auto now = Clock::now();
        if (now - last_ < std::chrono::seconds(1)) {
            return;
        }
        report_();
        if (!fn_) {
            last_ = now;
            return;
        }
        const auto& s = producer_.stats();
        const double dt = std::chrono::duration<double>(now - last_).count();
        fn_(ProduceProgress{s, (s.enqueued - last_count_) / dt, source_.skipped()});
        last_ = now;
        last_count_ = s.enqueued;
    }

private:
    const ProduceProgressFn& fn_;
    const KafkaProducer& producer_;
    const SelectedSource& source_;
    std::function<void()> report_; //!< the metrics, once a second
    Clock::time_point last_;
    uint64_t last_count_ = 0;
};

Status validate_produce_options(const ProduceOptions& options) {
    if (options.pacing.rate < 0 || options.pacing.speed < 0) {
        return fail(Error::invalid("--rate and --speed must be positive"));
    }
    if (options.pacing.rate > 0 && options.pacing.speed > 0) {
        return fail(Error::invalid("give --rate or --speed, not both"));
    }
    if (options.value_format != EventValueFormat::json && options.schema_registry.empty()) {
        return fail(Error::invalid(fmt::format("--value-format {} needs --schema-registry URL", to_string(options.value_format))));
    }
    if (options.value_format != EventValueFormat::json && options.source.name == "jsonl") {
        return fail(Error::invalid("--source jsonl sends its JSON lines as they are: --value-format must be json"));
    }
    return {};
}

namespace {

// Registers the topic's event schema before any event is sent, so a registry that refuses it
// (another schema under the subject that BACKWARD does not allow, bad credentials) stops the
// run with the registry's reason instead of sending values no consumer could read.
Result<int32_t> registered_schema_id(const ProduceOptions& options) {
    SchemaRegistryOptions ro;
    ro.url = options.schema_registry;
    ro.basic_auth = options.schema_registry_auth;
    ro.ca_file = options.schema_registry_ca_file;
    ro.retry.deadline = std::chrono::seconds(30);
    SchemaRegistryClient registry(std::move(ro));
    auto id = register_event_schema(registry, options.topic, options.value_format);
    if (!id) {
        return fail(id.error());
    }
    log::info("produce: {} schema of ticklake's events registered under subject {}-value (compatibility BACKWARD): id {}",
              to_string(options.value_format), options.topic, *id);
    return *id;
}

} // namespace

Result<std::unique_ptr<ProducePipeline>> ProducePipeline::open(const ProduceOptions& options) {
    if (auto st = validate_produce_options(options); !st) {
        return fail(st.error());
    }
    // First, so /healthz answers and /readyz says why not while the rest opens.
    auto probe = std::make_shared<ProduceProbe>();
    std::unique_ptr<net::HttpServer> server;
    KafkaClientConfig kafka = options.kafka;
    if (!options.metrics_addr.empty()) {
        auto started =
            net::start_metrics_endpoint(options.metrics_addr, metrics::process_registry(), [probe] { return probe->readiness(); });
        if (!started) {
            return fail(started.error());
        }
        server = std::move(*started);
        kafka.statistics = true;
        log::info("produce: serving metrics on {}/metrics", server->base_url());
    }
    auto source = open_source(options.source);
    if (!source) {
        return fail(source.error());
    }
    // A bad -X is refused first, whether a broker answers or not.
    if (auto st = check_pinned(options.kafka, KafkaClientRole::producer); !st) {
        return fail(st.error());
    }
    if (auto probe = probe_cluster(options.kafka, std::chrono::seconds(10)); !probe) {
        return fail(probe.error());
    }
    if (auto st = ensure_topic(options.kafka, options.topic, options.partitions, options.replication,
                               std::chrono::seconds(30));
        !st) {
        return fail(st.error());
    }
    int32_t schema_id = 0;
    if (options.value_format != EventValueFormat::json) {
        auto id = registered_schema_id(options);
        if (!id) {
            return fail(id.error());
        }
        schema_id = *id;
    }
    auto producer = KafkaProducer::create(kafka, options.producer);
    if (!producer) {
        return fail(producer.error());
    }
    auto pipeline = std::make_unique<ProducePipeline>(options, std::move(*source), std::move(*producer));
    pipeline->encoder_ = EventValueEncoder(options.value_format, schema_id);
    probe->opened();
    pipeline->probe_ = std::move(probe);
    pipeline->metrics_server_ = std::move(server);
    return pipeline;
}

ProducePipeline::~ProducePipeline() {
    if (metrics_server_) {
        metrics_server_->stop();
    }
}

void ProducePipeline::report_metrics() {
    probe_->report(producer_->stats(), bytes_sent_, source_.skipped(), source_.counters());
}

ProducePipeline::ProducePipeline(ProduceOptions options, SelectedSource source, std::unique_ptr<KafkaProducer> producer)
    : options_(std::move(options))
    , topic_(options_.topic)
    , source_(std::move(source))
    , producer_(std::move(producer)) {}

std::string ProducePipeline::describe() const {
    return source_.describe() + " -> topic " + options_.topic + " at " + options_.kafka.brokers;
}

Status ProducePipeline::send(const Event& e, std::string_view value) {
    bytes_sent_ += e.symbol.size() + value.size();
    return producer_->produce(topic_, e.symbol, value, to_string(e.type));
}

Status ProducePipeline::pump_events(const std::atomic<bool>& stop, Pacer& pacer, Ticker& ticker) {
    std::vector<Event> batch;
    std::string value;
    MarketDataSource& source = *source_.events;
    while (!stop.load(std::memory_order_relaxed) && !source.done()) {
        auto n = source.refill(batch, pacer.unpaced() ? 4096 : 64);
        if (!n) {
            return fail(n.error());
        }
        for (Event& e : batch) {
            if (!pacer.unpaced()) {
                pacer.before(e);
                if (source.invents_events()) {
                    e.recv_ts = now_us(); // when it goes out, not when the paced batch was made
                }
            }
            encoder_.encode(e, value);
            if (auto st = send(e, value); !st) {
                return st;
            }
        }
        producer_->poll(0);
        ticker.tick();
    }
    return {};
}

// Wire-format lines go out byte for byte (the benchmark's pre-serialised messages), so the
// producer is polled every 4096 messages rather than after each batch.
Status ProducePipeline::pump_wire(const std::atomic<bool>& stop, Pacer& pacer, Ticker& ticker) {
    std::string_view line;
    Event event;
    while (!stop.load(std::memory_order_relaxed)) {
        auto more = source_.wire->next(line, event);
        if (!more) {
            return fail(more.error());
        }
        if (!*more) {
            break;
        }
        if (!pacer.unpaced()) {
            pacer.before(event);
        }
        if (auto st = send(event, line); !st) {
            return st;
        }
        if ((producer_->stats().enqueued & 4095) == 0) {
            producer_->poll(0);
            ticker.tick();
        }
    }
    return {};
}

ProduceReport ProducePipeline::run(const std::atomic<bool>& stop, const ProduceProgressFn& progress) {
    Pacer pacer(options_.pacing);
    Ticker ticker(progress, *producer_, source_, [this] { report_metrics(); });
    const auto t0 = Clock::now();
    ProduceReport r;
    r.pumped = source_.wire ? pump_wire(stop, pacer, ticker) : pump_events(stop, pacer, ticker);
    r.flushed = producer_->flush(std::chrono::seconds(120));
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r.cpu_seconds = process_cpu_seconds();
    r.topic = options_.topic;
    r.stats = producer_->stats();
    r.skipped = source_.skipped();
    r.first_errors = source_.first_errors();
    r.source_summary = source_.summary();
    r.source_counters = source_.counters();
    report_metrics(); // the final totals, equal to the summary's
    return r;
}

std::string ProduceProgress::line() const {
    return fmt::format("{} sent  {} delivered  {:.0f} ev/s  {} failed  {} skipped", stats.enqueued, stats.delivered,
                       events_per_second, stats.failed, skipped);
}

std::vector<std::string> ProduceReport::lines() const {
    std::vector<std::string> out;
    out.push_back(fmt::format("delivered {} of {} events to {} in {:.2f} s ({:.0f} ev/s); {} failed, {} input rows "
                              "skipped",
                              stats.delivered, stats.enqueued, topic, seconds,
                              seconds > 0 ? stats.delivered / seconds : 0.0, stats.failed, skipped));
    for (const auto& why : first_errors) {
        out.push_back("  skipped " + why);
    }
    if (!source_summary.empty()) {
        out.push_back(source_summary);
    }
    return out;
}

std::string ProduceReport::summary_json() const {
    std::string counters;
    for (const auto& [name, value] : source_counters) {
        counters += fmt::format("{}\"{}\":{}", counters.empty() ? "" : ",", name, value);
    }
    return fmt::format("{{\"enqueued\":{},\"delivered\":{},\"failed\":{},\"skipped\":{},\"seconds\":{:.3f},"
                       "\"cpu_s\":{:.3f}{}}}\n",
                       stats.enqueued, stats.delivered, stats.failed, skipped, seconds, cpu_seconds,
                       counters.empty() ? std::string() : ",\"source\":{" + counters + "}");
}

Status ProduceReport::outcome() const {
    if (!pumped) {
        return pumped;
    }
    if (!flushed) {
        return flushed;
    }
    if (stats.failed > 0) {
        return fail(Error::retry(fmt::format("{} events were not delivered (first error: {})", stats.failed,
                                             stats.first_error)));
    }
    return {};
}

} // namespace ticklake
