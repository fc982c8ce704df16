#include "telemetry/metrics.h"

#include <gtest/gtest.h>

#include <limits>

namespace trailwatch::telemetry {
namespace {

TEST(MetricsTest, RendersCountersAndGaugesInTextFormat) {
  Metrics metrics;
  metrics.Describe("trailwatch_events_total", "counter", "Events received, per source.");
  metrics.Describe("trailwatch_outbox_lag_seconds", "gauge", "Age of the oldest alert.");
  metrics.Add("trailwatch_events_total", {{"source", "http:127.0.0.1:8080"}}, 3);
  metrics.Add("trailwatch_events_total", {{"source", "http:127.0.0.1:8080"}});
  metrics.Add("trailwatch_events_total", {{"source", "directory:./logs"}}, 2);
  metrics.Set("trailwatch_outbox_lag_seconds", {}, 1.5);
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP trailwatch_events_total Events received, per source.\n"
            "# TYPE trailwatch_events_total counter\n"
            "trailwatch_events_total{source=\"directory:./logs\"} 2\n"
            "trailwatch_events_total{source=\"http:127.0.0.1:8080\"} 4\n"
            "# HELP trailwatch_outbox_lag_seconds Age of the oldest alert.\n"
            "# TYPE trailwatch_outbox_lag_seconds gauge\n"
            "trailwatch_outbox_lag_seconds 1.5\n");
  EXPECT_EQ(metrics.Get("trailwatch_events_total", {{"source", "http:127.0.0.1:8080"}}), 4);
  EXPECT_EQ(metrics.Get("trailwatch_events_total", {{"source", "nowhere"}}), 0);
  EXPECT_EQ(metrics.Get("never_set"), 0);
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Metrics metrics;
  metrics.Describe("m", "counter", "line\\one\nline two");
  metrics.Add("m", {{"rule", "a\"b\\c\nd"}});
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP m line\\\\one\\nline two\n"
            "# TYPE m counter\n"
            "m{rule=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsTest, UndescribedMetricIsUntyped) {
  Metrics metrics;
  metrics.Set("g", {{"a", "1"}, {"b", "2"}}, 7);
  EXPECT_EQ(metrics.RenderPrometheus(), "# TYPE g untyped\ng{a=\"1\",b=\"2\"} 7\n");
}

}  // namespace
}  // namespace trailwatch::telemetry

namespace trailwatch::telemetry {
namespace {

TEST(MetricsHistogramTest, RendersCumulativeBucketsSumAndCount) {
  Metrics metrics;
  metrics.DescribeHistogram("lat_seconds", "Latency.", {0.1, 1, 0.5});
  metrics.Observe("lat_seconds", {{"source", "a"}}, 0.05);
  metrics.Observe("lat_seconds", {{"source", "a"}}, 0.5);  // le is "less than or equal"
  metrics.Observe("lat_seconds", {{"source", "a"}}, 7);
  metrics.Observe("lat_seconds", {}, 1);
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{le=\"0.1\"} 0\n"
            "lat_seconds_bucket{le=\"0.5\"} 0\n"
            "lat_seconds_bucket{le=\"1\"} 1\n"
            "lat_seconds_bucket{le=\"+Inf\"} 1\n"
            "lat_seconds_sum 1\n"
            "lat_seconds_count 1\n"
            "lat_seconds_bucket{source=\"a\",le=\"0.1\"} 1\n"
            "lat_seconds_bucket{source=\"a\",le=\"0.5\"} 2\n"
            "lat_seconds_bucket{source=\"a\",le=\"1\"} 2\n"
            "lat_seconds_bucket{source=\"a\",le=\"+Inf\"} 3\n"
            "lat_seconds_sum{source=\"a\"} 7.55\n"
            "lat_seconds_count{source=\"a\"} 3\n");
  EXPECT_EQ(metrics.HistogramCount("lat_seconds", {{"source", "a"}}), 3u);
  EXPECT_DOUBLE_EQ(metrics.HistogramSum("lat_seconds", {{"source", "a"}}), 7.55);
  EXPECT_EQ(metrics.HistogramCount("lat_seconds", {{"source", "b"}}), 0u);
}

TEST(MetricsHistogramTest, ObservingAnUndescribedHistogramDoesNothing) {
  Metrics metrics;
  metrics.Observe("nothing_seconds", {}, 1);
  metrics.Describe("gauge", "gauge", "A gauge.");
  metrics.Observe("gauge", {}, 1);
  EXPECT_EQ(metrics.RenderPrometheus(), "");
  EXPECT_EQ(metrics.HistogramCount("nothing_seconds"), 0u);
}

TEST(MetricsTest, FamiliesWithoutSeriesAreLeftOut) {
  Metrics metrics;
  metrics.Describe("a_total", "counter", "A.");
  metrics.DescribeHistogram("b_seconds", "B.", {1});
  EXPECT_EQ(metrics.RenderPrometheus(), "");
}

TEST(MetricsTest, SetMaxKeepsTheLargestValue) {
  Metrics metrics;
  metrics.SetMax("newest", {{"source", "s"}}, -5);  // a new series takes the first value
  EXPECT_EQ(metrics.Get("newest", {{"source", "s"}}), -5);
  metrics.SetMax("newest", {{"source", "s"}}, 100);
  metrics.SetMax("newest", {{"source", "s"}}, 50);
  EXPECT_EQ(metrics.Get("newest", {{"source", "s"}}), 100);
}

TEST(MetricsTest, ReplaceSeriesSwapsTheWholeFamily) {
  Metrics metrics;
  metrics.Describe("depth", "gauge", "Depth.");
  metrics.Set("depth", {{"target", "old"}}, 3);
  metrics.ReplaceSeries("depth", {{{{"target", "a"}}, 1}, {{{"target", "b"}}, 2}});
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP depth Depth.\n"
            "# TYPE depth gauge\n"
            "depth{target=\"a\"} 1\n"
            "depth{target=\"b\"} 2\n");
  auto series = metrics.Series("depth");
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[1].first, (OwnedLabels{{"target", "b"}}));
  EXPECT_EQ(series[1].second, 2);
  metrics.ReplaceSeries("depth", {});
  EXPECT_EQ(metrics.RenderPrometheus(), "");
}

TEST(MetricsTest, SpecialValuesAreSpeltAsTheFormatWants) {
  Metrics metrics;
  metrics.Describe("g", "gauge", "G.");
  metrics.Set("g", {{"k", "inf"}}, std::numeric_limits<double>::infinity());
  metrics.Set("g", {{"k", "minus"}}, -std::numeric_limits<double>::infinity());
  metrics.Set("g", {{"k", "nan"}}, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(
      metrics.RenderPrometheus(),
      "# HELP g G.\n# TYPE g gauge\ng{k=\"inf\"} +Inf\ng{k=\"minus\"} -Inf\ng{k=\"nan\"} NaN\n");
}

}  // namespace
}  // namespace trailwatch::telemetry
