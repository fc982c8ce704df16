#include "config/reference_values.h"

#include <algorithm>
#include <set>
#include <utility>

#include "config/targets_config.h"

namespace trailwatch::config {

namespace {

class Collector {
 public:
  Collector(EnvironmentLookup environment, std::string config_path)
      : environment_(environment), config_path_(std::move(config_path)) {}

  void Walk(const YAML::Node& node) {
    if (!node.IsDefined()) return;
    if (node.IsScalar()) {
      AddScalar(node.Scalar());
    } else if (node.IsSequence()) {
      for (const YAML::Node& item : node) Walk(item);
    } else if (node.IsMap()) {
      for (const auto& item : node) {
        Walk(item.first);
        Walk(item.second);
      }
    }
  }

  std::vector<ReferenceValue> Take() && {
    std::vector<ReferenceValue> out(values_.begin(), values_.end());
    // Longest first: a whole path is replaced before the one reference inside it.
    std::stable_sort(out.begin(), out.end(), [](const ReferenceValue& a, const ReferenceValue& b) {
      return a.value.size() > b.value.size();
    });
    return out;
  }

 private:
  struct ByValue {
    bool operator()(const ReferenceValue& a, const ReferenceValue& b) const {
      return a.value < b.value;
    }
  };

  void Add(std::string value, const std::string& shown) {
    if (value.size() < kMinRedactedChars || value == shown) return;
    values_.insert(ReferenceValue{std::move(value), shown});
  }

  void AddScalar(const std::string& text) {
    if (!HasReferences(text)) return;
    Result<std::string> whole = SubstituteReferences(text, environment_, config_path_);
    if (whole.ok()) Add(std::move(*whole), text);
    // Each reference on its own, for a value that also appears outside this scalar.
    size_t i = 0;
    while (i < text.size()) {
      if (text.compare(i, 3, "$${") == 0) {
        i += 3;
        continue;
      }
      if (text.compare(i, 2, "${") != 0) {
        ++i;
        continue;
      }
      size_t close = text.find('}', i + 2);
      if (close == std::string::npos) return;
      std::string reference = text.substr(i, close + 1 - i);
      Result<std::string> value = SubstituteReferences(reference, environment_, config_path_);
      if (value.ok()) Add(std::move(*value), reference);
      i = close + 1;
    }
  }

  EnvironmentLookup environment_;
  std::string config_path_;
  std::set<ReferenceValue, ByValue> values_;  // the first way to show a value wins
};

}  // namespace

std::vector<ReferenceValue> ReferenceValues(const YAML::Node& root, EnvironmentLookup environment,
                                            const std::string& config_path) {
  Collector collector(environment, config_path);
  collector.Walk(root);
  return std::move(collector).Take();
}

std::string RedactReferenceValues(std::string text, const std::vector<ReferenceValue>& values) {
  for (const ReferenceValue& value : values) {
    size_t at = 0;
    while ((at = text.find(value.value, at)) != std::string::npos) {
      text.replace(at, value.value.size(), value.shown);
      at += value.shown.size();
    }
  }
  return text;
}

}  // namespace trailwatch::config
