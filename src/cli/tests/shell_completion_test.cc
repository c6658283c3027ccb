#include "cli/shell_completion.h"

#include <array>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <unistd.h>

#include <gtest/gtest.h>

namespace ticklake::cli {

namespace {

// A small tree shaped like ticklake's: nested commands, flags with and without values, a hidden one.
struct Tree {
    CLI::App app{"demo", "/usr/local/bin/demo-as-argv0"};
    std::string warehouse, format, name;
    bool quiet = false;
    Tree() {
        app.set_version_flag("--version", "1");
        CLI::App* sink = app.add_subcommand("sink", "Kafka to files: the long: part");
        sink->add_option("-w,--warehouse", warehouse, "Where files go");
        sink->add_option("--format", format, "parquet, jsonl or csv");
        sink->add_flag("-q,--quiet", quiet, "No summary");
        CLI::App* catalog = app.add_subcommand("catalog", "The catalog");
        catalog->add_subcommand("tables", "List tables")->add_option("--name", name, "Only this one");
        catalog->add_subcommand("secret", "hidden")->group("");
        add_completion_command(app, "demo");
    }
};

// What bash's completion offers for `line` (the cursor after its last word): the script is
// sourced in a real bash, COMP_WORDS set as readline would.
std::string bash_complete(const std::string& script, const std::string& line) {
    const auto file = std::filesystem::temp_directory_path() / ("tl-completion-" + std::to_string(::getpid()));
    std::ofstream(file) << script << "\nCOMP_WORDS=(" << line << ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
                        << "[[ \"" << line << "\" == *' ' ]] && { COMP_WORDS+=(''); COMP_CWORD=$((COMP_CWORD + 1)); }\n"
                        << "_demo\necho \"${COMPREPLY[*]}\"\n";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(("bash " + file.string()).c_str(), "r"), &::pclose);
    std::string out;
    std::array<char, 4096> buffer{};
    while (pipe && std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) {
        out += buffer.data();
    }
    std::filesystem::remove(file);
    if (!out.empty() && out.back() == '\n') {
        out.pop_back();
    }
    return out;
}

} // namespace

TEST(ShellCompletion, TreeListsVisibleCommandsAndFlagsWithValues) {
    Tree t;
    const auto tree = completion_tree(t.app, "demo");
    ASSERT_EQ(tree.size(), 4u); // demo, sink, catalog, catalog tables: no hidden ones
    EXPECT_EQ(tree[0].path, "demo");
    EXPECT_EQ(tree[0].subcommands, (std::vector<std::string>{"sink", "catalog"}));
    EXPECT_EQ(tree[1].path, "demo sink");
    EXPECT_EQ(tree[1].valued_flags, (std::vector<std::string>{"--warehouse", "-w", "--format"}));
    EXPECT_EQ(tree[3].path, "demo catalog tables");
}

TEST(ShellCompletion, BashCompletesCommandsFlagsAndFilesAfterValuedFlags) {
    Tree t;
    const std::string script = bash_completion(t.app, "demo");
    EXPECT_EQ(bash_complete(script, "demo "), "sink catalog --help -h --version");
    EXPECT_EQ(bash_complete(script, "demo ca"), "catalog");
    EXPECT_EQ(bash_complete(script, "demo catalog "), "tables --help -h");
    EXPECT_EQ(bash_complete(script, "demo catalog tables --n"), "--name");
    EXPECT_EQ(bash_complete(script, "demo sink --format parquet --"), "--help --warehouse --format --quiet");
    EXPECT_EQ(bash_complete(script, "demo sink -w "), "") << "a value: bash falls back to file names";
    EXPECT_EQ(bash_complete(script, "demo sink -q "), "--help -h --warehouse -w --format --quiet -q");
}

TEST(ShellCompletion, ZshScriptDescribesEachWordAndEscapesColons) {
    Tree t;
    const std::string script = zsh_completion(t.app, "demo");
    EXPECT_EQ(script.rfind("#compdef demo\n", 0), 0u);
    EXPECT_NE(script.find("'sink:Kafka to files\\: the long\\: part'"), std::string::npos) << script;
    EXPECT_NE(script.find("\"demo catalog tables\") items=('--help:"), std::string::npos) << script;
    EXPECT_EQ(script.find("secret"), std::string::npos);
    if (std::system("command -v zsh >/dev/null 2>&1") == 0) {
        const auto file = std::filesystem::temp_directory_path() / ("tl-zsh-" + std::to_string(::getpid()));
        std::ofstream(file) << script;
        EXPECT_EQ(std::system(("zsh -n " + file.string()).c_str()), 0) << "zsh refuses the script's syntax";
        std::filesystem::remove(file);
    }
}

} // namespace ticklake::cli
