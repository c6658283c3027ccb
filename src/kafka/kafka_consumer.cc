#include "kafka/kafka_consumer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "kafka/prefetch_waker.h"
#include "kafka/rdkafka_handle.h"

namespace ticklake {

ConsumedMessage::ConsumedMessage(rd_kafka_message_s* m) : m_(m) {}
ConsumedMessage::~ConsumedMessage() {
    if (m_) {
        rd_kafka_message_destroy(m_);
    }
}
ConsumedMessage::ConsumedMessage(ConsumedMessage&& o) noexcept : m_(o.m_) { o.m_ = nullptr; }
std::string_view ConsumedMessage::topic() const { return rd_kafka_topic_name(m_->rkt); }
const void* ConsumedMessage::topic_handle() const { return m_->rkt; }
Partition ConsumedMessage::partition() const { return Partition(m_->partition); }
bool ConsumedMessage::value_is_null() const { return m_->payload == nullptr; }

std::optional<std::pair<std::string_view, std::optional<std::string_view>>> ConsumedMessage::header_at(size_t i) const {
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m_, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return std::nullopt;
    }
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    if (rd_kafka_header_get_all(hdrs, i, &name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return std::nullopt;
    }
    std::optional<std::string_view> v;
    if (value != nullptr) {
        v = std::string_view(static_cast<const char*>(value), size);
    }
    return std::make_pair(std::string_view(name), v);
}

std::optional<std::string_view> ConsumedMessage::header(std::string_view name) const {
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m_, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return std::nullopt;
    }
    const std::string key(name);
    const void* value = nullptr;
    size_t size = 0;
    if (rd_kafka_header_get_last(hdrs, key.c_str(), &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return std::nullopt;
    }
    return value != nullptr ? std::string_view(static_cast<const char*>(value), size) : std::string_view();
}
Offset ConsumedMessage::offset() const { return Offset(m_->offset); }
std::string_view ConsumedMessage::key() const {
    return m_->key ? std::string_view(static_cast<const char*>(m_->key), m_->key_len) : std::string_view();
}
std::string_view ConsumedMessage::value() const {
    return m_->payload ? std::string_view(static_cast<const char*>(m_->payload), m_->len) : std::string_view();
}
int64_t ConsumedMessage::timestamp_ms() const { return rd_kafka_message_timestamp(m_, nullptr); }

struct KafkaConsumer::Impl {
    rdkafka::Handle rk;
    rdkafka::Queue queue; //!< the consumer queue, for batch consumption
    std::vector<rd_kafka_message_t*> batch; //!< scratch array for rd_kafka_consume_batch_queue
    std::string fatal_error; //!< set by the rebalance callback when assign itself fails
    std::unique_ptr<PrefetchWaker> waker; //!< restarts fetching once the queue has room (prefetch_waker.h)
};

// Eager protocols (range, roundrobin) revoke the whole assignment and then assign a new
// one; the cooperative one (cooperative-sticky) only adds or takes away the partitions that
// move, while the member keeps reading the others. Either way on_revoke sees exactly the
// partitions given up, and they stay ours (commits succeed) until the unassign below.
struct ConsumerCallbacks {
    //! Applies parts (assign, or unassign) as the group's protocol wants it. A failed assign
    //! is kept for poll_batch() to return: the member would own partitions it never reads.
    //! A failed unassign is not: the partitions are being given up anyway.
    static void apply(KafkaConsumer* self, rd_kafka_t* rk, rd_kafka_topic_partition_list_t* parts, bool assign) {
        std::string failure;
        if (std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") != 0) {
            if (auto err = rd_kafka_assign(rk, assign ? parts : nullptr); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                failure = rd_kafka_err2str(err);
            }
        } else if (parts != nullptr) {
            rd_kafka_error_t* error =
                assign ? rd_kafka_incremental_assign(rk, parts) : rd_kafka_incremental_unassign(rk, parts);
            if (error != nullptr) {
                failure = rd_kafka_error_string(error);
                rd_kafka_error_destroy(error);
            }
        }
        if (assign && !failure.empty() && self->impl_->fatal_error.empty()) {
            self->impl_->fatal_error = "cannot take the assigned partitions: " + failure;
        }
    }

