// Alert: one rule's match on one event, the unit that routes, the outbox and targets carry.
//
// The event is kept as the EventBridge envelope text (detail = the CloudTrail record), so every
// target — and every input transformer — sees exactly what an EventBridge target would see.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>

namespace trailwatch::alerts {

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

// "info", "low", "medium", "high", "critical".
const char* SeverityName(Severity severity);
// Parses the names above; false if unknown.
bool ParseSeverity(const std::string& text, Severity* out);

struct Alert {
  std::string rule;               // rule (or pack rule) name
  Severity severity = Severity::kHigh;
  std::string event_json;         // the EventBridge envelope, as JSON text
  std::string event_id;           // detail.eventID (CloudTrail's dedup key); envelope id if absent
  std::string origin;             // where the event came from: file path, s3://bucket/key, http
};

}  // namespace trailwatch::alerts
