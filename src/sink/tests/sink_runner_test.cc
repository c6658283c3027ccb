// SinkRunner end to end against librdkafka's mock cluster, with a LocalObjectStore (or a
// fault-injecting wrapper around it) in a fresh folder; files are read back with DuckDB.
#include "sink/sink_runner.h"

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "common/timestamp.h"
#include "kafka/kafka_producer.h"
#include "sink/tests/sink_test_support.h"

namespace ticklake {

namespace fs = std::filesystem;
using namespace ticklake::testing;

namespace {

const int64_t kDay1 = days_from_civil(2025, 1, 6);

class SinkRunnerTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(kafka_.ok());
        ASSERT_FALSE(dir_.path().empty());
        group_ = std::string("g-") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    }

    //! Trades and quotes alternating, over two days: every 4 consecutive events cover
    //! the 4 (table, day) files. Ids are "ev-<first_id + i>".
    static std::vector<Event> two_day_events(int n, int first_id = 0) {
        std::vector<Event> out;
        for (int i = 0; i < n; ++i) {
            const EventType type = i % 2 == 0 ? EventType::trade : EventType::quote;
            out.push_back(make_event(first_id + i, type, kDay1 + (i / 2) % 2, int64_t{i} * 1000));
        }
        return out;
    }
    static std::vector<WireMessage> wire(const std::vector<Event>& events) {
        std::vector<WireMessage> out;
        for (const auto& e : events) {
            out.push_back(to_wire(e));
        }
        return out;
    }

    std::string parquet_glob() const { return (dir_.path() / "market/*/*/*.parquet").string(); }
    int64_t rows() const { return duckdb_int("SELECT count(*) FROM read_parquet('" + parquet_glob() + "')"); }
    int64_t distinct_ids() const {
        return duckdb_int("SELECT count(DISTINCT id) FROM read_parquet('" + parquet_glob() + "')");
    }
    std::vector<std::string> files_ending(std::string_view suffix) const {
        std::vector<std::string> out;
        for (auto& f : list_files(dir_.path())) {
            if (f.ends_with(suffix)) {
                out.push_back(f);
            }
        }
        return out;
    }
    std::string journal_key(int partition) const {
        return sink_journal_key(group_, Topic(topic_), Partition(partition));
    }

    //! Creates the topic and produces two_day_events(events) to it.
    void produce_two_day_events(int partitions, int events) {
        kafka_.create_topic(topic_, partitions);
        produce_all(kafka_.client_config(), topic_, wire(two_day_events(events)));
    }

    //! Publish number `call` fails fatally; the others go through.
    static FaultyObjectStore::PublishFault fatal_at_publish(int call) {
        return [call](int n, std::string_view) -> std::optional<Error> {
            if (n == call) {
                return Error::fatal("injected: publish #" + std::to_string(n) + " fails");
            }
            return std::nullopt;
        };
    }
    //! The first `calls` publishes fail with a retriable error saying `what`.
    static FaultyObjectStore::PublishFault retry_first_publishes(int calls, std::string what) {
        return [calls, what](int n, std::string_view) -> std::optional<Error> {
            if (n <= calls) {
                return Error::retry("injected: " + what + " (publish #" + std::to_string(n) + ")");
            }
            return std::nullopt;
        };
    }

    //! One partition read in batches of 8 messages, each batch 4 files (2 tables x 2 days),
    //! by one writer thread, so that publish numbers map to batches deterministically.
    SinkRun run_in_batches_of_8(ObjectStore& store) {
        SinkOptions o = sink_options(kafka_.client_config(), topic_, group_, dir_.path());
        o.rotate_rows = 8;
        o.writer_threads = 1;
        return run_sink(o, store);
    }

    //! Each of `events` produced events is in exactly one row of the warehouse, and the run
    //! left it clean and committed.
    void expect_each_event_once(int events, int partitions) const {
        EXPECT_EQ(rows(), events);
        EXPECT_EQ(distinct_ids(), events);
        expect_clean_and_committed(partitions);
    }

    //! After a successful catch-up: no staged leftovers, no journal, offsets committed to the end.
    void expect_clean_and_committed(int partitions) const {
        EXPECT_TRUE(files_ending(".tmp").empty()) << files_ending(".tmp")[0];
        EXPECT_FALSE(fs::exists(dir_.path() / "_ticklake/sink" / group_ / topic_ / "p0.json"));
        for (const auto& f : files_ending(".json")) {
            // topic.json is the topic's state, time_partition.json a table's grain
            EXPECT_TRUE(f.ends_with("/topic.json") || f.ends_with("/time_partition.json")) << "journal left: " << f;
        }
        // An empty partition has nothing to commit: no committed offset is right for it.
        auto committed = kafka_.committed(group_, topic_, partitions);
        const auto ends = kafka_.end_offsets(topic_, partitions);
        for (int p = 0; p < partitions; ++p) {
            if (ends[p] == 0 && committed[p] == -1) {
                committed[p] = 0;
            }
        }
        EXPECT_EQ(committed, ends);
    }

    MockKafka kafka_;
    TempDir dir_;
    std::string topic_ = "ticks";
    std::string group_;
};

} // namespace

