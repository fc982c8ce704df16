#include "rules/threshold_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <vector>

#include "cloudtrail/event_time.h"
#include "config/yaml_json.h"

namespace trailwatch::rules {

namespace sqlite = store::sqlite;

namespace {

using store::sqlite::Statement;
using store::sqlite::Transaction;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS threshold_events (
  rule TEXT NOT NULL,
  event_id TEXT NOT NULL,
  grp TEXT NOT NULL,
  event_time INTEGER NOT NULL,
  fired INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (rule, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS threshold_events_by_group ON threshold_events (rule, grp, event_time);
CREATE INDEX IF NOT EXISTS threshold_events_by_time ON threshold_events (rule, event_time);
CREATE TABLE IF NOT EXISTS threshold_groups (
  rule TEXT NOT NULL,
  grp TEXT NOT NULL,
  quiet_until INTEGER NOT NULL,
  fired_event_id TEXT NOT NULL,
  PRIMARY KEY (rule, grp)
) WITHOUT ROWID;
)sql";

Error StoreError(const std::string& what, const std::string& message) {
  return Error{"threshold store: " + what + ": " + message};
}

// The value at a dotted path as JSON text ("null" when absent); strings unescaped and re-quoted
// so that equal values give equal text whatever their escaping in the event.
void AppendValueAt(simdjson::dom::element root, std::string_view path, std::string* out) {
  simdjson::dom::element current = root;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string_view step =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    simdjson::dom::object object;
    if (current.get_object().get(object) != simdjson::SUCCESS ||
        object.at_key(step).get(current) != simdjson::SUCCESS) {
      out->append("null");
      return;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  std::string_view text;
  if (current.get_string().get(text) == simdjson::SUCCESS) {
    config::AppendJsonString(text, out);
  } else {
    out->append(simdjson::minify(current));
  }
}

// Keys longer than this are stored as their SHA-256: group values and ids can be attacker-chosen
// text (a userName in a failed sign-in, an id POSTed to /events) up to the event size, and rows
// are kept for a window plus kLateness.
constexpr size_t kMaxKeyBytes = 256;

std::string BoundedKey(std::string key) {
  if (key.size() <= kMaxKeyBytes) return key;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

}  // namespace

Result<ThresholdEvent> ReadThresholdEvent(simdjson::dom::parser& parser,
                                          const envelope::Envelope& envelope,
                                          const ThresholdSpec& threshold) {
  ThresholdEvent event;
  if (envelope.time.empty()) return Error{"event has no time"};
  std::optional<std::chrono::sys_seconds> time = cloudtrail::ParseEventTime(envelope.time);
  if (!time) return Error{"event time is not an RFC 3339 date-time"};
  event.time = time->time_since_epoch().count();
  if (envelope.DedupKey().empty()) return Error{"event has neither detail.eventID nor id"};
  event.event_id = envelope.DedupKey();
  event.group.push_back('[');
  if (!threshold.group_by.empty()) {
    // Only grouped thresholds read the event's text, and only for events that matched the rule.
    simdjson::dom::element root;
    if (auto error = parser.parse(envelope.json.data(), envelope.json.size()).get(root)) {
      return Error{std::string("event is not valid JSON (") + simdjson::error_message(error) +
                   ")"};
    }
    for (size_t i = 0; i < threshold.group_by.size(); ++i) {
      if (i > 0) event.group.push_back(',');
      AppendValueAt(root, threshold.group_by[i], &event.group);
    }
  }
  event.group.push_back(']');
  event.group = BoundedKey(std::move(event.group));
  event.event_id = BoundedKey(std::move(event.event_id));
  return event;
}

Result<std::unique_ptr<ThresholdStore>> ThresholdStore::Open(const std::string& path) {
  Result<std::unique_ptr<store::sqlite::Database>> db = store::sqlite::Database::Open(path);
  if (!db.ok()) return db.error();
  std::unique_ptr<ThresholdStore> store(new ThresholdStore(std::move(db.value())));
  if (Status s = store->Initialise(); !s.ok()) return Error{path + ": " + s.message()};
  return store;
}

Status ThresholdStore::Initialise() {
  // The outbox holds the same file open in other connections and processes: wait for their
  // write locks instead of failing with SQLITE_BUSY, and use WAL like the outbox does.
  sqlite3_busy_timeout(db_->handle(), 10000);
  if (Status s = db_->Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s;
  // A counter lost to a power cut only delays an alert by one event (see the header); it is not
  // worth an fsync per matching event.
  if (Status s = db_->Exec("PRAGMA synchronous=NORMAL"); !s.ok()) return s;
  Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  if (Status s = db_->Exec(kSchema); !s.ok()) {
    return Error{"creating the threshold tables: " + s.message()};
  }
  return tx.Commit();
}

Result<ThresholdDecision> ThresholdStore::Observe(const RuleSpec& rule,
                                                  const envelope::Envelope& envelope_event) {
  if (!rule.threshold) return Error{"rule " + rule.name + " has no threshold"};
  std::lock_guard lock(mutex_);
  Result<ThresholdEvent> event = ReadThresholdEvent(parser_, envelope_event, *rule.threshold);
  if (!event.ok()) return Error{"rule " + rule.name + ": " + event.message()};
  return RecordLocked(rule.name, *rule.threshold, *event);
}

Result<ThresholdDecision> ThresholdStore::Record(const std::string& rule,
                                                 const ThresholdSpec& threshold,
                                                 const ThresholdEvent& event) {
  std::lock_guard lock(mutex_);
  return RecordLocked(rule, threshold, event);
}

Result<ThresholdDecision> ThresholdStore::RecordLocked(const std::string& rule,
                                                       const ThresholdSpec& threshold,
                                                       const ThresholdEvent& event) {
  const int64_t window = std::max<int64_t>(threshold.window.count(), 1);
  const int64_t t = event.time;
  ThresholdDecision decision;
  decision.group = event.group;

  Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return StoreError("begin", s.message());

  // 1. Seen before: counted once. The event that fired fires again (see the header).
  {
    auto seen = db_->Prepare("SELECT fired FROM threshold_events WHERE rule = ? AND event_id = ?");
    if (!seen.ok()) return StoreError("lookup", seen.message());
    seen->Bind(1, rule).Bind(2, event.event_id);
    Statement::StepResult step = seen->Step();
    if (step == Statement::StepResult::kError) return StoreError("lookup", db_->ErrorMessage());
    if (step == Statement::StepResult::kRow) {
      decision.duplicate = true;
      decision.fire = seen->ColumnInt(0) != 0;
      if (decision.fire) decision.count = threshold.count;
      return decision;  // nothing written; the transaction rolls back
    }
  }

  // 2. The group fired and the window that fired has not passed: quiet.
  int64_t quiet_until = 0;
  {
    auto group =
        db_->Prepare("SELECT quiet_until FROM threshold_groups WHERE rule = ? AND grp = ?");
    if (!group.ok()) return StoreError("group lookup", group.message());
    group->Bind(1, rule).Bind(2, event.group);
    Statement::StepResult step = group->Step();
    if (step == Statement::StepResult::kError) {
      return StoreError("group lookup", db_->ErrorMessage());
    }
    if (step == Statement::StepResult::kRow) quiet_until = group->ColumnInt(0);
  }
  if (t < quiet_until) {
    decision.quiet = true;
    if (Status s = PruneLocked(rule, threshold, t); !s.ok()) return Error{s.message()};
    if (Status s = tx.Commit(); !s.ok()) return StoreError("commit", s.message());
    return decision;
  }

  // 3. Count it, then find the best window [first, first + window) that contains t.
  {
    auto insert = db_->Prepare(
        "INSERT INTO threshold_events (rule, event_id, grp, event_time) VALUES (?, ?, ?, ?)");
    if (!insert.ok()) return StoreError("insert", insert.message());
    if (Status s =
            insert->Bind(1, rule).Bind(2, event.event_id).Bind(3, event.group).Bind(4, t).Run();
        !s.ok()) {
      return StoreError("insert", s.message());
    }
  }
  std::vector<int64_t> times;
  {
    // Only unfired rows after the last quiet period can count. Before a group fires, every window
    // holds fewer than `count` rows, so this range holds fewer than 2 * count + 1.
    auto select = db_->Prepare(
        "SELECT event_time FROM threshold_events WHERE rule = ? AND grp = ? AND fired = 0 "
        "AND event_time > ? AND event_time < ? AND event_time >= ? ORDER BY event_time");
    if (!select.ok()) return StoreError("count", select.message());
    select->Bind(1, rule)
        .Bind(2, event.group)
        .Bind(3, t - window)
        .Bind(4, t + window)
        .Bind(5, quiet_until);
    Statement::StepResult step;
    while ((step = select->Step()) == Statement::StepResult::kRow) {
      times.push_back(select->ColumnInt(0));
    }
    if (step == Statement::StepResult::kError) return StoreError("count", db_->ErrorMessage());
  }
  int best = 0;
  int64_t best_first = t;
  size_t end = 0;
  for (size_t first = 0; first < times.size() && times[first] <= t; ++first) {
    end = std::max(end, first);
    while (end < times.size() && times[end] < times[first] + window) ++end;
    int in_window = static_cast<int>(end - first);
    if (in_window > best) {
      best = in_window;
      best_first = times[first];
    }
  }
  decision.count = best;

  if (best >= threshold.count) {
    decision.fire = true;
    const int64_t until = best_first + window;
    auto mark =
        db_->Prepare("UPDATE threshold_events SET fired = 1 WHERE rule = ? AND event_id = ?");
    auto consume = db_->Prepare(
        "DELETE FROM threshold_events WHERE rule = ? AND grp = ? AND fired = 0 AND "
        "event_time < ?");
    auto quiet = db_->Prepare(
        "INSERT INTO threshold_groups (rule, grp, quiet_until, fired_event_id) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (rule, grp) DO UPDATE SET quiet_until = excluded.quiet_until, "
        "fired_event_id = excluded.fired_event_id");
    if (!mark.ok()) return StoreError("fire", mark.message());
    if (!consume.ok()) return StoreError("fire", consume.message());
    if (!quiet.ok()) return StoreError("fire", quiet.message());
    if (Status s = mark->Bind(1, rule).Bind(2, event.event_id).Run(); !s.ok()) {
      return StoreError("fire", s.message());
    }
    // Events of the window that fired are used up: they never count again.
    if (Status s = consume->Bind(1, rule).Bind(2, event.group).Bind(3, until).Run(); !s.ok()) {
      return StoreError("fire", s.message());
    }
    if (Status s =
            quiet->Bind(1, rule).Bind(2, event.group).Bind(3, until).Bind(4, event.event_id).Run();
        !s.ok()) {
      return StoreError("fire", s.message());
    }
  }
  if (Status s = PruneLocked(rule, threshold, t); !s.ok()) return Error{s.message()};
  if (Status s = tx.Commit(); !s.ok()) return StoreError("commit", s.message());
  return decision;
}

Status ThresholdStore::PruneLocked(const std::string& rule, const ThresholdSpec& threshold,
                                   int64_t time) {
  auto newest = newest_.find(rule);
  if (newest == newest_.end()) newest = newest_.emplace(rule, time).first;
  newest->second = std::max(newest->second, time);
  const int64_t now = newest->second;
  auto pruned = pruned_at_.find(rule);
  // Pruning is a range delete on an index; once a minute of event time is plenty.
  if (pruned != pruned_at_.end() && now - pruned->second < 60) return Status::Ok();
  pruned_at_[rule] = now;
  const int64_t window = threshold.window.count();
  const int64_t horizon = now - window - kLateness.count();
  auto events = db_->Prepare("DELETE FROM threshold_events WHERE rule = ? AND event_time < ?");
  if (!events.ok()) return StoreError("prune", events.message());
  if (Status s = events->Bind(1, rule).Bind(2, horizon).Run(); !s.ok()) {
    return StoreError("prune", s.message());
  }
  auto groups = db_->Prepare("DELETE FROM threshold_groups WHERE rule = ? AND quiet_until < ?");
  if (!groups.ok()) return StoreError("prune", groups.message());
  if (Status s = groups->Bind(1, rule).Bind(2, now - kLateness.count()).Run(); !s.ok()) {
    return StoreError("prune", s.message());
  }
  return Status::Ok();
}

Status ThresholdStore::Forget(const std::set<std::string>& rule_names) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> stored;
  {
    auto select = db_->Prepare(
        "SELECT DISTINCT rule FROM threshold_events UNION SELECT DISTINCT rule FROM "
        "threshold_groups");
    if (!select.ok()) return StoreError("forget", select.message());
    Statement::StepResult step;
    while ((step = select->Step()) == Statement::StepResult::kRow) {
      stored.push_back(select->ColumnText(0));
    }
    if (step == Statement::StepResult::kError) return StoreError("forget", db_->ErrorMessage());
  }
  Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return StoreError("forget", s.message());
  for (const std::string& rule : stored) {
    if (rule_names.count(rule) != 0) continue;
    for (const char* sql : {"DELETE FROM threshold_events WHERE rule = ?",
                            "DELETE FROM threshold_groups WHERE rule = ?"}) {
      auto del = db_->Prepare(sql);
      if (!del.ok()) return StoreError("forget", del.message());
      if (Status s = del->Bind(1, rule).Run(); !s.ok()) return StoreError("forget", s.message());
    }
    newest_.erase(rule);
    pruned_at_.erase(rule);
  }
  return tx.Commit();
}

Result<int64_t> ThresholdStore::EventRows() {
  std::lock_guard lock(mutex_);
  auto count = db_->Prepare("SELECT COUNT(*) FROM threshold_events");
  if (!count.ok()) return StoreError("count", count.message());
  if (count->Step() != Statement::StepResult::kRow) return StoreError("count", db_->ErrorMessage());
  return count->ColumnInt(0);
}

}  // namespace trailwatch::rules
