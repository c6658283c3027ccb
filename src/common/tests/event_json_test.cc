#include "common/event_json.h"

#include <random>
#include <cstring>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>
#include <gtest/gtest.h>

#include "common/tests/message_mutations.h"

namespace ticklake {

namespace {
Event make_trade() {
    Event e;
    e.type = EventType::trade;
    e.id = "sim-1-42";
    e.symbol = "AAPL";
    e.ts = 1'700'000'000'123'456;
    e.recv_ts = e.ts + 17;
    e.source = "sim";
    e.body = Trade{187.12, 100, "XNAS", "buy"};
    return e;
}
} // namespace

TEST(EventJson, TradeRoundTripsExactly) {
    Event e = make_trade();
    std::string json;
    append_event_json(json, e);
    EXPECT_NE(json.find("\"ts\":\"2023-11-14T22:13:20.123456Z\""), std::string::npos) << json;
    EventParser p;
    auto back = p.parse(json);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->id, e.id);
    EXPECT_EQ(back->symbol, "AAPL");
    EXPECT_EQ(back->ts, e.ts);
    EXPECT_EQ(back->recv_ts, e.recv_ts);
    const auto& t = std::get<Trade>(back->body);
    EXPECT_EQ(t.price, 187.12);
    EXPECT_EQ(t.size, 100);
    EXPECT_EQ(t.exchange, "XNAS");
    EXPECT_EQ(t.side, "buy");
}

TEST(EventJson, DoublesKeepEveryBit) {
    Event e = make_trade();
    std::get<Trade>(e.body).price = 0.1 + 0.2; // 0.30000000000000004
    std::string json;
    append_event_json(json, e);
    EventParser p;
    auto back = p.parse(json);
    ASSERT_TRUE(back);
    EXPECT_EQ(std::get<Trade>(back->body).price, 0.1 + 0.2);
}

TEST(EventJson, BarWithNullsAndRecordFields) {
    Event b;
    b.type = EventType::bar;
    b.id = "csv:x:2";
    b.symbol = "NYA";
    b.body = Bar{"1d", 1, 2, 0.5, 1.5, std::nullopt, 1000, std::nullopt, 7};
    std::string json;
    append_event_json(json, b);
    EventParser p;
    auto back = p.parse(json);
    ASSERT_TRUE(back) << back.error().message;
    const auto& bar = std::get<Bar>(back->body);
    EXPECT_FALSE(bar.adj_close);
    EXPECT_EQ(bar.trade_count, 7);
    EXPECT_EQ(bar.low, 0.5);

    Event r;
    r.type = EventType::record;
    r.id = "csv:y:3";
    r.body = Record{"y", {{"a", int64_t{5}}, {"b", std::string("x\"y\n")}, {"c", 2.5}, {"d", true}, {"e", std::monostate{}}}};
    json.clear();
    append_event_json(json, r);
    auto rb = p.parse(json);
    ASSERT_TRUE(rb) << rb.error().message << " in " << json;
    const auto& rec = std::get<Record>(rb->body);
    EXPECT_EQ(rec.dataset, "y");
    ASSERT_EQ(rec.fields.size(), 5u);
    EXPECT_EQ(std::get<int64_t>(rec.fields[0].value), 5);
    EXPECT_EQ(std::get<std::string>(rec.fields[1].value), "x\"y\n");
    EXPECT_EQ(std::get<double>(rec.fields[2].value), 2.5);
    EXPECT_EQ(std::get<bool>(rec.fields[3].value), true);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(rec.fields[4].value));
}

