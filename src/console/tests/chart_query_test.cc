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

TEST(OhlcvSql, BindsTheSymbolAndPrunesByDay) {
    auto r = chart_request({{"table", "market.trades"}, {"symbol", "O'Hare"}, {"interval", "5m"}, {"from", "2025-01-06"},
                            {"to", "2025-01-06"}});
    ASSERT_TRUE(r);
    const ChartStatement s = ohlcv_sql(*r, true);
    // Values are parameters, never SQL text: the quote in the symbol cannot end a literal.
    EXPECT_EQ(s.sql.find("O'Hare"), std::string::npos) << s.sql;
    EXPECT_EQ(s.params, (std::vector<std::string>{"O'Hare", "2025-01-06", "2025-01-06", "2025-01-06", "2025-01-06"}));
    EXPECT_NE(s.sql.find("symbol = $1"), std::string::npos) << s.sql;
    EXPECT_NE(s.sql.find("ts >= CAST(CAST($2 AS DATE) AS TIMESTAMP)"), std::string::npos) << s.sql;
    EXPECT_NE(s.sql.find("dt >= CAST($3 AS DATE)"), std::string::npos) << s.sql;
    EXPECT_NE(s.sql.find("ts < (CAST($4 AS DATE) + INTERVAL 1 DAY)"), std::string::npos) << s.sql;
    EXPECT_NE(s.sql.find("dt <= CAST($5 AS DATE)"), std::string::npos) << s.sql;
    const ChartStatement no_dt = ohlcv_sql(*r, false);
    EXPECT_EQ(no_dt.sql.find("dt >="), std::string::npos);
    EXPECT_EQ(no_dt.params.size(), 3u);
    EXPECT_NE(spread_sql(*r, true).sql.find("avg(ask - bid)"), std::string::npos);
}

TEST(OhlcvSql, OneTextPerShapeWhateverTheValues) {
    auto a = chart_request({{"table", "market.trades"}, {"symbol", "AAPL"}, {"from", "2025-01-06"}, {"to", "2025-01-06"}});
    auto b = chart_request({{"table", "market.trades"}, {"symbol", "MSFT"}, {"from", "2025-02-03"}, {"to", "2025-02-04"}});
    auto times = chart_request({{"table", "market.trades"}, {"symbol", "AAPL"}, {"from", "2025-01-06T14:30"}});
    ASSERT_TRUE(a && b && times);
    EXPECT_EQ(ohlcv_sql(*a, true).sql, ohlcv_sql(*b, true).sql); // prepared once, bound per request
    const ChartStatement t = ohlcv_sql(*times, true);
    EXPECT_NE(t.sql.find("ts >= CAST($2 AS TIMESTAMP)"), std::string::npos) << t.sql;
    EXPECT_EQ(t.params, (std::vector<std::string>{"AAPL", "2025-01-06T14:30", "2025-01-06"}));
}

} // namespace
} // namespace ticklake::console
