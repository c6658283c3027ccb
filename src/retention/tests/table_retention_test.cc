#include "retention/table_retention.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../../common/tests/temp_dir.h"

namespace ticklake {
namespace {

namespace fs = std::filesystem;

TableDef table_with_keys(Columns keys) {
    TableDef t;
    t.database = "market";
    t.name = "trades";
    t.partition_keys = std::move(keys);
    return t;
}

TEST(PartitionEnd, ComesFromTimeKeysElseFromEventTimes) {
    const TimestampUs day = 86'400'000'000LL;
    const TimestampUs jan6 = *parse_iso8601("2025-01-06");
    PartitionDef p;
    p.values = {"2025-01-06"};
    EXPECT_EQ(partition_end(table_with_keys({{"dt", "string"}}), p), jan6 + day);
    p.values = {"2025-01-06", "13"};
    EXPECT_EQ(partition_end(table_with_keys({{"dt", "string"}, {"hour", "int"}}), p), jan6 + 14 * day / 24);
    p.values = {"2024-12"};
    EXPECT_EQ(partition_end(table_with_keys({{"month", "string"}}), p), *parse_iso8601("2025-01-01"));
    p.values = {"2020"};
    EXPECT_EQ(partition_end(table_with_keys({{"decade", "int"}}), p), *parse_iso8601("2030-01-01"));
    p.values = {"AAPL"};
    EXPECT_FALSE(partition_end(table_with_keys({{"symbol", "string"}}), p));
    p.ts_max = jan6;
    EXPECT_EQ(partition_end(table_with_keys({{"symbol", "string"}}), p), jan6 + 1);
}

class ExpireTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(dir_.path().empty());
        auto c = Catalog::open(dir_.path() / "catalog.db");
        ASSERT_TRUE(c) << c.error().message;
        catalog_.emplace(std::move(*c));
        const fs::path wh = dir_.path() / "wh";
        TableChange change;
        change.table = table_with_keys({{"dt", "string"}});
        change.table.location = "file://" + (wh / "market" / "trades").string() + "/";
        change.table.format = "parquet";
        change.table.columns = {{"id", "bigint"}};
        change.new_version = "created";
        for (const char* dt : {"2020-01-01", "2020-01-02", "2025-01-06"}) {
            const std::string folder = "market/trades/dt=" + std::string(dt) + "/";
            fs::create_directories(wh / folder);
            change.partitions.push_back({{dt}, "file://" + (wh / folder).string(), 0, 0, 0, {}, {}, {{"id", "bigint"}}, 0});
            for (const char* name : {"t-p0-o00000000000000000000.parquet", "t-p1-o00000000000000000000.parquet"}) {
                std::ofstream(wh / folder / name) << "rows";
                FileDef f;
                f.key = folder + name;
                f.partition_values = {dt};
                f.size = 4;
                f.rows = 10;
                f.columns = {{"id", "bigint"}};
                change.upsert_files.push_back(f);
            }
        }
        ASSERT_TRUE(catalog_->apply(change));
        auto t = catalog_->resolve("market.trades");
        ASSERT_TRUE(t);
        table_ = *t;
    }

    testing::TempDir dir_;
    std::optional<Catalog> catalog_;
    TableDef table_;
};

TEST_F(ExpireTest, DryRunChangesNothingAndApplyDropsWholeOldPartitions) {
    ExpireOptions o;
    o.older_than_us = 400LL * 86'400'000'000LL;
    o.now = *parse_iso8601("2025-01-07");
    auto dry = expire_table(*catalog_, table_, o);
    ASSERT_TRUE(dry) << dry.error().message;
    ASSERT_EQ(dry->partitions.size(), 2u);
    EXPECT_EQ(dry->partitions[0].name, "dt=2020-01-01");
    EXPECT_EQ(dry->partitions[1].rows, 20);
    EXPECT_NE(render(*dry, false).find("--apply"), std::string::npos);
    EXPECT_TRUE(fs::exists(dir_.path() / "wh/market/trades/dt=2020-01-01/t-p0-o00000000000000000000.parquet"));
    auto before = catalog_->files(table_);
    ASSERT_TRUE(before);
    EXPECT_EQ(before->size(), 6u);

    o.apply = true;
    auto done = expire_table(*catalog_, table_, o);
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_EQ(done->files_deleted, 4);
    EXPECT_FALSE(fs::exists(dir_.path() / "wh/market/trades/dt=2020-01-01"));
    EXPECT_TRUE(fs::exists(dir_.path() / "wh/market/trades/dt=2025-01-06/t-p0-o00000000000000000000.parquet"));
    auto parts = catalog_->partitions(table_);
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 1u);
    EXPECT_EQ(parts->front().values, std::vector<std::string>{"2025-01-06"});
    EXPECT_EQ(parts->front().rows, 20);

    // Again: nothing left to expire.
    auto again = expire_table(*catalog_, table_, o);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->partitions.empty());
}

TEST_F(ExpireTest, PruneFindsTablesWhoseFolderIsGone) {
    auto kept = prune_tables(*catalog_, true, {});
    ASSERT_TRUE(kept) << kept.error().message;
    EXPECT_TRUE(kept->gone.empty());
    fs::remove_all(dir_.path() / "wh");
    auto dry = prune_tables(*catalog_, false, {});
    ASSERT_TRUE(dry);
    ASSERT_EQ(dry->gone.size(), 1u);
    EXPECT_NE(render(*dry, false).find("would drop market.trades"), std::string::npos);
    auto still = catalog_->tables();
    ASSERT_TRUE(still);
    EXPECT_EQ(still->size(), 1u);
    auto applied = prune_tables(*catalog_, true, {});
    ASSERT_TRUE(applied);
    auto none = catalog_->tables();
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

} // namespace
} // namespace ticklake