TEST(EventJson, PoisonMessagesSayWhy) {
    EventParser p;
    struct Case {
        const char* json;
        const char* reason;
    } cases[] = {
        {"not json", "JSON"},
        {"[1,2]", "not a JSON object"},
        {R"({"type":"trade","id":"a","symbol":"X","ts":"2024-01-01T00:00:00Z","price":1})", "price, size"},
        {R"({"type":"tick","id":"a","symbol":"X","ts":"2024-01-01T00:00:00Z"})", "unknown type"},
        {R"({"type":"trade","symbol":"X","ts":"2024-01-01T00:00:00Z","price":1,"size":1})", "missing field 'id'"},
        {R"({"type":"trade","id":"a","symbol":"X","ts":"soon","price":1,"size":1})", "ISO 8601"},
        {R"({"type":"trade","id":"a","symbol":"X","ts":"2024-01-01","price":"1","size":1})", "must be a number"},
        {R"({"type":"trade","id":"a","symbol":"","ts":"2024-01-01","price":1,"size":1})", "non-empty 'symbol'"},
        {R"({"v":2,"type":"trade","id":"a","symbol":"X","ts":"2024-01-01","price":1,"size":1})", "version"},
    };
    for (const auto& c : cases) {
        auto r = p.parse(c.json);
        ASSERT_FALSE(r) << c.json;
        EXPECT_EQ(r.error().kind, ErrorKind::poison);
        EXPECT_NE(r.error().message.find(c.reason), std::string::npos) << r.error().message;
    }
}

TEST(EventJson, AcceptsIntegerMicrosecondsAndAnyFieldOrder) {
    EventParser p;
    auto r = p.parse(R"({"size":3,"price":2.5,"ts":1000000,"symbol":"BTC-USD","id":"x","type":"trade"})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->ts, 1000000);
    EXPECT_EQ(std::get<Trade>(r->body).size, 3);
}


TEST(EventJson, FieldTableDrivesRequiredFieldsNullsAndSharedKeys) {
    EventParser p;
    struct Case {
        const char* json;
        const char* reason; //!< nullptr: accepted
    } cases[] = {
        {R"({"type":"quote","id":"a","symbol":"X","ts":1,"bid":1})", "quote needs fields bid, ask"},
        {R"({"type":"bar","id":"a","symbol":"X","ts":1,"open":1,"high":1,"low":1})",
         "bar needs fields open, high, low, close"},
        {R"({"type":"record","id":"a","ts":1,"dataset":"d"})", "record needs fields fields"},
        {R"({"type":"bar","id":"a","symbol":"X","ts":1,"open":1,"high":1,"low":1,"close":1,"interval":null})",
         "field 'interval' must be a string"},
        {R"({"type":"quote","id":"a","symbol":"X","ts":1,"bid":1,"ask":2,"bid_size":null})",
         "field 'bid_size' must be a number"},
        {R"({"type":"bar","id":"a","symbol":"X","ts":1,"open":1,"high":1,"low":1,"close":1,"trade_count":1.5})",
         "field 'trade_count' must be an integer"},
        {R"({"type":"trade","id":"a","symbol":"X","ts":1,"price":1,"size":1,"exchange":null,"side":null})", nullptr},
    };
    for (const auto& c : cases) {
        auto r = p.parse(c.json);
        if (c.reason == nullptr) {
            EXPECT_TRUE(r) << c.json << ": " << r.error().message;
            continue;
        }
        ASSERT_FALSE(r) << c.json;
        EXPECT_EQ(r.error().message, c.reason);
    }
    // "exchange" belongs to trades and quotes; the type may come after it.
    auto q = p.parse(R"({"exchange":"XNAS","bid":1,"ask":2,"ts":1,"symbol":"X","id":"q","type":"quote"})");
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_EQ(std::get<Quote>(q->body).exchange, "XNAS");
    auto t = p.parse(R"({"exchange":"XNYS","price":1,"size":2,"ts":1,"symbol":"X","id":"t","type":"trade"})");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(std::get<Trade>(t->body).exchange, "XNYS");
}

// Found by event_json_fuzz: an invalid literal where a nullable field may be null made
// is_null() an error, and converting that to bool threw out of the parser. It is poison.
TEST(EventJson, AnInvalidLiteralInANullableFieldIsPoisonNotAnException) {
    EventParser parser;
    for (const std::string text : {R"({"v":1,"type":"trade","id":"a","symbol":nnnn,"ts":"2024-01-02T14:30:00Z","price":1,"size":1})",
                                   R"({"v":1,"type":"trade","id":"a","source":tx,"ts":"2024-01-02T14:30:00Z","price":1,"size":1})",
                                   R"({"v":1,"type":"bar","id":"b","symbol":"X","ts":"2024-01-02T14:30:00Z","interval":"1m","open":1,"high":1,"low":1,"close":1,"volume":nul,"vwap":nux})"}) {
        auto r = parser.parse(text);
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error().kind, ErrorKind::poison) << text;
    }
}

