#include "sources/csv_replay.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>

#include <gtest/gtest.h>

#include "common/tests/temp_dir.h"
#include "sources/zip_archive.h"

namespace ticklake {
namespace {

using testing::TempDir;

const std::string kDataDir = TICKLAKE_TEST_DATA_DIR;

std::unique_ptr<CsvReplay> open_or_fail(const CsvReplayOptions& o) {
    auto r = CsvReplay::open(o);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? std::move(*r) : nullptr;
}

std::vector<Event> drain(CsvReplay& replay, size_t batch = 1000) {
    std::vector<Event> all;
    while (!replay.done()) {
        auto n = replay.next_batch(all, batch);
        EXPECT_TRUE(n.has_value()) << (n ? "" : n.error().message);
        if (!n) {
            break;
        }
        EXPECT_LE(*n, batch);
    }
    return all;
}

const Bar& bar(const Event& e) { return std::get<Bar>(e.body); }

//! A bar row as looked up independently (Python's csv module); fields left unset are not checked.
struct ExpectedBar {
    std::string id;
    std::string symbol;
    std::string ts; //!< ISO 8601, UTC
    std::optional<double> open, high, low, close, adj_close, volume;
};

void expect_bar(const Event& e, const ExpectedBar& want) {
    EXPECT_EQ(e.id, want.id);
    EXPECT_EQ(e.symbol, want.symbol) << want.id;
    EXPECT_EQ(format_iso8601(e.ts), want.ts) << want.id;
    const Bar& b = bar(e);
    auto check = [&](const char* name, std::optional<double> expected, std::optional<double> got) {
        if (expected) {
            EXPECT_EQ(got, expected) << want.id << " " << name;
        }
    };
    check("open", want.open, b.open);
    check("high", want.high, b.high);
    check("low", want.low, b.low);
    check("close", want.close, b.close);
    check("adj_close", want.adj_close, b.adj_close);
    check("volume", want.volume, b.volume);
}

const Record& record(const Event& e) { return std::get<Record>(e.body); }

const FieldValue& field(const Event& e, const std::string& name) {
    for (const RecordField& f : record(e).fields) {
        if (f.name == name) {
            return f.value;
        }
    }
    static const FieldValue missing = std::string("<missing field>");
    ADD_FAILURE() << "no field " << name;
    return missing;
}

// The tutorial dataset, unzipped into a fresh directory for this test.
class TutorialDataset : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir_.ok());
        const std::string zip = kDataDir + "/indexProcessed.csv.zip";
        ASSERT_TRUE(std::filesystem::exists(zip)) << "missing fixture " << zip << " (set TICKLAKE_TEST_DATA_DIR)";
        auto archive = ZipArchive::open(zip);
        ASSERT_TRUE(archive) << archive.error().message;
        ASSERT_EQ((*archive)->members().size(), 1u);
        auto member = (*archive)->open_member((*archive)->members()[0]);
        ASSERT_TRUE(member) << member.error().message;
        csv_ = (dir_.path() / "indexProcessed.csv").string();
        std::ofstream(csv_, std::ios::binary) << (*member)->rdbuf();
        ASSERT_FALSE((*member)->bad());
        ASSERT_TRUE(std::filesystem::exists(csv_));
    }

    TempDir dir_;
    std::string csv_;
};