TEST_F(SinkRunnerTest, HappyPathWritesEveryEventOnceInHivePaths) {
    constexpr int kPartitions = 3;
    constexpr int kEvents = 240;
    produce_two_day_events(kPartitions, kEvents);

    LocalObjectStore store(dir_.path());
    auto run = run_sink(sink_options(kafka_.client_config(), topic_, group_, dir_.path()), store);
    ASSERT_TRUE(run.status) << run.status.error().message;

    EXPECT_EQ(rows(), kEvents);
    EXPECT_EQ(distinct_ids(), kEvents);
    EXPECT_EQ(duckdb_int("SELECT count(*) FROM read_parquet('" + (dir_.path() / "market/trades/*/*.parquet").string() +
                         "')"),
              kEvents / 2);

    // Paths: market/<table>/dt=<day>/<topic>-p<partition>-o<20 digits>.parquet, one file per
    // (partition, table, day) here (one batch per partition), the first one at offset 0.
    const std::regex shape(R"(market/(trades|quotes)/dt=(\d{4}-\d{2}-\d{2})/ticks-p(\d+)-o(\d{20})\.parquet)");
    const auto files = files_ending(".parquet");
    std::set<std::string> days;
    std::map<int, int64_t> min_offset;
    for (const auto& f : files) {
        std::smatch m;
        ASSERT_TRUE(std::regex_match(f, m, shape)) << f;
        days.insert(m[2]);
        const int p = std::stoi(m[3]);
        ASSERT_LT(p, kPartitions);
        const int64_t off = std::stoll(m[4]);
        min_offset[p] = min_offset.contains(p) ? std::min(min_offset[p], off) : off;
    }
    EXPECT_EQ(days, (std::set<std::string>{"2025-01-06", "2025-01-07"}));
    const auto ends = kafka_.end_offsets(topic_, kPartitions);
    for (int p = 0; p < kPartitions; ++p) {
        if (ends[p] > 0) {
            EXPECT_EQ(min_offset[p], 0) << "partition " << p << ": its first message is in no file named after it";
        }
    }
    // Every row sits under the day of its event time.
    for (const auto& row : duckdb_rows("SELECT filename, count(*), strftime(min(ts), '%Y-%m-%d'), "
                                       "strftime(max(ts), '%Y-%m-%d') FROM read_parquet('" +
                                       parquet_glob() + "', filename=true) GROUP BY filename")) {
        EXPECT_NE(row[0].find("/dt=" + row[2] + "/"), std::string::npos) << row[0];
        EXPECT_EQ(row[2], row[3]) << row[0];
    }

    const SinkStats& s = run.stats;
    EXPECT_EQ(s.consumed, uint64_t{kEvents});
    EXPECT_EQ(s.rows_written, uint64_t{kEvents});
    EXPECT_EQ(s.files_written, files.size());
    EXPECT_EQ(s.dead_letters, 0u);
    EXPECT_EQ(s.recovered_removed, 0u);
    EXPECT_EQ(s.rows_by_table, (std::map<std::string, uint64_t>{{"quotes", kEvents / 2}, {"trades", kEvents / 2}}));
    expect_clean_and_committed(kPartitions);
}

