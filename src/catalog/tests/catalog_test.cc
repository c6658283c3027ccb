#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "temp_dir.h"

namespace ticklake {
namespace {

class CatalogTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = testing::make_temp_dir("tl-catalog");
        ASSERT_FALSE(dir_.empty());
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path db_path() const { return dir_ / "sub" / "catalog.db"; }

    std::filesystem::path dir_;
};

FileDef file(std::string key, std::string dt, int64_t rows, Columns cols) {
    FileDef f;
    f.key = std::move(key);
    f.partition_values = {std::move(dt)};
    f.size = 100 * static_cast<uint64_t>(rows);
    f.modified = 1'700'000'000'000'000;
    f.rows = rows;
    f.ts_min = rows;
    f.ts_max = rows * 10;
    f.columns = std::move(cols);
    return f;
}

TableChange trades_change() {
    TableChange c;
    c.table.database = "market";
    c.table.name = "trades";
    c.table.location = "file:///w/market/trades/";
    c.table.format = "parquet";
    c.table.compression = "zstd";
    c.table.columns = {{"symbol", "string"}, {"price", "double"}};
    c.table.partition_keys = {{"dt", "string"}};
    c.table.properties = {{"classification", "parquet"}};
    c.new_version = "created by crawl";
    c.partitions = {{{"2025-01-06"}, "file:///w/market/trades/dt=2025-01-06/", 0, 0, 0, {}, {}, c.table.columns, 0},
                    {{"2025-01-07"}, "file:///w/market/trades/dt=2025-01-07/", 0, 0, 0, {}, {}, c.table.columns, 0}};
    c.upsert_files = {file("market/trades/dt=2025-01-06/a.parquet", "2025-01-06", 10, c.table.columns),
                      file("market/trades/dt=2025-01-06/b.parquet", "2025-01-06", 5, c.table.columns),
                      file("market/trades/dt=2025-01-07/c.parquet", "2025-01-07", 7, c.table.columns)};
    return c;
}

TEST_F(CatalogTest, CreatesFolderAndMigratesOnce) {
    auto c = Catalog::open(db_path());
    ASSERT_TRUE(c) << c.error().message;
    auto again = Catalog::open(db_path());
    ASSERT_TRUE(again) << again.error().message;
    auto dbs = again->databases();
    ASSERT_TRUE(dbs);
    EXPECT_TRUE(dbs->empty());
}

TEST_F(CatalogTest, ReadOnlyOpenNeverCreatesACatalog) {
    auto c = Catalog::open_read_only(db_path());
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(c.error().message.find("no catalog at " + db_path().string()), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("ticklake crawl"), std::string::npos) << c.error().message;
    EXPECT_FALSE(std::filesystem::exists(db_path()));
    EXPECT_FALSE(std::filesystem::exists(db_path().parent_path())); // not even its folder
}

TEST_F(CatalogTest, ReadOnlyOpenReadsButCannotWrite) {
    {
        auto c = Catalog::open(db_path());
        ASSERT_TRUE(c) << c.error().message;
        ASSERT_TRUE(c->apply(trades_change()));
    }
    auto c = Catalog::open_read_only(db_path());
    ASSERT_TRUE(c) << c.error().message;
    auto t = c->resolve("trades");
    ASSERT_TRUE(t) << t.error().message;
    auto files = c->files(*t);
    ASSERT_TRUE(files);
    EXPECT_EQ(files->size(), 3u);
    TableChange again = trades_change();
    again.table.name = "quotes";
    EXPECT_FALSE(c->apply(again)); // SQLITE_OPEN_READONLY
}

TEST_F(CatalogTest, ReadOnlyOpenRefusesFilesThatAreNotCatalogs) {
    std::filesystem::create_directories(db_path().parent_path());
    {
        auto db = SqliteDb::open(db_path()); // an SQLite file without ticklake's schema
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("CREATE TABLE x (a)"));
    }
    auto c = Catalog::open_read_only(db_path());
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find("not a ticklake catalog"), std::string::npos) << c.error().message;
    const auto text = dir_ / "notes.txt";
    std::ofstream(text) << std::string(4096, 'x');
    auto t = Catalog::open_read_only(text);
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().message.find("catalog " + text.string() + " is not a ticklake catalog"), std::string::npos)
        << t.error().message;
    auto folder = Catalog::open_read_only(dir_);
    ASSERT_FALSE(folder);
    EXPECT_NE(folder.error().message.find("is a folder"), std::string::npos) << folder.error().message;
}

TEST_F(CatalogTest, RefusesCatalogFromNewerVersion) {
    std::filesystem::create_directories(db_path().parent_path());
    {
        auto db = SqliteDb::open(db_path());
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("PRAGMA user_version = 999"));
    }
    auto c = Catalog::open(db_path());
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find("newer"), std::string::npos) << c.error().message;
}

