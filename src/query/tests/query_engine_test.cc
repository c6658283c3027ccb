// The engine as `ticklake query` opens it: sizes, the two sources of tables (a warehouse's
// folders, the catalog), the messages for a missing warehouse and an empty catalog, and the
// warning for catalog files that are gone.
#include "query/query_engine.h"
#include "iceberg/table_scan.h"
#include "query/iceberg_tables.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "crawler/crawler.h"
#include "storage/tests/storage_test_dir.h"

namespace ticklake::query {
namespace {

namespace fs = std::filesystem;

TEST(ParseSizeTest, DecimalAndBinaryUnitsAnyCase) {
    EXPECT_EQ(parse_size("4096").value(), 4096u);
    EXPECT_EQ(parse_size("500MB").value(), 500'000'000u);
    EXPECT_EQ(parse_size("10GiB").value(), 10ull << 30);
    EXPECT_EQ(parse_size("2kib").value(), 2048u);
    EXPECT_EQ(parse_size("1e9").value(), 1'000'000'000u);
    EXPECT_EQ(parse_size("7B").value(), 7u);
    EXPECT_EQ(parse_size("1TiB").value(), 1ull << 40);
}

TEST(ParseSizeTest, RefusesWhatIsNotASize) {
    for (const char* bad : {"", "MB", "12 parsecs", "5XB", "-1GB"}) {
        auto r = parse_size(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument) << bad;
    }
    EXPECT_NE(parse_size("5XB").error().message.find("unknown size unit"), std::string::npos);
    EXPECT_NE(parse_size("-1GB").error().message.find("must not be negative"), std::string::npos);
}

TEST(QueryLimitsTest, SizesAndTimeouts) {
    auto none = query_limits("", 0);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->max_bytes_scanned, 0u);
    EXPECT_EQ(none->timeout.count(), 0);
    auto both = query_limits("2MiB", 1'500'000);
    ASSERT_TRUE(both);
    EXPECT_EQ(both->max_bytes_scanned, 2u << 20);
    EXPECT_EQ(both->timeout.count(), 1500);
    EXPECT_FALSE(query_limits("lots", 0));
}

class QueryEngineTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* day : {"2025-01-06", "2025-01-07"}) {
            const fs::path part = dir_ / "wh/market/orders" / (std::string("dt=") + day);
            fs::create_directories(part);
            std::ofstream(part / "a.jsonl") << "{\"id\":1,\"qty\":5}\n{\"id\":2,\"qty\":7}\n";
        }
    }

    EngineOptions options() const {
        EngineOptions o;
        o.catalog = dir_ / "catalog.db";
        o.cache_dir = dir_ / "cache";
        return o;
    }

    testing::TestFolder folder_;
    const fs::path dir_ = folder_.path();
};

TEST_F(QueryEngineTest, AWarehouseFolderIsBoundByItsFolders) {
    EngineOptions o = options();
    o.warehouse = (dir_ / "wh").string();
    auto engine = Engine::open(o, "SELECT sum(qty) FROM market.orders");
    ASSERT_TRUE(engine) << engine.error().message;
    EXPECT_EQ(engine->source, "file://" + fs::absolute(dir_ / "wh").lexically_normal().string());
    EXPECT_EQ(engine->session->table_names(), std::vector<std::string>{"market.orders"});
    auto r = engine->session->run("SELECT sum(qty) FROM market.orders");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->rows.at(0).at(0), "24");
}

