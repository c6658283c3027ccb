// Registration on commit: the sink's description of a Parquet file is what a crawl reads from
// its footer, a later crawl finds the file unchanged, and a commit into a partition of 1,000
// files lists nothing and reads nothing.
#include "crawler/commit_registrar.h"

#include <atomic>
#include <numeric>

#include "crawl_fixture.h"
#include "crawler/file_classifier.h"
#include "crawler/parquet_footer_reader.h"
#include "duckdb_loader/duckdb_loader.h"
#include "format/record_writer.h"
#include "sink/file_description.h"

namespace ticklake::testing {
namespace {

//! Counts what a registration asks of the store.
class CountingStore final : public ObjectStore {
public:
    explicit CountingStore(ObjectStore& inner) : inner_(inner) {}

    std::filesystem::path staging_path(std::string_view key) override { return inner_.staging_path(key); }
    Status publish(std::string_view key) override { return inner_.publish(key); }
    Status put_file(std::string_view key, const std::filesystem::path& source) override { return inner_.put_file(key, source); }
    Result<bool> remove(std::string_view key) override { return inner_.remove(key); }
    Status put_small(std::string_view key, std::string_view content) override { return inner_.put_small(key, content); }
    Result<std::optional<std::string>> get_small(std::string_view key) override {
        ++reads;
        return inner_.get_small(key);
    }
    Result<std::vector<ObjectEntry>> list_entries(std::string_view prefix) override {
        ++lists;
        return inner_.list_entries(prefix);
    }
    Result<std::optional<ObjectEntry>> stat(std::string_view key) override {
        ++stats;
        return inner_.stat(key);
    }
    Result<std::string> read_range(std::string_view key, uint64_t offset, uint64_t length) override {
        ++reads;
        return inner_.read_range(key, offset, length);
    }
    Status download(std::string_view key, const std::filesystem::path& destination) override {
        ++reads;
        return inner_.download(key, destination);
    }
    std::string uri() const override { return inner_.uri(); }

