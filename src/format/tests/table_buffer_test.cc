#include "format/table_buffer.h"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

namespace ticklake {

namespace {

Event base_event(EventType type, std::string symbol, TimestampUs ts, std::string id = "e") {
    Event e;
    e.type = type;
    e.id = std::move(id);
    e.symbol = std::move(symbol);
    e.ts = ts;
    e.recv_ts = ts + 5;
    e.source = "test";
    return e;
}

Event trade(std::string symbol, TimestampUs ts, double price = 1.5, std::string id = "t") {
    Event e = base_event(EventType::trade, std::move(symbol), ts, std::move(id));
    e.body = Trade{price, 10, "XNAS", ""};
    return e;
}

Event record(std::vector<RecordField> fields, std::string dataset = "prices", std::string symbol = "") {
    Event e = base_event(EventType::record, std::move(symbol), 1000);
    e.body = Record{std::move(dataset), std::move(fields)};
    return e;
}

std::vector<std::pair<std::string, std::string>> schema_of(const TableBuffer& b) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& c : b.batch().columns) {
        out.emplace_back(c.name, to_string(c.type));
    }
    return out;
}

const Column& column(const TableBuffer& b, std::string_view name) {
    for (const auto& c : b.batch().columns) {
        if (c.name == name) {
            return c;
        }
    }
    throw std::runtime_error("no column " + std::string(name));
}

using Schema = std::vector<std::pair<std::string, std::string>>;
const Schema kCommon = {{"id", "VARCHAR"}, {"symbol", "VARCHAR"}, {"ts", "TIMESTAMP"}, {"recv_ts", "TIMESTAMP"}, {"source", "VARCHAR"}};

Schema with_common(Schema rest) {
    Schema s = kCommon;
    s.insert(s.end(), rest.begin(), rest.end());
    return s;
}

} // namespace

TEST(TableName, FixedTablesAndSanitizedDatasets) {
    EXPECT_EQ(table_name_for(trade("A", 1)), "trades");
    Event q = base_event(EventType::quote, "A", 1);
    q.body = Quote{};
    EXPECT_EQ(table_name_for(q), "quotes");
    Event b = base_event(EventType::bar, "A", 1);
    b.body = Bar{};
    EXPECT_EQ(table_name_for(b), "bars");
    EXPECT_EQ(table_name_for(record({}, "Daily Prices-2024")), "daily_prices_2024");
    EXPECT_EQ(table_name_for(record({}, "2024 data")), "t_2024_data");
    EXPECT_EQ(table_name_for(record({}, "")), "records");
    EXPECT_EQ(table_name_for(record({}, "é/x")), "___x"); // two UTF-8 bytes, slash
    EXPECT_EQ(table_name_for(record({}, "ok_name_9")), "ok_name_9");
}

