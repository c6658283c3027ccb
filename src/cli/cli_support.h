// Pieces every subcommand shares: Kafka options, signals, durations.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/console.h"
#include "common/error.h"
#include "common/quantity.h"
#include "kafka/kafka_client_config.h"
#include "storage/object_store.h"

namespace ticklake::cli {

//! --brokers, -F FILE (librdkafka properties) and repeatable -X key=value (passed to librdkafka
//! as kcat does). Values may hold ${env:NAME} and ${file:PATH} (common/secret_reference.h).
struct KafkaFlags {
    std::string brokers;
    std::string properties_file;
    std::vector<std::string> settings;
    bool msk_iam = false; //!< --msk-iam: -X sasl.mechanism=AWS_MSK_IAM after the user's -X
    void add_to(CLI::App& cmd);
    //! -F's settings, then -X's (so -X wins), references resolved.
    Result<KafkaClientConfig> config() const;
};

//! The KEY=VALUE lines of a librdkafka properties file (as kcat -F reads it): blank lines and
//! lines starting with # are skipped, spaces around KEY and VALUE trimmed. References in values
//! are not resolved here. A line without '=' is an invalid_argument error naming its number.
Result<std::vector<std::pair<std::string, std::string>>> read_librdkafka_properties(const std::string& path);

//! --s3-endpoint and the multipart settings, for every command that opens a warehouse;
//! --s3-sse and --s3-sse-kms-key-id for those that write to it.
struct StorageFlags {
    std::string s3_endpoint;
    double multipart_threshold_mib = 16;
    double part_size_mib = 8;
    int upload_concurrency = 8;
    std::string sse;
    std::string sse_kms_key_id;
    void add_to(CLI::App& cmd, bool writes = false);
    Result<ObjectStoreOptions> options() const;
};

//! --catalog PATH for every command that touches the catalog; empty means the default
//! (TICKLAKE_CATALOG, else the per-user file: see catalog/catalog.h default_catalog_path()).
struct CatalogFlags {
    std::string path;
    //! `reads_only`: the command only reads the catalog, so --help does not promise to create it.
    void add_to(CLI::App& cmd, bool reads_only = false);
    std::filesystem::path file() const; //!< path, else the default
};

//! --progress and --no-progress: a status line every second, by default only on a terminal.
struct ProgressFlags {
    bool progress = false;
    bool no_progress = false;
    void add_to(CLI::App& cmd);
    bool enabled() const;
};

//! Set when SIGINT or SIGTERM arrives (installed by install_stop_signals).
extern std::atomic<bool> stop_requested;
void install_stop_signals();

//! Turns a duration flag's text (common/quantity.h: "250ms", "30s", "5m", "1h", plain seconds)
//! into plain seconds before CLI11 converts it; `whole_seconds` refuses fractions (int fields).
CLI::Validator duration_as_seconds(bool whole_seconds);

//! A flag that holds seconds in `seconds` and takes any duration: every duration flag is added
//! here, so all of them read `30s`, `5m` and `30` the same way.
template <class T>
CLI::Option* add_duration_option(CLI::App& cmd, const std::string& name, T& seconds, const std::string& help) {
    return cmd.add_option(name, seconds, help)
        ->transform(duration_as_seconds(std::is_integral_v<T>))
        ->type_name("DURATION");
}

//! Exit status of a usage error: an unknown command or flag, a missing or malformed value
//! (CLI11's own codes, 105 to 114, are folded into this one).
inline constexpr int kUsageErrorExit = 2;

//! The known names closest to `typed` by edit distance (typos, swapped letters, a missing
//! dash), nearest first, at most three; empty when nothing is close enough to be a guess.
std::vector<std::string> did_you_mean(std::string_view typed, const std::vector<std::string>& known);

//! What to print for a parse error of `app`'s command line: CLI11's message, the command it
//! concerns, "did you mean" for mistyped commands and flags, and where --help is. Ends with '\n'.
std::string usage_error_message(CLI::App& app, const CLI::ParseError& e);

//! Prints "ticklake <cmd>: error: <message>" on stderr and returns the exit code for it.
int report_error(const char* command, const Error& e);
//! 0 when `r` holds a value, else report_error's code.
template <class T>
int exit_status(const char* command, const Result<T>& r) {
    return r ? 0 : report_error(command, r.error());
}

//! Stdout and stderr, each write flushed so progress lines show at once.
Console std_console();

//! Set by the subcommand that ran; main returns it.
extern int exit_code;

//! Adds subcommand `name` whose flags live in one F that its callback shares; running it sets
//! exit_code to run(F&). Returns the subcommand and the flags to bind options to.
template <class F, class Run>
std::pair<CLI::App*, std::shared_ptr<F>> add_command(CLI::App& parent, const std::string& name,
                                                    const std::string& help, Run run) {
    auto f = std::make_shared<F>();
    CLI::App* cmd = parent.add_subcommand(name, help);
    cmd->callback([f, run] { exit_code = run(*f); });
    return {cmd, f};
}

bool stderr_is_terminal();

//! The global --log-level and --log-format flags; the format defaults to text with the time when
//! stderr is not a terminal and to the bare message on one (common/log.h).
void add_log_options(CLI::App& app);
//! --metrics-addr HOST:PORT of the long-running commands (sink, produce): docs/metrics.md.
void add_metrics_addr_option(CLI::App& cmd, std::string& address);

} // namespace ticklake::cli
