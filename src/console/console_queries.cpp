#include "console/console_queries.h"

#include <algorithm>

#include "common/wall_clock.h"
#include "console/alert_listing.h"
#include "telemetry/metric_families.h"

namespace trailwatch::console {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kRecentAlertSamples = 50;

const char* TargetTypeName(config::TargetConfig::Type type) {
  switch (type) {
    case config::TargetConfig::Type::kSlack: return "slack";
    case config::TargetConfig::Type::kTeams: return "teams";
    case config::TargetConfig::Type::kWebhook: return "webhook";
    case config::TargetConfig::Type::kStdout: return "stdout";
  }
  return "unknown";
}

}  // namespace

Result<store::AlertPage> ConsoleQueries::Alerts(const FormFields& filters) const {
  auto query = ParseAlertFilters(filters);
  if (!query.ok()) return query.error();
  return data_->history->Query(*query);
}

Result<std::optional<store::StoredAlert>> ConsoleQueries::Alert(int64_t id) const {
  return data_->history->Get(id);
}

Result<DeadLetterPage> ConsoleQueries::DeadLetters(int64_t after, int64_t limit) const {
  auto entries = data_->outbox->ListAfter(outbox::EntryState::kDead, after, limit + 1);
  if (!entries.ok()) return entries.error();
  DeadLetterPage page;
  page.entries = std::move(entries.value());
  if (static_cast<int64_t>(page.entries.size()) > limit) {
    page.entries.resize(static_cast<size_t>(limit));
    page.next_cursor = page.entries.back().id;
  }
  return page;
}

Result<int64_t> ConsoleQueries::RetryDeadLetters(const std::vector<int64_t>& ids) const {
  int64_t retried = 0;
  for (int64_t id : ids) {
    auto entry = data_->outbox->Get(id);
    if (!entry.ok()) return entry.error();
    // Only dead letters: a pending entry's retry would reset its attempts behind delivery's back.
    if (!entry.value() || entry.value()->state != outbox::EntryState::kDead) continue;
    auto changed = data_->outbox->Retry(id, WallClockMs());
    if (!changed.ok()) return changed.error();
    retried += *changed;
  }
  if (retried > 0 && data_->wake_delivery) data_->wake_delivery();
  return retried;
}

Result<int64_t> ConsoleQueries::PurgeDeadLetters(const std::vector<int64_t>& ids) const {
  return data_->outbox->PurgeDead(ids);
}

Result<RuleTable> ConsoleQueries::Rules(int64_t now_ms) const {
  RuleTable table;
  table.snapshot = data_->rules();
  auto last_hour = data_->history->CountByRule(now_ms - kHourMs);
  if (!last_hour.ok()) return last_hour.error();
  auto last_day = data_->history->CountByRule(now_ms - 24 * kHourMs);
  if (!last_day.ok()) return last_day.error();
  auto last_week = data_->history->CountByRule(now_ms - 7 * 24 * kHourMs);
  if (!last_week.ok()) return last_week.error();
  auto count = [](const std::map<std::string, int64_t>& counts, const std::string& rule) {
    auto found = counts.find(rule);
    return found == counts.end() ? int64_t{0} : found->second;
  };
  if (table.snapshot.configured) {
    for (const rules::RuleSpec& spec : *table.snapshot.configured) {
      table.rows.push_back({&spec, count(*last_hour, spec.name), count(*last_day, spec.name),
                            count(*last_week, spec.name)});
    }
  }
  return table;
}

std::vector<SourceStatus> ConsoleQueries::Sources() const {
  return data_->sources ? data_->sources() : std::vector<SourceStatus>{};
}

Result<std::vector<TargetStatus>> ConsoleQueries::Targets() const {
  // Queue depth and oldest pending age come from the gauges the service refreshes every few
  // seconds (telemetry/metric_families.h), not from the store: counting the outbox by state reads
  // every row, delivered ones included (141 ms with 190,000 rows on PostgreSQL,
  // docs/benchmarks.md), while dead entries are few and counted through the state index.
  auto dead = data_->outbox->CountByTarget(outbox::EntryState::kDead);
  if (!dead.ok()) return dead.error();
  RulesSnapshot snapshot = data_->rules();
  std::vector<TargetStatus> targets;
  if (!snapshot.running) return targets;
  for (const auto& [name, target] : snapshot.running->targets) {
    TargetStatus status;
    status.name = name;
    status.type = TargetTypeName(target.type);
    if (data_->metrics != nullptr) {
      status.queue_depth = static_cast<int64_t>(
          data_->metrics->Get(telemetry::kTargetQueueDepth, {{"target", name}}));
      status.oldest_pending_age_seconds =
          data_->metrics->Get(telemetry::kTargetOldestPendingAge, {{"target", name}});
    }
    auto dead_count = dead->find(name);
    if (dead_count != dead->end()) status.dead = dead_count->second;
    targets.push_back(std::move(status));
  }
  return targets;
}

std::vector<SampleEvent> ConsoleQueries::Samples() const {
  std::vector<SampleEvent> samples = pack_samples_;
  auto recent = data_->history->Recent(kRecentAlertSamples);
  if (recent.ok()) {
    for (const store::StoredAlert& alert : *recent) {
      auto parsed = outbox::ParseAlert(alert.record.alert_json);
      if (!parsed.ok()) continue;
      std::string label = "alert ";
      label.append(std::to_string(alert.id)).append(": ").append(alert.record.rule);
      label.append(" (").append(FormatTimeMs(alert.record.event_time)).append(")");
      samples.push_back({std::move(label), std::move(parsed->envelope.json)});
    }
  }
  return samples;
}

rules::PatternTestOutcome ConsoleQueries::TestPattern(const std::string& pattern,
                                                      const std::string& event) const {
  // AWS's default quota; the sandbox answers what `test-pattern` answers by default.
  return rules::TestEventPattern(pattern, event, 2048);
}

Result<std::vector<std::string>> ConsoleQueries::MatchingRules(const std::string& event) const {
  RulesSnapshot snapshot = data_->rules();
  std::vector<std::string> names;
  if (!snapshot.running || !snapshot.running->engine) return names;
  rules::RuleEvaluator evaluator(snapshot.running->engine);
  auto matched = evaluator.Evaluate(event);
  if (!matched.ok()) return matched.error();
  for (uint32_t index : *matched) names.push_back(snapshot.running->engine->rules()[index].name);
  return names;
}

std::map<std::string, std::string> ConsoleQueries::AccountAliases() const {
  RulesSnapshot snapshot = data_->rules();
  return snapshot.running ? snapshot.running->account_aliases
                          : std::map<std::string, std::string>{};
}

}  // namespace trailwatch::console
