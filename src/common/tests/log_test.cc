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
        log::set_format(log::Format::bare);
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
    log::write(log::Level::error, "rdkafka", "FAIL: broker down");
    log::to_stderr();
    std::istringstream text(read_file_text(path).value_or("<unreadable>"));
    std::string first;
    std::string second;
    std::getline(text, first);
    std::getline(text, second);
    // 2024-05-01T12:00:00.123Z warn careful: UTC, milliseconds
    ASSERT_EQ(first.size(), std::string("2024-05-01T12:00:00.123Z warn careful").size()) << first;
    EXPECT_EQ(first[10], 'T');
    EXPECT_EQ(first[19], '.');
    EXPECT_EQ(first.substr(23), "Z warn careful");
    EXPECT_EQ(second.substr(23), "Z error rdkafka: FAIL: broker down");
    std::remove(path.c_str());
}

TEST_F(LogTest, JsonIsOneEscapedObjectPerLine) {
    const std::string path = ::testing::TempDir() + "ticklake_log_json_test.log";
    std::remove(path.c_str());
    ASSERT_TRUE(log::to_file(path));
    log::set_format(log::Format::json);
    log::info("say \"hi\"\tthere");
    log::write(log::Level::warn, "rdkafka", "REQTMOUT: timed out");
    log::status("\rsink: {} msgs   ", 10);
    log::to_stderr();
    std::istringstream text(read_file_text(path).value_or("<unreadable>"));
    std::vector<std::string> got;
    for (std::string line; std::getline(text, line);) {
        got.push_back(line);
    }
    ASSERT_EQ(got.size(), 3u);
    // {"ts":"2024-05-01T12:00:00.123Z",...}: the time is the only part that changes.
    const std::string ts_field = "{\"ts\":\"2024-05-01T12:00:00.123Z\",";
    for (const auto& line : got) {
        ASSERT_GT(line.size(), ts_field.size()) << line;
        EXPECT_EQ(line.substr(0, 7), "{\"ts\":\"");
        EXPECT_EQ(line[ts_field.size() - 3], 'Z') << line;
    }
    EXPECT_EQ(got[0].substr(ts_field.size()), R"("level":"info","component":"ticklake","msg":"say \"hi\"\tthere"})");
    EXPECT_EQ(got[1].substr(ts_field.size()), R"("level":"warn","component":"rdkafka","msg":"REQTMOUT: timed out"})");
    EXPECT_EQ(got[2].substr(ts_field.size()), R"("level":"info","component":"status","msg":"sink: 10 msgs"})");
    std::remove(path.c_str());
}

TEST_F(LogTest, TraceIsBelowDebug) {
    log::set_level(log::Level::debug);
    log::trace("hidden");
    log::set_level(log::Level::trace);
    log::trace("shown");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].line, "shown");
    EXPECT_EQ(lines[0].level, log::Level::trace);
}

TEST_F(LogTest, ParsesLevelAndFormatNames) {
    EXPECT_EQ(log::parse_level("warn").value(), log::Level::warn);
    EXPECT_EQ(log::parse_level("trace").value(), log::Level::trace);
    EXPECT_FALSE(log::parse_level("loud"));
    EXPECT_EQ(log::parse_format("json").value(), log::Format::json);
    EXPECT_FALSE(log::parse_format("xml"));
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
