// The pruning plan from real DuckDB parse trees, and its decisions on file keys: every file
// that could hold a matching row is kept (soundness), the others are dropped.
#include "query/partition_pruning.h"

#include <gtest/gtest.h>

#include "common/timestamp.h"
#include "query/query_session.h"

namespace ticklake::query {
namespace {

PruningPlan plan(const std::string& sql) {
    auto json = parse_tree_json(sql);
    EXPECT_TRUE(json) << json.error().message;
    auto p = pruning_plan_from_parse_tree(json ? *json : "{}");
    EXPECT_TRUE(p) << p.error().message;
    return p ? *p : PruningPlan{};
}

std::vector<std::string> kept(const std::string& sql, const std::string& table = "market.trades") {
    const std::vector<std::string> keys = {
        "market/trades/dt=2025-01-05/a.parquet", "market/trades/dt=2025-01-06/b.parquet",
        "market/trades/dt=2025-01-07/c.parquet", "market/trades/dt=2025-01-08/d.parquet",
        "market/trades/other/e.parquet" /* no dt folder: always kept */};
    const auto p = plan(sql);
    auto it = p.find(table);
    std::vector<std::string> out;
    for (const auto& k : keys) {
        if (it == p.end() || file_may_match(k, it->second)) {
            out.push_back(k.substr(14, k.find('/', 14) - 14));
        }
    }
    return out;
}

using V = std::vector<std::string>;

TEST(PartitionPruningTest, EqualityRangesAndListsOnDt) {
    EXPECT_EQ(kept("SELECT * FROM market.trades WHERE dt = DATE '2025-01-06'"), (V{"dt=2025-01-06", "other"}));
    EXPECT_EQ(kept("SELECT * FROM market.trades WHERE dt = '2025-01-06' AND symbol = 'AAPL'"),
              (V{"dt=2025-01-06", "other"}));
    EXPECT_EQ(kept("SELECT * FROM market.trades WHERE dt BETWEEN '2025-01-06' AND '2025-01-07'"),
              (V{"dt=2025-01-06", "dt=2025-01-07", "other"}));
    EXPECT_EQ(kept("SELECT * FROM market.trades WHERE dt >= '2025-01-07'"), (V{"dt=2025-01-07", "dt=2025-01-08", "other"}));
    EXPECT_EQ(kept("SELECT * FROM market.trades WHERE '2025-01-06' > dt"), (V{"dt=2025-01-05", "other"}));
    EXPECT_EQ(kept("SELECT * FROM market.trades t WHERE t.dt IN ('2025-01-05', '2025-01-08') AND price > 1"),
              (V{"dt=2025-01-05", "dt=2025-01-08", "other"}));
    EXPECT_EQ(kept("SELECT count(*) FROM market.trades WHERE (dt = '2025-01-06' AND size > 0) AND dt < '2025-01-07'"),
              (V{"dt=2025-01-06", "other"}));
}

TEST(PartitionPruningTest, AnythingNotUnderstoodKeepsEveryFile) {
    const V all = {"dt=2025-01-05", "dt=2025-01-06", "dt=2025-01-07", "dt=2025-01-08", "other"};
    EXPECT_EQ(kept("SELECT * FROM market.trades"), all);
    EXPECT_EQ(kept("SELECT * FROM market.trades WHERE dt = '2025-01-06' OR symbol = 'X'"), all);
    EXPECT_EQ(kept("SELECT * FROM market.trades WHERE dt + 1 = DATE '2025-01-07'"), all);
    EXPECT_EQ(kept("SELECT * FROM market.trades WHERE dt = (SELECT max(dt) FROM market.quotes)"), all);
    // The table read twice: the subquery needs every day.
    EXPECT_EQ(kept("SELECT *, (SELECT count(*) FROM market.trades) FROM market.trades WHERE dt = '2025-01-06'"), all);
    EXPECT_EQ(kept("WITH x AS (SELECT * FROM market.trades) SELECT * FROM x WHERE dt = '2025-01-06'"), all);
    EXPECT_EQ(kept("SELECT * FROM market.trades WHERE dt = '2025-01-06' UNION ALL SELECT * FROM market.trades"), all);
    EXPECT_EQ(kept("SELECT * FROM market.trades x WHERE other.dt = '2025-01-06'"), all) << "another table's dt";
    EXPECT_EQ(kept("SELECT * FROM market.trades WHERE dt = TIMESTAMP '2025-01-06 10:00:00'"), all)
        << "text of another shape is not compared";
    EXPECT_TRUE(plan("COPY x TO 'y'").empty());
    EXPECT_TRUE(plan("SELECT 1; SELECT 2").empty());
}

TEST(PartitionPruningTest, NumericPartitionValuesCompareAsNumbers) {
    const std::vector<PartitionCondition> ge9 = {{"year", PartitionCondition::Op::ge, {"9"}}};
    EXPECT_TRUE(file_may_match("bars/daily/year=10/f.parquet", ge9));
    EXPECT_FALSE(file_may_match("bars/daily/year=8/f.parquet", ge9));
    const std::vector<PartitionCondition> other = {{"month", PartitionCondition::Op::eq, {"2025-01"}}};
    EXPECT_TRUE(file_may_match("bars/daily/year=8/f.parquet", other)) << "no such partition: kept";
}

// Grains coarser than a day write dt as a column and their folders as month=, year= or
// decade=: a dt condition keeps exactly the folders whose dates can meet it.
TEST(PartitionPruningTest, DtConditionsPruneCoarserTimeFolders) {
    const std::vector<std::string> keys = {"month=1987-09/a.parquet", "month=1987-10/b.parquet",
                                           "year=1986/c.parquet",     "year=1987/d.parquet",
                                           "decade=1970/e.parquet",   "decade=1980/f.parquet",
                                           "g.parquet" /* none: no time folder, kept */};
    auto kept_for = [&](const std::string& sql) {
        const auto p = plan(sql);
        auto it = p.find("market.bars");
        V out;
        for (const auto& k : keys) {
            if (it == p.end() || file_may_match("market/bars/" + k, it->second)) {
                out.push_back(k.substr(0, k.find('/')));
            }
        }
        return out;
    };
    EXPECT_EQ(kept_for("SELECT * FROM market.bars WHERE dt = DATE '1987-10-19'"),
              (V{"month=1987-10", "year=1987", "decade=1980", "g.parquet"}));
    EXPECT_EQ(kept_for("SELECT * FROM market.bars WHERE dt < DATE '1987-01-01'"),
              (V{"year=1986", "decade=1970", "decade=1980", "g.parquet"}));
    EXPECT_EQ(kept_for("SELECT * FROM market.bars WHERE dt >= '1987-10-01'"),
              (V{"month=1987-10", "year=1987", "decade=1980", "g.parquet"}));
    EXPECT_EQ(kept_for("SELECT * FROM market.bars WHERE dt IN ('1979-12-31', '1986-05-01')"),
              (V{"year=1986", "decade=1970", "decade=1980", "g.parquet"}));
    EXPECT_EQ(kept_for("SELECT * FROM market.bars WHERE dt = TIMESTAMP '1987-10-19 10:00:00'"),
              (V{"month=1987-09", "month=1987-10", "year=1986", "year=1987", "decade=1970", "decade=1980", "g.parquet"}))
        << "text of another shape is not compared";
}

TEST(PartitionPruningTest, EventTimeRangesSkipFilesOnlyWhenTheConditionBoundsTs) {
    const int64_t h10 = *parse_iso8601("2025-01-06T10:00:00Z");
    const int64_t h11 = *parse_iso8601("2025-01-06T11:00:00Z");
    auto may = [&](const std::string& where) {
        const auto p = plan("SELECT * FROM market.trades WHERE " + where);
        auto it = p.find("market.trades");
        return it == p.end() || time_range_may_match(h10, h11, it->second);
    };
    EXPECT_TRUE(may("ts >= TIMESTAMP '2025-01-06 10:30:00'"));
    EXPECT_FALSE(may("ts >= TIMESTAMP '2025-01-06 11:00:01'"));
    EXPECT_TRUE(may("ts >= TIMESTAMP '2025-01-06 11:00:00'"));
    EXPECT_FALSE(may("ts > TIMESTAMP '2025-01-06 11:00:00'"));
    EXPECT_FALSE(may("ts < '2025-01-06 10:00:00'"));
    EXPECT_TRUE(may("ts <= '2025-01-06 10:00:00'"));
    EXPECT_FALSE(may("ts BETWEEN '2025-01-06 12:00' AND '2025-01-06 13:00' AND symbol = 'A'"));
    EXPECT_FALSE(may("ts = TIMESTAMP '2025-01-05 10:30:00'"));
    EXPECT_TRUE(may("ts IN (TIMESTAMP '2025-01-05 10:30:00', TIMESTAMP '2025-01-06 10:30:00')"));
    // DuckDB drops an offset when it casts to TIMESTAMP, and applies it for TIMESTAMPTZ.
    EXPECT_TRUE(may("ts <= '2025-01-06 11:30:00+02:00'")) << "a stated offset decides nothing";
    EXPECT_TRUE(may("ts >= '2025-01-06T12:00:00Z'"));
    // Not bounded, or not understood: the file stays.
    EXPECT_TRUE(may("symbol = 'A'"));
    EXPECT_TRUE(may("ts >= 1736160000"));
    EXPECT_TRUE(may("ts >= now() - INTERVAL 1 HOUR"));
    EXPECT_TRUE(may("ts > '2025-01-07' OR symbol = 'A'"));
    const auto p = plan("SELECT * FROM market.trades WHERE ts > '2025-01-07'");
    EXPECT_TRUE(time_range_may_match(std::nullopt, std::nullopt, p.at("market.trades"))) << "unknown range";
}

} // namespace
} // namespace ticklake::query