// The sink parses every message into one reused parser and event: a message whose keys differ
// from the previous one's (other order, other type, extra keys, many keys) must parse exactly as
// a fresh parser parses it, with nothing left over from the message before.
TEST(EventJson, OneParserOverChangingKeysMatchesAFreshParser) {
    std::string many = R"({"type":"trade","id":"m",)";
    for (int i = 0; i < 70; ++i) {
        many += "\"extra" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    }
    many += R"("symbol":"Z","ts":5,"price":4.5,"size":2,"side":"sell"})";
    const std::string messages[] = {
        R"({"v":1,"type":"quote","id":"a","symbol":"X","ts":1,"bid":1,"bid_size":3,"ask":2,"ask_size":4,"exchange":"XNAS"})",
        R"({"v":1,"type":"trade","id":"b","symbol":"X","ts":2,"price":7,"size":1,"exchange":"XNYS","side":"buy"})",
        R"({"v":1,"type":"quote","id":"c","symbol":"Y","ts":3,"ask":9,"bid":8,"exchange":"ARCX","bid_size":1})",
        R"({"price":6,"v":1,"type":"trade","size":2,"id":"d","new_key":true,"symbol":"Y","ts":4})",
        many,
        R"({"v":1,"type":"quote","id":"e","symbol":"X","ts":1,"bid":1,"bid_size":3,"ask":2,"ask_size":4,"exchange":"XNAS"})",
        R"({"v":1,"type":"record","id":"f","ts":6,"dataset":"d","fields":{"price":1,"bid":"x"}})",
        R"({"v":1,"type":"quote","id":"g","symbol":"X","ts":1,"bid":1,"bid_size":3,"ask":2,"ask_size":4,"exchange":"XNAS"})",
    };
    EventParser reused;
    Event e;
    for (const auto& m : messages) {
        ASSERT_TRUE(reused.parse_into(m, e)) << m;
        EventParser fresh;
        auto want = fresh.parse(m);
        ASSERT_TRUE(want) << m;
        std::string got_json, want_json;
        append_event_json(got_json, e);
        append_event_json(want_json, *want);
        EXPECT_EQ(got_json, want_json) << m;
    }
    EXPECT_EQ(std::get<Trade>(reused.parse(many)->body).side, "sell");
}


// "type" first reads the body in place; "type" last goes through the draft bodies. Both must
// give the same event, and check the same keys.
TEST(EventJson, TypeFirstAndTypeLastReadTheSame) {
    const std::string first =
        R"({"type":"quote","id":"q","symbol":"X","ts":1,"bid":1,"ask":2,"exchange":"XNAS"})";
    const std::string last =
        R"({"id":"q","symbol":"X","ts":1,"bid":1,"ask":2,"exchange":"XNAS","type":"quote"})";
    EventParser p;
    auto a = p.parse(first);
    auto b = p.parse(last);
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    std::string ja, jb;
    append_event_json(ja, *a);
    append_event_json(jb, *b);
    EXPECT_EQ(ja, jb);
    EXPECT_EQ(std::get<Quote>(a->body).exchange, "XNAS");
    // A required field missing, a bad value of another type's key: poison either way.
    EXPECT_FALSE(p.parse(R"({"type":"quote","id":"q","symbol":"X","ts":1,"bid":1})"));
    EXPECT_FALSE(p.parse(R"({"id":"q","symbol":"X","ts":1,"bid":1,"type":"quote"})"));
    EXPECT_FALSE(p.parse(R"({"type":"trade","id":"t","symbol":"X","ts":1,"price":1,"size":1,"bid":"x"})"));
    EXPECT_FALSE(p.parse(R"({"id":"t","symbol":"X","ts":1,"price":1,"size":1,"bid":"x","type":"trade"})"));
    // Two different types in one message cannot both hold, in whatever order the keys come.
    for (const char* m :
         {R"({"type":"trade","id":"t","symbol":"X","ts":1,"price":1,"size":1,"type":"quote"})",
          R"({"price":1,"size":1,"type":"quote","type":"trade","id":"t","symbol":"X","ts":1})",
          R"({"type":"record","type":"trade","id":"t","symbol":"X","ts":1,"price":1,"size":1})"}) {
        auto twice = p.parse(m);
        ASSERT_FALSE(twice) << m;
        EXPECT_NE(twice.error().message.find("twice"), std::string::npos) << twice.error().message;
    }
    // The same type twice is one type.
    EXPECT_TRUE(p.parse(R"({"type":"trade","id":"t","symbol":"X","ts":1,"price":1,"size":1,"type":"trade"})"));
    // A trade after a quote in the same event: nothing of the quote is left.
    Event e;
    ASSERT_TRUE(p.parse_into(first, e));
    ASSERT_TRUE(p.parse_into(R"({"type":"trade","id":"t","symbol":"Y","ts":2,"price":3,"size":4})", e));
    EXPECT_EQ(std::get<Trade>(e.body).exchange, "");
    ASSERT_TRUE(p.parse_into(R"({"type":"trade","id":"u","symbol":"Y","ts":2,"price":3,"size":4,"side":"buy"})", e));
    ASSERT_TRUE(p.parse_into(R"({"type":"trade","id":"v","symbol":"Y","ts":2,"price":3,"size":4})", e));
    EXPECT_EQ(std::get<Trade>(e.body).side, "") << "a reused body keeps no field of the previous message";
}

