// Metrics: the counters, gauges and histograms `/metrics` serves in the Prometheus text exposition
// format (version 0.0.4): events in per source, matches per rule, deliveries by target and result,
// outbox depth, lag, latencies.
//
// Owned by the service and passed down by pointer (no global registry). Every family the program
// uses is declared once, with its type and HELP text, in metric_families.h; a family that was never
// described is exposed as "untyped" (and the metric_families test fails). Label values are escaped
// as the format requires; callers must never put a secret or event data (account ids of events,
// identities) in a name or label.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trailwatch::telemetry {

// A label as callers pass it: {"source", name}. Views, so that counting an event allocates
// nothing once its series exists (this runs for every request /events answers).
using MetricLabel = std::pair<std::string_view, std::string_view>;
using MetricLabelsView = std::initializer_list<MetricLabel>;
// A label list the registry owns (what Series returns and ReplaceSeries takes).
using OwnedLabels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // Declares a metric's HELP text and TYPE ("counter" or "gauge"); a metric that was never
  // described is exposed as "untyped".
  void Describe(const std::string& name, const std::string& type, const std::string& help);
  // Declares a histogram with its bucket upper bounds (ascending; "+Inf" is implied).
  void DescribeHistogram(const std::string& name, const std::string& help,
                         std::vector<double> buckets);
  // counter += value
  void Add(std::string_view name, MetricLabelsView labels, double value = 1);
  // gauge = value
  void Set(std::string_view name, MetricLabelsView labels, double value);
  // gauge = max(gauge, value); a new series starts at value.
  void SetMax(std::string_view name, MetricLabelsView labels, double value);
  // Replaces every series of a gauge at once (a scrape sees the old set or the new one, never a
  // mix): for gauges refreshed from the store, whose label values come and go (targets).
  void ReplaceSeries(std::string_view name, std::vector<std::pair<OwnedLabels, double>> series);
  // One observation of a histogram described with DescribeHistogram (ignored otherwise).
  void Observe(std::string_view name, MetricLabelsView labels, double value);

  // Current value (0 when never set), for tests and the service's own use.
  double Get(std::string_view name, MetricLabelsView labels = {}) const;
  // Every series of a counter or gauge with its value.
  std::vector<std::pair<OwnedLabels, double>> Series(std::string_view name) const;
  // A histogram series' observation count and sum (0 when none).
  uint64_t HistogramCount(std::string_view name, MetricLabelsView labels = {}) const;
  double HistogramSum(std::string_view name, MetricLabelsView labels = {}) const;

  // The whole registry, sorted by name then labels, in the text format. Families without a
  // series are left out.
  std::string RenderPrometheus() const;

 private:
  // Orders owned label lists and the callers' views alike, so that a lookup needs no copy.
  struct LabelsLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::lexicographical_compare(
          a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
            std::string_view xf = x.first, yf = y.first;
            if (xf != yf) return xf < yf;
            return std::string_view(x.second) < std::string_view(y.second);
          });
    }
  };
  struct Histogram {
    std::vector<uint64_t> counts;  // per bucket (not cumulative), then one for +Inf
    uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    std::string type;
    std::string help;
    std::vector<double> buckets;  // histograms only
    std::map<OwnedLabels, double, LabelsLess> series;
    std::map<OwnedLabels, Histogram, LabelsLess> histograms;
  };
  // The series for (name, labels), created at 0 when new. Caller holds mutex_.
  double& SeriesLocked(std::string_view name, MetricLabelsView labels, bool* created = nullptr);
  const Histogram* FindHistogramLocked(std::string_view name, MetricLabelsView labels) const;

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace trailwatch::telemetry
