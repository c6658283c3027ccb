// A single-node Kafka (KRaft) broker on 127.0.0.1 for local runs and tests, kept in one
// state dir: start (format once, spawn detached, wait until it answers metadata), stop,
// status. The library never prints; start and stop report steps through a callback.
//
// State dir layout:
//   server.properties, log4j2.properties   rewritten on every start
//   cluster.id                             written once; restarts keep the data
//   data/                                  log.dirs (topics, __cluster_metadata)
//   logs/server.log, logs/broker.out       broker log (log4j2), JVM stdout/stderr
//   broker.pid, broker.env                 present while a broker from this dir runs
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>
#include <sys/types.h>

#include "broker/broker_config.h"
#include "broker/kafka_runtime.h"
#include "common/error.h"

namespace ticklake::broker {

//! What `start` was asked for; the state dir is the LocalBroker's.
struct LocalBrokerOptions {
    int port = 9092;                                        //!< client (PLAINTEXT) port
    int controller_port = 0;                                //!< 0 = port + 1
    std::string heap_opts = "-Xms256m -Xmx1g";              //!< JVM heap flags, split on spaces
    std::chrono::milliseconds start_timeout{60'000};        //!< until it answers metadata
    std::chrono::milliseconds stop_timeout{30'000};         //!< SIGTERM grace before SIGKILL
    bool auto_create_topics = true;                         //!< auto.create.topics.enable

    //! The defaults, with heap_opts from $TICKLAKE_KAFKA_HEAP_OPTS when set.
    static LocalBrokerOptions from_environment();
};

//! $TICKLAKE_STATE_DIR when set, else ".state/kafka".
std::string default_state_dir();

//! broker.env: what a running broker of this state dir is.
struct BrokerRecord {
    pid_t pid = 0;
    int port = 0;
    int controller_port = 0;
    std::string bootstrap;   //!< host:port for clients
    std::string cluster_id;
};

std::string render_broker_env(const BrokerRecord& record);
//! invalid_argument when PID or PORT is missing or not a number.
Result<BrokerRecord> parse_broker_env(const std::string& text);

//! A step of start/stop worth telling a human about.
struct BrokerProgress {
    enum class Step { formatting, spawned, waiting, stale_pid, stopping, killing };
    Step step;
    std::string message;
    std::chrono::milliseconds elapsed{0};  //!< since the step began (waiting, stopping)
};
using ProgressFn = std::function<void(const BrokerProgress&)>;

struct StartOutcome {
    BrokerRecord record;
    bool already_running = false;  //!< nothing was started; record is the running broker
    bool formatted = false;        //!< the data dir was formatted by this start
};

struct StopOutcome {
    bool was_running = false;
    bool killed = false;           //!< SIGTERM was not enough
    bool stale_pid_file = false;   //!< a pid file was left by a broker that is gone
    pid_t pid = 0;
};

struct BrokerStatus {
    bool running = false;
    bool answering = false;        //!< answered a metadata request within the probe timeout
    bool stale_pid_file = false;
    std::optional<BrokerRecord> record;  //!< set when running
    int broker_count = 0;          //!< from the metadata answer
    std::string probe_error;       //!< why it did not answer
};

//! One state dir. Not thread-safe; two processes driving the same dir at once are not
//! guarded against beyond the pid checks (and Kafka's own lock on its log dir).
class LocalBroker {
public:
    explicit LocalBroker(std::filesystem::path state_dir);

    const std::filesystem::path& state_dir() const { return state_dir_; }

    //! Starts a broker unless one from this state dir runs already (then already_running,
    //! whatever port was asked for). invalid_argument when a port is busy; fatal when Java
    //! or the jars are missing, the broker dies while starting or does not answer in time
    //! (it is then stopped; the error carries the tail of its log).
    Result<StartOutcome> start(const LocalBrokerOptions& options, const KafkaRuntime& runtime,
                               const ProgressFn& progress = {});

    //! SIGTERM to the broker's process group, SIGKILL after `timeout`. Not running is fine.
    Result<StopOutcome> stop(std::chrono::milliseconds timeout, const ProgressFn& progress = {});

    //! Read-only: pid file, process check, one metadata probe of probe_timeout.
    Result<BrokerStatus> status(std::chrono::milliseconds probe_timeout);

    //! The running broker of this dir, or std::nullopt (no pid file, or it is stale).
    //! stale is set when a pid file exists but names no broker of this dir.
    std::optional<BrokerRecord> running_broker(bool* stale = nullptr) const;

    std::filesystem::path properties_file() const { return state_dir_ / "server.properties"; }
    std::filesystem::path log4j_file() const { return state_dir_ / "log4j2.properties"; }
    std::filesystem::path pid_file() const { return state_dir_ / "broker.pid"; }
    std::filesystem::path env_file() const { return state_dir_ / "broker.env"; }
    std::filesystem::path server_log() const { return state_dir_ / "logs" / "server.log"; }
    std::filesystem::path jvm_output() const { return state_dir_ / "logs" / "broker.out"; }

private:
    Result<std::string> cluster_id_for_start(const KafkaRuntime& runtime, const ProgressFn& progress, bool* formatted);
    // The steps of start().
    Status write_configs(const BrokerConfig& config) const;
    std::vector<std::string> broker_argv(const KafkaRuntime& runtime, const std::string& heap_opts) const;
    //! Spawns the JVM and writes the pid and env files; sets record.pid.
    Result<pid_t> spawn_broker(const std::vector<std::string>& argv, BrokerRecord& record, const ProgressFn& progress);
    //! Until the broker answers metadata (record.cluster_id then comes from it), dies, or
    //! options.start_timeout passes (it is then stopped).
    Status wait_until_answering(BrokerRecord& record, const LocalBrokerOptions& options, std::uintmax_t log_from,
                                const ProgressFn& progress);
    void remove_run_files() const;
    std::string log_tail(std::uintmax_t server_log_from) const;

    std::filesystem::path state_dir_;  //!< absolute
};

} // namespace ticklake::broker
