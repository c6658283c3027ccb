// Contract tests every RecordWriter passes: what is written reads back value by value, in the
// given order, through a reader independent of the writer.
#include "format/record_writer.h"

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <unistd.h>

#include <gtest/gtest.h>

#include "format/table_buffer.h"
#include "format/tests/file_reader.h"

namespace ticklake {

namespace {

using testing::Cell;
using testing::ReadTable;

class TempDir {
public:
    TempDir() {
        path_ = std::filesystem::temp_directory_path() /
                ("ticklake-format-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    static inline int counter_ = 0;
    std::filesystem::path path_;
};

const std::vector<std::string> kNastyStrings = {
    "plain", "", "a,b", "say \"hi\"", "line\nbreak", "cr\rlf\r\n", "tab\there", "back\\slash",
    "ünïcödé € 😀 日本", "'single'", "\"", ",", " leading and trailing ", "null", "NULL", "\x01\x1f control",
};

const std::vector<double> kNastyDoubles = {
    0.1, -0.0, 1e-300, 4.9406564584124654e-324, 1.7976931348623157e308, -123456.789, 187.12,
    0.30000000000000004, 1.0 / 3.0, 100, 2.5e-7, 9007199254740993.0,
};

Event make_trade(int i, std::mt19937_64& rng) {
    Event e;
    e.type = EventType::trade;
    e.id = "sim-" + std::to_string(i);
    e.symbol = "S" + std::to_string(rng() % 7);
    e.ts = 1'704'067'200'000'000 + static_cast<int64_t>(rng() % 86'400'000'000);
    e.recv_ts = e.ts + static_cast<int64_t>(rng() % 1000);
    e.source = kNastyStrings[static_cast<size_t>(i) % kNastyStrings.size()];
    Trade t;
    t.price = kNastyDoubles[static_cast<size_t>(i) % kNastyDoubles.size()] + (i % 5 == 0 ? 0 : static_cast<double>(rng() % 100000) / 7.0);
    t.size = static_cast<double>(rng() % 1000) / 8.0;
    t.exchange = i % 3 == 0 ? "" : "XNAS";
    t.side = i % 2 == 0 ? "buy" : "sell";
    e.body = t;
    return e;
}

Event make_record(std::vector<RecordField> fields, std::string symbol, TimestampUs ts) {
    Event e;
    e.type = EventType::record;
    e.id = "r";
    e.symbol = std::move(symbol);
    e.ts = ts;
    e.recv_ts = ts;
    e.source = "csv";
    e.body = Record{"weird", std::move(fields)};
    return e;
}

// A record table with every column type, NULLs, odd column names and odd values.
TableBuffer nasty_records() {
    TableBuffer b(EventType::record);
    const TimestampUs times[] = {0, -1, -86'400'000'001, 253'402'300'799'999'999 /* 9999-12-31T23:59:59.999999Z */,
                                 1'700'000'000'123'456};
    for (size_t i = 0; i < kNastyStrings.size() * 3; ++i) {
        std::vector<RecordField> f;
        f.push_back({"text", kNastyStrings[i % kNastyStrings.size()]});
        if (i % 4 != 1) {
            f.push_back({"Adj Close", kNastyDoubles[i % kNastyDoubles.size()]});
        }
        f.push_back({"flag", i % 5 == 2 ? FieldValue{} : FieldValue{i % 2 == 0}});
        const int64_t ints[] = {0, -1, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 42};
        f.push_back({"count", ints[i % 5]});
        if (i % 3 == 0) {
            f.push_back({"we\"ird, name\n", std::string("x") + std::to_string(i)});
        }
        f.push_back({"empty_or_null", i % 2 == 0 ? FieldValue{std::string()} : FieldValue{}});
        b.append(make_record(std::move(f), i % 4 == 0 ? "" : "SYM" + std::to_string(i % 3), times[i % 5]));
    }
    return b;
}

std::vector<uint32_t> identity(size_t n) {
    std::vector<uint32_t> v(n);
    for (uint32_t i = 0; i < n; ++i) {
        v[i] = i;
    }
    return v;
}

bool same_cell(const Cell& a, const Cell& b) {
    if (a.index() != b.index()) {
        return false;
    }
    if (const double* d = std::get_if<double>(&a)) {
        const double e = std::get<double>(b);
        return std::bit_cast<uint64_t>(*d) == std::bit_cast<uint64_t>(e) || (*d == e && *d != 0);
    }
    return a == b;
}

class RecordWriterContract : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        // "<format>_direct": the same format written past the page cache (WriterOptions::direct_io).
        format_ = GetParam().substr(0, GetParam().find('_'));
        WriterOptions options;
        options.direct_io = GetParam().ends_with("_direct");
        auto w = make_record_writer(format_, options);
        ASSERT_TRUE(w) << w.error().message;
        writer_ = std::move(*w);
    }

