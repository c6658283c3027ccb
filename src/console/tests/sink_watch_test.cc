#include "console/sink_watch.h"

#include <gtest/gtest.h>

namespace ticklake::console {
namespace {

TEST(PrometheusText, KeepsThePrefixedSamplesWithLabels) {
    const std::string text =
        "# HELP ticklake_sink_messages_consumed_total messages\n"
        "# TYPE ticklake_sink_messages_consumed_total counter\n"
        "ticklake_sink_messages_consumed_total 1500\n"
        "ticklake_sink_consumer_lag_messages{topic=\"t\",partition=\"0\"} 7\n"
        "ticklake_sink_dead_letters_total{reason=\"a \\\"quoted\\\" one\"} 2 1700000000000\n"
        "ticklake_sink_commit_duration_seconds_bucket{le=\"0.1\"} 3\n"
        "ticklake_sink_commit_duration_seconds_sum 0.25\n"
        "process_cpu_seconds_total 3\n"
        "ticklake_sink_broken{x=\"1\" 4\n";
    auto s = parse_prometheus_text(text, "ticklake_sink_");
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].name, "ticklake_sink_messages_consumed_total");
    EXPECT_EQ(s[0].value, 1500);
    EXPECT_EQ(s[1].labels.at("partition"), "0");
    EXPECT_EQ(s[1].value, 7);
    EXPECT_EQ(s[2].labels.at("reason"), "a \"quoted\" one");
    EXPECT_EQ(s[2].value, 2);
    EXPECT_EQ(s[3].name, "ticklake_sink_commit_duration_seconds_sum");
}

TEST(ScrapeSinks, ADeadSinkIsAnErrorNotAFailure) {
    auto s = scrape_sinks({"http://127.0.0.1:1/metrics"});
    ASSERT_EQ(s.size(), 1u);
    EXPECT_FALSE(s[0].error.empty());
    EXPECT_NE(sinks_json(s).find("\"url\":\"http://127.0.0.1:1/metrics\""), std::string::npos);
}

} // namespace
} // namespace ticklake::console
