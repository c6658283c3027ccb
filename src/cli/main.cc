// ticklake: one binary, one subcommand per pipeline stage.

#include <cstdio>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/shell_completion.h"
#include "cli/config_file.h"

#ifdef TICKLAKE_JEMALLOC
// jemalloc's settings (read at its start): freed pages go back to the system within 250 ms,
// so a sink's RSS follows its --max-memory-mib budget as closely as with glibc's trimming.
extern "C" {
// NOLINTNEXTLINE: the name and type jemalloc looks up
extern const char* malloc_conf;
const char* malloc_conf = "dirty_decay_ms:250,muzzy_decay_ms:0";
}
#endif

int main(int argc, char** argv) {
#if defined(__GLIBC__) && !defined(TICKLAKE_JEMALLOC)
    // No fastbins in glibc's malloc. A producer frees its delivered messages (a few hundred bytes
    // each, with small header blocks beside them) thousands at a time in rd_kafka_poll. With
    // fastbins, each such burst filled them, and freeing the next large block ran
    // malloc_consolidate over all of them: a fifth of the producer's CPU. Without, the producer
    // used 20-40 % less CPU per message and the sink the same (bench/README.md, "Round 4").
    mallopt(M_MXFAST, 0);
#endif
    CLI::App app{"ticklake: capture real-time market data into a queryable data lake.\n"
                 "Pipeline: produce (sources -> Kafka) -> sink (Kafka -> Parquet/JSONL/CSV files)\n"
                 "-> crawl (files -> catalog) -> catalog (tables, partitions, exports to Athena and Glue)\n"
                 "-> query / sql (SQL over the warehouse: read-only, with Athena's scan statistics);\n"
                 "ls, cat and cp show and copy what landed in a warehouse (a folder or s3://bucket/prefix).\n"
                 "Run `ticklake <command> --help` for the options of one command."};
    app.set_version_flag("--version", "ticklake 0.1.0");
    app.require_subcommand(1);
    // Global flags (--config, --log-level, --log-format) are accepted after the command too.
    app.fallthrough();
    auto config_reader = ticklake::cli::add_config_option(app);
    ticklake::cli::add_log_options(app);
    ticklake::cli::add_kafka_command(app);
    ticklake::cli::add_produce_command(app);
    ticklake::cli::add_sink_command(app);
    ticklake::cli::add_crawl_command(app);
    ticklake::cli::add_compact_command(app);
    ticklake::cli::add_catalog_command(app);
    ticklake::cli::add_expire_command(app);
    ticklake::cli::add_iceberg_command(app);
    ticklake::cli::add_query_commands(app);
    ticklake::cli::add_serve_command(app);
    ticklake::cli::add_storage_commands(app);
    ticklake::cli::add_calendar_command(app);
    ticklake::cli::add_aws_command(app);
    ticklake::cli::add_completion_command(app, "ticklake");
    ticklake::cli::add_config_command(app, config_reader);
    app.footer("Durations (--timeout, --until-idle, --max-buffer-age, ...): 250ms, 30s, 5m, 1h, 1d, or plain "
               "seconds.\n"
               "Exit status: 0 ok; 1 failed; 2 usage error (unknown command or flag, bad or missing value, "
               "missing catalog: the message says what to fix). Some commands add their own codes (see their "
               "--help).");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            return app.exit(e); // --help, --version
        }
        // One code for every usage error (--help promises 2), not CLI11's one per kind.
        std::fputs(ticklake::cli::usage_error_message(app, e).c_str(), stderr);
        return ticklake::cli::kUsageErrorExit;
    }
    return ticklake::cli::exit_code;
}
