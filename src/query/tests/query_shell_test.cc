// The shell's loop and `query`'s input and output, on a real session with no tables, driven by
// strings: statements over several lines, dot commands, errors that do not stop the shell.
#include "query/query_shell.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "query/result_format.h"

namespace ticklake::query {
namespace {

struct Captured {
    std::string out, err;
    std::vector<std::string> errors, remembered;
    Console console() {
        return {[this](std::string_view t) { out += t; }, [this](std::string_view t) { err += t; }};
    }
};

TEST(QueryShell, StatementsOverLinesDotCommandsAndErrorsThatDoNotStopIt) {
    auto session = QuerySession::open(SessionOptions{}, {});
    ASSERT_TRUE(session) << session.error().message;
    const std::vector<std::string> lines = {"SELECT 1 AS x;", "SELECT 2", "  AS y;", ".tables", ".bogus",
                                            "SELECT * FROM nowhere;", "SELECT 3 AS z"};
    size_t next = 0;
    Captured c;
    ShellInput in{[&](const char*) { return next < lines.size() ? std::optional(lines[next++]) : std::nullopt; },
                  [&](const std::string& s) { c.remembered.push_back(s); }, false};
    ResultOutput out;
    out.format = "csv";
    out.quiet = true;
    const int failures = run_shell(**session, "nowhere", in, {}, out, c.console(),
                                   [&](const Error& e) { c.errors.push_back(e.message); });
    EXPECT_EQ(failures, 1);
    ASSERT_EQ(c.errors.size(), 1u);
    EXPECT_NE(c.errors[0].find("nowhere"), std::string::npos) << c.errors[0];
    EXPECT_EQ(c.out, "x\n1\ny\n2\nz\n3\n");
    EXPECT_EQ(c.err, "unknown command .bogus: .tables, .describe TABLE, .quit\n");
    EXPECT_EQ(c.remembered.at(1), "SELECT 2\n  AS y;\n");
}

TEST(QueryShell, ShowResultPicksTheFormatAndSaysWhatItScanned) {
    auto session = QuerySession::open(SessionOptions{}, {});
    ASSERT_TRUE(session);
    auto r = (*session)->run("SELECT 1 AS x");
    ASSERT_TRUE(r);
    Captured c;
    ResultOutput o;
    ASSERT_TRUE(show_result(*r, o, c.console()));
    EXPECT_EQ(c.out, "x\n1\n"); // not a terminal: CSV
    EXPECT_EQ(c.err, describe_stats(*r) + "\n");
    o.format = "xml";
    auto bad = show_result(*r, o, c.console());
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, ErrorKind::invalid_argument);
}

TEST(QueryShell, QueryTextFromTheArgumentAFileOrStdin) {
    std::istringstream none("");
    EXPECT_EQ(*query_text("SELECT 1", "", none, true), "SELECT 1");
    std::istringstream piped("SELECT 2;\n");
    EXPECT_EQ(*query_text("-", "", piped, true), "SELECT 2;\n");
    std::istringstream piped2("SELECT 3");
    EXPECT_EQ(*query_text("", "", piped2, false), "SELECT 3");

    const auto path = std::filesystem::temp_directory_path() / "tl-query-text.sql";
    std::ofstream(path) << "SELECT 4";
    EXPECT_EQ(*query_text("ignored", path.string(), none, true), "SELECT 4");
    std::filesystem::remove(path);
    auto missing = query_text("", path.string(), none, true);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "cannot read " + path.string());
    auto blank = query_text(" ;\n", "", none, true);
    ASSERT_FALSE(blank);
    EXPECT_EQ(blank.error().kind, ErrorKind::invalid_argument);
}

} // namespace
} // namespace ticklake::query
