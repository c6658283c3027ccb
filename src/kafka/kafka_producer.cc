#include "kafka/kafka_producer.h"

#include <unordered_map>

#include "kafka/rdkafka_handle.h"

namespace ticklake {

struct KafkaProducer::Impl {
    rdkafka::Handle rk;
    std::unordered_map<std::string, rd_kafka_topic_t*> topics; //!< cached handles, destroyed with rk
};

struct ProducerCallbacks {
    static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
        auto* self = static_cast<KafkaProducer*>(opaque);
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            ++self->stats_.delivered;
            return;
        }
        ++self->stats_.failed;
        if (self->stats_.first_error.empty()) {
            self->stats_.first_error = rd_kafka_err2str(m->err);
        }
    }
};

KafkaProducer::KafkaProducer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaProducer::~KafkaProducer() {
    if (impl_ && impl_->rk) {
        for (auto& [name, rkt] : impl_->topics) {
            rd_kafka_topic_destroy(rkt);
        }
        rd_kafka_flush(impl_->rk.get(), 5000);
    }
}

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::create(const KafkaClientConfig& config,
                                                              const ProducerOptions& options) {
    const std::string linger = std::to_string(options.linger_ms);
    const std::string batch = std::to_string(options.batch_bytes);
    const std::string queue = std::to_string(options.queue_max_messages);
    // Idempotence implies acks=all, bounded in-flight requests and retries without
    // duplicates or reordering: the properties exactly-once into storage relies on. They are
    // pinned (pinned_settings.h): a -X that changes them is refused.
    auto conf = rdkafka::make_conf(KafkaClientRole::producer, config, {
                                               {"enable.idempotence", "true"},
                                               {"acks", "all"},
                                               // librdkafka's own cap under idempotence, made explicit
                                               // so the pinned-settings check sees it.
                                               {"max.in.flight.requests.per.connection", "5"},
                                               {"compression.type", options.compression.c_str()},
                                               {"linger.ms", linger.c_str()},
                                               {"batch.size", batch.c_str()},
                                               {"batch.num.messages", "100000"},
                                               {"queue.buffering.max.messages", queue.c_str()},
                                               {"queue.buffering.max.kbytes", "1048576"},
                                               {"message.timeout.ms", "120000"},
                                               {"log_level", "3"},
                                           });
    if (!conf) {
        return fail(conf.error());
    }
    auto impl = std::make_unique<Impl>();
    // The producer object must exist before the handle so the callback has its opaque.
    std::unique_ptr<KafkaProducer> self(new KafkaProducer(nullptr));
    rd_kafka_conf_set_dr_msg_cb(conf->get(), &ProducerCallbacks::on_delivery);
    rd_kafka_conf_set_opaque(conf->get(), self.get());
    auto rk = rdkafka::make_handle(RD_KAFKA_PRODUCER, std::move(*conf));
    if (!rk) {
        return fail(rk.error());
    }
    impl->rk = std::move(*rk);
    self->impl_ = std::move(impl);
    return self;
}

Status KafkaProducer::produce(const Topic& topic, std::string_view key, std::string_view value,
                              std::string_view type_header) {
    auto it = impl_->topics.find(topic.str());
    if (it == impl_->topics.end()) {
        rd_kafka_topic_t* rkt = rd_kafka_topic_new(impl_->rk.get(), topic.c_str(), nullptr);
        if (!rkt) {
            return fail(Error::invalid("cannot use topic '" + topic.str() + "': " +
                                       rd_kafka_err2str(rd_kafka_last_error())));
        }
        it = impl_->topics.emplace(topic.str(), rkt).first;
    }
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            impl_->rk.get(), RD_KAFKA_V_RKT(it->second),
            RD_KAFKA_V_KEY(key.empty() ? nullptr : const_cast<char*>(key.data()), key.size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADER("type", type_header.data(), static_cast<ssize_t>(type_header.size())), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            ++stats_.enqueued;
            return {};
        }
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(impl_->rk.get(), 50); // back-pressure: serve deliveries, then retry
            continue;
        }
        if (err == RD_KAFKA_RESP_ERR__FATAL) {
            char reason[512];
            rd_kafka_fatal_error(impl_->rk.get(), reason, sizeof reason);
            return fail(Error::fatal(std::string("Kafka producer fatal error: ") + reason));
        }
        return fail(rdkafka::to_error(err, "producing to " + topic.str()));
    }
}

void KafkaProducer::poll(int timeout_ms) { rd_kafka_poll(impl_->rk.get(), timeout_ms); }

Status KafkaProducer::flush(std::chrono::milliseconds timeout) {
    auto err = rd_kafka_flush(impl_->rk.get(), static_cast<int>(timeout.count()));
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
        return fail(Error::retry(std::to_string(rd_kafka_outq_len(impl_->rk.get())) +
                                 " messages still undelivered after " + std::to_string(timeout.count()) + " ms"));
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(rdkafka::to_error(err, "flushing producer"));
    }
    return {};
}

} // namespace ticklake
