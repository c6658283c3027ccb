// `ticklake kafka start|stop|status`: a local single-node Kafka broker for development,
// demos and tests. The work is in broker/local_broker.h; this file parses options and
// prints. Scripts read stdout (the bootstrap address, or status lines); people read stderr.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <unistd.h>

#include <fmt/format.h>

#include "broker/local_broker.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "kafka/kafka_admin.h"

namespace ticklake::cli {

namespace {

using broker::BrokerProgress;
using broker::LocalBroker;
using broker::LocalBrokerOptions;

constexpr int kExitFailed = 1;
constexpr int kExitStopped = 3;

std::string default_state_dir() {
    const char* env = std::getenv("TICKLAKE_STATE_DIR");
    return env != nullptr && *env != '\0' ? env : ".state/kafka";
}

std::string default_heap_opts() {
    const char* env = std::getenv("TICKLAKE_KAFKA_HEAP_OPTS");
    return env != nullptr && *env != '\0' ? env : LocalBrokerOptions{}.heap_opts;
}

//! Prints progress to stderr: every step on its own line; on a terminal the waiting
//! steps rewrite one line with the elapsed seconds instead of scrolling.
class ProgressPrinter {
public:
    ProgressPrinter() : tty_(::isatty(STDERR_FILENO) == 1) {}
    ~ProgressPrinter() { finish(); }

    void operator()(const BrokerProgress& p) {
        const bool ticking = p.step == BrokerProgress::Step::waiting || p.step == BrokerProgress::Step::stopping;
        if (ticking && p.elapsed.count() > 0) {
            if (tty_) {
                std::fprintf(stderr, "\r%s ... %llds ", p.message.c_str(),
                             static_cast<long long>(p.elapsed.count() / 1000));
                std::fflush(stderr);
                open_line_ = true;
            } else if (p.message != last_) {
                std::fprintf(stderr, "%s ...\n", p.message.c_str());
            }
            last_ = p.message;
            return;
        }
        finish();
        std::fprintf(stderr, "%s\n", p.message.c_str());
        last_ = p.message;
    }

