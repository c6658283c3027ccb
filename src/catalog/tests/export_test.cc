#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <simdjson.h>

#include "catalog/athena_ddl.h"
#include "catalog/glue_json.h"
#include "golden_file.h"
#include "hive_ddl_grammar.h"

namespace ticklake {
namespace {

PartitionDef make_partition(std::vector<std::string> values, std::string location, int64_t rows, Columns columns = {}) {
    PartitionDef p;
    p.values = std::move(values);
    p.location = std::move(location);
    p.rows = rows;
    p.file_count = 1;
    p.bytes = rows * 10;
    p.columns = std::move(columns);
    return p;
}

TableDef make_table(std::string database, std::string name, std::string location, std::string format,
                    Columns columns) {
    TableDef t;
    t.database = std::move(database);
    t.name = std::move(name);
    t.location = std::move(location);
    t.format = std::move(format);
    t.compression = "none";
    t.columns = std::move(columns);
    return t;
}

struct Case {
    std::string name;
    TableDef table;
    std::vector<PartitionDef> partitions;
    ExportOptions options;
};

std::vector<Case> cases() {
    std::vector<Case> out;
    {
        Case c{"parquet_trades",
               make_table("market", "trades", "file:///w/market/trades/", "parquet",
                          {{"id", "string"}, {"symbol", "string"}, {"ts", "timestamp"}, {"price", "double"},
                           {"size", "double"}, {"tags", "array<string>"}, {"q", "struct<bid:double,ask:double>"},
                           {"m", "map<string,bigint>"}, {"amount", "decimal(18,3)"}}),
               {}, {}};
        TableDef& t = c.table;
        t.compression = "zstd";
        t.partition_keys = {{"dt", "string"}};
        for (const char* d : {"2025-01-07", "2025-01-06", "2025-01-08"}) {
            c.partitions.push_back(make_partition({d}, "file:///w/market/trades/dt=" + std::string(d) + "/", 100));
        }
        c.options.location = "s3://lake-bucket/wh/market/trades";
        out.push_back(c);
    }
    {
        Case c{"jsonl_renamed_monthly",
               make_table("feeds", "daily_prices", "s3://b/feeds/daily_prices/", "jsonl",
                          {{"Symbol", "string"}, {"symbol", "string"}, {"Adj Close", "double"}, {"ok", "boolean"}}),
               {}, {}};
        c.table.partition_keys = {{"month", "string"}};
        c.partitions.push_back(make_partition({"2024-02"}, "s3://b/feeds/daily_prices/month=2024-02/", 5,
                                         {{"Symbol", "string"}, {"Adj Close", "bigint"}}));
        c.partitions.push_back(make_partition({"2024-01"}, "s3://b/feeds/daily_prices/month=2024-01/", 7));
        out.push_back(c);
    }
    {
        Case c{"csv_quoted_plain_folders",
               make_table("default", "index_processed", "file:///data/index_processed/", "csv",
                          {{"Index", "string"}, {"Date", "date"}, {"Close", "double"}}),
               {}, {}};
        TableDef& t = c.table;
        t.partition_keys = {{"partition_0", "int"}, {"partition_1", "string"}};
        t.properties = {{"csv.delimiter", ";"}, {"csv.quote", "\""}, {"csv.header", "true"}, {"csv.quotes_seen", "true"}};
        c.partitions.push_back(make_partition({"2021", "NYA"}, "file:///data/index_processed/2021/NYA/", 10));
        c.partitions.push_back(make_partition({"2020", "HSI"}, "file:///data/index_processed/2020/HSI/", 10));
        out.push_back(c);
    }
    {
        Case c{"csv_plain_unpartitioned",
               make_table("shared", "ftx_btc_perp", "file:///data/shared/ftx_btc_perp/", "csv",
                          {{"timestamp", "timestamp"}, {"open", "double"}, {"volume", "double"}}),
               {}, {}};
        c.table.properties = {{"csv.delimiter", "\\t"}, {"csv.header", "false"}, {"csv.quotes_seen", "false"}};
        c.partitions.push_back(make_partition({}, "file:///data/shared/ftx_btc_perp/", 45031));
        out.push_back(c);
    }
    return out;
}

void expect_golden(const std::string& name, const std::string& actual) {
    testing::expect_golden(TICKLAKE_CATALOG_GOLDEN_DIR, name, actual);
}

TEST(AthenaDdl, MatchesGoldenAndParsesAsDocumentedGrammar) {
    for (const auto& c : cases()) {
        SCOPED_TRACE(c.name);
        const std::string ddl = athena_ddl(c.table, c.partitions, c.options);
        expect_golden(c.name + ".sql", ddl);
        auto parsed = testing::parse_create_external_table(ddl);
        ASSERT_TRUE(parsed) << parsed.error().message << "\n" << ddl;
        // Every column and partition key is named, in order, with its type.
        ASSERT_EQ(parsed->columns.size(), c.table.columns.size());
        std::set<std::string> names;
        for (size_t i = 0; i < c.table.columns.size(); ++i) {
            // Athena-safe and unique ignoring case: "Symbol" and "symbol" become symbol, symbol_2.
            EXPECT_TRUE(parsed->columns[i].first.starts_with(glue_column_name(c.table.columns[i].name)))
                << parsed->columns[i].first;
            EXPECT_TRUE(names.insert(parsed->columns[i].first).second) << parsed->columns[i].first;
            EXPECT_EQ(parsed->columns[i].second, c.table.columns[i].type);
        }
        ASSERT_EQ(parsed->partition_keys.size(), c.table.partition_keys.size());
        for (size_t i = 0; i < c.table.partition_keys.size(); ++i) {
            EXPECT_EQ(parsed->partition_keys[i].first, c.table.partition_keys[i].name);
            EXPECT_EQ(parsed->partition_keys[i].second, c.table.partition_keys[i].type);
        }
        EXPECT_EQ(parsed->database, athena_name(c.table.database));
        EXPECT_TRUE(parsed->location.ends_with("/"));
        EXPECT_EQ(parsed->table_properties.at("classification"), c.table.format == "jsonl" ? "json" : c.table.format);
    }
}

TEST(AthenaDdl, DtPartitionsGetDateProjection) {
    const Case c = cases()[0];
    auto parsed = testing::parse_create_external_table(athena_ddl(c.table, c.partitions, c.options));
    ASSERT_TRUE(parsed);
    auto& p = parsed->table_properties;
    EXPECT_EQ(p.at("projection.enabled"), "true");
    EXPECT_EQ(p.at("projection.dt.type"), "date");
    EXPECT_EQ(p.at("projection.dt.format"), "yyyy-MM-dd");
    EXPECT_EQ(p.at("projection.dt.range"), "2025-01-06,NOW"); // the earliest partition
    EXPECT_EQ(p.at("storage.location.template"), "s3://lake-bucket/wh/market/trades/dt=${dt}/");
    EXPECT_EQ(parsed->location, "s3://lake-bucket/wh/market/trades/");
    EXPECT_EQ(p.at("parquet.compression"), "ZSTD");

    ExportOptions none = c.options;
    none.projection = false;
    auto plain = testing::parse_create_external_table(athena_ddl(c.table, c.partitions, none));
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->table_properties.contains("projection.enabled"));
}

TEST(AthenaDdl, JsonKeysEqualButForCaseAreMappedExactly) {
    const Case c = cases()[1]; // "Symbol" and "symbol"
    auto parsed = testing::parse_create_external_table(athena_ddl(c.table, c.partitions, c.options));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->serde_properties.at("case.insensitive"), "false");
    EXPECT_EQ(parsed->serde_properties.at("mapping.symbol"), "Symbol");
    EXPECT_EQ(parsed->serde_properties.at("mapping.symbol_2"), "symbol");
    EXPECT_EQ(parsed->serde_properties.at("mapping.adj close"), "Adj Close");
    // Without a collision, case alone needs no mapping (the SerDe folds case).
    TableDef t = c.table;
    t.columns.erase(t.columns.begin() + 1);
    auto plain = testing::parse_create_external_table(athena_ddl(t, c.partitions, c.options));
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->serde_properties.contains("case.insensitive"));
    EXPECT_FALSE(plain->serde_properties.contains("mapping.symbol"));
}

