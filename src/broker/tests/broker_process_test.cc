#include "broker/broker_process.h"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker/tests/free_port.h"
#include "broker/tests/temp_dir.h"

namespace ticklake::broker {
namespace {

namespace fs = std::filesystem;
using testing::Listener;
using testing::TempDir;

bool wait_until_gone(pid_t pid) {
    for (int i = 0; i < 100 && process_alive(pid); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return !process_alive(pid);
}

TEST(BrokerProcess, PortInUseWhileSomethingListens) {
    Listener l;
    auto busy = port_in_use(l.port());
    ASSERT_TRUE(busy) << busy.error().message;
    EXPECT_TRUE(*busy);
    l.close();
    busy = port_in_use(l.port());
    ASSERT_TRUE(busy) << busy.error().message;
    EXPECT_FALSE(*busy);
}

TEST(BrokerProcess, ZombiesAndReapedChildrenAreNotAlive) {
    EXPECT_TRUE(process_alive(::getpid()));
    pid_t child = ::fork();
    if (child == 0) {
        ::_exit(0);
    }
    ASSERT_GT(child, 0);
    // Not reaped yet: kill(0) still succeeds, the process is a zombie.
    for (int i = 0; i < 100 && ::kill(child, 0) == 0 && process_alive(child); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(::kill(child, 0), 0) << "expected a zombie still holding its pid";
    EXPECT_FALSE(process_alive(child));
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_FALSE(process_alive(child));
    EXPECT_FALSE(process_alive(0));
    EXPECT_FALSE(process_alive(-1));
}

TEST(BrokerProcess, RecognisesABrokerByItsCommandLine) {
    TempDir t;
    const fs::path props = t.path() / "server.properties";
    // A shell that stays alive with `kafka.Kafka <props>` among its arguments stands in for java.
    auto pid = spawn_detached({"/bin/sh", "-c", "sleep 30; true", "kafka.Kafka", props.string()}, t.path(),
                              t.path() / "out");
    ASSERT_TRUE(pid) << pid.error().message;
    EXPECT_TRUE(process_alive(*pid));
    EXPECT_NE(process_cmdline(*pid).find("kafka.Kafka " + props.string()), std::string::npos);
    EXPECT_TRUE(is_broker_process(*pid));
    EXPECT_TRUE(is_broker_process(*pid, props));
    EXPECT_FALSE(is_broker_process(*pid, t.path() / "other.properties"));
    EXPECT_FALSE(is_broker_process(::getpid())) << "a pid reused by a non-Kafka process";
    EXPECT_EQ(::getpgid(*pid), *pid) << "spawned into its own process group";
    EXPECT_NE(::getsid(*pid), ::getsid(0)) << "spawned into its own session";
    EXPECT_TRUE(signal_group(*pid, SIGTERM));
    EXPECT_TRUE(wait_until_gone(*pid));
    EXPECT_FALSE(is_broker_process(*pid, props));
}

TEST(BrokerProcess, SpawnWritesOutputAndReportsExecFailure) {
    TempDir t;
    auto pid = spawn_detached({"/bin/sh", "-c", "echo hello; echo oops >&2; read x; echo read=$?"}, t.path(),
                              t.path() / "out");
    ASSERT_TRUE(pid) << pid.error().message;
    ASSERT_TRUE(wait_until_gone(*pid));
    std::ifstream in(t.path() / "out");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "hello\noops\nread=1\n") << "stdout and stderr to the file, stdin at EOF";

    // The launcher's pid and the failed exec's errno race down one pipe; either order must
    // read as "No such file" (CI once read a pid as an errno: "Unknown error 30926").
    for (int attempt = 0; attempt < 40; ++attempt) {
        auto missing = spawn_detached({(t.path() / "no-such-java").string()}, t.path(), t.path() / "out");
        ASSERT_FALSE(missing);
        ASSERT_NE(missing.error().message.find("No such file"), std::string::npos)
            << "attempt " << attempt << ": " << missing.error().message;
    }
}

TEST(BrokerProcess, RunAndCaptureReturnsExitCodeAndOutput) {
    auto run = run_and_capture({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, std::chrono::seconds(10));
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->exit_code, 3);
    EXPECT_EQ(run->output, "out\nerr\n");

    auto slow = run_and_capture({"/bin/sleep", "10"}, std::chrono::milliseconds(200));
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().kind, ErrorKind::retry);
}

TEST(BrokerProcess, TailLinesFromOffset) {
    TempDir t;
    const fs::path f = t.path() / "log";
    {
        std::ofstream out(f);
        for (int i = 1; i <= 30; ++i) {
            out << "line " << i << "\n";
        }
    }
    auto tail = tail_lines(f, 3);
    ASSERT_EQ(tail.size(), 3u);
    EXPECT_EQ(tail.front(), "line 28");
    EXPECT_EQ(tail.back(), "line 30");
    auto from = tail_lines(f, 100, fs::file_size(f) - std::string("line 30\n").size());
    ASSERT_EQ(from.size(), 1u);
    EXPECT_EQ(from[0], "line 30");
    EXPECT_TRUE(tail_lines(t.path() / "missing", 5).empty());
}

} // namespace
} // namespace ticklake::broker
