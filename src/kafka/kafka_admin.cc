#include "kafka/kafka_admin.h"

#include "kafka/rdkafka_handle.h"

namespace ticklake {

namespace {

Result<rdkafka::Handle> admin_handle(const KafkaClientConfig& config) {
    // A producer handle is the lightest client that can run metadata and Admin requests.
    // A producer handle defaults to allow.auto.create.topics=true: a metadata lookup of a
    // misspelt topic would then create it on clusters with auto.create.topics.enable.
    auto conf = rdkafka::make_conf(config, {{"log_level", "3"}, {"allow.auto.create.topics", "false"}});
    if (!conf) {
        return fail(conf.error());
    }
    rd_kafka_conf_set_log_cb(conf->get(), [](const rd_kafka_t*, int, const char*, const char*) {});
    return rdkafka::make_handle(RD_KAFKA_PRODUCER, std::move(*conf));
}

} // namespace

Result<ClusterInfo> probe_cluster(const KafkaClientConfig& config, std::chrono::milliseconds timeout) {
    auto rk = admin_handle(config);
    if (!rk) {
        return fail(rk.error());
    }
    const rd_kafka_metadata_t* md = nullptr;
    auto err = rd_kafka_metadata(rk->get(), 0, nullptr, &md, static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(Error::retry("no Kafka broker answered at " + config.brokers + " (" + rd_kafka_err2str(err) +
                                 "): is the broker running? `ticklake kafka start` starts a local one"));
    }
    ClusterInfo info;
    info.broker_count = md->broker_cnt;
    rd_kafka_metadata_destroy(md);
    if (char* id = rd_kafka_clusterid(rk->get(), static_cast<int>(timeout.count()))) {
        info.cluster_id = id;
        rd_kafka_mem_free(rk->get(), id);
    }
    return info;
}

Result<int> topic_partition_count(const KafkaClientConfig& config, const std::string& topic,
                                  std::chrono::milliseconds timeout) {
    auto rk = admin_handle(config);
    if (!rk) {
        return fail(rk.error());
    }
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk->get(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    auto err = rd_kafka_metadata(rk->get(), 0, rkt, &md, static_cast<int>(timeout.count()));
    rd_kafka_topic_destroy(rkt);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(rdkafka::to_error(err, "metadata for topic " + topic));
    }
    int count = 0;
    rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (md->topic_cnt == 1) {
        topic_err = md->topics[0].err;
        count = md->topics[0].partition_cnt;
    }
    rd_kafka_metadata_destroy(md);
    if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR || count == 0) {
        return fail(Error::not_found("topic " + topic + " does not exist"));
    }
    return count;
}

Status ensure_topic(const KafkaClientConfig& config, const std::string& topic, int partitions,
                    int replication_factor, std::chrono::milliseconds timeout) {
    auto rk = admin_handle(config);
    if (!rk) {
        return fail(rk.error());
    }
    char errstr[512];
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, errstr, sizeof errstr);
    if (!nt) {
        return fail(Error::invalid("topic " + topic + ": " + errstr));
    }
    rdkafka::Queue queue(rd_kafka_queue_new(rk->get()));
    rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk->get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(opts, static_cast<int>(timeout.count()), errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_request_timeout(opts, static_cast<int>(timeout.count()), errstr, sizeof errstr);
    rd_kafka_CreateTopics(rk->get(), &nt, 1, opts, queue.get());
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_NewTopic_destroy(nt);

    rdkafka::EventPtr ev(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 1000));
    if (!ev) {
        return fail(Error::retry("creating topic " + topic + ": no answer from " + config.brokers));
    }
    if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(rdkafka::to_error(rd_kafka_event_error(ev.get()), "creating topic " + topic));
    }
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev.get());
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; ++i) {
        auto err = rd_kafka_topic_result_error(results[i]);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            const char* why = rd_kafka_topic_result_error_string(results[i]);
            return fail(rdkafka::to_error(err, "creating topic " + topic + (why ? std::string(" (") + why + ")" : "")));
        }
    }
    return {};
}

Result<std::vector<PartitionLag>> group_lag(const KafkaClientConfig& config, const std::string& group,
                                            const std::string& topic, std::chrono::milliseconds timeout) {
    auto partitions = topic_partition_count(config, topic, timeout);
    if (!partitions) {
        return fail(partitions.error());
    }
    // A consumer handle that never subscribes: rd_kafka_committed() is an OffsetFetch to the
    // coordinator, which does not make this handle a member of the group.
    auto conf = rdkafka::make_conf(config, {{"log_level", "3"},
                                            {"group.id", group.c_str()},
                                            {"enable.auto.commit", "false"},
                                            {"allow.auto.create.topics", "false"}});
    if (!conf) {
        return fail(conf.error());
    }
    rd_kafka_conf_set_log_cb(conf->get(), [](const rd_kafka_t*, int, const char*, const char*) {});
    auto rk = rdkafka::make_handle(RD_KAFKA_CONSUMER, std::move(*conf));
    if (!rk) {
        return fail(rk.error());
    }
    rdkafka::PartitionList list(rd_kafka_topic_partition_list_new(*partitions));
    for (int p = 0; p < *partitions; ++p) {
        rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
    }
    const int ms = static_cast<int>(timeout.count());
    if (auto err = rd_kafka_committed(rk->get(), list.get(), ms); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(rdkafka::to_error(err, "committed offsets of group " + group));
    }
    std::vector<PartitionLag> out;
    for (int i = 0; i < list->cnt; ++i) {
        const auto& e = list->elems[i];
        if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return fail(rdkafka::to_error(e.err, "committed offset of " + topic + "[" + std::to_string(e.partition) + "]"));
        }
        PartitionLag lag;
        lag.partition = e.partition;
        lag.committed = e.offset >= 0 ? e.offset : -1;
        if (auto err = rd_kafka_query_watermark_offsets(rk->get(), topic.c_str(), e.partition, &lag.low, &lag.high, ms);
            err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return fail(rdkafka::to_error(err, "watermarks of " + topic + "[" + std::to_string(e.partition) + "]"));
        }
        out.push_back(lag);
    }
    return out;
}

} // namespace ticklake
