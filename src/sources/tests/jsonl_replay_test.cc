#include "sources/jsonl_replay.h"

#include <string>
#include <vector>

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

TEST(JsonlReplay, AMissingFileSaysWhich) {
    auto r = JsonlReplay::open("/nonexistent/ticks.jsonl");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("cannot open /nonexistent/ticks.jsonl"), std::string::npos) << r.error().message;
}

} // namespace
} // namespace ticklake
