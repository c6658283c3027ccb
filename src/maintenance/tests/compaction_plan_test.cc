#include "maintenance/compaction_plan.h"

#include <gtest/gtest.h>

namespace ticklake {
namespace {

constexpr TimestampUs kNow = 10'000'000'000'000;
constexpr TimestampUs kHour = 3'600'000'000;

FileDef file(std::string key, std::string dt, uint64_t size, TimestampUs modified, int64_t rows = 10) {
    return {.key = std::move(key), .partition_values = {std::move(dt)}, .size = size, .modified = modified,
            .rows = rows};
}

const Columns kKeys = {{"dt", "string"}};

TEST(CompactionPlan, TakesQuietSmallParquetFilesOfPartitionsWithTwoOrMore) {
    const std::string d6 = "market/trades/dt=2025-01-06/";
    const std::string d7 = "market/trades/dt=2025-01-07/";
    std::vector<FileDef> files = {
        file(d6 + "t-p0-o00000000000000000000.parquet", "2025-01-06", 1000, kNow - 2 * kHour),
        file(d6 + "t-p1-o00000000000000000000.parquet", "2025-01-06", 1000, kNow - 2 * kHour),
        file(d6 + "t-p2-o00000000000000000000.parquet", "2025-01-06", 1000, kNow - 60'000'000), // not quiet
        file(d6 + "big.parquet", "2025-01-06", 200ull << 20, kNow - 2 * kHour),                   // large
        file(d6 + "x.jsonl", "2025-01-06", 10, kNow - 2 * kHour),                                 // not Parquet
        file(d7 + "t-p0-o00000000000000000050.parquet", "2025-01-07", 1000, kNow - 2 * kHour),    // alone
    };
    CompactionPolicy policy;
    auto plans = plan_compaction(files, kKeys, policy, kNow);
    ASSERT_EQ(plans.size(), 1u);
    EXPECT_EQ(plans[0].values, std::vector<std::string>{"2025-01-06"});
    EXPECT_EQ(plans[0].folder, d6);
    ASSERT_EQ(plans[0].inputs.size(), 2u);
    EXPECT_EQ(plans[0].rows, 20);
    EXPECT_EQ(plans[0].bytes, 2000u);

    policy.older_than_seconds = 0;
    plans = plan_compaction(files, kKeys, policy, kNow);
    ASSERT_EQ(plans.size(), 1u);
    EXPECT_EQ(plans[0].inputs.size(), 3u);

    policy.partition = "dt=2025-01-07";
    EXPECT_TRUE(plan_compaction(files, kKeys, policy, kNow).empty());
}

TEST(CompactionPlan, ACompactedPartitionIsCompactedAgainInItsOwnFolder) {
    const std::string d6 = "market/trades/dt=2025-01-06/";
    std::vector<FileDef> files = {
        file(d6 + "compacted-1700000000000000/part-0.parquet", "2025-01-06", 5000, kNow - 2 * kHour),
        file(d6 + "t-p3-o00000000000000000900.parquet", "2025-01-06", 100, kNow - 2 * kHour),
    };
    auto plans = plan_compaction(files, kKeys, {}, kNow);
    ASSERT_EQ(plans.size(), 1u);
    EXPECT_EQ(plans[0].folder, d6);
    files.erase(files.begin() + 1);
    files.push_back(file(d6 + "compacted-1700000000000001/part-0.parquet", "2025-01-06", 5000, kNow - 2 * kHour));
    plans = plan_compaction(files, kKeys, {}, kNow);
    ASSERT_EQ(plans.size(), 1u);
    EXPECT_EQ(plans[0].folder, d6);
}

TEST(CompactionPlan, SinkFileNamesGiveTheirKafkaPosition) {
    auto r = replaced_file_of(file("market/trades/dt=2025-01-06/ticks.v1-p12-o00000000000000000345.parquet",
                                   "2025-01-06", 1, 0, 7));
    ASSERT_TRUE(r.topic);
    EXPECT_EQ(*r.topic, "ticks.v1");
    EXPECT_EQ(r.kafka_partition, 12);
    EXPECT_EQ(r.first_offset, 345);
    EXPECT_EQ(r.rows, 7);
    auto other = replaced_file_of(file("market/trades/dt=2025-01-06/compacted-1/part-0.parquet", "2025-01-06", 1, 0));
    EXPECT_FALSE(other.topic);
    EXPECT_FALSE(other.first_offset);
}

TEST(CompactionPlan, PartitionSpecNamesEveryKey) {
    EXPECT_EQ(partition_spec({{"symbol", "string"}, {"dt", "string"}}, {"A", "2025-01-06"}), "symbol=A/dt=2025-01-06");
}

} // namespace
} // namespace ticklake
