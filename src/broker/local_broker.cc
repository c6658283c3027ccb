#include "broker/local_broker.h"

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

#include "broker/broker_process.h"
#include "common/file_text.h"
#include "kafka/kafka_admin.h"

namespace ticklake::broker {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kTailLines = 20;
constexpr milliseconds kPollInterval{200};

milliseconds since(Clock::time_point t) { return std::chrono::duration_cast<milliseconds>(Clock::now() - t); }

void report(const ProgressFn& progress, BrokerProgress::Step step, std::string message, milliseconds elapsed = {}) {
    if (progress) {
        progress(BrokerProgress{step, std::move(message), elapsed});
    }
}

//! Write to a temporary name, then rename: a reader never sees half a file.
Status write_file(const fs::path& path, const std::string& text) {
    fs::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) {
            return fail(Error::fatal("cannot write " + tmp.string() + ": check the state dir is writable"));
        }
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        return fail(Error::fatal("cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message()));
    }
    return {};
}

template <class Int>
std::optional<Int> to_int(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
        s.remove_suffix(1);
    }
    Int v{};
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty()) {
        return std::nullopt;
    }
    return v;
}

std::vector<std::string> split_spaces(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string word; in >> word;) {
        out.push_back(word);
    }
    return out;
}

//! cluster.id=... of a formatted log dir, if any.
std::optional<std::string> formatted_cluster_id(const fs::path& data_dir) {
    auto text = read_file_text(data_dir / "meta.properties");
    if (!text) {
        return std::nullopt;
    }
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("cluster.id=")) {
            return line.substr(std::string_view("cluster.id=").size());
        }
    }
    return std::nullopt;
}

std::string port_busy_message(int port, const char* what) {
    return std::string("port ") + std::to_string(port) + " on 127.0.0.1 is in use" + what +
           ": stop what uses it or pass " + (std::string_view(what).empty() ? "--port N" : "--controller-port N");
}

} // namespace

LocalBrokerOptions LocalBrokerOptions::from_environment() {
    LocalBrokerOptions o;
    if (const char* env = std::getenv("TICKLAKE_KAFKA_HEAP_OPTS"); env != nullptr && *env != '\0') {
        o.heap_opts = env;
    }
    return o;
}

std::string default_state_dir() {
    const char* env = std::getenv("TICKLAKE_STATE_DIR");
    return env != nullptr && *env != '\0' ? env : ".state/kafka";
}

std::string render_broker_env(const BrokerRecord& r) {
    std::string s = "# Written by `ticklake kafka start`, removed by `ticklake kafka stop`; shell-sourceable.\n";
    s += "PID=" + std::to_string(r.pid) + "\n";
    s += "PORT=" + std::to_string(r.port) + "\n";
    s += "CONTROLLER_PORT=" + std::to_string(r.controller_port) + "\n";
    s += "BOOTSTRAP=" + r.bootstrap + "\n";
    s += "CLUSTER_ID=" + r.cluster_id + "\n";
    return s;
}

Result<BrokerRecord> parse_broker_env(const std::string& text) {
    BrokerRecord r;
    bool have_pid = false;
    bool have_port = false;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        auto eq = line.find('=');
        if (line.empty() || line[0] == '#' || eq == std::string::npos) {
            continue;
        }
        const std::string key = line.substr(0, eq);
        const std::string value = line.substr(eq + 1);
        if (key == "PID") {
            auto v = to_int<pid_t>(value);
            have_pid = v && *v > 0;
            r.pid = v.value_or(0);
        } else if (key == "PORT") {
            auto v = to_int<int>(value);
            have_port = v.has_value();
            r.port = v.value_or(0);
        } else if (key == "CONTROLLER_PORT") {
            r.controller_port = to_int<int>(value).value_or(0);
        } else if (key == "BOOTSTRAP") {
            r.bootstrap = value;
        } else if (key == "CLUSTER_ID") {
            r.cluster_id = value;
        }
    }
    if (!have_pid || !have_port) {
        return fail(Error::invalid("broker.env lacks a valid PID or PORT"));
    }
    if (r.bootstrap.empty()) {
        r.bootstrap = std::string(kLoopback) + ":" + std::to_string(r.port);
    }
    return r;
}