// append_json_double's decimal fast path must give exactly std::to_chars' text: prices and
// sizes with a few decimals, their neighbours one bit away, integers, and random bit patterns.
TEST(EventJson, DoubleTextIsToCharsText) {
    std::mt19937_64 rng(20261207);
    std::vector<double> values = {0.001, 0.0011, 0.01, 0.1, 0.5, 1, 9, 10, 99999, 100000, 1000000, 123456789,
                                  999999999.5, 1e9, 190.12, 190.13, 2568.300049, 0.30000000000000004, 1e-4};
    for (int i = 0; i < 200000; ++i) {
        const int k = static_cast<int>(rng() % 9);
        const double scale = std::pow(10.0, k);
        const double d = static_cast<double>(rng() % 2000000000) / scale;
        values.push_back(d);
        values.push_back(std::nextafter(d, 1e300));
        values.push_back(std::nextafter(d, -1e300));
        values.push_back(-d);
        uint64_t bits = rng();
        double r;
        std::memcpy(&r, &bits, sizeof r);
        values.push_back(r);
    }
    for (double v : values) {
        if (!std::isfinite(v)) {
            continue;
        }
        char buf[32];
        auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
        std::string got;
        append_json_double(got, v);
        ASSERT_EQ(got, std::string(buf, end)) << "bits of the value differ in text";
    }
}

