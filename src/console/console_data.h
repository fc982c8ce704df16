// ConsoleData: what the web console reads and acts on, handed over by the service (which owns all
// of it): the alert history, the outbox (dead letters, queue depth), the rules as configured and
// as compiled, the sources' state and the metrics. The console library never reaches into the
// service; the service never renders a page.
//
// Thread-safety: the callbacks are called from the console's request threads and must be
// thread-safe; the pointers must outlive the console.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "outbox/outbox.h"
#include "route/alert_pipeline.h"
#include "rules/rule_spec.h"
#include "store/alert_history.h"
#include "telemetry/metrics.h"

namespace trailwatch::console {

// One source as the Sources page shows it.
struct SourceStatus {
  std::string name;
  std::string type;        // directory, s3, sqs, http
  std::string state;       // running, not running, follower (another replica leads it), ...
  std::string last_error;  // the source's readiness problem, empty when none
  double newest_object_age_seconds = -1;  // -1 when unknown (http, or nothing read yet)
  std::map<std::string, double> counters;  // "events", "objects read", "errors", ...
};

// The rules as configured (disabled ones included) and as running (compiled, enabled ones).
struct RulesSnapshot {
  std::shared_ptr<const std::vector<rules::RuleSpec>> configured;
  std::shared_ptr<const route::PipelineRules> running;
};

struct ConsoleData {
  store::AlertHistory* history = nullptr;
  outbox::Outbox* outbox = nullptr;
  const telemetry::Metrics* metrics = nullptr;
  std::function<RulesSnapshot()> rules;
  std::function<std::vector<SourceStatus>()> sources;
  // Called after dead letters were queued again, so that delivery sends them now rather than at
  // its next poll.
  std::function<void()> wake_delivery;
};

// A sample event the sandbox offers: a pack's sample (as the EventBridge event of its CloudTrail
// record) or a recent alert's event.
struct SampleEvent {
  std::string label;  // "root-signin: root success with MFA"
  std::string event;  // EventBridge envelope JSON
};

}  // namespace trailwatch::console
