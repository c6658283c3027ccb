// Idempotent, batched, compressed producer (librdkafka). One instance per process.
//
// @locality produce()/poll()/flush() from one thread; delivery reports run inside poll()
// on that same thread, so the counters need no locks.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/kafka_position.h"
#include "kafka/kafka_client_config.h"

namespace ticklake {

struct ProducerOptions {
    std::string compression = "lz4"; //!< lz4 | zstd | snappy | gzip | none
    int linger_ms = 10;              //!< wait this long to fill a batch
    int batch_bytes = 1 << 20;       //!< max bytes of one partition batch
    int queue_max_messages = 500'000; //!< local queue bound; produce() waits when it is full
};

struct ProducerStats {
    uint64_t enqueued = 0;
    uint64_t delivered = 0;
    uint64_t failed = 0;
    std::string first_error; //!< reason of the first failed delivery, if any
};

class KafkaProducer {
public:
    static Result<std::unique_ptr<KafkaProducer>> create(const KafkaClientConfig& config, const ProducerOptions& options);
    ~KafkaProducer();
    KafkaProducer(const KafkaProducer&) = delete;
    KafkaProducer& operator=(const KafkaProducer&) = delete;

    //! Enqueues one message keyed by `key` with header type=<type_header>. Waits (serving
    //! delivery reports) while the local queue is full. Fatal errors (fenced idempotent
    //! producer, unknown topic) come back as ErrorKind::fatal.
    Status produce(const Topic& topic, std::string_view key, std::string_view value, std::string_view type_header);

    //! Serves delivery reports for up to timeout_ms.
    void poll(int timeout_ms);

    //! Waits until every enqueued message is delivered or failed.
    Status flush(std::chrono::milliseconds timeout);

    const ProducerStats& stats() const { return stats_; }

private:
    struct Impl;
    explicit KafkaProducer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    ProducerStats stats_;
    friend struct ProducerCallbacks;
};

} // namespace ticklake
