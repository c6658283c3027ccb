#include <gtest/gtest.h>

#include <filesystem>

#include "catalog/catalog.h"
#include "temp_dir.h"

namespace ticklake {
namespace {

class CompactionLogTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = testing::make_temp_dir("tl-compaction-log");
        ASSERT_FALSE(dir_.empty());
        auto c = Catalog::open(dir_ / "catalog.db");
        ASSERT_TRUE(c) << c.error().message;
        catalog_.emplace(std::move(*c));
        TableChange change;
        change.table = table_;
        change.new_version = "created by test";
        change.partitions = {partition_};
        for (const char* name : {"t-p0-o00000000000000000000.parquet", "t-p1-o00000000000000000007.parquet"}) {
            change.upsert_files.push_back(file(std::string("market/trades/dt=2025-01-06/") + name, 10));
        }
        ASSERT_TRUE(catalog_->apply(change));
        auto t = catalog_->resolve("market.trades");
        ASSERT_TRUE(t);
        table_ = *t;
    }
    void TearDown() override {
        catalog_.reset();
        std::filesystem::remove_all(dir_);
    }

    FileDef file(std::string key, int64_t rows) const {
        FileDef f;
        f.key = std::move(key);
        f.partition_values = {"2025-01-06"};
        f.size = 1000;
        f.rows = rows;
        f.columns = table_.columns;
        return f;
    }

    Result<int64_t> begin(std::string folder) {
        CompactionRun run{.database = "market", .table = "trades", .partition_values = {"2025-01-06"},
                          .warehouse = "file:///w", .folder = std::move(folder), .started_at = 1};
        return catalog_->begin_compaction(run);
    }

    CompactionSwap swap_of(int64_t run, std::vector<std::string> replaced, std::string output, int64_t rows) const {
        CompactionSwap s{.run_id = run, .table = table_, .partition = partition_, .delete_after = 100};
        s.compacted = {file(std::move(output), rows)};
        for (auto& k : replaced) {
            s.replaced.push_back({.key = k, .rows = rows / static_cast<int64_t>(replaced.size()), .topic = "t",
                                  .kafka_partition = 0, .first_offset = 0});
        }
        return s;
    }

    int64_t rows_in_catalog() {
        auto files = catalog_->files(table_);
        int64_t n = 0;
        for (const auto& f : *files) {
            n += f.rows;
        }
        return n;
    }

    std::filesystem::path dir_;
    std::optional<Catalog> catalog_;
    TableDef table_{.database = "market", .name = "trades", .location = "file:///w/market/trades/",
                    .format = "parquet", .compression = "zstd", .columns = {{"symbol", "string"}},
                    .partition_keys = {{"dt", "string"}}};
    PartitionDef partition_{.values = {"2025-01-06"}, .location = "file:///w/market/trades/dt=2025-01-06/",
                            .columns = {{"symbol", "string"}}};
};

const std::string kA = "market/trades/dt=2025-01-06/t-p0-o00000000000000000000.parquet";
const std::string kB = "market/trades/dt=2025-01-06/t-p1-o00000000000000000007.parquet";

TEST_F(CompactionLogTest, SwapReplacesFilesInOneStepAndShadowsTheOldOnes) {
    auto run = begin("market/trades/dt=2025-01-06/compacted-1/");
    ASSERT_TRUE(run);
    auto shadow = catalog_->compaction_shadow("file:///w");
    ASSERT_TRUE(shadow);
    EXPECT_TRUE(shadow->covers("market/trades/dt=2025-01-06/compacted-1/part-0.parquet"));
    EXPECT_FALSE(shadow->covers(kA));

    const std::string out = "market/trades/dt=2025-01-06/compacted-1/part-0.parquet";
    ASSERT_TRUE(catalog_->swap_compacted(swap_of(*run, {kA, kB}, out, 20)));
    auto files = catalog_->files(table_);
    ASSERT_TRUE(files);
    ASSERT_EQ(files->size(), 1u);
    EXPECT_EQ(files->front().key, out);
    EXPECT_EQ(rows_in_catalog(), 20);
    auto parts = catalog_->partitions(table_);
    ASSERT_EQ(parts->size(), 1u);
    EXPECT_EQ(parts->front().file_count, 1);

    shadow = catalog_->compaction_shadow("file:///w");
    EXPECT_TRUE(shadow->covers(kA));
    EXPECT_TRUE(shadow->covers(kB));
    EXPECT_FALSE(shadow->covers(out)); // committed: its folder is the table's now
    EXPECT_FALSE(catalog_->compaction_shadow("file:///other")->covers(kA));

    EXPECT_TRUE(catalog_->pending_deletions("file:///w", 99)->empty());
    auto due = catalog_->pending_deletions("file:///w", 100);
    ASSERT_TRUE(due);
    ASSERT_EQ(due->size(), 2u);
    ASSERT_TRUE(catalog_->deletion_done(due->front()));
    EXPECT_EQ(catalog_->pending_deletions("file:///w", 100)->size(), 1u);
    EXPECT_TRUE(catalog_->unfinished_compactions()->empty());
}

