// The produce pump over librdkafka's mock cluster: what a source emits arrives keyed by symbol
// with its type header, the report counts it, and configuration errors come before any
// broker is asked. Topic creation (the Admin API, which the mock does not answer) is covered
// by tests/integration/test_produce.py.
#include "produce/produce_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "common/event_json.h"
#include "kafka/tests/mock_cluster.h"
#include "common/tests/temp_dir.h"

namespace ticklake {
namespace {

using namespace std::chrono_literals;

//! Emits `count` trades over three symbols in batches of at most 4, and reports two bad rows.
class FakeSource final : public MarketDataSource {
public:
    explicit FakeSource(int count) : count_(count) {}
    Result<size_t> next_batch(std::vector<Event>& out, size_t max_events) override {
        size_t n = 0;
        for (; n < std::min<size_t>(max_events, 4) && next_ < count_; ++n, ++next_) {
            Event e;
            e.type = EventType::trade;
            e.id = "fake-" + std::to_string(next_);
            e.symbol = kSymbols[next_ % 3];
            e.ts = 1'736'173'800'000'000 + next_;
            e.source = "fake";
            e.body = Trade{100.0 + next_, 1, "X", ""};
            out.push_back(std::move(e));
        }
        return n;
    }
    bool done() const override { return next_ >= count_; }
    uint64_t skipped() const override { return 2; }
    std::vector<std::string> first_errors() const override { return {"line 3: bad", "line 9: bad"}; }
    std::string summary() const override { return "fake: 2 rows skipped"; }
    std::vector<std::pair<std::string, uint64_t>> counters() const override { return {{"gaps", 1}}; }
    std::string describe() const override { return "fake source"; }

    static constexpr const char* kSymbols[] = {"AAPL", "MSFT", "SPY"};

private:
    int count_;
    int next_ = 0;
};

struct Fixture {
    testing::MockCluster cluster{1};
    ProduceOptions options;

    Fixture() {
        cluster.create_topic("ticks", 3);
        options.kafka = cluster.config();
        options.topic = "ticks";
    }
    ProducePipeline pipeline(SelectedSource source) {
        auto producer = KafkaProducer::create(options.kafka, options.producer);
        EXPECT_TRUE(producer) << producer.error().message;
        return ProducePipeline(options, std::move(source), std::move(*producer));
    }
};

SelectedSource fake_source(int count) {
    SelectedSource s;
    s.events = std::make_unique<FakeSource>(count);
    return s;
}

TEST(ProduceOptions, PacingIsARateOrASpeed) {
    ProduceOptions o;
    EXPECT_TRUE(validate_produce_options(o));
    o.pacing.rate = -1;
    EXPECT_EQ(validate_produce_options(o).error().message, "--rate and --speed must be positive");
    o.pacing.rate = 10;
    o.pacing.speed = 2;
    EXPECT_EQ(validate_produce_options(o).error().message, "give --rate or --speed, not both");
}

TEST(ProducePipelineOpen, ConfigurationErrorsComeBeforeTheBroker) {
    ProduceOptions o;
    o.kafka.brokers = "127.0.0.1:" + std::to_string(testing::closed_local_port());
    o.topic = "t";
    o.pacing.speed = -2;
    auto p = ProducePipeline::open(o);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().kind, ErrorKind::invalid_argument);
    o.pacing.speed = 0;
    o.source.name = "csv";
    p = ProducePipeline::open(o);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().message, "--source csv needs --file PATH");
}

TEST(ProducePipelineOpen, AnUnreachableBrokerIsNamed) {
    ProduceOptions o;
    o.kafka.brokers = "127.0.0.1:" + std::to_string(testing::closed_local_port());
    o.topic = "t";
    o.source.sim.count = 10;
    auto p = ProducePipeline::open(o);
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().message.find(o.kafka.brokers), std::string::npos) << p.error().message;
}