TEST_F(SinkRunnerTest, PoisonMessagesGoToDeadLettersAndGoodRowsAllLand) {
    constexpr int kPartitions = 2;
    constexpr int kGood = 100;
    kafka_.create_topic(topic_, kPartitions);
    const std::string binary("\xff\xfe\x00\x01", 4);
    const std::vector<std::string> poison = {"not json at all", "{\"v\":1,\"type\":\"trade\",\"id\":\"missing-fields\"}",
                                             binary, "{\"v\":1,\"type\":\"quote\",\"symbol\":\"X\"}"};
    std::vector<WireMessage> msgs = wire(two_day_events(kGood));
    // Mixed in among the good ones, with keys that spread them over partitions.
    for (size_t i = 0; i < poison.size(); ++i) {
        msgs.insert(msgs.begin() + static_cast<long>(10 + 20 * i), WireMessage{"bad-" + std::to_string(i), poison[i], "trade"});
    }
    produce_all(kafka_.client_config(), topic_, msgs);

    LocalObjectStore store(dir_.path());
    metrics::Registry registry;
    SinkProbe probe(registry);
    auto run = run_sink(sink_options(kafka_.client_config(), topic_, group_, dir_.path()), store,
                        std::chrono::seconds(40), &probe);
    ASSERT_TRUE(run.status) << run.status.error().message;

    EXPECT_EQ(run.stats.dead_letters, poison.size());
    EXPECT_EQ(run.stats.consumed, msgs.size());
    EXPECT_EQ(run.stats.rows_written, uint64_t{kGood});
    // The probe's counters are the stats; every partition's lag is 0 once all is committed;
    // the member left the group at close, so it is not ready any more.
    const std::string text = registry.render();
    for (const std::string& line : std::vector<std::string>{
             fmt::format("ticklake_sink_messages_consumed_total {}\n", msgs.size()),
             fmt::format("ticklake_sink_dead_letters_total{{reason=\"malformed_event\"}} {}\n", poison.size()),
             fmt::format("ticklake_sink_batches_committed_total {}\n", run.stats.batches_committed),
             fmt::format("ticklake_sink_commit_duration_seconds_count {}\n", run.stats.batches_committed),
             std::string("ticklake_sink_buffered_rows 0\n"),
         }) {
        EXPECT_NE(text.find(line), std::string::npos) << line << " not in\n" << text;
    }
    uint64_t rows_metric = 0;
    for (const auto& [table, n] : run.stats.rows_by_table) {
        EXPECT_NE(text.find(fmt::format("ticklake_sink_rows_written_total{{table=\"{}\"}} {}\n", table, n)),
                  std::string::npos)
            << table;
        rows_metric += n;
    }
    EXPECT_EQ(rows_metric, uint64_t{kGood});
    EXPECT_EQ(probe.readiness().ready, false);
    EXPECT_EQ(probe.readiness().reason, "the group assigned this member no partition");
    EXPECT_EQ(rows(), kGood);
    EXPECT_EQ(distinct_ids(), kGood);

    const auto dead_files = files_ending(".jsonl");
    ASSERT_FALSE(dead_files.empty());
    const auto ends = kafka_.end_offsets(topic_, kPartitions);
    std::multiset<std::string> values;
    std::set<std::pair<int64_t, int64_t>> positions;
    simdjson::dom::parser parser;
    for (const auto& f : dead_files) {
        EXPECT_TRUE(f.starts_with("market/dead_letters/dt=")) << f;
        std::ifstream in(dir_.path() / f, std::ios::binary);
        for (std::string line; std::getline(in, line);) {
            simdjson::dom::element doc;
            ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
            std::string_view topic;
            std::string_view reason;
            int64_t partition = -1;
            int64_t offset = -1;
            ASSERT_EQ(doc["topic"].get(topic), simdjson::SUCCESS) << line;
            ASSERT_EQ(doc["partition"].get(partition), simdjson::SUCCESS) << line;
            ASSERT_EQ(doc["offset"].get(offset), simdjson::SUCCESS) << line;
            ASSERT_EQ(doc["reason"].get(reason), simdjson::SUCCESS) << line;
            EXPECT_EQ(topic, topic_);
            ASSERT_GE(partition, 0);
            ASSERT_LT(partition, kPartitions);
            EXPECT_GE(offset, 0);
            EXPECT_LT(offset, ends[partition]);
            EXPECT_FALSE(reason.empty()) << line;
            EXPECT_NE(f.find("ticks-p" + std::to_string(partition) + "-o"), std::string::npos) << f;
            positions.insert({partition, offset});
            std::string_view value;
            if (doc["value"].get(value) == simdjson::SUCCESS) {
                values.insert(std::string(value));
            } else {
                std::string_view hex;
                ASSERT_EQ(doc["value_hex"].get(hex), simdjson::SUCCESS) << line;
                EXPECT_EQ(hex, "fffe0001");
                values.insert(binary);
            }
        }
    }
    EXPECT_EQ(positions.size(), poison.size());
    EXPECT_EQ(values, std::multiset<std::string>(poison.begin(), poison.end()));
    expect_clean_and_committed(kPartitions);
}

