#include "sink/tests/sink_test_support.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include "common/event_json.h"
#include "format/record_writer.h"
#include "kafka/kafka_consumer.h"
#include "kafka/kafka_producer.h"

namespace ticklake::testing {

namespace fs = std::filesystem;

MockKafka::MockKafka(int brokers) {
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err);
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!owner_) {
        ADD_FAILURE() << "rd_kafka_new: " << err;
        rd_kafka_conf_destroy(conf);
        return;
    }
    cluster_ = rd_kafka_mock_cluster_new(owner_, brokers);
    if (!cluster_) {
        ADD_FAILURE() << "rd_kafka_mock_cluster_new failed";
        return;
    }
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

MockKafka::~MockKafka() {
    if (cluster_) {
        rd_kafka_mock_cluster_destroy(cluster_);
    }
    if (owner_) {
        rd_kafka_destroy(owner_);
    }
}

void MockKafka::create_topic(const std::string& topic, int partitions) {
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
}

KafkaClientConfig MockKafka::client_config() const {
    return KafkaClientConfig{bootstraps_,
                             {{"session.timeout.ms", "4000"}, {"heartbeat.interval.ms", "500"}, {"log_level", "2"}}};
}

namespace {

// A plain consumer handle in the group that never subscribes: it only asks questions.
rd_kafka_t* make_query_handle(const std::string& bootstraps, const std::string& group) {
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps.c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        ADD_FAILURE() << "rd_kafka_new: " << err;
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

} // namespace

std::vector<int64_t> MockKafka::committed(const std::string& group, const std::string& topic, int partitions) const {
    std::vector<int64_t> out(partitions, -2);
    rd_kafka_t* rk = make_query_handle(bootstraps_, group);
    if (!rk) {
        return out;
    }
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) {
        rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
    }
    const rd_kafka_resp_err_t err = rd_kafka_committed(rk, list, 10000);
    EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
    for (int i = 0; i < list->cnt; ++i) {
        const int64_t off = list->elems[i].offset;
        out[list->elems[i].partition] = off >= 0 ? off : -1;
    }
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(rk);
    return out;
}

std::vector<int64_t> MockKafka::end_offsets(const std::string& topic, int partitions) const {
    std::vector<int64_t> out(partitions, -2);
    rd_kafka_t* rk = make_query_handle(bootstraps_, "end-offsets");
    if (!rk) {
        return out;
    }
    for (int p = 0; p < partitions; ++p) {
        int64_t lo = 0;
        int64_t hi = 0;
        const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, 10000);
        EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
        out[p] = hi;
    }
    rd_kafka_destroy(rk);
    return out;
}

Event make_event(int n, EventType type, int64_t day, int64_t micros_in_day) {
    static const char* const kSymbols[] = {"AAPL", "MSFT", "BTC-USD", "ETH-USD", "SPY", "QQQ", "TSLA", "NVDA"};
    Event e;
    e.type = type;
    e.id = "ev-" + std::to_string(n);
    e.symbol = kSymbols[n % 8];
    e.ts = day * kMicrosPerDay + micros_in_day;
    e.recv_ts = e.ts + 5;
    e.source = "test";
    if (type == EventType::trade) {
        e.body = Trade{100.0 + n, 1.0 + n % 7, "XNAS", n % 2 ? "buy" : "sell"};
    } else {
        e.body = Quote{99.5 + n, 10, 100.5 + n, 12, "XNAS"};
    }
    return e;
}

WireMessage to_wire(const Event& e) {
    WireMessage m{e.symbol, {}, to_string(e.type)};
    append_event_json(m.value, e);
    return m;
}

void produce_all(const KafkaClientConfig& config, const std::string& topic, const std::vector<WireMessage>& msgs) {
    ProducerOptions po;
    po.linger_ms = 1;
    auto producer = KafkaProducer::create(config, po);
    ASSERT_TRUE(producer) << producer.error().message;
    for (const auto& m : msgs) {
        auto st = (*producer)->produce(Topic(topic), m.key, m.value, m.type);
        ASSERT_TRUE(st) << st.error().message;
    }
    auto st = (*producer)->flush(std::chrono::seconds(20));
    ASSERT_TRUE(st) << st.error().message;
    ASSERT_EQ((*producer)->stats().delivered, msgs.size()) << (*producer)->stats().first_error;
}