namespace ticklake::query {
namespace {

std::optional<std::set<std::string>> columns_of(const std::string& sql) {
    auto json = parse_tree_json(sql);
    EXPECT_TRUE(json) << json.error().message;
    return referenced_columns(json ? *json : "{}");
}

TEST(ReferencedColumns, NamesEveryColumnOrGivesUp) {
    using S = std::set<std::string>;
    EXPECT_EQ(columns_of("SELECT count(*) FROM market.trades WHERE Symbol = 'A' AND dt = DATE '2025-01-06'"),
              (S{"symbol", "dt"}));
    EXPECT_EQ(columns_of("SELECT t.price FROM market.trades t ORDER BY ts"), (S{"t", "price", "ts"}));
    EXPECT_EQ(columns_of("SELECT * FROM market.trades"), std::nullopt);
    EXPECT_EQ(columns_of("SELECT COLUMNS('p.*') FROM market.trades"), std::nullopt);
    EXPECT_EQ(columns_of("SELECT t FROM market.trades t"), std::nullopt); // the whole row
    EXPECT_EQ(columns_of("SELECT * FROM ohlcv('market.trades', INTERVAL 1 MINUTE)"), std::nullopt);
    EXPECT_EQ(columns_of("SELECT 1; SELECT 2"), std::nullopt);
}

TEST(PartitionConditions, ConstantsCarryTheirKindAndDecimalsAreNotText) {
    const auto p = plan("SELECT 1 FROM market.trades WHERE symbol = 'AAPL' AND ts >= TIMESTAMP '2025-01-06 10:00' "
                        "AND size > 3 AND price > 2.5 AND dt BETWEEN DATE '2025-01-06' AND DATE '2025-01-07'");
    ASSERT_EQ(p.count("market.trades"), 1u);
    const auto& c = p.at("market.trades");
    ASSERT_EQ(c.size(), 5u); // price > 2.5 is left out: DuckDB's JSON holds 25 and a scale
    EXPECT_EQ(c[0].kind, PartitionCondition::Kind::text);
    EXPECT_EQ(c[1].kind, PartitionCondition::Kind::time);
    EXPECT_EQ(c[1].values[0], "2025-01-06 10:00");
    EXPECT_EQ(c[2].kind, PartitionCondition::Kind::integer);
    EXPECT_EQ(c[3].column, "dt");
    // A table function may read the table again: no conditions at all.
    EXPECT_TRUE(plan("SELECT 1 FROM market.trades WHERE symbol = 'A' AND price > (SELECT max(close) FROM "
                     "ohlcv('market.trades', INTERVAL 1 MINUTE))").empty());
}

} // namespace
} // namespace ticklake::query
