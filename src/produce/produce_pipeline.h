// The producer pump of `ticklake produce`: a source's events (or a replay's wire-format lines)
// go to one Kafka topic, keyed by symbol, paced on request, with counts for the end of the run.
// It sits in its own library (ticklake_produce) on top of the sources and the Kafka client, so
// that neither of those depends on the other. The library never prints: the command prints
// the lines it returns.
//
// @locality one thread: run() polls the producer, so delivery reports arrive on its thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "kafka/kafka_client_config.h"
#include "kafka/kafka_producer.h"
#include "sources/pacer.h"
#include "net/http_server.h"
#include "produce/event_value_encoder.h"
#include "produce/produce_probe.h"
#include "produce/source_selection.h"

namespace ticklake {

struct ProduceOptions {
    KafkaClientConfig kafka;
    std::string topic;
    SourceSpec source;
    PacerOptions pacing;          //!< rate or speed, not both; neither: as fast as possible
    int partitions = 6;           //!< of a topic this run creates
    int replication = -1;         //!< of a topic this run creates; -1 = the broker's default
    ProducerOptions producer;
    //! HOST:PORT to serve /metrics, /healthz and /readyz on (port 0: any free one, logged);
    //! empty: no server. docs/metrics.md.
    std::string metrics_addr;
    //! json: ticklake's JSON events; avro, protobuf: the Schema Registry's wire format with the
    //! event schemas registered (under `<topic>-value`, BACKWARD) at schema_registry first.
    EventValueFormat value_format = EventValueFormat::json;
    std::string schema_registry;         //!< http(s)://host:port of a Confluent-compatible registry
    std::string schema_registry_auth;    //!< "user:password" for HTTP basic auth (empty: none)
    std::string schema_registry_ca_file; //!< PEM bundle for an https registry (empty: the system's)
};

//! invalid_argument when the pacing asks for a negative rate or speed, or for both.
Status validate_produce_options(const ProduceOptions& options);

//! Counters at one moment of a run, for a status line.
struct ProduceProgress {
    ProducerStats stats;
    double events_per_second = 0; //!< since the previous status line
    uint64_t skipped = 0;         //!< input rows the source could not read
    //! "N sent  N delivered  R ev/s  N failed  N skipped"
    std::string line() const;
};
using ProduceProgressFn = std::function<void(const ProduceProgress&)>;

//! What a run did, once the producer has flushed.
struct ProduceReport {
    std::string topic;
    ProducerStats stats;
    uint64_t skipped = 0;
    double seconds = 0;
    double cpu_seconds = 0; //!< user+sys of the whole process (librdkafka's threads too) at the end
    std::vector<std::string> first_errors; //!< why the first skipped rows were skipped
    std::string source_summary;            //!< the source's own counters, for people
    std::vector<std::pair<std::string, uint64_t>> source_counters;
    Status pumped;  //!< the source or a send failed
    Status flushed; //!< the final flush timed out

    //! The end-of-run lines: deliveries, skipped rows and why, the source's summary.
    std::vector<std::string> lines() const;
    //! Final counters as one JSON object (produce --summary-json); live feeds add theirs
    //! under "source" (docs/sources.md).
    std::string summary_json() const;
    //! The first failure of the run: the pump, then the flush, then undelivered events.
    Status outcome() const;
};

class ProducePipeline {
public:
    //! Checks the options, opens the source, checks the cluster answers, creates the topic
    //! when missing and connects the producer: every configuration error before any event.
    static Result<std::unique_ptr<ProducePipeline>> open(const ProduceOptions& options);
    //! The pump alone, over a source and producer made by the caller (tests).
    ProducePipeline(ProduceOptions options, SelectedSource source, std::unique_ptr<KafkaProducer> producer);
    ~ProducePipeline();

    //! "<source> -> topic <topic> at <brokers>"
    std::string describe() const;
    //! Sends until the source ends or `stop` is set, then flushes. `progress`, when set, is
    //! called at most once a second.
    ProduceReport run(const std::atomic<bool>& stop, const ProduceProgressFn& progress = {});

private:
    class Ticker;
    //! Produces one message (the caller has paced it) and counts its bytes.
    Status send(const Event& e, std::string_view value);
    Status pump_events(const std::atomic<bool>& stop, Pacer& pacer, Ticker& ticker);
    Status pump_wire(const std::atomic<bool>& stop, Pacer& pacer, Ticker& ticker);

    void report_metrics();

    ProduceOptions options_;
    Topic topic_; //!< options_.topic, made once rather than per message
    SelectedSource source_;
    std::unique_ptr<KafkaProducer> producer_;
    EventValueEncoder encoder_{EventValueFormat::json, 0}; //!< open() sets the registered schema's
    uint64_t bytes_sent_ = 0; //!< keys and values handed to the producer
    //! Made by open() before anything else when --metrics-addr is given; the server is stopped
    //! before the probe it reads goes (shared: the server's readiness check holds it too).
    std::shared_ptr<ProduceProbe> probe_ = std::make_shared<ProduceProbe>();
    std::unique_ptr<net::HttpServer> metrics_server_;
};

} // namespace ticklake