TEST(TableBuffer, TradeSchemaAndValues) {
    TableBuffer b(EventType::trade);
    EXPECT_EQ(schema_of(b), with_common({{"price", "DOUBLE"}, {"size", "DOUBLE"}, {"exchange", "VARCHAR"}, {"side", "VARCHAR"}}));
    Event e = trade("AAPL", 1'700'000'000'000'001, 187.12, "sim-1");
    e.body = Trade{187.12, 0.25, "", "sell"};
    b.append(e);
    ASSERT_EQ(b.rows(), 1u);
    EXPECT_EQ(column(b, "id").strings[0], "sim-1");
    EXPECT_EQ(column(b, "symbol").strings[0], "AAPL");
    EXPECT_EQ(column(b, "ts").ints[0], 1'700'000'000'000'001);
    EXPECT_EQ(column(b, "recv_ts").ints[0], 1'700'000'000'000'006);
    EXPECT_EQ(column(b, "source").strings[0], "test");
    EXPECT_EQ(column(b, "price").doubles[0], 187.12);
    EXPECT_EQ(column(b, "size").doubles[0], 0.25);
    EXPECT_EQ(column(b, "exchange").strings[0], ""); // "" stays "", not NULL
    EXPECT_TRUE(column(b, "exchange").valid[0]);
    EXPECT_EQ(column(b, "side").strings[0], "sell");
    EXPECT_GT(b.approx_bytes(), 60u);
}

TEST(TableBuffer, QuoteSchema) {
    TableBuffer b(EventType::quote);
    EXPECT_EQ(schema_of(b), with_common({{"bid", "DOUBLE"}, {"bid_size", "DOUBLE"}, {"ask", "DOUBLE"}, {"ask_size", "DOUBLE"}, {"exchange", "VARCHAR"}}));
    Event q = base_event(EventType::quote, "EURUSD", 7);
    q.body = Quote{1.0841, 1e6, 1.0842, 2e6, "FX"};
    b.append(q);
    EXPECT_EQ(column(b, "bid").doubles[0], 1.0841);
    EXPECT_EQ(column(b, "ask_size").doubles[0], 2e6);
    EXPECT_EQ(column(b, "exchange").strings[0], "FX");
}

TEST(TableBuffer, BarSchemaWithOptionalColumns) {
    TableBuffer b(EventType::bar);
    EXPECT_EQ(schema_of(b), with_common({{"interval", "VARCHAR"}, {"open", "DOUBLE"}, {"high", "DOUBLE"}, {"low", "DOUBLE"},
                                         {"close", "DOUBLE"}, {"adj_close", "DOUBLE"}, {"volume", "DOUBLE"}, {"vwap", "DOUBLE"},
                                         {"trade_count", "BIGINT"}}));
    Event full = base_event(EventType::bar, "X", 1);
    full.body = Bar{"1d", 1, 3, 0.5, 2, 1.9, 1000, 2.1, 42};
    Event bare = base_event(EventType::bar, "X", 2);
    bare.body = Bar{"1m", 1, 1, 1, 1, std::nullopt, 0, std::nullopt, std::nullopt};
    b.append(full);
    b.append(bare);
    EXPECT_EQ(column(b, "adj_close").doubles[0], 1.9);
    EXPECT_EQ(column(b, "trade_count").ints[0], 42);
    EXPECT_EQ(column(b, "vwap").doubles[0], 2.1);
    EXPECT_FALSE(column(b, "adj_close").valid[1]);
    EXPECT_FALSE(column(b, "vwap").valid[1]);
    EXPECT_FALSE(column(b, "trade_count").valid[1]);
    EXPECT_TRUE(column(b, "volume").valid[1]);
    for (const auto& c : b.batch().columns) {
        EXPECT_EQ(c.valid.size(), 2u) << c.name;
    }
}

TEST(TableBuffer, RecordColumnsInFirstSeenOrderMissingFieldsNull) {
    TableBuffer b(EventType::record);
    b.append(record({{"Date", std::string("2024-01-02")}, {"Adj Close", 1.5}}));
    b.append(record({{"Volume", int64_t{7}}, {"Date", std::string("2024-01-03")}}, "prices", "AAPL"));
    EXPECT_EQ(schema_of(b), with_common({{"Date", "VARCHAR"}, {"Adj Close", "DOUBLE"}, {"Volume", "BIGINT"}}));
    const auto& sym = column(b, "symbol");
    EXPECT_FALSE(sym.valid[0]); // empty symbol in a record is NULL
    EXPECT_EQ(sym.strings[1], "AAPL");
    EXPECT_FALSE(column(b, "Adj Close").valid[1]);
    EXPECT_FALSE(column(b, "Volume").valid[0]);
    EXPECT_EQ(column(b, "Volume").ints[1], 7);
    EXPECT_EQ(column(b, "Date").strings[1], "2024-01-03");
    for (const auto& c : b.batch().columns) {
        EXPECT_EQ(c.valid.size(), 2u) << c.name;
    }
}

TEST(TableBuffer, RecordWideningBoolToBigintToDouble) {
    TableBuffer b(EventType::record);
    b.append(record({{"v", true}}));
    EXPECT_EQ(column(b, "v").type, ColumnType::boolean);
    b.append(record({{"v", int64_t{5}}}));
    EXPECT_EQ(column(b, "v").type, ColumnType::bigint);
    EXPECT_EQ(column(b, "v").ints, (std::vector<int64_t>{1, 5}));
    b.append(record({{"v", std::monostate{}}}));
    b.append(record({{"v", 2.5}}));
    const auto& v = column(b, "v");
    ASSERT_EQ(v.type, ColumnType::float64);
    EXPECT_EQ(v.doubles[0], 1.0);
    EXPECT_EQ(v.doubles[1], 5.0);
    EXPECT_FALSE(v.valid[2]);
    EXPECT_EQ(v.doubles[3], 2.5);
    EXPECT_TRUE(v.ints.empty());
    b.append(record({{"v", false}})); // narrower value into a wider column
    EXPECT_EQ(column(b, "v").doubles[4], 0.0);
}

TEST(TableBuffer, RecordWideningToVarcharRerendersJsonText) {
    TableBuffer b(EventType::record);
    b.append(record({{"x", int64_t{-12}}, {"f", 0.1}, {"b", true}}));
    b.append(record({{"x", 3.25}}));
    b.append(record({{"x", std::string("n/a")}, {"f", std::string("also")}, {"b", std::string("maybe")}}));
    b.append(record({{"x", int64_t{9}}, {"f", 1e300}}));
    const auto& x = column(b, "x");
    ASSERT_EQ(x.type, ColumnType::varchar);
    EXPECT_EQ(x.strings.to_vector(), (std::vector<std::string>{"-12", "3.25", "n/a", "9"}));
    EXPECT_TRUE(x.doubles.empty());
    const auto& f = column(b, "f");
    ASSERT_EQ(f.type, ColumnType::varchar);
    EXPECT_EQ(f.strings[0], "0.1");
    EXPECT_FALSE(f.valid[1]);
    EXPECT_EQ(f.strings[2], "also");
    EXPECT_EQ(f.strings[3], "1e+300");
    const auto& bc = column(b, "b");
    EXPECT_EQ(bc.strings[0], "true");
    EXPECT_EQ(bc.strings[2], "maybe");
    EXPECT_FALSE(bc.valid[3]);
}

TEST(TableBuffer, RecordColumnOfNullsTakesFirstValueType) {
    TableBuffer b(EventType::record);
    b.append(record({{"a", std::monostate{}}}));
    b.append(record({{"a", std::monostate{}}}));
    b.append(record({{"a", int64_t{4}}}));
    const auto& a = column(b, "a");
    EXPECT_EQ(a.type, ColumnType::bigint);
    EXPECT_EQ(a.ints, (std::vector<int64_t>{0, 0, 4}));
    EXPECT_EQ(a.valid, (std::vector<uint8_t>{0, 0, 1}));
}

TEST(TableBuffer, RecordNamesCollidingIgnoringCaseGetSuffix) {
    TableBuffer b(EventType::record);
    b.append(record({{"Symbol", std::string("x")}, {"price", 1.0}, {"Price", 2.0}, {"", int64_t{1}}, {"price", 3.0}}));
    EXPECT_EQ(schema_of(b), with_common({{"Symbol_2", "VARCHAR"}, {"price", "DOUBLE"}, {"Price_2", "DOUBLE"}, {"_", "BIGINT"}}));
    EXPECT_EQ(column(b, "price").doubles, (std::vector<double>{3.0})); // repeated name: last wins
    EXPECT_EQ(column(b, "Price_2").doubles[0], 2.0);
}

TEST(TableBuffer, RecordFieldOrderChangesBetweenRows) {
    TableBuffer b(EventType::record);
    b.append(record({{"a", int64_t{1}}, {"b", int64_t{2}}}));
    b.append(record({{"b", int64_t{20}}, {"a", int64_t{10}}}));
    b.append(record({{"c", int64_t{300}}, {"a", int64_t{100}}}));
    EXPECT_EQ(column(b, "a").ints, (std::vector<int64_t>{1, 10, 100}));
    EXPECT_EQ(column(b, "b").ints, (std::vector<int64_t>{2, 20, 0}));
    EXPECT_EQ(column(b, "b").valid, (std::vector<uint8_t>{1, 1, 0}));
    EXPECT_EQ(column(b, "c").valid, (std::vector<uint8_t>{0, 0, 1}));
}

TEST(TableBuffer, ClearDropsRowsAndRecordColumns) {
    TableBuffer b(EventType::record);
    b.append(record({{"a", int64_t{1}}}));
    b.clear();
    EXPECT_EQ(b.rows(), 0u);
    EXPECT_EQ(b.approx_bytes(), 0u);
    EXPECT_EQ(schema_of(b), kCommon);
    b.append(record({{"a", std::string("s")}}));
    EXPECT_EQ(column(b, "a").type, ColumnType::varchar);
    EXPECT_EQ(b.sorted_order(), (std::vector<uint32_t>{0}));

    TableBuffer t(EventType::trade);
    t.append(trade("B", 2));
    t.append(trade("A", 1));
    t.clear();
    t.append(trade("Z", 5));
    EXPECT_EQ(t.rows(), 1u);
    for (const auto& c : t.batch().columns) {
        EXPECT_EQ(c.valid.size(), 1u) << c.name;
    }
    EXPECT_EQ(column(t, "symbol").strings[0], "Z");
    EXPECT_EQ(t.sorted_order(), (std::vector<uint32_t>{0}));
}

TEST(TableBuffer, ApproxBytesGrowsWithData) {
    TableBuffer b(EventType::trade);
    b.append(trade("A", 1));
    const size_t one = b.approx_bytes();
    for (int i = 0; i < 99; ++i) {
        b.append(trade("A", 1));
    }
    EXPECT_EQ(b.approx_bytes(), 100 * one);
    Event big = trade("A", 1);
    big.id = std::string(1000, 'x');
    b.append(big);
    EXPECT_GE(b.approx_bytes(), 100 * one + 1000); // the long id counts its bytes
}

TEST(SortedOrder, BySymbolThenTimeStable) {
    TableBuffer b(EventType::trade);
    b.append(trade("MSFT", 20, 1, "0"));
    b.append(trade("AAPL", 30, 1, "1"));
    b.append(trade("MSFT", 10, 1, "2"));
    b.append(trade("AAPL", 30, 1, "3")); // same (symbol, ts) as row 1: keeps arrival order
    b.append(trade("AAPL", 5, 1, "4"));
    b.append(trade("", 99, 1, "5"));     // empty symbol sorts first
    b.append(trade("AAPLX", 1, 1, "6"));
    EXPECT_EQ(b.sorted_order(), (std::vector<uint32_t>{5, 4, 1, 3, 6, 2, 0}));
}

TEST(SortedOrder, MatchesReferenceStableSortOnRandomData) {
    std::mt19937_64 rng(7);
    for (int round = 0; round < 5; ++round) {
        TableBuffer b(EventType::trade);
        const int n = 20000 + round * 1000;
        const int symbols = 1 + round * 17;
        std::vector<std::string> names;
        for (int k = 0; k < symbols; ++k) {
            names.push_back(std::to_string(k * 7919)); // names not in numeric order
        }
        for (int i = 0; i < n; ++i) {
            const auto s = static_cast<int>(rng() % static_cast<uint64_t>(symbols));
            // Mostly increasing time with some disorder and many ties.
            const TimestampUs ts = i / 3 - static_cast<int64_t>(rng() % (round == 0 ? 1 : 50));
            b.append(trade(names[static_cast<size_t>(s)], ts));
        }
        std::vector<uint32_t> expected(static_cast<size_t>(n));
        for (uint32_t i = 0; i < expected.size(); ++i) {
            expected[i] = i;
        }
        const auto& sym = column(b, "symbol").strings;
        const auto& ts = column(b, "ts").ints;
        std::stable_sort(expected.begin(), expected.end(), [&](uint32_t x, uint32_t y) {
            if (int c = sym[x].compare(sym[y]); c != 0) return c < 0;
            return ts[x] < ts[y];
        });
        EXPECT_EQ(b.sorted_order(), expected) << "round " << round;
    }
}

} // namespace ticklake
