// ticklake's own Parquet encoder: every value read back through DuckDB's reader as written, with
// the types and statistics DuckDB's writer gives the same batch.
// tests/test_parquet_encoder.py reads the encoder's files with pyarrow too.
#include "format/parquet_encoder.h"

#include <array>
#include <bit>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <unistd.h>

#include <gtest/gtest.h>

#include "format/parquet_writer.h"
#include "format/tests/file_reader.h"

namespace ticklake {

namespace {

std::filesystem::path temp_file(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("ticklake-encoder-" + std::to_string(::getpid()) + "-" + name + ".parquet");
}

Column column(std::string name, ColumnType type) {
    Column c;
    c.name = std::move(name);
    c.type = type;
    return c;
}

// Appends one value or a NULL to c.
void push(Column& c, bool present, int64_t i, double d, std::string_view s) {
    c.valid.push_back(present ? 1 : 0);
    if (c.type == ColumnType::float64) {
        c.doubles.push_back(present ? d : 0);
    } else if (stored_in_strings(c.type)) {
        present ? c.strings.push_back(s) : c.strings.push_empty();
    } else {
        c.ints.push_back(present ? i : 0);
    }
}

// A batch of every type the encoder writes: columns that repeat (a dictionary) and columns that
// do not (PLAIN), NULLs in runs and alone, a column all NULL, special doubles, empty, long,
// multi-byte and binary strings, times before 1970.
ColumnBatch mixed_batch(size_t rows, uint32_t seed) {
    std::mt19937_64 rng(seed);
    ColumnBatch b;
    b.columns = {column("id", ColumnType::varchar),      column("symbol", ColumnType::varchar),
                 column("ts", ColumnType::timestamp_us), column("day", ColumnType::date),
                 column("price", ColumnType::float64),   column("size", ColumnType::float64),
                 column("n", ColumnType::bigint),        column("flag", ColumnType::boolean),
                 column("raw", ColumnType::blob),        column("note", ColumnType::varchar),
                 column("nothing", ColumnType::bigint),  column("level", ColumnType::bigint)};
    static const std::string kSymbols[] = {"AAPL", "MSFT", "", "Zürich-Ω", "BRK.B"};
    static const double kSpecial[] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(), -0.0, 0.0};
    bool null_run = false;
    for (size_t r = 0; r < rows; ++r) {
        if (rng() % 50 == 0) {
            null_run = !null_run; // NULLs in runs of varying length
        }
        const bool sparse_null = rng() % 7 == 0;
        const std::string id = "id-" + std::to_string(r);
        push(b.columns[0], true, 0, 0, id);
        push(b.columns[1], !sparse_null, 0, 0, kSymbols[(r / 300) % 5]);
        push(b.columns[2], true, -86'400'000'000LL * 400 + static_cast<int64_t>(rng() % 1'000'000'000'000), 0, "");
        push(b.columns[3], !null_run, -800 + static_cast<int64_t>(rng() % 40000), 0, "");
        const double price = rng() % 97 == 0 ? kSpecial[rng() % 5] : 100 + static_cast<double>(rng() % 2000) / 100;
        push(b.columns[4], !null_run, 0, price, "");
        push(b.columns[5], true, 0, static_cast<double>(rng()) / 3.0, "");
        push(b.columns[6], !sparse_null, static_cast<int64_t>(rng()), 0, "");
        push(b.columns[7], rng() % 3 != 0, rng() % 2, 0, "");
        std::string raw(rng() % 12, '\0');
        for (auto& ch : raw) {
            ch = static_cast<char>(rng());
        }
        push(b.columns[8], !sparse_null, 0, 0, raw);
        const std::string note = r % 1000 == 0 ? std::string(400, 'x') : std::string(rng() % 3, 'a');
        push(b.columns[9], true, 0, 0, note);
        push(b.columns[10], false, 0, 0, "");
        push(b.columns[11], true, static_cast<int64_t>(r / 37 % 4) - 1, 0, "");
    }
    b.rows = rows;
    return b;
}

std::vector<uint32_t> shuffled(size_t rows, uint32_t seed) {
    std::vector<uint32_t> order(rows);
    std::iota(order.begin(), order.end(), 0u);
    std::shuffle(order.begin(), order.end(), std::mt19937(seed));
    return order;
}

// Writes the batch with the encoder and with DuckDB; returns {encoder's file, DuckDB's file}.
std::pair<std::filesystem::path, std::filesystem::path> write_both(const ColumnBatch& batch,
                                                                   std::span<const uint32_t> order,
                                                                   const std::string& name, WriterOptions o = {}) {
    const auto mine = temp_file(name + "-encoder");
    const auto theirs = temp_file(name + "-duckdb");
    ParquetEncoder encoder(o);
    EXPECT_TRUE(encoder.write(batch, order, mine, {}));
    o.parquet_via_duckdb = true;
    auto duck = ParquetWriter::open(o);
    EXPECT_TRUE(duck) << duck.error().message;
    EXPECT_TRUE((*duck)->write(batch, order, theirs));
    return {mine, theirs};
}

// Cells equal, doubles by their bits (NaN equals NaN, -0.0 differs from 0.0).
bool bit_equal(const testing::Cell& got, const testing::Cell& want) {
    if (std::holds_alternative<double>(want) && std::holds_alternative<double>(got)) {
        return std::bit_cast<uint64_t>(std::get<double>(want)) == std::bit_cast<uint64_t>(std::get<double>(got));
    }
    return got == want;
}

std::string rows_sql(const std::filesystem::path& p) { return "SELECT * FROM read_parquet('" + p.string() + "')"; }

// Per row group and column: the value count, the null count, min and max as DuckDB reads them.
std::string stats_sql(const std::filesystem::path& p) {
    return "SELECT row_group_id, path_in_schema, num_values, stats_null_count, stats_min_value, stats_max_value "
           "FROM parquet_metadata('" + p.string() + "') ORDER BY row_group_id, column_id";
}

} // namespace

// Every value comes back as written, bit for bit for doubles (NaN, -0.0), with DuckDB's types.
TEST(ParquetEncoder, ReadsBackEveryValueWithDuckDbsTypes) {
    const ColumnBatch batch = mixed_batch(40'000, 11);
    const auto order = shuffled(batch.rows, 5);
    const auto [mine, theirs] = write_both(batch, order, "mixed");
    const auto t = testing::read_parquet(mine);
    ASSERT_EQ(t.rows.size(), batch.rows);
    int mismatches = 0;
    for (size_t r = 0; r < t.rows.size() && mismatches < 10; ++r) {
        for (size_t c = 0; c < batch.columns.size(); ++c) {
            const testing::Cell want = testing::expected_cell(batch.columns[c], order[r]);
            const testing::Cell& got = t.rows[r][c];
            if (!bit_equal(got, want)) {
                ++mismatches;
                ADD_FAILURE() << "row " << r << " column " << batch.columns[c].name << ": read "
                              << testing::describe(got) << ", wrote " << testing::describe(want);
            }
        }
    }
    EXPECT_EQ(t.types, testing::read_parquet(theirs).types);
    EXPECT_EQ(t.names, testing::read_parquet(theirs).names);
    std::filesystem::remove(mine);
    std::filesystem::remove(theirs);
}

// Random tables: any mix of types, NULL rates from none to all, few or many distinct values (a
// dictionary or not, index widths from 1 to 12 bits), row groups from 1 row up, any order.
TEST(ParquetEncoder, RandomTablesReadBackExactly) {
    static const ColumnType kTypes[] = {ColumnType::varchar, ColumnType::bigint,  ColumnType::float64,
                                        ColumnType::boolean, ColumnType::timestamp_us, ColumnType::date,
                                        ColumnType::blob};
    for (uint32_t seed = 0; seed < 30; ++seed) {
        std::mt19937_64 rng(seed);
        ColumnBatch b;
        const size_t rows = rng() % 3000;
        const size_t ncols = 1 + rng() % 8;
        for (size_t c = 0; c < ncols; ++c) {
            b.columns.push_back(column(std::string("c").append(std::to_string(c)), kTypes[rng() % std::size(kTypes)]));
        }
        for (Column& c : b.columns) {
            const uint64_t null_per_mille = std::array<uint64_t, 4>{0, 0, 500, 1000}[rng() % 4];
            const uint64_t distinct = std::array<uint64_t, 4>{1, 3, 300, uint64_t{1} << 40}[rng() % 4];
            for (size_t r = 0; r < rows; ++r) {
                const uint64_t v = rng() % distinct;
                const double d = std::bit_cast<double>(v * 0x9E3779B97F4A7C15ull); // any bits, NaNs too
                push(c, rng() % 1000 >= null_per_mille, static_cast<int64_t>(v) - 1000, d,
                     std::string(v % 17, static_cast<char>('a' + v % 26)) + std::to_string(v));
            }
            if (c.type == ColumnType::date) { // DATE is 32 bits
                for (auto& x : c.ints) {
                    x = static_cast<int32_t>(x);
                }
            }
        }
        b.rows = rows;
        std::vector<uint32_t> order = seed % 2 ? shuffled(rows, seed) : std::vector<uint32_t>(rows);
        if (seed % 2 == 0) {
            std::iota(order.begin(), order.end(), 0u);
        }
        WriterOptions o;
        o.row_group_rows = 1 + rng() % 700;
        const auto path = temp_file("random-" + std::to_string(seed));
        ParquetEncoder encoder(o);
        ASSERT_TRUE(encoder.write(b, order, path, {})) << "seed " << seed;
        const auto t = testing::read_parquet(path);
        ASSERT_EQ(t.rows.size(), rows) << "seed " << seed;
        for (size_t r = 0; r < rows; ++r) {
            for (size_t c = 0; c < ncols; ++c) {
                const testing::Cell want = testing::expected_cell(b.columns[c], order[r]);
                const testing::Cell& got = t.rows[r][c];
                ASSERT_TRUE(bit_equal(got, want)) << "seed " << seed << " row " << r << " column " << c << ": read "
                                  << testing::describe(got) << ", wrote " << testing::describe(want);
            }
        }
        std::filesystem::remove(path);
    }
}

TEST(ParquetEncoder, StatisticsAreDuckDbsForTheSameRowGroups) {
    ColumnBatch batch = mixed_batch(20'000, 3);
    // Without NaN: DuckDB counts a NaN as the largest double, the format leaves it out.
    for (double& d : batch.columns[4].doubles) {
        d = std::isnan(d) ? 1.5 : d;
    }
    std::vector<uint32_t> order(batch.rows);
    std::iota(order.begin(), order.end(), 0u);
    WriterOptions o;
    o.row_group_rows = 4096;
    const auto [mine, theirs] = write_both(batch, order, "stats", o);
    auto a = testing::duckdb_rows(stats_sql(mine));
    auto b = testing::duckdb_rows(stats_sql(theirs));
    ASSERT_EQ(a.size(), 5u * batch.columns.size());
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        const bool long_text = a[i][1] == "note"; // over 256 bytes: the encoder writes no min/max
        if (long_text) {
            EXPECT_EQ(a[i][4], "<null>");
            a[i].resize(4);
            b[i].resize(4);
        }
        EXPECT_EQ(a[i], b[i]) << "row group " << a[i][0] << ", column " << a[i][1];
    }
    std::filesystem::remove(mine);
    std::filesystem::remove(theirs);
}

TEST(ParquetEncoder, RepeatingColumnsGetADictionaryOthersArePlain) {
    const ColumnBatch batch = mixed_batch(10'000, 9);
    std::vector<uint32_t> order(batch.rows);
    std::iota(order.begin(), order.end(), 0u);
    const auto path = temp_file("encodings");
    ParquetEncoder encoder({});
    ASSERT_TRUE(encoder.write(batch, order, path, {}));
    const auto enc = testing::duckdb_rows("SELECT path_in_schema, encodings, compression FROM parquet_metadata('" +
                                          path.string() + "') ORDER BY column_id");
    ASSERT_EQ(enc.size(), batch.columns.size());
    std::map<std::string, std::string> by_column;
    for (const auto& row : enc) {
        by_column[row[0]] = row[1];
        EXPECT_EQ(row[2], "ZSTD");
    }
    EXPECT_EQ(by_column["symbol"], "PLAIN_DICTIONARY, RLE");
    EXPECT_EQ(by_column["level"], "PLAIN_DICTIONARY, RLE");
    EXPECT_EQ(by_column["id"], "PLAIN, RLE");
    EXPECT_EQ(by_column["ts"], "PLAIN, RLE");
    EXPECT_EQ(by_column["flag"], "PLAIN, RLE");
    std::filesystem::remove(path);
}

// Values beyond one page (1 MiB before compression) are cut into several pages.
TEST(ParquetEncoder, LargeChunksSpanPages) {
    ColumnBatch b;
    b.columns = {column("text", ColumnType::varchar), column("n", ColumnType::bigint)};
    for (size_t r = 0; r < 3000; ++r) {
        std::string s(1000, static_cast<char>('a' + r % 26));
        s += std::to_string(r);
        push(b.columns[0], r % 11 != 0, 0, 0, s);
        push(b.columns[1], true, static_cast<int64_t>(r), 0, "");
    }
    b.rows = 3000;
    const auto order = shuffled(b.rows, 1);
    const auto [mine, theirs] = write_both(b, order, "pages");
    EXPECT_EQ(testing::duckdb_rows(rows_sql(mine)), testing::duckdb_rows(rows_sql(theirs)));
    const auto pages = testing::duckdb_rows("SELECT total_uncompressed_size FROM parquet_metadata('" + mine.string() +
                                            "') WHERE path_in_schema = 'text'");
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_GT(std::stoll(pages[0][0]), 2'500'000);
    std::filesystem::remove(mine);
    std::filesystem::remove(theirs);
}

TEST(ParquetEncoder, EmptyBatchIsAFileOfNoRows) {
    const ColumnBatch batch = mixed_batch(0, 1);
    const auto path = temp_file("empty");
    ParquetEncoder encoder({});
    ASSERT_TRUE(encoder.write(batch, {}, path, {}));
    const auto t = testing::read_parquet(path);
    EXPECT_TRUE(t.rows.empty());
    EXPECT_EQ(t.names.size(), batch.columns.size());
    EXPECT_EQ(t.types[2], "TIMESTAMP");
    std::filesystem::remove(path);
}

TEST(ParquetEncoder, FieldIdsWhenAsked) {
    const ColumnBatch batch = mixed_batch(10, 1);
    std::vector<uint32_t> order(batch.rows);
    std::iota(order.begin(), order.end(), 0u);
    WriterOptions o;
    o.field_ids = true;
    const auto path = temp_file("ids");
    ParquetEncoder encoder(o);
    const std::vector<int> ids = {7, 8}; // the rest numbered by position
    ASSERT_TRUE(encoder.write(batch, order, path, ids));
    const auto got = testing::duckdb_rows("SELECT name, field_id FROM parquet_schema('" + path.string() +
                                          "') WHERE name IN ('id', 'symbol', 'ts')");
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0], (std::vector<std::string>{"id", "7"}));
    EXPECT_EQ(got[1], (std::vector<std::string>{"symbol", "8"}));
    EXPECT_EQ(got[2], (std::vector<std::string>{"ts", "3"}));
    std::filesystem::remove(path);
}

size_t open_descriptors() {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                                             std::filesystem::directory_iterator{}));
}

