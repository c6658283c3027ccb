#include "broker/broker_report.h"

#include <utility>

#include <fmt/format.h>

namespace ticklake::broker {

namespace {

std::string stop_hint(const LocalBroker& b) { return "ticklake kafka stop --state-dir " + b.state_dir().string(); }

} // namespace

std::string ProgressText::on(const BrokerProgress& p) {
    const bool ticking = p.step == BrokerProgress::Step::waiting || p.step == BrokerProgress::Step::stopping;
    std::string out;
    if (ticking && p.elapsed.count() > 0) {
        if (terminal_) {
            out = fmt::format("\r{} ... {}s ", p.message, p.elapsed.count() / 1000);
            open_line_ = true;
        } else if (p.message != last_) {
            out = p.message + " ...\n";
        }
    } else {
        out = finish() + p.message + "\n";
    }
    last_ = p.message;
    return out;
}

std::string ProgressText::finish() {
    const bool was_open = std::exchange(open_line_, false);
    return was_open ? "\n" : "";
}

std::string start_report(const StartOutcome& outcome, const LocalBroker& broker, const KafkaRuntime& runtime,
                         int requested_port) {
    const BrokerRecord& r = outcome.record;
    if (!outcome.already_running) {
        return fmt::format("Kafka broker running at {} (pid {}, cluster id {}, Java {}, jars {}).\n"
                           "State and logs in {}. Stop it with `{}`.\n",
                           r.bootstrap, r.pid, r.cluster_id, runtime.java_major, runtime.libs_dir.string(),
                           broker.state_dir().string(), stop_hint(broker));
    }
    std::string out = fmt::format("a Kafka broker from {} is already running at {} (pid {}); nothing started.\n",
                                  broker.state_dir().string(), r.bootstrap, r.pid);
    if (r.port != 0 && r.port != requested_port) {
        out += fmt::format("note: it listens on port {}, not the requested {}: `{}` first to change ports.\n", r.port,
                           requested_port, stop_hint(broker));
    }
    return out;
}

std::string stop_report(const StopOutcome& outcome, const LocalBroker& broker, int timeout_s) {
    if (!outcome.was_running) {
        return fmt::format("no Kafka broker is running from {}{}.\n", broker.state_dir().string(),
                           outcome.stale_pid_file ? " (removed a stale pid file)" : "");
    }
    if (outcome.killed) {
        return fmt::format("Kafka broker pid {} did not exit within {} s and was killed (SIGKILL).\n", outcome.pid,
                           timeout_s);
    }
    return fmt::format("Kafka broker pid {} stopped.\n", outcome.pid);
}

std::string status_report(const BrokerStatus& st, const LocalBroker& broker) {
    std::string out = "state_dir: " + broker.state_dir().string() + "\n";
    if (!st.running) {
        out += "state: stopped\n";
        if (st.stale_pid_file) {
            out += "note: stale pid file " + broker.pid_file().string() +
                   " (its process is gone); `ticklake kafka stop` removes it\n";
        }
        return out;
    }
    const BrokerRecord& r = *st.record;
    out += fmt::format("state: running\npid: {}\nbootstrap: {}\n", r.pid, r.bootstrap);
    if (r.controller_port != 0) {
        out += fmt::format("controller: 127.0.0.1:{}\n", r.controller_port);
    }
    if (!r.cluster_id.empty()) {
        out += "cluster_id: " + r.cluster_id + "\n";
    }
    out += fmt::format("answers_metadata: {}\n", st.answering ? "yes" : "no");
    if (!st.answering) {
        out += "probe_error: " + st.probe_error + "\nlog: " + broker.server_log().string() + "\n";
    }
    return out;
}

int status_exit_code(const BrokerStatus& status) {
    if (!status.running) {
        return 3;
    }
    return status.answering ? 0 : 1;
}

Status start_and_report(const std::string& state_dir, const LocalBrokerOptions& options, const Console& console,
                        bool terminal) {
    auto runtime = locate_kafka_runtime();
    if (!runtime) {
        return fail(runtime.error());
    }
    LocalBroker broker(state_dir);
    ProgressText text(terminal);
    auto started = broker.start(options, *runtime, [&](const BrokerProgress& p) { console.err(text.on(p)); });
    console.err(text.finish());
    if (!started) {
        return fail(started.error());
    }
    console.err(start_report(*started, broker, *runtime, options.port));
    console.out(started->record.bootstrap + "\n");
    return {};
}

Status stop_and_report(const std::string& state_dir, int timeout_s, const Console& console, bool terminal) {
    LocalBroker broker(state_dir);
    ProgressText text(terminal);
    auto stopped =
        broker.stop(std::chrono::seconds(timeout_s), [&](const BrokerProgress& p) { console.err(text.on(p)); });
    console.err(text.finish());
    if (!stopped) {
        return fail(stopped.error());
    }
    console.err(stop_report(*stopped, broker, timeout_s));
    return {};
}

Result<int> status_and_report(const std::string& state_dir, std::chrono::milliseconds probe_timeout,
                              const Console& console) {
    LocalBroker broker(state_dir);
    auto st = broker.status(probe_timeout);
    if (!st) {
        return fail(st.error());
    }
    console.out(status_report(*st, broker));
    return status_exit_code(*st);
}

} // namespace ticklake::broker
