#include "kafka/kafka_admin.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <thread>

#include "kafka/rdkafka_handle.h"

namespace ticklake {

namespace {

Result<rdkafka::Handle> admin_handle(const KafkaClientConfig& config) {
    // A producer handle is the lightest client that can run metadata and Admin requests.
    // A producer handle defaults to allow.auto.create.topics=true: a metadata lookup of a
    // misspelt topic would then create it on clusters with auto.create.topics.enable.
    auto conf = rdkafka::make_conf(KafkaClientRole::admin, config,
                                   {{"log_level", "3"}, {"allow.auto.create.topics", "false"}});
    if (!conf) {
        return fail(conf.error());
    }
    rd_kafka_conf_set_log_cb(conf->get(), [](const rd_kafka_t*, int, const char*, const char*) {});
    return rdkafka::make_handle(RD_KAFKA_PRODUCER, std::move(*conf));
}

int to_ms(std::chrono::milliseconds t) { return static_cast<int>(t.count()); }

//! The message a command shows when nothing answers: where it looked and what to check.
Error unreachable(const KafkaClientConfig& config, const std::string& context, const std::string& why) {
    return Error::retry((context.empty() ? "" : context + ": ") + "no Kafka broker answered at " + config.brokers +
                        " (" + why + "): is the broker running? `ticklake kafka start` starts a local one");
}

//! " (the broker's words)", or nothing when it gave none.
std::string broker_reason(const char* why) {
    return why != nullptr && *why != '\0' ? std::string(" (") + why + ")" : "";
}

struct TopicMetadata {
    rdkafka::Metadata answer;
    const rd_kafka_metadata_topic_t* topic = nullptr; //!< inside answer
};

//! One admin client for one command: its handle, the cluster it points at, and how long
//! each request may take. @locality the calling thread; results come back on a private queue.
class AdminClient {
public:
    using Send = std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>;

    static Result<AdminClient> open(const KafkaClientConfig& config, std::chrono::milliseconds timeout) {
        auto rk = admin_handle(config);
        if (!rk) {
            return fail(rk.error());
        }
        return AdminClient(std::move(*rk), config, timeout);
    }

    rd_kafka_t* get() const { return rk_.get(); }
    std::chrono::milliseconds timeout() const { return timeout_; }

    //! Metadata of every topic (topic empty) or of one topic, which is never auto-created.
    Result<rdkafka::Metadata> metadata(const std::string& topic) const {
        rd_kafka_topic_t* rkt = topic.empty() ? nullptr : rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr);
        const rd_kafka_metadata_t* md = nullptr;
        auto err = rd_kafka_metadata(rk_.get(), rkt == nullptr ? 1 : 0, rkt, &md, to_ms(timeout_));
        if (rkt != nullptr) {
            rd_kafka_topic_destroy(rkt);
        }
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            const std::string context = topic.empty() ? "listing topics" : "metadata for topic " + topic;
            Error e = rdkafka::to_error(err, context);
            return fail(e.kind == ErrorKind::retry ? unreachable(config_, context, rd_kafka_err2str(err)) : e);
        }
        return rdkafka::Metadata(md);
    }

    //! The metadata answer about one topic, and that topic in it; not_found when the cluster
    //! lacks it.
    Result<TopicMetadata> topic_metadata(const std::string& topic) const {
        auto md = metadata(topic);
        if (!md) {
            return fail(md.error());
        }
        const rd_kafka_metadata_topic_t* t = (*md)->topic_cnt == 1 ? &(*md)->topics[0] : nullptr;
        if (t == nullptr || t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
            (t->err == RD_KAFKA_RESP_ERR_NO_ERROR && t->partition_cnt == 0)) {
            return fail(Error::not_found("topic " + topic + " does not exist"));
        }
        if (t->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return fail(rdkafka::to_error(t->err, "metadata for topic " + topic));
        }
        return TopicMetadata{std::move(*md), t};
    }

