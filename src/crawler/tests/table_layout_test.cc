#include "crawler/table_layout.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

std::vector<ObjectEntry> entries(std::initializer_list<const char*> keys) {
    std::vector<ObjectEntry> out;
    for (const char* k : keys) {
        out.push_back({k, 10, 0});
    }
    return out;
}

TEST(TableLayout, SinkLayoutGivesDatabaseTableAndDt) {
    auto l = group_into_tables(entries({"market/trades/dt=2025-01-06/ticks-p0-o1.parquet",
                                        "market/trades/dt=2025-01-07/ticks-p0-o9.parquet",
                                        "market/quotes/dt=2025-01-06/ticks-p1-o2.parquet",
                                        "market/dead_letters/dt=2025-01-06/ticks-p0-o5.jsonl",
                                        "_ticklake/sink/g/ticks/p0.json"}),
                               {});
    ASSERT_EQ(l.tables.size(), 3u);
    EXPECT_EQ(l.excluded, 1u);
    const auto& trades = l.tables[2];
    EXPECT_EQ(trades.database, "market");
    EXPECT_EQ(trades.name, "trades");
    EXPECT_EQ(trades.prefix, "market/trades/");
    EXPECT_EQ(trades.partition_keys, std::vector<std::string>{"dt"});
    ASSERT_EQ(trades.files.size(), 2u);
    EXPECT_EQ(trades.files[1].partition_values, std::vector<std::string>{"2025-01-07"});
    EXPECT_EQ(l.tables[0].name, "dead_letters");
}

TEST(TableLayout, CompactionFoldersBelongToTheirPartition) {
    auto l = group_into_tables(entries({"market/trades/dt=2025-01-06/ticks-p0-o1.parquet",
                                        "market/trades/dt=2025-01-06/compacted-12/part-0.parquet",
                                        "market/trades/dt=2025-01-07/compacted-3/part-1.parquet"}),
                               {});
    ASSERT_EQ(l.tables.size(), 1u);
    EXPECT_TRUE(l.skipped.empty());
    const auto& t = l.tables[0];
    EXPECT_EQ(t.partition_keys, std::vector<std::string>{"dt"});
    ASSERT_EQ(t.files.size(), 3u);
    EXPECT_EQ(t.files[0].partition_values, std::vector<std::string>{"2025-01-06"});
    EXPECT_EQ(t.files[2].partition_values, std::vector<std::string>{"2025-01-07"});
    // Only `compacted-<digits>` right below a Hive folder: anything else stays a partition.
    auto other = group_into_tables(entries({"lake/t/compacted-x/a.csv", "lake/t/compacted-y/b.csv"}), {});
    ASSERT_EQ(other.tables.size(), 1u);
    EXPECT_EQ(other.tables[0].partition_keys, std::vector<std::string>{"partition_0"});
}

TEST(TableLayout, PlainFoldersArePartitionsAndRootFilesTables) {
    auto l = group_into_tables(entries({"lake/Daily Prices/2024/01/a.csv", "lake/Daily Prices/2024/02/b.csv", "x/1st/y/z/c.csv",
                                        "Index Processed.csv", "sym=A%2FB/f.csv"}),
                               {"fallback", {}});
    ASSERT_EQ(l.tables.size(), 4u);
    // sorted by prefix: "" (Hive folders at the root), "Index Processed.csv", "lake/Daily Prices/", "x/1st/"
    EXPECT_EQ(l.tables[0].name, "root");
    EXPECT_EQ(l.tables[0].files[0].partition_values, std::vector<std::string>{"A/B"});
    EXPECT_EQ(l.tables[0].database, "fallback");
    EXPECT_EQ(l.tables[2].database, "lake");
    EXPECT_EQ(l.tables[2].name, "daily_prices");
    EXPECT_EQ(l.tables[2].partition_keys, (std::vector<std::string>{"partition_0", "partition_1"}));
    EXPECT_EQ(l.tables[2].files[1].partition_values, (std::vector<std::string>{"2024", "02"}));
    EXPECT_EQ(l.tables[1].name, "index_processed");
    EXPECT_EQ(l.tables[1].database, "fallback");
    EXPECT_TRUE(l.tables[1].partition_keys.empty());
    EXPECT_EQ(l.tables[3].partition_keys, (std::vector<std::string>{"partition_0", "partition_1"}));
    EXPECT_EQ(l.tables[3].database, "x");
    EXPECT_EQ(l.tables[3].name, "t_1st");
}

TEST(TableLayout, MisplacedFilesAreReportedNotMerged) {
    auto l = group_into_tables(entries({"db/t/dt=1/a.parquet", "db/t/dt=2/b.parquet", "db/t/c.parquet",
                                        "db/t/month=3/d.parquet"}),
                               {});
    ASSERT_EQ(l.tables.size(), 1u);
    EXPECT_EQ(l.tables[0].files.size(), 2u);
    ASSERT_EQ(l.skipped.size(), 2u);
    EXPECT_NE(l.skipped[0].find("db/t/c.parquet"), std::string::npos);
}

TEST(TableLayout, ExcludeGlobs) {
    auto l = group_into_tables(entries({"db/t/dt=1/a.parquet", "db/t/dt=1/a.csv", "db/u/dt=1/x.parquet",
                                        "db/t/dt=2/.hidden.parquet", "db/t/dt=2/b.parquet.tmp"}),
                               {"default", {"db/u/**", "*/*/*/*.csv"}});
    ASSERT_EQ(l.tables.size(), 1u);
    EXPECT_EQ(l.tables[0].files.size(), 1u);
    EXPECT_EQ(l.excluded, 4u);
    EXPECT_TRUE(matches_glob("db/*/x", "db/t/x"));
    EXPECT_FALSE(matches_glob("db/*", "db/t/x"));
    EXPECT_TRUE(matches_glob("db/**", "db/t/x"));
}

TEST(SanitizeName, MatchesTheSinkRule) {
    EXPECT_EQ(sanitize_name("Daily Prices-2024"), "daily_prices_2024");
    EXPECT_EQ(sanitize_name("2024 data"), "t_2024_data");
    EXPECT_EQ(sanitize_name("trades"), "trades");
}

} // namespace
} // namespace ticklake