    static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                             void* opaque) {
        auto* self = static_cast<KafkaConsumer*>(opaque);
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
            std::vector<PartitionOffset> assigned;
            // Committed offsets decide what recovery keeps: ask the coordinator now.
            rd_kafka_resp_err_t cerr = rd_kafka_committed(rk, parts, 30000);
            if (cerr != RD_KAFKA_RESP_ERR_NO_ERROR) {
                self->impl_->fatal_error = std::string("cannot read committed offsets: ") + rd_kafka_err2str(cerr);
                // Read nothing (eager: an empty assignment; cooperative: these stay unread);
                // poll_batch() stops on fatal_error and a restart retries.
                apply(self, rk, nullptr, false);
                return;
            }
            for (int i = 0; i < parts->cnt; ++i) {
                const int64_t off = parts->elems[i].offset;
                assigned.push_back({Topic(parts->elems[i].topic), Partition(parts->elems[i].partition),
                                    off >= 0 ? Offset(off) : Offset::none()});
            }
            if (self->handler_.on_assign) {
                self->handler_.on_assign(assigned);
            }
            // Start from the committed offsets; where there are none, from --start-from.
            if (auto st = self->start_positions(rk, parts); !st) {
                self->impl_->fatal_error = st.error().message;
                apply(self, rk, nullptr, false);
                return;
            }
            apply(self, rk, parts, true);
        } else {
            std::vector<TopicPartition> revoked;
            for (int i = 0; i < parts->cnt; ++i) {
                revoked.push_back({Topic(parts->elems[i].topic), Partition(parts->elems[i].partition)});
            }
            if (self->handler_.on_revoke) {
                self->handler_.on_revoke(revoked);
            }
            apply(self, rk, parts, false);
        }
    }
};

KafkaConsumer::KafkaConsumer() = default;

KafkaConsumer::~KafkaConsumer() {
    if (impl_ && impl_->rk) {
        close();
    }
}

Status KafkaConsumer::start_positions(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* parts) {
    std::vector<int> fresh; // partitions without a committed offset
    for (int i = 0; i < parts->cnt; ++i) {
        if (parts->elems[i].offset < 0) {
            fresh.push_back(i);
            parts->elems[i].offset =
                start_.kind == StartFrom::Kind::latest ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
        }
    }
    if (fresh.empty()) {
        return {};
    }
    // Where to start as numbers, asked in one ListOffsets request per broker (a time, or -2 for
    // the earliest offset and -1 for the latest, as the protocol names them). librdkafka 2.0
    // asked for a logical BEGINNING or END itself, and when the partition had not yet joined
    // its broker's thread it retried after a fixed 500 ms: a new group's sink stood still for
    // half a second (seen in 5 of 6 starts).
    const bool by_time = start_.kind == StartFrom::Kind::timestamp;
    const int64_t asked = by_time ? start_.timestamp_ms : start_.kind == StartFrom::Kind::latest ? -1 : -2;
    rdkafka::PartitionList query(rd_kafka_topic_partition_list_new(static_cast<int>(fresh.size())));
    for (int i : fresh) {
        rd_kafka_topic_partition_list_add(query.get(), parts->elems[i].topic, parts->elems[i].partition)->offset = asked;
    }
    if (auto err = rd_kafka_offsets_for_times(rk, query.get(), 30000); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (!by_time) {
            return {}; // the logical offsets set above still work, only later
        }
        return fail(rdkafka::to_error(err, "finding the offsets of --start-from's time"));
    }
    for (int q = 0; q < query->cnt; ++q) {
        const auto& e = query->elems[q];
        int64_t& offset = parts->elems[fresh[static_cast<size_t>(q)]].offset;
        if (e.err == RD_KAFKA_RESP_ERR_NO_ERROR && e.offset >= 0) {
            offset = e.offset;
        } else if (by_time) {
            offset = RD_KAFKA_OFFSET_END; // no message at or after that time yet
        } // else the logical offset set above
    }
    return {};
}

