#include "sources/jsonl_replay.h"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "common/tests/temp_dir.h"

namespace ticklake {
namespace {

using testing::TempDir;

std::string symbol_of(int i) { return std::string("S").append(std::to_string(i % 7)); }

std::string quote_line(int i, const std::string& pad = "") {
    std::string s = R"({"type":"quote","id":"q-)";
    s.append(std::to_string(i)).append(R"(","symbol":")").append(symbol_of(i)).append(R"(","ts":)");
    s.append(std::to_string(1'700'000'000'000'000LL + i)).append(R"(,"bid":1.5,"ask":1.6,"pad":")");
    return s.append(pad).append(R"("})");
}

struct Drained {
    std::vector<std::string> lines;
    std::vector<std::string> symbols;
    std::vector<int64_t> ts;
};

Drained drain(JsonlReplay& r) {
    Drained d;
    std::string_view line;
    Event e;
    for (;;) {
        auto more = r.next(line, e);
        EXPECT_TRUE(more.has_value()) << (more ? "" : more.error().message);
        if (!more || !*more) {
            return d;
        }
        d.lines.emplace_back(line);
        d.symbols.push_back(e.symbol);
        d.ts.push_back(e.ts);
    }
}

// Lines cross the 1 MiB read blocks at every offset: each must come back whole, in order,
// exactly once, with its envelope read.
TEST(JsonlReplay, EveryLineComesBackWholeAcrossReadBlocks) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    std::string text;
    std::vector<std::string> want;
    for (int i = 0; i < 40'000; ++i) {
        want.push_back(quote_line(i, std::string(i % 97, 'x')));
        text += want.back() + (i % 3 == 0 ? "\r\n" : "\n");
    }
    ASSERT_GT(text.size(), 3u << 20);
    auto r = JsonlReplay::open(dir.write("ticks.jsonl", text));
    ASSERT_TRUE(r) << r.error().message;
    const Drained d = drain(**r);
    ASSERT_EQ(d.lines, want);
    for (int i = 0; i < 40'000; ++i) {
        ASSERT_EQ(d.symbols[i], symbol_of(i));
        ASSERT_EQ(d.ts[i], 1'700'000'000'000'000LL + i);
    }
    EXPECT_EQ((*r)->skipped(), 0u);
}

TEST(JsonlReplay, LongLinesLastLineBlankLinesAndBadLines) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string huge = quote_line(1, std::string(3'000'000, 'y')); // longer than a read block
    std::string text = "\n";
    text.append(quote_line(0)).append("\n\r\n").append(huge).append("\nnot json\n");
    text.append(R"({"type":"quote","id":"q","ts":1})").append("\n").append(quote_line(2)); // no final newline
    auto r = JsonlReplay::open(dir.write("ticks.jsonl", text));
    ASSERT_TRUE(r) << r.error().message;
    const Drained d = drain(**r);
    ASSERT_EQ(d.lines.size(), 3u);
    EXPECT_EQ(d.lines[0], quote_line(0));
    EXPECT_EQ(d.lines[1], huge);
    EXPECT_EQ(d.lines[2], quote_line(2));
    EXPECT_EQ((*r)->skipped(), 2u);
    ASSERT_EQ((*r)->first_errors().size(), 2u);
    EXPECT_EQ((*r)->first_errors()[0], "line 5: message is not a JSON object");
    EXPECT_EQ((*r)->first_errors()[1], "line 6: quote needs a non-empty 'symbol'");
}

// From a pipe (--file /dev/stdin), a line is handed on when it arrives, not once a whole read
// block has: the writer keeps the pipe open until the reader has the first line (or 5 s pass).
TEST(JsonlReplay, APipesLinesComeAsTheyArrive) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    auto r = JsonlReplay::open("/dev/fd/" + std::to_string(fds[0]));
    ::close(fds[0]);
    ASSERT_TRUE(r) << r.error().message;
    std::atomic<bool> got_first{false};
    bool closed_before_first = false;
    std::thread writer([&] {
        const std::string first = quote_line(1).append("\n");
        EXPECT_EQ(::write(fds[1], first.data(), first.size()), static_cast<ssize_t>(first.size()));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!got_first && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        closed_before_first = !got_first;
        const std::string second = quote_line(2).append("\n");
        EXPECT_EQ(::write(fds[1], second.data(), second.size()), static_cast<ssize_t>(second.size()));
        ::close(fds[1]);
    });
    std::string_view line;
    Event e;
    auto more = (*r)->next(line, e);
    got_first = true;
    ASSERT_TRUE(more && *more);
    EXPECT_EQ(line, quote_line(1));
    more = (*r)->next(line, e);
    ASSERT_TRUE(more && *more);
    EXPECT_EQ(line, quote_line(2));
    more = (*r)->next(line, e);
    ASSERT_TRUE(more);
    EXPECT_FALSE(*more);
    writer.join();
    EXPECT_FALSE(closed_before_first) << "the first line waited for more input";
}

TEST(JsonlReplay, AMissingFileSaysWhich) {
    auto r = JsonlReplay::open("/nonexistent/ticks.jsonl");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("cannot open /nonexistent/ticks.jsonl"), std::string::npos) << r.error().message;
}

} // namespace
} // namespace ticklake