    //! Sends one Admin request (`send` issues it with the options and queue given) and waits
    //! for its result event; `what` names the request in errors.
    Result<rdkafka::EventPtr> request(rd_kafka_admin_op_t op, const std::string& what, const Send& send) const {
        char errstr[512];
        rdkafka::Queue queue(rd_kafka_queue_new(rk_.get()));
        rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk_.get(), op);
        rd_kafka_AdminOptions_set_request_timeout(opts, to_ms(timeout_), errstr, sizeof errstr);
        if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS) {
            // The answer then comes once the controller has applied the change, not when it
            // only accepted it, so a failure to apply it is reported.
            rd_kafka_AdminOptions_set_operation_timeout(opts, to_ms(timeout_), errstr, sizeof errstr);
        }
        send(opts, queue.get());
        rd_kafka_AdminOptions_destroy(opts);
        rdkafka::EventPtr ev(rd_kafka_queue_poll(queue.get(), to_ms(timeout_) + 1000));
        if (!ev) {
            return fail(unreachable(config_, what, "no answer within " + std::to_string(timeout_.count()) + " ms"));
        }
        if (auto err = rd_kafka_event_error(ev.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            Error e = rdkafka::to_error(err, what + broker_reason(rd_kafka_event_error_string(ev.get())));
            return fail(e.kind == ErrorKind::retry ? unreachable(config_, what, rd_kafka_err2str(err)) : e);
        }
        return ev;
    }

private:
    AdminClient(rdkafka::Handle rk, KafkaClientConfig config, std::chrono::milliseconds timeout)
        : rk_(std::move(rk)), config_(std::move(config)), timeout_(timeout) {}

    rdkafka::Handle rk_;
    KafkaClientConfig config_;
    std::chrono::milliseconds timeout_;
};

// Kafka marks its own topics internal in metadata v1+, but librdkafka 2.0.2 does not pass the
// flag on; they all start with "__", as do other tools' bookkeeping topics.
bool is_internal_topic(const std::string& name) { return name.starts_with("__"); }

TopicSummary summarize(const rd_kafka_metadata_topic_t& t) {
    TopicSummary s{t.topic, t.partition_cnt, 0, is_internal_topic(t.topic)};
    for (int i = 0; i < t.partition_cnt; ++i) {
        s.replication_factor = std::max(s.replication_factor, t.partitions[i].replica_cnt);
    }
    return s;
}

std::vector<PartitionReplicas> replicas_of(const rd_kafka_metadata_topic_t& t) {
    std::vector<PartitionReplicas> out;
    for (int i = 0; i < t.partition_cnt; ++i) {
        const auto& p = t.partitions[i];
        out.push_back({p.id, p.leader, {p.replicas, p.replicas + p.replica_cnt}, {p.isrs, p.isrs + p.isr_cnt}});
    }
    std::ranges::sort(out, {}, &PartitionReplicas::partition);
    return out;
}

TopicConfigEntry config_entry(const rd_kafka_ConfigEntry_t* e) {
    TopicConfigEntry out;
    out.name = rd_kafka_ConfigEntry_name(e);
    if (const char* v = rd_kafka_ConfigEntry_value(e)) {
        out.value = v;
    }
    out.source = rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(e));
    out.is_default = rd_kafka_ConfigEntry_is_default(e) != 0;
    out.read_only = rd_kafka_ConfigEntry_is_read_only(e) != 0;
    out.sensitive = rd_kafka_ConfigEntry_is_sensitive(e) != 0;
    return out;
}

Result<std::vector<TopicConfigEntry>> topic_configs(const AdminClient& admin, const std::string& topic) {
    const std::string what = "describing the configs of topic " + topic;
    rd_kafka_ConfigResource_t* resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
    auto ev = admin.request(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, what, [&](auto* opts, auto* queue) {
        rd_kafka_DescribeConfigs(admin.get(), &resource, 1, opts, queue);
    });
    rd_kafka_ConfigResource_destroy(resource);
    if (!ev) {
        return fail(ev.error());
    }
    size_t n = 0;
    const auto** resources =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev->get()), &n);
    if (n != 1) {
        return fail(Error::fatal(what + ": the broker answered for " + std::to_string(n) + " resources"));
    }
    if (auto err = rd_kafka_ConfigResource_error(resources[0]); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(rdkafka::to_error(err, what + broker_reason(rd_kafka_ConfigResource_error_string(resources[0]))));
    }
    size_t count = 0;
    const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(resources[0], &count);
    std::vector<TopicConfigEntry> out;
    for (size_t i = 0; i < count; ++i) {
        out.push_back(config_entry(entries[i]));
    }
    std::ranges::sort(out, {}, &TopicConfigEntry::name);
    return out;
}

//! The broker's verdict on the one topic a CreateTopics or DeleteTopics request named.
struct TopicVerdict {
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::string reason; //!< " (broker's words)" or empty
};

