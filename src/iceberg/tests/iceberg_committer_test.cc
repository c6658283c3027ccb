#include "iceberg/iceberg_committer.h"

#include <gtest/gtest.h>

#include "iceberg/metadata_pointers.h"
#include "iceberg/rest_catalog.h"
#include "iceberg/table_scan.h"
#include "net/http_server.h"
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

namespace ticklake::iceberg {
namespace {

// A snapshot on top of `m`'s current one, reusing its manifest list (the REST catalog checks
// the commit's requirements, not the files).
TableMetadata with_snapshot(TableMetadata m, int64_t id) {
    const Snapshot* parent = m.current();
    Snapshot s;
    s.id = id;
    s.parent_id = parent->id;
    s.sequence_number = m.last_sequence_number + 1;
    s.timestamp_ms = now_ms();
    s.manifest_list = parent->manifest_list;
    s.schema_id = m.current_schema_id;
    s.summary = {{"operation", "append"}};
    m.snapshots.push_back(s);
    m.current_snapshot_id = id;
    return m;
}

TEST(RestCatalog, AStaleCommitLosesAndTheTableKeepsTheWinner) {
    testing::TestFolder dir;
    auto store = open_object_store((dir.path() / "wh").string());
    ASSERT_TRUE(store);
    IcebergCommitterOptions o;
    o.group = "g";
    {
        auto c = IcebergCommitter::open(**store, dir.path() / "catalog.db", o);
        ASSERT_TRUE(c);
        ASSERT_TRUE(commit_one(**c, **store, 0));
    }
    auto rest = RestCatalog::open({dir.path() / "catalog.db"});
    ASSERT_TRUE(rest) << rest.error().message;
    net::HttpServerOptions http;
    http.accept_post = true;
    auto server = net::HttpServer::start(http, {{"/iceberg/*", [&](const net::HttpServerRequest& r) {
                                                     return (*rest)->handle(r);
                                                 }}});
    ASSERT_TRUE(server) << server.error().message;
    auto pointers = rest_pointers({(*server)->base_url() + "/iceberg", ""});
    ASSERT_TRUE(pointers);
    auto tables = (*pointers)->tables("market");
    ASSERT_TRUE(tables && *tables == std::vector<std::string>{"trades"});
    auto base = (*pointers)->current("market", "trades");
    ASSERT_TRUE(base && *base) << (base ? "no table" : base.error().message);
    // Two writers read the same snapshot; the first commit wins, the second is told it lost.
    auto won = (*pointers)->commit("market", "trades", *base, with_snapshot((*base)->metadata, 111), "");
    ASSERT_TRUE(won) << won.error().message;
    EXPECT_TRUE(*won);
    auto lost = (*pointers)->commit("market", "trades", *base, with_snapshot((*base)->metadata, 222), "");
    ASSERT_TRUE(lost) << lost.error().message;
    EXPECT_FALSE(*lost);
    auto now = (*pointers)->current("market", "trades");
    ASSERT_TRUE(now && *now);
    EXPECT_EQ((*now)->metadata.current_snapshot_id, 111);
    EXPECT_EQ((*now)->metadata.snapshot(222), nullptr);
    EXPECT_NE((*now)->location, (*base)->location);
    // A table it does not know, and a route it does not serve.
    auto none = (*pointers)->current("market", "nope");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
}

} // namespace
} // namespace ticklake::iceberg
