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

}  // namespace trailwatch::route
