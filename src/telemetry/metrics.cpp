#include "telemetry/metrics.h"

#include <fmt/format.h>

#include <cmath>

namespace trailwatch::telemetry {
namespace {

// Label values: backslash, double quote and line feed are escaped (exposition format 0.0.4).
std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

// HELP text: backslash and line feed are escaped.
std::string EscapeHelp(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

// Go's ParseFloat spellings for the specials (fmt would print "inf"/"nan", which the format does
// not accept).
std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == static_cast<double>(static_cast<long long>(value)) && value < 1e15 &&
      value > -1e15) {
    return fmt::format("{}", static_cast<long long>(value));
  }
  return fmt::format("{}", value);
}

// `name{a="1",b="2"`, without the closing brace (a histogram adds its `le` first).
void AppendOpenLabels(std::string* out, std::string_view name, const OwnedLabels& labels) {
  out->append(name);
  out->push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out->push_back(',');
    out->append(labels[i].first);
    out->append("=\"");
    out->append(EscapeLabelValue(labels[i].second));
    out->push_back('"');
  }
}

void AppendSample(std::string* out, std::string_view name, const OwnedLabels& labels,
                  double value) {
  if (labels.empty()) {
    out->append(name);
  } else {
    AppendOpenLabels(out, name, labels);
    out->push_back('}');
  }
  out->push_back(' ');
  out->append(FormatValue(value));
  out->push_back('\n');
}

OwnedLabels Own(MetricLabelsView labels) {
  OwnedLabels owned;
  owned.reserve(labels.size());
  for (const MetricLabel& label : labels) owned.emplace_back(label.first, label.second);
  return owned;
}

}  // namespace

double& Metrics::SeriesLocked(std::string_view name, MetricLabelsView labels, bool* created) {
  auto family = families_.find(name);
  if (family == families_.end()) family = families_.emplace(std::string(name), Family{}).first;
  auto& series = family->second.series;
  auto found = series.find(labels);
  if (created) *created = found == series.end();
  if (found != series.end()) return found->second;
  return series.emplace(Own(labels), 0.0).first->second;
}

void Metrics::Describe(const std::string& name, const std::string& type, const std::string& help) {
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  family.type = type;
  family.help = help;
}

void Metrics::DescribeHistogram(const std::string& name, const std::string& help,
                                std::vector<double> buckets) {
  std::sort(buckets.begin(), buckets.end());
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  family.type = "histogram";
  family.help = help;
  if (family.buckets != buckets) family.histograms.clear();  // counts of other bounds are void
  family.buckets = std::move(buckets);
}

void Metrics::Add(std::string_view name, MetricLabelsView labels, double value) {
  std::lock_guard lock(mutex_);
  SeriesLocked(name, labels) += value;
}

void Metrics::Set(std::string_view name, MetricLabelsView labels, double value) {
  std::lock_guard lock(mutex_);
  SeriesLocked(name, labels) = value;
}

void Metrics::SetMax(std::string_view name, MetricLabelsView labels, double value) {
  std::lock_guard lock(mutex_);
  bool created = false;
  double& series = SeriesLocked(name, labels, &created);
  if (created || value > series) series = value;
}

void Metrics::ReplaceSeries(std::string_view name,
                            std::vector<std::pair<OwnedLabels, double>> series) {
  std::map<OwnedLabels, double, LabelsLess> replaced;
  for (auto& [labels, value] : series) replaced[std::move(labels)] = value;
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) family = families_.emplace(std::string(name), Family{}).first;
  family->second.series.swap(replaced);
}

void Metrics::Observe(std::string_view name, MetricLabelsView labels, double value) {
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end() || family->second.type != "histogram") return;
  Family& histograms = family->second;
  auto found = histograms.histograms.find(labels);
  if (found == histograms.histograms.end()) {
    Histogram fresh;
    fresh.counts.assign(histograms.buckets.size() + 1, 0);
    found = histograms.histograms.emplace(Own(labels), std::move(fresh)).first;
  }
  Histogram& histogram = found->second;
  // The first bucket whose upper bound holds the value ("le": less than or equal).
  size_t bucket = std::lower_bound(histograms.buckets.begin(), histograms.buckets.end(), value) -
                  histograms.buckets.begin();
  ++histogram.counts[bucket];
  ++histogram.count;
  histogram.sum += value;
}

double Metrics::Get(std::string_view name, MetricLabelsView labels) const {
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) return 0;
  auto series = family->second.series.find(labels);
  return series == family->second.series.end() ? 0 : series->second;
}

std::vector<std::pair<OwnedLabels, double>> Metrics::Series(std::string_view name) const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<OwnedLabels, double>> out;
  auto family = families_.find(name);
  if (family == families_.end()) return out;
  for (const auto& [labels, value] : family->second.series) out.emplace_back(labels, value);
  return out;
}

const Metrics::Histogram* Metrics::FindHistogramLocked(std::string_view name,
                                                       MetricLabelsView labels) const {
  auto family = families_.find(name);
  if (family == families_.end()) return nullptr;
  auto found = family->second.histograms.find(labels);
  return found == family->second.histograms.end() ? nullptr : &found->second;
}

uint64_t Metrics::HistogramCount(std::string_view name, MetricLabelsView labels) const {
  std::lock_guard lock(mutex_);
  const Histogram* histogram = FindHistogramLocked(name, labels);
  return histogram ? histogram->count : 0;
}

double Metrics::HistogramSum(std::string_view name, MetricLabelsView labels) const {
  std::lock_guard lock(mutex_);
  const Histogram* histogram = FindHistogramLocked(name, labels);
  return histogram ? histogram->sum : 0;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    if (family.series.empty() && family.histograms.empty()) continue;
    if (!family.help.empty()) {
      out.append("# HELP ").append(name).append(" ").append(EscapeHelp(family.help)).append("\n");
    }
    out.append("# TYPE ").append(name).append(" ");
    out.append(family.type.empty() ? "untyped" : family.type).append("\n");
    for (const auto& [labels, value] : family.series) AppendSample(&out, name, labels, value);
    std::string bucket_name = name, sum_name = name, count_name = name;
    bucket_name.append("_bucket");
    sum_name.append("_sum");
    count_name.append("_count");
    for (const auto& [labels, histogram] : family.histograms) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i <= family.buckets.size(); ++i) {
        cumulative += histogram.counts[i];
        AppendOpenLabels(&out, bucket_name, labels);
        out.append(labels.empty() ? "le=\"" : ",le=\"");
        out.append(i < family.buckets.size() ? FormatValue(family.buckets[i]) : "+Inf");
        out.append("\"} ").append(FormatValue(static_cast<double>(cumulative))).append("\n");
      }
      AppendSample(&out, sum_name, labels, histogram.sum);
      AppendSample(&out, count_name, labels, static_cast<double>(histogram.count));
    }
  }
  return out;
}

}  // namespace trailwatch::telemetry
