// `--config FILE` (or TICKLAKE_CONFIG): the flags of every command, read from a TOML file. One
// section per command, named like the command line ([sink], [kafka.topics], [catalog.tables]),
// keys named like the long flags without their dashes (topic, warehouse, until-idle; X and F for
// -X and -F), keys before any section for the global flags (log-level, log-format). A flag on
// the command line wins over the file. CLI11 reads the file; this reader only refuses what
// CLI11 would drop silently or report vaguely, and resolves secret references (docs/config.md).
#pragma once

#include <istream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace ticklake::cli {

class ConfigFileReader final : public CLI::ConfigTOML {
public:
    //! `root`: the application whose commands and flags the file's sections and keys must name;
    //! it outlives the reader.
    explicit ConfigFileReader(CLI::App& root) : root_(&root) {}

    //! CLI11's TOML items, after checking every section and key (an unknown one is a
    //! CLI::ConfigError naming it and the closest known names) and resolving ${env:} and
    //! ${file:} references in the values (those of X and F are resolved with the command
    //! line's -X and -F, by KafkaFlags::config()).
    std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;

    //! The file's name, for messages.
    std::string file;
    //! What the last file read set: keys by section ("sink.topic", "log-level"), and the
    //! sections ({"sink"}), for `ticklake config show`.
    mutable std::vector<std::string> keys_read;
    mutable std::vector<std::vector<std::string>> sections_read;

private:
    CLI::App* root_;
};

//! Adds the global --config FILE to `app`, read by ConfigFileReader; TICKLAKE_CONFIG names the
//! default, which then must exist. Returns the reader (owned by the app).
std::shared_ptr<ConfigFileReader> add_config_option(CLI::App& app);

//! The command `path` names under `root` ({"catalog", "tables"}), or nullptr.
CLI::App* find_command(CLI::App& root, const std::vector<std::string>& path);

//! The options of `cmd` a file may set (its option groups' too), without --help and --config.
std::vector<const CLI::Option*> configurable_options(CLI::App& cmd);

//! The name a file uses for `o`: its first long name, else its short one ("topic", "X").
std::string config_key(const CLI::Option& o);

} // namespace ticklake::cli
