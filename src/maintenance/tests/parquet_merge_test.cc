#include "maintenance/parquet_merge.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "format/tests/file_reader.h"

namespace ticklake {
namespace {

namespace fs = std::filesystem;
using testing::duckdb_exec;
using testing::duckdb_rows;

// Compaction writes with the sink's Parquet options (parquet_copy_options): before, it wrote
// DuckDB's default row groups of 122,880 rows, so a compacted file cost a point query on S3
// several times the bytes of the sink's files.
TEST(ParquetMerge, MergedFilesAreSortedWithTheSinksRowGroupsAndCompression) {
    const fs::path dir = fs::temp_directory_path() / ("tl-merge-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    MergeRequest r;
    for (int f = 0; f < 3; ++f) {
        const fs::path in = dir / ("in-" + std::to_string(f) + ".parquet");
        duckdb_exec("COPY (SELECT 'S' || lpad(((i * 7 + " + std::to_string(f) +
                    ") % 50)::VARCHAR, 2, '0') AS symbol, TIMESTAMP '2025-01-06' + to_microseconds(i) AS ts, "
                    "i AS size FROM range(20000) t(i)) TO '" + in.string() + "' (FORMAT parquet)");
        r.inputs.push_back(in);
    }
    r.order_by = {"symbol", "ts"};
    r.output_dir = dir / "out";
    auto out = merge_parquet(r);
    ASSERT_TRUE(out) << out.error().message;
    ASSERT_EQ(out->size(), 1u);
    const std::string file = out->front().string();
    EXPECT_EQ(duckdb_rows("SELECT count(*), count(DISTINCT row_group_id), max(row_group_num_rows), "
                          "min(compression) FROM parquet_metadata('" + file + "')"),
              (std::vector<std::vector<std::string>>{{"12", "4", "16384", "ZSTD"}}))
        << "60,000 rows in row groups of 16,384 (3 columns each)";
    EXPECT_EQ(duckdb_rows("SELECT count(*) FROM (SELECT symbol, ts, lag(symbol) OVER w AS ps, lag(ts) OVER w AS pt "
                          "FROM read_parquet('" + file + "', file_row_number = true) "
                          "WINDOW w AS (ORDER BY file_row_number)) WHERE ps > symbol OR (ps = symbol AND pt > ts)"),
              (std::vector<std::vector<std::string>>{{"0"}}))
        << "sorted by (symbol, ts)";
    fs::remove_all(dir);
}

} // namespace
} // namespace ticklake