    std::filesystem::path file(std::string stem) const { return dir_.path() / (stem + "." + std::string(writer_->extension())); }

    ReadTable read_back(const std::filesystem::path& path, const ColumnBatch& batch) const {
        if (format_ == "parquet") return testing::read_parquet(path);
        if (format_ == "jsonl") return testing::read_jsonl(path, batch.columns);
        return testing::read_csv(path, batch.columns);
    }

    // Writes batch in `order`, reads it back, and compares every value.
    void round_trip(const ColumnBatch& batch, const std::vector<uint32_t>& order, const std::string& stem) {
        const auto path = file(stem);
        auto s = writer_->write(batch, order, path);
        ASSERT_TRUE(s) << s.error().message;
        const ReadTable t = read_back(path, batch);
        if (format_ != "jsonl" || !order.empty()) { // an empty JSONL file names no columns
            ASSERT_EQ(t.names.size(), batch.columns.size());
            for (size_t c = 0; c < batch.columns.size(); ++c) {
                EXPECT_EQ(t.names[c], batch.columns[c].name);
            }
        }
        ASSERT_EQ(t.rows.size(), order.size());
        int mismatches = 0;
        for (size_t r = 0; r < order.size() && mismatches < 20; ++r) {
            ASSERT_EQ(t.rows[r].size(), batch.columns.size()) << "row " << r;
            for (size_t c = 0; c < batch.columns.size(); ++c) {
                const Cell want = testing::expected_cell(batch.columns[c], order[r]);
                if (!same_cell(t.rows[r][c], want)) {
                    ++mismatches;
                    ADD_FAILURE() << GetParam() << " row " << r << " (batch row " << order[r] << ") column "
                                  << batch.columns[c].name << ": read " << testing::describe(t.rows[r][c])
                                  << ", wrote " << testing::describe(want);
                }
            }
        }
    }

    TempDir dir_;
    std::string format_;
    std::unique_ptr<RecordWriter> writer_;
};

} // namespace

TEST_P(RecordWriterContract, ExtensionNamesTheFormat) {
    EXPECT_EQ(writer_->extension(), format_);
}

TEST_P(RecordWriterContract, TradesReadBackExactlyInSortedOrder) {
    std::mt19937_64 rng(42);
    TableBuffer b(EventType::trade);
    for (int i = 0; i < 5000; ++i) { // more than two DuckDB vectors
        b.append(make_trade(i, rng));
    }
    const auto order = b.sorted_order();
    ASSERT_NE(order, identity(order.size()));
    round_trip(b.batch(), order, "trades");
}

TEST_P(RecordWriterContract, RecordsWithNullsSpecialCharactersAndEveryType) {
    TableBuffer b = nasty_records();
    ASSERT_EQ(b.batch().columns.size(), kCommonColumnCount + 6);
    round_trip(b.batch(), identity(b.rows()), "records");
    round_trip(b.batch(), b.sorted_order(), "records_sorted");
}

TEST_P(RecordWriterContract, BarsWithOptionalColumns) {
    TableBuffer b(EventType::bar);
    for (int i = 0; i < 3000; ++i) {
        Event e;
        e.type = EventType::bar;
        e.id = std::to_string(i);
        e.symbol = i % 2 ? "A" : "B";
        e.ts = int64_t{i} * 60'000'000;
        e.source = "vendor";
        Bar bar{"1m", 1.5, 2.5, 0.5, 2.0, std::nullopt, 1e6, std::nullopt, std::nullopt};
        if (i % 7 == 0) bar.adj_close = 1.99;
        if (i % 11 == 0) bar.vwap = 1.75;
        if (i % 13 != 0) bar.trade_count = i;
        e.body = bar;
        b.append(e);
    }
    round_trip(b.batch(), b.sorted_order(), "bars");
}

TEST_P(RecordWriterContract, WritesOnlyTheRowsInOrder) {
    std::mt19937_64 rng(1);
    TableBuffer b(EventType::trade);
    for (int i = 0; i < 100; ++i) {
        b.append(make_trade(i, rng));
    }
    round_trip(b.batch(), {99, 3, 3, 50}, "subset");
}

TEST_P(RecordWriterContract, EmptyBatchWritesAReadableFile) {
    TableBuffer b(EventType::quote);
    round_trip(b.batch(), {}, "empty");
    EXPECT_TRUE(std::filesystem::exists(file("empty")));
}

TEST_P(RecordWriterContract, ReplacesAnExistingFile) {
    std::mt19937_64 rng(3);
    TableBuffer big(EventType::trade);
    for (int i = 0; i < 3000; ++i) {
        big.append(make_trade(i, rng));
    }
    ASSERT_TRUE(writer_->write(big.batch(), identity(big.rows()), file("same")));
    TableBuffer small(EventType::trade);
    small.append(make_trade(7, rng));
    round_trip(small.batch(), std::vector<uint32_t>{0}, "same");
}

TEST_P(RecordWriterContract, OneWriterManyFilesAndSchemas) {
    std::mt19937_64 rng(5);
    TableBuffer trades(EventType::trade);
    for (int i = 0; i < 10; ++i) {
        trades.append(make_trade(i, rng));
    }
    TableBuffer records = nasty_records();
    for (int round = 0; round < 3; ++round) {
        round_trip(trades.batch(), trades.sorted_order(), "t" + std::to_string(round));
        round_trip(records.batch(), records.sorted_order(), "r" + std::to_string(round));
    }
}

TEST_P(RecordWriterContract, MissingFolderIsAnErrorNamingThePath) {
    TableBuffer b(EventType::trade);
    std::mt19937_64 rng(9);
    b.append(make_trade(1, rng));
    const auto path = dir_.path() / "no" / "such" / ("x." + format_);
    auto s = writer_->write(b.batch(), std::vector<uint32_t>{0}, path);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find(path.string()), std::string::npos) << s.error().message;
    // The writer stays usable after a failure.
    round_trip(b.batch(), std::vector<uint32_t>{0}, "after_error");
}

