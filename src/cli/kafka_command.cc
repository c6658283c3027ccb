// `ticklake kafka start|stop|status`: a local single-node Kafka broker for development,
// demos and tests; `kafka lag` and `kafka topics list|create|describe|delete` for any cluster.
// The work is in broker/ (local_broker.h, broker_report.h) and kafka/ (kafka_admin.h,
// topic_report.h); this file parses options and prints. Scripts read stdout (the bootstrap
// address, status lines, tables or --json); people read stderr.
#include <chrono>
#include <cstdio>

#include "broker/broker_report.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "kafka/topic_report.h"

namespace ticklake::cli {

namespace {

using broker::LocalBrokerOptions;

//! The broker commands' own error line (no "error:"), exit 1; scripts match it.
int broker_status(const char* command, const Status& st) {
    if (!st) {
        std::fprintf(stderr, "ticklake kafka %s: %s\n", command, st.error().message.c_str());
    }
    return st ? 0 : 1;
}

struct LagFlags {
    KafkaFlags kafka;
    std::string group;
    std::string topic;
    bool json = false;
};

int run_lag(const LagFlags& f) {
    auto config = f.kafka.config();
    auto lags = config ? group_lag(*config, f.group, f.topic, std::chrono::seconds(10)) : fail(config.error());
    if (lags) {
        std::fputs(render_lag(*lags, f.json).c_str(), stdout);
    }
    return exit_status("kafka lag", lags);
}

struct TopicsFlags {
    KafkaFlags kafka;
    TopicsRequest request;
};

//! One `kafka topics` subcommand with what they all take: -b, -X, --timeout, and for all but
//! `list` the topic, as the first argument or --topic. Returns the request its flags fill.
TopicsRequest& add_topics_subcommand(CLI::App& topics, const char* name, const std::string& help, TopicsAction action,
                                    CLI::App** out) {
    const std::string command = std::string("kafka topics ") + name;
    auto [cmd, f] = add_command<TopicsFlags>(topics, name, help, [action, command](const TopicsFlags& f) {
        auto config = f.kafka.config();
        auto text = config ? run_topics(action, *config, f.request) : fail(config.error());
        if (text) {
            std::fputs(text->c_str(), stdout);
        }
        return exit_status(command.c_str(), text);
    });
    f->kafka.add_to(*cmd);
    if (action != TopicsAction::list) {
        cmd->add_option("topic,--topic,-t", f->request.topic, "Topic name, as the first argument or after --topic")
            ->required();
    }
    add_duration_option(*cmd, "--timeout", f->request.timeout_s, "how long to wait for the cluster's answer")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600).description("1s to 1h"));
    *out = cmd;
    return f->request;
}

