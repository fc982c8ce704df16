#include "route/alert_pipeline.h"

#include "route/alert_history_writer.h"
#include "common/wall_clock.h"

#include <algorithm>
#include <chrono>

#include <simdjson.h>

#include "targets/target.h"

namespace trailwatch::route {

Result<std::shared_ptr<const PipelineRules>> CompilePipelineRules(
    const std::vector<rules::RuleSpec>& rules, const config::TargetsConfig& targets) {
  auto compiled = std::make_shared<PipelineRules>();
  for (const config::TargetConfig& target : targets.targets) compiled->targets[target.name] = target;
  compiled->account_aliases = targets.accounts;
  for (const rules::RuleSpec& rule : rules) {
    // The loader's parsed references when there are (rule_spec.h); parsed here otherwise.
    std::vector<config::TargetReference> references = rule.target_references;
    if (references.size() != rule.targets.size()) {
      references.clear();
      for (const std::string& target : rule.targets) {
        auto reference = config::ParseTargetReference(target);
        if (!reference.ok()) return Error{"rule \"" + rule.name + "\": " + reference.message()};
        references.push_back(std::move(reference.value()));
      }
    }
    for (const config::TargetReference& reference : references) {
      if (!compiled->targets.count(reference.name)) {
        return Error{"rule \"" + rule.name + "\": no target named \"" + reference.name + "\""};
      }
    }
    // The engine keeps the enabled rules, in this order (rule_engine.h): index them alike.
    if (rule.enabled) compiled->rule_targets.push_back(std::move(references));
  }
  auto engine = rules::RuleEngine::Build(rules);
  if (!engine.ok()) return engine.error();
  compiled->engine = std::move(engine.value());
  return std::shared_ptr<const PipelineRules>(std::move(compiled));
}

AlertPipeline::AlertPipeline(outbox::Outbox* outbox, rules::ThresholdStore* thresholds,
                             telemetry::Metrics* metrics, std::shared_ptr<spdlog::logger> log,
                             std::shared_ptr<const PipelineRules> rules)
    : outbox_(outbox),
      thresholds_(thresholds),
      metrics_(metrics),
      log_(std::move(log)),
      rules_(std::move(rules)) {
  metrics_->Describe("trailwatch_events_total", "counter", "Events received, per source.");
  metrics_->Describe("trailwatch_event_errors_total", "counter",
                     "Events that could not be evaluated (not JSON, too complex), per source.");
  metrics_->Describe("trailwatch_matches_total", "counter",
                     "Events matched by a rule (after suppressions), per rule.");
  metrics_->Describe("trailwatch_suppressed_total", "counter",
                     "Matches dropped by a rule's suppression.");
  metrics_->Describe("trailwatch_threshold_held_total", "counter",
                     "Matches counted towards a threshold that did not (yet) alert, per rule.");
  metrics_->Describe("trailwatch_alerts_queued_total", "counter",
                     "Alerts committed to the outbox, per target.");
  metrics_->Describe("trailwatch_alerts_duplicate_total", "counter",
                     "Alerts already in the outbox (same target, rule and eventID; same target and "
                     "eventID for a target that groups rules), per target.");
}

void AlertPipeline::SetRules(std::shared_ptr<const PipelineRules> rules) {
  std::lock_guard lock(rules_mutex_);
  rules_ = std::move(rules);
}

void AlertPipeline::SetOnEnqueued(std::function<void()> on_enqueued) {
  std::lock_guard lock(rules_mutex_);
  on_enqueued_ = std::move(on_enqueued);
}

std::shared_ptr<const PipelineRules> AlertPipeline::rules() const {
  std::lock_guard lock(rules_mutex_);
  return rules_;
}

std::unique_ptr<rules::RuleEvaluator> AlertPipeline::BorrowEvaluator(
    const std::shared_ptr<const rules::RuleEngine>& engine) {
  {
    std::lock_guard lock(evaluators_mutex_);
    while (!idle_evaluators_.empty()) {
      std::unique_ptr<rules::RuleEvaluator> evaluator = std::move(idle_evaluators_.back());
      idle_evaluators_.pop_back();
      if (evaluator->shared_engine() == engine) return evaluator;
      // Made from rules replaced by a reload since: dropped.
    }
  }
  return std::make_unique<rules::RuleEvaluator>(engine);
}

void AlertPipeline::ReturnEvaluator(std::unique_ptr<rules::RuleEvaluator> evaluator) {
  std::lock_guard lock(evaluators_mutex_);
  if (idle_evaluators_.size() < kMaxIdleEvaluators) idle_evaluators_.push_back(std::move(evaluator));
}

Status AlertPipeline::Submit(const std::string& source_name,
                             std::span<const envelope::SourceEvent> events) {
  std::shared_ptr<const PipelineRules> snapshot = rules();
  std::unique_ptr<rules::RuleEvaluator> borrowed = BorrowEvaluator(snapshot->engine);
  // Returned on every path out (RAII), also the early error returns.
  struct Return {
    AlertPipeline* pipeline;
    std::unique_ptr<rules::RuleEvaluator>* evaluator;
    ~Return() { pipeline->ReturnEvaluator(std::move(*evaluator)); }
  } give_back{this, &borrowed};
  rules::RuleEvaluator& evaluator = *borrowed;
  const std::vector<rules::RuleSpec>& specs = snapshot->engine->rules();
  std::vector<outbox::NewEntry> entries;
  // Per entry: when its event's source had it (the ingest-to-commit histogram).
  const auto submitted = std::chrono::steady_clock::now();
  std::vector<std::chrono::steady_clock::time_point> received;
  metrics_->Add("trailwatch_events_total", {{"source", source_name}},
                static_cast<double>(events.size()));
  for (const envelope::SourceEvent& event : events) {
    uint64_t suppressed_before = evaluator.suppressed();
    auto matched = evaluator.Evaluate(event.envelope.json);
    if (!matched.ok()) {
      log_->warn("source {}: {}: event not evaluated: {}", source_name, event.origin,
                 matched.message());
      metrics_->Add("trailwatch_event_errors_total", {{"source", source_name}});
      continue;
    }
    if (evaluator.suppressed() != suppressed_before) {
      metrics_->Add("trailwatch_suppressed_total", {},
                    static_cast<double>(evaluator.suppressed() - suppressed_before));
    }
    if (matched->empty()) continue;
    // Copied: the span is only valid until the next Evaluate.
    std::vector<uint32_t> fired(matched->begin(), matched->end());
    // The rules that alert for this event: matched, not suppressed, and (with a threshold) fired.
    std::vector<uint32_t> alerting;
    for (uint32_t rule_index : fired) {
      const rules::RuleSpec& rule = specs[rule_index];
      metrics_->Add("trailwatch_matches_total", {{"rule", rule.name}});
      if (rule.threshold) {
        if (thresholds_ == nullptr) {
          return Error{"rule \"" + rule.name + "\" has a threshold but no threshold store is open"};
        }
        auto decision = thresholds_->Observe(rule, event.envelope);
        if (!decision.ok()) {
          // An event without a usable `time` cannot be counted; it can never succeed on retry.
          log_->warn("source {}: {}: rule {}: threshold not applied: {}", source_name,
                     event.origin, rule.name, decision.message());
          metrics_->Add("trailwatch_event_errors_total", {{"source", source_name}});
          continue;
        }
        if (!decision->fire) {
          metrics_->Add("trailwatch_threshold_held_total", {{"rule", rule.name}});
          continue;
        }
      }
      alerting.push_back(rule_index);
    }
    if (alerting.empty()) continue;
    // Highest severity first; equal severities keep the configuration's order. A grouped alert's
    // primary rule (Alert::rule) is thus its first: the one whose severity it carries.
    std::stable_sort(alerting.begin(), alerting.end(), [&](uint32_t a, uint32_t b) {
      return specs[a].severity > specs[b].severity;
    });
    const auto received_at =
        event.received.time_since_epoch().count() != 0 ? event.received : submitted;
    // Grouped targets (group_rules: true), in the order their first rule reaches them: the
    // target's reference of its primary rule (which picks a Slack channel) and every rule.
    struct Group {
      const config::TargetConfig* target;
      const config::TargetReference* reference;
      std::vector<uint32_t> rules;
    };
    std::vector<Group> groups;
    for (uint32_t rule_index : alerting) {
      const rules::RuleSpec& rule = specs[rule_index];
      for (const config::TargetReference& reference : snapshot->rule_targets[rule_index]) {
        // "name" or "name#CHANNEL_ID" (a Slack Web API target posting elsewhere). The outbox
        // keeps the target's name; the channel key carries the Slack channel (and, for
        // webhook/stdout, the max_concurrency lane: targets/target.h).
        auto target = snapshot->targets.find(reference.name);
        if (target == snapshot->targets.end()) continue;  // checked when the rules were compiled
        if (target->second.group_rules) {
          auto group = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
            return g.target == &target->second;
          });
          if (group == groups.end()) {
            groups.push_back({&target->second, &reference, {}});
            group = groups.end() - 1;
          }
          // A rule naming the target twice (two Slack channels) is one rule of the group.
          std::vector<uint32_t>& rules = group->rules;
          if (std::find(rules.begin(), rules.end(), rule_index) == rules.end()) {
            rules.push_back(rule_index);
          }
          continue;
        }
        route::Alert alert;
        alert.rule = rule.name;
        alert.severity = rule.severity;
        alert.envelope = event.envelope;
        alert.origin = event.origin;
        entries.push_back({reference.name,
                           targets::ChannelKey(target->second, alert, reference.slack_channel),
                           std::move(alert)});
        received.push_back(received_at);
      }
    }
    for (const Group& group : groups) {
      // One alert for the event at this target, whichever rules and channels name it: its key is
      // (target, eventID) (outbox/outbox.h), so a rule added later cannot alert it here again.
      route::Alert alert;
      alert.grouped = true;
      alert.rule = specs[group.rules.front()].name;
      alert.severity = specs[group.rules.front()].severity;
      for (size_t i = 1; i < group.rules.size(); ++i) {
        alert.also_rules.push_back(specs[group.rules[i]].name);
      }
      alert.envelope = event.envelope;
      alert.origin = event.origin;
      entries.push_back({group.target->name,
                         targets::ChannelKey(*group.target, alert, group.reference->slack_channel),
                         std::move(alert)});
      received.push_back(received_at);
    }
  }
  if (entries.empty()) return Status{};
  auto stored = outbox_->Enqueue(entries, WallClockMs());
  if (!stored.ok()) return stored.error();
  const auto committed = std::chrono::steady_clock::now();
  for (size_t i = 0; i < entries.size(); ++i) {
    metrics_->Add(stored->ids[i] != 0 ? "trailwatch_alerts_queued_total"
                                      : "trailwatch_alerts_duplicate_total",
                  {{"target", entries[i].target}});
    if (stored->ids[i] != 0) {
      metrics_->Observe("trailwatch_ingest_to_commit_seconds", {{"source", source_name}},
                        std::chrono::duration<double>(committed - received[i]).count());
    }
  }
  if (history_ != nullptr) {
    // Every entry, duplicates included: a batch retried after a failed recording records now.
    std::vector<store::NewAlert> records =
        MakeHistoryRecords(entries, snapshot->account_aliases, WallClockMs());
    Status recorded = records.empty() ? Status{} : history_->Record(records);
    if (!recorded.ok()) {
      metrics_->Add("trailwatch_alert_history_errors_total", {});
      log_->warn("source {}: {} alert(s) queued but not listed in the console's history: {}",
                 source_name, entries.size(), recorded.message());
    }
  }
  if (stored->inserted > 0) {
    std::function<void()> on_enqueued;
    {
      std::lock_guard lock(rules_mutex_);
      on_enqueued = on_enqueued_;
    }
    if (on_enqueued) on_enqueued();
    log_->info("source {}: {} alert(s) queued{}", source_name, stored->inserted,
               stored->duplicates ? fmt::format(", {} already queued", stored->duplicates) : "");
  }
  return Status{};
}

}  // namespace trailwatch::route
