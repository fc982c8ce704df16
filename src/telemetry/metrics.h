// Metrics: the counters and gauges `/metrics` serves in the Prometheus text exposition format
// (version 0.0.4): events in per source, matches per rule, deliveries by target and result,
// outbox depth, lag.
//
// Owned by the service and passed down by pointer (no global registry). Label values are escaped
// as the format requires; callers must never put a secret in a name or label.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <algorithm>
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

class Metrics {
 public:
  // Declares a metric's HELP text and TYPE ("counter" or "gauge"); optional, but a metric that
  // was never described is exposed as "untyped".
  void Describe(const std::string& name, const std::string& type, const std::string& help);
  // counter += value
  void Add(std::string_view name, MetricLabelsView labels, double value = 1);
  // gauge = value
  void Set(std::string_view name, MetricLabelsView labels, double value);
  // Current value (0 when never set), for tests and the service's own use.
  double Get(std::string_view name, MetricLabelsView labels = {}) const;
  // The whole registry, sorted by name then labels, in the text format.
  std::string RenderPrometheus() const;

 private:
  using OwnedLabels = std::vector<std::pair<std::string, std::string>>;
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
  struct Family {
    std::string type;
    std::string help;
    std::map<OwnedLabels, double, LabelsLess> series;
  };
  // The series for (name, labels), created at 0 when new. Caller holds mutex_.
  double& SeriesLocked(std::string_view name, MetricLabelsView labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace trailwatch::telemetry
