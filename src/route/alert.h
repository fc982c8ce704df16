// Alert: one event's match for one target, the unit that routes, the outbox and targets carry.
//
// By default (a target's `group_rules: true`) an alert stands for every rule that matched the event
// and routes to the target: `rule` is the highest-severity one (the rule code that knows one rule
// keeps using it: <aws.events.rule-name>, Slack thread keys, `outbox list`), `also_rules` the
// others, highest severity first. With `group_rules: false` it is one rule's match, as before.
//
// The event is kept as the EventBridge envelope (envelope.h) (detail = the CloudTrail record), so every
// target — and every input transformer — sees exactly what an EventBridge target would see.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "envelope/envelope.h"

namespace trailwatch::route {

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

// "info", "low", "medium", "high", "critical".
const char* SeverityName(Severity severity);
// Parses the names above; false if unknown.
bool ParseSeverity(const std::string& text, Severity* out);

struct Alert {
  std::string rule;               // rule (or pack rule) name; grouped: the highest-severity one
  Severity severity = Severity::kHigh;  // the highest severity of the rules it names
  // The other rules that matched the same event and route to the same target (grouped alerts),
  // highest severity first, then in the configuration's order. Empty when `rule` is alone.
  std::vector<std::string> also_rules;
  // Queued for a target with `group_rules: true`: its outbox idempotency key is (target, eventID),
  // without the rule, so a rule added or renamed later never alerts that event again there.
  bool grouped = false;
  // The EventBridge event and its header; envelope.DedupKey() (the CloudTrail eventID, else the
  // envelope id) is what the outbox deduplicates on.
  envelope::Envelope envelope;
  std::string origin;             // where the event came from: file path, s3://bucket/key, http
  // A sample sent by `trailwatch send-test`, not a real event: every renderer says TEST, so that
  // a check of the channel at 3 a.m. is never taken for a root sign-in. Kept by the outbox.
  bool test = false;

  // `rule` followed by `also_rules`.
  std::vector<std::string> Rules() const;
};

}  // namespace trailwatch::route