LocalBroker::LocalBroker(fs::path state_dir) : state_dir_(fs::absolute(std::move(state_dir)).lexically_normal()) {
    // lexically_normal keeps a trailing separator for "dir/"; drop it so paths compare.
    if (!state_dir_.has_filename() && state_dir_.has_parent_path() && state_dir_ != state_dir_.root_path()) {
        state_dir_ = state_dir_.parent_path();
    }
}

std::optional<BrokerRecord> LocalBroker::running_broker(bool* stale) const {
    if (stale) {
        *stale = false;
    }
    auto pid_text = read_file_text(pid_file());
    if (!pid_text) {
        return std::nullopt;
    }
    auto pid = to_int<pid_t>(*pid_text);
    if (!pid || !is_broker_process(*pid, properties_file())) {
        if (stale) {
            *stale = true;
        }
        return std::nullopt;
    }
    BrokerRecord record;
    if (auto env = read_file_text(env_file())) {
        if (auto parsed = parse_broker_env(*env)) {
            record = *parsed;
        }
    }
    record.pid = *pid;
    return record;
}

void LocalBroker::remove_run_files() const {
    std::error_code ec;
    fs::remove(pid_file(), ec);
    fs::remove(env_file(), ec);
}

std::string LocalBroker::log_tail(std::uintmax_t server_log_from) const {
    std::string out;
    auto add = [&out](const fs::path& file, const std::vector<std::string>& lines) {
        if (lines.empty()) {
            return;
        }
        out += "--- last lines of " + file.string() + " ---\n";
        for (const auto& l : lines) {
            out += l + "\n";
        }
    };
    add(server_log(), tail_lines(server_log(), kTailLines, server_log_from));
    add(jvm_output(), tail_lines(jvm_output(), kTailLines));
    if (out.empty()) {
        out = "(the broker wrote nothing to " + server_log().string() + " or " + jvm_output().string() + ")\n";
    }
    return out;
}

Result<std::string> LocalBroker::cluster_id_for_start(const KafkaRuntime& runtime, const ProgressFn& progress,
                                                      bool* formatted) {
    *formatted = false;
    const fs::path data = state_dir_ / "data";
    if (auto id = formatted_cluster_id(data)) {
        return *id;
    }
    // Reuse the id of an earlier format (data dir wiped by hand) so clients that cached it
    // see the same cluster; otherwise make a new one.
    std::string id;
    if (auto saved = read_file_text(state_dir_ / "cluster.id")) {
        std::string s = split_spaces(*saved).empty() ? "" : split_spaces(*saved).front();
        if (is_valid_cluster_id(s)) {
            id = s;
        }
    }
    if (id.empty()) {
        id = new_cluster_id();
        if (auto st = write_file(state_dir_ / "cluster.id", id + "\n"); !st) {
            return fail(st.error());
        }
    }
    report(progress, BrokerProgress::Step::formatting, "formatting " + data.string() + " (cluster id " + id + ")");
    auto run = run_and_capture({runtime.java.string(), "-cp", (runtime.libs_dir / "*").string(),
                                "-Dlog4j2.configurationFile=" + log4j_file().string(),
                                "kafka.tools.StorageTool", "format", "--standalone", "--cluster-id", id, "--config",
                                properties_file().string()},
                               std::chrono::minutes(2));
    if (!run) {
        return fail(Error::fatal("formatting " + data.string() + ": " + run.error().message));
    }
    if (run->exit_code != 0) {
        return fail(Error::fatal("formatting " + data.string() + " failed (exit " + std::to_string(run->exit_code) +
                                 "):\n" + run->output));
    }
    *formatted = true;
    return id;
}

namespace {

//! The client and controller ports a start uses: in range and different.
Result<std::pair<int, int>> chosen_ports(const LocalBrokerOptions& options) {
    const int port = options.port;
    const int controller_port = options.controller_port != 0 ? options.controller_port : port + 1;
    for (int p : {port, controller_port}) {
        if (p < 1 || p > 65535) {
            return fail(Error::invalid("port " + std::to_string(p) + " is out of range 1-65535"));
        }
    }
    if (port == controller_port) {
        return fail(Error::invalid("--port and --controller-port must differ (both " + std::to_string(port) + ")"));
    }
    return std::pair{port, controller_port};
}

Status ports_free(int port, int controller_port) {
    for (auto [p, what] : {std::pair{port, ""}, std::pair{controller_port, " (controller port)"}}) {
        auto busy = port_in_use(p);
        if (!busy) {
            return fail(busy.error());
        }
        if (*busy) {
            return fail(Error::invalid(port_busy_message(p, what)));
        }
    }
    return {};
}

} // namespace