template <class ResultOf, class TopicsOf>
TopicVerdict verdict_of(rd_kafka_event_t* ev, ResultOf result_of, TopicsOf topics_of) {
    size_t n = 0;
    const rd_kafka_topic_result_t** results = topics_of(result_of(ev), &n);
    if (n != 1) {
        return {RD_KAFKA_RESP_ERR__FAIL, " (the broker answered for " + std::to_string(n) + " topics)"};
    }
    return {rd_kafka_topic_result_error(results[0]), broker_reason(rd_kafka_topic_result_error_string(results[0]))};
}

//! Waits until metadata shows the topic (present) or no longer shows it. The controller answers
//! CreateTopics and DeleteTopics before the brokers' metadata caches have the change (measured:
//! a listing right after a create on the local broker could miss the topic), and a script that
//! creates a topic and then describes or produces to it must not see it missing.
Status await_metadata(const AdminClient& admin, const std::string& topic, bool present, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + admin.timeout();
    for (;;) {
        auto found = admin.topic_metadata(topic);
        if (present ? found.has_value() : !found && found.error().kind == ErrorKind::not_found) {
            return {};
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return fail(Error::retry(what + ": done, but the cluster's metadata does not " +
                                     (present ? "show it" : "drop it") + " after " +
                                     std::to_string(admin.timeout().count()) + " ms"));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, decltype(&rd_kafka_NewTopic_destroy)>;

Result<NewTopicPtr> new_topic(const TopicSpec& spec) {
    char errstr[512];
    NewTopicPtr nt(rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, spec.replication_factor, errstr,
                                         sizeof errstr),
                   &rd_kafka_NewTopic_destroy);
    if (!nt) {
        return fail(Error::invalid("topic " + spec.name + ": " + errstr));
    }
    for (const auto& [key, value] : spec.configs) {
        if (auto err = rd_kafka_NewTopic_set_config(nt.get(), key.c_str(), value.c_str()); err) {
            return fail(Error::invalid("topic " + spec.name + ": config " + key + ": " + rd_kafka_err2str(err)));
        }
    }
    return nt;
}

//! How a create or delete of one topic ends. The cluster answering `benign` (the topic is
//! already there, or already gone) is false when `tolerated`, else `refusal`; any other error
//! fails; a change waits until the metadata shows it (`present`: the topic exists afterwards).
Result<bool> topic_change_outcome(const AdminClient& admin, const TopicVerdict& v, rd_kafka_resp_err_t benign,
                                  bool tolerated, const Error& refusal, const std::string& topic, bool present,
                                  const std::string& what) {
    if (v.err == benign && tolerated) {
        return false;
    }
    if (v.err == benign) {
        return fail(refusal);
    }
    if (v.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(rdkafka::to_error(v.err, what + v.reason));
    }
    if (auto st = await_metadata(admin, topic, present, what); !st) {
        return fail(st.error());
    }
    return true;
}

//! An admin client and the metadata of one topic it found.
struct OpenTopic {
    AdminClient admin;
    TopicMetadata found;
};

//! not_found when the cluster lacks the topic.
Result<OpenTopic> open_topic(const KafkaClientConfig& config, const std::string& topic,
                             std::chrono::milliseconds timeout) {
    auto admin = AdminClient::open(config, timeout);
    auto found = admin ? admin->topic_metadata(topic) : fail(admin.error());
    if (!found) {
        return fail(found.error());
    }
    return OpenTopic{std::move(*admin), std::move(*found)};
}

} // namespace

Result<ClusterInfo> probe_cluster(const KafkaClientConfig& config, std::chrono::milliseconds timeout) {
    auto rk = admin_handle(config);
    if (!rk) {
        return fail(rk.error());
    }
    const rd_kafka_metadata_t* md = nullptr;
    auto err = rd_kafka_metadata(rk->get(), 0, nullptr, &md, to_ms(timeout));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(unreachable(config, "", rd_kafka_err2str(err)));
    }
    ClusterInfo info;
    info.broker_count = md->broker_cnt;
    rd_kafka_metadata_destroy(md);
    if (char* id = rd_kafka_clusterid(rk->get(), to_ms(timeout))) {
        info.cluster_id = id;
        rd_kafka_mem_free(rk->get(), id);
    }
    return info;
}

Result<int> topic_partition_count(const KafkaClientConfig& config, const std::string& topic,
                                  std::chrono::milliseconds timeout) {
    auto opened = open_topic(config, topic, timeout);
    if (!opened) {
        return fail(opened.error());
    }
    return opened->found.topic->partition_cnt;
}

