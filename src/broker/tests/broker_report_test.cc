// What `kafka start|stop|status` print, from LocalBroker's outcomes (no broker runs here).
#include "broker/broker_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace ticklake::broker {
namespace {

const LocalBroker kBroker("/tmp/tl-state");
const KafkaRuntime kRuntime{"/usr/bin/java", 17, "/opt/kafka/libs"};
const BrokerRecord kRecord{4242, 19092, 19093, "127.0.0.1:19092", "abc"};

TEST(BrokerReport, Started) {
    EXPECT_EQ(start_report(StartOutcome{kRecord, false, true}, kBroker, kRuntime, 19092),
              "Kafka broker running at 127.0.0.1:19092 (pid 4242, cluster id abc, Java 17, jars /opt/kafka/libs).\n"
              "State and logs in /tmp/tl-state. Stop it with `ticklake kafka stop --state-dir /tmp/tl-state`.\n");
}

TEST(BrokerReport, AlreadyRunningOnAnotherPort) {
    EXPECT_EQ(start_report(StartOutcome{kRecord, true, false}, kBroker, kRuntime, 19092),
              "a Kafka broker from /tmp/tl-state is already running at 127.0.0.1:19092 (pid 4242); nothing started.\n");
    EXPECT_EQ(start_report(StartOutcome{kRecord, true, false}, kBroker, kRuntime, 9092),
              "a Kafka broker from /tmp/tl-state is already running at 127.0.0.1:19092 (pid 4242); nothing started.\n"
              "note: it listens on port 19092, not the requested 9092: `ticklake kafka stop --state-dir "
              "/tmp/tl-state` first to change ports.\n");
}

TEST(BrokerReport, Stopped) {
    EXPECT_EQ(stop_report(StopOutcome{true, false, false, 7}, kBroker, 30), "Kafka broker pid 7 stopped.\n");
    EXPECT_EQ(stop_report(StopOutcome{true, true, false, 7}, kBroker, 30),
              "Kafka broker pid 7 did not exit within 30 s and was killed (SIGKILL).\n");
    EXPECT_EQ(stop_report(StopOutcome{false, false, true, 0}, kBroker, 30),
              "no Kafka broker is running from /tmp/tl-state (removed a stale pid file).\n");
}

TEST(BrokerReport, StatusLinesAndExitCodes) {
    BrokerStatus stopped;
    stopped.stale_pid_file = true;
    EXPECT_EQ(status_report(stopped, kBroker),
              "state_dir: /tmp/tl-state\nstate: stopped\nnote: stale pid file /tmp/tl-state/broker.pid (its process "
              "is gone); `ticklake kafka stop` removes it\n");
    EXPECT_EQ(status_exit_code(stopped), 3);

    BrokerStatus silent;
    silent.running = true;
    silent.record = kRecord;
    silent.probe_error = "timed out";
    EXPECT_EQ(status_report(silent, kBroker),
              "state_dir: /tmp/tl-state\nstate: running\npid: 4242\nbootstrap: 127.0.0.1:19092\n"
              "controller: 127.0.0.1:19093\ncluster_id: abc\nanswers_metadata: no\nprobe_error: timed out\n"
              "log: /tmp/tl-state/logs/server.log\n");
    EXPECT_EQ(status_exit_code(silent), 1);
    silent.answering = true;
    EXPECT_EQ(status_exit_code(silent), 0);
}

TEST(ProgressText, WaitingStepsRewriteOneLineOnATerminal) {
    using Step = BrokerProgress::Step;
    using std::chrono::milliseconds;
    ProgressText tty(true);
    EXPECT_EQ(tty.on({Step::spawned, "started", milliseconds(0)}), "started\n");
    EXPECT_EQ(tty.on({Step::waiting, "waiting", milliseconds(1500)}), "\rwaiting ... 1s ");
    EXPECT_EQ(tty.on({Step::waiting, "waiting", milliseconds(2500)}), "\rwaiting ... 2s ");
    EXPECT_EQ(tty.on({Step::killing, "killing", milliseconds(0)}), "\nkilling\n");
    EXPECT_EQ(tty.finish(), "");

    ProgressText log(false);
    EXPECT_EQ(log.on({Step::waiting, "waiting", milliseconds(1500)}), "waiting ...\n");
    EXPECT_EQ(log.on({Step::waiting, "waiting", milliseconds(2500)}), "");
    EXPECT_EQ(log.finish(), "");
}

// A state dir no broker ever ran from: stop and status report "not running" through the console.
TEST(BrokerCommands, StopAndStatusOfAStateDirWithNoBroker) {
    std::string pattern = (std::filesystem::temp_directory_path() / "tl-broker-cmd-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    std::string out, err;
    const Console console{[&](std::string_view t) { out += t; }, [&](std::string_view t) { err += t; }};

    ASSERT_TRUE(stop_and_report(pattern, 5, console, false));
    EXPECT_EQ(out, "");
    EXPECT_EQ(err, "no Kafka broker is running from " + pattern + ".\n");

    err.clear();
    auto code = status_and_report(pattern, std::chrono::milliseconds(200), console);
    ASSERT_TRUE(code) << code.error().message;
    EXPECT_EQ(*code, 3);
    EXPECT_EQ(out, "state_dir: " + pattern + "\nstate: stopped\n");
    EXPECT_EQ(err, "");
    std::filesystem::remove_all(pattern);
}

} // namespace
} // namespace ticklake::broker
