#include "kafka/rdkafka_handle.h"

#include "kafka/msk_iam_auth.h"
#include "common/log.h"
#include "kafka/kafka_statistics.h"

namespace ticklake::rdkafka {

Status set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
    char err[512];
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        return fail(Error::invalid("Kafka setting " + key + ": " + err));
    }
    return {};
}

namespace {

//! librdkafka's lines (syslog levels) through the one logger, so they carry its time and
//! format instead of librdkafka's own "%7|1700000000.123|FAC|..." on stderr.
//! @locality librdkafka's internal threads: log::write is safe from any thread.
void log_line(const rd_kafka_t*, int level, const char* facility, const char* text) {
    const log::Level l = level <= 3 ? log::Level::error
                         : level == 4 ? log::Level::warn
                         : level <= 6 ? log::Level::info
                                      : log::Level::debug;
    if (log::enabled(l)) {
        log::write(l, "rdkafka", std::string(facility) + ": " + text);
    }
}

} // namespace

Result<Conf> make_conf(KafkaClientRole role, const KafkaClientConfig& config,
                       std::initializer_list<std::pair<const char*, const char*>> defaults) {
    Conf conf(rd_kafka_conf_new());
    rd_kafka_conf_set_log_cb(conf.get(), log_line);
    if (config.brokers.empty()) {
        return fail(Error::invalid("no Kafka brokers given: pass --brokers HOST:PORT"));
    }
    if (auto st = check_pinned(config, role); !st) {
        return fail(st.error());
    }
    if (auto st = set(conf.get(), "bootstrap.servers", config.brokers); !st) {
        return fail(st.error());
    }
    for (const auto& [k, v] : defaults) {
        if (auto st = set(conf.get(), k, v); !st) {
            return fail(st.error());
        }
    }
    const bool msk_iam = wants_msk_iam(config);
    if (config.statistics && role != KafkaClientRole::admin) {
        // Before -X, so a user's statistics.interval.ms wins. The callback runs on the thread
        // that polls (the sink's, the producer's), every interval: not on a hot path.
        if (auto st = set(conf.get(), "statistics.interval.ms", kKafkaStatisticsIntervalMs); !st) {
            return fail(st.error());
        }
        rd_kafka_conf_set_stats_cb(conf.get(), [](rd_kafka_t*, char* json, size_t len, void*) {
            (void)record_kafka_statistics(std::string_view(json, len), metrics::process_registry());
            return 0; // librdkafka frees json
        });
    }
    for (const auto& [k, v] : config.extra) {
        if (msk_iam && (k == "sasl.mechanism" || k == "sasl.mechanisms")) {
            continue; // AWS_MSK_IAM is ours, not librdkafka's: enable_msk_iam() sets OAUTHBEARER
        }
        if (auto st = set(conf.get(), k, v); !st) {
            return fail(st.error());
        }
    }
    if (msk_iam) {
        if (auto st = enable_msk_iam(conf.get(), config); !st) {
            return fail(st.error());
        }
    }
    if (auto st = verify_pinned(conf.get(), role); !st) {
        return fail(st.error());
    }
    return conf;
}

Result<Handle> make_handle(rd_kafka_type_t type, Conf conf) {
    const bool msk_iam = uses_msk_iam(conf.get());
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof err);
    if (!rk) {
        return fail(Error::invalid(std::string("cannot create Kafka client: ") + err));
    }
    conf.release(); // rd_kafka_new owns the conf on success
    Handle handle(rk);
    if (msk_iam) {
        if (auto st = start_msk_iam(rk); !st) {
            return fail(st.error());
        }
    }
    return handle;
}

Error to_error(rd_kafka_resp_err_t err, const std::string& context) {
    std::string msg = context + ": " + rd_kafka_err2str(err);
    switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT: // the message was fine; no broker took it in time
        return Error::retry(std::move(msg));
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        return Error::not_found(std::move(msg));
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
        return Error::poison(std::move(msg));
    // Admin requests the broker refuses as asked: the message (with the broker's reason) says
    // what to change.
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
        return Error::invalid(std::move(msg));
    default:
        return Error::fatal(std::move(msg));
    }
}

} // namespace ticklake::rdkafka