// The crash window between "some files of a batch are published" and "offset committed",
// opened through the storage seam: publish #7 fails fatally and storage is gone from then
// on (nothing else reaches it, as when the process dies there). One partition, 8 messages
// a batch, each batch 4 files (2 tables x 2 days): batch 1 (offsets 0-7) commits with
// publishes 1-4; batch 2 (offsets 8-15) publishes 2 files, then fails on its third.
TEST_F(SinkRunnerTest, CrashMidBatchIsRecoveredWithoutLossOrDuplicates) {
    constexpr int kEvents = 40;
    produce_two_day_events(1, kEvents);

    {
        FaultyObjectStore faulty(dir_.path(), fatal_at_publish(7), /*dead_after_fatal=*/true);
        auto run = run_in_batches_of_8(faulty);
        ASSERT_FALSE(run.status) << "the run must report the storage failure";
        EXPECT_EQ(run.status.error().kind, ErrorKind::fatal);
        EXPECT_NE(run.status.error().message.find("injected"), std::string::npos) << run.status.error().message;
        EXPECT_EQ(run.stats.batches_committed, 1u);
        EXPECT_EQ(run.stats.rows_written, 8u);
        EXPECT_EQ(faulty.published().size(), 6u);
    }

    // The state a crash leaves: the journal of batch 2, two of its four files visible, and
    // the group's offset still at the end of batch 1.
    LocalObjectStore plain(dir_.path());
    auto content = plain.get_small(journal_key(0));
    ASSERT_TRUE(content && content->has_value()) << "journal of the failed batch is gone";
    auto journal = SinkJournal::from_json(**content);
    ASSERT_TRUE(journal) << journal.error().message;
    EXPECT_EQ(journal->start, Offset(8));
    EXPECT_EQ(journal->end, Offset(15));
    ASSERT_EQ(journal->keys.size(), 4u);
    std::vector<std::string> visible;
    for (const auto& k : journal->keys) {
        if (fs::exists(dir_.path() / k)) {
            visible.push_back(k);
        }
    }
    ASSERT_EQ(visible.size(), 2u);
    EXPECT_EQ(kafka_.committed(group_, topic_, 1), std::vector<int64_t>{8});
    EXPECT_EQ(rows(), 8 + duckdb_int("SELECT count(*) FROM read_parquet('" + (dir_.path() / visible[0]).string() +
                                     "')") +
                          duckdb_int("SELECT count(*) FROM read_parquet('" + (dir_.path() / visible[1]).string() + "')"));

    // Keep the failed batch's visible files aside: what the warehouse would hold if recovery
    // did not remove them.
    TempDir aside;
    for (const auto& k : visible) {
        fs::create_directories((aside.path() / k).parent_path());
        fs::copy_file(dir_.path() / k, aside.path() / k);
    }

    // Restart: another member of the group, healthy storage, other batch boundaries and
    // month partitions, so the redone batch's files get other names than the failed ones.
    // The tables' kept grain is day; month is forced by rewriting it, as an operator could.
    SinkOptions o = sink_options(kafka_.client_config(), topic_, group_, dir_.path());
    o.rotate_rows = 5;
    o.time_partition = TimePartition::month;
    for (const char* table : {"trades", "quotes"}) {
        ASSERT_TRUE(plain.put_small(table_time_partition_key("market", table),
                                    TableTimePartition{TimePartition::month, "explicit", {}}.to_json()));
    }
    auto run = run_sink(o, plain);
    ASSERT_TRUE(run.status) << run.status.error().message;
    // Counts journal keys, whether or not the file had been published: between the two.
    // Files that existed, published or still staged (.tmp), not the keys that were planned.
    EXPECT_GE(run.stats.recovered_removed, visible.size());
    EXPECT_LT(run.stats.recovered_removed, journal->keys.size());
    EXPECT_EQ(run.stats.consumed, uint64_t{kEvents - 8});
    EXPECT_EQ(run.stats.rows_written, uint64_t{kEvents - 8});

    for (const auto& k : journal->keys) {
        EXPECT_FALSE(fs::exists(dir_.path() / k)) << "file of the uncommitted batch survived: " << k;
    }
    EXPECT_EQ(rows(), kEvents);
    EXPECT_EQ(distinct_ids(), kEvents);
    EXPECT_FALSE(files_ending(".parquet").empty());
    for (const auto& f : files_ending(".parquet")) {
        EXPECT_TRUE(f.find("/dt=") != std::string::npos || f.find("/month=2025-01/") != std::string::npos) << f;
    }
    expect_clean_and_committed(1);

    // Without recovery the old files would still be there, next to new ones with other names
    // holding the same events: duplicates.
    const std::string both = "['" + parquet_glob() + "', '" + (aside.path() / "market/*/*/*.parquet").string() + "']";
    const int64_t union_rows = duckdb_int("SELECT count(*) FROM read_parquet(" + both + ")");
    const int64_t union_ids = duckdb_int("SELECT count(DISTINCT id) FROM read_parquet(" + both + ")");
    EXPECT_EQ(union_ids, kEvents);
    EXPECT_GT(union_rows, union_ids) << "the failed batch's files hold no id that the redo wrote again";
    for (const auto& k : visible) {
        EXPECT_FALSE(fs::exists(dir_.path() / k)) << "the redo reused the name " << k;
    }
}

// Regression: after run() failed on a storage error, closing the consumer (as `ticklake sink`
// does) ran on_revoke, which wrote the partition's next batch and committed past the failed
// one: its journal was overwritten, offsets 8-15 lost (36 rows of 40 after a restart). Storage
// works again after the one failed publish here (say one folder was not writable).
TEST_F(SinkRunnerTest, FailedRunThenCloseDoesNotCommitPastTheFailedBatch) {
    constexpr int kEvents = 40;
    produce_two_day_events(1, kEvents);
    {
        FaultyObjectStore faulty(dir_.path(), fatal_at_publish(7), /*dead_after_fatal=*/false);
        auto run = run_in_batches_of_8(faulty);
        ASSERT_FALSE(run.status);
    }
    LocalObjectStore plain(dir_.path());
    auto content = plain.get_small(journal_key(0));
    ASSERT_TRUE(content);
    EXPECT_TRUE(content->has_value()) << "the failed batch's journal was overwritten and removed";
    EXPECT_EQ(kafka_.committed(group_, topic_, 1), std::vector<int64_t>{8})
        << "the group's offset moved past the batch whose write failed";

    auto run = run_sink(sink_options(kafka_.client_config(), topic_, group_, dir_.path()), plain);
    ASSERT_TRUE(run.status) << run.status.error().message;
    EXPECT_EQ(rows(), kEvents);
    EXPECT_EQ(distinct_ids(), kEvents);
}

