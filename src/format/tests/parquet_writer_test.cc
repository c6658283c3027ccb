// Parquet specifics the contract tests cannot see: column types, compression, row groups,
// values only Parquet keeps (NaN, infinities).
#include "format/parquet_writer.h"

#include <cmath>
#include <limits>
#include <unistd.h>

#include <gtest/gtest.h>

#include "format/table_buffer.h"
#include "format/tests/file_reader.h"

namespace ticklake {

namespace {

std::filesystem::path temp_file(const std::string& name) {
    return std::filesystem::temp_directory_path() / ("ticklake-parquet-" + std::to_string(::getpid()) + "-" + name);
}

TableBuffer trades(int n) {
    TableBuffer b(EventType::trade);
    for (int i = 0; i < n; ++i) {
        Event e;
        e.type = EventType::trade;
        e.id = std::to_string(i);
        static const std::string kSymbols[] = {"S0", "S1", "S2"};
        e.symbol = kSymbols[i % 3];
        e.ts = 1'700'000'000'000'000 + i;
        e.source = "sim";
        e.body = Trade{100.0 + i, 1, "X", "buy"};
        b.append(e);
    }
    return b;
}

// Each test runs twice: with ticklake's own encoder (the default) and with DuckDB's COPY.
class ParquetWriterTest : public ::testing::TestWithParam<bool> {
protected:
    WriterOptions options(WriterOptions o = {}) const {
        o.parquet_via_duckdb = GetParam();
        return o;
    }
};

std::vector<uint32_t> all_rows(const TableBuffer& b) {
    std::vector<uint32_t> v(b.rows());
    for (uint32_t i = 0; i < v.size(); ++i) v[i] = i;
    return v;
}

} // namespace

TEST_P(ParquetWriterTest, ColumnTypesAreDuckDbTypes) {
    TableBuffer b(EventType::record);
    Event e;
    e.type = EventType::record;
    e.id = "1";
    e.body = Record{"d", {{"b", true}, {"i", int64_t{1}}, {"d", 1.5}, {"s", std::string("x")}}};
    b.append(e);
    auto w = ParquetWriter::open(options());
    ASSERT_TRUE(w) << w.error().message;
    const auto path = temp_file("types.parquet");
    ASSERT_TRUE((*w)->write(b.batch(), all_rows(b), path));
    const auto t = testing::read_parquet(path);
    EXPECT_EQ(t.names, (std::vector<std::string>{"id", "symbol", "ts", "recv_ts", "source", "b", "i", "d", "s"}));
    EXPECT_EQ(t.types, (std::vector<std::string>{"VARCHAR", "VARCHAR", "TIMESTAMP", "TIMESTAMP", "VARCHAR", "BOOLEAN",
                                                 "BIGINT", "DOUBLE", "VARCHAR"}));
    std::filesystem::remove(path);
}

TEST_P(ParquetWriterTest, ZstdAndRowGroupsFromOptions) {
    WriterOptions options;
    options.row_group_rows = 4096; // DuckDB cuts row groups at whole vectors of 2048 rows
    options.zstd_level = 9;
    auto w = ParquetWriter::open(this->options(options));
    ASSERT_TRUE(w) << w.error().message;
    TableBuffer b = trades(18000);
    const auto path = temp_file("groups.parquet");
    ASSERT_TRUE((*w)->write(b.batch(), b.sorted_order(), path));
    const auto groups = testing::query_duckdb("SELECT count(DISTINCT row_group_id), min(compression), max(compression), "
                                              "max(row_group_num_rows) FROM parquet_metadata('" + path.string() + "')");
    ASSERT_EQ(groups.rows.size(), 1u);
    EXPECT_EQ(std::get<int64_t>(groups.rows[0][0]), 5);
    EXPECT_EQ(std::get<int64_t>(groups.rows[0][3]), 4096);
    EXPECT_EQ(std::get<std::string>(groups.rows[0][1]), "ZSTD");
    EXPECT_EQ(std::get<std::string>(groups.rows[0][2]), "ZSTD");
    // The file keeps the sorted order: symbol S0 first, time ascending within it.
    const auto t = testing::read_parquet(path);
    ASSERT_EQ(t.rows.size(), 18000u);
    EXPECT_EQ(std::get<std::string>(t.rows[0][1]), "S0");
    EXPECT_EQ(std::get<std::string>(t.rows[5999][1]), "S0");
    EXPECT_EQ(std::get<std::string>(t.rows[6000][1]), "S1");
    EXPECT_EQ(std::get<int64_t>(t.rows[1][2]) - std::get<int64_t>(t.rows[0][2]), 3);
    std::filesystem::remove(path);
}

// The default row group is small enough that one symbol's rows of a sorted file fall in few
// row groups, which a query on S3 selects by min/max (bench/README.md, "Query on S3").
TEST_P(ParquetWriterTest, DefaultRowGroupsAreSixteenThousandRows) {
    auto w = ParquetWriter::open(options());
    ASSERT_TRUE(w) << w.error().message;
    TableBuffer b = trades(40000);
    const auto path = temp_file("default-groups.parquet");
    ASSERT_TRUE((*w)->write(b.batch(), b.sorted_order(), path));
    const auto groups = testing::query_duckdb("SELECT count(DISTINCT row_group_id), max(row_group_num_rows) "
                                              "FROM parquet_metadata('" + path.string() + "')");
    ASSERT_EQ(groups.rows.size(), 1u);
    EXPECT_EQ(std::get<int64_t>(groups.rows[0][0]), 3); // 16384 + 16384 + 7232
    EXPECT_EQ(std::get<int64_t>(groups.rows[0][1]), 16384);
    std::filesystem::remove(path);
}

TEST_P(ParquetWriterTest, KeepsNanAndInfinities) {
    TableBuffer b(EventType::quote);
    Event e;
    e.type = EventType::quote;
    e.body = Quote{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), -0.0, ""};
    b.append(e);
    auto w = ParquetWriter::open(options());
    ASSERT_TRUE(w);
    const auto path = temp_file("special.parquet");
    ASSERT_TRUE((*w)->write(b.batch(), std::vector<uint32_t>{0}, path));
    const auto t = testing::read_parquet(path);
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_TRUE(std::isnan(std::get<double>(t.rows[0][5])));
    EXPECT_EQ(std::get<double>(t.rows[0][6]), std::numeric_limits<double>::infinity());
    EXPECT_EQ(std::get<double>(t.rows[0][7]), -std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::signbit(std::get<double>(t.rows[0][8])));
    EXPECT_EQ(std::get<std::string>(t.rows[0][9]), ""); // not NULL
    std::filesystem::remove(path);
}

TEST_P(ParquetWriterTest, TimestampsReadAsUtcText) {
    TableBuffer b = trades(1);
    auto w = ParquetWriter::open(options());
    ASSERT_TRUE(w);
    const auto path = temp_file("ts.parquet");
    ASSERT_TRUE((*w)->write(b.batch(), std::vector<uint32_t>{0}, path));
    const auto t = testing::query_duckdb("SELECT CAST(ts AS VARCHAR) FROM read_parquet('" + path.string() + "')");
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(std::get<std::string>(t.rows[0][0]), "2023-11-14 22:13:20");
    std::filesystem::remove(path);
}

TEST_P(ParquetWriterTest, ErrorSaysWhichFileAndWhy) {
    TableBuffer b = trades(1);
    auto w = ParquetWriter::open(options());
    ASSERT_TRUE(w);
    auto s = (*w)->write(b.batch(), std::vector<uint32_t>{0}, "/nonexistent-dir/x.parquet");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("'/nonexistent-dir/x.parquet'"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("No such file or directory"), std::string::npos) << s.error().message;
}

INSTANTIATE_TEST_SUITE_P(Writers, ParquetWriterTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "DuckDb" : "Encoder"; });

} // namespace ticklake