SinkOptions sink_options(const KafkaClientConfig& config, const std::string& topic, const std::string& group,
                         const fs::path& warehouse) {
    SinkOptions o;
    o.kafka = config;
    o.topics = {topic};
    o.group = group;
    o.warehouse = warehouse.string();
    o.until_idle_s = 0.5;
    o.writer_threads = 2;
    // The exactly-once tests count files per day; auto's choice is tested on its own.
    o.time_partition = TimePartition::day;
    return o;
}

SinkRun run_sink(const SinkOptions& options, ObjectStore& store, std::chrono::milliseconds deadline,
                 SinkProbe* probe) {
    SinkRun out;
    std::vector<std::unique_ptr<RecordWriter>> writers;
    for (int i = 0; i < options.writer_threads; ++i) {
        auto w = make_record_writer(options.format, options.writer);
        if (!w) {
            ADD_FAILURE() << w.error().message;
            out.status = fail(w.error());
            return out;
        }
        writers.push_back(std::move(*w));
    }
    auto consumer = KafkaConsumer::create(options.kafka, options.group);
    if (!consumer) {
        ADD_FAILURE() << consumer.error().message;
        out.status = fail(consumer.error());
        return out;
    }
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::condition_variable cv;
    bool finished = false;
    std::thread watchdog([&] {
        std::unique_lock lock(mu);
        if (!cv.wait_for(lock, deadline, [&] { return finished; })) {
            ADD_FAILURE() << "sink did not finish within " << deadline.count() << " ms: stopping it";
            stop = true;
        }
    });
    {
        SinkRunner runner(options, store, std::move(writers), **consumer);
        if (probe != nullptr) {
            runner.set_probe(probe);
        }
        out.status = runner.run(stop);
        // As `ticklake sink` does: leave the group while the runner (its rebalance handler) lives.
        (*consumer)->close();
        out.stats = runner.stats();
    }
    {
        std::lock_guard lock(mu);
        finished = true;
    }
    cv.notify_all();
    watchdog.join();
    return out;
}

int64_t duckdb_int(const std::string& sql) {
    auto rows = duckdb_rows(sql);
    if (rows.empty() || rows[0].empty()) {
        ADD_FAILURE() << "no result: " << sql;
        return -1;
    }
    return std::stoll(rows[0][0]);
}

std::vector<std::string> list_files(const fs::path& root) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it->is_regular_file()) {
            out.push_back(fs::relative(it->path(), root).string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

FaultyObjectStore::FaultyObjectStore(fs::path root, PublishFault fault, bool dead_after_fatal)
    : LocalObjectStore(std::move(root)), fault_(std::move(fault)), dead_after_fatal_(dead_after_fatal) {}

Status FaultyObjectStore::check_dead(std::string_view what) const {
    std::lock_guard lock(mu_);
    if (dead_) {
        return fail(Error::fatal("injected: storage gone (" + std::string(what) + ")"));
    }
    return {};
}

Status FaultyObjectStore::publish(std::string_view key) {
    {
        std::lock_guard lock(mu_);
        if (dead_) {
            return fail(Error::fatal("injected: storage gone (publish " + std::string(key) + ")"));
        }
        const int call = ++publish_calls_;
        if (auto e = fault_ ? fault_(call, key) : std::nullopt) {
            if (e->kind == ErrorKind::fatal && dead_after_fatal_) {
                dead_ = true;
            }
            return fail(*e);
        }
    }
    auto st = LocalObjectStore::publish(key);
    if (st) {
        std::lock_guard lock(mu_);
        published_.emplace_back(key);
    }
    return st;
}

Result<bool> FaultyObjectStore::remove(std::string_view key) {
    if (auto st = check_dead("remove"); !st) {
        return fail(st.error());
    }
    return LocalObjectStore::remove(key);
}

Status FaultyObjectStore::put_small(std::string_view key, std::string_view content) {
    if (auto st = check_dead("put_small"); !st) {
        return st;
    }
    return LocalObjectStore::put_small(key, content);
}

Result<std::optional<std::string>> FaultyObjectStore::get_small(std::string_view key) {
    if (auto st = check_dead("get_small"); !st) {
        return fail(st.error());
    }
    return LocalObjectStore::get_small(key);
}

Status FaultyObjectStore::put_file(std::string_view key, const std::filesystem::path& source) {
    if (auto st = check_dead("put_file"); !st) {
        return st;
    }
    return LocalObjectStore::put_file(key, source);
}

int FaultyObjectStore::publish_calls() const {
    std::lock_guard lock(mu_);
    return publish_calls_;
}

std::vector<std::string> FaultyObjectStore::published() const {
    std::lock_guard lock(mu_);
    return published_;
}

} // namespace ticklake::testing