Status LocalBroker::write_configs(const BrokerConfig& config) const {
    std::error_code ec;
    fs::create_directories(state_dir_ / "logs", ec);
    if (ec) {
        return fail(Error::fatal("cannot create " + (state_dir_ / "logs").string() + ": " + ec.message()));
    }
    if (auto st = write_file(properties_file(), render_server_properties(config)); !st) {
        return st;
    }
    return write_file(log4j_file(), render_log4j2_properties(state_dir_ / "logs"));
}

std::vector<std::string> LocalBroker::broker_argv(const KafkaRuntime& runtime, const std::string& heap_opts) const {
    std::vector<std::string> argv{runtime.java.string()};
    for (auto& flag : split_spaces(heap_opts)) {
        argv.push_back(flag);
    }
    for (const char* flag : {"-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
                             "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true"}) {
        argv.emplace_back(flag);
    }
    argv.push_back("-Dlog4j2.configurationFile=" + log4j_file().string());
    argv.push_back("-Dkafka.logs.dir=" + (state_dir_ / "logs").string());
    argv.insert(argv.end(), {"-cp", (runtime.libs_dir / "*").string(), "kafka.Kafka", properties_file().string()});
    return argv;
}

Result<pid_t> LocalBroker::spawn_broker(const std::vector<std::string>& argv, BrokerRecord& record,
                                        const ProgressFn& progress) {
    auto pid = spawn_detached(argv, state_dir_, jvm_output());
    if (!pid) {
        return fail(pid.error());
    }
    record.pid = *pid;
    // Written before the broker answers, so `stop` can end a broker that hangs while starting.
    if (auto st = write_file(pid_file(), std::to_string(*pid) + "\n"); !st) {
        signal_group(*pid, SIGKILL);
        return fail(st.error());
    }
    if (auto st = write_file(env_file(), render_broker_env(record)); !st) {
        signal_group(*pid, SIGKILL);
        remove_run_files();
        return fail(st.error());
    }
    report(progress, BrokerProgress::Step::spawned,
           "started broker pid " + std::to_string(*pid) + ", logs in " + (state_dir_ / "logs").string());
    return *pid;
}

Status LocalBroker::wait_until_answering(BrokerRecord& record, const LocalBrokerOptions& options,
                                         std::uintmax_t log_from, const ProgressFn& progress) {
    const auto began = Clock::now();
    const auto deadline = began + options.start_timeout;
    const KafkaClientConfig client{record.bootstrap, {}};
    for (;;) {
        if (!is_broker_process(record.pid, properties_file())) {
            remove_run_files();
            return fail(Error::fatal("the Kafka broker exited while starting (pid " + std::to_string(record.pid) +
                                     ").\n" + log_tail(log_from)));
        }
        auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        if (left <= milliseconds::zero()) {
            break;
        }
        auto info = probe_cluster(client, std::min(left, milliseconds(1000)));
        if (info) {
            if (!info->cluster_id.empty()) {
                record.cluster_id = info->cluster_id;
            }
            return {};
        }
        report(progress, BrokerProgress::Step::waiting, "waiting for the broker to answer on " + record.bootstrap,
               since(began));
        std::this_thread::sleep_for(kPollInterval);
    }
    // Never leave a half-started broker behind: a later start would find its pid file and
    // report it as running.
    auto stopped = stop(std::chrono::seconds(10), progress);
    (void)stopped;  // the timeout below is the error to report; stop only cleans up
    return fail(Error::fatal("the Kafka broker did not answer on " + record.bootstrap + " within " +
                             std::to_string(options.start_timeout.count() / 1000) +
                             " s and was stopped; pass a larger --timeout on a slow machine.\n" + log_tail(log_from)));
}

