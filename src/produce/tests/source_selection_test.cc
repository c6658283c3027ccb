// Which source a spec opens, and the configuration errors that name the flag to fix.
#include "produce/source_selection.h"

#include <cstdlib>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "common/tests/temp_dir.h"
#include "sources/tests/zip_writer.h"

namespace ticklake {
namespace {

namespace fs = std::filesystem;

SourceSpec spec_of(const std::string& name, const std::string& file = "") {
    SourceSpec s;
    s.name = name;
    s.file = file;
    return s;
}

void expect_invalid(const SourceSpec& spec, const std::string& says) {
    auto s = open_source(spec);
    ASSERT_FALSE(s) << spec.name;
    EXPECT_EQ(s.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(s.error().message.find(says), std::string::npos) << s.error().message;
}

TEST(SplitList, TrimsAndDropsEmptyItems) {
    EXPECT_EQ(split_list(" AAPL, MSFT,,BTC-USD ,"), (std::vector<std::string>{"AAPL", "MSFT", "BTC-USD"}));
    EXPECT_TRUE(split_list("").empty());
}

TEST(OpenSource, SimulatorTakesACountOfSymbols) {
    SourceSpec spec = spec_of("sim");
    spec.symbols = "7";
    spec.sim.count = 10;
    auto s = open_source(spec);
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_TRUE(s->events);
    EXPECT_FALSE(s->wire);
    std::vector<Event> batch;
    ASSERT_TRUE(s->events->next_batch(batch, 100));
    EXPECT_EQ(batch.size(), 10u);
    EXPECT_NE(s->describe().find("sim"), std::string::npos);
}

TEST(OpenSource, ConfigurationErrorsNameTheFlag) {
    SourceSpec sim = spec_of("sim");
    sim.symbols = "AAPL";
    expect_invalid(sim, "--symbols with --source sim is a number of symbols, not 'AAPL'");
    sim.symbols.clear();
    sim.sim_start = "yesterday";
    expect_invalid(sim, "--start:");
    expect_invalid(spec_of("csv"), "--source csv needs --file PATH");
    expect_invalid(spec_of("jsonl"), "--source jsonl needs --file PATH");
    expect_invalid(spec_of("parquet", "x"), "unknown --source 'parquet'");
    SourceSpec csv = spec_of("csv", "x.csv");
    csv.as = "candles";
    expect_invalid(csv, "--as must be auto, bars or records");
}

TEST(OpenSource, WireFormatReplayIsNotParsedIntoEvents) {
    testing::TempDir dir;
    ASSERT_TRUE(dir.ok());
    const fs::path file = dir.path() / "wire.jsonl";
    std::ofstream(file) << R"({"type":"trade","id":"a","ts":"2025-01-06T15:00:00Z","symbol":"AAPL","price":1,"size":1})"
                        << "\nnot json\n";
    auto s = open_source(spec_of("jsonl", file.string()));
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_TRUE(s->wire);
    EXPECT_FALSE(s->events);
    EXPECT_EQ(s->describe(), "jsonl " + file.string());
    EXPECT_TRUE(s->counters().empty());
    EXPECT_EQ(s->summary(), "");
}

size_t drain(MarketDataSource& source) {
    std::vector<Event> all;
    while (!source.done()) {
        auto n = source.next_batch(all, 1000);
        EXPECT_TRUE(n) << n.error().message;
        if (!n) {
            break;
        }
    }
    return all.size();
}

TEST(OpenSource, AZippedCsvIsReadInPlaceWithNothingExtracted) {
    testing::TempDir dir;
    ASSERT_TRUE(dir.ok());
    std::string csv = "symbol,ts,open,high,low,close,volume\n";
    for (int i = 0; i < 5000; ++i) {
        csv += fmt::format("S{},2025-01-{:02}T{:02}:{:02}:00Z,1,2,0.5,1.5,{}\n", i % 7, 1 + i / 1440, i / 60 % 24,
                           i % 60, i);
    }
    const fs::path zip = dir.path() / "a'b $(touch pwned) c.zip";
    ASSERT_TRUE(testing::write_zip(zip.string(), {{"__MACOSX/._bars.csv", "junk"}, {"notes.txt", "x"},
                                                  {"bars.csv", csv}}));
    // A temporary folder of this test's own: other tests running at the same time (ctest -j)
    // create and remove entries in the shared one.
    const fs::path tmp = dir.path() / "tmp";
    fs::create_directories(tmp);
    const char* old_tmpdir = std::getenv("TMPDIR");
    const std::string saved = old_tmpdir != nullptr ? old_tmpdir : "";
    ::setenv("TMPDIR", tmp.c_str(), 1);
    ASSERT_EQ(fs::temp_directory_path(), tmp);
    auto s = open_source(spec_of("csv", zip.string()));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(std::distance(fs::directory_iterator(tmp), fs::directory_iterator()), 0);
    EXPECT_NE(s->describe().find("bars.csv"), std::string::npos) << s->describe();
    EXPECT_EQ(drain(*s->events), 5000u);
    EXPECT_EQ(s->skipped(), 0u);
    EXPECT_EQ(std::distance(fs::directory_iterator(tmp), fs::directory_iterator()), 0);
    EXPECT_FALSE(fs::exists("pwned"));
    EXPECT_FALSE(fs::exists(dir.path() / "pwned"));
    if (old_tmpdir != nullptr) {
        ::setenv("TMPDIR", saved.c_str(), 1);
    } else {
        ::unsetenv("TMPDIR");
    }
}

TEST(OpenSource, TheTutorialZipReplaysEveryRow) {
    const fs::path zip = fs::path(TICKLAKE_TEST_DATA_DIR) / "indexProcessed.csv.zip";
    if (!fs::exists(zip)) {
        GTEST_SKIP() << "needs " << zip;
    }
    auto s = open_source(spec_of("csv", zip.string()));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(drain(*s->events), 104'224u);
}

TEST(OpenSource, ZipsWithNothingToReplayAreClearErrors) {
    testing::TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string empty = (dir.path() / "empty.zip").string();
    ASSERT_TRUE(testing::write_zip(empty, {}));
    expect_invalid(spec_of("csv", empty), "zip file '" + empty + "' is empty");
    const std::string no_csv = (dir.path() / "no_csv.zip").string();
    ASSERT_TRUE(testing::write_zip(no_csv, {{"a.txt", "x"}, {"folder/b.json", "{}"}, {"__MACOSX/._c.csv", "x"}}));
    expect_invalid(spec_of("csv", no_csv), "holds no .csv file (it has a.txt, folder/b.json, __MACOSX/._c.csv)");
    const std::string corrupt = dir.write("corrupt.zip", "PK\x03\x04 this is not really a zip archive");
    expect_invalid(spec_of("csv", corrupt), "cannot open zip file '" + corrupt + "': not a zip archive");
}

} // namespace
} // namespace ticklake
