// The auto grain rule on the densities the issue names (ticks, daily bars over decades, a
// short sparse sample), the folders of each grain, and the kept decision's round trip.
#include "sink/time_partition.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

constexpr int64_t kHour = 3'600 * kMicrosPerSecond;
const TimestampUs kMonday = *parse_iso8601("2025-01-06T14:30:00Z");

GrainSample sample(uint64_t rows, TimestampUs from, TimestampUs to) { return {rows, from, to}; }

TEST(TimePartitionTest, IntradayTicksAtSimulatorRatesGoByDay) {
    // 1M events over one 6.5 h session spread over 6 Kafka partitions: ~167k per partition.
    EXPECT_EQ(choose_time_partition(sample(166'667, kMonday, kMonday + 13 * kHour / 2), 1'000'000),
              TimePartition::day);
    // Two sessions, ~420k rows per partition: still over the minimum per day.
    EXPECT_EQ(choose_time_partition(sample(420'000, kMonday, kMonday + 30 * kHour), 1'000'000), TimePartition::day);
}

TEST(TimePartitionTest, DenseTicksGoByHourOnlyWhenADayWouldBeCutAnyway) {
    // 5M rows in a session: a day's file would pass --rotate-rows, an hour holds ~770k.
    EXPECT_EQ(choose_time_partition(sample(5'000'000, kMonday, kMonday + 13 * kHour / 2), 1'000'000),
              TimePartition::hour);
    // The same rows with a larger rotation stay one file per day.
    EXPECT_EQ(choose_time_partition(sample(5'000'000, kMonday, kMonday + 13 * kHour / 2), 10'000'000),
              TimePartition::day);
}

TEST(TimePartitionTest, DecadesOfDailyBarsGoByNone) {
    // Five indexes 1965-2021 (~50,568 bars), one index per Kafka partition: ~10k bars over 56 years.
    const TimestampUs from = *parse_iso8601("1965-01-05T00:00:00Z");
    const TimestampUs to = *parse_iso8601("2021-06-02T00:00:00Z");
    EXPECT_EQ(choose_time_partition(sample(10'114, from, to), 1'000'000), TimePartition::none);
    // Five thousand symbols of daily bars over the same years: ~1.4M bars a year per partition.
    EXPECT_EQ(choose_time_partition(sample(80'000'000, from, to), 1'000'000), TimePartition::month);
    // Hundreds of symbols: a year holds the minimum, a month does not.
    EXPECT_EQ(choose_time_partition(sample(8'000'000, from, to), 1'000'000), TimePartition::year);
    // A few dozen: a decade does.
    EXPECT_EQ(choose_time_partition(sample(1'000'000, from, to), 1'000'000), TimePartition::decade);
}

TEST(TimePartitionTest, ASparseSampleWithinADayStaysByDay) {
    // 1,000 ticks in an hour: no grain reaches the minimum, and no grain coarser than a day
    // would merge anything seen, so the day default stands.
    EXPECT_EQ(choose_time_partition(sample(1'000, kMonday, kMonday + kHour), 1'000'000), TimePartition::day);
    EXPECT_EQ(choose_time_partition(sample(1, kMonday, kMonday), 1'000'000), TimePartition::day);
    // The same 1,000 rows over three days: a day's file would hold ~333, so one folder.
    EXPECT_EQ(choose_time_partition(sample(1'000, kMonday, kMonday + 72 * kHour), 1'000'000),
              TimePartition::none);
}

TEST(TimePartitionTest, FoldersOfEachGrain) {
    const TimestampUs ts = *parse_iso8601("1987-10-19T15:45:00Z");
    EXPECT_EQ(period_folder(TimePartition::hour, period_of(TimePartition::hour, ts)), "dt=1987-10-19/hour=15/");
    EXPECT_EQ(period_folder(TimePartition::day, period_of(TimePartition::day, ts)), "dt=1987-10-19/");
    EXPECT_EQ(period_folder(TimePartition::month, period_of(TimePartition::month, ts)), "month=1987-10/");
    EXPECT_EQ(period_folder(TimePartition::year, period_of(TimePartition::year, ts)), "year=1987/");
    EXPECT_EQ(period_folder(TimePartition::decade, period_of(TimePartition::decade, ts)), "decade=1980/");
    EXPECT_EQ(period_folder(TimePartition::none, period_of(TimePartition::none, ts)), "");
    // Before 1970: periods floor, they do not truncate toward zero.
    const TimestampUs old = *parse_iso8601("1965-12-31T23:30:00Z");
    EXPECT_EQ(period_folder(TimePartition::hour, period_of(TimePartition::hour, old)), "dt=1965-12-31/hour=23/");
    EXPECT_EQ(period_folder(TimePartition::decade, period_of(TimePartition::decade, old)), "decade=1960/");
    EXPECT_TRUE(dt_in_path(TimePartition::hour));
    EXPECT_TRUE(dt_in_path(TimePartition::day));
    EXPECT_FALSE(dt_in_path(TimePartition::year));
    EXPECT_FALSE(dt_in_path(TimePartition::none));
}

TEST(TimePartitionTest, GrainOfExistingKeys) {
    EXPECT_EQ(grain_of_key("dt=2025-01-06/t-p0-o1.parquet"), TimePartition::day);
    EXPECT_EQ(grain_of_key("symbol=A/dt=2025-01-06/hour=03/t.parquet"), TimePartition::hour);
    EXPECT_EQ(grain_of_key("month=2025-01/t.parquet"), TimePartition::month);
    EXPECT_EQ(grain_of_key("region=eu/year=2025/t.parquet"), TimePartition::year);
    EXPECT_EQ(grain_of_key("decade=1960/t.parquet"), TimePartition::decade);
    EXPECT_EQ(grain_of_key("t-p0-o1.parquet"), TimePartition::none);
    EXPECT_EQ(grain_of_key("odt=1/t.parquet"), TimePartition::none); // a folder named like it is not it
}

TEST(TimePartitionTest, KeptDecisionRoundTrips) {
    TableTimePartition t{TimePartition::decade, "auto", sample(12'345, kMonday - 40 * kHour, kMonday)};
    auto back = TableTimePartition::from_json(t.to_json());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->grain, TimePartition::decade);
    EXPECT_EQ(back->chosen_by, "auto");
    EXPECT_EQ(back->sample.rows, 12'345u);
    EXPECT_EQ(back->sample.min_ts, kMonday - 40 * kHour);
    EXPECT_EQ(back->sample.max_ts, kMonday);
    EXPECT_FALSE(TableTimePartition::from_json("{\"time_partition\":\"auto\"}"));
    EXPECT_FALSE(TableTimePartition::from_json("not json"));
    EXPECT_EQ(table_time_partition_key("market", "bars"), "_ticklake/tables/market/bars/time_partition.json");
}

} // namespace
} // namespace ticklake
