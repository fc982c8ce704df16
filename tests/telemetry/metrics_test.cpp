#include "telemetry/metrics.h"

#include <gtest/gtest.h>

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
