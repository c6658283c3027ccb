#include "console/chart_query.h"

#include <gtest/gtest.h>

#include "console/url_query.h"

namespace ticklake::console {
namespace {

TEST(UrlQuery, DecodesPercentAndPlus) {
    auto p = parse_url_query("table=market.trades&symbol=BRK%2EB&x=a+b&bad=%zz&empty&&last=1&last=2");
    EXPECT_EQ(p["table"], "market.trades");
    EXPECT_EQ(p["symbol"], "BRK.B");
    EXPECT_EQ(p["x"], "a b");
    EXPECT_EQ(p["bad"], "%zz");
    EXPECT_EQ(p["empty"], "");
    EXPECT_EQ(p["last"], "2");
}

TEST(ChartRequest, ChecksEveryParameter) {
    auto ok = chart_request({{"table", "market.trades"}, {"symbol", "AAPL"}, {"interval", "1h"}, {"from", "2025-01-06"},
                             {"to", "2025-01-07T12:30"}});
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->interval, "1h");
    auto defaulted = chart_request({{"table", "market.trades"}, {"symbol", "AAPL"}});
    ASSERT_TRUE(defaulted);
    EXPECT_EQ(defaulted->interval, "5m");

    auto refused = [](std::map<std::string, std::string> p, const char* word) {
        auto r = chart_request(p);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
        EXPECT_NE(r.error().message.find(word), std::string::npos) << r.error().message;
    };
    refused({{"table", "market.trades; DROP TABLE x"}, {"symbol", "A"}}, "table");
    refused({{"table", "read_csv('/etc/passwd')"}, {"symbol", "A"}}, "table");
    refused({{"table", "market.trades"}, {"symbol", ""}}, "symbol");
    refused({{"table", "market.trades"}, {"symbol", "A"}, {"interval", "7m"}}, "interval");
    refused({{"table", "market.trades"}, {"symbol", "A"}, {"from", "2025-01-06' OR 1=1 --"}}, "from");
    refused({{"table", "market.trades"}, {"symbol", "A"}, {"to", "yesterday"}}, "to");
}

TEST(OhlcvSql, QuotesTheSymbolAndPrunesByDay) {
    auto r = chart_request({{"table", "market.trades"}, {"symbol", "O'Hare"}, {"interval", "5m"}, {"from", "2025-01-06"},
                            {"to", "2025-01-06"}});
    ASSERT_TRUE(r);
    const std::string sql = ohlcv_sql(*r, true);
    EXPECT_NE(sql.find("symbol = 'O''Hare'"), std::string::npos) << sql;
    EXPECT_NE(sql.find("dt >= DATE '2025-01-06'"), std::string::npos) << sql;
    EXPECT_NE(sql.find("dt <= DATE '2025-01-06'"), std::string::npos) << sql;
    EXPECT_NE(sql.find("ts < (DATE '2025-01-06' + INTERVAL 1 DAY)"), std::string::npos) << sql;
    EXPECT_EQ(ohlcv_sql(*r, false).find("dt >="), std::string::npos);
    EXPECT_NE(spread_sql(*r, true).find("avg(ask - bid)"), std::string::npos);
}

} // namespace
} // namespace ticklake::console
