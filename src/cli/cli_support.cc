#include "cli/cli_support.h"
#include "catalog/catalog.h"
#include "common/file_text.h"
#include "common/log.h"
#include "common/quantity.h"
#include "common/secret_reference.h"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ticklake::cli {

std::atomic<bool> stop_requested{false};
int exit_code = 0;

void KafkaFlags::add_to(CLI::App& cmd) {
    const char* env = std::getenv("TICKLAKE_BROKERS");
    brokers = env ? env : "127.0.0.1:9092";
    cmd.add_option("--brokers,-b", brokers, "Kafka bootstrap servers, HOST:PORT[,...] (env TICKLAKE_BROKERS)")
        ->capture_default_str();
    cmd.add_option("-F", properties_file,
                   "librdkafka properties file: KEY=VALUE lines, # comments (as kcat -F); -X wins over it")
        ->type_name("FILE");
    cmd.add_option("-X", settings,
                   "librdkafka setting KEY=VALUE, repeatable, applied last (e.g. -X security.protocol=SASL_SSL "
                   "-X sasl.mechanisms=PLAIN); see librdkafka's CONFIGURATION.md. Values of -X and -F may name "
                   "secrets as ${env:NAME} or ${file:PATH} (docs/config.md)");
    cmd.add_flag("--msk-iam", msk_iam,
                 "Amazon MSK IAM authentication: SASL/OAUTHBEARER with tokens signed by the AWS credential chain "
                 "(same as -X sasl.mechanism=AWS_MSK_IAM; SASL_SSL unless -X security.protocol is given)");
}

namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

} // namespace

Result<std::vector<std::pair<std::string, std::string>>> read_librdkafka_properties(const std::string& path) {
    auto text = read_file_text(path);
    if (!text) {
        return fail(Error::invalid("-F " + path + ": cannot read the file"));
    }
    std::vector<std::pair<std::string, std::string>> out;
    std::string_view rest = *text;
    for (int number = 1; !rest.empty(); ++number) {
        const size_t end = rest.find('\n');
        const std::string_view line = trimmed(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const size_t eq = line.find('=');
        if (eq == std::string_view::npos || trimmed(line.substr(0, eq)).empty()) {
            // The line itself is not shown: it may hold a secret.
            return fail(Error::invalid(fmt::format("-F {}: line {} is not KEY=VALUE", path, number)));
        }
        out.emplace_back(trimmed(line.substr(0, eq)), trimmed(line.substr(eq + 1)));
    }
    return out;
}

Result<KafkaClientConfig> KafkaFlags::config() const {
    KafkaClientConfig c;
    c.brokers = brokers;
    if (!properties_file.empty()) {
        auto from_file = read_librdkafka_properties(properties_file);
        if (!from_file) {
            return fail(from_file.error());
        }
        c.extra = std::move(*from_file);
    }
    for (const auto& s : settings) {
        auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            // Only the key is shown: the value may be a secret.
            const std::string shown = eq == std::string::npos ? s : s.substr(0, eq) + "=...";
            return fail(Error::invalid("-X expects KEY=VALUE, got '" + shown + "'"));
        }
        c.extra.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }
    if (msk_iam) {
        c.extra.emplace_back("sasl.mechanism", "AWS_MSK_IAM");
    }
    for (auto& [key, value] : c.extra) {
        auto resolved = resolve_secret_references(value, key);
        if (!resolved) {
            return fail(resolved.error());
        }
        value = std::move(*resolved);
    }
    return c;
}

void StorageFlags::add_to(CLI::App& cmd, bool writes) {
    cmd.add_option("--s3-endpoint", s3_endpoint,
                   "S3-compatible endpoint for s3:// URIs, e.g. http://127.0.0.1:9000 for MinIO (default: "
                   "AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's endpoint_url, else AWS)");
    cmd.add_option("--s3-multipart-threshold-mib", multipart_threshold_mib,
                   "Files of at least this size go to S3 as a multipart upload")
        ->capture_default_str();
    cmd.add_option("--s3-part-size-mib", part_size_mib, "Multipart part size (S3 needs at least 5 MiB)")
        ->capture_default_str();
    cmd.add_option("--s3-upload-concurrency", upload_concurrency, "Parts of one file uploaded in parallel")
        ->capture_default_str();
    if (!writes) {
        return;
    }
    cmd.add_option("--s3-sse", sse,
                   "Server-side encryption of every S3 object written: AES256 (SSE-S3) or aws:kms (SSE-KMS) "
                   "(default: the bucket's default encryption)")
        ->check(CLI::IsMember({"AES256", "aws:kms"}))
        ->type_name("ALGORITHM");
    cmd.add_option("--s3-sse-kms-key-id", sse_kms_key_id,
                   "KMS key (id, ARN or alias/NAME) for --s3-sse aws:kms (default: the account's aws/s3 key)")
        ->type_name("KEY");
}