Status ensure_topic(const KafkaClientConfig& config, const std::string& topic, int partitions,
                    int replication_factor, std::chrono::milliseconds timeout) {
    auto created = create_topic(config, TopicSpec{topic, partitions, replication_factor, {}}, true, timeout);
    if (!created) {
        return fail(created.error());
    }
    return {};
}

Result<std::vector<TopicSummary>> list_topics(const KafkaClientConfig& config, bool include_internal,
                                              std::chrono::milliseconds timeout) {
    auto admin = AdminClient::open(config, timeout);
    auto md = admin ? admin->metadata("") : fail(admin.error());
    if (!md) {
        return fail(md.error());
    }
    std::vector<TopicSummary> out;
    for (int i = 0; i < (*md)->topic_cnt; ++i) {
        const auto& t = (*md)->topics[i];
        if (t.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && (include_internal || !is_internal_topic(t.topic))) {
            out.push_back(summarize(t));
        }
    }
    std::ranges::sort(out, {}, &TopicSummary::name);
    return out;
}

Result<TopicDescription> describe_topic(const KafkaClientConfig& config, const std::string& topic,
                                        std::chrono::milliseconds timeout) {
    auto opened = open_topic(config, topic, timeout);
    if (!opened) {
        return fail(opened.error());
    }
    auto configs = topic_configs(opened->admin, topic);
    if (!configs) {
        return fail(configs.error());
    }
    const rd_kafka_metadata_topic_t& t = *opened->found.topic;
    return TopicDescription{summarize(t), replicas_of(t), std::move(*configs)};
}

Result<bool> create_topic(const KafkaClientConfig& config, const TopicSpec& spec, bool if_not_exists,
                          std::chrono::milliseconds timeout) {
    auto nt = new_topic(spec);
    if (!nt) {
        return fail(nt.error());
    }
    auto admin = AdminClient::open(config, timeout);
    const std::string what = "creating topic " + spec.name;
    auto ev = admin ? admin->request(RD_KAFKA_ADMIN_OP_CREATETOPICS, what,
                                     [&](auto* opts, auto* queue) {
                                         rd_kafka_NewTopic_t* one = nt->get();
                                         rd_kafka_CreateTopics(admin->get(), &one, 1, opts, queue);
                                     })
                    : fail(admin.error());
    if (!ev) {
        return fail(ev.error());
    }
    return topic_change_outcome(
        *admin, verdict_of(ev->get(), rd_kafka_event_CreateTopics_result, rd_kafka_CreateTopics_result_topics),
        RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, if_not_exists,
        Error::fatal("topic " + spec.name + " already exists (--if-not-exists accepts that)"), spec.name, true, what);
}

Result<bool> delete_topic(const KafkaClientConfig& config, const std::string& topic, bool if_exists,
                          std::chrono::milliseconds timeout) {
    auto admin = AdminClient::open(config, timeout);
    const std::string what = "deleting topic " + topic;
    auto ev = admin ? admin->request(RD_KAFKA_ADMIN_OP_DELETETOPICS, what,
                                     [&](auto* opts, auto* queue) {
                                         rd_kafka_DeleteTopic_t* one = rd_kafka_DeleteTopic_new(topic.c_str());
                                         rd_kafka_DeleteTopics(admin->get(), &one, 1, opts, queue);
                                         rd_kafka_DeleteTopic_destroy(one);
                                     })
                    : fail(admin.error());
    if (!ev) {
        return fail(ev.error());
    }
    return topic_change_outcome(
        *admin, verdict_of(ev->get(), rd_kafka_event_DeleteTopics_result, rd_kafka_DeleteTopics_result_topics),
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, if_exists,
        Error::not_found("topic " + topic + " does not exist (--if-exists accepts that)"), topic, false, what);
}

Result<std::vector<PartitionLag>> group_lag(const KafkaClientConfig& config, const std::string& group,
                                            const std::string& topic, std::chrono::milliseconds timeout) {
    auto partitions = topic_partition_count(config, topic, timeout);
    if (!partitions) {
        return fail(partitions.error());
    }
    // A consumer handle that never subscribes: rd_kafka_committed() is an OffsetFetch to the
    // coordinator, which does not make this handle a member of the group.
    auto conf = rdkafka::make_conf(KafkaClientRole::admin, config, {{"log_level", "3"},
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
