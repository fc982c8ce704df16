// Alert: one rule's match on one event, the unit that routes, the outbox and targets carry.
//
// The event is kept as the EventBridge envelope (envelope.h) (detail = the CloudTrail record), so every
// target — and every input transformer — sees exactly what an EventBridge target would see.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>

#include "envelope/envelope.h"

namespace trailwatch::route {

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

// "info", "low", "medium", "high", "critical".
const char* SeverityName(Severity severity);
// Parses the names above; false if unknown.
bool ParseSeverity(const std::string& text, Severity* out);

struct Alert {
  std::string rule;               // rule (or pack rule) name
  Severity severity = Severity::kHigh;
  // The EventBridge event and its header; envelope.DedupKey() (the CloudTrail eventID, else the
  // envelope id) is what the outbox deduplicates on.
  envelope::Envelope envelope;
  std::string origin;             // where the event came from: file path, s3://bucket/key, http
  // A sample sent by `trailwatch send-test`, not a real event: every renderer says TEST, so that
  // a check of the channel at 3 a.m. is never taken for a root sign-in. Kept by the outbox.
  bool test = false;
};

}  // namespace trailwatch::route