TEST_P(RecordWriterContract, PathWithQuotesAndSpaces) {
    TableBuffer b(EventType::trade);
    std::mt19937_64 rng(11);
    b.append(make_trade(1, rng));
    const auto path = dir_.path() / ("it's a \"file\"." + format_);
    ASSERT_TRUE(writer_->write(b.batch(), std::vector<uint32_t>{0}, path));
    EXPECT_GT(std::filesystem::file_size(path), 0u);
}

INSTANTIATE_TEST_SUITE_P(Formats, RecordWriterContract, ::testing::Values("parquet", "jsonl", "csv", "jsonl_direct", "csv_direct"),
                         [](const auto& info) { return info.param; });

TEST(MakeRecordWriter, UnknownFormatIsInvalidArgument) {
    auto w = make_record_writer("orc");
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(w.error().message.find("orc"), std::string::npos);
}

} // namespace ticklake

namespace ticklake {

// The files must read as written by the engine the project queries them with, not only by
// the test readers above.
class DuckDbReadsTextFormats : public ::testing::TestWithParam<std::string> {};

TEST_P(DuckDbReadsTextFormats, NullEmptyAndSpecialStrings) {
    TableBuffer b(EventType::record);
    const std::vector<FieldValue> values = {std::string("a,b"), std::string(""), FieldValue{}, std::string("say \"hi\"\r\nbye"),
                                            std::string("ü€😀")};
    for (size_t i = 0; i < values.size(); ++i) {
        Event e;
        e.type = EventType::record;
        e.id = std::to_string(i);
        e.ts = 1'700'000'000'123'456;
        e.body = Record{"d", {{"s", values[i]}, {"n", int64_t(i)}}};
        b.append(e);
    }
    auto w = make_record_writer(GetParam());
    ASSERT_TRUE(w);
    const auto path = std::filesystem::temp_directory_path() / ("ticklake-duckdb-read-" + std::to_string(::getpid()) + "." + GetParam());
    std::vector<uint32_t> order(b.rows());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    ASSERT_TRUE((*w)->write(b.batch(), order, path));
    const std::string reader = GetParam() == "csv" ? "read_csv('" + path.string() + "', header = true, allow_quoted_nulls = false)"
                                                   : "read_json('" + path.string() + "', format = 'newline_delimited')";
    const auto t = testing::query_duckdb("SELECT s, n, epoch_us(CAST(ts AS TIMESTAMPTZ)), symbol FROM " + reader + " ORDER BY n");
    ASSERT_EQ(t.rows.size(), values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        if (std::holds_alternative<std::monostate>(values[i])) {
            EXPECT_TRUE(std::holds_alternative<std::monostate>(t.rows[i][0])) << "row " << i << ": " << testing::describe(t.rows[i][0]);
        } else {
            EXPECT_EQ(testing::describe(t.rows[i][0]), "'" + std::get<std::string>(values[i]) + "'") << "row " << i;
        }
        EXPECT_EQ(t.rows[i][1], Cell(int64_t(i)));
        EXPECT_EQ(t.rows[i][2], Cell(int64_t{1'700'000'000'123'456}));
        EXPECT_TRUE(std::holds_alternative<std::monostate>(t.rows[i][3])); // empty record symbol is NULL
    }
    std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Formats, DuckDbReadsTextFormats, ::testing::Values("jsonl", "csv"),
                         [](const auto& info) { return info.param; });

} // namespace ticklake
