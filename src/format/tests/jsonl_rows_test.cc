// The JSON Lines sink copies a message in the writer's form as its row (ColumnBatch::json_rows)
// instead of writing the row from the columns: the file must be the same byte for byte.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/event_json.h"
#include "common/timestamp.h"
#include "format/csv_writer.h"
#include "format/jsonl_writer.h"
#include "format/table_buffer.h"

namespace ticklake {

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::filesystem::path temp_file(const std::string& name) {
    return std::filesystem::temp_directory_path() / std::string("ticklake-jsonl-rows-").append(std::to_string(::getpid())).append("-").append(name);
}

// Events of every typed kind with values of many shapes, as the producer writes them.
std::vector<std::string> wire_messages(EventType type, int n, std::mt19937_64& rng) {
    const double shapes[] = {187.12, 0.001, 0.5, 3, 99999, 123456789, 1e15, 0.0005, 1.0 / 3.0, 2.5e-7, 1e300, 42.125};
    auto value = [&] {
        const double base = shapes[rng() % std::size(shapes)];
        return rng() % 2 ? base : static_cast<double>(rng() % 10'000'000) / std::pow(10.0, static_cast<int>(rng() % 9));
    };
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
        Event e;
        e.type = type;
        e.id = std::string("sim-7-").append(std::to_string(i));
        e.symbol = std::string("S").append(std::to_string(rng() % 9));
        e.ts = 946'684'800'000'000 + static_cast<int64_t>(rng() % 1'000'000'000'000'000);
        e.recv_ts = e.ts + static_cast<int64_t>(rng() % 100);
        e.source = i % 5 ? "sim" : "";
        switch (type) {
        case EventType::trade: e.body = Trade{value(), value(), i % 3 ? "XNAS" : "", i % 2 ? "buy" : "sell"}; break;
        case EventType::quote: e.body = Quote{value(), value(), value(), value(), "ARCX"}; break;
        default: {
            Bar b;
            b.interval = i % 4 ? "1m" : "";
            b.open = value();
            b.high = value();
            b.low = value();
            b.close = value();
            b.volume = value();
            if (i % 2) b.adj_close = value();
            if (i % 3) b.vwap = value();
            if (i % 5) b.trade_count = static_cast<int64_t>(rng() % 100000) - 50000;
            e.body = b;
        }
        }
        std::string json;
        append_event_json(json, e);
        out.push_back(std::move(json));
    }
    return out;
}

// Writes the messages to a JSON Lines file twice: with each row's text as the sink keeps it
// (json_row_members: the message's own bytes when in the writer's form, else written from the
// event), and from the columns only. Returns both files and how many rows had text.
struct TwoFiles {
    std::string copied, from_columns;
    size_t json_rows = 0;
};

// The sink's derived `dt` (the event date) when a table's time partition is not a folder.
Column date_column(const TableBuffer& b) {
    Column c;
    c.name = "dt";
    c.type = ColumnType::date;
    for (const int64_t ts : b.event_times()) {
        c.ints.push_back(ts / kMicrosPerDay);
        c.valid.push_back(1);
    }
    return c;
}

TwoFiles write_both(EventType type, const std::vector<std::string>& messages, bool shuffle_order,
                    bool derived_dt = false) {
    EventParser parser;
    Event e;
    TableBuffer with_rows(type, true), without(type);
    std::string scratch;
    for (const auto& m : messages) {
        bool wire_form = false;
        EXPECT_TRUE(parser.parse_into(m, e, wire_form)) << m;
        with_rows.append(e, json_row_members(m, wire_form, e, scratch));
        without.append(e);
    }
    if (derived_dt) {
        with_rows.add_derived_column(date_column(with_rows));
        without.add_derived_column(date_column(without));
    }
    TwoFiles out;
    out.json_rows = with_rows.batch().json_rows.size();
    EXPECT_TRUE(without.batch().json_rows.empty());
    std::vector<uint32_t> order = with_rows.sorted_order();
    if (shuffle_order) {
        std::mt19937_64 rng(3);
        std::shuffle(order.begin(), order.end(), rng);
        order.resize(order.size() / 2);
    }
    JsonlWriter writer;
    const auto a = temp_file("a.jsonl"), b = temp_file("b.jsonl");
    EXPECT_TRUE(writer.write(with_rows.batch(), order, a));
    EXPECT_TRUE(writer.write(without.batch(), order, b));
    out.copied = slurp(a);
    out.from_columns = slurp(b);
    std::filesystem::remove(a);
    std::filesystem::remove(b);
    return out;
}

} // namespace