TEST_F(SinkRunnerTest, TransientPublishErrorsAreRetried) {
    constexpr int kPartitions = 2;
    constexpr int kEvents = 60;
    produce_two_day_events(kPartitions, kEvents);

    FaultyObjectStore faulty(dir_.path(), retry_first_publishes(2, "busy"), /*dead_after_fatal=*/false);
    auto run = run_sink(sink_options(kafka_.client_config(), topic_, group_, dir_.path()), faulty);
    ASSERT_TRUE(run.status) << run.status.error().message;

    const auto files = files_ending(".parquet");
    EXPECT_EQ(faulty.publish_calls(), static_cast<int>(faulty.published().size()) + 2);
    EXPECT_GE(faulty.published().size(), files.size());
    EXPECT_EQ(run.stats.files_written, files.size());
    EXPECT_EQ(run.stats.rows_written, uint64_t{kEvents});
    EXPECT_EQ(run.stats.recovered_removed, 0u);
    expect_each_event_once(kEvents, kPartitions);
}

TEST_F(SinkRunnerTest, AStorageOutageIsRiddenOutWithBackoff) {
    constexpr int kPartitions = 1;
    constexpr int kEvents = 40;
    produce_two_day_events(kPartitions, kEvents);

    // Five failed attempts in a row (more than a fixed small retry count would allow).
    FaultyObjectStore faulty(dir_.path(), retry_first_publishes(5, "store unreachable"), /*dead_after_fatal=*/false);
    auto run = run_sink(sink_options(kafka_.client_config(), topic_, group_, dir_.path()), faulty,
                        std::chrono::seconds(60));
    ASSERT_TRUE(run.status) << run.status.error().message;
    expect_each_event_once(kEvents, kPartitions);
}

TEST_F(SinkRunnerTest, AnOutageLongerThanTheRetryBudgetFailsWithoutCommitting) {
    constexpr int kPartitions = 1;
    constexpr int kEvents = 20;
    produce_two_day_events(kPartitions, kEvents);

    FaultyObjectStore faulty(
        dir_.path(),
        [](int, std::string_view) -> std::optional<Error> { return Error::retry("injected: store unreachable"); },
        /*dead_after_fatal=*/false);
    SinkOptions o = sink_options(kafka_.client_config(), topic_, group_, dir_.path());
    o.storage_retry_s = 2;
    auto run = run_sink(o, faulty);
    ASSERT_FALSE(run.status);
    EXPECT_NE(run.status.error().message.find("nothing was committed"), std::string::npos) << run.status.error().message;
    EXPECT_GE(faulty.publish_calls(), 3);
    EXPECT_TRUE(faulty.published().empty());
    // Nothing of the batch may be committed while storage is down. The writer may confirm its
    // membership meanwhile (a commit of the batch's first offset, 0 here: it covers nothing).
    const auto committed = kafka_.committed(group_, topic_, 1);
    ASSERT_EQ(committed.size(), 1u);
    EXPECT_LE(committed[0], 0) << "nothing may be committed while storage is down";
}

TEST_F(SinkRunnerTest, RotateRowsSplitsEachPartitionIntoBatches) {
    constexpr int kPartitions = 2;
    constexpr int kEvents = 100;
    constexpr size_t kRotate = 7;
    produce_two_day_events(kPartitions, kEvents);

    SinkOptions o = sink_options(kafka_.client_config(), topic_, group_, dir_.path());
    o.rotate_rows = kRotate;
    LocalObjectStore store(dir_.path());
    auto run = run_sink(o, store);
    ASSERT_TRUE(run.status) << run.status.error().message;

    uint64_t expected_batches = 0;
    for (int64_t n : kafka_.end_offsets(topic_, kPartitions)) {
        expected_batches += static_cast<uint64_t>((n + kRotate - 1) / kRotate);
    }
    EXPECT_GE(expected_batches, 14u);
    EXPECT_EQ(run.stats.batches_committed, expected_batches);
    const auto per_file = duckdb_rows("SELECT filename, count(*) FROM read_parquet('" + parquet_glob() +
                                      "', filename=true) GROUP BY filename");
    EXPECT_EQ(per_file.size(), files_ending(".parquet").size());
    EXPECT_EQ(run.stats.files_written, per_file.size());
    for (const auto& row : per_file) {
        EXPECT_LE(std::stoull(row[1]), kRotate) << row[0];
    }
    expect_each_event_once(kEvents, kPartitions);
}

TEST_F(SinkRunnerTest, RotateEventTimeCutsBatchesBySpanOfEventTimes) {
    constexpr int kEvents = 55;
    kafka_.create_topic(topic_, 1);
    std::vector<Event> events;
    for (int i = 0; i < kEvents; ++i) {
        events.push_back(make_event(i, EventType::trade, kDay1, int64_t{i} * 60 * kMicrosPerSecond)); // one a minute
    }
    produce_all(kafka_.client_config(), topic_, wire(events));

    SinkOptions o = sink_options(kafka_.client_config(), topic_, group_, dir_.path());
    o.rotate_event_time_us = 10 * 60 * kMicrosPerSecond; // a batch closes once it spans 10 minutes: 11 events
    LocalObjectStore store(dir_.path());
    auto run = run_sink(o, store);
    ASSERT_TRUE(run.status) << run.status.error().message;

    EXPECT_EQ(run.stats.batches_committed, 5u);
    const auto per_file = duckdb_rows("SELECT filename, count(*), epoch_us(max(ts)) - epoch_us(min(ts)) FROM read_parquet('" +
                                      parquet_glob() + "', filename=true) GROUP BY filename ORDER BY filename");
    ASSERT_EQ(per_file.size(), 5u);
    for (const auto& row : per_file) {
        EXPECT_EQ(row[1], "11") << row[0];
        EXPECT_EQ(std::stoll(row[2]), 10 * 60 * kMicrosPerSecond) << row[0];
    }
    EXPECT_EQ(rows(), kEvents);
    expect_clean_and_committed(1);
}

