// ConsoleQueries: everything the console's pages and its JSON API read or do, in one place, so that
// a page and its API endpoint can never disagree (the page renders HTML, the API JSON, of the same
// values). Errors are values naming what failed; nothing here knows HTTP.
//
// Thread-safety: every method may be called from many threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "console/console_data.h"
#include "console/form_fields.h"
#include "rules/test_event_pattern.h"

namespace trailwatch::console {

struct RuleRow {
  const rules::RuleSpec* spec = nullptr;  // valid while `snapshot` is held
  int64_t matches_1h = 0;
  int64_t matches_24h = 0;
  int64_t matches_7d = 0;
};

struct RuleTable {
  RulesSnapshot snapshot;  // keeps the specs alive
  std::vector<RuleRow> rows;
};

struct TargetStatus {
  std::string name;
  std::string type;
  int64_t queue_depth = 0;         // pending or in flight
  double oldest_pending_age_seconds = 0;  // 0 when nothing waits
  int64_t dead = 0;
};

struct DeadLetterPage {
  std::vector<outbox::Entry> entries;  // oldest first
  int64_t next_cursor = 0;             // 0 when this is the last page
};

class ConsoleQueries {
 public:
  // `data` must outlive the queries.
  ConsoleQueries(const ConsoleData* data, std::vector<SampleEvent> pack_samples)
      : data_(data), pack_samples_(std::move(pack_samples)) {}

  Result<store::AlertPage> Alerts(const FormFields& filters) const;
  Result<std::optional<store::StoredAlert>> Alert(int64_t id) const;
  // Dead entries with ids above `after` (the cursor), at most `limit`.
  Result<DeadLetterPage> DeadLetters(int64_t after, int64_t limit) const;
  // dead -> pending (attempts reset) for each id that is dead; returns how many.
  Result<int64_t> RetryDeadLetters(const std::vector<int64_t>& ids) const;
  // Deletes each id that is dead (and nothing else); returns how many.
  Result<int64_t> PurgeDeadLetters(const std::vector<int64_t>& ids) const;
  Result<RuleTable> Rules(int64_t now_ms) const;
  std::vector<SourceStatus> Sources() const;
  Result<std::vector<TargetStatus>> Targets() const;
  // The packs' samples, then the last 50 alerts' events.
  std::vector<SampleEvent> Samples() const;
  rules::PatternTestOutcome TestPattern(const std::string& pattern, const std::string& event) const;
  // The enabled rules that alert on `event` (an EventBridge event), suppressions applied.
  Result<std::vector<std::string>> MatchingRules(const std::string& event) const;
  std::map<std::string, std::string> AccountAliases() const;
  const ConsoleData& data() const { return *data_; }

 private:
  const ConsoleData* data_;
  std::vector<SampleEvent> pack_samples_;
};

}  // namespace trailwatch::console
