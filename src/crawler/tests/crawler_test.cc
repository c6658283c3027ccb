#include "crawler/crawler.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "catalog/tests/golden_file.h"
#include "crawl_fixture.h"

namespace ticklake {
namespace {

using testing::CrawlFixture;
using testing::RemoteView;

// Tables, columns, partition keys, properties and row counts as text, for golden files.
std::string describe_catalog(Catalog& c) {
    std::ostringstream out;
    auto tables = c.tables();
    EXPECT_TRUE(tables);
    for (const auto& t : *tables) {
        auto parts = c.partitions(t);
        EXPECT_TRUE(parts);
        int64_t rows = 0;
        int64_t files = 0;
        for (const auto& p : *parts) {
            rows += p.rows;
            files += p.file_count;
        }
        out << t.qualified_name() << " format=" << t.format << " compression=" << t.compression << " files=" << files
            << " rows=" << rows << " partitions=" << parts->size() << " version=" << t.schema_version << "\n";
        for (const auto& col : t.columns) {
            out << "  " << col.name << " " << col.type << "\n";
        }
        for (const auto& k : t.partition_keys) {
            out << "  partition key " << k.name << " " << k.type << "\n";
        }
        for (const auto& [k, v] : t.properties) {
            out << "  property " << k << "=" << v << "\n";
        }
    }
    return out.str();
}

void expect_golden(const std::string& name, const std::string& actual) {
    testing::expect_golden(TICKLAKE_CRAWLER_GOLDEN_DIR, name, actual);
}

int64_t table_rows(Catalog& c, const std::string& name) {
    auto t = c.resolve(name);
    EXPECT_TRUE(t) << t.error().message;
    if (!t) {
        return -1;
    }
    auto parts = c.partitions(*t);
    int64_t rows = 0;
    for (const auto& p : *parts) {
        rows += p.rows;
    }
    return rows;
}

int64_t count_lines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    int64_t n = 0;
    std::string line;
    while (std::getline(in, line)) {
        n += line.empty() ? 0 : 1;
    }
    return n;
}

// Files no one here wrote: the tutorial's CSV, vendor CSVs, pyarrow's Parquet, recorded feeds.
TEST_F(CrawlFixture, SharedDataFilesGiveExactRowsAndGoldenSchemas) {
    const std::string data = TICKLAKE_SHARED_DATA;
    python("import zipfile\n"
           "os.makedirs(WAREHOUSE + '/shared/index_processed')\n"
           "zipfile.ZipFile('" + data + "/indexProcessed.csv.zip').extract('indexProcessed.csv', WAREHOUSE + "
           "'/shared/index_processed')\n");
    for (const char* f : {"alphavantage_MSFT_1min_2020-11-23_2020-12-18.csv", "ftx_BTC-PERP_1min_2021-12-31_2022-02-01.csv",
                          "binance_BTCUSDT_trades.parquet", "coinbase_exchange_ws_matches_ticker.jsonl",
                          "binance_usdm_futures_ws_aggtrade.jsonl", "alpaca_stream_v2.jsonl"}) {
        std::string table = std::filesystem::path(f).stem().string();
        table = table.substr(0, table.find('_', table.find('_') + 1));
        std::filesystem::create_directories(warehouse_ / "shared" / table);
        std::filesystem::copy_file(data + "/" + f, warehouse_ / "shared" / table / f);
    }
    Catalog c = open_catalog();
    auto s = crawl(c);
    EXPECT_EQ(s.tables_added, 6u) << notes(s);
    // alpaca's stream sends JSON arrays per line: not JSON Lines of objects, reported and skipped.
    EXPECT_EQ(s.files_skipped, 1u) << notes(s);
    EXPECT_NE(notes(s).find("alpaca_stream_v2.jsonl line 1 is not a JSON object"), std::string::npos) << notes(s);

    // Row counts from shared/data/PROVENANCE.md, and line counts of the JSON Lines files.
    EXPECT_EQ(table_rows(c, "shared.index_processed"), 104224);
    EXPECT_EQ(table_rows(c, "shared.alphavantage_msft"), 11190);
    EXPECT_EQ(table_rows(c, "shared.ftx_btc_perp"), 45031);
    EXPECT_EQ(table_rows(c, "shared.binance_btcusdt"), 2001);
    EXPECT_EQ(table_rows(c, "shared.coinbase_exchange"), count_lines(data + "/coinbase_exchange_ws_matches_ticker.jsonl"));
    EXPECT_EQ(table_rows(c, "shared.binance_usdm"), count_lines(data + "/binance_usdm_futures_ws_aggtrade.jsonl"));
    expect_golden("shared_data.expected", describe_catalog(c));
}

// Hive-partitioned Parquet written by pyarrow: partitions, exact rows, event-time range from
// the footer statistics; the same through a remote view reading footers only; a repeated
// crawl is a no-op.
TEST_F(CrawlFixture, PyarrowPartitionedParquetLocalAndRemote) {
    python(R"py(
import pyarrow as pa, pyarrow.parquet as pq, datetime as d
for day, n in (('2025-01-06', 3), ('2025-01-07', 5), ('2025-01-08', 700)):
    os.makedirs(f'{WAREHOUSE}/market/trades/dt={day}')
    base = d.datetime.fromisoformat(day + 'T09:30:00')
    t = pa.table({'symbol': ['S%d' % (i % 7) for i in range(n)],
                  'ts': pa.array([base + d.timedelta(seconds=i) for i in range(n)], pa.timestamp('us')),
                  'price': [100.0 + i for i in range(n)],
                  'size': pa.array(list(range(n)), pa.int64())})
    pq.write_table(t, f'{WAREHOUSE}/market/trades/dt={day}/part-0.parquet', compression='zstd')
)py");
    Catalog c = open_catalog();
    auto s = crawl(c);
    EXPECT_EQ(s.tables_added, 1u) << notes(s);
    EXPECT_EQ(s.partitions_added, 3u);
    EXPECT_EQ(s.files_read, 3u);
    EXPECT_TRUE(s.notes.empty()) << notes(s);
    auto t = c.resolve("market.trades");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->format, "parquet");
    EXPECT_EQ(t->compression, "zstd");
    EXPECT_EQ(t->columns,
              (Columns{{"symbol", "string"}, {"ts", "timestamp"}, {"price", "double"}, {"size", "bigint"}}));
    EXPECT_EQ(t->partition_keys, (Columns{{"dt", "string"}}));
    auto parts = c.partitions(*t);
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 3u);
    EXPECT_EQ((*parts)[2].values, std::vector<std::string>{"2025-01-08"});
    EXPECT_EQ((*parts)[2].rows, 700);
    EXPECT_EQ((*parts)[0].rows, 3);
    EXPECT_EQ(format_iso8601(*(*parts)[2].ts_min), "2025-01-08T09:30:00.000000Z");
    EXPECT_EQ(format_iso8601(*(*parts)[2].ts_max), "2025-01-08T09:41:39.000000Z");
    EXPECT_NE((*parts)[2].location.find("/market/trades/dt=2025-01-08/"), std::string::npos);

    auto again = crawl(c);
    EXPECT_EQ(again.files_read, 0u);
    EXPECT_EQ(again.files_unchanged, 3u);
    EXPECT_EQ(again.tables_unchanged, 1u);
    EXPECT_EQ(again.tables_updated + again.tables_added + again.partitions_added + again.schema_versions, 0u);

    // Remote: only footers are fetched, and the catalog says the same.
    RemoteView remote(*store_);
    Catalog c2 = open_catalog("remote.db");
    auto r = crawl(c2, {}, &remote);
    EXPECT_EQ(r.files_read, 3u) << notes(r);
    EXPECT_EQ(describe_catalog(c2), describe_catalog(c));
    auto p2 = c2.partitions(*t);
    ASSERT_TRUE(p2);
    EXPECT_EQ((*p2)[2].ts_max, (*parts)[2].ts_max);
    uint64_t total = 0;
    for (const auto& p : *parts) {
        total += static_cast<uint64_t>(p.bytes);
    }
    EXPECT_EQ(r.bytes_read, remote.bytes());
    EXPECT_LE(remote.bytes(), total); // footers (the 64 KiB tail) at most, never more than the files
}