TEST_F(CompactionLogTest, SwapOfAFileThatLeftTheTableChangesNothing) {
    auto first = begin("market/trades/dt=2025-01-06/compacted-1/");
    auto second = begin("market/trades/dt=2025-01-06/compacted-2/");
    ASSERT_TRUE(first && second);
    ASSERT_TRUE(catalog_->swap_compacted(swap_of(*first, {kA, kB}, "market/trades/dt=2025-01-06/compacted-1/p.parquet", 20)));
    auto st = catalog_->swap_compacted(swap_of(*second, {kA, kB}, "market/trades/dt=2025-01-06/compacted-2/p.parquet", 20));
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::retry);
    EXPECT_EQ(rows_in_catalog(), 20);
    auto open = catalog_->unfinished_compactions();
    ASSERT_EQ(open->size(), 1u);
    EXPECT_EQ(open->front().id, *second);
    ASSERT_TRUE(catalog_->forget_compaction(*second));
    EXPECT_TRUE(catalog_->unfinished_compactions()->empty());
}

TEST_F(CompactionLogTest, SwapAfterASchemaChangeIsRetried) {
    auto run = begin("market/trades/dt=2025-01-06/compacted-1/");
    ASSERT_TRUE(run);
    CompactionSwap s = swap_of(*run, {kA, kB}, "market/trades/dt=2025-01-06/compacted-1/p.parquet", 20);
    TableChange widen;
    widen.table = table_;
    widen.table.columns.push_back({"price", "double"});
    widen.new_version = "column 'price' added";
    ASSERT_TRUE(catalog_->apply(widen));
    auto st = catalog_->swap_compacted(s);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::retry);
    EXPECT_EQ(catalog_->files(table_)->size(), 2u);
}

TEST_F(CompactionLogTest, LineageFollowsACompactionOfCompactedFiles) {
    auto first = begin("market/trades/dt=2025-01-06/compacted-1/");
    const std::string c1 = "market/trades/dt=2025-01-06/compacted-1/part-0.parquet";
    ASSERT_TRUE(catalog_->swap_compacted(swap_of(*first, {kA, kB}, c1, 20)));
    TableChange late;
    late.table = table_;
    late.partitions = {partition_};
    const std::string kLate = "market/trades/dt=2025-01-06/t-p0-o00000000000000000900.parquet";
    late.upsert_files = {file(kLate, 1)};
    ASSERT_TRUE(catalog_->apply(late));
    auto t = catalog_->resolve("market.trades");
    table_ = *t;

    auto second = begin("market/trades/dt=2025-01-06/compacted-2/");
    const std::string c2 = "market/trades/dt=2025-01-06/compacted-2/part-0.parquet";
    ASSERT_TRUE(catalog_->swap_compacted(swap_of(*second, {c1, kLate}, c2, 21)));
    auto lineage = catalog_->lineage(c2);
    ASSERT_TRUE(lineage);
    ASSERT_EQ(lineage->size(), 4u);
    EXPECT_EQ((*lineage)[0].replaced.key, c1);
    EXPECT_EQ((*lineage)[0].via, "");
    EXPECT_EQ((*lineage)[1].replaced.key, kA);
    EXPECT_EQ((*lineage)[1].via, c1);
    EXPECT_EQ((*lineage)[1].run_id, *first);
    EXPECT_EQ((*lineage)[2].replaced.key, kLate);
    EXPECT_EQ((*lineage)[3].replaced.key, kB);
    EXPECT_EQ(rows_in_catalog(), 21);
}

} // namespace
} // namespace ticklake
