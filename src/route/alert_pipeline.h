// AlertPipeline: the middle of the live service — envelopes in, alerts committed to the outbox.
//
//   sources -> [envelope -> compiled rules (suppressions) -> thresholds -> routes -> outbox] -> targets
//
// It is the EventSink every source submits to. One Submit is one outbox transaction (one fsync),
// so a source's batch (a log file, an SQS message, an HTTP request) is stored all or nothing, and
// Submit returns OK only once it is: the source may then checkpoint, delete or answer 2xx.
//
// Per event, the rules that alert (matched, not suppressed, fired by their threshold) are sorted by
// severity (highest first, then configuration order); a target with group_rules (the default)
// gets one alert naming them all (route::Alert::also_rules, key [target, eventID]), any other
// one alert per rule (key [target, rule, eventID]).
//
// Rules and targets are swapped atomically on reload (SetRules): a Submit runs entirely on the
// snapshot it started with.
//
// Bad events (not JSON, too complex to match) are logged with their origin and counted; they do
// not fail the batch, since retrying them could never succeed. A store error fails the batch.
//
// Thread-safety: Submit may be called from many threads; SetRules from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "config/target_reference.h"
#include "config/targets_config.h"
#include "outbox/outbox.h"
#include "rules/rule_engine.h"
#include "rules/threshold_store.h"
#include "store/alert_history.h"
#include "telemetry/metrics.h"
#include "envelope/event_sink.h"

namespace trailwatch::route {

// What a Submit evaluates against: the compiled rules and the targets they route to.
struct PipelineRules {
  std::shared_ptr<const rules::RuleEngine> engine;
  std::map<std::string, config::TargetConfig> targets;  // by name
  std::map<std::string, std::string> account_aliases;   // the accounts section, for the history
  // Per rule of engine->rules() (same index): its targets as parsed references
  // ("name" or "name#CHANNEL_ID"), resolved once here rather than per alert.
  std::vector<std::vector<config::TargetReference>> rule_targets;
};

// Compiles `rules` (enabled ones) and indexes `targets`. Errors name the rule.
Result<std::shared_ptr<const PipelineRules>> CompilePipelineRules(
    const std::vector<rules::RuleSpec>& rules, const config::TargetsConfig& targets);

class AlertPipeline : public envelope::EventSink {
 public:
  // All pointers must outlive the pipeline; `thresholds` may be null when no rule has one.
  AlertPipeline(outbox::Outbox* outbox, rules::ThresholdStore* thresholds, telemetry::Metrics* metrics,
                std::shared_ptr<spdlog::logger> log, std::shared_ptr<const PipelineRules> rules);

  void SetRules(std::shared_ptr<const PipelineRules> rules);
  // Called after a Submit committed new alerts (the service wakes delivery with it, instead of
  // letting the alerts wait for delivery's next poll of the outbox).
  void SetOnEnqueued(std::function<void()> on_enqueued);
  // Where committed alerts are also recorded for the web console (route/alert_history_writer.h);
  // null (the default) records nothing. Set before the first Submit; must outlive the pipeline.
  // A failure to record is logged and counted, never fails the batch: the outbox already holds
  // the alerts, and the history is only their listing.
  void SetHistory(store::AlertHistory* history) { history_ = history; }
  std::shared_ptr<const PipelineRules> rules() const;

  Status Submit(const std::string& source_name,
                std::span<const envelope::SourceEvent> events) override;

 private:
  outbox::Outbox* outbox_;
  rules::ThresholdStore* thresholds_;
  telemetry::Metrics* metrics_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex rules_mutex_;
  std::shared_ptr<const PipelineRules> rules_;
  std::function<void()> on_enqueued_;
  store::AlertHistory* history_ = nullptr;

  // Evaluators are costly to make (a JSON parser and its buffers, per-rule scratch) and a Submit
  // often carries one event (an /events request): Submit borrows an idle one made from the
  // current engine instead of making one per call. At most kMaxIdleEvaluators are kept.
  std::unique_ptr<rules::RuleEvaluator> BorrowEvaluator(
      const std::shared_ptr<const rules::RuleEngine>& engine);
  void ReturnEvaluator(std::unique_ptr<rules::RuleEvaluator> evaluator);
  static constexpr size_t kMaxIdleEvaluators = 16;
  std::mutex evaluators_mutex_;
  std::vector<std::unique_ptr<rules::RuleEvaluator>> idle_evaluators_;
};

}  // namespace trailwatch::route
