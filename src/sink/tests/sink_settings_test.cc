// The sink's settings as written: where a group starts, the time partition, topics and
// patterns, tables per topic, explicit column types, and the closing summary.
#include "sink/sink_settings.h"

#include <gtest/gtest.h>

#include "sink/sink_pipeline.h"

namespace ticklake {
namespace {

TEST(SinkSettingsTest, StartFromEarliestLatestOrATime) {
    EXPECT_EQ(parse_start_from("earliest")->kind, StartFrom::Kind::earliest);
    EXPECT_EQ(parse_start_from("latest")->kind, StartFrom::Kind::latest);
    auto ms = parse_start_from("1736150400000");
    ASSERT_TRUE(ms);
    EXPECT_EQ(ms->kind, StartFrom::Kind::timestamp);
    EXPECT_EQ(ms->timestamp_ms, 1'736'150'400'000);
    auto iso = parse_start_from("2025-01-06T08:00:00Z");
    ASSERT_TRUE(iso);
    EXPECT_EQ(iso->timestamp_ms, 1'736'150'400'000);
    auto bad = parse_start_from("yesterday");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("--start-from 'yesterday'"), std::string::npos);
}

TEST(SinkSettingsTest, TimePartitions) {
    EXPECT_EQ(parse_time_partition("day").value(), TimePartition::day);
    EXPECT_EQ(parse_time_partition("month").value(), TimePartition::month);
    EXPECT_EQ(parse_time_partition("year").value(), TimePartition::year);
    EXPECT_EQ(parse_time_partition("auto").value(), TimePartition::automatic);
    EXPECT_EQ(parse_time_partition("none").value(), TimePartition::none);
    EXPECT_FALSE(parse_time_partition("week"));
    SinkPipelineOptions p;
    SinkSettings s;
    s.topics = {"bars"};
    ASSERT_TRUE(apply_sink_settings(s, p));
    EXPECT_EQ(p.sink.time_partition, TimePartition::automatic); // the default: no tiny files
}

TEST(SinkSettingsTest, TopicsPatternsTablesAndSizes) {
    SinkSettings s;
    s.topics = {"orders"};
    s.topic_regex = {"prices\\..*", "^fx"};
    s.tables = {"orders=Order Book", "prices.eu=eu"};
    s.columns = {"px=decimal(18,8)"};
    s.value_format = "json";
    s.rotate_mib = 2;
    s.until_idle = 5;
    SinkPipelineOptions p;
    ASSERT_TRUE(apply_sink_settings(s, p));
    EXPECT_EQ(p.sink.topics, (std::vector<std::string>{"orders", "^prices\\..*", "^fx"}));
    EXPECT_EQ(p.named_topics, std::vector<std::string>{"orders"}) << "patterns are not checked to exist";
    EXPECT_EQ(p.sink.table_for_topic.at("orders"), "order_book");
    EXPECT_EQ(p.sink.table_for_topic.at("prices.eu"), "eu");
    ASSERT_EQ(p.sink.columns.size(), 1u);
    EXPECT_EQ(p.sink.columns[0].field, "px");
    EXPECT_EQ(p.sink.rotate_bytes, 2u << 20);
    EXPECT_EQ(p.sink.until_idle_s, 5.0);
    EXPECT_EQ(p.start.kind, StartFrom::Kind::earliest);
}

TEST(SinkSettingsTest, RefusalsSayWhatToWrite) {
    auto refused = [](SinkSettings s) {
        SinkPipelineOptions p;
        auto st = apply_sink_settings(s, p);
        return st ? std::string() : st.error().message;
    };
    EXPECT_NE(refused(SinkSettings{}).find("name the topics to sink"), std::string::npos);
    SinkSettings one_table_many_topics;
    one_table_many_topics.topics = {"a", "b"};
    one_table_many_topics.tables = {"t"};
    EXPECT_NE(refused(one_table_many_topics).find("write TOPIC=t"), std::string::npos);
    SinkSettings bad_column;
    bad_column.topics = {"a"};
    bad_column.columns = {"px"};
    EXPECT_NE(refused(bad_column).find("write FIELD=TYPE"), std::string::npos);
    SinkSettings bad_format;
    bad_format.topics = {"a"};
    bad_format.value_format = "xml";
    EXPECT_FALSE(refused(bad_format).empty());
}

TEST(SinkSummaryTest, LinesAndJson) {
    SinkStats s;
    s.consumed = 10;
    s.rows_written = 9;
    s.files_written = 2;
    s.dead_letters = 1;
    s.rows_by_table = {{"trades", 9}};
    s.time_partition_by_table = {{"trades", "day"}};
    s.busy_seconds = 1.25;
    s.cpu_seconds = 0.75;
    const auto lines = sink_summary_lines(s, 1.5);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "sink: consumed 10 messages, wrote 9 rows in 2 files, 1 dead letters, 1.5 s");
    EXPECT_EQ(lines[1], "sink:   trades: 9 rows, time partition day");
    const std::string json = sink_summary_json(s, 1.5);
    EXPECT_EQ(json.back(), '\n');
    EXPECT_NE(json.find("\"consumed\":10,\"rows_written\":9"), std::string::npos) << json;
    EXPECT_NE(json.find("\"seconds\":1.500"), std::string::npos) << json;
    EXPECT_NE(json.find("\"busy_seconds\":1.250,\"cpu_s\":0.750,"), std::string::npos) << json;
    EXPECT_NE(json.find("\"rows_by_table\":{\"trades\":9},\"time_partition_by_table\":{\"trades\":\"day\"}}"),
              std::string::npos)
        << json;
}

} // namespace
} // namespace ticklake
