// `ticklake kafka start|stop|status`: a local single-node Kafka broker for development,
// demos and tests; `kafka lag` and `kafka topics list|create|describe|delete` for any cluster.
// The work is in broker/local_broker.h and kafka/kafka_admin.h; this file parses options and
// prints. Scripts read stdout (the bootstrap address, status lines, tables or --json); people
// read stderr.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "broker/local_broker.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/text_table.h"
#include "common/json_writer.h"
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

struct TopicsFlags {
    KafkaFlags kafka;
    int timeout_s = 10;
    std::string topic;
    bool json = false;
    bool include_internal = false; //!< list
    bool all_configs = false;      //!< describe
    int partitions = -1;           //!< create; -1 = the broker's num.partitions
    int replication_factor = -1;   //!< create; -1 = the broker's default.replication.factor
    std::vector<std::string> configs; //!< create, KEY=VALUE
    bool if_not_exists = false;
    bool if_exists = false;

    std::chrono::milliseconds timeout() const { return std::chrono::seconds(timeout_s); }
};

using TopicsRun = int (*)(const KafkaClientConfig&, const TopicsFlags&, const std::string& command);

void write_summary_fields(JsonWriter& w, const TopicSummary& t) {
    w.field("topic", t.name).key("partition_count").value(static_cast<int64_t>(t.partition_count));
    w.key("replication_factor").value(static_cast<int64_t>(t.replication_factor)).key("internal").value(t.internal);
}

int run_topics_list(const KafkaClientConfig& config, const TopicsFlags& f, const std::string& command) {
    auto topics = list_topics(config, f.include_internal, f.timeout());
    if (!topics) {
        return report_error(command.c_str(), topics.error());
    }
    JsonWriter w;
    w.begin_array();
    TextTable table({"TOPIC", "PARTITIONS", "REPLICATION"}, {false, true, true});
    for (const auto& t : *topics) {
        write_summary_fields(w.begin_object(), t);
        w.end_object();
        table.add({t.name, std::to_string(t.partition_count), std::to_string(t.replication_factor)});
    }
    w.end_array();
    f.json ? (void)std::fputs(w.str().c_str(), stdout) : table.print();
    return 0;
}

std::string joined(const std::vector<int32_t>& ids) {
    std::string out;
    for (auto id : ids) {
        out += (out.empty() ? "" : ",") + std::to_string(id);
    }
    return out;
}

void write_ids(JsonWriter& w, const char* key, const std::vector<int32_t>& ids) {
    w.key(key).begin_array();
    for (auto id : ids) {
        w.value(static_cast<int64_t>(id));
    }
    w.end_array();
}

void write_description(JsonWriter& w, const TopicDescription& d, const std::vector<TopicConfigEntry>& configs) {
    write_summary_fields(w.begin_object(), d.summary);
    w.key("partitions").begin_array();
    for (const auto& p : d.partitions) {
        w.begin_object().key("partition").value(static_cast<int64_t>(p.partition));
        w.key("leader").value(static_cast<int64_t>(p.leader));
        write_ids(w, "replicas", p.replicas);
        write_ids(w, "isr", p.isr);
        w.end_object();
    }
    w.end_array().key("configs").begin_array();
    for (const auto& c : configs) {
        w.begin_object().field("name", c.name).key("value");
        c.value ? (void)w.value(*c.value) : (void)w.null();
        w.field("source", c.source).key("default").value(c.is_default);
        w.key("read_only").value(c.read_only).key("sensitive").value(c.sensitive).end_object();
    }
    w.end_array().end_object();
}

void print_description(const TopicDescription& d, const std::vector<TopicConfigEntry>& configs) {
    std::printf("topic: %s\npartitions: %d\nreplication_factor: %d\n\n", d.summary.name.c_str(),
                d.summary.partition_count, d.summary.replication_factor);
    TextTable parts({"PARTITION", "LEADER", "REPLICAS", "ISR"}, {true, true, false, false});
    for (const auto& p : d.partitions) {
        parts.add({std::to_string(p.partition), p.leader >= 0 ? std::to_string(p.leader) : "none", joined(p.replicas),
                   joined(p.isr)});
    }
    parts.print();
    TextTable table({"CONFIG", "VALUE", "SOURCE"});
    for (const auto& c : configs) {
        table.add({c.name, c.sensitive ? "(sensitive)" : c.value.value_or(""), c.source});
    }
    std::puts("");
    table.print();
    if (const size_t hidden = d.configs.size() - configs.size(); hidden > 0) {
        std::printf("(%zu more at Kafka's defaults: --all-configs lists them)\n", hidden);
    }
}

