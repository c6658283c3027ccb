// Alpha Vantage on the recorded TIME_SERIES_INTRADAY response (US/Eastern local times,
// decimal strings), its rate-limit note delivered with HTTP 200, and its error message.
#include <map>

#include <gtest/gtest.h>

#include "sources/live/rest_poll_source.h"
#include "sources/live/tests/vendor_test_support.h"

namespace ticklake::testing {
namespace {

using namespace std::chrono_literals;

// The shape of the documented rate-limit answer (HTTP 200, no data).
const std::string kNote = R"({"Note":"Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per )"
                          R"(minute and 500 calls per day."})";

std::unique_ptr<RestPollSource> av(const std::string& url) {
    auto o = test_options("alphavantage", url, {"MSFT"});
    o.key = "AVKEY";
    return std::make_unique<RestPollSource>(o, make_alphavantage_protocol(o));
}

TEST(AlphaVantage, RateLimitNoteThenEveryBarInUtcWithExactDecimals) {
    const std::string json = read_file_for_test(data_path("alphavantage_intraday_1min_MSFT.json"));
    ReplayServer server({.routes = {{"/query", {HttpReply{200, kNote}, HttpReply{200, json}}}}});
    auto src = av(server.http_url());
    auto d = drain(*src, 100, 3s);
    ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
    ASSERT_EQ(d.events.size(), 100u);
    EXPECT_EQ(src->stats().rate_limited, 1u);
    EXPECT_EQ(src->stats().inexact_decimals, 0u);
    const auto targets = server.targets();
    ASSERT_GE(targets.size(), 2u);
    EXPECT_EQ(targets[0], "/query?function=TIME_SERIES_INTRADAY&symbol=MSFT&interval=1min&outputsize=compact&apikey=AVKEY");
    simdjson::dom::parser p;
    simdjson::dom::object series = p.parse(json)["Time Series (1min)"].get_object().value();
    std::map<std::string, const Event*> by_id;
    for (const Event& e : d.events) by_id[e.id] = &e;
    size_t n = 0;
    for (auto [time, bar] : series) {
        // December: New York is UTC-5, so "2017-12-18 14:56:00" is 19:56:00Z.
        std::string t(time);
        const int hour = std::stoi(t.substr(11, 2)) + 5;
        const std::string utc = t.substr(0, 10) + "T" + (hour < 10 ? "0" : "") + std::to_string(hour) + t.substr(13) +
                                ".000000Z";
        auto it = by_id.find("alphavantage:MSFT:1m:" + utc);
        ASSERT_NE(it, by_id.end()) << utc;
        const Event& e = *it->second;
        EXPECT_EQ(format_iso8601(e.ts), utc);
        const Bar& b = body<Bar>(e);
        EXPECT_EQ(wire(b.open), canon(bar["1. open"].get_string().value())) << utc;
        EXPECT_EQ(wire(b.high), canon(bar["2. high"].get_string().value())) << utc;
        EXPECT_EQ(wire(b.low), canon(bar["3. low"].get_string().value())) << utc;
        EXPECT_EQ(wire(b.close), canon(bar["4. close"].get_string().value())) << utc;
        EXPECT_EQ(wire(b.volume), canon(bar["5. volume"].get_string().value())) << utc;
        EXPECT_EQ(b.interval, "1m");
        ++n;
    }
    EXPECT_EQ(n, 100u);
    for (size_t i = 1; i < d.events.size(); ++i) {
        EXPECT_LT(d.events[i - 1].ts, d.events[i].ts) << "bars must go out oldest first";
    }
}

TEST(AlphaVantage, ErrorMessageIsFatal) {
    ReplayServer server({.routes = {{"/query", {HttpReply{200,
        R"({"Error Message":"Invalid API call. Please retry or visit the documentation for TIME_SERIES_INTRADAY."})"}}}}});
    auto src = av(server.http_url());
    auto d = drain(*src, 1, 2s);
    ASSERT_EQ(d.errors.size(), 1u);
    EXPECT_EQ(d.errors[0].kind, ErrorKind::fatal);
    EXPECT_NE(d.errors[0].message.find("ALPHAVANTAGE_API_KEY"), std::string::npos);
    EXPECT_EQ(d.errors[0].message.find("AVKEY"), std::string::npos);
    EXPECT_EQ(server.targets().size(), 1u);
}

// Found by vendor_frames_fuzz: an answer without "Meta Data" threw from simdjson (the failed
// lookup was converted to an element) and ended the process. Now the time zone is the
// documented default, US/Eastern, and every bar still arrives.
TEST(AlphaVantage, AnswerWithoutMetaDataUsesTheDefaultZone) {
    std::string json = read_file_for_test(data_path("alphavantage_intraday_1min_MSFT.json"));
    const auto at = json.find("\"Meta Data\"");
    ASSERT_NE(at, std::string::npos);
    json.replace(at, 11, "\"Meta %ata\"");
    ReplayServer server({.routes = {{"/query", {HttpReply{200, json}}}}});
    auto src = av(server.http_url());
    auto d = drain(*src, 100, 3s);
    ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
    ASSERT_EQ(d.events.size(), 100u);
    EXPECT_EQ(format_iso8601(d.events.front().ts).substr(0, 10), "2017-12-18");
}

} // namespace
} // namespace ticklake::testing
