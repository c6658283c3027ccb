// `ticklake config show [command]`: the configuration a command would run with, from the config
// file, the environment and the defaults, with secrets masked and each value's origin.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/config_file.h"
#include "common/secret_reference.h"

namespace ticklake::cli {

namespace {

struct ConfigShowFlags {
    std::vector<std::string> command;
};

//! Flags whose default comes from an environment variable (read by the flag's own code).
constexpr std::pair<std::string_view, const char*> kEnvDefaults[] = {
    {"brokers", "TICKLAKE_BROKERS"},
    {"catalog", "TICKLAKE_CATALOG"},
};

const char* env_default(std::string_view key) {
    for (const auto& [k, env] : kEnvDefaults) {
        if (k == key) {
            const char* v = std::getenv(env);
            return v != nullptr && *v != '\0' ? env : nullptr;
        }
    }
    return nullptr;
}

//! A value as TOML writes it; the value of a secret setting (or of KEY=VALUE with a secret KEY)
//! masked.
std::string shown(const std::string& key, const std::string& value) {
    std::string v = masked_value(key, value);
    if (key == "X") {
        const size_t eq = value.find('=');
        if (eq != std::string::npos) {
            v = value.substr(0, eq + 1) + masked_value(value.substr(0, eq), value.substr(eq + 1));
        }
    }
    std::string out = "\"";
    for (char c : v) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

//! A plain decimal number, written bare in TOML.
bool is_number(const std::string& v) {
    if (v.empty() || v.size() > 30) {
        return false;
    }
    char* end = nullptr;
    std::strtod(v.c_str(), &end);
    return end == v.c_str() + v.size() && v.find_first_of("xXnNiI") == std::string::npos;
}

class Show {
public:
    Show(const ConfigFileReader& reader, std::string prefix) : reader_(reader), prefix_(std::move(prefix)) {}

    //! One `key = value  # origin` line per flag of `cmd`; unset flags as a comment.
    void options(CLI::App& cmd) {
        for (const CLI::Option* o : configurable_options(cmd)) {
            option(*o);
        }
    }

    //! What -F's file and -X would hand librdkafka, masked: every reference must resolve.
    Status kafka_settings(CLI::App& cmd) {
        const CLI::Option* f = cmd.get_option_no_throw("-F");
        const CLI::Option* x = cmd.get_option_no_throw("-X");
        if (f == nullptr || x == nullptr) {
            return {};
        }
        KafkaFlags flags;
        if (f->count() > 0) {
            flags.properties_file = f->as<std::string>();
        }
        if (x->count() > 0) {
            flags.settings = x->as<std::vector<std::string>>();
        }
        auto config = flags.config(); // resolves every reference: a missing secret shows here
        if (!config) {
            return fail(config.error());
        }
        if (!flags.properties_file.empty()) {
            auto lines = read_librdkafka_properties(flags.properties_file);
            std::printf("# librdkafka settings from -F %s (-X wins over them):\n", flags.properties_file.c_str());
            for (const auto& [k, v] : lines.value_or(decltype(lines)::value_type{})) {
                std::printf("#   %s = %s\n", k.c_str(), masked_value(k, v).c_str());
            }
        }
        return {};
    }

private:
    void option(const CLI::Option& o) {
        const std::string key = config_key(o);
        const std::string full = prefix_.empty() ? key : prefix_ + "." + key;
        const auto& read = reader_.keys_read;
        const bool in_file = std::find(read.begin(), read.end(), full) != read.end();
        std::vector<std::string> values;
        std::string origin;
        if (o.count() > 0) {
            values = o.results();
            origin = in_file ? "file" : "flag";
        } else if (const char* env = env_default(key)) {
            values = {o.get_default_str()};
            origin = std::string("env ") + env;
        } else if (!o.get_default_str().empty()) {
            values = {o.get_default_str()};
            origin = "default";
        }
        const bool flag = o.get_expected_max() == 0;
        if (values.empty() && !flag) {
            std::printf("# %s: not set\n", key.c_str());
            return;
        }
        std::string text;
        if (flag) {
            text = o.count() > 0 && o.as<bool>() ? "true" : "false";
            origin = o.count() > 0 ? origin : "default";
        } else if (o.get_items_expected_max() > 1) {
            std::vector<std::string> items;
            for (const auto& v : values) {
                items.push_back(shown(key, v));
            }
            text = fmt::format("[{}]", fmt::join(items, ", "));
        } else if (is_number(values.back())) {
            text = values.back();
        } else {
            text = shown(key, values.back());
        }
        std::printf("%s = %s  # %s\n", key.c_str(), text.c_str(), origin.c_str());
    }

    const ConfigFileReader& reader_;
    std::string prefix_;
};

int show_config(CLI::App& root, const ConfigFileReader& reader, const ConfigShowFlags& f) {
    std::vector<std::vector<std::string>> commands;
    if (!f.command.empty()) {
        if (find_command(root, f.command) == nullptr) {
            return report_error("config show",
                                Error::invalid(fmt::format("no command '{}'", fmt::join(f.command, " "))));
        }
        commands.push_back(f.command);
    } else {
        for (const auto& s : reader.sections_read) {
            if (std::find(commands.begin(), commands.end(), s) == commands.end()) {
                commands.push_back(s);
            }
        }
    }
    const char* env = std::getenv("TICKLAKE_CONFIG");
    const CLI::Option* config = root.get_config_ptr();
    if (config != nullptr && config->count() > 0 && !config->as<std::string>().empty()) {
        std::printf("# config file: %s%s\n", config->as<std::string>().c_str(),
                    env != nullptr && config->as<std::string>() == env ? " (TICKLAKE_CONFIG)" : "");
    } else {
        std::printf("# no config file (--config FILE or TICKLAKE_CONFIG)\n");
    }
    std::printf("# origins: file, flag (on this command line), env VAR, default; secrets masked\n");
    Show(reader, "").options(root);
    for (const auto& path : commands) {
        CLI::App* cmd = find_command(root, path);
        const std::string section = fmt::format("{}", fmt::join(path, "."));
        std::printf("\n[%s]\n", section.c_str());
        Show show(reader, section);
        show.options(*cmd);
        if (auto st = show.kafka_settings(*cmd); !st) {
            return report_error("config show", st.error());
        }
    }
    return 0;
}

} // namespace

void add_config_command(CLI::App& app, std::shared_ptr<ConfigFileReader> reader) {
    CLI::App* config = app.add_subcommand("config", "The configuration file: show what a command would run with");
    config->require_subcommand(1);
    CLI::App* root = &app;
    auto [show, flags] = add_command<ConfigShowFlags>(
        *config, "show",
        "Print the effective configuration of COMMAND (e.g. sink, or catalog tables) as TOML: each flag's value\n"
        "from the config file (--config or TICKLAKE_CONFIG), the environment or its default, with where it came\n"
        "from. Secrets (passwords, tokens, keys: docs/config.md) are masked; ${env:} and ${file:} references\n"
        "in -X and -F settings are resolved to check them. Without COMMAND: the file's sections.",
        [root, reader](ConfigShowFlags& f) { return show_config(*root, *reader, f); });
    show->add_option("command", flags->command, "The command, e.g. sink or catalog tables");
    show->footer("Example:\n  ticklake --config /etc/ticklake/sink.toml config show sink");
}

} // namespace ticklake::cli
