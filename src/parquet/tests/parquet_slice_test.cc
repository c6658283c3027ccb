#include "parquet/parquet_slice.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <unistd.h>

#include "format/tests/file_reader.h"

namespace ticklake::parquet {
namespace {

namespace fs = std::filesystem;
using ticklake::testing::duckdb_exec;
using ticklake::testing::duckdb_rows;

std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// 20 symbols x 1000 trades, sorted by (symbol, ts), 10 row groups of 2048 rows.
class ParquetSliceTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tl-slice-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        source_ = dir_ / "trades.parquet";
        duckdb_exec("COPY (SELECT 'S' || lpad((i // 1000)::VARCHAR, 2, '0') AS symbol, "
                    "TIMESTAMP '2025-01-06' + to_microseconds((i % 1000) * 1000000) AS ts, "
                    "(i % 97) * 0.25 AS price, (i % 7)::BIGINT AS size, 'x' || i AS id "
                    "FROM range(20000) t(i) ORDER BY symbol, ts) TO '" + source_.string() +
                    "' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)");
        bytes_ = file_bytes(source_);
        auto len = metadata_length(std::string_view(bytes_).substr(bytes_.size() - 8));
        ASSERT_TRUE(len) << len.error().message;
        metadata_ = bytes_.substr(bytes_.size() - 8 - *len, *len);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path slice(const SlicePlan& plan, const ParquetLayout& layout, uint64_t* fetched = nullptr) {
        const fs::path out = dir_ / "slice.parquet";
        auto st = write_slice(layout, plan, [&](const ByteRange& r) -> Result<std::string> {
            if (fetched != nullptr) {
                *fetched += r.length;
            }
            return bytes_.substr(r.offset, r.length);
        }, out);
        EXPECT_TRUE(st) << (st ? "" : st.error().message);
        return out;
    }