// The flat path and the simdjson path read every message alike: the fuzzer's corpus (1,500+
// messages, valid and not), the messages above, and variations of a valid trade. Same verdict,
// same event, same error text.
TEST(EventJson, FlatPathAndSimdjsonPathAgree) {
    std::vector<std::string> messages;
    for (const auto& entry : std::filesystem::directory_iterator(TICKLAKE_EVENT_JSON_CORPUS)) {
        std::ifstream in(entry.path(), std::ios::binary);
        messages.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    ASSERT_GT(messages.size(), 1000u);
    const std::string trade =
        R"({"v":1,"type":"trade","id":"sim-7-000000000042","symbol":"AAPL","ts":"2025-01-06T14:30:01.250113Z",)"
        R"("recv_ts":"2026-11-25T21:00:00.000001Z","source":"sim","price":190.12,"size":100,"exchange":"XNAS","side":"buy"})";
    for (const std::string& variant :
         {trade, std::string(" \n") + trade + "\t ", std::string("{\"ts\":1,\"type\":\"trade\"}"), std::string("{}"),
          std::string("{\"v\":1}"), std::string("{\"v\":2,\"type\":\"trade\"}"), std::string("[1]"),
          std::string(R"({"type":"trade","id":"t","symbol":"X","ts":1,"price":1e00000000000000000001,"size":1})"),
          std::string(R"({"type":"trade","id":"t","symbol":"X","ts":1,"price":1E-0001,"size":1e+2})")}) {
        messages.push_back(variant);
    }
    // Each type in the writer's layout (read by its own path), nulls and all: every prefix, and
    // every byte replaced.
    const std::string layouts[] = {
        trade,
        R"({"v":1,"type":"quote","id":"sim-7-43","symbol":"AAPL","ts":"2025-01-06T14:30:01.250400Z",)"
        R"("recv_ts":"2026-11-25T21:00:00.000002Z","source":"sim","bid":190.11,"bid_size":300,"ask":190.13,)"
        R"("ask_size":200,"exchange":"ARCX"})",
        R"({"v":1,"type":"bar","id":"csv:x:2","symbol":"HSI","ts":"1986-12-31T00:00:00.000000Z","recv_ts":)"
        R"("2026-11-25T21:00:00.000003Z","source":"csv","interval":"1d","open":2568.300049,"high":2568.3,)"
        R"("low":-0.5,"close":0,"adj_close":null,"volume":0,"vwap":null,"trade_count":null})",
        R"({"v":1,"type":"bar","id":"b","symbol":"X","ts":"2024-02-29T23:59:59.999999Z","recv_ts":)"
        R"("2024-02-29T23:59:59.999999Z","source":"","interval":"","open":1,"high":2,"low":0.001,"close":1e+05,)"
        R"("adj_close":3.25,"volume":123456789,"vwap":7,"trade_count":-12})"};
    for (const std::string& layout : layouts) {
        messages.push_back(layout);
        ticklake::testing::add_prefixes_and_byte_changes(messages, layout, "\"\\,}0-e. n\x01\xc3");
    }
    EventParser flat, simd;
    simd.set_simdjson_only(true);
    Event a, b;
    size_t accepted = 0;
    for (const auto& m : messages) {
        auto sa = flat.parse_into(m, a);
        auto sb = simd.parse_into(m, b);
        ASSERT_EQ(static_cast<bool>(sa), static_cast<bool>(sb)) << m;
        if (!sa) {
            EXPECT_EQ(sa.error().message, sb.error().message) << m;
            continue;
        }
        ++accepted;
        std::string ja, jb;
        append_event_json(ja, a);
        append_event_json(jb, b);
        ASSERT_EQ(ja, jb) << m;
        EXPECT_EQ(a.type, b.type) << m;
    }
    EXPECT_GT(accepted, 100u);
}

// Debian's simdjson 3.0.1 read "0.95000000000000000000" as 0.0277 (simdjson issue #2093): both
// paths now read every decimal as std::from_chars does.
TEST(EventJson, LongDecimalsReadExactly) {
    const std::string m = R"({"type":"trade","id":"t","symbol":"X","ts":1,"price":0.95000000000000000000,)"
                          R"("size":0.20000000040600056131})";
    for (bool simdjson_only : {false, true}) {
        EventParser p;
        p.set_simdjson_only(simdjson_only);
        auto e = p.parse(m);
        ASSERT_TRUE(e);
        EXPECT_EQ(std::get<Trade>(e->body).price, 0.95) << simdjson_only;
        EXPECT_EQ(std::get<Trade>(e->body).size, 0.20000000040600055) << simdjson_only;
    }
}

} // namespace ticklake