    //! Ends an open "\r" line so the next message starts at column 0.
    void finish() {
        if (open_line_) {
            std::fputc('\n', stderr);
            open_line_ = false;
        }
    }

private:
    bool tty_;
    bool open_line_ = false;
    std::string last_;
};

void print_error(const char* command, const Error& e) {
    std::fprintf(stderr, "ticklake kafka %s: %s\n", command, e.message.c_str());
}

std::string stop_hint(const LocalBroker& b) { return "ticklake kafka stop --state-dir " + b.state_dir().string(); }

void run_start(const LocalBrokerOptions& options, const std::string& state_dir, int timeout_s) {
    auto runtime = broker::locate_kafka_runtime();
    if (!runtime) {
        print_error("start", runtime.error());
        exit_code = kExitFailed;
        return;
    }
    LocalBrokerOptions opts = options;
    opts.start_timeout = std::chrono::seconds(timeout_s);
    LocalBroker broker(state_dir);
    ProgressPrinter printer;
    auto started = broker.start(opts, *runtime, [&printer](const BrokerProgress& p) { printer(p); });
    printer.finish();
    if (!started) {
        print_error("start", started.error());
        exit_code = kExitFailed;
        return;
    }
    const auto& r = started->record;
    if (started->already_running) {
        std::fprintf(stderr, "a Kafka broker from %s is already running at %s (pid %d); nothing started.\n",
                     broker.state_dir().c_str(), r.bootstrap.c_str(), static_cast<int>(r.pid));
        if (r.port != 0 && r.port != opts.port) {
            std::fprintf(stderr, "note: it listens on port %d, not the requested %d: `%s` first to change ports.\n",
                         r.port, opts.port, stop_hint(broker).c_str());
        }
    } else {
        std::fprintf(stderr,
                     "Kafka broker running at %s (pid %d, cluster id %s, Java %d, jars %s).\n"
                     "State and logs in %s. Stop it with `%s`.\n",
                     r.bootstrap.c_str(), static_cast<int>(r.pid), r.cluster_id.c_str(), runtime->java_major,
                     runtime->libs_dir.c_str(), broker.state_dir().c_str(), stop_hint(broker).c_str());
    }
    std::cout << r.bootstrap << std::endl;
    exit_code = 0;
}

void run_stop(const std::string& state_dir, int timeout_s) {
    LocalBroker broker(state_dir);
    ProgressPrinter printer;
    auto stopped = broker.stop(std::chrono::seconds(timeout_s), [&printer](const BrokerProgress& p) { printer(p); });
    printer.finish();
    if (!stopped) {
        print_error("stop", stopped.error());
        exit_code = kExitFailed;
        return;
    }
    if (!stopped->was_running) {
        std::fprintf(stderr, "no Kafka broker is running from %s%s.\n", broker.state_dir().c_str(),
                     stopped->stale_pid_file ? " (removed a stale pid file)" : "");
    } else if (stopped->killed) {
        std::fprintf(stderr, "Kafka broker pid %d did not exit within %d s and was killed (SIGKILL).\n",
                     static_cast<int>(stopped->pid), timeout_s);
    } else {
        std::fprintf(stderr, "Kafka broker pid %d stopped.\n", static_cast<int>(stopped->pid));
    }
    exit_code = 0;
}

void run_status(const std::string& state_dir, int probe_timeout_ms) {
    LocalBroker broker(state_dir);
    auto st = broker.status(std::chrono::milliseconds(probe_timeout_ms));
    if (!st) {
        print_error("status", st.error());
        exit_code = kExitFailed;
        return;
    }
    std::printf("state_dir: %s\n", broker.state_dir().c_str());
    if (!st->running) {
        std::printf("state: stopped\n");
        if (st->stale_pid_file) {
            std::printf("note: stale pid file %s (its process is gone); `ticklake kafka stop` removes it\n",
                        broker.pid_file().c_str());
        }
        exit_code = kExitStopped;
        return;
    }
    const auto& r = *st->record;
    std::printf("state: running\n");
    std::printf("pid: %d\n", static_cast<int>(r.pid));
    std::printf("bootstrap: %s\n", r.bootstrap.c_str());
    if (r.controller_port != 0) {
        std::printf("controller: 127.0.0.1:%d\n", r.controller_port);
    }
    if (!r.cluster_id.empty()) {
        std::printf("cluster_id: %s\n", r.cluster_id.c_str());
    }
    std::printf("answers_metadata: %s\n", st->answering ? "yes" : "no");
    if (!st->answering) {
        std::printf("probe_error: %s\n", st->probe_error.c_str());
        std::printf("log: %s\n", broker.server_log().c_str());
    }
    exit_code = st->answering ? 0 : kExitFailed;
}

struct LagFlags {
    KafkaFlags kafka;
    std::string group;
    std::string topic;
    bool json = false;
};

void run_lag(const LagFlags& f) {
    auto config = f.kafka.config();
    if (!config) {
        exit_code = report_error("kafka lag", config.error());
        return;
    }
    auto lags = group_lag(*config, f.group, f.topic, std::chrono::seconds(10));
    if (!lags) {
        exit_code = report_error("kafka lag", lags.error());
        return;
    }
    std::string out;
    int64_t total = 0;
    if (!f.json) {
        out += fmt::format("{:>9} {:>14} {:>14} {:>12}\n", "PARTITION", "COMMITTED", "END", "LAG");
    }
    for (const auto& l : *lags) {
        total += l.lag();
        if (f.json) {
            out += fmt::format("{{\"partition\":{},\"committed\":{},\"low\":{},\"high\":{},\"lag\":{}}}\n",
                               l.partition, l.committed, l.low, l.high, l.lag());
        } else {
            out += fmt::format("{:>9} {:>14} {:>14} {:>12}\n", l.partition,
                               l.committed >= 0 ? std::to_string(l.committed) : std::string("-"), l.high, l.lag());
        }
    }
    if (!f.json) {
        out += fmt::format("{:>9} {:>14} {:>14} {:>12}\n", "total", "", "", total);
    }
    std::fputs(out.c_str(), stdout);
    exit_code = 0;
}

} // namespace

void add_kafka_command(CLI::App& app) {
    CLI::App* kafka = app.add_subcommand(
        "kafka",
        "Run a local single-node Kafka broker (KRaft, 127.0.0.1 only) for development, demos and tests;\n"
        "show a consumer group's lag (`kafka lag`).");
    kafka->require_subcommand(1);
    kafka->footer(
        "The broker is Apache Kafka 4.x run by Java 17+. Jars are taken from $TICKLAKE_KAFKA_LIBS, else\n"
        "$KAFKA_HOME/libs, else the .deps/kafka/libs that `make setup` installs. Java is $JAVA_HOME/bin/java,\n"
        "else `java` on PATH.\n"
        "All state lives in one directory (--state-dir; default $TICKLAKE_STATE_DIR, else ./.state/kafka):\n"
        "server.properties, data/ (topics), logs/server.log, logs/broker.out (JVM output), broker.pid and\n"
        "broker.env (PID, PORT, CONTROLLER_PORT, BOOTSTRAP, CLUSTER_ID; shell-sourceable) while it runs.");

    const std::string state_dir_help =
        "directory holding the broker's config, data, logs and pid file. Default: $TICKLAKE_STATE_DIR if set, "
        "else ./.state/kafka";

    auto opts = std::make_shared<LocalBrokerOptions>();
    opts->heap_opts = default_heap_opts();
    auto start_timeout = std::make_shared<int>(60);
    auto state_dir = std::make_shared<std::string>(default_state_dir());

    CLI::App* start = kafka->add_subcommand(
        "start", "Start the broker in the background and wait until it answers metadata requests.");
    start->add_option("--port", opts->port, "client (PLAINTEXT) port on 127.0.0.1")
        ->capture_default_str()
        ->check(CLI::Range(1, 65535));
    start->add_option("--controller-port", opts->controller_port,
                      "KRaft controller port on 127.0.0.1. Default: --port + 1")
        ->check(CLI::Range(1, 65535));
    start->add_option("--state-dir", *state_dir, state_dir_help);
    auto no_auto_create = std::make_shared<bool>(false);
    start->add_flag("--no-auto-create", *no_auto_create,
                    "do not create topics on first use (auto.create.topics.enable=false): a client that sends to a\n"
                    "missing topic gets UNKNOWN_TOPIC_OR_PART until `ticklake kafka topics create` creates it");
    start->add_option("--timeout", *start_timeout,
                      "seconds to wait for the broker to answer; if it does not, it is stopped and its log shown")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    start->footer(
        "Topics are created on first use (one partition), as Apache Kafka does by default, unless --no-auto-create.\n"
        "The first start formats data/ with a new cluster id (kept in cluster.id); later starts keep the data.\n"
        "Ports are checked before anything starts: a busy port is an error naming it.\n"
        "If a broker from this state dir already runs, nothing is started and its address is printed (exit 0).\n"
        "JVM heap: -Xms256m -Xmx1g unless $TICKLAKE_KAFKA_HEAP_OPTS is set (e.g. \"-Xms128m -Xmx512m\").\n"
        "Output: progress and a summary on stderr; the last line on stdout is the bootstrap address\n"
        "(e.g. 127.0.0.1:9092), so `BOOTSTRAP=$(ticklake kafka start)` works in scripts.\n"
        "Exit status: 0 running (started or already running), 1 failed.");
    start->callback([opts, state_dir, start_timeout, no_auto_create] {
        opts->auto_create_topics = !*no_auto_create;
        run_start(*opts, *state_dir, *start_timeout);
    });

    auto stop_timeout = std::make_shared<int>(30);
    CLI::App* stop = kafka->add_subcommand(
        "stop", "Stop the broker: SIGTERM to its process group, SIGKILL if it has not exited after --timeout.");
    stop->add_option("--state-dir", *state_dir, state_dir_help);
    stop->add_option("--timeout", *stop_timeout, "seconds to wait for a clean shutdown before SIGKILL")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    stop->footer("Exit status: 0 stopped or not running (a stale pid file is removed), 1 failed.");
    stop->callback([state_dir, stop_timeout] { run_stop(*state_dir, *stop_timeout); });

    auto probe_ms = std::make_shared<int>(2000);
    CLI::App* status = kafka->add_subcommand(
        "status", "Print whether the broker runs (pid, bootstrap address) and whether it answers metadata.");
    status->add_option("--state-dir", *state_dir, state_dir_help);
    status->add_option("--probe-timeout-ms", *probe_ms, "how long to wait for the metadata answer")
        ->capture_default_str()
        ->check(CLI::Range(100, 600000));
    status->footer(
        "Prints `key: value` lines on stdout (state, pid, bootstrap, controller, cluster_id, answers_metadata).\n"
        "Exit status: 0 running and answering, 1 running but not answering, 3 stopped.");
    status->callback([state_dir, probe_ms] { run_status(*state_dir, *probe_ms); });

    auto lag = std::make_shared<LagFlags>();
    CLI::App* lag_cmd = kafka->add_subcommand(
        "lag", "Print a consumer group's committed offset, the log end and the lag on every partition of a topic\n"
               "(any cluster, not only the local broker). Asks without joining the group: no rebalance.");
    lag->kafka.add_to(*lag_cmd);
    lag_cmd->add_option("--group,-g", lag->group, "Consumer group, e.g. ticklake-sink")->required();
    lag_cmd->add_option("--topic,-t", lag->topic, "Topic")->required();
    lag_cmd->add_flag("--json", lag->json, "One JSON object per partition (committed is -1 when never committed)");
    lag_cmd->footer("COMMITTED '-' means the group never committed on that partition.");
    lag_cmd->callback([lag] { run_lag(*lag); });
}

} // namespace ticklake::cli