TEST(JsonlRows, KeptRowsAreTheRowsTheWriterWrites) {
    std::mt19937_64 rng(11);
    for (const EventType type : {EventType::trade, EventType::quote, EventType::bar}) {
        for (const bool partial : {false, true}) {
            const auto messages = wire_messages(type, 5000, rng);
            TwoFiles f = write_both(type, messages, partial);
            SCOPED_TRACE(to_string(type));
            // Values such as 1e15 and 0.0005 are written in exponent form, which the parser
            // does not vouch for: those rows are written from the event instead.
            EXPECT_EQ(f.json_rows, messages.size());
            EXPECT_EQ(f.copied, f.from_columns);
        }
    }
}

TEST(JsonlRows, AFileOfMessagesInWireFormIsCopied) {
    std::mt19937_64 rng(12);
    for (const EventType type : {EventType::trade, EventType::quote, EventType::bar}) {
        std::vector<std::string> messages;
        EventParser parser;
        Event e;
        // Only messages the parser vouches for: then every row is copied.
        for (auto& m : wire_messages(type, 20000, rng)) {
            bool wire_form = false;
            if (parser.parse_into(m, e, wire_form) && wire_form) messages.push_back(std::move(m));
        }
        ASSERT_GT(messages.size(), 2000u) << to_string(type);
        for (const bool partial : {false, true}) {
            for (const bool dt : {false, true}) {
                TwoFiles f = write_both(type, messages, partial, dt);
                SCOPED_TRACE(std::string(to_string(type)) + (dt ? " with dt" : ""));
                EXPECT_EQ(f.json_rows, messages.size());
                EXPECT_FALSE(f.copied.empty());
                EXPECT_EQ(f.copied, f.from_columns);
                EXPECT_EQ(f.copied.find("\"dt\":\"") != std::string::npos, dt);
            }
        }
    }
}

TEST(JsonlRows, ARowWithoutTextIsWrittenFromItsEventAndOnlyTsIsKept) {
    TableBuffer b(EventType::trade, true), columns(EventType::trade);
    EventParser parser;
    Event e;
    const std::string wire = R"({"v":1,"type":"trade","id":"a","symbol":"X","ts":"2025-01-06T14:30:00.000001Z",)"
                             R"("recv_ts":"2025-01-06T14:30:00.000002Z","source":"sim","price":1.5,"size":100,)"
                             R"("exchange":"","side":"buy"})";
    bool wire_form = false;
    ASSERT_TRUE(parser.parse_into(wire, e, wire_form));
    ASSERT_TRUE(wire_form);
    b.append(e, wire_row_members(wire, EventType::trade));
    columns.append(e);
    // Another spelling of another trade: the caller has no text, the buffer writes it.
    const std::string other = R"({"type":"trade","symbol":"A","id":"b","price":2.50,"size":7,)"
                              R"("ts":"2025-01-06T14:30:00Z","recv_ts":"2025-01-06T14:30:01Z","source":"x"})";
    ASSERT_TRUE(parser.parse_into(other, e, wire_form));
    ASSERT_FALSE(wire_form);
    b.append(e);
    columns.append(e);
    EXPECT_EQ(b.batch().json_rows.size(), 2u);
    EXPECT_TRUE(b.batch().json_rows_only);
    EXPECT_EQ(b.batch().columns.size(), columns.batch().columns.size()); // names and types stay
    for (size_t c = 0; c < b.batch().columns.size(); ++c) {
        const Column& col = b.batch().columns[c];
        EXPECT_EQ(col.valid.size(), col.name == "ts" ? 2u : 0u) << col.name;
    }
    EXPECT_LT(b.approx_bytes(), columns.approx_bytes() + 2 * 200);
    EXPECT_EQ(b.sorted_order(), columns.sorted_order()); // A before X
    b.add_derived_column(date_column(b)); // its value is added to the copied rows
    columns.add_derived_column(date_column(columns));
    JsonlWriter writer;
    const auto a = temp_file("a.jsonl"), c = temp_file("c.jsonl");
    ASSERT_TRUE(writer.write(b.batch(), b.sorted_order(), a));
    ASSERT_TRUE(writer.write(columns.batch(), columns.sorted_order(), c));
    EXPECT_EQ(slurp(a), slurp(c));
    EXPECT_NE(slurp(a).find(R"("price":2.5,)"), std::string::npos);
    // Writers that need the values refuse such a batch instead of reading empty columns.
    CsvWriter csv;
    const auto st = csv.write(b.batch(), b.sorted_order(), c);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("only the JSON Lines writer"), std::string::npos);
    std::filesystem::remove(a);
    std::filesystem::remove(c);
    b.clear();
    EXPECT_EQ(b.batch().json_rows.size(), 0u);
    EXPECT_EQ(b.batch().columns[2].ints.size(), 0u);
    TableBuffer records(EventType::record, true); // records never keep rows
    EXPECT_FALSE(records.batch().json_rows_only);
}

} // namespace ticklake