Result<StartOutcome> LocalBroker::start(const LocalBrokerOptions& options, const KafkaRuntime& runtime,
                                        const ProgressFn& progress) {
    auto ports = chosen_ports(options);
    if (!ports) {
        return fail(ports.error());
    }
    bool stale = false;
    if (auto running = running_broker(&stale)) {
        return StartOutcome{*running, true, false};
    }
    if (stale) {
        report(progress, BrokerProgress::Step::stale_pid,
               "removing stale " + pid_file().string() + " (its process is gone or is not this broker)");
        remove_run_files();
    }
    BrokerConfig config;
    std::tie(config.port, config.controller_port) = *ports;
    config.data_dir = state_dir_ / "data";
    config.auto_create_topics = options.auto_create_topics;
    if (auto st = ports_free(config.port, config.controller_port); !st) {
        return fail(st.error());
    }
    if (auto st = write_configs(config); !st) {
        return fail(st.error());
    }
    StartOutcome outcome;
    auto cluster_id = cluster_id_for_start(runtime, progress, &outcome.formatted);
    if (!cluster_id) {
        return fail(cluster_id.error());
    }
    // Only this run's lines matter when it dies: broker.out starts empty, server.log is
    // read from its current end.
    if (auto st = write_file(jvm_output(), ""); !st) {
        return fail(st.error());
    }
    std::error_code ec;
    const std::uintmax_t log_from = fs::exists(server_log(), ec) ? fs::file_size(server_log(), ec) : 0;
    outcome.record = BrokerRecord{0, config.port, config.controller_port, config.bootstrap(), *cluster_id};
    if (auto pid = spawn_broker(broker_argv(runtime, options.heap_opts), outcome.record, progress); !pid) {
        return fail(pid.error());
    }
    if (auto st = wait_until_answering(outcome.record, options, log_from, progress); !st) {
        return fail(st.error());
    }
    return outcome;
}

Result<StopOutcome> LocalBroker::stop(milliseconds timeout, const ProgressFn& progress) {
    StopOutcome outcome;
    auto record = running_broker(&outcome.stale_pid_file);
    if (!record) {
        if (outcome.stale_pid_file) {
            remove_run_files();
        }
        return outcome;
    }
    const pid_t pid = record->pid;
    outcome.was_running = true;
    outcome.pid = pid;

    auto wait_gone = [pid](milliseconds limit, const std::function<void(milliseconds)>& tick) {
        const auto began = Clock::now();
        while (process_alive(pid)) {
            if (since(began) >= limit) {
                return false;
            }
            if (tick) {
                tick(since(began));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return true;
    };

    signal_group(pid, SIGTERM);
    report(progress, BrokerProgress::Step::stopping, "sent SIGTERM to broker pid " + std::to_string(pid));
    bool gone = wait_gone(timeout, [&](milliseconds elapsed) {
        report(progress, BrokerProgress::Step::stopping, "waiting for broker pid " + std::to_string(pid) + " to exit",
               elapsed);
    });
    if (!gone) {
        outcome.killed = true;
        report(progress, BrokerProgress::Step::killing,
               "broker pid " + std::to_string(pid) + " still running after " +
                   std::to_string(timeout.count() / 1000) + " s: sending SIGKILL");
        signal_group(pid, SIGKILL);
        if (!wait_gone(std::chrono::seconds(10), {})) {
            return fail(Error::fatal("broker pid " + std::to_string(pid) +
                                     " survived SIGKILL; check `ps -o pid,stat,cmd -p " + std::to_string(pid) + "`"));
        }
    }
    remove_run_files();
    return outcome;
}

Result<BrokerStatus> LocalBroker::status(milliseconds probe_timeout) {
    BrokerStatus st;
    auto record = running_broker(&st.stale_pid_file);
    if (!record) {
        return st;
    }
    st.running = true;
    st.record = record;
    if (record->bootstrap.empty()) {
        st.probe_error = "no bootstrap address in " + env_file().string();
        return st;
    }
    auto info = probe_cluster(KafkaClientConfig{record->bootstrap, {}}, probe_timeout);
    if (info) {
        st.answering = true;
        st.broker_count = info->broker_count;
        if (!info->cluster_id.empty()) {
            st.record->cluster_id = info->cluster_id;
        }
    } else {
        st.probe_error = info.error().message;
    }
    return st;
}

} // namespace ticklake::broker