TEST_F(QueryEngineTest, AMissingWarehouseSaysWhatToPass) {
    EngineOptions o = options();
    o.warehouse = (dir_ / "nowhere").string();
    auto engine = Engine::open(o);
    ASSERT_FALSE(engine);
    EXPECT_EQ(engine.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(engine.error().message.find("no warehouse at"), std::string::npos) << engine.error().message;
}

TEST_F(QueryEngineTest, AnEmptyCatalogSaysHowToFillIt) {
    ASSERT_TRUE(Catalog::open(dir_ / "catalog.db"));
    auto engine = Engine::open(options(), "SELECT 1");
    ASSERT_FALSE(engine);
    EXPECT_NE(engine.error().message.find("has no tables"), std::string::npos) << engine.error().message;
}

TEST_F(QueryEngineTest, AMissingCatalogIsAnErrorAndIsNotCreated) {
    auto engine = Engine::open(options(), "SELECT 1");
    ASSERT_FALSE(engine);
    EXPECT_EQ(engine.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(engine.error().message.find("no catalog at"), std::string::npos) << engine.error().message;
    EXPECT_FALSE(fs::exists(dir_ / "catalog.db"));
}

TEST_F(QueryEngineTest, CatalogTablesAreBoundAndGoneFilesAreReported) {
    {
        auto catalog = Catalog::open(dir_ / "catalog.db");
        ASSERT_TRUE(catalog) << catalog.error().message;
        auto store = open_object_store((dir_ / "wh").string());
        ASSERT_TRUE(store) << store.error().message;
        Crawler crawler(**store, *catalog, CrawlOptions{});
        ASSERT_TRUE(crawler.run());
    }
    fs::remove(dir_ / "wh/market/orders/dt=2025-01-07/a.jsonl");
    std::vector<std::string> warnings;
    EngineOptions o = options();
    o.note = [&](const std::string& w) { warnings.push_back(w); };
    auto engine = Engine::open(o, "SELECT count(*) FROM market.orders");
    ASSERT_TRUE(engine) << engine.error().message;
    EXPECT_EQ(engine->source, "catalog " + (dir_ / "catalog.db").string());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0].rfind("1 file(s) the catalog lists are gone", 0), 0u) << warnings[0];
    auto r = engine->session->run("SELECT count(*) FROM market.orders");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->rows.at(0).at(0), "2");
}

TEST(TimeTravel, ForVersionAndTimestampBecomeViewsOfTheirOwn) {
    auto t = rewrite_time_travel("SELECT * FROM market.trades FOR VERSION AS OF 42 t JOIN quotes FOR TIMESTAMP AS OF "
                                 "TIMESTAMP '2026-01-02 00:00:01' q ON true");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->sql, "SELECT * FROM market.\"trades@v42\" t JOIN \"quotes@t1767312001000\" q ON true");
    ASSERT_EQ(t->requests.size(), 2u);
    EXPECT_EQ(t->requests[0].table, "market.trades");
    EXPECT_EQ(t->requests[0].snapshot_id, 42);
    EXPECT_EQ(t->requests[1].table, ".quotes");
    EXPECT_EQ(t->requests[1].as_of_ms, 1767312001000);
}

TEST(TimeTravel, StringsCommentsAndOtherSqlAreLeftAlone) {
    const std::string sql = "SELECT 'x FOR VERSION AS OF 1' AS s -- t FOR VERSION AS OF 2\nFROM t /* FOR VERSION AS OF 3 */";
    auto t = rewrite_time_travel(sql);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->sql, sql);
    EXPECT_TRUE(t->requests.empty());
    auto spark = rewrite_time_travel("SELECT 1 FROM \"Trades\" VERSION AS OF '7'");
    ASSERT_TRUE(spark);
    EXPECT_EQ(spark->sql, "SELECT 1 FROM \"Trades@v7\"");
    EXPECT_FALSE(rewrite_time_travel("SELECT 1 FROM t FOR VERSION AS OF x"));
    EXPECT_FALSE(rewrite_time_travel("SELECT 1 FROM t FOR TIMESTAMP AS OF 'yesterday'"));
}

TEST(TimeTravel, IcebergTypesAsDuckDbTypes) {
    EXPECT_EQ(iceberg::duckdb_type_of("long"), "BIGINT");
    EXPECT_EQ(iceberg::duckdb_type_of("decimal(18, 8)"), "DECIMAL(18,8)");
    EXPECT_EQ(iceberg::duckdb_type_of("timestamptz"), "TIMESTAMP WITH TIME ZONE");
    EXPECT_EQ(iceberg::duckdb_type_of("{\"type\":\"struct\"}"), std::nullopt);
}

} // namespace
} // namespace ticklake::query
