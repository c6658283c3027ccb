#include "cli/config_file.h"

#include <cstdlib>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/cli_support.h"
#include "common/secret_reference.h"

namespace ticklake::cli {

namespace {

std::vector<CLI::App*> named_subcommands(CLI::App& cmd) {
    return cmd.get_subcommands([](CLI::App* s) { return !s->get_name().empty(); });
}

std::string section_name(const std::vector<std::string>& parents) { return fmt::format("{}", fmt::join(parents, ".")); }

std::string guess(const std::string& typed, const std::vector<std::string>& known) {
    const auto guesses = did_you_mean(typed, known);
    return guesses.empty() ? "" : fmt::format("; did you mean '{}'?", fmt::join(guesses, "' or '"));
}

//! Settings whose references are resolved with the command line's (KafkaFlags::config()).
bool resolved_later(const std::string& key) { return key == "X" || key == "F"; }

} // namespace

CLI::App* find_command(CLI::App& root, const std::vector<std::string>& path) {
    CLI::App* cur = &root;
    for (const auto& name : path) {
        CLI::App* next = nullptr;
        for (CLI::App* s : named_subcommands(*cur)) {
            if (s->check_name(name)) {
                next = s;
            }
        }
        if (next == nullptr) {
            return nullptr;
        }
        cur = next;
    }
    return cur;
}

std::vector<const CLI::Option*> configurable_options(CLI::App& cmd) {
    std::vector<const CLI::Option*> out;
    auto add = [&](CLI::App& a) {
        for (const CLI::Option* o : a.get_options()) {
            if (o->get_configurable()) {
                out.push_back(o);
            }
        }
    };
    add(cmd);
    for (CLI::App* group : cmd.get_subcommands([](CLI::App* s) { return s->get_name().empty(); })) {
        add(*group);
    }
    return out;
}

std::string config_key(const CLI::Option& o) {
    if (!o.get_lnames().empty()) {
        return o.get_lnames().front();
    }
    if (!o.get_snames().empty()) {
        return o.get_snames().front();
    }
    return o.get_name();
}

std::vector<CLI::ConfigItem> ConfigFileReader::from_config(std::istream& input) const {
    std::vector<CLI::ConfigItem> items = CLI::ConfigTOML::from_config(input);
    const std::string where = file.empty() ? std::string("config file") : "config file " + file;
    for (CLI::ConfigItem& item : items) {
        CLI::App* cmd = find_command(*root_, item.parents);
        if (cmd == nullptr) {
            // The deepest known command along the section's path says which names were possible.
            std::vector<std::string> known_path;
            CLI::App* known = root_;
            for (const auto& p : item.parents) {
                CLI::App* next = find_command(*known, {p});
                if (next == nullptr) {
                    std::vector<std::string> names;
                    for (CLI::App* s : named_subcommands(*known)) {
                        names.push_back(s->get_name());
                    }
                    throw CLI::ConfigError(fmt::format("{}: unknown section [{}] ('{}' is not a command{}){}", where,
                                                       section_name(item.parents), p,
                                                       known_path.empty() ? "" : " of " + section_name(known_path),
                                                       guess(p, names)));
                }
                known_path.push_back(p);
                known = next;
            }
        }
        if (item.name == "++" || item.name == "--") {
            if (item.name == "++") {
                sections_read.push_back(item.parents);
            }
            continue; // CLI11's marks of a section's start and end
        }
        keys_read.push_back(item.fullname());
        if (!item.parents.empty()) {
            sections_read.push_back(item.parents);
        }
        const CLI::Option* op = cmd->get_option_no_throw("--" + item.name);
        if (op == nullptr && item.name.size() == 1) {
            op = cmd->get_option_no_throw("-" + item.name);
        }
        if (op == nullptr) {
            op = cmd->get_option_no_throw(item.name);
        }
        if (op == nullptr) {
            std::vector<std::string> keys;
            for (const CLI::Option* o : configurable_options(*cmd)) {
                keys.push_back(config_key(*o));
            }
            const std::string section =
                item.parents.empty() ? "at the top (global flags)" : "in [" + section_name(item.parents) + "]";
            throw CLI::ConfigError(
                fmt::format("{}: unknown key '{}' {}{}", where, item.name, section, guess(item.name, keys)));
        }
        if (resolved_later(item.name)) {
            continue;
        }
        for (std::string& value : item.inputs) {
            auto resolved = resolve_secret_references(value, item.fullname());
            if (!resolved) {
                throw CLI::ConfigError(where + ": " + resolved.error().message);
            }
            value = std::move(*resolved);
        }
    }
    return items;
}

std::shared_ptr<ConfigFileReader> add_config_option(CLI::App& app) {
    const char* env = std::getenv("TICKLAKE_CONFIG");
    const bool from_env = env != nullptr && *env != '\0';
    auto reader = std::make_shared<ConfigFileReader>(app);
    reader->file = from_env ? env : "";
    // Required when TICKLAKE_CONFIG names it: a service whose file went missing must not start
    // with the defaults.
    CLI::Option* opt = app.set_config("--config", from_env ? env : "",
                                      "TOML file of flags, a [section] per command, e.g. [sink] topic = [\"ticks\"]; "
                                      "flags on the command line win (default: $TICKLAKE_CONFIG; docs/config.md)",
                                      from_env);
    opt->type_name("FILE");
    // On parse: CLI11 reads the file before it runs the options' callbacks.
    opt->each([reader](const std::string& path) { reader->file = path; })->trigger_on_parse();
    app.config_formatter(reader);
    return reader;
}

} // namespace ticklake::cli