TEST_F(CrawlFixture, NewJsonlFieldCreatesSchemaVersionAndRepeatIsNoOp) {
    write("feed/ticks/dt=2025-01-06/a.jsonl",
          "{\"id\":\"1\",\"ts\":\"2025-01-06T10:00:00Z\",\"price\":1}\n{\"id\":\"2\",\"ts\":\"2025-01-06T11:00:00Z\",\"price\":2}\n");
    Catalog c = open_catalog();
    auto s1 = crawl(c);
    EXPECT_EQ(s1.schema_versions, 1u);
    write("feed/ticks/dt=2025-01-07/b.jsonl",
          "{\"id\":\"3\",\"ts\":\"2025-01-07T10:00:00Z\",\"price\":1.5,\"venue\":\"XNAS\"}\n\n");
    auto s2 = crawl(c);
    EXPECT_EQ(s2.files_read, 1u);
    EXPECT_EQ(s2.files_unchanged, 1u);
    EXPECT_EQ(s2.tables_updated, 1u);
    EXPECT_EQ(s2.partitions_added, 1u);
    EXPECT_EQ(s2.schema_versions, 1u);
    auto t = c.resolve("feed.ticks");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->schema_version, 2);
    EXPECT_EQ(t->columns,
              (Columns{{"id", "string"}, {"ts", "timestamp"}, {"price", "double"}, {"venue", "string"}}));
    auto h = c.history(*t);
    ASSERT_TRUE(h);
    ASSERT_EQ(h->size(), 2u);
    EXPECT_EQ((*h)[0].columns.size(), 3u);
    EXPECT_NE((*h)[1].reason.find("column 'venue' string added (first in feed/ticks/dt=2025-01-07/b.jsonl)"),
              std::string::npos)
        << (*h)[1].reason;
    EXPECT_NE((*h)[1].reason.find("column 'price' changed from int to double"), std::string::npos) << (*h)[1].reason;
    // The older partition keeps its own schema (int price): reported, not merged silently.
    EXPECT_NE(notes(s2).find("partition dt=2025-01-06 of feed.ticks differs from the table"), std::string::npos)
        << notes(s2);
    EXPECT_NE(notes(s2).find("'price' is int here, double in the table"), std::string::npos) << notes(s2);
    auto parts = c.partitions(*t);
    ASSERT_TRUE(parts);
    EXPECT_EQ((*parts)[0].columns[2], (ColumnDef{"price", "int"}));
    EXPECT_EQ((*parts)[1].rows, 1);
    EXPECT_EQ(format_iso8601(*(*parts)[0].ts_max), "2025-01-06T11:00:00.000000Z");

    auto s3 = crawl(c);
    EXPECT_EQ(s3.files_read, 0u);
    EXPECT_EQ(s3.schema_versions, 0u);
    EXPECT_EQ(s3.tables_unchanged, 1u);
    auto h3 = c.history(*t);
    EXPECT_EQ(h3->size(), 2u);
}