const CLI::Validator kKeyValue([](std::string& s) { return key_value_problem(s); }, "KEY=VALUE");

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

    auto& list = add_topics_subcommand(*topics, "list", "Topics with their partition count and replication factor.",
                                       TopicsAction::list, &cmd);
    cmd->add_flag("--include-internal", list.include_internal,
                  "also list Kafka's internal topics (names starting with __, e.g. __consumer_offsets)");
    cmd->add_flag("--json", list.json, "a JSON array of {topic, partition_count, replication_factor, internal}");
    cmd->footer("Examples:\n"
                "  ticklake kafka topics list\n"
                "  ticklake kafka topics list --include-internal --json | jq -r '.[].topic'\n"
                "Internal topics are Kafka's own bookkeeping, named __... (__consumer_offsets, __transaction_state).");

    auto& describe = add_topics_subcommand(
        *topics, "describe", "A topic's partitions (leader, replicas, in-sync replicas) and configs.",
        TopicsAction::describe, &cmd);
    cmd->add_flag("--all-configs", describe.all_configs,
                  "also list the configs at Kafka's built-in defaults (by default only those set on the topic\n"
                  "or by the broker's configuration are listed, with SOURCE saying which)");
    cmd->add_flag("--json", describe.json, "one JSON object; configs carry value, source, default, read_only");
    cmd->footer("Examples:\n"
                "  ticklake kafka topics describe orders\n"
                "  ticklake kafka topics describe orders --all-configs\n"
                "  ticklake kafka topics describe orders --json | jq '.partitions[] | select(.isr | length < 2)'\n"
                "SOURCE is Kafka's: DYNAMIC_TOPIC_CONFIG was set on the topic (create --config, kafka-configs.sh),\n"
                "STATIC_BROKER_CONFIG comes from the broker's server.properties, DEFAULT_CONFIG is Kafka's default.\n"
                "A missing topic exits 1.");

    auto& create = add_topics_subcommand(*topics, "create", "Create a topic (CreateTopics through the Admin API).",
                                         TopicsAction::create, &cmd);
    cmd->add_option("--partitions,-p", create.partitions, "partition count. Default: the broker's num.partitions")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--replication-factor,-r", create.replication_factor,
                    "replicas per partition. Default: the broker's default.replication.factor")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--config,-c", create.configs,
                    "topic config KEY=VALUE, repeatable, e.g. --config retention.ms=86400000 "
                    "--config cleanup.policy=compact; see Kafka's topic configs")
        ->check(kKeyValue);
    cmd->add_flag("--if-not-exists", create.if_not_exists,
                  "an existing topic is fine (exit 0, nothing changed, its settings are not compared)");
    cmd->footer("Examples:\n"
                "  ticklake kafka topics create ticks --partitions 6\n"
                "  ticklake kafka topics create orders -p 12 -r 3 --config min.insync.replicas=2 \\\n"
                "      --config retention.ms=604800000 --if-not-exists\n"
                "  ticklake kafka topics create symbols --config cleanup.policy=compact\n"
                "The command returns once the cluster's metadata shows the topic. An existing topic exits 1\n"
                "(unless --if-not-exists); settings the cluster refuses exit 2 with its reason.");

    auto& del = add_topics_subcommand(*topics, "delete", "Delete a topic and all its messages (DeleteTopics).",
                                      TopicsAction::remove, &cmd);
    cmd->add_flag("--if-exists", del.if_exists, "a missing topic is fine (exit 0)");
    cmd->footer("Examples:\n"
                "  ticklake kafka topics delete ticks\n"
                "  ticklake kafka topics delete ticks --if-exists   # in scripts that clean up\n"
                "There is no undo. A missing topic exits 1 (unless --if-exists); the command returns once the\n"
                "cluster's metadata no longer shows the topic.");
}

//! The options of start, stop and status; --state-dir is shared by the three.
struct BrokerFlags {
    std::string state_dir = broker::default_state_dir();
    int start_timeout_s = 60;
    bool no_auto_create = false;
    int stop_timeout_s = 30;
    int probe_ms = 2000;
    LocalBrokerOptions options = LocalBrokerOptions::from_environment();
};

const char* const kStateDirHelp =
    "directory holding the broker's config, data, logs and pid file. Default: $TICKLAKE_STATE_DIR if set, "
    "else ./.state/kafka";

