// Consumer-group member (librdkafka high-level consumer) with manual offset commits:
// the sink commits only what it has made durable (enable.auto.commit=false).
//
// @locality every method, and the rebalance handler, run on the thread calling poll_batch().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/kafka_position.h"
#include "kafka/kafka_client_config.h"

struct rd_kafka_message_s;
struct rd_kafka_s;
struct rd_kafka_topic_partition_list_s;

namespace ticklake {

struct PartitionOffset {
    Topic topic;
    Partition partition;
    Offset offset; //!< next offset to read; Offset::none() when the group has no committed offset
    bool operator==(const PartitionOffset&) const = default;
};

//! Where a group without a committed offset starts reading a partition.
struct StartFrom {
    enum class Kind { earliest, latest, timestamp };
    Kind kind = Kind::earliest;
    int64_t timestamp_ms = 0; //!< Kind::timestamp: the first message at or after this time
};

//! One consumed message; views stay valid while this object lives.
class ConsumedMessage {
public:
    explicit ConsumedMessage(rd_kafka_message_s* m);
    ~ConsumedMessage();
    ConsumedMessage(ConsumedMessage&& o) noexcept;
    ConsumedMessage& operator=(ConsumedMessage&&) = delete;
    ConsumedMessage(const ConsumedMessage&) = delete;

    std::string_view topic() const; //!< valid while the consumer lives
    //! Identifies the message's topic without reading its name: equal for messages of one topic.
    const void* topic_handle() const;
    Partition partition() const;
    Offset offset() const;
    std::string_view key() const;
    std::string_view value() const;
    //! True for a tombstone (no value at all), as opposed to an empty value.
    bool value_is_null() const;
    int64_t timestamp_ms() const; //!< Kafka message timestamp, -1 if none
    //! The last header of that name; nullopt when there is none (a header may have no value: "").
    std::optional<std::string_view> header(std::string_view name) const;
    //! Calls fn(name, value) for every header in order; value is nullopt for a null header value.
    template <class Fn>
    void for_each_header(Fn&& fn) const {
        for (size_t i = 0;; ++i) {
            auto h = header_at(i);
            if (!h) {
                return;
            }
            fn(h->first, h->second);
        }
    }

private:
    std::optional<std::pair<std::string_view, std::optional<std::string_view>>> header_at(size_t i) const;
    rd_kafka_message_s* m_;
};

struct RebalanceHandler {
    //! Partitions just assigned with their committed offsets. Runs before any message of
    //! them is returned by poll_batch(): the place to recover what a crashed owner left behind.
    std::function<void(const std::vector<PartitionOffset>&)> on_assign;
    //! Partitions about to be taken away: the place to flush and commit them.
    std::function<void(const std::vector<TopicPartition>&)> on_revoke;
};

//! What one poll_batch() call returned, in arrival order per partition.
struct PollBatch {
    std::vector<ConsumedMessage> messages;
    std::vector<TopicPartition> partition_eofs; //!< partitions that reached their end
    void clear() {
        messages.clear();
        partition_eofs.clear();
    }
};

class KafkaConsumer {
public:
    static Result<std::unique_ptr<KafkaConsumer>> create(const KafkaClientConfig& config, const std::string& group,
                                                         StartFrom start = {});
    ~KafkaConsumer();
    KafkaConsumer(const KafkaConsumer&) = delete;
    KafkaConsumer& operator=(const KafkaConsumer&) = delete;

    //! Topics by name, or by pattern when a name starts with '^' (a POSIX regex, as librdkafka
    //! reads it; topics created later that match are picked up too).
    Status subscribe(const std::vector<std::string>& topics, RebalanceHandler handler);
    Status subscribe(const std::string& topic, RebalanceHandler handler) {
        return subscribe(std::vector<std::string>{topic}, std::move(handler));
    }
    //! Up to max_messages at once (one queue lock per call, not per message); waits at most
    //! timeout_ms for the first. Serves the rebalance callbacks. Transient broker errors are
    //! left to librdkafka's own retries; fatal ones come back as errors.
    Status poll_batch(int timeout_ms, size_t max_messages, PollBatch& out);
    //! Synchronous commit of the given next-offsets. The coordinator checks the member's
    //! generation, so a member expelled from the group (session expired) is refused. Unlike
    //! the other methods, safe to call from any thread (librdkafka's commit is).
    Status commit(const std::vector<PartitionOffset>& offsets);
    //! Inside on_revoke: true when the partitions were lost (the group expelled this member,
    //! so others may own them already), false when they are handed over in a rebalance.
    bool assignment_lost() const;
    //! The partition's high watermark (the offset the next produced message gets) as the last
    //! fetch response told it, without asking the broker; nullopt before any fetch. With the
    //! committed offset it gives the consumer lag.
    std::optional<int64_t> high_watermark(const TopicPartition& tp) const;
    //! Times the prefetch queue was refilled by waking the fetcher (prefetch_waker.h).
    uint64_t prefetch_wakeups() const;
    //! Leaves the group (runs on_revoke first).
    void close();
    //! What was subscribed, joined with ','.
    const std::string& topic() const { return topic_; }

private:
    struct Impl;
    KafkaConsumer();
    //! Sets the start of every partition in parts without a committed offset (start_).
    Status start_positions(rd_kafka_s* rk, rd_kafka_topic_partition_list_s* parts);
    std::unique_ptr<Impl> impl_;
    std::string topic_;
    StartFrom start_;
    RebalanceHandler handler_;
    friend struct ConsumerCallbacks;
};

} // namespace ticklake
