#include "route/alert.h"

namespace trailwatch::route {

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "high";
}

bool ParseSeverity(const std::string& text, Severity* out) {
  for (Severity s : {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh,
                     Severity::kCritical}) {
    if (text == SeverityName(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

std::vector<std::string> Alert::Rules() const {
  std::vector<std::string> rules;
  rules.reserve(1 + also_rules.size());
  rules.push_back(rule);
  rules.insert(rules.end(), also_rules.begin(), also_rules.end());
  return rules;
}

}  // namespace trailwatch::route