TEST(AthenaDdl, OneFileTableSaysToMoveIt) {
    Case c = cases()[3];
    c.table.location = "file:///data/ftx.csv";
    const std::string ddl = athena_ddl(c.table, c.partitions, c.options);
    EXPECT_NE(ddl.find("-- the table is one file (file:///data/ftx.csv)"), std::string::npos) << ddl;
    auto parsed = testing::parse_create_external_table(ddl);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->location, "file:///data/");
}

TEST(AthenaDdl, GrammarCheckerRejectsBrokenStatements) {
    // The checker must be able to fail: each of these breaks one documented rule.
    for (const char* bad : {"CREATE TABLE t (a int)", "CREATE EXTERNAL TABLE t (a integerx)",
                            "CREATE EXTERNAL TABLE t (a int,) LOCATION 's3://b/'",
                            "CREATE EXTERNAL TABLE t (a int) STORED AS CSV",
                            "CREATE EXTERNAL TABLE t (a int) TBLPROPERTIES ('x'='1', 'x'='2')",
                            "CREATE EXTERNAL TABLE t (a map<string>)",
                            "CREATE EXTERNAL TABLE t (a int) LOCATION s3://b/"}) {
        EXPECT_FALSE(testing::parse_create_external_table(bad)) << bad;
    }
}

