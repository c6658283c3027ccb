// ticklake: one binary, one subcommand per pipeline stage.

#include "cli/cli_support.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app{"ticklake: capture real-time market data into a queryable data lake.\n"
                 "Pipeline: produce (sources -> Kafka) -> sink (Kafka -> Parquet/JSONL/CSV files)\n"
                 "-> crawl (files -> catalog) -> catalog (tables, partitions, exports to Athena and Glue)\n"
                 "-> query / sql (SQL over the warehouse: read-only, with Athena's scan statistics);\n"
                 "ls, cat and cp show and copy what landed in a warehouse (a folder or s3://bucket/prefix).\n"
                 "Run `ticklake <command> --help` for the options of one command."};
    app.set_version_flag("--version", "ticklake 0.1.0");
    app.require_subcommand(1);
    ticklake::cli::add_kafka_command(app);
    ticklake::cli::add_produce_command(app);
    ticklake::cli::add_sink_command(app);
    ticklake::cli::add_crawl_command(app);
    ticklake::cli::add_catalog_command(app);
    ticklake::cli::add_query_commands(app);
    ticklake::cli::add_storage_commands(app);
    ticklake::cli::add_calendar_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return ticklake::cli::exit_code;
}