TEST_F(CrawlFixture, AnotherWarehouseIsRefusedAndNeverMergedIntoATable) {
    write("feed/ticks/dt=2025-01-06/t-p0-o00000000000000000007.jsonl", "{\"id\":\"1\",\"ts\":\"2025-01-06T10:00:00Z\"}\n");
    write("feed/other/a.jsonl", "{\"x\":1}\n");
    Catalog c = open_catalog();
    crawl(c);
    auto t = c.resolve("feed.ticks");
    ASSERT_TRUE(t);
    auto files = c.files(*t);
    ASSERT_TRUE(files);
    ASSERT_EQ(files->size(), 1u);
    EXPECT_EQ(files->front().origin.topic, "t") << "the name's origin";
    EXPECT_EQ(files->front().origin.first_offset, 7);

    // A second warehouse with a table of the same name: that table is refused, with the way
    // out; the other tables of the crawl are still registered.
    const auto prod = dir_ / "prod";
    std::filesystem::create_directories(prod / "feed/ticks/dt=2025-01-07");
    std::filesystem::create_directories(prod / "feed/fresh");
    std::ofstream(prod / "feed/ticks/dt=2025-01-07/b.jsonl") << "{\"id\":\"2\",\"ts\":\"2025-01-07T10:00:00Z\"}\n";
    std::ofstream(prod / "feed/fresh/c.jsonl") << "{\"y\":1}\n";
    auto other = open_object_store(prod.string());
    ASSERT_TRUE(other);
    Crawler crawler(**other, c, CrawlOptions{});
    auto refused = crawler.run();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::invalid_argument);
    for (const std::string& part : {std::string("feed.ticks"), warehouse_.string(), std::string("--database"),
                                    std::string("--catalog"), std::string("ticklake catalog drop feed.ticks")}) {
        EXPECT_NE(refused.error().message.find(part), std::string::npos) << part << ": " << refused.error().message;
    }
    auto still = c.files(*t);
    ASSERT_TRUE(still);
    EXPECT_EQ(still->size(), 1u);
    auto fresh = c.resolve("feed.fresh");
    EXPECT_TRUE(fresh) << "the crawl went on with the other tables";

    // The same folder written another way is the same location.
    auto same = open_object_store((warehouse_ / "." / "").string());
    ASSERT_TRUE(same);
    Crawler again(**same, c, CrawlOptions{});
    EXPECT_TRUE(again.run());
}

