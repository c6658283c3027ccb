// Shell completion scripts generated from the CLI11 command tree, so they cannot drift from
// the flags: `ticklake completion bash|zsh` prints one (installed by `cmake --install`).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace ticklake::cli {

//! One command of the tree as completion needs it.
struct CompletionEntry {
    std::string path;                       //!< "ticklake catalog tables"
    std::vector<std::string> subcommands;   //!< visible ones, in --help order
    std::vector<std::string> descriptions;  //!< of subcommands, then of flags (first line)
    std::vector<std::string> flags;         //!< long and short names, "--help" included
    std::vector<std::string> valued_flags;  //!< the flags that take a value (complete files after them)
};

//! Every visible command under (and including) `app`, depth first. `program` names the root:
//! CLI11 names an app after argv[0] (a path), which a completion must not use.
std::vector<CompletionEntry> completion_tree(const CLI::App& app, const std::string& program);

std::string bash_completion(const CLI::App& app, const std::string& program);
std::string zsh_completion(const CLI::App& app, const std::string& program);

//! Adds the hidden `completion bash|zsh` command to `app`, whose scripts complete `program`.
void add_completion_command(CLI::App& app, const std::string& program);

} // namespace ticklake::cli