TEST_F(CatalogTest, AppliesTableWithPartitionsFilesAndVersion) {
    auto c = Catalog::open(db_path());
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->apply(trades_change()));

    auto t = c->resolve("trades");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->qualified_name(), "market.trades");
    EXPECT_EQ(t->schema_version, 1);
    EXPECT_EQ(t->columns, (Columns{{"symbol", "string"}, {"price", "double"}}));
    EXPECT_EQ(t->partition_keys, (Columns{{"dt", "string"}}));
    EXPECT_EQ(t->properties.at("classification"), "parquet");

    auto parts = c->partitions(*t);
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 2u);
    EXPECT_EQ((*parts)[0].values, std::vector<std::string>{"2025-01-06"});
    EXPECT_EQ((*parts)[0].file_count, 2);
    EXPECT_EQ((*parts)[0].rows, 15);
    EXPECT_EQ((*parts)[0].bytes, 1500);
    EXPECT_EQ((*parts)[0].ts_min, 5);
    EXPECT_EQ((*parts)[0].ts_max, 100);
    EXPECT_EQ((*parts)[1].rows, 7);

    auto files = c->files(*t);
    ASSERT_TRUE(files);
    ASSERT_EQ(files->size(), 3u);
    EXPECT_EQ((*files)[2].key, "market/trades/dt=2025-01-07/c.parquet");
    EXPECT_EQ((*files)[2].columns, t->columns);

    auto dbs = c->databases();
    ASSERT_TRUE(dbs);
    ASSERT_EQ(dbs->size(), 1u);
    EXPECT_EQ((*dbs)[0].name, "market");
    EXPECT_EQ((*dbs)[0].tables, 1);
}

TEST_F(CatalogTest, SchemaChangeAddsVersionAndRemovedFilesDropEmptyPartitions) {
    auto c = Catalog::open(db_path());
    ASSERT_TRUE(c);
    TableChange first = trades_change();
    ASSERT_TRUE(c->apply(first));

    TableChange second;
    second.table = first.table;
    second.table.columns.push_back({"side", "string"});
    second.new_version = "column 'side' added";
    second.remove_files = {"market/trades/dt=2025-01-07/c.parquet"};
    second.partitions = {{{"2025-01-08"}, "file:///w/market/trades/dt=2025-01-08/", 0, 0, 0, {}, {},
                          second.table.columns, 0}};
    second.upsert_files = {file("market/trades/dt=2025-01-08/d.parquet", "2025-01-08", 3, second.table.columns)};
    ASSERT_TRUE(c->apply(second));

    auto t = c->resolve("market.trades");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->schema_version, 2);
    auto h = c->history(*t);
    ASSERT_TRUE(h);
    ASSERT_EQ(h->size(), 2u);
    EXPECT_EQ((*h)[0].reason, "created by crawl");
    EXPECT_EQ((*h)[0].columns.size(), 2u);
    EXPECT_EQ((*h)[1].reason, "column 'side' added");
    EXPECT_EQ((*h)[1].columns.size(), 3u);

    auto parts = c->partitions(*t);
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 2u); // 2025-01-07 lost its only file
    EXPECT_EQ((*parts)[0].values[0], "2025-01-06");
    EXPECT_EQ((*parts)[1].values[0], "2025-01-08");
    EXPECT_EQ((*parts)[1].columns.size(), 3u);
}

TEST_F(CatalogTest, FailedChangeLeavesNothingBehind) {
    auto c = Catalog::open(db_path());
    ASSERT_TRUE(c);
    TableChange bad = trades_change();
    // A file naming a partition the change does not create: the whole change is refused.
    bad.upsert_files.push_back(file("market/trades/dt=2030-01-01/z.parquet", "2030-01-01", 1, bad.table.columns));
    auto st = c->apply(bad);
    ASSERT_FALSE(st);
    auto tables = c->tables();
    ASSERT_TRUE(tables);
    EXPECT_TRUE(tables->empty());
    auto dbs = c->databases();
    ASSERT_TRUE(dbs);
    EXPECT_TRUE(dbs->empty());
}

TEST_F(CatalogTest, StaleBaseVersionIsRefusedAndChangesNothing) {
    auto c = Catalog::open(db_path());
    ASSERT_TRUE(c);
    TableChange first = trades_change();
    first.base_version = 0;
    ASSERT_TRUE(c->apply(first));
    TableChange again = trades_change(); // computed as if the table did not exist
    again.base_version = 0;
    again.table.columns.push_back({"late", "string"});
    auto st = c->apply(again);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::retry);
    auto t = c->resolve("market.trades");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->columns.size(), 2u);
    EXPECT_EQ(t->schema_version, 1);
    again.base_version = 1;
    ASSERT_TRUE(c->apply(again));
    EXPECT_EQ(c->resolve("market.trades")->columns.size(), 3u);
}