TEST_F(TutorialDataset, EveryRowBecomesADailyBar) {
    // Independent count: the file has no quoted line breaks, so rows = lines - header.
    std::ifstream in(csv_);
    std::string line;
    uint64_t lines = 0;
    while (std::getline(in, line)) {
        ++lines;
    }
    ASSERT_EQ(lines, 104'225u);

    auto replay = open_or_fail({.path = csv_});
    ASSERT_TRUE(replay);
    EXPECT_EQ(replay->shape(), CsvShape::bars);
    EXPECT_EQ(replay->interval(), "1d");
    const auto events = drain(*replay, 4096);
    EXPECT_EQ(events.size(), 104'224u);
    EXPECT_EQ(replay->skipped(), 0u);
    EXPECT_TRUE(replay->first_errors().empty());

    std::map<std::string, uint64_t> per_index;
    for (const Event& e : events) {
        ++per_index[e.symbol];
        ASSERT_EQ(e.type, EventType::bar);
        ASSERT_EQ(e.ts % kMicrosPerDay, 0) << e.id;
        ASSERT_EQ(bar(e).interval, "1d");
        ASSERT_TRUE(bar(e).adj_close.has_value());
        ASSERT_EQ(e.source, "csv");
    }
    // Per-index row counts as documented in shared/data/PROVENANCE.md.
    const std::map<std::string, uint64_t> want = {
        {"NYA", 13'947}, {"N225", 13'874}, {"IXIC", 12'690}, {"GSPTSE", 10'526}, {"HSI", 8'492},
        {"GDAXI", 8'438}, {"SSMI", 7'671}, {"TWII", 5'869}, {"000001.SS", 5'791}, {"399001.SZ", 5'760},
        {"N100", 5'474}, {"NSEI", 3'346}, {"J203.JO", 2'346}};
    EXPECT_EQ(per_index, want);

    // Sample rows, looked up independently with Python's csv module (line numbers 1-based:
    // event i is line i + 2).
    expect_bar(events.front(), {.id = "csv:indexProcessed:2", .symbol = "HSI", .ts = "1986-12-31T00:00:00.000000Z",
                                .open = 2568.300049, .close = 2568.300049, .volume = 0.0});
    expect_bar(events[50'001 - 2], {.id = "csv:indexProcessed:50001", .symbol = "N225",
                                    .ts = "2001-10-30T00:00:00.000000Z", .open = 10522.82031, .high = 10538.79004,
                                    .low = 10416.44043, .close = 10512.82031});
    expect_bar(events[19'261 - 2], {.id = "csv:indexProcessed:19261", .symbol = "NYA",
                                    .ts = "2008-10-10T00:00:00.000000Z", .open = 5809.97998, .high = 5887.549805,
                                    .low = 5336.589844, .close = 5704.129883, .adj_close = 5704.129883,
                                    .volume = 11456230000.0});
    expect_bar(events.back(), {.id = "csv:indexProcessed:104225", .symbol = "J203.JO",
                               .ts = "2021-05-31T00:00:00.000000Z", .high = 68140.85156, .close = 67964.03906});
}

TEST_F(TutorialDataset, AsRecordsKeepsEveryColumn) {
    auto replay = open_or_fail({.path = csv_, .as = CsvShape::records});
    ASSERT_TRUE(replay);
    EXPECT_EQ(replay->shape(), CsvShape::records);
    EXPECT_EQ(replay->dataset(), "index_processed");
    const auto events = drain(*replay, 10'000);
    ASSERT_EQ(events.size(), 104'224u);
    const Event& e = events.back();
    EXPECT_EQ(e.type, EventType::record);
    EXPECT_EQ(e.symbol, "J203.JO");
    EXPECT_EQ(format_date(e.ts), "2021-05-31");
    ASSERT_EQ(record(e).fields.size(), 9u);
    EXPECT_EQ(record(e).dataset, "index_processed");
    EXPECT_EQ(field(e, "CloseUSD"), FieldValue(4757.4827342));
    EXPECT_EQ(field(e, "Index"), FieldValue(std::string("J203.JO")));
    EXPECT_EQ(field(e, "Volume"), FieldValue(0.0));
}

TEST(CsvReplay, AlphaVantageIntradayBars) {
    const std::string path = kDataDir + "/alphavantage_MSFT_1min_2020-11-23_2020-12-18.csv";
    auto replay = open_or_fail({.path = path});
    ASSERT_TRUE(replay);
    EXPECT_EQ(replay->shape(), CsvShape::bars);
    EXPECT_EQ(replay->interval(), "1m") << "newest-first rows with gaps still give the 1-minute interval";
    const auto events = drain(*replay);
    EXPECT_EQ(events.size(), 11'190u);
    EXPECT_EQ(replay->skipped(), 0u);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events[0].symbol, "MSFT");
    EXPECT_EQ(format_iso8601(events[0].ts), "2020-12-18T20:00:00.000000Z"); // zone-less → UTC
    EXPECT_EQ(bar(events[0]).open, 218.79);
    EXPECT_EQ(bar(events[0]).low, 218.75);
    EXPECT_EQ(bar(events[0]).volume, 1102.0);
    EXPECT_FALSE(bar(events[0]).adj_close.has_value());
    EXPECT_EQ(events.back().id, "csv:alphavantage_MSFT_1min_2020-11-23_2020-12-18:11191");
    EXPECT_EQ(bar(events.back()).close, 211.5);
}

TEST(CsvReplay, FtxPerpetualBars) {
    const std::string path = kDataDir + "/ftx_BTC-PERP_1min_2021-12-31_2022-02-01.csv";
    auto replay = open_or_fail({.path = path});
    ASSERT_TRUE(replay);
    EXPECT_EQ(replay->shape(), CsvShape::bars);
    EXPECT_EQ(replay->interval(), "1m");
    const auto events = drain(*replay);
    EXPECT_EQ(events.size(), 45'031u);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events[0].symbol, "BTC-PERP");
    EXPECT_EQ(format_iso8601(events[0].ts), "2021-12-31T23:01:00.000000Z");
    EXPECT_EQ(bar(events[0]).close, 46377.0);
    EXPECT_EQ(bar(events[0]).volume, 2300413.7295);
    EXPECT_EQ(format_iso8601(events.back().ts), "2022-02-01T05:31:00.000000Z");
    auto forced = open_or_fail({.path = path, .symbol = "BTCUSD-PERP"});
    std::vector<Event> one;
    ASSERT_TRUE(forced->next_batch(one, 1).has_value());
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].symbol, "BTCUSD-PERP");
}

TEST(CsvReplay, GenericRecordsAreTypedPerCell) {
    TempDir dir;
    const std::string path = dir.write("Fills-2024.csv",
                                       "ticker,ts,qty,price,flag,note,code,empty\r\n"
                                       "AAPL,1704205800123,100,190.5,true,\"a, \"\"quoted\"\" note\",007,\r\n"
                                       "MSFT,2024-01-02T14:30:00.5Z,-3,1e3,FALSE,plain,123456789012345678901,\r\n"
                                       ",not-a-time,0,.5,yes,\"multi\nline\",-0,x\r\n");
    auto replay = open_or_fail({.path = path});
    ASSERT_TRUE(replay);
    EXPECT_EQ(replay->shape(), CsvShape::records);
    EXPECT_EQ(replay->dataset(), "fills_2024");
    const auto events = drain(*replay);
    ASSERT_EQ(events.size(), 3u);
    const Event& a = events[0];
    EXPECT_EQ(a.id, "csv:Fills-2024:2");
    EXPECT_EQ(a.symbol, "AAPL");
    EXPECT_EQ(a.ts, 1'704'205'800'123'000) << "epoch milliseconds by magnitude";
    EXPECT_EQ(field(a, "qty"), FieldValue(int64_t{100}));
    EXPECT_EQ(field(a, "price"), FieldValue(190.5));
    EXPECT_EQ(field(a, "flag"), FieldValue(true));
    EXPECT_EQ(field(a, "note"), FieldValue(std::string("a, \"quoted\" note")));
    EXPECT_EQ(field(a, "code"), FieldValue(std::string("007")));
    EXPECT_EQ(field(a, "empty"), FieldValue(std::monostate{}));
    const Event& b = events[1];
    EXPECT_EQ(format_iso8601(b.ts), "2024-01-02T14:30:00.500000Z");
    EXPECT_EQ(field(b, "qty"), FieldValue(int64_t{-3}));
    EXPECT_EQ(field(b, "price"), FieldValue(1000.0));
    EXPECT_EQ(field(b, "flag"), FieldValue(false));
    EXPECT_EQ(field(b, "code"), FieldValue(std::string("123456789012345678901"))) << "beyond int64 stays exact text";
    const Event& c = events[2];
    EXPECT_EQ(c.id, "csv:Fills-2024:4");
    EXPECT_EQ(c.symbol, "");
    EXPECT_EQ(c.ts, c.recv_ts) << "no parseable time: receive time";
    EXPECT_EQ(field(c, "qty"), FieldValue(int64_t{0}));
    EXPECT_EQ(field(c, "price"), FieldValue(0.5));
    EXPECT_EQ(field(c, "flag"), FieldValue(std::string("yes")));
    EXPECT_EQ(field(c, "note"), FieldValue(std::string("multi\nline")));
    EXPECT_EQ(field(c, "code"), FieldValue(int64_t{0}));
    EXPECT_EQ(replay->skipped(), 0u);
}

TEST(CsvReplay, BadRowsAreSkippedAndCounted) {
    TempDir dir;
    const std::string path = dir.write("bad.csv",
                                       "Date,Open,High,Low,Close,Volume,Symbol\n"
                                       "2024-01-02,1,2,0.5,1.5,10,XYZ\n"
                                       "2024-01-03,1,2,0.5\n"
                                       "2024-01-04,null,2,0.5,1.5,10,XYZ\n"
                                       "\n"
                                       "yesterday,1,2,0.5,1.5,10,XYZ\n"
                                       "2024-01-05,1,2,0.5,1.5,,XYZ\n"
                                       "2024-01-08,1,2,0.5,1.5,10,XYZ\n"
                                       "2024-01-09,1,2,0.5,1.5,10,\"XYZ\n");
    auto replay = open_or_fail({.path = path});
    ASSERT_TRUE(replay);
    EXPECT_EQ(replay->shape(), CsvShape::bars);
    EXPECT_EQ(replay->interval(), "1d");
    const auto events = drain(*replay, 2);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].id, "csv:bad:2");
    EXPECT_EQ(events[1].id, "csv:bad:7");
    EXPECT_EQ(bar(events[1]).volume, 0.0) << "an empty volume is 0";
    EXPECT_EQ(events[2].id, "csv:bad:8");
    EXPECT_EQ(replay->skipped(), 4u);
    ASSERT_EQ(replay->first_errors().size(), 4u);
    EXPECT_EQ(replay->first_errors()[0], "line 3: expected 7 fields, got 4");
    EXPECT_EQ(replay->first_errors()[1], "line 4: Open: null 'null'");
    EXPECT_NE(replay->first_errors()[2].find("line 6: Date"), std::string::npos) << replay->first_errors()[2];
    EXPECT_NE(replay->first_errors()[3].find("line 9"), std::string::npos) << replay->first_errors()[3];
    const std::map<std::string, uint64_t> by_reason = {
        {"bad time", 1}, {"field count", 1}, {"null price", 1}, {"unclosed quote", 1}};
    EXPECT_EQ(replay->skipped_by_reason(), by_reason);
    EXPECT_EQ(replay->summary(), "skipped rows by reason: bad time 1, field count 1, null price 1, unclosed quote 1");
}

// A European export: double-encoded BOM, ';' with decimal commas and '.' thousands, CRLF, a
// delimiter at the end of each line, DD.MM.YYYY dates, null tokens, no final newline.
TEST(CsvReplay, DirtyEuropeanBarsFile) {
    TempDir dir;
    const std::string bad_rows = (dir.path() / "bad.csv").string();
    const std::string path = dir.write("export.csv",
                                       "\xC3\xAF\xC2\xBB\xC2\xBF Index ;Date;Open;High;Low;Close;Volume;\r\n"
                                       "DAX;02.01.2024;16.751,64;16.963,83;16.699,11;16.769,36;1.234.567;\r\n"
                                       "DAX;03.01.2024;null;null;null;null;null;\r\n"
                                       "MDAX;03.01.2024;27.137,2;27.300;27.000,5;27.150,75;NA;");
    auto replay = open_or_fail({.path = path, .bad_rows = bad_rows});
    ASSERT_TRUE(replay);
    EXPECT_EQ(replay->delimiter(), ';');
    EXPECT_EQ(replay->decimal_mark(), ',');
    const std::vector<std::string> columns = {"Index", "Date", "Open", "High", "Low", "Close", "Volume"};
    EXPECT_EQ(replay->columns(), columns);
    EXPECT_EQ(replay->shape(), CsvShape::bars);
    const auto events = drain(*replay);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].symbol, "DAX");
    EXPECT_EQ(events[0].ts, days_from_civil(2024, 1, 2) * kMicrosPerDay);
    EXPECT_DOUBLE_EQ(bar(events[0]).open, 16751.64);
    EXPECT_DOUBLE_EQ(bar(events[0]).volume, 1234567);
    EXPECT_EQ(events[1].symbol, "MDAX");
    EXPECT_DOUBLE_EQ(bar(events[1]).high, 27.3) << "one '.' alone in a decimal-comma file is a decimal point";
    EXPECT_DOUBLE_EQ(bar(events[1]).close, 27150.75);
    EXPECT_EQ(bar(events[1]).volume, 0.0);
    EXPECT_EQ(replay->skipped_by_reason().at("null price"), 1u);
    replay.reset();
    std::ifstream in(bad_rows);
    const std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(kept, "line,reason,detail,row\n3,null price,Open: null 'null',DAX;03.01.2024;null;null;null;null;null;\n");
}

TEST(CsvReplay, Utf16RecordsWithTabsQuotedThousandsAndUsDates) {
    TempDir dir;
    const std::string text = "Ticker\tDate\tPrice\tprice\n"
                             "AAPL\t01/31/2024\t\"1,234.50\"\t1\n"
                             "MSFT\t12/29/2023\tN/A\t2";
    std::string le = "\xFF\xFE";
    for (char c : text) {
        le.push_back(c);
        le.push_back('\0');
    }
    auto replay = open_or_fail({.path = dir.write("broker.csv", le)});
    ASSERT_TRUE(replay);
    EXPECT_EQ(replay->delimiter(), '\t');
    const std::vector<std::string> columns = {"Ticker", "Date", "Price", "price_2"};
    EXPECT_EQ(replay->columns(), columns);
    const auto events = drain(*replay);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].symbol, "AAPL");
    EXPECT_EQ(events[0].ts, days_from_civil(2024, 1, 31) * kMicrosPerDay);
    EXPECT_EQ(field(events[0], "Price"), FieldValue(1234.5));
    EXPECT_EQ(field(events[1], "Price"), FieldValue(std::monostate{}));
    EXPECT_EQ(field(events[1], "price_2"), FieldValue(int64_t{2}));
    EXPECT_EQ(events[1].ts, days_from_civil(2023, 12, 29) * kMicrosPerDay);
}

TEST(CsvReplay, SymbolColumnByNameOrOption) {
    TempDir dir;
    auto symbol_of = [&](const std::string& header, const std::string& option = "") {
        auto r = open_or_fail({.path = dir.write("XYZ_1d.csv", header + "\n2024-01-02,1,2,0.5,1.5,ABC\n"),
                               .symbol_column = option});
        if (!r) {
            return std::string("<open failed>");
        }
        const auto events = drain(*r);
        return events.empty() ? std::string("<no event>") : events[0].symbol;
    };
    EXPECT_EQ(symbol_of("date,open,high,low,close,RIC"), "ABC");
    EXPECT_EQ(symbol_of("date,open,high,low,close,SecID"), "ABC");
    EXPECT_EQ(symbol_of("date,open,high,low,close,name", "NAME"), "ABC");
    EXPECT_EQ(symbol_of("date,open,high,low,close,name"), "XYZ") << "no symbol column: the file name";
    auto missing = CsvReplay::open({.path = dir.write("m.csv", "date,open,high,low,close\n"), .symbol_column = "isin"});
    ASSERT_FALSE(missing.has_value());
    EXPECT_NE(missing.error().message.find("--symbol-column 'isin'"), std::string::npos);
}

TEST(CsvReplay, NullValuesOption) {
    TempDir dir;
    const std::string path = dir.write("n.csv", "k,v\na,none\nb,null\n");
    auto replay = open_or_fail({.path = path, .null_values = std::string("none")});
    ASSERT_TRUE(replay);
    const auto events = drain(*replay);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(field(events[0], "v"), FieldValue(std::monostate{}));
    EXPECT_EQ(field(events[1], "v"), FieldValue(std::string("null")));
}

TEST(CsvReplay, IntervalInference) {
    TempDir dir;
    auto interval_of = [&](const std::string& body) {
        auto r = open_or_fail({.path = dir.write("i.csv", "timestamp,open,high,low,close\n" + body)});
        return r ? r->interval() : std::string("<open failed>");
    };
    EXPECT_EQ(interval_of("2024-01-02 14:30,1,1,1,1\n2024-01-02 14:35,1,1,1,1\n2024-01-02 14:45,1,1,1,1\n"), "5m");
    EXPECT_EQ(interval_of("2024-01-02 14:00,1,1,1,1\n2024-01-02 15:00,1,1,1,1\n"), "1h");
    EXPECT_EQ(interval_of("1704205800,1,1,1,1\n1704205860,1,1,1,1\n"), "1m");
    EXPECT_EQ(interval_of("2024-01-02,1,1,1,1\n2024-01-02,1,1,1,1\n2024-01-09,1,1,1,1\n"), "1w");
    EXPECT_EQ(interval_of("2024-01-31,1,1,1,1\n2024-02-29,1,1,1,1\n2024-03-31,1,1,1,1\n"), "1mo");
    EXPECT_EQ(interval_of("2024-01-02 14:30:00,1,1,1,1\n2024-01-02 14:30:07,1,1,1,1\n2024-01-02 14:30:10,1,1,1,1\n"), "");
    EXPECT_EQ(interval_of("2024-01-02,1,1,1,1\n"), "");
}

TEST(CsvReplay, ErrorsAtOpen) {
    auto missing = CsvReplay::open({.path = "/nonexistent/quotes.csv"});
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(missing.error().message.find("/nonexistent/quotes.csv"), std::string::npos);

    TempDir dir;
    auto empty = CsvReplay::open({.path = dir.write("empty.csv", "")});
    ASSERT_FALSE(empty.has_value());
    EXPECT_NE(empty.error().message.find("header"), std::string::npos);

    auto not_bars = CsvReplay::open({.path = dir.write("x.csv", "a,b\n1,2\n"), .as = CsvShape::bars});
    ASSERT_FALSE(not_bars.has_value());
    EXPECT_EQ(not_bars.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(not_bars.error().message.find("open"), std::string::npos);

    auto dir_path = CsvReplay::open({.path = dir.path().string()});
    EXPECT_FALSE(dir_path.has_value());
}

TEST(CsvReplay, Helpers) {
    EXPECT_EQ(sanitize_table_name("indexProcessed"), "index_processed");
    EXPECT_EQ(sanitize_table_name("alphavantage_MSFT_1min_2020-11-23"), "alphavantage_msft_1min_2020_11_23");
    EXPECT_EQ(sanitize_table_name("2024 trades!"), "t_2024_trades");
    EXPECT_EQ(sanitize_table_name("---"), "csv");
    EXPECT_EQ(*parse_csv_time("1704205800"), 1'704'205'800'000'000);
    EXPECT_EQ(*parse_csv_time("1704205800000000"), 1'704'205'800'000'000);
    EXPECT_EQ(*parse_csv_time("1704205800000000000"), 1'704'205'800'000'000);
    EXPECT_EQ(*parse_csv_time("20240102"), days_from_civil(2024, 1, 2) * kMicrosPerDay);
    EXPECT_EQ(*parse_csv_time("2024-01-02T09:30:00-05:00"), *parse_csv_time("2024-01-02 14:30:00"));
    EXPECT_FALSE(parse_csv_time("soon").has_value());
    EXPECT_EQ(parse_csv_value("-12"), FieldValue(int64_t{-12}));
    EXPECT_EQ(parse_csv_value("-012"), FieldValue(std::string("-012")));
    EXPECT_EQ(parse_csv_value("2.5E-3"), FieldValue(0.0025));
    EXPECT_EQ(parse_csv_value("True"), FieldValue(true));
    EXPECT_EQ(parse_csv_value("nan"), FieldValue(std::monostate{})) << "a null token";
    EXPECT_EQ(parse_csv_value("\"x\""), FieldValue(std::string("\"x\"")));
    EXPECT_EQ(parse_csv_value("1,234.5"), FieldValue(1234.5));
    EXPECT_EQ(parse_csv_value("3,5", {}, CsvNumberStyle{','}), FieldValue(3.5));
    EXPECT_EQ(*parse_csv_time("31.01.2024"), days_from_civil(2024, 1, 31) * kMicrosPerDay);
    EXPECT_EQ(*parse_csv_time("01/31/2024"), days_from_civil(2024, 1, 31) * kMicrosPerDay);
    EXPECT_EQ(parse_csv_value("1-2"), FieldValue(std::string("1-2")));
    EXPECT_EQ(parse_csv_value("2024-01-02"), FieldValue(std::string("2024-01-02")));
    EXPECT_EQ(parse_csv_shape("records"), CsvShape::records);
    EXPECT_FALSE(parse_csv_shape("rows").has_value());
}

} // namespace
} // namespace ticklake