int run_topics_describe(const KafkaClientConfig& config, const TopicsFlags& f, const std::string& command) {
    auto d = describe_topic(config, f.topic, f.timeout());
    if (!d) {
        return report_error(command.c_str(), d.error());
    }
    std::vector<TopicConfigEntry> shown;
    std::ranges::copy_if(d->configs, std::back_inserter(shown),
                         [&f](const TopicConfigEntry& c) { return f.all_configs || !c.is_default; });
    if (f.json) {
        JsonWriter w;
        write_description(w, *d, shown);
        std::fputs(w.str().c_str(), stdout);
    } else {
        print_description(*d, shown);
    }
    return 0;
}

int run_topics_create(const KafkaClientConfig& config, const TopicsFlags& f, const std::string& command) {
    TopicSpec spec{f.topic, f.partitions, f.replication_factor, {}};
    for (const auto& kv : f.configs) {
        const auto eq = kv.find('='); // the option's check made sure there is one
        spec.configs.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    auto created = create_topic(config, spec, f.if_not_exists, f.timeout());
    if (!created) {
        return report_error(command.c_str(), created.error());
    }
    std::printf(*created ? "created topic %s\n" : "topic %s exists already; nothing changed\n", f.topic.c_str());
    return 0;
}

int run_topics_delete(const KafkaClientConfig& config, const TopicsFlags& f, const std::string& command) {
    auto deleted = delete_topic(config, f.topic, f.if_exists, f.timeout());
    if (!deleted) {
        return report_error(command.c_str(), deleted.error());
    }
    std::printf(*deleted ? "deleted topic %s\n" : "topic %s does not exist; nothing deleted\n", f.topic.c_str());
    return 0;
}

//! One `kafka topics` subcommand with what they all take: -b, -X, --timeout, and for all but
//! `list` the topic, as the first argument or --topic.
std::shared_ptr<TopicsFlags> add_topics_subcommand(CLI::App& topics, const char* name, const std::string& help,
                                                   TopicsRun run, CLI::App** out) {
    auto f = std::make_shared<TopicsFlags>();
    CLI::App* cmd = topics.add_subcommand(name, help);
    f->kafka.add_to(*cmd);
    if (std::string(name) != "list") {
        cmd->add_option("topic,--topic,-t", f->topic, "Topic name, as the first argument or after --topic")->required();
    }
    cmd->add_option("--timeout", f->timeout_s, "seconds to wait for the cluster's answer")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    const std::string command = std::string("kafka topics ") + name;
    cmd->callback([f, run, command] {
        auto config = f->kafka.config();
        exit_code = config ? run(*config, *f, command) : report_error(command.c_str(), config.error());
    });
    *out = cmd;
    return f;
}

const CLI::Validator kKeyValue(
    [](std::string& s) {
        const auto eq = s.find('=');
        return eq == std::string::npos || eq == 0 ? "expects KEY=VALUE, e.g. retention.ms=86400000, got '" + s + "'"
                                                  : std::string();
    },
    "KEY=VALUE");

void add_topics_command(CLI::App& kafka) {
    CLI::App* topics = kafka.add_subcommand(
        "topics", "List, create, describe and delete topics of any Kafka cluster (what kafka-topics.sh does).");
    topics->require_subcommand(1);
    topics->footer(
        "Examples:\n"
        "  ticklake kafka topics list -b 127.0.0.1:9092\n"
        "  ticklake kafka topics create orders --partitions 6 --config cleanup.policy=compact\n"
        "  ticklake kafka topics describe orders\n"
        "  ticklake kafka topics delete orders --if-exists\n"
        "  ticklake kafka topics list -b broker:9093 -X security.protocol=SASL_SSL -X sasl.mechanisms=PLAIN \\\n"
        "      -X sasl.username=$KAFKA_USER -X sasl.password=$KAFKA_PASSWORD\n"
        "Exit status: 0 done; 1 failed (the topic exists or is missing, the cluster does not answer);\n"
        "2 the cluster refuses the settings (e.g. a replication factor above its broker count).");
    CLI::App* cmd = nullptr;

    auto list = add_topics_subcommand(*topics, "list", "Topics with their partition count and replication factor.",
                                      run_topics_list, &cmd);
    cmd->add_flag("--include-internal", list->include_internal,
                  "also list Kafka's internal topics (names starting with __, e.g. __consumer_offsets)");
    cmd->add_flag("--json", list->json, "a JSON array of {topic, partition_count, replication_factor, internal}");
    cmd->footer("Examples:\n"
                "  ticklake kafka topics list\n"
                "  ticklake kafka topics list --include-internal --json | jq -r '.[].topic'\n"
                "Internal topics are Kafka's own bookkeeping, named __... (__consumer_offsets, __transaction_state).");

    auto describe = add_topics_subcommand(
        *topics, "describe", "A topic's partitions (leader, replicas, in-sync replicas) and configs.",
        run_topics_describe, &cmd);
    cmd->add_flag("--all-configs", describe->all_configs,
                  "also list the configs at Kafka's built-in defaults (by default only those set on the topic\n"
                  "or by the broker's configuration are listed, with SOURCE saying which)");
    cmd->add_flag("--json", describe->json, "one JSON object; configs carry value, source, default, read_only");
    cmd->footer("Examples:\n"
                "  ticklake kafka topics describe orders\n"
                "  ticklake kafka topics describe orders --all-configs\n"
                "  ticklake kafka topics describe orders --json | jq '.partitions[] | select(.isr | length < 2)'\n"
                "SOURCE is Kafka's: DYNAMIC_TOPIC_CONFIG was set on the topic (create --config, kafka-configs.sh),\n"
                "STATIC_BROKER_CONFIG comes from the broker's server.properties, DEFAULT_CONFIG is Kafka's default.\n"
                "A missing topic exits 1.");

    auto create = add_topics_subcommand(*topics, "create", "Create a topic (CreateTopics through the Admin API).",
                                        run_topics_create, &cmd);
    cmd->add_option("--partitions,-p", create->partitions, "partition count. Default: the broker's num.partitions")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--replication-factor,-r", create->replication_factor,
                    "replicas per partition. Default: the broker's default.replication.factor")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--config,-c", create->configs,
                    "topic config KEY=VALUE, repeatable, e.g. --config retention.ms=86400000 "
                    "--config cleanup.policy=compact; see Kafka's topic configs")
        ->check(kKeyValue);
    cmd->add_flag("--if-not-exists", create->if_not_exists,
                  "an existing topic is fine (exit 0, nothing changed, its settings are not compared)");
    cmd->footer("Examples:\n"
                "  ticklake kafka topics create ticks --partitions 6\n"
                "  ticklake kafka topics create orders -p 12 -r 3 --config min.insync.replicas=2 \\\n"
                "      --config retention.ms=604800000 --if-not-exists\n"
                "  ticklake kafka topics create symbols --config cleanup.policy=compact\n"
                "The command returns once the cluster's metadata shows the topic. An existing topic exits 1\n"
                "(unless --if-not-exists); settings the cluster refuses exit 2 with its reason.");

    auto del = add_topics_subcommand(*topics, "delete", "Delete a topic and all its messages (DeleteTopics).",
                                     run_topics_delete, &cmd);
    cmd->add_flag("--if-exists", del->if_exists, "a missing topic is fine (exit 0)");
    cmd->footer("Examples:\n"
                "  ticklake kafka topics delete ticks\n"
                "  ticklake kafka topics delete ticks --if-exists   # in scripts that clean up\n"
                "There is no undo. A missing topic exits 1 (unless --if-exists); the command returns once the\n"
                "cluster's metadata no longer shows the topic.");
}

} // namespace

void add_kafka_command(CLI::App& app) {
    CLI::App* kafka = app.add_subcommand(
        "kafka",
        "Run a local single-node Kafka broker (KRaft, 127.0.0.1 only) for development, demos and tests;\n"
        "show a consumer group's lag (`kafka lag`); list, create, describe and delete topics (`kafka topics`).");
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

    add_topics_command(*kafka);
}

} // namespace ticklake::cli