namespace {

//! A numeric setting as the handle has it (defaults, ours, and -X applied); 0 if unreadable.
size_t conf_size(rd_kafka_t* rk, const char* name) {
    char buf[32];
    size_t size = sizeof buf;
    if (rd_kafka_conf_get(rd_kafka_conf(rk), name, buf, &size) != RD_KAFKA_CONF_OK) {
        return 0;
    }
    return static_cast<size_t>(std::strtoull(buf, nullptr, 10));
}

} // namespace

Result<std::unique_ptr<KafkaConsumer>> KafkaConsumer::create(const KafkaClientConfig& config,
                                                              const std::string& group, StartFrom start) {
    if (group.empty()) {
        return fail(Error::invalid("a consumer group is needed: pass --group NAME"));
    }
    auto conf = rdkafka::make_conf(KafkaClientRole::consumer, config, {
                                               // All but auto.offset.reset are pinned (pinned_settings.h):
                                               // -X may not change them.
                                               {"group.id", group.c_str()},
                                               {"enable.auto.commit", "false"},
                                               {"enable.auto.offset.store", "false"},
                                               {"auto.offset.reset", "earliest"},
                                               {"enable.partition.eof", "true"},
                                               // Eager. The rebalance callback serves cooperative-sticky
                                               // too, but it is refused with librdkafka < 2.10
                                               // (pinned_settings.cc says why).
                                               {"partition.assignment.strategy", "range,roundrobin"},
                                               // A crashed member holds its partitions until its session expires: keep that short.
                                               {"session.timeout.ms", "10000"},
                                               {"heartbeat.interval.ms", "1000"},
                                               {"max.poll.interval.ms", "600000"},
                                               {"fetch.max.bytes", "104857600"},
                                               {"max.partition.fetch.bytes", "8388608"},
                                               // librdkafka 2.0 pauses fetching for about a second once its
                                               // local queue passes these thresholds; a consumer that drains
                                               // faster than that then starved (measured before the prefetch
                                               // waker: 2M messages took 3.6-5.7 s with the defaults, 0.9 s
                                               // with these). The sink replaces them with its memory budget's
                                               // (sink/memory_budget.h); other consumers keep these.
                                               {"queued.min.messages", "1000000"},
                                               {"queued.max.messages.kbytes", "262144"},
                                               {"log_level", "3"},
                                           });
    if (!conf) {
        return fail(conf.error());
    }
    std::unique_ptr<KafkaConsumer> self(new KafkaConsumer());
    self->impl_ = std::make_unique<Impl>();
    self->start_ = start;
    rd_kafka_conf_set_rebalance_cb(conf->get(), &ConsumerCallbacks::on_rebalance);
    rd_kafka_conf_set_opaque(conf->get(), self.get());
    auto rk = rdkafka::make_handle(RD_KAFKA_CONSUMER, std::move(*conf));
    if (!rk) {
        return fail(rk.error());
    }
    rd_kafka_poll_set_consumer(rk->get());
    self->impl_->queue.reset(rd_kafka_queue_get_consumer(rk->get()));
    self->impl_->waker = std::make_unique<PrefetchWaker>(rk->get(), conf_size(rk->get(), "queued.min.messages"),
                                                         conf_size(rk->get(), "queued.max.messages.kbytes") * 1024);
    self->impl_->rk = std::move(*rk);
    return self;
}

Status KafkaConsumer::subscribe(const std::vector<std::string>& topics, RebalanceHandler handler) {
    topic_.clear();
    handler_ = std::move(handler);
    rdkafka::PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
    for (const auto& t : topics) {
        topic_ += (topic_.empty() ? "" : ",") + t;
        rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    }
    auto err = rd_kafka_subscribe(impl_->rk.get(), list.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(rdkafka::to_error(err, "subscribing to " + topic_));
    }
    return {};
}

