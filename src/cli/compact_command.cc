// `ticklake compact`: merges the small files of a table's partitions (maintenance/compactor.h).
// This file parses flags and prints the report.
#include <cstdio>
#include <string>

#include "catalog/catalog.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "maintenance/compactor.h"

namespace ticklake::cli {

namespace {

struct CompactFlags {
    std::string table;
    CatalogFlags catalog;
    CompactOptions options;
    double target_file_mib = 128;
    bool watch = false;
    int64_t interval_seconds = 60;
    std::string s3_endpoint;
};

void print_report(const CompactReport& report) {
    for (const auto& line : compact_report_lines(report)) {
        std::fprintf(stderr, "compact: %s\n", line.c_str());
    }
}

int run_compact(CompactFlags& f) {
    if (f.target_file_mib <= 0) {
        return report_error("compact", Error::invalid("--target-file-mib must be positive"));
    }
    if (f.watch && (f.options.dry_run || f.options.gc_only)) {
        return report_error("compact", Error::invalid("--watch runs compactions; it takes neither --dry-run nor --gc"));
    }
    if (f.table.empty() && !f.options.policy.partition.empty()) {
        return report_error("compact", Error::invalid("--partition needs a TABLE"));
    }
    if (f.table.empty() && !f.watch && !f.options.gc_only) {
        return report_error("compact", Error::invalid("name a TABLE, or pass --watch (every table) or --gc"));
    }
    f.options.table = f.table;
    f.options.policy.target_file_bytes = static_cast<uint64_t>(f.target_file_mib * 1024 * 1024);
    f.options.store.s3_endpoint = f.s3_endpoint;
    auto catalog = Catalog::open(f.catalog.file());
    if (!catalog) {
        return report_error("compact", catalog.error());
    }
    if (f.watch) {
        install_stop_signals();
        f.options.store.stop_requested = [] { return stop_requested.load(); };
        WatchOptions w{.interval_seconds = f.interval_seconds,
                       .stop = [] { return stop_requested.load(); },
                       .on_pass = print_report};
        return exit_status("compact", watch_compactions(*catalog, f.options, w));
    }
    auto report = compact(*catalog, f.options);
    if (!report) {
        return report_error("compact", report.error());
    }
    print_report(*report);
    return 0;
}

} // namespace

void add_compact_command(CLI::App& app) {
    auto [cmd, f] = add_command<CompactFlags>(
        app, "compact",
        "Merge the small files of a table's partitions into a few large Parquet files sorted by symbol and\n"
        "event time, while a sink keeps writing. Per partition, files smaller than --target-file-mib and\n"
        "older than --older-than are merged into <partition>/compacted-<run>/part-N.parquet; the catalog\n"
        "swaps old files for new in one transaction, so queries see either, never both or neither. The\n"
        "replaced files stay for --retain-replaced (queries already running keep reading them), then a\n"
        "later run, `compact --gc` or `compact --watch` deletes them. Safe to kill at any point: the next\n"
        "run removes what an unfinished one wrote. docs/maintenance.md has the details.\n"
        "An Iceberg table (sink --table-format iceberg) is compacted by an Iceberg `replace` snapshot instead\n"
        "(files of any age; the replaced ones stay until `ticklake iceberg expire-snapshots`): docs/iceberg.md.",
        run_compact);
    cmd->add_option("table", f->table, "Table to compact: DATABASE.TABLE, or a table name unique in the catalog");
    f->catalog.add_to(*cmd);
    cmd->add_option("--partition", f->options.policy.partition,
                    "Only this partition, as its folders name it: dt=2025-01-06 (several keys: symbol=A/dt=2025-01-06)");
    add_duration_option(*cmd, "--older-than", f->options.policy.older_than_seconds,
                        "Take only files written at least this long ago (quiet ones)")
        ->capture_default_str();
    cmd->add_option("--target-file-mib", f->target_file_mib,
                    "Size of the files written, in MiB; files this large are left alone")
        ->capture_default_str();
    add_duration_option(*cmd, "--retain-replaced", f->options.retain_replaced_seconds,
                        "How long replaced files stay in the warehouse after the swap (0: deleted at once)")
        ->capture_default_str();
    cmd->add_flag("--dry-run", f->options.dry_run, "Print what would be merged; change nothing");
    cmd->add_flag("--gc", f->options.gc_only,
                  "Only clean up: remove files of unfinished runs and replaced files past --retain-replaced");
    cmd->add_flag("--watch", f->watch,
                  "Keep running: a pass over TABLE (or every table) each --interval, until SIGINT/SIGTERM");
    add_duration_option(*cmd, "--interval", f->interval_seconds, "Time between two passes of --watch")
        ->capture_default_str();
    cmd->add_option("--threads", f->options.threads, "DuckDB threads of a merge")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--s3-endpoint", f->s3_endpoint, "S3 endpoint override, e.g. http://127.0.0.1:9000 for MinIO");
}

} // namespace ticklake::cli
