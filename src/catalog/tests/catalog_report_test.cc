// What `ticklake catalog` shows, as values: totals, Glue's column names beside the files' own,
// partitions whose schema differs, history, and the export refusals and notes.
#include "catalog/catalog_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace ticklake {
namespace {

class CatalogReportTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (std::filesystem::temp_directory_path() / "tl-report-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        auto c = Catalog::open(dir_ / "catalog.db");
        ASSERT_TRUE(c) << c.error().message;
        catalog_.emplace(std::move(*c));
        TableChange change;
        TableDef& t = change.table;
        t = TableDef{"market", "trades", "file:///w/market/trades/", "parquet", "zstd",
                     {{"Symbol", "string"}, {"price", "double"}}, {{"dt", "string"}}, {{"classification", "parquet"}}};
        change.new_version = "created by crawl";
        const Columns wider = {{"Symbol", "string"}, {"price", "string"}};
        change.partitions = {{{"2025-01-06"}, "file:///w/market/trades/dt=2025-01-06/", 0, 0, 0, {}, {}, t.columns, 0},
                             {{"2025-01-07"}, "file:///w/market/trades/dt=2025-01-07/", 0, 0, 0, {}, {}, wider, 0}};
        change.upsert_files = {file("dt=2025-01-06/a.parquet", "2025-01-06", 10, t.columns),
                               file("dt=2025-01-07/b.parquet", "2025-01-07", 5, wider)};
        ASSERT_TRUE(catalog_->apply(change));
        auto resolved = catalog_->resolve("trades");
        ASSERT_TRUE(resolved);
        table_ = *resolved;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    static FileDef file(std::string key, std::string dt, int64_t rows, Columns cols) {
        FileDef f;
        f.key = "market/trades/" + key;
        f.partition_values = {std::move(dt)};
        f.size = 100;
        f.rows = rows;
        f.ts_min = 1'736'150'400'000'000;
        f.ts_max = 1'736'150'460'000'000;
        f.columns = std::move(cols);
        return f;
    }

    std::filesystem::path dir_;
    std::optional<Catalog> catalog_;
    TableDef table_;
};

TEST_F(CatalogReportTest, DatabasesAndTablesWithTotals) {
    auto dbs = databases_report(*catalog_);
    ASSERT_TRUE(dbs) << dbs.error().message;
    ASSERT_EQ(dbs->text.size(), 1u);
    EXPECT_EQ(dbs->text[0].table->rows.at(0).at(0), "market");
    EXPECT_NE(dbs->json.find("\"tables\": 1"), std::string::npos) << dbs->json;
    auto tables = tables_report(*catalog_, "");
    ASSERT_TRUE(tables);
    EXPECT_EQ(tables->text[0].table->rows.at(0),
              (std::vector<std::string>{"market.trades", "parquet", "2", "2", "2", "15", "200", "1",
                                        "file:///w/market/trades/"}));
    EXPECT_EQ(tables->json.back(), '\n');
    auto none = tables_report(*catalog_, "other");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->text[0].table->rows.empty());
}

TEST(CatalogReportRender, BlocksApartByABlankLineTablesAlignedOrTheJsonAsIs) {
    CatalogReport r{"{\"a\": 1}\n", {}};
    r.text.push_back({{"table: market.trades"}, ReportTable{{"NAME", "ROWS"}, {false, true}, {{"a", "5"}, {"bb", "10"}}}});
    r.text.push_back({{"versions: 1"}, std::nullopt});
    EXPECT_EQ(render(r, false), "table: market.trades\n"
                                "NAME  ROWS\n"
                                "a        5\n"
                                "bb      10\n"
                                "\n"
                                "versions: 1\n");
    EXPECT_EQ(render(r, true), r.json);
}

TEST_F(CatalogReportTest, DescribeShowsGlueNamesBesideTheFilesOwn) {
    auto d = describe_report(*catalog_, table_);
    ASSERT_TRUE(d) << d.error().message;
    ASSERT_EQ(d->text.size(), 4u) << "lines, columns, properties, versions";
    EXPECT_EQ(d->text[0].lines.at(0), "table        market.trades");
    EXPECT_EQ(d->text[0].lines.at(3), "data         2 partitions, 2 files, 15 rows, 200 bytes");
    EXPECT_EQ(d->text[0].lines.at(4).rfind("event time   2025-01-06T08:00:00", 0), 0u) << d->text[0].lines.at(4);
    const auto& cols = d->text[1].table->rows;
    EXPECT_EQ(cols.at(0), (std::vector<std::string>{"symbol", "string", "", "Symbol"}));
    EXPECT_EQ(cols.at(2), (std::vector<std::string>{"dt", "string", "partition key", ""}));
    EXPECT_EQ(d->text[2].table->rows.at(0), (std::vector<std::string>{"classification", "parquet"}));
    EXPECT_EQ(d->text[3].table->rows.at(0).at(3), "created by crawl");
    EXPECT_NE(d->json.find("\"file_name\": \"Symbol\""), std::string::npos) << d->json;
}

TEST_F(CatalogReportTest, PartitionsSayWhereTheSchemaDiffers) {
    auto p = partitions_report(*catalog_, table_);
    ASSERT_TRUE(p) << p.error().message;
    const auto& rows = p->text[0].table->rows;
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at(0), "dt=2025-01-06");
    EXPECT_EQ(rows[0].back(), "same");
    EXPECT_EQ(rows[1].back(), "differs");
    EXPECT_NE(p->json.find("\"schema_differs\": true"), std::string::npos) << p->json;
    auto h = history_report(*catalog_, table_);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->text[0].table->rows.at(0).at(2), "Symbol string, price double");
}

TEST_F(CatalogReportTest, ExportsNoteALocalLocationAndRefuseATableWithoutColumns) {
    auto ddl = export_table(*catalog_, table_, false, {});
    ASSERT_TRUE(ddl) << ddl.error().message;
    EXPECT_NE(ddl->text.find("CREATE EXTERNAL TABLE"), std::string::npos);
    EXPECT_EQ(ddl->note, "LOCATION is file:///w/market/trades/; Athena needs s3:// (pass --location s3://...)");
    auto moved = export_table(*catalog_, table_, false, ExportOptions{.location = "s3://b/t/", .projection = true});
    ASSERT_TRUE(moved);
    EXPECT_TRUE(moved->note.empty());
    auto glue = export_table(*catalog_, table_, true, {});
    ASSERT_TRUE(glue);
    EXPECT_TRUE(glue->note.empty());
    TableDef empty = table_;
    empty.columns.clear();
    auto refused = export_table(*catalog_, empty, false, {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::invalid_argument);
}

} // namespace
} // namespace ticklake
