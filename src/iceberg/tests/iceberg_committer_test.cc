#include "iceberg/iceberg_committer.h"

#include <gtest/gtest.h>

#include "iceberg/table_scan.h"
#include "storage/tests/storage_test_dir.h"

namespace ticklake::iceberg {
namespace {

const std::vector<std::pair<std::string, std::string>> kColumns{{"id", "VARCHAR"}, {"ts", "TIMESTAMP"}};

// One batch of one file of 10 rows at offsets [10 i, 10 i + 9] (the file's bytes do not matter
// to the committer: it reads the store's size only).
Status commit_one(IcebergCommitter& c, ObjectStore& store, int i) {
    const std::string key = "market/trades/dt=2025-01-06/f" + std::to_string(i) + ".parquet";
    if (auto st = store.put_small(key, "file " + std::to_string(i)); !st) {
        return st;
    }
    auto ids = c.field_ids("trades", kColumns);
    if (!ids) {
        return fail(ids.error());
    }
    CommittedFile f{key, "parquet", "zstd", 10, kColumns, 1'736'150'400'000'000 + i, 1'736'150'400'000'000 + i + 9,
                    Offset(10 * i)};
    CommittedBatch b{Topic("t"), Partition(0), {f}, Offset(10 * i), Offset(10 * i + 9)};
    return c.commit(b);
}

TEST(IcebergCommitter, ManyCommitsMergeTheirManifestsAndEverySnapshotStillReads) {
    testing::TestFolder dir;
    auto store = open_object_store((dir.path() / "wh").string());
    ASSERT_TRUE(store) << store.error().message;
    IcebergCommitterOptions o;
    o.group = "g";
    o.merge_manifests_at = 3;
    auto c = IcebergCommitter::open(**store, dir.path() / "catalog.db", o);
    ASSERT_TRUE(c) << c.error().message;
    for (int i = 0; i < 8; ++i) {
        ASSERT_TRUE(commit_one(**c, **store, i));
    }
    auto catalog = Catalog::open(dir.path() / "catalog.db");
    ASSERT_TRUE(catalog);
    auto pointer = catalog->iceberg_metadata_location("ticklake", "market", "trades");
    ASSERT_TRUE(pointer && *pointer);
    auto table_store = open_object_store(store_root_of(table_location_of(**pointer)));
    ASSERT_TRUE(table_store);
    auto scan = plan_table_scan(**table_store, **pointer);
    ASSERT_TRUE(scan) << scan.error().message;
    ASSERT_EQ(scan->files.size(), 8u);
    int64_t rows = 0;
    for (const auto& f : scan->files) {
        rows += f.record_count;
    }
    EXPECT_EQ(rows, 80);
    // Merged: never more than merge_manifests_at manifests in one snapshot's list.
    const Snapshot* cur = scan->metadata.current();
    ASSERT_NE(cur, nullptr);
    auto list_key = key_under((**table_store).uri(), cur->manifest_list);
    ASSERT_TRUE(list_key);
    auto list = read_manifest_list(*(**table_store).get_small(*list_key).value());
    ASSERT_TRUE(list);
    EXPECT_LE(list->size(), 3u);
    // Every older snapshot reads its own files: the i-th holds i + 1.
    ASSERT_EQ(scan->metadata.snapshots.size(), 8u);
    for (size_t i = 0; i < scan->metadata.snapshots.size(); ++i) {
        auto old = plan_table_scan(**table_store, **pointer, {scan->metadata.snapshots[i].id, std::nullopt});
        ASSERT_TRUE(old) << old.error().message;
        EXPECT_EQ(old->files.size(), i + 1);
    }
    // The Kafka offsets came through the merges.
    auto held = (*c)->table_offsets({Topic("t"), Partition(0)});
    ASSERT_TRUE(held);
    EXPECT_EQ(held->at("trades"), Offset(80));
}

} // namespace
} // namespace ticklake::iceberg