namespace ticklake {

namespace {

// A random spelling of a JSON number: sign, integer digits, fraction (trailing zeros too),
// sometimes an exponent. Many spellings are not the writer's; the test needs both kinds.
std::string random_number_literal(std::mt19937_64& rng) {
    std::string s;
    if (rng() % 4 == 0) s.push_back('-');
    const int int_digits = static_cast<int>(rng() % 13);
    if (int_digits == 0) {
        s.push_back('0');
    } else {
        s.push_back(static_cast<char>('1' + rng() % 9));
        for (int i = 1; i < int_digits; ++i) s.push_back(static_cast<char>('0' + (rng() % 3 == 0 ? 0 : rng() % 10)));
    }
    if (rng() % 3 != 0) {
        s.push_back('.');
        const int frac = 1 + static_cast<int>(rng() % 11);
        for (int i = 0; i < frac; ++i) s.push_back(static_cast<char>('0' + (rng() % 4 == 0 ? 0 : rng() % 10)));
    }
    if (rng() % 10 == 0) {
        s.append("e").append(std::to_string(static_cast<int>(rng() % 9) - 4));
    }
    return s;
}

// A random event time: the writer's form mostly, on any day of a month (29-31 included, which
// do not exist in every month), sometimes a leap second, an offset, or integer microseconds.
std::string random_time_literal(std::mt19937_64& rng) {
    char buf[64];
    const int year = 1999 + static_cast<int>(rng() % 30), month = 1 + static_cast<int>(rng() % 12);
    const int day = 1 + static_cast<int>(rng() % 31), second = static_cast<int>(rng() % 61);
    const int micros = static_cast<int>(rng() % 1'000'000);
    switch (rng() % 8) {
    case 0: return std::to_string(1'700'000'000'000'000 + static_cast<int64_t>(rng() % 1'000'000'000));
    case 1:
        std::snprintf(buf, sizeof buf, "\"%04d-%02d-%02dT10:11:%02d.%06d+01:00\"", year, month, day, second % 60, micros);
        return buf;
    default:
        std::snprintf(buf, sizeof buf, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06d%s\"", year, month, day,
                      static_cast<int>(rng() % 24), static_cast<int>(rng() % 60), second, micros, "Z");
        return buf;
    }
}

std::string random_wireish_message(std::mt19937_64& rng, int i) {
    const std::string pieces[] = {"\"v\":1", "\"type\":\"trade\"", std::string("\"id\":\"sim-7-").append(std::to_string(i)).append("\""),
                                  "\"symbol\":\"AAPL\"", "\"ts\":" + random_time_literal(rng),
                                  "\"recv_ts\":" + random_time_literal(rng), "\"source\":\"sim\"",
                                  "\"price\":" + random_number_literal(rng), "\"size\":" + random_number_literal(rng),
                                  std::string("\"exchange\":") + (rng() % 10 == 0 ? "null" : "\"XNAS\""),
                                  "\"side\":\"buy\""};
    std::vector<std::string> members(std::begin(pieces), std::end(pieces));
    switch (rng() % 12) {
    case 0: std::swap(members[2], members[3]); break;      // another order
    case 1: members.push_back("\"note\":\"x\""); break;    // a key the writer does not write
    case 2: members.erase(members.begin()); break;          // no "v"
    default: break;
    }
    std::string json = "{";
    for (size_t m = 0; m < members.size(); ++m) {
        if (m > 0) json += rng() % 40 == 0 ? ", " : ",";
        json += members[m];
    }
    return json + (rng() % 40 == 0 ? "} " : "}");
}

} // namespace

// wire_form promises that the message is exactly what append_event_json writes for the event
// it read: checked on messages that often are and often are not.
TEST(EventJson, WireFormMeansTheWriterWritesTheSameText) {
    std::mt19937_64 rng(20261207);
    EventParser p;
    Event e;
    int wire = 0, parsed = 0;
    for (int i = 0; i < 200000; ++i) {
        const std::string json = random_wireish_message(rng, i);
        bool wire_form = true;
        if (!p.parse_into(json, e, wire_form)) {
            EXPECT_FALSE(wire_form) << json;
            continue;
        }
        ++parsed;
        std::string written;
        append_event_json(written, e);
        if (wire_form) {
            ++wire;
            ASSERT_EQ(written, json);
            ASSERT_EQ(wire_row_members(json, e.type), std::string_view(json).substr(json.find("\"id\"")));
        }
    }
    // Not vacuous: both answers are common.
    EXPECT_GT(parsed, 150000);
    EXPECT_GT(wire, 10000);
    EXPECT_LT(wire, parsed - 20000);
}