TEST_F(CrawlFixture, LogPolicyKeepsTableAndReportsConflict) {
    write("feed/q/dt=1/a.jsonl", "{\"sym\":\"A\",\"bid\":1.5}\n");
    Catalog c = open_catalog();
    crawl(c);
    write("feed/q/dt=2/b.jsonl", "{\"sym\":\"A\",\"bid\":\"n/a\"}\n");
    CrawlOptions o;
    o.on_change = OnSchemaChange::log;
    auto s = crawl(c, o);
    EXPECT_EQ(s.schema_versions, 0u);
    auto t = c.resolve("feed.q");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->schema_version, 1);
    EXPECT_EQ(t->columns, (Columns{{"sym", "string"}, {"bid", "double"}}));
    EXPECT_NE(notes(s).find("'bid' is string here, double in the table"), std::string::npos) << notes(s);
    EXPECT_NE(notes(s).find("HIVE_PARTITION_SCHEMA_MISMATCH"), std::string::npos);
    EXPECT_NE(notes(s).find("not applied (--on-change log)"), std::string::npos);
    EXPECT_EQ(table_rows(c, "feed.q"), 2); // the file is registered all the same
    // --on-change update (the default) then widens the table.
    CrawlOptions full;
    full.full = true;
    auto s2 = crawl(c, full);
    EXPECT_EQ(s2.schema_versions, 1u);
    t = c.resolve("feed.q");
    EXPECT_EQ(t->columns, (Columns{{"sym", "string"}, {"bid", "string"}}));
}

