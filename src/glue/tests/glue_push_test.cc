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

IcebergTableDef iceberg_trades(int version) {
    IcebergTableDef t;
    t.database = "market";
    t.name = "trades";
    t.location = "s3://bucket/wh/market/trades";
    for (int v = 0; v < version; ++v) {
        t.metadata_history.push_back(t.location + "/metadata/0000" + std::to_string(v) + "-a.metadata.json");
    }
    t.metadata_location = t.location + "/metadata/0000" + std::to_string(version) + "-a.metadata.json";
    t.previous_metadata_location = t.metadata_history.empty() ? "" : t.metadata_history.back();
    t.columns = {{"id", "string"}, {"ts", "timestamptz"}, {"price", "decimal(18, 8)"}, {"qty", "long"}};
    t.day_partition_column = "ts";
    return t;
}

TEST(GlueIceberg, FirstPushCreatesTheIcebergFormWithNoPartitions) {
    GluePushOptions o;
    o.database_prefix = "prod_";
    const GlueTable want = glue_table_to_push(iceberg_trades(0), o);
    EXPECT_EQ(want.database, "prod_market");
    EXPECT_EQ(want.table.table_type, "EXTERNAL_TABLE");
    EXPECT_TRUE(want.table.partition_keys.empty());
    EXPECT_TRUE(want.partitions.empty());
    EXPECT_EQ(want.table.storage.columns,
              (Columns{{"id", "string"}, {"ts", "timestamp"}, {"price", "decimal(18,8)"}, {"qty", "bigint"}}));
    EXPECT_EQ(want.table.storage.location, "s3://bucket/wh/market/trades");
    const GluePushPlan plan = diff_glue_table(want, GlueRemoteTable{});
    EXPECT_EQ(plan.table_action, GlueTableAction::create);
    EXPECT_TRUE(plan.create_partitions.empty());
}

TEST(GlueIceberg, ANewMetadataFileUpdatesTheTableAtTheVersionRead) {
    GlueRemoteTable remote = pushed(glue_table_to_push(iceberg_trades(1), {}));
    remote.version_id = "7";
    const GluePushPlan same = diff_glue_table(glue_table_to_push(iceberg_trades(1), {}), remote);
    EXPECT_TRUE(same.empty());
    const GlueTable next = glue_table_to_push(iceberg_trades(2), {});
    const GluePushPlan plan = diff_glue_table(next, remote);
    EXPECT_EQ(plan.table_action, GlueTableAction::update);
    EXPECT_EQ(plan.table_changes, std::vector<std::string>{"parameters"});
    EXPECT_EQ(plan.version_id, "7");
    const std::string body = update_table_body(plan.database, next.table, plan.version_id);
    EXPECT_NE(body.find("\"VersionId\":\"7\""), std::string::npos) << body;
    EXPECT_NE(body.find(iceberg_trades(2).metadata_location), std::string::npos);
    EXPECT_EQ(update_table_body("market", next.table).find("VersionId"), std::string::npos);
}

TEST(GlueIceberg, HiveFormInGlueBecomesIcebergAndLosesItsPartitions) {
    const GlueRemoteTable hive = pushed(glue_table_to_push(trades(), days(2), {}));
    EXPECT_TRUE(check_iceberg_lineage(iceberg_trades(3), hive));
    const GluePushPlan plan = diff_glue_table(glue_table_to_push(iceberg_trades(3), {}), hive);
    EXPECT_EQ(plan.table_action, GlueTableAction::update);
    EXPECT_EQ(plan.delete_partitions.size(), 2u);
    EXPECT_TRUE(plan.create_partitions.empty());
}

TEST(GlueIceberg, GlueAtAMetadataFileOutsideTheHistoryIsRefused) {
    // Behind (a file of the log) or current: fine.
    EXPECT_TRUE(check_iceberg_lineage(iceberg_trades(3), pushed(glue_table_to_push(iceberg_trades(1), {}))));
    EXPECT_TRUE(check_iceberg_lineage(iceberg_trades(3), pushed(glue_table_to_push(iceberg_trades(3), {}))));
    // Another engine's commit through Glue: refused, and the message says what to do.
    IcebergTableDef other = iceberg_trades(2);
    other.metadata_location = "s3://bucket/wh/market/trades/metadata/00003-spark.metadata.json";
    auto refused = check_iceberg_lineage(iceberg_trades(3), pushed(glue_table_to_push(other, {})));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(refused.error().message.find("00003-spark"), std::string::npos) << refused.error().message;
}

TEST(GlueParse, GetTableAnswerGivesTheVersionIdAndAnIcebergTableReadsBack) {
    const GlueTable want = glue_table_to_push(iceberg_trades(1), {});
    std::string body = create_table_body("market", want.table);
    EXPECT_EQ(body.find("SerdeInfo"), std::string::npos) << body;
    body.replace(body.find("\"TableInput\":{"), 14, "\"Table\":{\"VersionId\":\"3\",");
    std::string version;
    auto parsed = parse_glue_table(body, &version);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(version, "3");
    EXPECT_EQ(parsed->storage, want.table.storage);
    EXPECT_EQ(parsed->parameters, want.table.parameters);
}

} // namespace
} // namespace ticklake::glue
