#include "common/metrics.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ticklake::metrics {

TEST(MetricsText, CounterWithLabelsHasHelpTypeAndEscapedValues) {
    Registry r;
    auto& f = r.counter("ticklake_test_rows_total", "Rows \\ written\nper table", {"table"});
    f.labels({"trades"}).inc(3);
    f.labels({"we\"ird\\na\nme"}).inc();
    EXPECT_EQ(r.render(),
              "# HELP ticklake_test_rows_total Rows \\\\ written\\nper table\n"
              "# TYPE ticklake_test_rows_total counter\n"
              "ticklake_test_rows_total{table=\"trades\"} 3\n"
              "ticklake_test_rows_total{table=\"we\\\"ird\\\\na\\nme\"} 1\n");
}

TEST(MetricsText, HistogramBucketsAreCumulativeWithInfSumAndCount) {
    Registry r;
    auto& h = r.histogram("ticklake_test_seconds", "Latency", {0.1, 1, 2.5}, {"op"}).labels({"commit"});
    h.observe(0.05);
    h.observe(0.1); // on a bound: counts in that bucket (le = less or equal)
    h.observe(2);
    h.observe(100, 2);
    EXPECT_EQ(r.render(),
              "# HELP ticklake_test_seconds Latency\n"
              "# TYPE ticklake_test_seconds histogram\n"
              "ticklake_test_seconds_bucket{op=\"commit\",le=\"0.1\"} 2\n"
              "ticklake_test_seconds_bucket{op=\"commit\",le=\"1\"} 2\n"
              "ticklake_test_seconds_bucket{op=\"commit\",le=\"2.5\"} 3\n"
              "ticklake_test_seconds_bucket{op=\"commit\",le=\"+Inf\"} 5\n"
              "ticklake_test_seconds_sum{op=\"commit\"} 202.15\n"
              "ticklake_test_seconds_count{op=\"commit\"} 5\n");
}

TEST(MetricsText, GaugesWithoutLabelsAndSpecialValues) {
    Registry r;
    r.gauge("b_gauge", "B").get().set(-2.5);
    r.gauge("a_gauge", "A").get().set(std::numeric_limits<double>::infinity());
    r.gauge("c_gauge", "C").get().set(std::nan(""));
    // Families in name order, whatever the order they were made in.
    EXPECT_EQ(r.render(),
              "# HELP a_gauge A\n# TYPE a_gauge gauge\na_gauge +Inf\n"
              "# HELP b_gauge B\n# TYPE b_gauge gauge\nb_gauge -2.5\n"
              "# HELP c_gauge C\n# TYPE c_gauge gauge\nc_gauge NaN\n");
    EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_value(1e21), "1e+21");
    EXPECT_EQ(format_value(3), "3");
}

TEST(MetricsRegistry, SameNameSameFamilyOtherTypeRefused) {
    Registry r;
    auto& a = r.counter("x_total", "X", {"k"});
    auto& b = r.counter("x_total", "X", {"k"});
    EXPECT_EQ(&a, &b);
    EXPECT_EQ(&a.labels({"v"}), &b.labels({"v"}));
    EXPECT_THROW(r.gauge("x_total", "X", {"k"}), std::logic_error);
    EXPECT_THROW(r.counter("x_total", "X", {"other"}), std::logic_error);
    EXPECT_THROW(a.labels({"v", "w"}), std::logic_error);
    EXPECT_THROW(Histogram({1, 0.5}), std::logic_error);
}

TEST(MetricsRegistry, RemovedChildIsNoLongerRendered) {
    Registry r;
    auto& lag = r.gauge("lag", "L", {"partition"});
    lag.labels({"0"}).set(5);
    lag.labels({"1"}).set(7);
    lag.remove({"0"});
    EXPECT_EQ(r.render(), "# HELP lag L\n# TYPE lag gauge\nlag{partition=\"1\"} 7\n");
}

TEST(MetricsRegistry, CounterSetTotalNeverGoesBack) {
    Counter c;
    c.set_total(10);
    c.set_total(7);
    EXPECT_EQ(c.value(), 10u);
    c.inc(2);
    EXPECT_EQ(c.value(), 12u);
}

TEST(MetricsRegistry, ConcurrentUpdatesAreAllCounted) {
    Registry r;
    auto& c = r.counter("n_total", "N").get();
    auto& h = r.histogram("h_seconds", "H", {1}).get();
    auto& g = r.gauge("g", "G").get();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 100000; ++i) {
                c.inc();
                h.observe(0.5);
                g.add(1);
            }
        });
    }
    std::string rendered;
    for (int i = 0; i < 20; ++i) {
        rendered = r.render(); // while they run
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_FALSE(rendered.empty());
    EXPECT_EQ(c.value(), 400000u);
    EXPECT_EQ(h.snapshot().count, 400000u);
    EXPECT_EQ(h.snapshot().cumulative.front(), 400000u);
    EXPECT_EQ(g.value(), 400000.0);
}

} // namespace ticklake::metrics
