// Tables from the catalog: a crawled warehouse is queried by the names and files the catalog
// holds, a file deleted since the crawl is left out (and counted), roots are found from
// locations and keys.
#include "query/catalog_tables.h"

#include "common/timestamp.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "crawler/crawler.h"
#include "format/tests/file_reader.h"
#include "query/function_library.h"
#include "query/query_session.h"
#include "storage/tests/storage_test_dir.h"

namespace ticklake::query {
namespace {

namespace fs = std::filesystem;

using testing::duckdb_exec;

TEST(CatalogTablesTest, WarehouseRootIsTheLocationWithoutTheKeysFolder) {
    EXPECT_EQ(warehouse_root("file:///wh/market/trades/", "market/trades/dt=2025-01-06/a.parquet"), "file:///wh");
    EXPECT_EQ(warehouse_root("s3://b/lake/market/trades/", "market/trades/dt=2025-01-06/a.parquet"), "s3://b/lake");
    EXPECT_EQ(warehouse_root("s3://b/x/y/", "y/a.csv"), "s3://b/x");
    EXPECT_EQ(warehouse_root("file:///wh/t/", "other/a.csv"), "file:///wh/t") << "no shared folder: the location";
}

TEST(CatalogTablesTest, CrawledTablesAreQueriedThroughTheCatalog) {
    testing::TestFolder folder;
    const fs::path dir = folder.path();
    const fs::path wh = dir / "wh";
    for (int d = 6; d <= 8; ++d) {
        const fs::path part = wh / "market/trades" / ("dt=2025-01-0" + std::to_string(d));
        fs::create_directories(part);
        duckdb_exec("COPY (SELECT 'AAPL' AS symbol, TIMESTAMP '2025-01-0" + std::to_string(d) +
                    " 15:00:00' + INTERVAL (i) SECOND AS ts, 10.0 * " + std::to_string(d) +
                    " AS price, 100 AS size FROM range(1000) t(i)) TO '" + (part / "a.parquet").string() +
                    "' (FORMAT parquet)");
    }
    auto catalog = Catalog::open(dir / "catalog.db");
    ASSERT_TRUE(catalog) << catalog.error().message;
    auto store = open_object_store(wh.string());
    ASSERT_TRUE(store) << store.error().message;
    {
        Crawler crawler(**store, *catalog, CrawlOptions{});
        auto summary = crawler.run();
        ASSERT_TRUE(summary) << summary.error().message;
        EXPECT_EQ(summary->files_read, 3u);
    }
    // A file deleted after the crawl: the catalog still lists it.
    fs::remove(wh / "market/trades/dt=2025-01-08/a.parquet");

    auto bound = bind_catalog(*catalog, {}, {});
    ASSERT_TRUE(bound) << bound.error().message;
    EXPECT_EQ(bound->all_names, std::vector<std::string>{"market.trades"});
    EXPECT_EQ(bound->missing_files, 1u);
    ASSERT_EQ(bound->tables.tables.size(), 1u);
    EXPECT_EQ(bound->tables.tables[0].files.size(), 2u);

    SessionOptions options;
    options.allowed_directories = bound->tables.folders;
    options.setup_sql = function_library_sql();
    auto session = QuerySession::open(options, bound->tables.tables);
    ASSERT_TRUE(session) << session.error().message;
    auto r = (*session)->run("SELECT dt, count(*), max(price) FROM market.trades GROUP BY dt ORDER BY dt");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->rows.size(), 2u);
    EXPECT_EQ(r->rows[0][0], "2025-01-06");
    EXPECT_EQ(r->rows[0][1], "1000");
    EXPECT_EQ(r->rows[1][2], "70.0");
    auto day = (*session)->run("SELECT sum(price) FROM market.trades WHERE dt = DATE '2025-01-07'");
    ASSERT_TRUE(day) << day.error().message;
    EXPECT_EQ(day->stats.files_read, 1u);

    // Event-time ranges leave out the files no row of which can match, and keep one file of a
    // table they would empty (so it is still a table).
    WarehouseScanOptions by_time;
    by_time.time_filter = [](const std::string&, std::optional<int64_t> lo, std::optional<int64_t> hi) {
        EXPECT_TRUE(lo && hi);
        return lo && *lo >= *parse_iso8601("2025-01-07");
    };
    auto timed = bind_catalog(*catalog, by_time, {});
    ASSERT_TRUE(timed) << timed.error().message;
    EXPECT_EQ(timed->files_skipped_by_time, 1u); // dt=2025-01-06 (dt=2025-01-08 is gone)
    ASSERT_EQ(timed->tables.tables.size(), 1u);
    EXPECT_EQ(timed->tables.tables[0].files.size(), 1u);
    by_time.time_filter = [](const std::string&, std::optional<int64_t>, std::optional<int64_t>) { return false; };
    auto none = bind_catalog(*catalog, by_time, {});
    ASSERT_TRUE(none);
    ASSERT_EQ(none->tables.tables.size(), 1u);
    EXPECT_EQ(none->tables.tables[0].files.size(), 1u);

    // Every file gone: the table is named as such, not left for DuckDB to call nonexistent.
    fs::remove_all(wh / "market/trades");
    auto gone = bind_catalog(*catalog, {}, {});
    ASSERT_TRUE(gone) << gone.error().message;
    ASSERT_EQ(gone->gone_tables.size(), 1u);
    EXPECT_NE(gone->gone_tables[0].find("table market.trades: all 3 file(s) the catalog lists are gone"),
              std::string::npos) << gone->gone_tables[0];
    EXPECT_NE(gone->gone_tables[0].find("catalog drop market.trades"), std::string::npos);
    EXPECT_EQ(gone->missing_files, 0u) << "counted as a gone table, not as missing files";
}

} // namespace
} // namespace ticklake::query