TEST_F(CrawlFixture, ChangedAndDeletedFilesAndCsvTables) {
    write("lake/px/dt=2025-01-01/a.csv", "sym,px,ok\nA,1,true\nB,2,false\n");
    write("lake/px/dt=2025-01-02/b.csv", "sym,px,ok\nC,3,true\n");
    write("lake/px/dt=2025-01-02/notes.txt", "not data");
    Catalog c = open_catalog();
    auto s1 = crawl(c);
    EXPECT_EQ(s1.files_read, 2u);
    EXPECT_EQ(s1.files_skipped, 1u);
    EXPECT_NE(notes(s1).find("*.txt"), std::string::npos) << notes(s1);
    EXPECT_EQ(table_rows(c, "lake.px"), 3);
    auto t = c.resolve("lake.px");
    EXPECT_EQ(t->columns, (Columns{{"sym", "string"}, {"px", "int"}, {"ok", "boolean"}}));
    EXPECT_EQ(t->properties.at("csv.header"), "true");

    write("lake/px/dt=2025-01-01/a.csv", "sym,px,ok\nA,1,true\nB,2,false\nD,4.5,true\n");
    std::filesystem::remove(warehouse_ / "lake/px/dt=2025-01-02/b.csv");
    auto s2 = crawl(c);
    EXPECT_EQ(s2.files_read, 1u);
    EXPECT_EQ(s2.files_removed, 1u);
    EXPECT_EQ(s2.partitions_removed, 1u);
    EXPECT_EQ(table_rows(c, "lake.px"), 3);
    t = c.resolve("lake.px");
    EXPECT_EQ(t->columns[1], (ColumnDef{"px", "double"}));
    auto parts = c.partitions(*t);
    ASSERT_EQ(parts->size(), 1u);

    // A partition losing the only file with a column no longer has that column.
    write("lake/px/dt=2025-01-01/extra.csv", "sym,px,ok,note\nE,5,true,x\n");
    crawl(c);
    parts = c.partitions(*c.resolve("lake.px"));
    ASSERT_EQ((*parts)[0].columns.size(), 4u);
    std::filesystem::remove(warehouse_ / "lake/px/dt=2025-01-01/extra.csv");
    auto s3 = crawl(c);
    EXPECT_EQ(s3.files_removed, 1u);
    parts = c.partitions(*c.resolve("lake.px"));
    EXPECT_EQ((*parts)[0].columns.size(), 3u);
    EXPECT_EQ((*parts)[0].file_count, 1);
}

// Dirty CSVs get the columns and types `produce --source csv` gives them (common/csv_dialect):
// a double-encoded BOM, `null` rows in number columns, ';' with decimal commas, UTF-16.
TEST_F(CrawlFixture, DirtyCsvGetsTheDialectsNamesAndTypes) {
    write("d/yahoo/a.csv", "\xC3\xAF\xC2\xBB\xC2\xBFIndex,Date,Open,Adj Close,Volume\n"
                           "NYA,1965-12-31,528.69,528.69,0.0\nNYA,1966-01-03,null,null,null\nIXIC,1971-02-05,100,100,0");
    write("d/euro/a.csv", "Symbol ;Date;Close;Close;Volume;\r\nDAX;02.01.2024;16.751,64;1,5;1.234.567;\r\n"
                          "DAX;03.01.2024;NA;-;NA;\r\n");
    std::string utf16 = "\xFE\xFF";
    for (char ch : std::string("sym\tpx\nA\t\"1,234.5\"\nB\tN/A\n")) {
        utf16.push_back('\0');
        utf16.push_back(ch);
    }
    write("d/wide/a.csv", utf16);
    Catalog c = open_catalog();
    crawl(c);
    auto yahoo = c.resolve("d.yahoo");
    ASSERT_TRUE(yahoo);
    EXPECT_EQ(yahoo->columns, (Columns{{"Index", "string"}, {"Date", "date"}, {"Open", "double"},
                                       {"Adj Close", "double"}, {"Volume", "double"}}));
    EXPECT_EQ(yahoo->properties.at("csv.bom"), "true");
    EXPECT_EQ(table_rows(c, "d.yahoo"), 3);
    auto euro = c.resolve("d.euro");
    ASSERT_TRUE(euro);
    EXPECT_EQ(euro->columns, (Columns{{"Symbol", "string"}, {"Date", "string"}, {"Close", "double"},
                                      {"Close_2", "double"}, {"Volume", "int"}}));
    EXPECT_EQ(euro->properties.at("csv.delimiter"), ";");
    EXPECT_EQ(euro->properties.at("csv.decimal"), ",");
    EXPECT_EQ(euro->properties.count("csv.ragged_rows"), 0u) << "a trailing delimiter is not a ragged row";
    auto wide = c.resolve("d.wide");
    ASSERT_TRUE(wide);
    EXPECT_EQ(wide->columns, (Columns{{"sym", "string"}, {"px", "double"}}));
    EXPECT_EQ(wide->properties.at("csv.encoding"), "UTF-16BE");
    EXPECT_EQ(table_rows(c, "d.wide"), 2);
}

