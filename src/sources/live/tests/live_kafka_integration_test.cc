// A live source into a real Kafka broker (label integration: Java 17+ and the jars of
// `make setup`). The Coinbase recording is replayed across a dropped connection and a
// duplicate burst; the topic must then hold every event of the recording exactly once,
// with the symbol as key.
#include <set>

#include <gtest/gtest.h>

#include "broker/kafka_runtime.h"
#include "broker/local_broker.h"
#include "broker/tests/free_port.h"
#include "broker/tests/temp_dir.h"
#include "common/event_json.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_consumer.h"
#include "kafka/kafka_producer.h"
#include "sources/live/live_stream_source.h"
#include "sources/live/tests/vendor_test_support.h"

namespace ticklake::testing {
namespace {

using namespace std::chrono_literals;

TEST(LiveSourceIntoKafka, CoinbaseRecordingLandsOnceEachAcrossADrop) {
    broker::testing::TempDir dir;
    auto runtime = broker::locate_kafka_runtime();
    ASSERT_TRUE(runtime) << runtime.error().message;
    broker::LocalBrokerOptions bo;
    bo.port = broker::testing::free_port();
    do {
        bo.controller_port = broker::testing::free_port();
    } while (bo.controller_port == bo.port);
    bo.heap_opts = "-Xms128m -Xmx512m";
    broker::LocalBroker local(dir.path() / "kafka");
    struct Stop {
        broker::LocalBroker& b;
        ~Stop() { (void)b.stop(std::chrono::seconds(30)); }
    } stop{local};
    auto started = local.start(bo, *runtime);
    ASSERT_TRUE(started) << started.error().message;
    const KafkaClientConfig kc{started->record.bootstrap, {}};
    ASSERT_TRUE(ensure_topic(kc, "live", 3, 1, 10000ms));

    const auto lines = data_lines("coinbase_exchange_ws_matches_ticker.jsonl");
    WsScript first{WsStep::expect("subscribe")}, second{WsStep::expect("subscribe")};
    for (auto& s : sends(lines, 0, 120)) first.push_back(s);
    first.push_back(WsStep::drop());
    for (auto& s : sends(lines, 100, lines.size())) second.push_back(s);
    ReplayServer server({{first, second}});
    auto o = test_options("coinbase", server.ws_url("/"),
                          {"BAND-BTC", "BAND-GBP", "CRV-EUR", "DASH-BTC", "NMR-EUR", "NU-GBP", "SKL-BTC", "SKL-GBP",
                           "SKL-USD", "YFI-BTC"});
    LiveStreamSource source(o, make_coinbase_protocol(o));

    // The expected ids, from the recording.
    simdjson::dom::parser p;
    std::set<std::string> expected;
    for (const auto& l : lines) {
        auto m = p.parse(l);
        const std::string type(m["type"].get_string().value());
        if (type == "subscriptions") continue;
        const std::string product(m["product_id"].get_string().value());
        expected.insert(type == "ticker" ? "coinbase:" + product + ":q:" + std::to_string(m["sequence"].get_int64().value())
                                         : "coinbase:" + product + ":t:" + std::to_string(m["trade_id"].get_int64().value()));
    }

    auto producer = KafkaProducer::create(kc, {});
    ASSERT_TRUE(producer) << producer.error().message;
    auto d = drain(source, expected.size());
    ASSERT_EQ(d.events.size(), expected.size());
    std::string json;
    for (const Event& e : d.events) {
        json.clear();
        append_event_json(json, e);
        ASSERT_TRUE((*producer)->produce(Topic("live"), e.symbol, json, to_string(e.type)));
    }
    ASSERT_TRUE((*producer)->flush(30s));
    EXPECT_EQ((*producer)->stats().delivered, expected.size());

    auto consumer = KafkaConsumer::create(kc, "live-check");
    ASSERT_TRUE(consumer) << consumer.error().message;
    ASSERT_TRUE((*consumer)->subscribe("live", {}));
    std::multiset<std::string> seen;
    EventParser parser;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (seen.size() < expected.size() && std::chrono::steady_clock::now() < deadline) {
        PollBatch batch;
        ASSERT_TRUE((*consumer)->poll_batch(500, 1000, batch));
        for (const auto& m : batch.messages) {
            auto e = parser.parse(m.value());
            ASSERT_TRUE(e) << e.error().message;
            EXPECT_EQ(m.key(), e->symbol);
            seen.insert(e->id);
        }
    }
    EXPECT_EQ(seen.size(), expected.size());
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
    EXPECT_EQ(source.stats().duplicates, 20u);
}

} // namespace
} // namespace ticklake::testing
