// SqliteThresholdCounts (sqlite_threshold_counts.h): the threshold SQL.
#include "store/sqlite_threshold_counts.h"

#include <utility>

#include "store/schema.h"
#include "store/store_error.h"

namespace trailwatch::store {

namespace {

using sqlite::Statement;
using sqlite::Transaction;

}  // namespace

Result<std::unique_ptr<SqliteThresholdCounts>> SqliteThresholdCounts::Open(
    const std::string& path) {
  auto db = OpenSqliteStore(path);
  if (!db.ok()) return db.error();
  return std::make_unique<SqliteThresholdCounts>(std::move(db.value()));
}

Result<ThresholdOutcome> SqliteThresholdCounts::Record(const ThresholdObservation& event,
                                                       const std::optional<ThresholdPrune>& prune) {
  std::lock_guard lock(mutex_);
  const std::string& rule = event.rule;
  const int64_t window = event.window < 1 ? 1 : event.window;
  const int64_t t = event.time;
  ThresholdOutcome outcome;

  Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return ThresholdStoreError("begin", s.message());

  // 1. Seen before: counted once. The event that fired fires again (rules/threshold_store.h).
  {
    auto seen = db_->Prepare("SELECT fired FROM threshold_events WHERE rule = ? AND event_id = ?");
    if (!seen.ok()) return ThresholdStoreError("lookup", seen.message());
    seen->Bind(1, rule).Bind(2, event.event_id);
    Statement::StepResult step = seen->Step();
    if (step == Statement::StepResult::kError) {
      return ThresholdStoreError("lookup", db_->ErrorMessage());
    }
    if (step == Statement::StepResult::kRow) {
      outcome.duplicate = true;
      outcome.fire = seen->ColumnInt(0) != 0;
      if (outcome.fire) outcome.count = event.count;
      return outcome;  // nothing written; the transaction rolls back
    }
  }

  // 2. The group fired and the window that fired has not passed: quiet.
  int64_t quiet_until = 0;
  {
    auto group =
        db_->Prepare("SELECT quiet_until FROM threshold_groups WHERE rule = ? AND grp = ?");
    if (!group.ok()) return ThresholdStoreError("group lookup", group.message());
    group->Bind(1, rule).Bind(2, event.group);
    Statement::StepResult step = group->Step();
    if (step == Statement::StepResult::kError) {
      return ThresholdStoreError("group lookup", db_->ErrorMessage());
    }
    if (step == Statement::StepResult::kRow) quiet_until = group->ColumnInt(0);
  }
  if (t < quiet_until) {
    outcome.quiet = true;
    if (prune) {
      if (Status s = PruneLocked(rule, *prune); !s.ok()) return Error{s.message()};
    }
    if (Status s = tx.Commit(); !s.ok()) return ThresholdStoreError("commit", s.message());
    return outcome;
  }

  // 3. Count it, then find the best window [first, first + window) that contains t.
  {
    auto insert = db_->Prepare(
        "INSERT INTO threshold_events (rule, event_id, grp, event_time) VALUES (?, ?, ?, ?)");
    if (!insert.ok()) return ThresholdStoreError("insert", insert.message());
    if (Status s =
            insert->Bind(1, rule).Bind(2, event.event_id).Bind(3, event.group).Bind(4, t).Run();
        !s.ok()) {
      return ThresholdStoreError("insert", s.message());
    }
  }
  std::vector<int64_t> times;
  {
    // Only unfired rows after the last quiet period can count. Before a group fires, every window
    // holds fewer than `count` rows, so this range holds fewer than 2 * count + 1.
    auto select = db_->Prepare(
        "SELECT event_time FROM threshold_events WHERE rule = ? AND grp = ? AND fired = 0 "
        "AND event_time > ? AND event_time < ? AND event_time >= ? ORDER BY event_time");
    if (!select.ok()) return ThresholdStoreError("count", select.message());
    select->Bind(1, rule)
        .Bind(2, event.group)
        .Bind(3, t - window)
        .Bind(4, t + window)
        .Bind(5, quiet_until);
    Statement::StepResult step;
    while ((step = select->Step()) == Statement::StepResult::kRow) {
      times.push_back(select->ColumnInt(0));
    }
    if (step == Statement::StepResult::kError) {
      return ThresholdStoreError("count", db_->ErrorMessage());
    }
  }
  int64_t best_first = t;
  outcome.count = BestWindow(times, t, window, &best_first);

  if (outcome.count >= event.count) {
    outcome.fire = true;
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
    if (!mark.ok()) return ThresholdStoreError("fire", mark.message());
    if (!consume.ok()) return ThresholdStoreError("fire", consume.message());
    if (!quiet.ok()) return ThresholdStoreError("fire", quiet.message());
    if (Status s = mark->Bind(1, rule).Bind(2, event.event_id).Run(); !s.ok()) {
      return ThresholdStoreError("fire", s.message());
    }
    // Events of the window that fired are used up: they never count again.
    if (Status s = consume->Bind(1, rule).Bind(2, event.group).Bind(3, until).Run(); !s.ok()) {
      return ThresholdStoreError("fire", s.message());
    }
    if (Status s =
            quiet->Bind(1, rule).Bind(2, event.group).Bind(3, until).Bind(4, event.event_id).Run();
        !s.ok()) {
      return ThresholdStoreError("fire", s.message());
    }
  }
  if (prune) {
    if (Status s = PruneLocked(rule, *prune); !s.ok()) return Error{s.message()};
  }
  if (Status s = tx.Commit(); !s.ok()) return ThresholdStoreError("commit", s.message());
  return outcome;
}

Status SqliteThresholdCounts::PruneLocked(const std::string& rule, const ThresholdPrune& prune) {
  auto events = db_->Prepare("DELETE FROM threshold_events WHERE rule = ? AND event_time < ?");
  if (!events.ok()) return ThresholdStoreError("prune", events.message());
  if (Status s = events->Bind(1, rule).Bind(2, prune.events_before).Run(); !s.ok()) {
    return ThresholdStoreError("prune", s.message());
  }
  auto groups = db_->Prepare("DELETE FROM threshold_groups WHERE rule = ? AND quiet_until < ?");
  if (!groups.ok()) return ThresholdStoreError("prune", groups.message());
  if (Status s = groups->Bind(1, rule).Bind(2, prune.groups_quiet_before).Run(); !s.ok()) {
    return ThresholdStoreError("prune", s.message());
  }
  return Status::Ok();
}

Result<std::vector<std::string>> SqliteThresholdCounts::ForgetRulesExcept(
    const std::set<std::string>& keep) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> stored;
  {
    auto select = db_->Prepare(
        "SELECT DISTINCT rule FROM threshold_events UNION SELECT DISTINCT rule FROM "
        "threshold_groups");
    if (!select.ok()) return ThresholdStoreError("forget", select.message());
    Statement::StepResult step;
    while ((step = select->Step()) == Statement::StepResult::kRow) {
      stored.push_back(select->ColumnText(0));
    }
    if (step == Statement::StepResult::kError) {
      return ThresholdStoreError("forget", db_->ErrorMessage());
    }
  }
  std::vector<std::string> dropped;
  Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return ThresholdStoreError("forget", s.message());
  for (const std::string& rule : stored) {
    if (keep.count(rule) != 0) continue;
    for (const char* sql : {"DELETE FROM threshold_events WHERE rule = ?",
                            "DELETE FROM threshold_groups WHERE rule = ?"}) {
      auto del = db_->Prepare(sql);
      if (!del.ok()) return ThresholdStoreError("forget", del.message());
      if (Status s = del->Bind(1, rule).Run(); !s.ok()) {
        return ThresholdStoreError("forget", s.message());
      }
    }
    dropped.push_back(rule);
  }
  if (Status s = tx.Commit(); !s.ok()) return ThresholdStoreError("forget", s.message());
  return dropped;
}

Result<int64_t> SqliteThresholdCounts::EventRows() {
  std::lock_guard lock(mutex_);
  auto count = db_->Prepare("SELECT COUNT(*) FROM threshold_events");
  if (!count.ok()) return ThresholdStoreError("count", count.message());
  if (count->Step() != Statement::StepResult::kRow) {
    return ThresholdStoreError("count", db_->ErrorMessage());
  }
  return count->ColumnInt(0);
}

}  // namespace trailwatch::store