// gzip text (what Athena reads natively), also through the remote view, and a cut gzip file
// reported, not half-counted.
TEST_F(CrawlFixture, GzipJsonLinesAndCsv) {
    python(R"py(
import gzip, shutil
os.makedirs(f'{WAREHOUSE}/z/j/dt=1'); os.makedirs(f'{WAREHOUSE}/z/c/dt=1'); os.makedirs(f'{WAREHOUSE}/z/bad/dt=1')
with gzip.open(f'{WAREHOUSE}/z/j/dt=1/a.jsonl.gz', 'wt') as f:
    for i in range(50000):
        f.write('{"i":%d,"ts":"2025-01-06T00:00:%02dZ"}\n' % (i, i % 60))
# Two members in one file, as `cat a.gz b.gz` makes.
with open(f'{WAREHOUSE}/z/c/dt=1/a.csv.gz', 'wb') as f:
    f.write(gzip.compress(b'sym,px\nA,1\n'))
    f.write(gzip.compress(b'B,2.5\n'))
data = gzip.compress(b'{"i":1}\n' * 1000)
with open(f'{WAREHOUSE}/z/bad/dt=1/cut.jsonl.gz', 'wb') as f:
    f.write(data[:len(data) // 2])
)py");
    Catalog c = open_catalog();
    auto s = crawl(c);
    EXPECT_EQ(table_rows(c, "z.j"), 50000);
    EXPECT_EQ(table_rows(c, "z.c"), 2);
    auto j = c.resolve("z.j");
    EXPECT_EQ(j->compression, "gzip");
    EXPECT_EQ(j->columns, (Columns{{"i", "int"}, {"ts", "timestamp"}}));
    EXPECT_EQ(c.resolve("z.c")->columns, (Columns{{"sym", "string"}, {"px", "double"}}));
    EXPECT_FALSE(c.resolve("z.bad"));
    EXPECT_NE(notes(s).find("cut.jsonl.gz: gzip stream ends inside a member"), std::string::npos) << notes(s);

    RemoteView remote(*store_);
    Catalog c2 = open_catalog("remote.db");
    crawl(c2, {}, &remote);
    EXPECT_EQ(describe_catalog(c2), describe_catalog(c));
}

// The sink writes an empty JSON Lines file for a batch without rows of a table: the table has no
// columns until a file with rows comes, which is then a schema change like any other.
TEST_F(CrawlFixture, EmptyFirstFileThenRows) {
    write("m/t/dt=1/empty.jsonl", "");
    Catalog c = open_catalog();
    auto s1 = crawl(c);
    EXPECT_EQ(s1.tables_added, 1u) << notes(s1);
    EXPECT_TRUE(c.resolve("m.t")->columns.empty());
    EXPECT_EQ(table_rows(c, "m.t"), 0);
    write("m/t/dt=2/a.jsonl", "{\"a\":1}\n");
    auto s2 = crawl(c);
    EXPECT_EQ(s2.schema_versions, 1u);
    EXPECT_EQ(c.resolve("m.t")->columns, (Columns{{"a", "int"}}));
    EXPECT_EQ(s2.files_read, 1u);
}

TEST_F(CrawlFixture, ExcludesAndSinkStateAreNotTables) {
    write("market/trades/dt=2025-01-06/t.jsonl", "{\"a\":1}\n");
    write("market/dead_letters/dt=2025-01-06/t.jsonl", "{\"reason\":\"x\"}\n");
    write("_ticklake/sink/g/ticks/p0.json", "{}");
    Catalog c = open_catalog();
    CrawlOptions o;
    o.layout.excludes = {"*/dead_letters/**"};
    auto s = crawl(c, o);
    EXPECT_EQ(s.tables_added, 1u);
    EXPECT_EQ(s.files_ignored, 2u);
    auto tables = c.tables();
    ASSERT_EQ(tables->size(), 1u);
    EXPECT_EQ((*tables)[0].qualified_name(), "market.trades");
}

// What the sink does after each commit: register just the files it wrote. Files it does not
// name stay; a later crawl of the whole warehouse finds them known and reads nothing again.
TEST_F(CrawlFixture, RegisterKeysIsAPartialCrawlThatACrawlAgreesWith) {
    write("market/trades/dt=2025-01-06/t-p0-o1.jsonl", "{\"ts\":\"2025-01-06T10:00:00Z\",\"price\":1.5}\n");
    write("market/trades/dt=2025-01-07/t-p0-o2.jsonl", "{\"ts\":\"2025-01-07T10:00:00Z\",\"price\":2.5}\n");
    Catalog c = open_catalog();
    Crawler sink_side(*store_, c, {});
    auto r1 = sink_side.register_keys({"market/trades/dt=2025-01-06/t-p0-o1.jsonl"});
    ASSERT_TRUE(r1) << r1.error().message;
    EXPECT_EQ(r1->tables_added, 1u);
    EXPECT_EQ(table_rows(c, "market.trades"), 1);
    auto r2 = sink_side.register_keys({"market/trades/dt=2025-01-07/t-p0-o2.jsonl", "market/trades/dt=2025-01-08/gone.jsonl"});
    ASSERT_TRUE(r2) << r2.error().message;
    EXPECT_EQ(r2->files_read, 1u);
    EXPECT_EQ(r2->files_removed, 0u); // the first file was not named, and stays
    EXPECT_EQ(table_rows(c, "market.trades"), 2);
    auto parts = c.partitions(*c.resolve("market.trades"));
    ASSERT_EQ(parts->size(), 2u);

    auto s = crawl(c);
    EXPECT_EQ(s.files_read, 0u) << notes(s);
    EXPECT_EQ(s.files_unchanged, 2u);
    EXPECT_EQ(s.tables_unchanged, 1u);

    // Partition key types seen by a partial crawl widen, never narrow: a table whose key is
    // string (a non-numeric folder) stays string when a numeric one is registered.
    write("lake/k/p=abc/a.jsonl", "{\"v\":1}\n");
    write("lake/k/p=7/b.jsonl", "{\"v\":2}\n");
    crawl(c);
    EXPECT_EQ(c.resolve("lake.k")->partition_keys, (Columns{{"p", "string"}}));
    write("lake/k/p=8/c.jsonl", "{\"v\":3}\n");
    auto r3 = sink_side.register_keys({"lake/k/p=8/c.jsonl"});
    ASSERT_TRUE(r3);
    EXPECT_EQ(r3->schema_versions, 0u);
    EXPECT_EQ(r3->partitions_added, 1u);
    EXPECT_EQ(c.resolve("lake.k")->partition_keys, (Columns{{"p", "string"}}));
    EXPECT_EQ(table_rows(c, "lake.k"), 3);
}

// A sink registers a file with a new column while a crawl of the same table is between reading
// and committing: the crawl's stale change is refused, the crawl redoes the table, and the
// table ends with every column of every file.
TEST_F(CrawlFixture, ConcurrentRegistrationDuringCrawlIsNotOverwritten) {
    for (int i = 0; i < 4; ++i) {
        write("db/t/dt=" + std::to_string(i) + "/a.jsonl", "{\"x\":1}\n");
    }
    Catalog c = open_catalog();
    crawl(c);
    write("db/t/dt=8/crawl.jsonl", "{\"x\":2,\"from_crawl\":true}\n");
    Catalog other = open_catalog(); // the sink's own connection
    Crawler sink_side(*store_, other, {});
    bool registered = false;
    CrawlOptions o;
    o.progress = [&](const CrawlProgress&) {
        if (!registered) {
            // After the crawl's listing: the crawl never sees this file in its listing.
            registered = true;
            write("db/t/dt=9/sink.jsonl", "{\"x\":1,\"from_sink\":\"s\"}\n");
            auto r = sink_side.register_keys({"db/t/dt=9/sink.jsonl"});
            ASSERT_TRUE(r) << r.error().message;
        }
    };
    auto s = crawl(c, o);
    ASSERT_TRUE(registered);
    auto t = c.resolve("db.t");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->columns, (Columns{{"x", "int"}, {"from_sink", "string"}, {"from_crawl", "boolean"}}));
    EXPECT_EQ(t->schema_version, 3);
    auto files = c.files(*t);
    EXPECT_EQ(files->size(), 6u) << "the sink's file must survive the crawl that did not list it";
    EXPECT_EQ(s.files_removed, 0u);
    // Excluded files, in contrast, leave the catalog.
    CrawlOptions ex;
    ex.layout.excludes = {"db/t/dt=9/**"};
    auto s2 = crawl(c, ex);
    EXPECT_EQ(s2.files_removed, 1u);
}

// A crawler killed between (and inside) its catalog transactions leaves a catalog whose every
// table agrees with its files; the next crawl finishes the work and equals a clean crawl.
TEST_F(CrawlFixture, CrashMidCrawlLeavesCatalogConsistent) {
    for (int p = 0; p < 10; ++p) {
        for (int f = 0; f < 4; ++f) {
            std::string rows;
            for (int r = 0; r <= f; ++r) {
                rows += "{\"p\":" + std::to_string(p) + ",\"f\":" + std::to_string(f) +
                        (p >= 5 ? ",\"late\":true" : "") + "}\n";
            }
            write("db/t/part=" + std::to_string(p) + "/f" + std::to_string(f) + ".jsonl", rows);
        }
    }
    const auto catalog_path = dir_ / "crashed.db";
    ASSERT_TRUE(Catalog::open(catalog_path));
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        auto c = Catalog::open(catalog_path);
        RemoteView dying(*store_, 23);
        CrawlOptions o;
        o.batch_files = 3;
        Crawler crawler(dying, *c, o);
        (void)crawler.run();
        ::_exit(0); // not reached: the view kills the process first
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 9) << "the crawl should have been killed mid-run";

    auto c = Catalog::open(catalog_path);
    ASSERT_TRUE(c) << c.error().message;
    auto t = c->resolve("db.t");
    ASSERT_TRUE(t) << t.error().message;
    auto files = c->files(*t);
    auto parts = c->partitions(*t);
    ASSERT_TRUE(files && parts);
    EXPECT_GT(files->size(), 0u);
    EXPECT_LT(files->size(), 40u);
    EXPECT_EQ(files->size() % 3, 0u) << "whole batches only";
    int64_t file_rows = 0;
    for (const auto& f : *files) {
        file_rows += f.rows;
        for (const auto& col : f.columns) {
            EXPECT_TRUE(std::any_of(t->columns.begin(), t->columns.end(),
                                    [&](const ColumnDef& x) { return x.name == col.name; }))
                << "file " << f.key << " has column " << col.name << " that its table lacks";
        }
    }
    int64_t part_rows = 0;
    for (const auto& p : *parts) {
        part_rows += p.rows;
    }
    EXPECT_EQ(file_rows, part_rows);

    auto s = crawl(*c);
    EXPECT_EQ(s.files_unchanged, files->size());
    EXPECT_EQ(s.files_read, 40u - files->size());
    Catalog clean = open_catalog("clean.db");
    crawl(clean);
    std::string resumed = describe_catalog(*c);
    std::string fresh = describe_catalog(clean);
    // Versions may differ (the resumed table grew in steps); everything else must not.
    auto strip_version = [](std::string s) {
        auto p = s.find(" version=");
        return s.substr(0, p) + s.substr(s.find('\n', p));
    };
    EXPECT_EQ(strip_version(resumed), strip_version(fresh));
    EXPECT_EQ(table_rows(*c, "db.t"), 100);
}

} // namespace
} // namespace ticklake
