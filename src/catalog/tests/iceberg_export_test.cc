// An Iceberg table in Athena's and Glue's shapes: the type mapping Iceberg's own GlueCatalog uses,
// Athena's CREATE TABLE ... TBLPROPERTIES ('table_type'='ICEBERG'), and Glue's TableInput.
#include <gtest/gtest.h>

#include <simdjson.h>

#include "catalog/athena_ddl.h"
#include "catalog/glue_json.h"

namespace ticklake {
namespace {

IcebergTableDef trades() {
    IcebergTableDef t;
    t.database = "market";
    t.name = "trades";
    t.location = "s3://bucket/wh/market/trades";
    t.metadata_location = "s3://bucket/wh/market/trades/metadata/00002-b.metadata.json";
    t.previous_metadata_location = "s3://bucket/wh/market/trades/metadata/00001-a.metadata.json";
    t.metadata_history = {"s3://bucket/wh/market/trades/metadata/00000-z.metadata.json", t.previous_metadata_location};
    t.columns = {{"id", "string"}, {"ts", "timestamp"}, {"Price", "decimal(18, 8)"}, {"qty", "long"}};
    t.day_partition_column = "ts";
    return t;
}

TEST(IcebergTypes, AsIcebergsGlueCatalogMapsThem) {
    const std::vector<std::pair<const char*, const char*>> cases{
        {"long", "bigint"},       {"int", "int"},           {"double", "double"},   {"float", "float"},
        {"string", "string"},     {"timestamp", "timestamp"}, {"timestamptz", "timestamp"},
        {"date", "date"},         {"boolean", "boolean"},   {"binary", "binary"},   {"decimal(18, 8)", "decimal(18,8)"},
        {"decimal(9,2)", "decimal(9,2)"}, {"uuid", "string"}, {"time", "string"},   {"fixed[16]", "binary"}};
    for (const auto& [iceberg, hive] : cases) {
        EXPECT_EQ(hive_type_of_iceberg(iceberg), hive) << iceberg;
    }
}

TEST(IcebergDdl, AthenasCreateTableWithHiddenPartitioningAndTheMetadataFile) {
    const std::string ddl = athena_iceberg_ddl(trades());
    EXPECT_NE(ddl.find("CREATE TABLE `market`.`trades` (\n"
                       "  `id` string,\n"
                       "  `ts` timestamp,\n"
                       "  `price` decimal(18,8),\n"
                       "  `qty` bigint\n"
                       ")\n"
                       "PARTITIONED BY (day(`ts`))\n"
                       "LOCATION 's3://bucket/wh/market/trades'\n"
                       "TBLPROPERTIES (\n"
                       "  'table_type'='ICEBERG',\n"
                       "  'metadata_location'='s3://bucket/wh/market/trades/metadata/00002-b.metadata.json'\n"
                       ");\n"),
              std::string::npos)
        << ddl;
    EXPECT_EQ(ddl.find("EXTERNAL"), std::string::npos) << "Athena refuses EXTERNAL for Iceberg";
    EXPECT_NE(ddl.find("-- Iceberg table market.trades"), std::string::npos);
    EXPECT_NE(ddl.find("--   Glue/Athena: ticklake catalog push-glue market.trades"), std::string::npos);
    EXPECT_NE(ddl.find("CALL iceberg.system.register_table(schema_name => 'market', table_name => 'trades', "
                       "table_location => 's3://bucket/wh/market/trades', metadata_file_name => '00002-b.metadata.json')"),
              std::string::npos)
        << ddl;
    // Every line before the statement is a comment.
    const size_t statement = ddl.find("\nCREATE TABLE");
    ASSERT_NE(statement, std::string::npos);
    for (size_t at = 0; at <= statement; at = ddl.find('\n', at) + 1) {
        EXPECT_EQ(ddl.substr(at, 3), "-- ");
    }
    IcebergTableDef flat = trades();
    flat.day_partition_column.reset();
    EXPECT_EQ(athena_iceberg_ddl(flat).find("PARTITIONED BY"), std::string::npos);
}

TEST(IcebergGlue, TableInputAsIcebergsGlueCatalogWritesIt) {
    const GlueTable g = glue_iceberg_table_of(trades());
    simdjson::dom::parser parser;
    const std::string json = glue_json(g);
    simdjson::dom::element doc = parser.parse(json);
    simdjson::dom::element input = doc["CreateTable"]["TableInput"];
    EXPECT_EQ(std::string_view(input["Name"]), "trades");
    EXPECT_EQ(std::string_view(input["TableType"]), "EXTERNAL_TABLE");
    EXPECT_EQ(std::string_view(input["Parameters"]["table_type"]), "ICEBERG");
    EXPECT_EQ(std::string_view(input["Parameters"]["metadata_location"]), trades().metadata_location);
    EXPECT_EQ(std::string_view(input["Parameters"]["previous_metadata_location"]), trades().previous_metadata_location);
    EXPECT_EQ(simdjson::dom::array(input["PartitionKeys"]).size(), 0u);
    simdjson::dom::element sd = input["StorageDescriptor"];
    EXPECT_EQ(std::string_view(sd["Location"]), "s3://bucket/wh/market/trades");
    EXPECT_EQ(std::string_view(sd["Columns"].at(3)["Type"]), "bigint");
    EXPECT_TRUE(sd["SerdeInfo"].error() == simdjson::NO_SUCH_FIELD) << json;
    EXPECT_TRUE(sd["InputFormat"].error() == simdjson::NO_SUCH_FIELD) << json;
    EXPECT_EQ(simdjson::dom::array(doc["BatchCreatePartition"]).size(), 0u);
    IcebergTableDef fresh = trades();
    fresh.previous_metadata_location.clear();
    EXPECT_EQ(glue_iceberg_table_of(fresh).table.parameters.size(), 2u);
}

} // namespace
} // namespace ticklake
