// Metrics: the counters and gauges `/metrics` serves in the Prometheus text exposition format
// (version 0.0.4): events in per source, matches per rule, deliveries by target and result,
// outbox depth, lag.
//
// Owned by the service and passed down by pointer (no global registry). Label values are escaped
// as the format requires; callers must never put a secret in a name or label.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace trailwatch::telemetry {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // Declares a metric's HELP text and TYPE ("counter" or "gauge"); optional, but a metric that
  // was never described is exposed as "untyped".
  void Describe(const std::string& name, const std::string& type, const std::string& help);
  // counter += value
  void Add(const std::string& name, const MetricLabels& labels, double value = 1);
  // gauge = value
  void Set(const std::string& name, const MetricLabels& labels, double value);
  // Current value (0 when never set), for tests and the service's own use.
  double Get(const std::string& name, const MetricLabels& labels = {}) const;
  // The whole registry, sorted by name then labels, in the text format.
  std::string RenderPrometheus() const;

 private:
  struct Family {
    std::string type;
    std::string help;
    std::map<MetricLabels, double> series;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace trailwatch::telemetry