Result<ObjectStoreOptions> StorageFlags::options() const {
    ObjectStoreOptions o;
    o.s3_endpoint = s3_endpoint;
    if (!sse_kms_key_id.empty() && sse != "aws:kms") {
        return fail(Error::invalid("--s3-sse-kms-key-id needs --s3-sse aws:kms"));
    }
    o.s3_sse = sse;
    o.s3_sse_kms_key_id = sse_kms_key_id;
    if (part_size_mib < 5 || part_size_mib > 5 * 1024) {
        return fail(Error::invalid("--s3-part-size-mib must be between 5 and 5120 (S3's part size limits)"));
    }
    if (multipart_threshold_mib < 5) {
        return fail(Error::invalid("--s3-multipart-threshold-mib must be at least 5 (S3's smallest part)"));
    }
    if (upload_concurrency < 1 || upload_concurrency > 64) {
        return fail(Error::invalid("--s3-upload-concurrency must be between 1 and 64"));
    }
    o.part_size = static_cast<uint64_t>(part_size_mib * (1 << 20));
    o.multipart_threshold = static_cast<uint64_t>(multipart_threshold_mib * (1 << 20));
    o.upload_concurrency = upload_concurrency;
    return o;
}

void CatalogFlags::add_to(CLI::App& cmd, bool reads_only) {
    cmd.add_option("--catalog", path,
                   std::string(reads_only ? "Catalog file to read (SQLite; a missing file is an error, never created "
                                            "here)"
                                          : "Catalog file (SQLite; created when missing)") +
                       ". Default: $TICKLAKE_CATALOG, else $XDG_DATA_HOME/ticklake/catalog.db or "
                       "~/.local/share/ticklake/catalog.db, one per user");
}

std::filesystem::path CatalogFlags::file() const { return path.empty() ? default_catalog_path() : std::filesystem::path(path); }

void ProgressFlags::add_to(CLI::App& cmd) {
    cmd.add_flag("--progress", progress, "Print a status line every second (default: when on a terminal)");
    cmd.add_flag("--no-progress", no_progress, "Never print the status line");
}

bool ProgressFlags::enabled() const { return progress || (!no_progress && stderr_is_terminal()); }

namespace {
void on_stop_signal(int) { stop_requested.store(true); }
} // namespace