TEST_F(CatalogTest, AmbiguousNameAsksForDatabase) {
    auto c = Catalog::open(db_path());
    ASSERT_TRUE(c);
    TableChange a = trades_change();
    ASSERT_TRUE(c->apply(a));
    a.table.database = "other";
    ASSERT_TRUE(c->apply(a));
    auto t = c->resolve("trades");
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().message.find("market.trades"), std::string::npos);
    EXPECT_TRUE(c->resolve("other.trades"));
    EXPECT_EQ(c->resolve("nope").error().kind, ErrorKind::not_found);
}

// Two processes writing the same catalog at once: WAL plus BEGIN IMMEDIATE and the busy
// timeout serialise them; no change is lost and no "database is locked" error reaches them.
TEST_F(CatalogTest, ConcurrentWritersFromTwoProcesses) {
    ASSERT_TRUE(Catalog::open(db_path()));
    constexpr int kTablesPerWriter = 40;
    pid_t pids[2];
    for (int w = 0; w < 2; ++w) {
        pids[w] = ::fork();
        ASSERT_GE(pids[w], 0);
        if (pids[w] == 0) {
            auto c = Catalog::open(db_path());
            if (!c) {
                ::_exit(2);
            }
            for (int i = 0; i < kTablesPerWriter; ++i) {
                TableChange ch = trades_change();
                ch.table.name = "t" + std::to_string(w) + "_" + std::to_string(i);
                if (!c->apply(ch)) {
                    ::_exit(3);
                }
            }
            ::_exit(0);
        }
    }
    for (pid_t pid : pids) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 0);
    }
    auto c = Catalog::open(db_path());
    ASSERT_TRUE(c);
    auto tables = c->tables("market");
    ASSERT_TRUE(tables);
    EXPECT_EQ(tables->size(), 2u * kTablesPerWriter);
}

TEST_F(CatalogTest, FilesKeepTheirKafkaOriginAndACrawlDoesNotForgetIt) {
    auto c = Catalog::open(db_path());
    ASSERT_TRUE(c);
    TableChange change = trades_change();
    change.upsert_files[0].origin = {"ticks", 3, 100, 250, "ticklake 0.1.0"};
    ASSERT_TRUE(c->apply(change));
    // A crawl re-reading the file knows only what its name says.
    TableChange crawl = trades_change();
    crawl.new_version.reset();
    crawl.upsert_files = {crawl.upsert_files[0]};
    crawl.upsert_files[0].origin = {"ticks", 3, 100, std::nullopt, ""};
    ASSERT_TRUE(c->apply(crawl));
    auto t = c->resolve("market.trades");
    ASSERT_TRUE(t);
    auto files = c->files(*t);
    ASSERT_TRUE(files);
    ASSERT_EQ(files->size(), 3u);
    const FileOrigin& o = files->at(0).origin;
    EXPECT_EQ(o.topic, "ticks");
    EXPECT_EQ(o.kafka_partition, 3);
    EXPECT_EQ(o.first_offset, 100);
    EXPECT_EQ(o.last_offset, 250);
    EXPECT_EQ(o.writer, "ticklake 0.1.0");
    EXPECT_EQ(files->at(1).origin.topic, "");
    EXPECT_FALSE(files->at(1).origin.first_offset);
}

TEST_F(CatalogTest, MigrationFromVersionOneReadsOriginsFromFileNames) {
    {
        auto c = Catalog::open(db_path());
        ASSERT_TRUE(c);
        TableChange change = trades_change();
        change.upsert_files[0].key = "market/trades/dt=2025-01-06/ticks-p2-o00000000000000000042.parquet";
        ASSERT_TRUE(c->apply(change));
    }
    {
        // Back to the first schema: the files table without its provenance columns, and none
        // of the compaction tables of version 3 or the Iceberg tables of version 4.
        auto db = SqliteDb::open(db_path());
        ASSERT_TRUE(db);
        for (const char* table : {"pending_deletions", "compaction_files", "compaction_runs", "iceberg_tables",
                                  "iceberg_namespace_properties"}) {
            ASSERT_TRUE(db->exec(std::string("DROP TABLE ") + table));
        }
        for (const char* col : {"topic", "kafka_partition", "first_offset", "last_offset", "writer"}) {
            ASSERT_TRUE(db->exec(std::string("ALTER TABLE files DROP COLUMN ") + col));
        }
        ASSERT_TRUE(db->exec("PRAGMA user_version = 1"));
    }
    auto c = Catalog::open_read_only(db_path()); // a reader migrates an older catalog
    ASSERT_TRUE(c) << c.error().message;
    auto t = c->resolve("market.trades");
    ASSERT_TRUE(t);
    auto files = c->files(*t);
    ASSERT_TRUE(files) << files.error().message;
    ASSERT_EQ(files->size(), 3u);
    // Sorted by key: b.parquet, ticks-p2-..., then dt=2025-01-07/c.parquet.
    EXPECT_EQ(files->at(1).origin.topic, "ticks") << files->at(1).key;
    EXPECT_EQ(files->at(1).origin.kafka_partition, 2);
    EXPECT_EQ(files->at(1).origin.first_offset, 42);
    EXPECT_FALSE(files->at(1).origin.last_offset);
    EXPECT_EQ(files->at(0).origin.topic, "");
}

