// PgThresholdCounts (pg_threshold_counts.h): the threshold SQL for PostgreSQL.
#include "store/pg_threshold_counts.h"

#include <utility>

#include "store/store_error.h"

namespace trailwatch::store {

namespace {

// Deletes the rule's rows that pruning allows, inside the caller's transaction.
Status Prune(PgConnection& tx, const std::string& rule, const ThresholdPrune& prune) {
  auto events = tx.Exec("pruning threshold events",
                        "DELETE FROM threshold_events WHERE rule = $1 AND event_time < $2",
                        {rule, prune.events_before});
  if (!events.ok()) return ThresholdStoreError("prune", events.message());
  auto groups = tx.Exec("pruning threshold groups",
                        "DELETE FROM threshold_groups WHERE rule = $1 AND quiet_until < $2",
                        {rule, prune.groups_quiet_before});
  if (!groups.ok()) return ThresholdStoreError("prune", groups.message());
  return Status::Ok();
}

// Counts `event` (see sqlite_threshold_counts.cpp, whose steps these are) inside the caller's
// transaction, which already holds the (rule, group) lock.
Status RecordLocked(PgConnection& tx, const ThresholdObservation& event,
                    const std::optional<ThresholdPrune>& prune, ThresholdOutcome* outcome) {
  const std::string& rule = event.rule;
  const int64_t window = event.window < 1 ? 1 : event.window;
  const int64_t t = event.time;

  // 1. Seen before: counted once. The event that fired fires again (rules/threshold_store.h).
  auto seen = tx.Exec("looking up a threshold event",
                      "SELECT fired FROM threshold_events WHERE rule = $1 AND event_id = $2",
                      {rule, event.event_id});
  if (!seen.ok()) return ThresholdStoreError("lookup", seen.message());
  if (seen->rows() > 0) {
    outcome->duplicate = true;
    outcome->fire = seen->Int(0, 0) != 0;
    if (outcome->fire) outcome->count = event.count;
    return Status::Ok();  // nothing written
  }

  // 2. The group fired and the window that fired has not passed: quiet.
  auto group = tx.Exec("looking up a threshold group",
                       "SELECT quiet_until FROM threshold_groups WHERE rule = $1 AND grp = $2",
                       {rule, event.group});
  if (!group.ok()) return ThresholdStoreError("group lookup", group.message());
  const int64_t quiet_until = group->rows() > 0 ? group->Int(0, 0) : 0;
  if (t < quiet_until) {
    outcome->quiet = true;
    if (prune) return Prune(tx, rule, *prune);
    return Status::Ok();
  }

  // 3. Count it, then find the best window [first, first + window) that contains t.
  // ON CONFLICT: the lock is per group, so a replica recording the same event id under another
  // group key (not expected: the group is read from the event) may have inserted it since step 1;
  // it is then a duplicate, as step 1 would have said, instead of a unique-violation error.
  auto insert = tx.Exec("counting a threshold event",
                        "INSERT INTO threshold_events (rule, event_id, grp, event_time) "
                        "VALUES ($1, $2, $3, $4) ON CONFLICT (rule, event_id) DO NOTHING",
                        {rule, event.event_id, event.group, t});
  if (!insert.ok()) return ThresholdStoreError("insert", insert.message());
  if (insert->Affected() == 0) {
    auto again = tx.Exec("looking up a threshold event",
                         "SELECT fired FROM threshold_events WHERE rule = $1 AND event_id = $2",
                         {rule, event.event_id});
    if (!again.ok()) return ThresholdStoreError("lookup", again.message());
    outcome->duplicate = true;
    outcome->fire = again->rows() > 0 && again->Int(0, 0) != 0;
    if (outcome->fire) outcome->count = event.count;
    return Status::Ok();
  }
  // Only unfired rows after the last quiet period can count. Before a group fires, every window
  // holds fewer than `count` rows, so this range holds fewer than 2 * count + 1.
  auto selected = tx.Exec("counting a threshold window",
                          "SELECT event_time FROM threshold_events WHERE rule = $1 AND grp = $2 "
                          "AND fired = 0 AND event_time > $3 AND event_time < $4 "
                          "AND event_time >= $5 ORDER BY event_time",
                          {rule, event.group, t - window, t + window, quiet_until});
  if (!selected.ok()) return ThresholdStoreError("count", selected.message());
  std::vector<int64_t> times;
  times.reserve(static_cast<size_t>(selected->rows()));
  for (int row = 0; row < selected->rows(); ++row) times.push_back(selected->Int(row, 0));
  int64_t best_first = t;
  outcome->count = BestWindow(times, t, window, &best_first);

  if (outcome->count >= event.count) {
    outcome->fire = true;
    const int64_t until = best_first + window;
    auto mark = tx.Exec("marking the firing event",
                        "UPDATE threshold_events SET fired = 1 WHERE rule = $1 AND event_id = $2",
                        {rule, event.event_id});
    if (!mark.ok()) return ThresholdStoreError("fire", mark.message());
    // Events of the window that fired are used up: they never count again.
    auto consume = tx.Exec("consuming the window that fired",
                           "DELETE FROM threshold_events WHERE rule = $1 AND grp = $2 "
                           "AND fired = 0 AND event_time < $3",
                           {rule, event.group, until});
    if (!consume.ok()) return ThresholdStoreError("fire", consume.message());
    auto quiet = tx.Exec("quieting the group",
                         "INSERT INTO threshold_groups (rule, grp, quiet_until, fired_event_id) "
                         "VALUES ($1, $2, $3, $4) ON CONFLICT (rule, grp) DO UPDATE SET "
                         "quiet_until = excluded.quiet_until, "
                         "fired_event_id = excluded.fired_event_id",
                         {rule, event.group, until, event.event_id});
    if (!quiet.ok()) return ThresholdStoreError("fire", quiet.message());
  }
  if (prune) return Prune(tx, rule, *prune);
  return Status::Ok();
}

}  // namespace

Result<ThresholdOutcome> PgThresholdCounts::Record(const ThresholdObservation& event,
                                                   const std::optional<ThresholdPrune>& prune) {
  ThresholdOutcome outcome;
  Status done = pool_->Transaction("recording a threshold event", [&](PgConnection& tx) -> Status {
    // A retried transaction (serialization failure, deadlock) starts over from nothing.
    outcome = ThresholdOutcome{};
    // Held until COMMIT or ROLLBACK. The separator keeps ("ab", "c") apart from ("a", "bc"); a
    // collision (of the text or of the 64-bit hash) only makes two groups wait for each other,
    // it never merges their counts.
    auto locked = tx.Exec("locking the threshold group",
                          "SELECT pg_advisory_xact_lock(hashtextextended("
                          "$1::text || E'\\n' || $2::text, 0))",
                          {event.rule, event.group});
    if (!locked.ok()) return ThresholdStoreError("lock", locked.message());
    return RecordLocked(tx, event, prune, &outcome);
  });
  if (!done.ok()) return Error{done.message()};
  return outcome;
}

Result<std::vector<std::string>> PgThresholdCounts::ForgetRulesExcept(
    const std::set<std::string>& keep) {
  std::vector<std::string> dropped;
  Status done = pool_->Transaction("forgetting threshold rules", [&](PgConnection& tx) -> Status {
    dropped.clear();
    auto stored = tx.Exec("listing threshold rules",
                          "SELECT rule FROM (SELECT rule FROM threshold_events UNION "
                          "SELECT rule FROM threshold_groups) AS stored "
                          "ORDER BY rule COLLATE \"C\"");
    if (!stored.ok()) return ThresholdStoreError("forget", stored.message());
    for (int row = 0; row < stored->rows(); ++row) {
      std::string rule = stored->Text(row, 0);
      if (keep.count(rule) != 0) continue;
      for (const char* sql : {"DELETE FROM threshold_events WHERE rule = $1",
                              "DELETE FROM threshold_groups WHERE rule = $1"}) {
        auto removed = tx.Exec("forgetting a threshold rule", sql, {rule});
        if (!removed.ok()) return ThresholdStoreError("forget", removed.message());
      }
      dropped.push_back(std::move(rule));
    }
    return Status::Ok();
  });
  if (!done.ok()) return Error{done.message()};
  return dropped;
}

Result<int64_t> PgThresholdCounts::EventRows() {
  auto count = pool_->Exec("counting threshold events", "SELECT COUNT(*) FROM threshold_events");
  if (!count.ok()) return ThresholdStoreError("count", count.message());
  return count->Int(0, 0);
}

}  // namespace trailwatch::store