    std::atomic<int> lists{0};
    std::atomic<int> reads{0};
    std::atomic<int> stats{0};

private:
    ObjectStore& inner_;
};

Column column(std::string name, ColumnType type, std::string type_text = {}) {
    Column c;
    c.name = std::move(name);
    c.type = type;
    c.type_text = std::move(type_text);
    return c;
}

// Rows of every type the sink writes, nested ones too; one NULL price.
ColumnBatch sample_batch(size_t rows, TimestampUs t0) {
    ColumnBatch b;
    b.columns = {column("symbol", ColumnType::varchar), column("ts", ColumnType::timestamp_us),
                 column("price", ColumnType::float64),  column("size", ColumnType::bigint),
                 column("odd", ColumnType::boolean),    column("day", ColumnType::date),
                 column("fee", ColumnType::decimal, "DECIMAL(18,8)"), column("raw", ColumnType::blob),
                 column("info", ColumnType::nested, R"({"venue name":"VARCHAR","lots":["BIGINT"],"x":"JSON"})"),
                 column("tags", ColumnType::nested, R"(["VARCHAR"])")};
    for (size_t i = 0; i < rows; ++i) {
        for (auto& c : b.columns) {
            c.valid.push_back(!(c.name == "price" && i == 1));
        }
        b.columns[0].strings.push_back(i % 2 ? "AAPL" : "MSFT");
        b.columns[1].ints.push_back(t0 + static_cast<TimestampUs>((rows - i) * 1'000'000));
        b.columns[2].doubles.push_back(100.5 + static_cast<double>(i));
        b.columns[3].ints.push_back(static_cast<int64_t>(i) * 100);
        b.columns[4].ints.push_back(static_cast<int64_t>(i % 2));
        b.columns[5].ints.push_back(20'094);
        b.columns[6].strings.push_back("0.0001");
        b.columns[7].strings.push_back(std::string("\x01\x02", 2));
        b.columns[8].strings.push_back(R"({"venue name":"XNAS","lots":[1,2],"x":{"k":[true]}})");
        b.columns[9].strings.push_back(R"(["a","b"])");
    }
    b.rows = rows;
    return b;
}

class CommitRegistrarTest : public CrawlFixture {
protected:
    //! Writes `batch` as the sink does (staged, then published) and returns its description.
    CommittedFile write_parquet(const std::string& key, const ColumnBatch& batch) {
        auto loaded = duckdb_loader::ensure_loaded();
        EXPECT_TRUE(loaded) << loaded.error().message;
        auto writer = make_record_writer("parquet");
        EXPECT_TRUE(writer) << writer.error().message;
        std::vector<uint32_t> order(batch.rows);
        std::iota(order.begin(), order.end(), 0u);
        EXPECT_TRUE((*writer)->write(batch, order, store_->staging_path(key)));
        EXPECT_TRUE(store_->publish(key));
        return describe_file(key, "parquet", batch);
    }
};

TEST(DeclaredTypeTest, NestedColumnsByTheirJsonStructure) {
    EXPECT_EQ(declared_type(column("a", ColumnType::nested, R"({"a b":"BIGINT","q\"":["DOUBLE"]})")),
              R"(STRUCT("a b" BIGINT, "q""" DOUBLE[]))");
    EXPECT_EQ(declared_type(column("a", ColumnType::nested, R"([["JSON"]])")), "VARCHAR[][]");
    EXPECT_EQ(declared_type(column("a", ColumnType::nested, "not json")), "");
    EXPECT_EQ(declared_type(column("a", ColumnType::decimal, "DECIMAL(38,10)")), "DECIMAL(38,10)");
    EXPECT_EQ(declared_type(column("a", ColumnType::timestamp_us)), "TIMESTAMP");
}

TEST_F(CommitRegistrarTest, TheSinksDescriptionOfAParquetFileIsWhatItsFooterSays) {
    const std::string key = "market/things/dt=2025-01-06/t-p0-o00000000000000000000.parquet";
    const CommittedFile described = write_parquet(key, sample_batch(5, 1'736'150'400'000'000));
    auto given = schema_of(described);
    ASSERT_TRUE(given);
    auto footer_reader = ParquetFooterReader::create(dir_);
    ASSERT_TRUE(footer_reader);
    FileClassifier classifier(**footer_reader);
    auto entry = store_->stat(key);
    ASSERT_TRUE(entry && *entry);
    auto read = classifier.classify(*store_, **entry, "parquet");
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(given->columns, read->columns);
    EXPECT_EQ(given->rows, read->rows);
    EXPECT_EQ(given->compression, read->compression);
    EXPECT_EQ(given->ts_min, read->ts_min);
    EXPECT_EQ(given->ts_max, read->ts_max);
}

TEST_F(CommitRegistrarTest, FilesTheSinkCannotDescribeAreLeftForReading) {
    CommittedFile f;
    f.format = "parquet";
    f.rows = 3;
    f.columns = {{"a", "BIGINT"}, {"b", ""}};
    EXPECT_FALSE(schema_of(f)) << "a column whose type the sink could not state";
    f.columns = {{"a", "BIGINT"}};
    EXPECT_TRUE(schema_of(f));
    f.format = "jsonl";
    EXPECT_FALSE(schema_of(f)) << "text types are inferred by a crawl";
    f.format = "parquet";
    f.rows = 0;
    EXPECT_FALSE(schema_of(f)) << "an empty file shows no codec";
}

TEST_F(CommitRegistrarTest, ARegisteredFileIsUnchangedForTheNextCrawl) {
    CommitRegistrar registrar(*store_, open_catalog());
    Catalog& catalog = registrar.catalog();
    CommittedBatch batch{Topic("t"), Partition(0), {}};
    batch.files.push_back(write_parquet("market/things/dt=2025-01-06/a.parquet", sample_batch(4, 1'736'150'400'000'000)));
    batch.files.push_back(write_parquet("market/things/dt=2025-01-07/b.parquet", sample_batch(3, 1'736'236'800'000'000)));
    auto r = registrar.register_batch(batch);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->tables_added, 1u);
    // What a crawl of the same files into a fresh catalog finds, the registration holds.
    Catalog crawled = open_catalog("crawled.db");
    crawl(crawled);
    auto mine = catalog.resolve("market.things");
    auto theirs = crawled.resolve("market.things");
    ASSERT_TRUE(mine && theirs);
    EXPECT_EQ(mine->columns, theirs->columns);
    EXPECT_EQ(mine->partition_keys, theirs->partition_keys);
    EXPECT_EQ(mine->compression, theirs->compression);
    auto my_files = catalog.files(*mine);
    auto their_files = crawled.files(*theirs);
    ASSERT_TRUE(my_files && their_files);
    ASSERT_EQ(my_files->size(), their_files->size());
    for (size_t i = 0; i < my_files->size(); ++i) {
        EXPECT_EQ((*my_files)[i].rows, (*their_files)[i].rows);
        EXPECT_EQ((*my_files)[i].ts_min, (*their_files)[i].ts_min);
        EXPECT_EQ((*my_files)[i].columns, (*their_files)[i].columns);
    }
    auto again = crawl(catalog);
    EXPECT_EQ(again.files_read, 0u);
    EXPECT_EQ(again.files_unchanged, 2u);
    EXPECT_EQ(again.tables_unchanged, 1u);
}

TEST_F(CommitRegistrarTest, FilesKeepTheBatchsKafkaOffsetsAndWriter) {
    std::vector<std::string> heard;
    CommitRegistrar registrar(*store_, open_catalog(), [&](const std::string& m) { heard.push_back(m); });
    CommittedBatch batch{Topic("ticks"), Partition(4), {}, Offset(100), Offset(180)};
    batch.files.push_back(write_parquet("market/things/dt=2025-01-06/a.parquet", sample_batch(4, 1'736'150'400'000'000)));
    registrar.on_commit(batch);
    EXPECT_TRUE(heard.empty());
    auto t = registrar.catalog().resolve("market.things");
    ASSERT_TRUE(t);
    auto files = registrar.catalog().files(*t);
    ASSERT_TRUE(files);
    ASSERT_EQ(files->size(), 1u);
    const FileOrigin& o = files->front().origin;
    EXPECT_EQ(o.topic, "ticks");
    EXPECT_EQ(o.kafka_partition, 4);
    EXPECT_EQ(o.first_offset, 100);
    EXPECT_EQ(o.last_offset, 180);
    EXPECT_EQ(o.writer.rfind("ticklake ", 0), 0u) << o.writer;
    EXPECT_EQ(files->front().rows, 4);
}

TEST_F(CommitRegistrarTest, ARefusalIsReportedOncePerTable) {
    std::vector<std::string> heard;
    CommitRegistrar registrar(*store_, open_catalog(), [&](const std::string& m) { heard.push_back(m); });
    // The table exists elsewhere: another warehouse registered it first.
    TableChange elsewhere;
    elsewhere.table.database = "market";
    elsewhere.table.name = "things";
    elsewhere.table.location = "file:///somewhere/else/market/things/";
    elsewhere.table.format = "parquet";
    elsewhere.new_version = "created";
    ASSERT_TRUE(registrar.catalog().apply(elsewhere));
    for (int i = 0; i < 3; ++i) {
        CommittedBatch batch{Topic("t"), Partition(0), {}, Offset(i), Offset(i)};
        batch.files.push_back(write_parquet("market/things/dt=2025-01-06/" + std::to_string(i) + ".parquet",
                                            sample_batch(2, 1'736'150'400'000'000)));
        registrar.on_commit(batch);
    }
    ASSERT_EQ(heard.size(), 1u);
    EXPECT_NE(heard[0].find("catalog registration refused"), std::string::npos) << heard[0];
    EXPECT_NE(heard[0].find("/somewhere/else/market/things/"), std::string::npos) << heard[0];
    EXPECT_EQ(heard[0].find("ticklake crawl"), std::string::npos) << "a crawl would be refused the same way";
    auto t = registrar.catalog().resolve("market.things");
    ASSERT_TRUE(t);
    auto files = registrar.catalog().files(*t);
    ASSERT_TRUE(files);
    EXPECT_TRUE(files->empty());
}

TEST_F(CommitRegistrarTest, ACommitIntoAPartitionOf1000FilesListsAndReadsNothing) {
    const std::string folder = "market/trades/dt=2025-01-06/";
    CountingStore counting(*store_);
    CommitRegistrar registrar(counting, open_catalog());
    Catalog& catalog = registrar.catalog();
    CommittedBatch first{Topic("t"), Partition(0),
                         {write_parquet(folder + "first.parquet", sample_batch(2, 1'736'150'400'000'000))}};
    ASSERT_TRUE(registrar.register_batch(first));
    // 1,000 files already in the partition, in the folder and in the catalog.
    auto table = catalog.resolve("market.trades");
    ASSERT_TRUE(table);
    TableChange change;
    change.table = *table;
    for (int i = 0; i < 1000; ++i) {
        const std::string key = folder + "old-" + std::to_string(i) + ".parquet";
        write(key, "PAR1");
        FileDef f;
        f.key = key;
        f.partition_values = {"2025-01-06"};
        f.size = 4;
        f.rows = 1;
        f.columns = table->columns;
        change.upsert_files.push_back(std::move(f));
    }
    PartitionDef p;
    p.values = {"2025-01-06"};
    p.location = store_->uri() + "/" + folder;
    p.columns = table->columns;
    change.partitions.push_back(p);
    ASSERT_TRUE(catalog.apply(change));

    CommittedBatch next{Topic("t"), Partition(0),
                        {write_parquet(folder + "next.parquet", sample_batch(3, 1'736'150'400'000'000))}};
    counting.lists = 0;
    counting.reads = 0;
    counting.stats = 0;
    auto r = registrar.register_batch(next);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(counting.lists.load(), 0);
    EXPECT_EQ(counting.reads.load(), 0);
    EXPECT_EQ(counting.stats.load(), 1) << "one stat per committed file, for its size and time";
    auto parts = catalog.partitions(*table);
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 1u);
    EXPECT_EQ(parts->front().file_count, 1002);
    EXPECT_EQ(parts->front().rows, 1000 + 2 + 3);
}

TEST_F(CommitRegistrarTest, FailuresAreReportedNotThrown) {
    std::vector<std::string> heard;
    CommitRegistrar registrar(*store_, open_catalog(), [&](const std::string& m) { heard.push_back(m); });
    CommittedFile gone;
    gone.key = "market/things/dt=2025-01-06/gone.parquet";
    gone.format = "parquet";
    registrar.on_commit(CommittedBatch{Topic("t"), Partition(0), {gone}});
    EXPECT_TRUE(heard.empty()) << "an absent file is skipped, as register_keys does";
    auto t = registrar.catalog().table("market", "things");
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->has_value());
}

} // namespace
} // namespace ticklake::testing
