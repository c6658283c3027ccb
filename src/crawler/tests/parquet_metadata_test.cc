// Our Thrift decoding of Parquet footers against DuckDB reading the same files (the oracle):
// every column's type, the row count, the codec and the `ts` range must agree, for files of
// many types and layouts written by pyarrow and by DuckDB. Plus malformed footers.
#include "crawler/parquet_metadata.h"

#include <cstdlib>
#include <cstring>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <duckdb.h>
#include <gtest/gtest.h>

#include "crawler/parquet_footer_reader.h"
#include "duckdb_loader/duck_string.h"
#include "storage/local_object_store.h"

namespace ticklake {
namespace {

namespace fs = std::filesystem;

std::vector<std::vector<std::string>> duckdb_rows(const std::string& sql) {
    duckdb_database db;
    duckdb_connection con;
    EXPECT_EQ(duckdb_open(nullptr, &db), DuckDBSuccess);
    EXPECT_EQ(duckdb_connect(db, &con), DuckDBSuccess);
    duckdb_result r;
    std::vector<std::vector<std::string>> out;
    if (duckdb_query(con, sql.c_str(), &r) == DuckDBSuccess) {
        for (idx_t row = 0; row < duckdb_row_count(&r); ++row) {
            std::vector<std::string> cells;
            for (idx_t c = 0; c < duckdb_column_count(&r); ++c) {
                cells.push_back(duckdb_loader::DuckString(duckdb_value_varchar(&r, c, row)).str("<null>"));
            }
            out.push_back(std::move(cells));
        }
    } else {
        ADD_FAILURE() << duckdb_result_error(&r) << "\n" << sql;
    }
    duckdb_destroy_result(&r);
    duckdb_disconnect(&con);
    duckdb_close(&db);
    return out;
}

class ParquetMetadataTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tl-pqmeta-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    void python(const std::string& script) {
        const auto path = dir_ / "write.py";
        std::ofstream(path) << "import os\nOUT = '" << dir_.string() << "'\n" << script;
        ASSERT_EQ(std::system(("'" TICKLAKE_PYTHON "' '" + path.string() + "'").c_str()), 0) << script;
    }

    // Our footer against DuckDB's DESCRIBE and parquet_metadata of the same file.
    void expect_same_as_duckdb(const std::string& name) {
        SCOPED_TRACE(name);
        LocalObjectStore store(dir_);
        auto reader = ParquetFooterReader::create(dir_ / "scratch");
        ASSERT_TRUE(reader);
        auto info = store.stat(name);
        ASSERT_TRUE(info && info->has_value());
        auto ours = (*reader)->read(store, **info);
        ASSERT_TRUE(ours) << ours.error().message;
        const std::string file = (dir_ / name).string();
        const auto described = duckdb_rows("DESCRIBE SELECT * FROM read_parquet('" + file + "')");
        ASSERT_EQ(ours->columns.size(), described.size());
        for (size_t i = 0; i < described.size(); ++i) {
            EXPECT_EQ(ours->columns[i].name, described[i][0]);
            EXPECT_EQ(ours->columns[i].type, hive_type_of_duckdb(described[i][1]))
                << described[i][0] << " is " << described[i][1] << " in DuckDB";
        }
        const auto meta = duckdb_rows("SELECT num_rows FROM parquet_file_metadata('" + file + "')");
        EXPECT_EQ(std::to_string(ours->rows), meta.at(0).at(0));
        const auto codec = duckdb_rows("SELECT lower(compression) FROM parquet_metadata('" + file + "') LIMIT 1");
        if (!codec.empty()) {
            EXPECT_EQ(ours->compression, codec[0][0] == "uncompressed" ? "none" : codec[0][0]);
        }
        const bool has_ts = std::any_of(described.begin(), described.end(),
                                        [](const auto& r) { return r[0] == "ts" && r[1].starts_with("TIMESTAMP"); });
        if (!has_ts) {
            EXPECT_FALSE(ours->ts_min.has_value());
            return;
        }
        const auto ts = duckdb_rows("SELECT epoch_us(min(ts)), epoch_us(max(ts)) FROM read_parquet('" + file + "')");
        if (ts.at(0).at(0) != "<null>") {
            ASSERT_TRUE(ours->ts_min.has_value()) << "statistics give the ts range";
            EXPECT_EQ(std::to_string(*ours->ts_min), ts[0][0]);
            EXPECT_EQ(std::to_string(*ours->ts_max), ts[0][1]);
        }
    }

