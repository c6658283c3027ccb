// Test fixtures of the sink: an in-process Kafka (librdkafka's mock cluster), a fresh
// warehouse folder, DuckDB to read the files back independently of the writers (format's
// file_reader), and a fault-injecting local ObjectStore (the storage seam).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/event.h"
#include "common/tests/temp_dir.h"
#include "format/tests/file_reader.h"
#include "sink/sink_options.h"
#include "sink/sink_runner.h"
#include "storage/local_object_store.h"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace ticklake::testing {

//! librdkafka's in-process broker: one per test, so topics, groups and offsets never leak.
class MockKafka {
public:
    explicit MockKafka(int brokers = 1);
    ~MockKafka();
    MockKafka(const MockKafka&) = delete;
    MockKafka& operator=(const MockKafka&) = delete;

    bool ok() const { return cluster_ != nullptr; }
    void create_topic(const std::string& topic, int partitions);
    //! Client settings for the sink: the mock's bootstraps, and a session of 4 s: the mock's
    //! group waits session.timeout.ms - 1 s for members to rejoin after a change (10 s by
    //! default), and 3 s for the first join, which a shorter session would not survive.
    KafkaClientConfig client_config() const;
    //! Committed offsets of the group (-1: none), asked of the coordinator without joining.
    std::vector<int64_t> committed(const std::string& group, const std::string& topic, int partitions) const;
    //! High watermarks (end offsets) of every partition.
    std::vector<int64_t> end_offsets(const std::string& topic, int partitions) const;

private:
    rd_kafka_s* owner_ = nullptr;
    rd_kafka_mock_cluster_s* cluster_ = nullptr;
    std::string bootstraps_;
};

//! Wire messages to produce: (key, value, type header).
struct WireMessage {
    std::string key;
    std::string value;
    std::string type;
};

//! A trade or quote with a unique id "ev-<n>" on UTC day `day` (days since 1970).
Event make_event(int n, EventType type, int64_t day, int64_t micros_in_day);
WireMessage to_wire(const Event& e);
//! Produces through KafkaProducer and waits for every delivery; ADD_FAILURE otherwise.
void produce_all(const KafkaClientConfig& config, const std::string& topic, const std::vector<WireMessage>& msgs);

//! Sink options for a test: until_idle 0.5 s, parquet, one-day partitions.
SinkOptions sink_options(const KafkaClientConfig& config, const std::string& topic, const std::string& group,
                         const std::filesystem::path& warehouse);

struct SinkRun {
    Status status;
    SinkStats stats;
};
//! Runs one SinkRunner with its own consumer, the way `ticklake sink` does (run, then close
//! while the runner lives). A watchdog sets `stop` after `deadline` so no test can hang.
//! `probe`, when given, receives the runner's metrics (else the process registry does).
SinkRun run_sink(const SinkOptions& options, ObjectStore& store,
                 std::chrono::milliseconds deadline = std::chrono::seconds(40), SinkProbe* probe = nullptr);

//! First cell of the first row as an integer; ADD_FAILURE and -1 on any error.
int64_t duckdb_int(const std::string& sql);

//! Warehouse-relative paths of every regular file under root, sorted.
std::vector<std::string> list_files(const std::filesystem::path& root);

//! A LocalObjectStore that lets a test decide, per publish() call (numbered from 1), whether
//! to fail and how; and, once a fatal fault was injected, optionally fails every later call
//! that changes or reads small objects ("dead disk", so nothing else reaches storage, as after
//! a crash). Listings, stats and reads of data files go to the folder as they are.
class FaultyObjectStore final : public LocalObjectStore {
public:
    using PublishFault = std::function<std::optional<Error>(int call, std::string_view key)>;

    FaultyObjectStore(std::filesystem::path root, PublishFault fault, bool dead_after_fatal);

    Status publish(std::string_view key) override;
    Status put_file(std::string_view key, const std::filesystem::path& source) override;
    Result<bool> remove(std::string_view key) override;
    Status put_small(std::string_view key, std::string_view content) override;
    Result<std::optional<std::string>> get_small(std::string_view key) override;

    int publish_calls() const;
    //! Keys published successfully, in order.
    std::vector<std::string> published() const;

private:
    Status check_dead(std::string_view what) const;

    PublishFault fault_;
    const bool dead_after_fatal_;
    mutable std::mutex mu_; //!< writer threads publish concurrently
    int publish_calls_ = 0;
    bool dead_ = false;
    std::vector<std::string> published_;
};

} // namespace ticklake::testing
