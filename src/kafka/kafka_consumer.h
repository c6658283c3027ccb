// Consumer-group member (librdkafka high-level consumer) with manual offset commits:
// the sink commits only what it has made durable (enable.auto.commit=false).
//
// @locality every method, and the rebalance handler, run on the thread calling poll_batch().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "kafka/kafka_client_config.h"

struct rd_kafka_message_s;

namespace ticklake {

struct PartitionOffset {
    int32_t partition = 0;
    int64_t offset = -1; //!< next offset to read; -1 when the group has no committed offset
};

//! One consumed message; views stay valid while this object lives.
class ConsumedMessage {
public:
    explicit ConsumedMessage(rd_kafka_message_s* m);
    ~ConsumedMessage();
    ConsumedMessage(ConsumedMessage&& o) noexcept;
    ConsumedMessage& operator=(ConsumedMessage&&) = delete;
    ConsumedMessage(const ConsumedMessage&) = delete;

    int32_t partition() const;
    int64_t offset() const;
    std::string_view key() const;
    std::string_view value() const;
    int64_t timestamp_ms() const; //!< Kafka message timestamp, -1 if none

private:
    rd_kafka_message_s* m_;
};

struct RebalanceHandler {
    //! Partitions just assigned with their committed offsets. Runs before any message of
    //! them is returned by poll_batch(): the place to recover what a crashed owner left behind.
    std::function<void(const std::vector<PartitionOffset>&)> on_assign;
    //! Partitions about to be taken away: the place to flush and commit them.
    std::function<void(const std::vector<int32_t>&)> on_revoke;
};

//! What one poll_batch() call returned, in arrival order per partition.
struct PollBatch {
    std::vector<ConsumedMessage> messages;
    std::vector<int32_t> partition_eofs; //!< partitions that reached their end
    void clear() {
        messages.clear();
        partition_eofs.clear();
    }
};

class KafkaConsumer {
public:
    static Result<std::unique_ptr<KafkaConsumer>> create(const KafkaClientConfig& config, const std::string& group);
    ~KafkaConsumer();
    KafkaConsumer(const KafkaConsumer&) = delete;
    KafkaConsumer& operator=(const KafkaConsumer&) = delete;

    Status subscribe(const std::string& topic, RebalanceHandler handler);
    //! Up to max_messages at once (one queue lock per call, not per message); waits at most
    //! timeout_ms for the first. Serves the rebalance callbacks. Transient broker errors are
    //! left to librdkafka's own retries; fatal ones come back as errors.
    Status poll_batch(int timeout_ms, size_t max_messages, PollBatch& out);
    //! Synchronous commit of the given next-offsets for the subscribed topic.
    Status commit(const std::vector<PartitionOffset>& offsets);
    //! Leaves the group (runs on_revoke first).
    void close();
    const std::string& topic() const { return topic_; }

private:
    struct Impl;
    KafkaConsumer();
    std::unique_ptr<Impl> impl_;
    std::string topic_;
    RebalanceHandler handler_;
    friend struct ConsumerCallbacks;
};

} // namespace ticklake