TEST_F(CatalogTest, DropsATableOrADatabaseWithEverythingInIt) {
    auto c = Catalog::open(db_path());
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->apply(trades_change()));
    TableChange quotes = trades_change();
    quotes.table.name = "quotes";
    ASSERT_TRUE(c->apply(quotes));
    TableChange other = trades_change();
    other.table.database = "prod";
    ASSERT_TRUE(c->apply(other));

    auto dropped = c->drop_table("market", "quotes");
    ASSERT_TRUE(dropped);
    EXPECT_TRUE(*dropped);
    auto again = c->drop_table("market", "quotes");
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
    auto t = c->resolve("market.trades");
    ASSERT_TRUE(t);
    auto files = c->files(*t);
    ASSERT_TRUE(files);
    EXPECT_EQ(files->size(), 3u); // the other table of the database keeps its files

    auto db = c->drop_database("market");
    ASSERT_TRUE(db);
    ASSERT_TRUE(*db);
    EXPECT_EQ(**db, std::vector<std::string>{"market.trades"});
    auto none = c->drop_database("market");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    auto left = c->tables();
    ASSERT_TRUE(left);
    ASSERT_EQ(left->size(), 1u);
    EXPECT_EQ(left->front().qualified_name(), "prod.trades");
    auto prod_files = c->files(left->front());
    ASSERT_TRUE(prod_files);
    EXPECT_EQ(prod_files->size(), 3u);
}

TEST(DefaultCatalogPath, FollowsEnvironment) {
    const char* old_cat = std::getenv("TICKLAKE_CATALOG");
    const char* old_xdg = std::getenv("XDG_DATA_HOME");
    std::string saved_cat = old_cat ? old_cat : "";
    std::string saved_xdg = old_xdg ? old_xdg : "";
    ::setenv("TICKLAKE_CATALOG", "/x/c.db", 1);
    EXPECT_EQ(default_catalog_path(), "/x/c.db");
    ::unsetenv("TICKLAKE_CATALOG");
    ::setenv("XDG_DATA_HOME", "/data", 1);
    EXPECT_EQ(default_catalog_path(), "/data/ticklake/catalog.db");
    ::unsetenv("XDG_DATA_HOME");
    EXPECT_EQ(default_catalog_path().filename(), "catalog.db");
    EXPECT_NE(default_catalog_path().string().find(".local/share/ticklake"), std::string::npos);
    if (old_cat) ::setenv("TICKLAKE_CATALOG", saved_cat.c_str(), 1);
    if (old_xdg) ::setenv("XDG_DATA_HOME", saved_xdg.c_str(), 1);
}

} // namespace
} // namespace ticklake

namespace ticklake {
namespace {

// The commit point of Iceberg tables: a swap from a location that is no longer current changes
// nothing, so of two writers that loaded the same metadata only one commits.
TEST_F(CatalogTest, IcebergPointerSwapsOnlyFromTheCurrentLocation) {
    auto c = Catalog::open(db_path());
    ASSERT_TRUE(c);
    auto none = c->iceberg_metadata_location("ticklake", "market", "trades");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    EXPECT_EQ(c->iceberg_create_table("ticklake", "market", "trades", "file:///wh/m0.json"), true);
    EXPECT_EQ(c->iceberg_create_table("ticklake", "market", "trades", "file:///wh/other.json"), false);
    EXPECT_EQ(c->iceberg_swap_metadata("ticklake", "market", "trades", "file:///wh/m0.json", "file:///wh/m1.json"),
              true);
    EXPECT_EQ(c->iceberg_swap_metadata("ticklake", "market", "trades", "file:///wh/m0.json", "file:///wh/m2.json"),
              false);
    auto now = c->iceberg_metadata_location("ticklake", "market", "trades");
    ASSERT_TRUE(now && *now);
    EXPECT_EQ(**now, "file:///wh/m1.json");
    EXPECT_EQ(c->iceberg_tables("ticklake", "market"), std::vector<std::string>{"trades"});
    EXPECT_EQ(c->iceberg_tables("other", "market"), std::vector<std::string>{});
}

} // namespace
} // namespace ticklake
