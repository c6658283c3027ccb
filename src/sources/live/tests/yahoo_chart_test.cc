// Yahoo v8 chart on recorded responses: 49 daily bars field by field, the empty session,
// re-polls that must not repeat bars, and the HTTP answers that stop or slow the source.
#include <gtest/gtest.h>

#include "sources/live/rest_poll_source.h"
#include "sources/live/tests/vendor_test_support.h"

namespace ticklake::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<RestPollSource> yahoo(const std::string& url, const std::string& interval) {
    auto o = test_options("yahoo", url, {"AAPL"});
    o.interval = interval;
    o.range = "3mo";
    return std::make_unique<RestPollSource>(o, make_yahoo_chart_protocol(o));
}

TEST(YahooChart, DailyBarsMatchTheResponseAndRepollsAddNothing) {
    const std::string json = read_file_for_test(data_path("yahoo_v8_chart_AAPL_1d_2020-08-31_2020-11-07.json"));
    ReplayServer server({.routes = {{"/v8/finance/chart/AAPL", {HttpReply{200, json}}}}});
    auto src = yahoo(server.http_url(), "1d");
    auto d = drain(*src, 49, 3s, 400ms); // several polls within the grace period
    ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
    ASSERT_GE(server.targets().size(), 2u) << "the grace period should have re-polled";
    EXPECT_EQ(server.targets()[0], "/v8/finance/chart/AAPL?interval=1d&range=3mo");
    ASSERT_EQ(d.events.size(), 49u);
    EXPECT_EQ(src->stats().duplicates, 49u * (server.targets().size() - 1));
    simdjson::dom::parser p;
    auto r = p.parse(json)["chart"]["result"].at(0);
    auto q = r["indicators"]["quote"].at(0);
    auto adj = r["indicators"]["adjclose"].at(0)["adjclose"];
    for (size_t i = 0; i < 49; ++i) {
        const Event& e = d.events[i];
        const int64_t t = r["timestamp"].at(i).get_int64().value();
        // 13:30Z is 09:30 in New York: the bar belongs to that session date.
        EXPECT_EQ(format_date(e.ts), format_date(t * 1'000'000 - 4 * 3600 * 1'000'000LL)) << i;
        EXPECT_EQ(e.ts % kMicrosPerDay, 0) << i;
        EXPECT_EQ(e.id, "yahoo:AAPL:1d:" + format_date(e.ts));
        const Bar& b = body<Bar>(e);
        EXPECT_EQ(b.interval, "1d");
        EXPECT_EQ(b.open, q["open"].at(i).get_double().value()) << i;
        EXPECT_EQ(b.high, q["high"].at(i).get_double().value()) << i;
        EXPECT_EQ(b.low, q["low"].at(i).get_double().value()) << i;
        EXPECT_EQ(b.close, q["close"].at(i).get_double().value()) << i;
        EXPECT_EQ(b.volume, q["volume"].at(i).get_double().value()) << i;
        ASSERT_TRUE(b.adj_close) << i;
        EXPECT_EQ(*b.adj_close, adj.at(i).get_double().value()) << i;
    }
    EXPECT_EQ(format_iso8601(d.events[0].ts), "2020-08-31T00:00:00.000000Z");
    EXPECT_EQ(format_iso8601(d.events[48].ts), "2020-11-06T00:00:00.000000Z");
}

TEST(YahooChart, AnEmptySessionGivesNoBarsAndNoError) {
    const std::string json = read_file_for_test(data_path("yahoo_v8_chart_AAPL_1m_2025-02-01_no_bars.json"));
    ReplayServer server({.routes = {{"/v8/finance/chart/AAPL", {HttpReply{200, json}}}}});
    auto src = yahoo(server.http_url(), "1m");
    auto d = drain(*src, 0, 300ms, 300ms);
    EXPECT_TRUE(d.errors.empty());
    EXPECT_TRUE(d.events.empty());
    EXPECT_EQ(src->stats().skipped, 0u);
    EXPECT_GE(src->stats().ignored, 1u);
    EXPECT_FALSE(src->done());
}

TEST(YahooChart, RateLimitWaitsAndUnauthorizedStops) {
    const std::string json = read_file_for_test(data_path("yahoo_v8_chart_AAPL_1d_2020-08-31_2020-11-07.json"));
    ReplayServer limited({.routes = {{"/v8/", {HttpReply{429, "Too Many Requests", "text/plain"}, HttpReply{200, json}}}}});
    auto src = yahoo(limited.http_url(), "1d");
    auto d = drain(*src, 49, 3s);
    EXPECT_EQ(d.events.size(), 49u);
    EXPECT_EQ(src->stats().rate_limited, 1u);
    ReplayServer refused({.routes = {{"/v8/", {HttpReply{401, R"({"finance":{"error":"Unauthorized"}})"}}}}});
    auto src2 = yahoo(refused.http_url(), "1d");
    auto d2 = drain(*src2, 1, 2s);
    ASSERT_EQ(d2.errors.size(), 1u);
    EXPECT_EQ(d2.errors[0].kind, ErrorKind::fatal);
    EXPECT_TRUE(src2->done());
    EXPECT_EQ(refused.targets().size(), 1u);
}

TEST(YahooChart, UnknownSymbolIsFatalWithTheVendorsWords) {
    ReplayServer server({.routes = {{"/v8/", {HttpReply{404,
        R"({"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}})"}}}}});
    auto src = yahoo(server.http_url(), "1d");
    auto d = drain(*src, 1, 2s);
    ASSERT_EQ(d.errors.size(), 1u);
    EXPECT_NE(d.errors[0].message.find("symbol may be delisted"), std::string::npos);
}

} // namespace
} // namespace ticklake::testing