TEST(ProducePipeline, EventsArriveKeyedBySymbolWithTheirTypeAndAreCounted) {
    Fixture fx;
    ProducePipeline pipeline = fx.pipeline(fake_source(50));
    EXPECT_EQ(pipeline.describe(), "fake source -> topic ticks at " + fx.options.kafka.brokers);
    std::atomic<bool> stop{false};
    const ProduceReport r = pipeline.run(stop);
    ASSERT_TRUE(r.outcome()) << r.outcome().error().message;
    EXPECT_EQ(r.stats.enqueued, 50u);
    EXPECT_EQ(r.stats.delivered, 50u);
    EXPECT_EQ(r.skipped, 2u);
    const auto lines = r.lines();
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_TRUE(lines[0].starts_with("delivered 50 of 50 events to ticks in ")) << lines[0];
    EXPECT_TRUE(lines[0].ends_with("; 0 failed, 2 input rows skipped")) << lines[0];
    EXPECT_EQ(lines[1], "  skipped line 3: bad");
    EXPECT_EQ(lines[3], "fake: 2 rows skipped");
    EXPECT_TRUE(r.summary_json().starts_with(R"({"enqueued":50,"delivered":50,"failed":0,"skipped":2,"seconds":)"));
    EXPECT_TRUE(r.summary_json().ends_with(",\"source\":{\"gaps\":1}}\n")) << r.summary_json();
    EXPECT_GT(r.cpu_seconds, 0.0); // a run that sent 50 events has used some CPU
    EXPECT_NE(r.summary_json().find(fmt::format("\"cpu_s\":{:.3f},", r.cpu_seconds)), std::string::npos);

    const auto got = testing::read_topic(fx.options.kafka.brokers, "ticks", 3, 10s);
    ASSERT_EQ(got.size(), 50u);
    std::map<std::string, std::set<int32_t>> partitions_of;
    for (const auto& m : got) {
        EXPECT_NE(m.value.find("\"symbol\":\"" + m.key + "\""), std::string::npos) << m.value;
        EXPECT_EQ(m.type_header, "trade");
        partitions_of[m.key].insert(m.partition);
    }
    EXPECT_EQ(partitions_of.size(), 3u);
    for (const auto& [symbol, parts] : partitions_of) {
        EXPECT_EQ(parts.size(), 1u) << symbol << " spans partitions";
    }
}

//! FakeSource whose events are made up (as the simulator's): all of a batch get one recv_ts,
//! the moment the batch was made.
class InventingSource final : public MarketDataSource {
public:
    InventingSource(int count, bool invents) : inner_(count), invents_(invents) {}
    Result<size_t> next_batch(std::vector<Event>& out, size_t max_events) override {
        const size_t first = out.size();
        auto n = inner_.next_batch(out, max_events);
        for (size_t i = first; i < out.size(); ++i) {
            out[i].recv_ts = kMadeAt;
        }
        return n;
    }
    bool done() const override { return inner_.done(); }
    std::string describe() const override { return "inventing source"; }
    bool invents_events() const override { return invents_; }
    static constexpr TimestampUs kMadeAt = 1'736'173'800'000'000;

private:
    FakeSource inner_;
    bool invents_;
};

std::vector<TimestampUs> recv_times(const std::string& brokers) {
    std::vector<std::pair<int64_t, TimestampUs>> by_ts;
    EventParser parser;
    for (const auto& m : testing::read_topic(brokers, "ticks", 3, 10s)) {
        auto e = parser.parse(m.value);
        EXPECT_TRUE(e) << m.value;
        if (e) {
            by_ts.emplace_back(e->ts, e->recv_ts);
        }
    }
    std::sort(by_ts.begin(), by_ts.end()); // ts follows the order of emission
    std::vector<TimestampUs> out;
    for (const auto& p : by_ts) {
        out.push_back(p.second);
    }
    return out;
}