// --time-partition auto: two days of a few rows per partition are too sparse for any grain, so
// the table gets one folder (none), with `dt` as a column; the choice is kept, and an explicit
// grain that differs is refused before anything is written.
TEST_F(SinkRunnerTest, AutoChoosesAGrainAtTheFirstFlushKeepsItAndWritesDtAsAColumn) {
    kafka_.create_topic(topic_, 2);
    std::vector<Event> events;
    int first_day = 0;
    for (int i = 0; i < 120; ++i) { // trades and quotes on three days: a span of two days and more
        const int day = (i / 2) % 3;
        first_day += day == 0;
        events.push_back(make_event(i, i % 2 == 0 ? EventType::trade : EventType::quote, kDay1 + day, int64_t{i} * 1000));
    }
    produce_all(kafka_.client_config(), topic_, wire(events));
    SinkOptions o = sink_options(kafka_.client_config(), topic_, group_, dir_.path());
    o.time_partition = TimePartition::automatic;
    LocalObjectStore store(dir_.path());
    auto run = run_sink(o, store);
    ASSERT_TRUE(run.status) << run.status.error().message;
    EXPECT_EQ(run.stats.time_partition_by_table,
              (std::map<std::string, std::string>{{"quotes", "none"}, {"trades", "none"}}));
    const std::regex shape(R"(market/(trades|quotes)/ticks-p[01]-o\d{20}\.parquet)");
    for (const auto& f : files_ending(".parquet")) {
        EXPECT_TRUE(std::regex_match(f, shape)) << f;
    }
    const std::string all = (dir_.path() / "market/*/*.parquet").string();
    EXPECT_EQ(duckdb_int("SELECT count(*) FROM read_parquet('" + all + "')"), 120);
    EXPECT_EQ(duckdb_int("SELECT count(*) FROM read_parquet('" + all + "') WHERE dt = DATE '2025-01-06'"), first_day);
    EXPECT_EQ(duckdb_int("SELECT count(*) FROM read_parquet('" + all + "') WHERE dt <> CAST(ts AS DATE)"), 0);
    auto kept = store.get_small(table_time_partition_key("market", "trades"));
    ASSERT_TRUE(kept && kept->has_value());
    auto state = TableTimePartition::from_json(**kept);
    ASSERT_TRUE(state);
    EXPECT_EQ(state->grain, TimePartition::none);
    EXPECT_EQ(state->chosen_by, "auto");
    EXPECT_GT(state->sample.rows, 0u); // what one Kafka partition held of the table
    expect_clean_and_committed(2);

    produce_all(kafka_.client_config(), topic_, wire(two_day_events(10, 1000)));
    o.time_partition = TimePartition::day;
    auto refused = run_sink(o, store);
    ASSERT_FALSE(refused.status);
    EXPECT_NE(refused.status.error().message.find("table market."), std::string::npos);
    EXPECT_NE(refused.status.error().message.find("is partitioned by none (chosen by auto)"), std::string::npos)
        << refused.status.error().message;
    EXPECT_NE(refused.status.error().message.find("pass --time-partition none"), std::string::npos);
    for (const auto& f : files_ending(".parquet")) {
        EXPECT_EQ(f.find("dt="), std::string::npos) << f;
    }
    EXPECT_EQ(duckdb_int("SELECT count(*) FROM read_parquet('" + all + "')"), 120);
}

// A sparse sample within a day keeps the day grain; rows that cross midnight are cut into one
// file per day from the one buffer that held them before the grain was known.
TEST_F(SinkRunnerTest, AutoCutsTheFirstBufferIntoOneFilePerPeriod) {
    kafka_.create_topic(topic_, 1);
    std::vector<Event> events;
    for (int i = 0; i < 120; ++i) { // one a minute from 23:00: 60 on each side of midnight
        events.push_back(make_event(i, EventType::trade, kDay1, (23 * 60 + int64_t{i}) * 60 * kMicrosPerSecond));
    }
    produce_all(kafka_.client_config(), topic_, wire(events));
    SinkOptions o = sink_options(kafka_.client_config(), topic_, group_, dir_.path());
    o.time_partition = TimePartition::automatic;
    LocalObjectStore store(dir_.path());
    auto run = run_sink(o, store);
    ASSERT_TRUE(run.status) << run.status.error().message;
    EXPECT_EQ(run.stats.time_partition_by_table, (std::map<std::string, std::string>{{"trades", "day"}}));
    EXPECT_EQ(run.stats.files_written, 2u);
    const auto files = files_ending(".parquet");
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0], "market/trades/dt=2025-01-06/ticks-p0-o00000000000000000000.parquet");
    EXPECT_EQ(files[1], "market/trades/dt=2025-01-07/ticks-p0-o00000000000000000000.parquet");
    const auto per_day = duckdb_rows("SELECT dt, count(*), count(*) FILTER (WHERE CAST(ts AS DATE) = dt) FROM "
                                     "read_parquet('" + parquet_glob() + "', hive_partitioning = true) "
                                     "GROUP BY dt ORDER BY dt");
    ASSERT_EQ(per_day.size(), 2u);
    EXPECT_EQ(per_day[0], (std::vector<std::string>{"2025-01-06", "60", "60"}));
    EXPECT_EQ(per_day[1], (std::vector<std::string>{"2025-01-07", "60", "60"}));
    expect_clean_and_committed(1);
}