    fs::path dir_;
};

TEST_F(ParquetMetadataTest, ScalarTypesOfPyarrowAgreeWithDuckDB) {
    python(R"py(
import datetime as d, decimal, pyarrow as pa, pyarrow.parquet as pq
n = 3
t = pa.table({
    "b": pa.array([True, False, None]), "i8": pa.array([1, -2, 3], pa.int8()), "i16": pa.array([1, 2, 3], pa.int16()),
    "i32": pa.array([1, 2, 3], pa.int32()), "i64": pa.array([1, 2, 3], pa.int64()),
    "u8": pa.array([1, 2, 3], pa.uint8()), "u16": pa.array([1, 2, 3], pa.uint16()),
    "u32": pa.array([1, 2, 3], pa.uint32()), "u64": pa.array([1, 2, 3], pa.uint64()),
    "f32": pa.array([1.5, 2, 3], pa.float32()), "f64": pa.array([1.5, 2, 3], pa.float64()),
    "dec9": pa.array([decimal.Decimal("1.25")] * n, pa.decimal128(9, 2)),
    "dec20": pa.array([decimal.Decimal("1.250")] * n, pa.decimal128(20, 3)),
    "s": pa.array(["a", "b", None]), "ls": pa.array(["a", "b", "c"], pa.large_string()),
    "bin": pa.array([b"x", b"y", b"z"]), "fixed": pa.array([b"ab", b"cd", b"ef"], pa.binary(2)),
    "day": pa.array([d.date(2025, 1, 6)] * n),
    "t_ms": pa.array([d.time(9, 30)] * n, pa.time32("ms")), "t_us": pa.array([d.time(9, 30)] * n, pa.time64("us")),
    "ts_ms": pa.array([d.datetime(2025, 1, 6, 14, 30)] * n, pa.timestamp("ms")),
    "ts_ns_utc": pa.array([d.datetime(2025, 1, 6, 14, 30)] * n, pa.timestamp("ns", tz="UTC")),
    "dict": pa.array(["x", "y", "x"]).dictionary_encode(),
    "ts": pa.array([d.datetime(2025, 1, 6, 14, 30, 0, 5), d.datetime(2025, 1, 7), d.datetime(2024, 12, 31, 23, 59, 59, 999999)], pa.timestamp("us")),
})
pq.write_table(t, os.path.join(OUT, "scalars.parquet"), compression="snappy")
pq.write_table(t, os.path.join(OUT, "scalars_v1.parquet"), compression="gzip", version="1.0")
pq.write_table(t, os.path.join(OUT, "scalars_plain.parquet"), compression="none", row_group_size=1)
)py");
    expect_same_as_duckdb("scalars.parquet");
    expect_same_as_duckdb("scalars_v1.parquet");
    expect_same_as_duckdb("scalars_plain.parquet");
}

TEST_F(ParquetMetadataTest, NestedTypesAgreeWithDuckDB) {
    python(R"py(
import pyarrow as pa, pyarrow.parquet as pq
t = pa.table({
    "tags": pa.array([["a", "b"], [], None]),
    "nums": pa.array([[1, 2], [3], [None]], pa.list_(pa.int32())),
    "fixed_list": pa.array([[1, 2], [3, 4], [5, 6]], pa.list_(pa.int64(), 2)),
    "m": pa.array([[("k", 1.0)], [], None], pa.map_(pa.string(), pa.float64())),
    "st": pa.array([{"x": 1, "y name": "a"}, {"x": 2, "y name": None}, None],
                   pa.struct([("x", pa.int64()), ("y name", pa.string())])),
    "lst": pa.array([[{"p": 1.0}], [], None], pa.list_(pa.struct([("p", pa.float64())]))),
    "deep": pa.array([[[1]], [[2, 3]], []], pa.list_(pa.list_(pa.int16()))),
})
pq.write_table(t, os.path.join(OUT, "nested.parquet"), compression="zstd")
pq.write_table(t, os.path.join(OUT, "nested_compat.parquet"), use_compliant_nested_type=False)
)py");
    expect_same_as_duckdb("nested.parquet");
    expect_same_as_duckdb("nested_compat.parquet");
}

TEST_F(ParquetMetadataTest, DuckDBWrittenFilesAndTheSinksLayoutAgree) {
    const std::string file = (dir_ / "duck.parquet").string();
    duckdb_rows("COPY (SELECT 'AAPL' AS symbol, TIMESTAMP '2025-01-06 14:30:00' + INTERVAL (i) SECOND AS ts, "
                "i::DOUBLE AS price, i AS size, [i, i + 1] AS l, {'a': i} AS s, MAP {'k': i} AS m, "
                "TIMESTAMPTZ '2025-01-06 14:30:00+00' AS tz, i::HUGEINT AS h, uuid() AS u "
                "FROM range(100000) t(i)) TO '" + file + "' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 10000)");
    expect_same_as_duckdb("duck.parquet");
}

TEST_F(ParquetMetadataTest, MalformedFootersArePoisonNotCrashes) {
    EXPECT_EQ(decode_parquet_footer("", "k").error().kind, ErrorKind::poison);
    EXPECT_EQ(decode_parquet_footer(std::string("\x19\xfc\xff\xff\xff\xff\xff", 7), "k").error().kind,
              ErrorKind::poison);
    std::string noise(4096, '\0');
    for (size_t i = 0; i < noise.size(); ++i) {
        noise[i] = static_cast<char>((i * 7919) ^ (i >> 3));
    }
    auto r = decode_parquet_footer(noise, "noise");
    EXPECT_FALSE(r);
    // A real footer cut short at every length fails cleanly.
    python(R"py(
import pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({"a": [1, 2, 3], "s": ["x", "y", "z"]}), os.path.join(OUT, "small.parquet"))
)py");
    std::ifstream in(dir_ / "small.parquet", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    uint32_t len = 0;
    std::memcpy(&len, bytes.data() + bytes.size() - 8, 4);
    const std::string footer = bytes.substr(bytes.size() - 8 - len, len);
    ASSERT_TRUE(decode_parquet_footer(footer, "small"));
    for (size_t cut = 0; cut < footer.size(); ++cut) {
        EXPECT_FALSE(decode_parquet_footer(footer.substr(0, cut), "small")) << "cut at " << cut;
    }
}

} // namespace
} // namespace ticklake
