// A real single-node broker: Java 17+ and the jars of `make setup` (or KAFKA_HOME).
// Ports are picked free at random and the state dir is temporary, so it runs next to
// a developer's own broker on 9092.
#include "broker/local_broker.h"

#include <gtest/gtest.h>

#include "broker/broker_process.h"
#include "broker/tests/free_port.h"
#include "broker/tests/temp_dir.h"
#include "kafka/kafka_admin.h"

namespace ticklake::broker {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::free_port;
using testing::TempDir;

class LocalBrokerIntegration : public ::testing::Test {
protected:
    void SetUp() override {
        auto found = locate_kafka_runtime();
        ASSERT_TRUE(found) << found.error().message;
        runtime = *found;
        options.port = free_port();
        do {
            options.controller_port = free_port();
        } while (options.controller_port == options.port);
        options.heap_opts = "-Xms128m -Xmx512m";
    }
    void TearDown() override {
        // Never leave a JVM behind, whatever failed.
        (void)LocalBroker(state_dir()).stop(std::chrono::seconds(30));
    }

    fs::path state_dir() const { return dir.path() / "kafka"; }

    TempDir dir;
    KafkaRuntime runtime;
    LocalBrokerOptions options;
};

TEST_F(LocalBrokerIntegration, StartStatusRefuseStop) {
    LocalBroker broker(state_dir());
    int waiting_reports = 0;
    auto started = broker.start(options, runtime, [&](const BrokerProgress& p) {
        waiting_reports += p.step == BrokerProgress::Step::waiting;
    });
    ASSERT_TRUE(started) << started.error().message;
    EXPECT_FALSE(started->already_running);
    EXPECT_TRUE(started->formatted);
    EXPECT_EQ(started->record.bootstrap, "127.0.0.1:" + std::to_string(options.port));
    EXPECT_TRUE(is_valid_cluster_id(started->record.cluster_id)) << started->record.cluster_id;
    EXPECT_TRUE(fs::exists(broker.pid_file()));
    EXPECT_TRUE(fs::exists(state_dir() / "data" / "meta.properties"));

    // An independent client sees the broker: one node, the cluster id we formatted with.
    auto info = probe_cluster({started->record.bootstrap, {}}, milliseconds(5000));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->broker_count, 1);
    EXPECT_EQ(info->cluster_id, started->record.cluster_id);
    ASSERT_TRUE(ensure_topic({started->record.bootstrap, {}}, "ticks", 3, 1, milliseconds(10000)));

    auto st = broker.status(milliseconds(3000));
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_TRUE(st->running);
    EXPECT_TRUE(st->answering) << st->probe_error;
    EXPECT_EQ(st->record->pid, started->record.pid);

    auto again = broker.start(options, runtime);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(again->already_running);
    EXPECT_EQ(again->record.pid, started->record.pid);

    LocalBroker other(dir.path() / "other");
    auto clash = other.start(options, runtime);
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(clash.error().message.find("port " + std::to_string(options.port) + " on 127.0.0.1 is in use"),
              std::string::npos)
        << clash.error().message;

    auto stopped = broker.stop(std::chrono::seconds(30));
    ASSERT_TRUE(stopped) << stopped.error().message;
    EXPECT_TRUE(stopped->was_running);
    EXPECT_FALSE(stopped->killed) << "a broker should shut down cleanly on SIGTERM";
    EXPECT_FALSE(process_alive(started->record.pid));
    EXPECT_FALSE(fs::exists(broker.pid_file()));

    st = broker.status(milliseconds(500));
    ASSERT_TRUE(st);
    EXPECT_FALSE(st->running);

    // A restart keeps the data: same cluster id, the topic is still there, no new format.
    auto restarted = broker.start(options, runtime);
    ASSERT_TRUE(restarted) << restarted.error().message;
    EXPECT_FALSE(restarted->formatted);
    EXPECT_EQ(restarted->record.cluster_id, started->record.cluster_id);
    auto partitions = topic_partition_count({restarted->record.bootstrap, {}}, "ticks", milliseconds(10000));
    ASSERT_TRUE(partitions) << partitions.error().message;
    EXPECT_EQ(*partitions, 3);
    ASSERT_TRUE(broker.stop(std::chrono::seconds(30)));
}

TEST_F(LocalBrokerIntegration, BrokerThatDiesWhileStartingReportsItsLog) {
    options.heap_opts = "-Xms64m -Xmx1m";  // the JVM refuses: initial heap larger than maximum
    LocalBroker broker(state_dir());
    auto started = broker.start(options, runtime);
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().kind, ErrorKind::fatal);
    EXPECT_NE(started.error().message.find("exited while starting"), std::string::npos) << started.error().message;
    EXPECT_NE(started.error().message.find("broker.out"), std::string::npos) << started.error().message;
    EXPECT_NE(started.error().message.find("heap"), std::string::npos) << started.error().message;
    EXPECT_FALSE(fs::exists(broker.pid_file()));
}

} // namespace
} // namespace ticklake::broker
