#include "cli/cli_support.h"
#include "catalog/catalog.h"
#include "common/quantity.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace ticklake::cli {

std::atomic<bool> stop_requested{false};
int exit_code = 0;

void KafkaFlags::add_to(CLI::App& cmd) {
    const char* env = std::getenv("TICKLAKE_BROKERS");
    brokers = env ? env : "127.0.0.1:9092";
    cmd.add_option("--brokers,-b", brokers, "Kafka bootstrap servers, HOST:PORT[,...] (env TICKLAKE_BROKERS)")
        ->capture_default_str();
    cmd.add_option("-X", settings,
                   "librdkafka setting KEY=VALUE, repeatable, applied last (e.g. -X security.protocol=SASL_SSL "
                   "-X sasl.mechanisms=PLAIN); see librdkafka's CONFIGURATION.md");
}

Result<KafkaClientConfig> KafkaFlags::config() const {
    KafkaClientConfig c;
    c.brokers = brokers;
    for (const auto& s : settings) {
        auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            return fail(Error::invalid("-X expects KEY=VALUE, got '" + s + "'"));
        }
        c.extra.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }
    return c;
}

void StorageFlags::add_to(CLI::App& cmd) {
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
}

Result<ObjectStoreOptions> StorageFlags::options() const {
    ObjectStoreOptions o;
    o.s3_endpoint = s3_endpoint;
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

void CatalogFlags::add_to(CLI::App& cmd) {
    cmd.add_option("--catalog", path,
                   "Catalog file (SQLite; created when missing). Default: $TICKLAKE_CATALOG, else "
                   "$XDG_DATA_HOME/ticklake/catalog.db or ~/.local/share/ticklake/catalog.db, one per user");
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

Result<int64_t> parse_duration_us(const std::string& text) {
    static constexpr QuantityUnit kUnits[] = {{"", 1e6}, {"s", 1e6},    {"ms", 1e3},
                                              {"us", 1}, {"m", 60e6}, {"h", 3600e6}, {"d", 86400e6}};
    static constexpr QuantityKind kDuration{"duration", "500ms, 30s, 5m, 1h, 1d", "us, ms, s, m, h or d", kUnits};
    auto v = parse_quantity(text, kDuration);
    if (!v) {
        return fail(v.error());
    }
    return static_cast<int64_t>(*v);
}

int report_error(const char* command, const Error& e) {
    std::fprintf(stderr, "ticklake %s: error: %s\n", command, e.message.c_str());
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

} // namespace ticklake::cli