// A full disk fails the write with a retriable error, and each failed attempt closes its file:
// a sink retrying through an outage must not run out of descriptors.
TEST(ParquetEncoder, AFullDiskFailsRetriablyAndLeaksNoDescriptor) {
    const ColumnBatch batch = mixed_batch(20'000, 2); // past the 1 MiB that is written at once
    std::vector<uint32_t> order(batch.rows);
    std::iota(order.begin(), order.end(), 0u);
    ParquetEncoder encoder({});
    const size_t before = open_descriptors();
    for (int attempt = 0; attempt < 20; ++attempt) {
        const Status s = encoder.write(batch, order, "/dev/full", {});
        ASSERT_FALSE(s);
        EXPECT_EQ(s.error().kind, ErrorKind::retry) << s.error().message;
        EXPECT_NE(s.error().message.find("No space left on device"), std::string::npos) << s.error().message;
    }
    EXPECT_LE(open_descriptors(), before + 1); // the last attempt's file may stay open until the next
    const auto path = temp_file("after-full");
    ASSERT_TRUE(encoder.write(batch, order, path, {})); // and the encoder still writes
    EXPECT_EQ(testing::read_parquet(path).rows.size(), batch.rows);
    EXPECT_LE(open_descriptors(), before);
    std::filesystem::remove(path);
}

// Decimal and nested columns are DuckDB's to write; a batch with one goes there whole.
TEST(ParquetEncoder, DecimalAndNestedColumnsAreLeftToDuckDb) {
    ColumnBatch b;
    b.columns = {column("n", ColumnType::bigint)};
    EXPECT_TRUE(parquet_encoder_supports(b));
    b.columns.push_back(column("d", ColumnType::decimal));
    EXPECT_FALSE(parquet_encoder_supports(b));
    b.columns.back().type = ColumnType::nested;
    EXPECT_FALSE(parquet_encoder_supports(b));
}

} // namespace ticklake
