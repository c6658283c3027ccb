#include "common/kafka_position.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <type_traits>
#include <unordered_set>

namespace ticklake {
namespace {

// The point of the types: raw numbers and strings do not slip in, and one kind does not pass
// for another. Each of these would compile if the types were aliases of their raw values.
static_assert(!std::is_convertible_v<int64_t, Offset>);
static_assert(!std::is_convertible_v<int32_t, Offset>);
static_assert(!std::is_convertible_v<int32_t, Partition>);
static_assert(!std::is_convertible_v<int64_t, Partition>);
static_assert(!std::is_convertible_v<Partition, Offset>);
static_assert(!std::is_convertible_v<Offset, Partition>);
static_assert(!std::is_convertible_v<Offset, int64_t>);
static_assert(!std::is_convertible_v<Partition, int32_t>);
static_assert(!std::is_convertible_v<std::string, Topic>);
static_assert(!std::is_convertible_v<std::string_view, Topic>);
static_assert(!std::is_convertible_v<const char*, Topic>);
static_assert(!std::is_convertible_v<Topic, std::string>);
static_assert(!std::is_constructible_v<Offset, Partition>);
static_assert(!std::is_constructible_v<Partition, Offset>);
// A topic, then a partition: in the other order a pair does not build.
static_assert(std::is_constructible_v<TopicPartition, Topic, Partition>);
static_assert(!std::is_constructible_v<TopicPartition, Partition, Topic>);
static_assert(!std::is_constructible_v<TopicPartition, std::string, int32_t>);
// Cheap to pass by value, as the raw integers were.
static_assert(sizeof(Partition) == sizeof(int32_t) && std::is_trivially_copyable_v<Partition>);
static_assert(sizeof(Offset) == sizeof(int64_t) && std::is_trivially_copyable_v<Offset>);

TEST(KafkaPosition, OffsetsCompareAndStepLikeTheirNumbers) {
    EXPECT_LT(Offset(3), Offset(4));
    EXPECT_EQ(Offset(41).next(), Offset(42));
    EXPECT_EQ(Offset(41).next().value(), 42);
    EXPECT_EQ(Offset(), Offset::none());
    EXPECT_FALSE(Offset().valid());
    EXPECT_FALSE(Offset(-2).valid()); // librdkafka's OFFSET_BEGINNING
    EXPECT_TRUE(Offset(0).valid());
    EXPECT_LT(Offset::none(), Offset(0)); // "no offset" sorts before every real one
}

TEST(KafkaPosition, TopicsKeepTheirNameAndOrderByIt) {
    const Topic t("ticks");
    EXPECT_EQ(t.view(), "ticks");
    EXPECT_EQ(t.str(), "ticks");
    EXPECT_STREQ(t.c_str(), "ticks");
    EXPECT_TRUE(Topic().empty());
    EXPECT_EQ(Topic(std::string("a")), Topic(std::string_view("a")));
    EXPECT_LT(Topic("a"), Topic("b"));
}

TEST(KafkaPosition, TopicPartitionsOrderByTopicThenPartition) {
    std::map<TopicPartition, int> m;
    m[{Topic("b"), Partition(0)}] = 3;
    m[{Topic("a"), Partition(10)}] = 2;
    m[{Topic("a"), Partition(2)}] = 1;
    std::vector<int> order;
    for (const auto& [tp, v] : m) {
        order.push_back(v);
    }
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3})); // 2 before 10: numbers, not text
}

TEST(KafkaPosition, HashesTellPartitionsApartAndAgreeWithEquality) {
    std::unordered_set<TopicPartition> seen;
    for (int p = 0; p < 64; ++p) {
        seen.insert({Topic("ticks"), Partition(p)});
        seen.insert({Topic("bars"), Partition(p)});
    }
    seen.insert({Topic("ticks"), Partition(7)}); // already there
    EXPECT_EQ(seen.size(), 128u);
    EXPECT_TRUE(seen.contains({Topic("bars"), Partition(63)}));
    EXPECT_FALSE(seen.contains({Topic("bars"), Partition(64)}));
    EXPECT_EQ(std::hash<Offset>{}(Offset(5)), std::hash<Offset>{}(Offset(5)));
    EXPECT_EQ(std::hash<Topic>{}(Topic("x")), std::hash<Topic>{}(Topic(std::string("x"))));
}

TEST(KafkaPosition, FormatAsTheirRawValues) {
    // Keys and logs were written with the raw numbers; they must read the same.
    EXPECT_EQ(fmt::format("{}-p{}-o{:020d}", Topic("t"), Partition(3), Offset(42)), "t-p3-o00000000000000000042");
    EXPECT_EQ(fmt::format("{}", Offset::none()), "-1");
    EXPECT_EQ(fmt::format("{:>6}", Topic("ab")), "    ab");
    EXPECT_EQ(fmt::format("{}", TopicPartition{Topic("ticks"), Partition(2)}), "ticks/2");
    std::ostringstream os;
    os << TopicPartition{Topic("ticks"), Partition(2)} << ' ' << Offset(9);
    EXPECT_EQ(os.str(), "ticks/2 9");
}

TEST(KafkaPosition, OriginIsReadBackFromASinkFileName) {
    auto o = kafka_origin_of_key("market/trades/dt=2025-01-06/my-topic-p12-o00000000000000004242.parquet");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->topic, Topic("my-topic"));
    EXPECT_EQ(o->partition, Partition(12));
    EXPECT_EQ(o->first_offset, Offset(4242));
    EXPECT_TRUE(kafka_origin_of_key("t-p0-o00000000000000000000.jsonl.gz"));
    EXPECT_FALSE(kafka_origin_of_key("market/trades/dt=2025-01-06/part-0.parquet"));
    EXPECT_FALSE(kafka_origin_of_key("t-px-o00000000000000000001.parquet"));
    EXPECT_FALSE(kafka_origin_of_key("t-p1-o42.parquet")); // not the sink's 20 digits
}

} // namespace
} // namespace ticklake