TEST(EventJson, WhatTheWriterWritesIsInWireForm) {
    std::mt19937_64 rng(7);
    EventParser p;
    Event back;
    for (int i = 0; i < 20000; ++i) {
        Event e;
        e.id = std::string("sim-7-").append(std::to_string(i));
        e.symbol = "MSFT";
        e.ts = 1'736'000'000'000'000 + static_cast<int64_t>(rng() % 400'000'000'000'000);
        e.recv_ts = e.ts + 5;
        e.source = "sim";
        const uint64_t cents = 1 + rng() % 5'000'000;
        const double price = static_cast<double>(cents) / 100.0;
        const double ask = static_cast<double>(cents + 1) / 100.0; // price + 0.01 may be 0.30000000000000004
        const double size = static_cast<double>(rng() % 2000);
        switch (i % 3) {
        case 0: e.type = EventType::trade; e.body = Trade{price, size, "XNAS", i % 2 ? "buy" : ""}; break;
        case 1: e.type = EventType::quote; e.body = Quote{price, size, ask, size + 100, "ARCX"}; break;
        default: {
            e.type = EventType::bar;
            Bar b;
            b.interval = "1m";
            b.open = b.high = b.low = b.close = price;
            b.adj_close = i % 2 ? std::optional<double>(price) : std::nullopt;
            b.volume = 123456789;
            b.trade_count = i % 4 ? std::optional<int64_t>(1200) : std::nullopt;
            e.body = b;
        }
        }
        std::string json;
        append_event_json(json, e);
        bool wire_form = false;
        ASSERT_TRUE(p.parse_into(json, back, wire_form)) << json;
        ASSERT_TRUE(wire_form) << json;
    }
}

TEST(EventJson, WireFormRefusesOtherSpellingsOfTheSameEvent) {
    const std::string base = R"({"v":1,"type":"trade","id":"a","symbol":"X","ts":"2025-01-06T14:30:00.000001Z",)"
                             R"("recv_ts":"2025-01-06T14:30:00.000002Z","source":"sim","price":1.5,"size":100,)"
                             R"("exchange":"","side":"buy"})";
    EventParser p;
    Event e;
    bool wire_form = false;
    ASSERT_TRUE(p.parse_into(base, e, wire_form));
    EXPECT_TRUE(wire_form);
    EXPECT_EQ(wire_row_members(base, EventType::trade).substr(0, 8), R"("id":"a")");
    const std::pair<std::string, std::string> changes[] = {
        {"\"price\":1.5", "\"price\":1.50"},          {"\"price\":1.5", "\"price\":15e-1"},
        {"\"size\":100", "\"size\":100.0"},           {"\"size\":100", "\"size\":1e2"},
        {"\"price\":1.5", "\"price\": 1.5"},          {"\"exchange\":\"\"", "\"exchange\":null"},
        {"\"source\":\"sim\"", "\"source\":null"},   {".000001Z\"", ".000001+00:00\""},
        {"\"ts\":\"2025-01-06T14:30:00.000001Z\"", "\"ts\":1736173800000001"},
        {"\"v\":1,", ""},                              {"\"side\":\"buy\"", "\"side\":\"buy\",\"extra\":1"},
        {"\"id\":\"a\",\"symbol\":\"X\"", "\"symbol\":\"X\",\"id\":\"a\""},
        {"2025-01-06T14:30:00.000001Z", "2025-02-30T14:30:00.000001Z"},
        {"2025-01-06T14:30:00.000001Z", "2025-01-06T14:30:60.000001Z"},
        {"\"id\":\"a\"", "\"id\":\"\\u0061\""},
    };
    for (const auto& [from, to] : changes) {
        std::string json = base;
        json.replace(json.find(from), from.size(), to);
        wire_form = true;
        ASSERT_TRUE(p.parse_into(json, e, wire_form)) << json;
        EXPECT_FALSE(wire_form) << json;
    }
    // A leap day that exists is the writer's form; records never are.
    std::string leap = base;
    leap.replace(leap.find("2025-01-06"), 10, "2024-02-29");
    ASSERT_TRUE(p.parse_into(leap, e, wire_form));
    EXPECT_TRUE(wire_form);
    ASSERT_TRUE(p.parse_into(R"({"v":1,"type":"record","id":"r","ts":1,"dataset":"d","fields":{}})", e, wire_form));
    EXPECT_FALSE(wire_form);
}

} // namespace ticklake