// Two members of one group on two threads, the second joining while the first consumes:
// the first is revoked mid-stream (flush + commit in the revoke callback, or, where that
// commit fails, the next owner's recovery), and the warehouse still holds every event once.
TEST_F(SinkRunnerTest, TwoMembersWithARebalanceMidStreamWriteEveryEventOnce) {
    constexpr int kPartitions = 4;
    kafka_.create_topic(topic_, kPartitions);
    const KafkaClientConfig config = kafka_.client_config();

    SinkRun a;
    SinkRun b;
    SinkOptions oa = sink_options(config, topic_, group_, dir_.path());
    oa.until_idle_s = 2.0; // outlives b, so b's exit (and the rebalance it causes) comes first
    SinkOptions ob = oa;
    ob.until_idle_s = 0.5;
    LocalObjectStore store_a(dir_.path());
    LocalObjectStore store_b(dir_.path());

    auto producer = KafkaProducer::create(config, ProducerOptions{.linger_ms = 1});
    ASSERT_TRUE(producer) << producer.error().message;
    int produced = 0;
    auto produce_chunk = [&] {
        for (int i = 0; i < 10; ++i, ++produced) {
            const auto m = to_wire(make_event(produced, produced % 2 ? EventType::quote : EventType::trade,
                                              kDay1 + produced % 2, int64_t{produced} * 1000));
            ASSERT_TRUE((*producer)->produce(Topic(topic_), m.key, m.value, m.type));
        }
        (*producer)->poll(0);
    };

    const auto t0 = std::chrono::steady_clock::now();
    std::thread ta([&] { a = run_sink(oa, store_a); });
    std::thread tb;
    // a joins alone (the mock's first join takes 3 s); b joins at 4 s, a rebalance while
    // messages keep coming until 6 s.
    while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(6)) {
        produce_chunk();
        if (!tb.joinable() && std::chrono::steady_clock::now() - t0 >= std::chrono::seconds(4)) {
            tb = std::thread([&] { b = run_sink(ob, store_b); });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE((*producer)->flush(std::chrono::seconds(10)));
    EXPECT_EQ((*producer)->stats().delivered, static_cast<uint64_t>(produced));
    ta.join();
    tb.join();

    ASSERT_TRUE(a.status) << a.status.error().message;
    ASSERT_TRUE(b.status) << b.status.error().message;
    EXPECT_GT(a.stats.consumed, 0u);
    EXPECT_GT(b.stats.consumed, 0u) << "the second member never owned a partition";
    EXPECT_GE(a.stats.consumed + b.stats.consumed, static_cast<uint64_t>(produced));
    EXPECT_EQ(rows(), produced);
    EXPECT_EQ(distinct_ids(), produced);
    expect_clean_and_committed(kPartitions);
    std::fprintf(stderr, "two members: %d events; a consumed %llu (recovered %llu), b consumed %llu (recovered %llu)\n",
                 produced, static_cast<unsigned long long>(a.stats.consumed),
                 static_cast<unsigned long long>(a.stats.recovered_removed),
                 static_cast<unsigned long long>(b.stats.consumed),
                 static_cast<unsigned long long>(b.stats.recovered_removed));
}

// Registration on write hangs on this: each committed batch's data files, once each, named as
// they are in the warehouse, and present when the callback runs.
TEST_F(SinkRunnerTest, OnCommittedNamesEveryWrittenFileOnceAfterItIsDurable) {
    constexpr int kPartitions = 2;
    constexpr int kEvents = 60;
    produce_two_day_events(kPartitions, kEvents);

    SinkOptions o = sink_options(kafka_.client_config(), topic_, group_, dir_.path());
    o.rotate_rows = 9;
    std::vector<std::string> named;
    size_t calls = 0;
    bool all_present = true;
    o.on_committed = [&](const std::vector<std::string>& keys) {
        ++calls;
        for (const auto& k : keys) {
            all_present = all_present && std::filesystem::exists(dir_.path() / k);
            named.push_back(k);
        }
    };
    LocalObjectStore store(dir_.path());
    auto run = run_sink(o, store);
    ASSERT_TRUE(run.status) << run.status.error().message;
    EXPECT_EQ(calls, run.stats.batches_committed);
    EXPECT_TRUE(all_present);
    std::sort(named.begin(), named.end());
    EXPECT_TRUE(std::adjacent_find(named.begin(), named.end()) == named.end()) << "a key named twice";
    auto written = files_ending(".parquet");
    std::sort(written.begin(), written.end());
    EXPECT_EQ(named, written);
}


namespace {

// Plain JSON messages no ticklake producer wrote: ids "<prefix><i>", an integer price, a day.
std::vector<WireMessage> plain_json(const std::string& prefix, int n) {
    std::vector<WireMessage> out;
    for (int i = 0; i < n; ++i) {
        // fmt, not "literal" + std::string: GCC 12 at -O3 warns falsely about the latter.
        out.push_back({fmt::format("k{}", i % 3),
                       fmt::format(R"({{"id":"{}{}","Date":"2025-01-0{}","px":{}}})", prefix, i, 6 + i % 2, i), ""});
    }
    return out;
}

TEST_F(SinkRunnerTest, TwoJsonTopicsLandInATableEachWithTypesKeptAcrossBatches) {
    const std::string a = topic_ + "-a";
    const std::string b = topic_ + "-b";
    kafka_.create_topic(a, 2);
    kafka_.create_topic(b, 1);
    produce_all(kafka_.client_config(), a, plain_json("a", 90));
    produce_all(kafka_.client_config(), b, plain_json("b", 40)); // integers: only the seed makes them doubles

    LocalObjectStore store(dir_.path());
    SinkOptions o = sink_options(kafka_.client_config(), a, group_, dir_.path());
    o.topics = {a, b};
    o.rotate_rows = 10; // many batches: the table's schema must hold across them
    // The catalog says b's px is a double already: integers arriving later stay doubles.
    o.existing_columns = [&](const std::string& database, const std::string& table)
        -> std::optional<std::vector<std::pair<std::string, std::string>>> {
        EXPECT_EQ(database, "market");
        if (table == safe_table_name(b, "")) {
            return std::vector<std::pair<std::string, std::string>>{{"px", "double"}};
        }
        return std::nullopt;
    };
    auto run = run_sink(o, store);
    ASSERT_TRUE(run.status) << run.status.error().message;
    const std::string ta = safe_table_name(a, "");
    const std::string tb = safe_table_name(b, "");
    EXPECT_EQ(run.stats.rows_by_table, (std::map<std::string, uint64_t>{{ta, 90}, {tb, 40}}));
    EXPECT_EQ(run.stats.dead_letters, 0u);
    auto glob = [&](const std::string& t) { return (dir_.path() / "market" / t / "*" / "*.parquet").string(); };
    EXPECT_EQ(duckdb_int("SELECT count(DISTINCT id) FROM read_parquet('" + glob(ta) + "')"), 90);
    EXPECT_EQ(duckdb_int("SELECT count(DISTINCT id) FROM read_parquet('" + glob(tb) + "')"), 40);
    // Every file of a agrees on the types (bigint px, date Date); b's px is a double in all.
    for (const auto& [table, want] : {std::pair{ta, "BIGINT"}, std::pair{tb, "DOUBLE"}}) {
        for (const auto& row : duckdb_rows("SELECT DISTINCT typeof(px), typeof(\"Date\") FROM read_parquet('" +
                                           glob(table) + "', union_by_name = false)")) {
            EXPECT_EQ(row[0], want) << table;
            EXPECT_EQ(row[1], "DATE") << table;
        }
    }
    // Each row under the day of its Date (the detected time field).
    EXPECT_EQ(duckdb_int("SELECT count(*) FROM read_parquet('" + glob(ta) +
                         "', filename = true) WHERE filename NOT LIKE '%dt=' || strftime(\"Date\", '%Y-%m-%d') || '/%'"),
              0);
    // How each topic is read is kept beside the journals.
    auto state = store.get_small(topic_state_key(group_, Topic(a)));
    ASSERT_TRUE(state && state->has_value());
    EXPECT_NE((*state)->find("\"value_format\":\"json\""), std::string::npos) << **state;
    EXPECT_NE((*state)->find("\"time_field\":\"Date\""), std::string::npos) << **state;
}

TEST_F(SinkRunnerTest, AutoKeepsItsFirstDecisionForATopic) {
    kafka_.create_topic(topic_, 1);
    auto events = wire(two_day_events(20));
    // A message without ticklake's header in a topic of ticklake events is still read as an
    // event (decided once, not per message); it is no event, so it is a dead letter.
    events.push_back({"X", R"({"id":"plain","px":1})", ""});
    produce_all(kafka_.client_config(), topic_, events);
    LocalObjectStore store(dir_.path());
    auto run = run_sink(sink_options(kafka_.client_config(), topic_, group_, dir_.path()), store);
    ASSERT_TRUE(run.status) << run.status.error().message;
    EXPECT_EQ(run.stats.rows_written, 20u);
    EXPECT_EQ(run.stats.dead_letters, 1u);
    auto state = store.get_small(topic_state_key(group_, Topic(topic_)));
    ASSERT_TRUE(state && state->has_value());
    EXPECT_NE((*state)->find("\"value_format\":\"ticklake\""), std::string::npos) << **state;
}

} // namespace

} // namespace ticklake