void install_stop_signals() {
    struct sigaction sa{};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

CLI::Validator duration_as_seconds(bool whole_seconds) {
    return CLI::Validator(
        [whole_seconds](std::string& text) -> std::string {
            auto us = parse_duration_us(text);
            if (!us) {
                return us.error().message;
            }
            if (whole_seconds && *us % 1'000'000 != 0) {
                return "takes whole seconds (e.g. 30s, 5m, 1h), not '" + text + "'";
            }
            text = whole_seconds ? std::to_string(*us / 1'000'000) : fmt::format("{}", static_cast<double>(*us) / 1e6);
            return {};
        },
        "", "duration"); // no description: the option's type name says DURATION
}

namespace {

//! Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
//! neighbours each cost 1 ("--untl-idle", "catlaog").
size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) {
        d[i][0] = i;
    }
    for (size_t j = 0; j <= b.size(); ++j) {
        d[0][j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

//! The command the error concerns: the last subcommand on the line that CLI11 matched.
CLI::App* deepest_command(CLI::App& app) {
    CLI::App* cur = &app;
    for (;;) {
        auto parsed = cur->get_subcommands();
        auto named = std::find_if(parsed.begin(), parsed.end(), [](CLI::App* s) { return !s->get_name().empty(); });
        if (named == parsed.end()) {
            return cur;
        }
        cur = *named;
    }
}

std::string command_path(const CLI::App* cmd) {
    std::string path;
    for (const CLI::App* c = cmd; c != nullptr; c = c->get_parent()) {
        if (!c->get_name().empty() && c->get_parent() != nullptr) {
            path = c->get_name() + (path.empty() ? "" : " " + path);
        }
    }
    return path.empty() ? "ticklake" : "ticklake " + path;
}

//! Names of `cmd`'s flags, including those of its option groups ("--until-idle", "-t").
std::vector<std::string> flag_names(CLI::App* cmd) {
    std::vector<std::string> names;
    auto add = [&](CLI::App* a) {
        for (const CLI::Option* o : a->get_options()) {
            for (const auto& l : o->get_lnames()) {
                names.push_back("--" + l);
            }
            for (const auto& s : o->get_snames()) {
                names.push_back("-" + s);
            }
        }
    };
    add(cmd);
    for (CLI::App* group : cmd->get_subcommands([](CLI::App* s) { return s->get_name().empty(); })) {
        add(group);
    }
    return names;
}

std::vector<std::string> subcommand_names(CLI::App* cmd) {
    std::vector<std::string> names;
    for (CLI::App* s : cmd->get_subcommands([](CLI::App* s) { return !s->get_name().empty(); })) {
        names.push_back(s->get_name());
    }
    return names;
}

std::string quoted_list(const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) {
        out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + ("'" + names[i] + "'");
    }
    return out;
}

} // namespace

std::vector<std::string> did_you_mean(std::string_view typed, const std::vector<std::string>& known) {
    // Dashes are free to get wrong: compare "--untilidle" and "-until-idle" by their words.
    auto core = [](std::string_view s) {
        while (!s.empty() && s.front() == '-') {
            s.remove_prefix(1);
        }
        return s;
    };
    const std::string_view t = core(typed);
    if (t.empty()) {
        return {};
    }
    // Up to a third of the letters may be wrong (at least one): "ctalog" yes, "kafka" for "sink" no.
    const size_t limit = std::max<size_t>(1, t.size() / 3);
    std::vector<std::pair<size_t, std::string>> scored;
    for (const auto& name : known) {
        const std::string_view n = core(name);
        size_t d = edit_distance(t, n);
        if (d > limit && t.size() >= 3 && n.starts_with(t)) {
            d = limit; // an unfinished name: "--until" -> "--until-idle"
        }
        if (d <= limit && std::none_of(scored.begin(), scored.end(), [&](const auto& s) { return s.second == name; })) {
            scored.emplace_back(d, name);
        }
    }
    std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (const auto& [d, name] : scored) {
        if (out.size() == 3 || d > scored.front().first) {
            break;
        }
        out.push_back(name);
    }
    return out;
}

std::string usage_error_message(CLI::App& app, const CLI::ParseError& e) {
    CLI::App* cmd = deepest_command(app);
    const std::string where = command_path(cmd);
    const std::vector<std::string> subcommands = subcommand_names(cmd);
    std::string message = e.what();
    std::string hint;
    for (const std::string& word : app.remaining(true)) {
        const bool flag = word.starts_with("-");
        if (!flag && subcommands.empty()) {
            continue; // an extra argument of a command that takes none: CLI11's message says it
        }
        const std::string name = flag ? word.substr(0, word.find('=')) : word;
        const auto guesses = did_you_mean(name, flag ? flag_names(cmd) : subcommands);
        if (!flag) {
            message = fmt::format("unknown command '{}' (commands: {})", word, fmt::join(subcommands, ", "));
        }
        if (!guesses.empty()) {
            hint = "did you mean " + quoted_list(guesses) + "?";
        }
        break; // the first unknown word is the one to fix
    }
    std::string out = where + ": error: " + message + "\n";
    if (!hint.empty()) {
        out += where + ": " + hint + "\n";
    }
    out += "Run `" + where + " --help` for its commands and flags.\n";
    return out;
}

int report_error(const char* command, const Error& e) {
    // Through the logger, so a service logging json gets its failure as a json line too.
    log::error("ticklake {}: error: {}", command, e.message);
    return e.kind == ErrorKind::invalid_argument ? 2 : 1;
}

Console std_console() {
    auto to = [](std::FILE* stream) {
        return [stream](std::string_view text) {
            std::fwrite(text.data(), 1, text.size(), stream);
            std::fflush(stream);
        };
    };
    return {to(stdout), to(stderr)};
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

void add_log_options(CLI::App& app) {
    // A person at a terminal reads the bare message; a service's log (a pipe, a file, journald)
    // needs the time and level of each line.
    log::set_format(stderr_is_terminal() ? log::Format::bare : log::Format::text);
    app.add_option_function<std::string>(
           "--log-level", [](const std::string& name) { log::set_level(log::parse_level(name).value()); },
           "Lowest level of the log lines on stderr: trace, debug, info, warn, error (default info)")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
    app.add_option_function<std::string>(
           "--log-format", [](const std::string& name) { log::set_format(log::parse_format(name).value()); },
           "Log lines on stderr: text (UTC time with milliseconds, level, message; the default, without the "
           "time on a terminal) or json (one object per line: ts, level, component, msg)")
        ->check(CLI::IsMember({"text", "json"}));
}

void add_metrics_addr_option(CLI::App& cmd, std::string& address) {
    cmd.add_option("--metrics-addr", address,
                   "Serve Prometheus metrics on http://HOST:PORT/metrics, with /healthz (alive) and /readyz "
                   "(ready, else 503 and why), e.g. 127.0.0.1:9464; port 0 picks a free one and logs it. Off by "
                   "default. Any address is bound as given: keep it on loopback unless the port is firewalled "
                   "(docs/metrics.md)")
        ->type_name("HOST:PORT");
}

} // namespace ticklake::cli