Status KafkaConsumer::poll_batch(int timeout_ms, size_t max_messages, PollBatch& out) {
    out.clear();
    auto& scratch = impl_->batch;
    scratch.resize(std::max<size_t>(max_messages, 1));
    // rd_kafka_consume_batch_queue waits until the batch is full or the timeout passes, so a
    // small batch would cost the whole timeout: wait for the first message alone, then take
    // whatever else is already queued without waiting.
    ssize_t n = 0;
    if (rd_kafka_message_t* first = rd_kafka_consumer_poll(impl_->rk.get(), timeout_ms)) {
        scratch[0] = first;
        n = 1;
        if (max_messages > 1) {
            const ssize_t more = rd_kafka_consume_batch_queue(impl_->queue.get(), 0, scratch.data() + 1,
                                                              max_messages - 1);
            n += std::max<ssize_t>(more, 0);
        }
    }
    if (!impl_->fatal_error.empty()) {
        // Without committed offsets recovery cannot tell committed files from leftovers:
        // stop rather than guess (a restart retries the whole assignment).
        for (ssize_t i = 0; i < n; ++i) {
            rd_kafka_message_destroy(scratch[i]);
        }
        return fail(Error::fatal(std::exchange(impl_->fatal_error, {})));
    }
    Status result;
    size_t payload_bytes = 0;
    for (ssize_t i = 0; i < n; ++i) {
        rd_kafka_message_t* m = scratch[i];
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            payload_bytes += m->len;
            out.messages.emplace_back(m);
            continue;
        }
        const auto err = m->err;
        if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            out.partition_eofs.push_back({Topic(m->rkt ? rd_kafka_topic_name(m->rkt) : ""), Partition(m->partition)});
        } else if (result && (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)) {
            const std::string name = m->rkt ? rd_kafka_topic_name(m->rkt) : topic_;
            result = fail(Error::not_found("topic " + name + " does not exist (" + rd_kafka_message_errstr(m) + ")"));
        } else if (result && err == RD_KAFKA_RESP_ERR__FATAL) {
            result = fail(Error::fatal(std::string("Kafka consumer fatal error: ") + rd_kafka_message_errstr(m)));
        }
        // Anything else is transient (transport, broker down): librdkafka reconnects by itself.
        rd_kafka_message_destroy(m);
    }
    if (impl_->waker) {
        impl_->waker->observe(rd_kafka_queue_length(impl_->queue.get()), out.messages.size(), payload_bytes);
    }
    return result;
}

namespace {

// A refused commit says whether the member is out of the group (fenced: another member may own
// its partitions) or only has to wait (no coordinator known yet, e.g. the broker restarting).
Error commit_error(rd_kafka_resp_err_t err, const std::string& context) {
    switch (err) {
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID:
        return Error::fatal(context + ": this member is no longer in the group (" + rd_kafka_err2str(err) + ")");
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
        return Error::retry(context + ": " + rd_kafka_err2str(err));
    default:
        return rdkafka::to_error(err, context);
    }
}

} // namespace

Status KafkaConsumer::commit(const std::vector<PartitionOffset>& offsets) {
    if (offsets.empty()) {
        return {};
    }
    rdkafka::PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
    for (const auto& po : offsets) {
        rd_kafka_topic_partition_list_add(list.get(), po.topic.c_str(), po.partition.value())->offset =
            po.offset.value();
    }
    auto err = rd_kafka_commit(impl_->rk.get(), list.get(), 0 /* synchronous */);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail(commit_error(err, "committing offsets"));
    }
    for (int i = 0; i < list->cnt; ++i) {
        if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return fail(commit_error(list->elems[i].err, std::string("committing offset of ") +
                                                                  list->elems[i].topic + " partition " +
                                                                  std::to_string(list->elems[i].partition)));
        }
    }
    return {};
}

uint64_t KafkaConsumer::prefetch_wakeups() const { return impl_ && impl_->waker ? impl_->waker->wakeups() : 0; }

bool KafkaConsumer::assignment_lost() const {
    return impl_ && impl_->rk && rd_kafka_assignment_lost(impl_->rk.get()) == 1;
}

void KafkaConsumer::close() {
    if (impl_ && impl_->rk) {
        impl_->waker.reset();
        impl_->queue.reset();
        rd_kafka_consumer_close(impl_->rk.get());
        impl_->rk.reset();
    }
}

std::optional<int64_t> KafkaConsumer::high_watermark(const TopicPartition& tp) const {
    int64_t low = 0;
    int64_t high = 0;
    const std::string topic(tp.topic.view());
    if (rd_kafka_get_watermark_offsets(impl_->rk.get(), topic.c_str(), tp.partition.value(), &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
        return std::nullopt;
    }
    return high;
}

} // namespace ticklake
