#include "query/result_format.h"

#include <gtest/gtest.h>

namespace ticklake::query {
namespace {

QueryResult sample() {
    QueryResult r;
    r.column_names = {"symbol", "px", "ok", "note"};
    r.column_types = {"VARCHAR", "DOUBLE", "BOOLEAN", "VARCHAR"};
    r.rows = {{"AAPL", "187.5", "true", "a, \"quoted\"\nline"}, {"MSFT", std::nullopt, "false", std::nullopt}};
    r.stats = {0.0125, 3, 5 << 20};
    return r;
}

TEST(ResultFormatTest, CsvQuotesWhatNeedsQuotingAndLeavesNullEmpty) {
    EXPECT_EQ(render(sample(), ResultFormat::csv),
              "symbol,px,ok,note\nAAPL,187.5,true,\"a, \"\"quoted\"\"\nline\"\nMSFT,,false,\n");
}

TEST(ResultFormatTest, JsonLinesKeepNumbersAndBooleansTyped) {
    EXPECT_EQ(render(sample(), ResultFormat::jsonl),
              "{\"symbol\":\"AAPL\",\"px\":187.5,\"ok\":true,\"note\":\"a, \\\"quoted\\\"\\nline\"}\n"
              "{\"symbol\":\"MSFT\",\"px\":null,\"ok\":false,\"note\":null}\n");
}

TEST(ResultFormatTest, TableAlignsColumnsAndRightAlignsNumbers) {
    QueryResult r;
    r.column_names = {"symbol", "n"};
    r.column_types = {"VARCHAR", "BIGINT"};
    r.rows = {{"AAPL", "5"}, {"BRK.B", "12345"}, {std::nullopt, "7"}};
    EXPECT_EQ(render(r, ResultFormat::table), "symbol      n\n------  -----\nAAPL        5\nBRK.B   12345\nNULL        7\n");
}

TEST(ResultFormatTest, StatsReadLikeAthenas) {
    EXPECT_EQ(describe_stats(sample()), "2 rows in 0.013 s, 3 files read, 5.0 MiB scanned");
    EXPECT_TRUE(result_format_for_path("out.csv"));
    EXPECT_FALSE(result_format_for_path("out.xlsx"));
    EXPECT_FALSE(parse_result_format("xml"));
}

} // namespace
} // namespace ticklake::query
