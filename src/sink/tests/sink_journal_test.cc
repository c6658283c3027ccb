#include "sink/sink_journal.h"

#include <algorithm>
#include <cstdint>
#include <gtest/gtest.h>

#include "sink/sink_runner.h"

namespace ticklake {

TEST(SinkJournal, RoundTripsKeysWithQuotesBackslashesAndUnicode) {
    SinkJournal j;
    j.start = Offset(1'234'567'890'123);
    j.end = Offset(1'234'567'890'999);
    j.keys = {"market/trades/dt=2025-01-06/t-p0-o00000000000000000001.parquet",
              "market/odd \"quoted\"/back\\slash/tab\there.parquet", "market/ünïcödé/€/😀.jsonl", "", "ctl\x01\n"};
    const std::string json = j.to_json();
    auto back = SinkJournal::from_json(json);
    ASSERT_TRUE(back) << back.error().message << " in " << json;
    EXPECT_EQ(back->start, j.start);
    EXPECT_EQ(back->end, j.end);
    EXPECT_EQ(back->keys, j.keys);
}

TEST(SinkJournal, EmptyKeyListRoundTrips) {
    SinkJournal j;
    j.start = Offset(0);
    j.end = Offset(0);
    auto back = SinkJournal::from_json(j.to_json());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_TRUE(back->keys.empty());
}

TEST(SinkJournal, GarbageIsAFatalError) {
    for (const char* bad : {"", "not json", "{\"start\":1,\"end\":2}", "{\"start\":\"1\",\"end\":2,\"keys\":[]}",
                            "{\"start\":1,\"end\":2,\"keys\":[1,2]}", "{\"start\":1,\"end\":2,\"keys\":\"a\"}",
                            "[1,2,3]", "{\"start\":1,\"end\":2,\"keys\":[\"a\""}) {
        auto j = SinkJournal::from_json(bad);
        ASSERT_FALSE(j) << "accepted: " << bad;
        EXPECT_EQ(j.error().kind, ErrorKind::fatal) << bad;
        EXPECT_FALSE(j.error().message.empty());
    }
}

TEST(SinkJournal, KeyNamesGroupTopicAndPartition) {
    EXPECT_EQ(sink_journal_key("g1", Topic("ticks"), Partition(3)), "_ticklake/sink/g1/ticks/p3.json");
    EXPECT_EQ(sink_journal_key("g", Topic("t"), Partition(0)), "_ticklake/sink/g/t/p0.json");
    const Topic t("t");
    EXPECT_NE(sink_journal_key("g", t, Partition(1)), sink_journal_key("g", t, Partition(11)));
    EXPECT_NE(sink_journal_key("a", t, Partition(1)), sink_journal_key("b", t, Partition(1)));
}

TEST(SinkFileName, TwentyDigitOffsetTopicAndPartition) {
    EXPECT_EQ(sink_file_name(Topic("ticks"), Partition(2), Offset(42), "parquet"),
              "ticks-p2-o00000000000000000042.parquet");
    EXPECT_EQ(sink_file_name(Topic("a-b"), Partition(11), Offset(0), "jsonl"), "a-b-p11-o00000000000000000000.jsonl");
    EXPECT_EQ(sink_file_name(Topic("t"), Partition(0), Offset(INT64_MAX), "csv"), "t-p0-o09223372036854775807.csv");
}

TEST(SinkFileName, SortsByOffset) {
    const std::vector<int64_t> offsets = {100, 9, 10, 0, 99'999, 5, 123'456'789'012, 1'000'000};
    std::vector<std::string> names;
    for (int64_t o : offsets) {
        names.push_back(sink_file_name(Topic("ticks"), Partition(1), Offset(o), "parquet"));
    }
    std::sort(names.begin(), names.end());
    std::vector<int64_t> sorted = offsets;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i) {
        EXPECT_EQ(names[i], sink_file_name(Topic("ticks"), Partition(1), Offset(sorted[i]), "parquet"));
    }
}

} // namespace ticklake
