#include "telemetry/metrics.h"

#include <fmt/format.h>

namespace trailwatch::telemetry {
namespace {

// Label values: backslash, double quote and line feed are escaped (exposition format 0.0.4).
std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// HELP text: backslash and line feed are escaped.
std::string EscapeHelp(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string FormatValue(double value) {
  if (value == static_cast<double>(static_cast<long long>(value)) && value < 1e15 && value > -1e15) {
    return fmt::format("{}", static_cast<long long>(value));
  }
  return fmt::format("{}", value);
}

}  // namespace

double& Metrics::SeriesLocked(std::string_view name, MetricLabelsView labels) {
  auto family = families_.find(name);
  if (family == families_.end()) family = families_.emplace(std::string(name), Family{}).first;
  auto& series = family->second.series;
  auto found = series.find(labels);
  if (found != series.end()) return found->second;
  OwnedLabels owned;
  owned.reserve(labels.size());
  for (const MetricLabel& label : labels) owned.emplace_back(label.first, label.second);
  return series.emplace(std::move(owned), 0.0).first->second;
}

void Metrics::Describe(const std::string& name, const std::string& type, const std::string& help) {
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  family.type = type;
  family.help = help;
}

void Metrics::Add(std::string_view name, MetricLabelsView labels, double value) {
  std::lock_guard lock(mutex_);
  SeriesLocked(name, labels) += value;
}

void Metrics::Set(std::string_view name, MetricLabelsView labels, double value) {
  std::lock_guard lock(mutex_);
  SeriesLocked(name, labels) = value;
}

double Metrics::Get(std::string_view name, MetricLabelsView labels) const {
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) return 0;
  auto series = family->second.series.find(labels);
  return series == family->second.series.end() ? 0 : series->second;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    if (!family.help.empty()) out += fmt::format("# HELP {} {}\n", name, EscapeHelp(family.help));
    out += fmt::format("# TYPE {} {}\n", name, family.type.empty() ? "untyped" : family.type);
    for (const auto& [labels, value] : family.series) {
      out += name;
      if (!labels.empty()) {
        out += '{';
        for (size_t i = 0; i < labels.size(); ++i) {
          if (i) out += ',';
          out += fmt::format("{}=\"{}\"", labels[i].first, EscapeLabelValue(labels[i].second));
        }
        out += '}';
      }
      out += ' ';
      out += FormatValue(value);
      out += '\n';
    }
  }
  return out;
}

}  // namespace trailwatch::telemetry
