// Which source a spec opens, and the configuration errors that name the flag to fix.
#include "produce/source_selection.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/tests/temp_dir.h"

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

TEST(OpenSource, AZippedCsvIsUnzippedAndItsFolderRemovedWithTheSource) {
    const fs::path zip = fs::path(TICKLAKE_TEST_DATA_DIR) / "indexProcessed.csv.zip";
    if (!fs::exists(zip) || std::system("command -v unzip >/dev/null") != 0) {
        GTEST_SKIP() << "needs " << zip << " and unzip";
    }
    fs::path scratch;
    {
        auto s = open_source(spec_of("csv", zip.string()));
        ASSERT_TRUE(s) << s.error().message;
        scratch = s->scratch.path();
        ASSERT_FALSE(scratch.empty());
        EXPECT_TRUE(fs::is_directory(scratch));
        std::vector<Event> batch;
        ASSERT_TRUE(s->events->next_batch(batch, 10));
        EXPECT_EQ(batch.size(), 10u);
        EXPECT_EQ(batch.front().type, EventType::bar);
    }
    EXPECT_FALSE(fs::exists(scratch));
}

TEST(OwnedFolder, MovedOwnershipRemovesOnce) {
    testing::TempDir dir;
    ASSERT_TRUE(dir.ok());
    const fs::path p = dir.path() / "scratch";
    fs::create_directories(p / "inner");
    OwnedFolder a(p);
    OwnedFolder b(std::move(a));
    EXPECT_TRUE(a.path().empty());
    { OwnedFolder c = std::move(b); }
    EXPECT_FALSE(fs::exists(p));
}

} // namespace
} // namespace ticklake
