// Each subcommand registers itself on the root CLI11 app and returns the exit code from its
// callback (through cli_support's exit_code). Defined in <name>_command.cc.
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

namespace ticklake::cli {

void add_kafka_command(CLI::App& app);
void add_produce_command(CLI::App& app);
void add_sink_command(CLI::App& app);
//! `ls`, `cat` and `cp`: what landed in a warehouse, and copies in and out (storage_command.cc).
void add_storage_commands(CLI::App& app);
//! `query` and `sql`: SQL over the warehouse; `cache`: its S3 cache (query_command.cc).
void add_query_commands(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_crawl_command(CLI::App& app);
//! `compact`: merges small files of partitions (compact_command.cc).
void add_compact_command(CLI::App& app);
void add_catalog_command(CLI::App& app);
//! `expire`: drop a table's old partitions (expire_command.cc).
void add_expire_command(CLI::App& app);
//! `iceberg expire-snapshots | remove-orphan-files` (iceberg_command.cc).
void add_iceberg_command(CLI::App& app);
//! `calendar`: an exchange's trading sessions (calendar_command.cc).
void add_calendar_command(CLI::App& app);
//! `aws whoami`: the identity of the AWS credential chain (aws_command.cc).
void add_aws_command(CLI::App& app);
class ConfigFileReader;
//! `config show`: the effective configuration, read by `reader` (config_command.cc).
void add_config_command(CLI::App& app, std::shared_ptr<ConfigFileReader> reader);

} // namespace ticklake::cli