TEST(GlueJson, MatchesGoldenAndHasTheApiShapes) {
    simdjson::dom::parser parser;
    for (const auto& c : cases()) {
        SCOPED_TRACE(c.name);
        const std::string json = glue_json(c.table, c.partitions, c.options);
        expect_golden(c.name + ".glue.json", json);
        simdjson::dom::element doc;
        ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
        auto input = doc["CreateTable"]["TableInput"];
        EXPECT_EQ(std::string_view(doc["CreateTable"]["DatabaseName"].get_string().value()), athena_name(c.table.database));
        EXPECT_EQ(std::string_view(input["TableType"].get_string().value()), "EXTERNAL_TABLE");
        EXPECT_EQ(input["StorageDescriptor"]["Columns"].get_array().value().size(), c.table.columns.size());
        EXPECT_EQ(input["PartitionKeys"].get_array().value().size(), c.table.partition_keys.size());
        EXPECT_FALSE(std::string_view(input["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].get_string().value()).empty());
        auto batches = doc["BatchCreatePartition"].get_array().value();
        EXPECT_EQ(batches.size(), c.table.partition_keys.empty() ? 0u : 1u);
    }
}

TEST(GlueJson, PartitionsComeInBatchesOfAHundred) {
    Case c = cases()[0];
    c.partitions.clear();
    for (int i = 0; i < 250; ++i) {
        const std::string d = format_date(static_cast<TimestampUs>(i) * kMicrosPerDay);
        c.partitions.push_back(make_partition({d}, "file:///w/market/trades/dt=" + d + "/", i));
    }
    const std::string json = glue_json(c.table, c.partitions, c.options);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS);
    auto batches = doc["BatchCreatePartition"].get_array().value();
    ASSERT_EQ(batches.size(), 3u);
    size_t total = 0;
    for (auto b : batches) {
        const size_t n = b["PartitionInputList"].get_array().value().size();
        EXPECT_LE(n, kGluePartitionsPerBatch);
        total += n;
    }
    EXPECT_EQ(total, 250u);
    auto last = batches.at(2)["PartitionInputList"].get_array().value().at(49);
    EXPECT_EQ(std::string_view(last["StorageDescriptor"]["Location"].get_string().value()),
              "s3://lake-bucket/wh/market/trades/dt=1970-09-07/");
    EXPECT_EQ(std::string_view(last["Parameters"]["recordCount"].get_string().value()), "249");
}

} // namespace
} // namespace ticklake
