// LocalBroker without Java: pid files, stale detection, busy ports. A shell whose
// command line carries `kafka.Kafka <server.properties>` stands in for a running broker.
#include "broker/local_broker.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker/broker_process.h"
#include "broker/tests/free_port.h"
#include "broker/tests/temp_dir.h"

namespace ticklake::broker {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void write(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }

pid_t reaped_pid() {
    pid_t child = ::fork();
    if (child == 0) {
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

//! Something that is not a broker; Java is never run by these tests.
KafkaRuntime no_runtime() { return KafkaRuntime{"/nonexistent/java", 17, "/nonexistent/libs"}; }

TEST(LocalBroker, BrokerEnvRoundTrips) {
    BrokerRecord r{4242, 19092, 19093, "127.0.0.1:19092", "aeQHNlzOSWygfGe26GAD9Q"};
    auto parsed = parse_broker_env(render_broker_env(r));
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->pid, 4242);
    EXPECT_EQ(parsed->port, 19092);
    EXPECT_EQ(parsed->controller_port, 19093);
    EXPECT_EQ(parsed->bootstrap, "127.0.0.1:19092");
    EXPECT_EQ(parsed->cluster_id, "aeQHNlzOSWygfGe26GAD9Q");
    EXPECT_FALSE(parse_broker_env("PORT=1\n"));
    EXPECT_FALSE(parse_broker_env("PID=12x\nPORT=1\n"));
}

TEST(LocalBroker, NoPidFileMeansStopped) {
    TempDir t;
    LocalBroker broker(t.path());
    auto st = broker.status(std::chrono::milliseconds(100));
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_FALSE(st->running);
    EXPECT_FALSE(st->stale_pid_file);
    auto stop = broker.stop(std::chrono::seconds(1));
    ASSERT_TRUE(stop) << stop.error().message;
    EXPECT_FALSE(stop->was_running);
}

TEST(LocalBroker, PidOfAGoneProcessIsStale) {
    TempDir t;
    LocalBroker broker(t.path());
    write(broker.pid_file(), std::to_string(reaped_pid()) + "\n");
    auto st = broker.status(std::chrono::milliseconds(100));
    ASSERT_TRUE(st);
    EXPECT_FALSE(st->running);
    EXPECT_TRUE(st->stale_pid_file);
    EXPECT_TRUE(fs::exists(broker.pid_file())) << "status only looks";

    auto stop = broker.stop(std::chrono::seconds(1));
    ASSERT_TRUE(stop);
    EXPECT_FALSE(stop->was_running);
    EXPECT_TRUE(stop->stale_pid_file);
    EXPECT_FALSE(fs::exists(broker.pid_file())) << "stop cleans a stale pid file";
}

TEST(LocalBroker, PidReusedByANonKafkaProcessIsStale) {
    TempDir t;
    LocalBroker broker(t.path());
    write(broker.pid_file(), std::to_string(::getpid()) + "\n");  // alive, but a test binary
    bool stale = false;
    EXPECT_FALSE(broker.running_broker(&stale));
    EXPECT_TRUE(stale);
    auto stop = broker.stop(std::chrono::seconds(1));
    ASSERT_TRUE(stop);
    EXPECT_FALSE(stop->was_running) << "must never signal an unrelated process";
}

TEST(LocalBroker, GarbagePidFileIsStale) {
    TempDir t;
    LocalBroker broker(t.path());
    write(broker.pid_file(), "not a pid\n");
    bool stale = false;
    EXPECT_FALSE(broker.running_broker(&stale));
    EXPECT_TRUE(stale);
}

TEST(LocalBroker, RunningBrokerIsReportedAndStoppedByProcessGroup) {
    TempDir t;
    LocalBroker broker(t.path());
    auto pid = spawn_detached({"/bin/sh", "-c", "sleep 60 & wait", "kafka.Kafka", broker.properties_file().string()},
                              t.path(), t.path() / "out");
    ASSERT_TRUE(pid) << pid.error().message;
    write(broker.pid_file(), std::to_string(*pid) + "\n");
    write(broker.env_file(), render_broker_env({*pid, 1, 2, "127.0.0.1:1", ""}));

    // start() must not spawn anything (the fake runtime would fail) and must say who runs.
    LocalBrokerOptions options;
    options.port = 1;
    auto started = broker.start(options, no_runtime());
    ASSERT_TRUE(started) << started.error().message;
    EXPECT_TRUE(started->already_running);
    EXPECT_EQ(started->record.pid, *pid);
    EXPECT_EQ(started->record.bootstrap, "127.0.0.1:1");

    auto st = broker.status(std::chrono::milliseconds(300));
    ASSERT_TRUE(st);
    EXPECT_TRUE(st->running);
    EXPECT_FALSE(st->answering) << "nothing speaks Kafka on port 1";
    EXPECT_FALSE(st->probe_error.empty());

    auto stop = broker.stop(std::chrono::seconds(10));
    ASSERT_TRUE(stop) << stop.error().message;
    EXPECT_TRUE(stop->was_running);
    EXPECT_FALSE(stop->killed) << "SIGTERM to the group ends the shell and its sleep";
    EXPECT_FALSE(process_alive(*pid));
    EXPECT_FALSE(fs::exists(broker.pid_file()));
    EXPECT_FALSE(fs::exists(broker.env_file()));
}

TEST(LocalBroker, StopEscalatesToSigkill) {
    TempDir t;
    LocalBroker broker(t.path());
    auto pid = spawn_detached(
        {"/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.1; done", "kafka.Kafka", broker.properties_file().string()},
        t.path(), t.path() / "out");
    ASSERT_TRUE(pid) << pid.error().message;
    write(broker.pid_file(), std::to_string(*pid) + "\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the trap be installed
    auto stop = broker.stop(std::chrono::milliseconds(500));
    ASSERT_TRUE(stop) << stop.error().message;
    EXPECT_TRUE(stop->was_running);
    EXPECT_TRUE(stop->killed);
    EXPECT_FALSE(process_alive(*pid));
}

TEST(LocalBroker, BusyPortIsRefusedBeforeAnythingStarts) {
    TempDir t;
    testing::Listener listener;
    const int busy = listener.port();

    LocalBroker broker(t.path() / "state");
    LocalBrokerOptions options;
    options.port = busy;
    // A port free a moment ago, not busy + 1: under parallel tests that one may be taken, and
    // the second start below would then be refused for its --port instead of its controller port.
    options.controller_port = testing::free_port();
    auto started = broker.start(options, no_runtime());
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().kind, ErrorKind::invalid_argument);
    EXPECT_EQ(started.error().message, "port " + std::to_string(busy) +
                                           " on 127.0.0.1 is in use: stop what uses it or pass --port N");

    options.port = options.controller_port;
    options.controller_port = busy;
    started = broker.start(options, no_runtime());
    ASSERT_FALSE(started);
    EXPECT_NE(started.error().message.find("--controller-port N"), std::string::npos) << started.error().message;
    EXPECT_FALSE(fs::exists(broker.pid_file()));
}

TEST(LocalBroker, RejectsBadPorts) {
    TempDir t;
    LocalBroker broker(t.path());
    LocalBrokerOptions options;
    options.port = 70000;
    EXPECT_FALSE(broker.start(options, no_runtime()));
    options.port = 19092;
    options.controller_port = 19092;
    auto same = broker.start(options, no_runtime());
    ASSERT_FALSE(same);
    EXPECT_EQ(same.error().kind, ErrorKind::invalid_argument);
}

// The properties are written before Java is needed, so the fake runtime's failure comes after.
TEST(LocalBroker, StartWritesTheAutoCreateSettingItWasGiven) {
    TempDir t;
    LocalBroker broker(t.path() / "state");
    LocalBrokerOptions options;
    // Two ports the kernel chose free, not port + 1: under ctest -j2 another test's client
    // socket may hold the next port, and a busy port fails the start before the properties.
    testing::Listener client;
    testing::Listener controller;
    options.port = client.port();
    options.controller_port = controller.port();
    client.close();
    controller.close();
    for (bool on : {true, false}) {
        options.auto_create_topics = on;
        EXPECT_FALSE(broker.start(options, no_runtime()));
        std::ifstream in(broker.properties_file());
        const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        const std::string want = std::string("\nauto.create.topics.enable=") + (on ? "true" : "false") + "\n";
        EXPECT_NE(text.find(want), std::string::npos) << text;
    }
}

TEST(LocalBroker, StateDirIsAbsolute) {
    LocalBroker broker("rel/dir/");
    EXPECT_TRUE(broker.state_dir().is_absolute());
    EXPECT_EQ(broker.state_dir().filename(), "dir");
    EXPECT_EQ(broker.pid_file(), broker.state_dir() / "broker.pid");
}

} // namespace
} // namespace ticklake::broker