// A paced run of made-up events stamps each one's recv_ts when it goes out: at 100 events/s,
// 12 events span ~110 ms, where the batch that made them had one time for all.
TEST(ProducePipeline, PacedInventedEventsAreStampedWhenSent) {
    Fixture fx;
    fx.options.pacing.rate = 100;
    fx.options.pacing.burst = 1;
    SelectedSource s;
    s.events = std::make_unique<InventingSource>(12, true);
    std::atomic<bool> stop{false};
    const TimestampUs before = now_us();
    ASSERT_TRUE(fx.pipeline(std::move(s)).run(stop).outcome());
    const auto recv = recv_times(fx.options.kafka.brokers);
    ASSERT_EQ(recv.size(), 12u);
    EXPECT_GE(recv.front(), before);
    EXPECT_TRUE(std::is_sorted(recv.begin(), recv.end()));
    EXPECT_GE(recv.back() - recv.front(), 80'000) << "the last went out ~110 ms after the first";
}

TEST(ProducePipeline, PacedRealEventsKeepTheirRecvTs) {
    Fixture fx;
    fx.options.pacing.rate = 100;
    SelectedSource s;
    s.events = std::make_unique<InventingSource>(6, false);
    std::atomic<bool> stop{false};
    ASSERT_TRUE(fx.pipeline(std::move(s)).run(stop).outcome());
    const auto recv = recv_times(fx.options.kafka.brokers);
    ASSERT_EQ(recv.size(), 6u);
    for (TimestampUs t : recv) {
        EXPECT_EQ(t, InventingSource::kMadeAt) << "a feed's own receive time stays";
    }
}

TEST(ProducePipeline, WireFormatLinesGoOutByteForByte) {
    Fixture fx;
    testing::TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string line =
        R"({"type":"quote","id":"q1","ts":"2025-01-06T15:00:00Z","symbol":"NVDA","bid":1,"bid_size":2,"ask":3,"ask_size":4})";
    SourceSpec spec;
    spec.name = "jsonl";
    spec.file = dir.write("wire.jsonl", line + "\n{\"no\":1}\n" + line + "\n");
    auto source = open_source(spec);
    ASSERT_TRUE(source) << source.error().message;
    std::atomic<bool> stop{false};
    const ProduceReport r = fx.pipeline(std::move(*source)).run(stop);
    ASSERT_TRUE(r.outcome()) << r.outcome().error().message;
    EXPECT_EQ(r.stats.delivered, 2u);
    EXPECT_EQ(r.skipped, 1u);
    EXPECT_EQ(r.summary_json().find("\"source\""), std::string::npos);
    const auto got = testing::read_topic(fx.options.kafka.brokers, "ticks", 3, 10s);
    ASSERT_EQ(got.size(), 2u);
    for (const auto& m : got) {
        EXPECT_EQ(m.value, line);
        EXPECT_EQ(m.key, "NVDA");
        EXPECT_EQ(m.type_header, "quote");
    }
}

TEST(ProducePipeline, AStopRequestEndsTheRunAndStillReports) {
    Fixture fx;
    std::atomic<bool> stop{true};
    const ProduceReport r = fx.pipeline(fake_source(1000)).run(stop);
    EXPECT_TRUE(r.outcome());
    EXPECT_EQ(r.stats.enqueued, 0u);
    EXPECT_TRUE(r.lines()[0].starts_with("delivered 0 of 0 events")) << r.lines()[0];
}

TEST(ProduceReport, UndeliveredEventsAreARetryableFailure) {
    ProduceReport r;
    r.stats.failed = 3;
    r.stats.first_error = "Broker: Message size too large";
    ASSERT_FALSE(r.outcome());
    EXPECT_EQ(r.outcome().error().kind, ErrorKind::retry);
    EXPECT_EQ(r.outcome().error().message, "3 events were not delivered (first error: Broker: Message size too large)");
    r.pumped = fail(Error::fatal("source broke"));
    EXPECT_EQ(r.outcome().error().message, "source broke");
}

TEST(ProduceProgress, StatusLine) {
    ProduceProgress p{ProducerStats{10, 8, 1, ""}, 2.4, 3};
    EXPECT_EQ(p.line(), "10 sent  8 delivered  2 ev/s  1 failed  3 skipped");
}

} // namespace
} // namespace ticklake
