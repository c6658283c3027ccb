#include "glue/glue_push.h"

#include <gtest/gtest.h>

namespace ticklake::glue {
namespace {

TableDef trades() {
    TableDef t;
    t.database = "market";
    t.name = "trades";
    t.location = "s3://bucket/wh/market/trades/";
    t.format = "parquet";
    t.compression = "zstd";
    t.columns = {{"id", "string"}, {"ts", "timestamp"}, {"price", "double"}};
    t.partition_keys = {{"dt", "string"}};
    t.schema_version = 2;
    return t;
}

std::vector<PartitionDef> days(int n) {
    std::vector<PartitionDef> out;
    for (int i = 0; i < n; ++i) {
        PartitionDef p;
        p.values = {"2025-01-" + std::string(i < 9 ? "0" : "") + std::to_string(i + 1)};
        p.location = "s3://bucket/wh/market/trades/dt=" + p.values[0] + "/";
        p.rows = 100 + i;
        p.file_count = 1;
        p.bytes = 1000;
        out.push_back(p);
    }
    return out;
}

// What Glue would hold after a push of `table`.
GlueRemoteTable pushed(const GlueTable& table) {
    GlueRemoteTable remote;
    remote.database_exists = true;
    remote.table = table.table;
    remote.partitions = table.partitions;
    return remote;
}

TEST(GlueDiff, EmptyGlueCreatesDatabaseTableAndEveryPartition) {
    const GlueTable want = glue_table_to_push(trades(), days(3), {});
    const GluePushPlan plan = diff_glue_table(want, GlueRemoteTable{});
    EXPECT_TRUE(plan.create_database);
    EXPECT_EQ(plan.table_action, GlueTableAction::create);
    EXPECT_EQ(plan.create_partitions.size(), 3u);
    EXPECT_TRUE(plan.update_partitions.empty());
    EXPECT_TRUE(plan.delete_partitions.empty());
}

TEST(GlueDiff, SamePushAgainIsEmptyWhateverTheParameterOrder) {
    const GlueTable want = glue_table_to_push(trades(), days(3), {});
    GlueRemoteTable remote = pushed(want);
    std::reverse(remote.table->parameters.begin(), remote.table->parameters.end());
    std::reverse(remote.partitions.begin(), remote.partitions.end());
    const GluePushPlan plan = diff_glue_table(want, remote);
    EXPECT_TRUE(plan.empty());
    EXPECT_EQ(plan.unchanged_partitions, 3u);
}

TEST(GlueDiff, ChangedCountsUpdateDroppedPartitionsDeleteNewColumnsUpdateTheTable) {
    const GlueTable before = glue_table_to_push(trades(), days(3), {});
    TableDef t = trades();
    t.columns.push_back({"size", "double"});
    t.schema_version = 3;
    auto parts = days(3);
    parts.erase(parts.begin());   // expired
    parts[0].rows += 5;           // more rows landed
    parts.push_back(days(4)[3]);  // a new day
    const GluePushPlan plan = diff_glue_table(glue_table_to_push(t, parts, {}), pushed(before));
    EXPECT_FALSE(plan.create_database);
    EXPECT_EQ(plan.table_action, GlueTableAction::update);
    EXPECT_EQ(plan.table_changes, (std::vector<std::string>{"columns", "parameters"}));
    ASSERT_EQ(plan.delete_partitions.size(), 1u);
    EXPECT_EQ(plan.delete_partitions[0], std::vector<std::string>{"2025-01-01"});
    ASSERT_EQ(plan.update_partitions.size(), 2u); // the day with more rows, and the day whose columns grew
    ASSERT_EQ(plan.create_partitions.size(), 1u);
    EXPECT_EQ(plan.create_partitions[0].values, std::vector<std::string>{"2025-01-04"});
}

TEST(GlueDiff, AnotherLocationIsAnUpdate) {
    const GlueTable before = glue_table_to_push(trades(), days(1), {});
    GluePushOptions moved;
    moved.export_options.location = "s3://other/wh/market/trades/";
    const GluePushPlan plan = diff_glue_table(glue_table_to_push(trades(), days(1), moved), pushed(before));
    // The projection's storage.location.template moves with it.
    EXPECT_EQ(plan.table_changes, (std::vector<std::string>{"location", "parameters"}));
    ASSERT_EQ(plan.update_partitions.size(), 1u);
    EXPECT_EQ(plan.update_reasons[0], "location");
    EXPECT_EQ(plan.update_partitions[0].storage.location, "s3://other/wh/market/trades/dt=2025-01-01/");
}

TEST(GlueDiff, DatabasePrefixIsAthenaSafe) {
    GluePushOptions o;
    o.database_prefix = "Prod-";
    EXPECT_EQ(glue_table_to_push(trades(), {}, o).database, "prod_market");
}

TEST(GlueBodies, HundredPartitionsPerCall) {
    const GlueTable want = glue_table_to_push(trades(), days(250), {});
    const auto create = batch_create_partition_bodies("market", "trades", want.partitions);
    ASSERT_EQ(create.size(), 3u);
    std::string next;
    // A GetPartitions-shaped reading of the first body sees its 100 partitions.
    std::string as_answer = create[0];
    as_answer.replace(as_answer.find("PartitionInputList"), 18, "Partitions");
    auto parsed = parse_glue_partitions(as_answer, &next);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->size(), 100u);
    EXPECT_TRUE(next.empty());
    EXPECT_EQ(batch_delete_partition_bodies("market", "trades", std::vector<std::vector<std::string>>(201, {"x"})).size(), 3u);
    EXPECT_EQ(batch_update_partition_bodies("market", "trades", want.partitions).size(), 3u);
}

TEST(GlueParse, GetTableAnswerReadsBackWhatCreateTableSent) {
    const GlueTable want = glue_table_to_push(trades(), days(1), {});
    std::string body = create_table_body("market", want.table);
    body.replace(body.find("\"TableInput\""), 12, "\"Table\"");
    auto parsed = parse_glue_table(body);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->storage, want.table.storage);
    EXPECT_EQ(parsed->partition_keys, want.table.partition_keys);
    EXPECT_EQ(parsed->parameters, want.table.parameters);
    EXPECT_FALSE(parse_glue_table("[]"));
}

} // namespace
} // namespace ticklake::glue