//! start, stop and status, sharing one BrokerFlags (--state-dir is the same for the three).
void add_broker_commands(CLI::App& kafka) {
    auto f = std::make_shared<BrokerFlags>();
    auto add = [&kafka, f](const char* name, const char* help, auto run) {
        CLI::App* cmd = kafka.add_subcommand(name, help);
        cmd->callback([f, run] { exit_code = run(*f); });
        return cmd;
    };
    CLI::App* start = add(
        "start", "Start the broker in the background and wait until it answers metadata requests.",
        [](BrokerFlags& f) {
            f.options.auto_create_topics = !f.no_auto_create;
            f.options.start_timeout = std::chrono::seconds(f.start_timeout_s);
            return broker_status(
                "start", broker::start_and_report(f.state_dir, f.options, std_console(), stderr_is_terminal()));
        });
    start->add_option("--port", f->options.port, "client (PLAINTEXT) port on 127.0.0.1")
        ->capture_default_str()
        ->check(CLI::Range(1, 65535));
    start->add_option("--controller-port", f->options.controller_port,
                      "KRaft controller port on 127.0.0.1. Default: --port + 1")
        ->check(CLI::Range(1, 65535));
    start->add_option("--state-dir", f->state_dir, kStateDirHelp);
    start->add_flag("--no-auto-create", f->no_auto_create,
                    "do not create topics on first use (auto.create.topics.enable=false): a client that sends to a\n"
                    "missing topic gets UNKNOWN_TOPIC_OR_PART until `ticklake kafka topics create` creates it");
    add_duration_option(*start, "--timeout", f->start_timeout_s,
                        "how long to wait for the broker to answer; if it does not, it is stopped and its log shown")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600).description("1s to 1h"));
    start->footer(
        "Topics are created on first use (one partition), as Apache Kafka does by default, unless --no-auto-create.\n"
        "The first start formats data/ with a new cluster id (kept in cluster.id); later starts keep the data.\n"
        "Ports are checked before anything starts: a busy port is an error naming it.\n"
        "If a broker from this state dir already runs, nothing is started and its address is printed (exit 0).\n"
        "JVM heap: -Xms256m -Xmx1g unless $TICKLAKE_KAFKA_HEAP_OPTS is set (e.g. \"-Xms128m -Xmx512m\").\n"
        "Output: progress and a summary on stderr; the last line on stdout is the bootstrap address\n"
        "(e.g. 127.0.0.1:9092), so `BOOTSTRAP=$(ticklake kafka start)` works in scripts.\n"
        "Exit status: 0 running (started or already running), 1 failed.");
    CLI::App* stop = add(
        "stop", "Stop the broker: SIGTERM to its process group, SIGKILL if it has not exited after --timeout.",
        [](const BrokerFlags& f) {
            return broker_status("stop", broker::stop_and_report(f.state_dir, f.stop_timeout_s, std_console(),
                                                                 stderr_is_terminal()));
        });
    stop->add_option("--state-dir", f->state_dir, kStateDirHelp);
    add_duration_option(*stop, "--timeout", f->stop_timeout_s, "how long to wait for a clean shutdown before SIGKILL")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600).description("1s to 1h"));
    stop->footer("Exit status: 0 stopped or not running (a stale pid file is removed), 1 failed.");
    CLI::App* status = add(
        "status", "Print whether the broker runs (pid, bootstrap address) and whether it answers metadata.",
        [](const BrokerFlags& f) {
            auto code = broker::status_and_report(f.state_dir, std::chrono::milliseconds(f.probe_ms), std_console());
            return code ? *code : broker_status("status", fail(code.error()));
        });
    status->add_option("--state-dir", f->state_dir, kStateDirHelp);
    status->add_option("--probe-timeout-ms", f->probe_ms, "how long to wait for the metadata answer")
        ->capture_default_str()
        ->check(CLI::Range(100, 600000));
    status->footer(
        "Prints `key: value` lines on stdout (state, pid, bootstrap, controller, cluster_id, answers_metadata).\n"
        "Exit status: 0 running and answering, 1 running but not answering, 3 stopped.");
}

void add_lag_command(CLI::App& kafka) {
    auto [lag_cmd, lag] = add_command<LagFlags>(
        kafka, "lag",
        "Print a consumer group's committed offset, the log end and the lag on every partition of a topic\n"
        "(any cluster, not only the local broker). Asks without joining the group: no rebalance.",
        run_lag);
    lag->kafka.add_to(*lag_cmd);
    lag_cmd->add_option("--group,-g", lag->group, "Consumer group, e.g. ticklake-sink")->required();
    lag_cmd->add_option("--topic,-t", lag->topic, "Topic")->required();
    lag_cmd->add_flag("--json", lag->json, "One JSON object per partition (committed is -1 when never committed)");
    lag_cmd->footer("COMMITTED '-' means the group never committed on that partition.");
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

    add_broker_commands(*kafka);
    add_lag_command(*kafka);
    add_topics_command(*kafka);
}

} // namespace ticklake::cli