    fs::path dir_;
    fs::path source_;
    std::string bytes_;
    std::string metadata_;
};

TEST_F(ParquetSliceTest, TheFooterOfDuckDbReencodesByteForByte) {
    auto meta = decode_thrift_struct(metadata_);
    ASSERT_TRUE(meta) << meta.error().message;
    EXPECT_EQ(encode_thrift_struct(*meta), metadata_);
}

TEST_F(ParquetSliceTest, ASymbolFilterKeepsOnlyItsRowGroupsAndTheNamedColumns) {
    auto layout = read_layout(metadata_, bytes_.size());
    ASSERT_TRUE(layout) << layout.error().message;
    ASSERT_TRUE(layout->unsupported.empty()) << layout->unsupported;
    ASSERT_EQ(layout->columns.size(), 5u);
    EXPECT_EQ(layout->columns[0].kind, StatsKind::text);
    EXPECT_EQ(layout->columns[1].kind, StatsKind::time);
    EXPECT_EQ(layout->columns[3].kind, StatsKind::integer);
    const size_t groups = layout->row_groups.size();
    ASSERT_GE(groups, 5u);
    const std::vector<ColumnCondition> conditions = {
        {"symbol", ColumnCondition::Op::eq, {"S07"}, StatsKind::text}};
    const SlicePlan plan = plan_slice(*layout, std::set<std::string>{"symbol", "price"}, conditions);
    EXPECT_LE(plan.row_groups.size(), 2u);
    EXPECT_GE(plan.row_groups.size(), 1u);
    EXPECT_EQ(plan.columns, (std::vector<size_t>{0, 2}));
    uint64_t fetched = 0;
    const fs::path out = slice(plan, *layout, &fetched);
    EXPECT_EQ(fetched, plan.chunk_bytes());
    EXPECT_LT(fetched * 5, bytes_.size()) << "a fifth of the file or more was fetched";
    const std::string q = " WHERE symbol = 'S07' ORDER BY ALL";
    const auto got = duckdb_rows("SELECT symbol, price FROM read_parquet('" + out.string() + "')" + q);
    const auto want = duckdb_rows("SELECT symbol, price FROM read_parquet('" + source_.string() + "')" + q);
    ASSERT_EQ(got.size(), 1000u);
    EXPECT_EQ(got, want);
    EXPECT_EQ(duckdb_rows("SELECT name FROM parquet_schema('" + out.string() + "') WHERE name <> 'duckdb_schema'"),
              (std::vector<std::vector<std::string>>{{"symbol"}, {"price"}}));
}

TEST_F(ParquetSliceTest, TimeRangesAndInListsPruneAndCountStarKeepsOneColumn) {
    auto layout = read_layout(metadata_, bytes_.size());
    ASSERT_TRUE(layout) << layout.error().message;
    const std::vector<ColumnCondition> conditions = {
        {"symbol", ColumnCondition::Op::in, {"S03", "S15"}, StatsKind::text},
        {"ts", ColumnCondition::Op::ge, {"2025-01-06 00:10:00"}, StatsKind::time},
        {"size", ColumnCondition::Op::lt, {"100"}, StatsKind::integer}};
    const SlicePlan plan = plan_slice(*layout, std::set<std::string>{}, conditions);
    ASSERT_EQ(plan.columns.size(), 1u);
    EXPECT_LT(plan.row_groups.size(), layout->row_groups.size());
    const fs::path out = slice(plan, *layout);
    // Every row the conditions select is in the slice: counted there and in the original.
    const std::string where = " WHERE symbol IN ('S03', 'S15') AND ts >= TIMESTAMP '2025-01-06 00:10:00'";
    const auto want = duckdb_rows("SELECT count(*) FROM read_parquet('" + source_.string() + "')" + where);
    const auto kept = duckdb_rows("SELECT count(*) FROM read_parquet('" + out.string() + "')");
    ASSERT_EQ(want.size(), 1u);
    EXPECT_GE(std::stoll(kept[0][0]), std::stoll(want[0][0]));
    EXPECT_GT(std::stoll(want[0][0]), 0);
    // A condition the statistics cannot decide keeps every row group.
    const SlicePlan all = plan_slice(*layout, std::nullopt, {{"price", ColumnCondition::Op::eq, {"1"}, StatsKind::integer}});
    EXPECT_EQ(all.row_groups.size(), layout->row_groups.size());
    EXPECT_EQ(all.columns.size(), 5u);
}

TEST_F(ParquetSliceTest, NoMatchingRowGroupGivesAnEmptyFileWithTheSchema) {
    auto layout = read_layout(metadata_, bytes_.size());
    ASSERT_TRUE(layout) << layout.error().message;
    const SlicePlan plan =
        plan_slice(*layout, std::set<std::string>{"symbol"}, {{"symbol", ColumnCondition::Op::eq, {"ZZZ"}, StatsKind::text}});
    EXPECT_TRUE(plan.row_groups.empty());
    const fs::path out = slice(plan, *layout);
    EXPECT_EQ(duckdb_rows("SELECT count(*) FROM read_parquet('" + out.string() + "')"),
              (std::vector<std::vector<std::string>>{{"0"}}));
}

// parquet_slice_fuzz: a footer with a schema but no row_groups field (a mutated field id)
// made write_slice bind a reference to the missing field.
TEST_F(ParquetSliceTest, AFooterWithoutRowGroupsSlicesToAnEmptyFile) {
    auto meta = decode_thrift_struct(metadata_);
    ASSERT_TRUE(meta) << meta.error().message;
    meta->erase(4); // FileMetaData.row_groups
    const std::string footer = encode_thrift_struct(*meta);
    auto layout = read_layout(footer, bytes_.size());
    ASSERT_TRUE(layout) << layout.error().message;
    EXPECT_TRUE(layout->row_groups.empty());
    const SlicePlan plan = plan_slice(*layout, std::nullopt, {});
    EXPECT_TRUE(plan.row_groups.empty());
    const fs::path out = slice(plan, *layout);
    EXPECT_EQ(duckdb_rows("SELECT count(*) FROM read_parquet('" + out.string() + "')"),
              (std::vector<std::vector<std::string>>{{"0"}}));
}

TEST_F(ParquetSliceTest, NestedSchemasAreUnsupported) {
    const fs::path nested = dir_ / "nested.parquet";
    duckdb_exec("COPY (SELECT [1, 2] AS xs, {'a': 1} AS s) TO '" + nested.string() + "' (FORMAT parquet)");
    const std::string b = file_bytes(nested);
    auto len = metadata_length(std::string_view(b).substr(b.size() - 8));
    ASSERT_TRUE(len);
    auto layout = read_layout(std::string_view(b).substr(b.size() - 8 - *len, *len), b.size());
    ASSERT_TRUE(layout) << layout.error().message;
    EXPECT_EQ(layout->unsupported, "nested columns");
    EXPECT_FALSE(metadata_length("12345678"));
}

TEST(Coalesce, MergesCloseRangesOnlyWhenTheGapIsSmallBesideWhatIsNeeded) {
    EXPECT_EQ(coalesce({{100, 50}, {0, 100}, {160, 40}}, 1 << 20), (std::vector<ByteRange>{{0, 200}}));
    // The 1000-byte gap is more than a quarter of the 200 bytes needed: two requests.
    EXPECT_EQ(coalesce({{0, 100}, {1100, 100}}, 1 << 20), (std::vector<ByteRange>{{0, 100}, {1100, 100}}));
    EXPECT_EQ(coalesce({{0, 4000}, {4100, 4000}}, 64), (std::vector<ByteRange>{{0, 4000}, {4100, 4000}}));
    EXPECT_EQ(coalesce({{0, 4000}, {4050, 4000}}, 64), (std::vector<ByteRange>{{0, 8050}}));
}

} // namespace
} // namespace ticklake::parquet
