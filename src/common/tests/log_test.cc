#include "common/log.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/file_text.h"

namespace ticklake {
namespace {

struct Captured {
    log::Level level;
    std::string line;
};

// Routes the facade to a vector for one test and back to stderr after it.
class LogTest : public ::testing::Test {
protected:
    void SetUp() override {
        log::to_function([this](log::Level level, std::string_view line) { lines.push_back({level, std::string(line)}); });
    }
    void TearDown() override {
        log::set_level(log::Level::info);
        log::set_prefix(false);
        log::to_stderr();
    }
    std::vector<Captured> lines;
};

TEST_F(LogTest, LineIsTheBareFormattedMessage) {
    log::info("sink: delivered {} of {}", 3, 3);
    log::warn("{}: retrying in {:.1f} s", "binance", 1.25);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].line, "sink: delivered 3 of 3");
    EXPECT_EQ(lines[0].level, log::Level::info);
    EXPECT_EQ(lines[1].line, "binance: retrying in 1.2 s");
    EXPECT_EQ(lines[1].level, log::Level::warn);
}

TEST_F(LogTest, BracesInAnArgumentAreNotFormattedAgain) {
    log::error("bad value {}", "{not a field}");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].line, "bad value {not a field}");
}

TEST_F(LogTest, LevelFiltersLines) {
    log::debug("hidden by default");
    EXPECT_TRUE(lines.empty());
    log::set_level(log::Level::debug);
    log::debug("shown");
    log::set_level(log::Level::error);
    log::info("hidden");
    log::warn("hidden");
    log::error("shown too");
    log::set_level(log::Level::off);
    log::error("nothing");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].line, "shown");
    EXPECT_EQ(lines[1].line, "shown too");
}

TEST_F(LogTest, StatusLineGoesThroughTheSameSink) {
    log::status("\rsink: {} msgs", 10);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].line, "\rsink: 10 msgs");
}

TEST_F(LogTest, FileGetsBareLinesAndStatusWithoutLineEnding) {
    const std::string path = ::testing::TempDir() + "ticklake_log_test.log";
    std::remove(path.c_str());
    ASSERT_TRUE(log::to_file(path));
    log::info("first {}", 1);
    log::status("\rprogress");
    log::info("\nsecond");
    log::to_stderr(); // closes and flushes the file
    EXPECT_EQ(read_file_text(path).value_or("<unreadable>"), "first 1\n\rprogress\nsecond\n");
    std::remove(path.c_str());
}

TEST_F(LogTest, PrefixAddsTimeAndLevel) {
    const std::string path = ::testing::TempDir() + "ticklake_log_prefix_test.log";
    std::remove(path.c_str());
    ASSERT_TRUE(log::to_file(path));
    log::set_prefix(true);
    log::warn("careful");
    log::to_stderr();
    const std::string text = read_file_text(path).value_or("<unreadable>");
    // 2024-05-01T12:00:00.123456Z warning careful
    ASSERT_EQ(text.size(), std::string("2024-05-01T12:00:00.123456Z warning careful\n").size()) << text;
    EXPECT_EQ(text[10], 'T');
    EXPECT_EQ(text.substr(26), "Z warning careful\n");
    std::remove(path.c_str());
}

TEST_F(LogTest, FileThatCannotOpenIsAnError) {
    // A regular file where a folder must be: fails even as root (spdlog creates missing folders).
    const std::string not_a_folder = ::testing::TempDir() + "ticklake_log_not_a_folder";
    std::ofstream(not_a_folder) << "x";
    auto st = log::to_file(not_a_folder + "/ticklake.log");
    std::remove(not_a_folder.c_str());
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::invalid_argument);
}

} // namespace
} // namespace ticklake
