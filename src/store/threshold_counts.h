// ThresholdCounts: the storage behind rule thresholds (rules/threshold_store.h), as plain
// store-level records — rule names, event ids, group keys, event times — so that store/ needs
// nothing from rules/ and a PostgreSQL backend can implement the same interface (issue 11). The
// SQLite implementation is sqlite_threshold_counts.h; the tables are created by store/schema.cpp.
//
// The semantics (count within a window, once per event id, quiet after firing, pruning) are
// documented in rules/threshold_store.h. Each Record is ONE transaction that reads and writes
// the rows of its rule and group, so an implementation must make it atomic against other
// processes counting the same rule (SQLite: BEGIN IMMEDIATE; PostgreSQL would need SERIALIZABLE
// or a row lock on the group). The window arithmetic is shared: BestWindow below.
//
// Thread-safety: implementations may be called from many threads.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace trailwatch::store {

// One event that matched a rule with a threshold.
struct ThresholdObservation {
  std::string rule;
  std::string event_id;  // already bounded in length by the caller
  std::string group;     // group key (JSON array text), already bounded
  int64_t time = 0;      // event time, seconds
  int64_t window = 1;    // seconds, >= 1
  int64_t count = 1;     // events that fire the rule
};

// Rows the same transaction may delete (the caller decides when pruning is due).
struct ThresholdPrune {
  int64_t events_before = 0;        // threshold_events of the rule with event_time < this
  int64_t groups_quiet_before = 0;  // threshold_groups of the rule with quiet_until < this
};

struct ThresholdOutcome {
  bool fire = false;
  bool duplicate = false;  // the event id was already counted for the rule (nothing written)
  bool quiet = false;      // the group is quiet: not counted
  int64_t count = 0;       // events in the best window containing this event (when counted)
};

class ThresholdCounts {
 public:
  virtual ~ThresholdCounts() = default;
  // Counts `event` and decides, in one transaction; prunes with `prune` in the same transaction
  // unless the event is a duplicate.
  virtual Result<ThresholdOutcome> Record(const ThresholdObservation& event,
                                          const std::optional<ThresholdPrune>& prune) = 0;
  // Deletes the rows of every rule not in `keep`; returns the rules it dropped.
  virtual Result<std::vector<std::string>> ForgetRulesExcept(const std::set<std::string>& keep) = 0;
  // Event rows stored (tests, metrics).
  virtual Result<int64_t> EventRows() = 0;
};

// The window arithmetic every backend shares. `times`: the event times (sorted ascending) of the
// group's unfired rows in (t - window, t + window) at or after the group's quiet_until, t's own
// row included. Returns the most events in one window [first, first + window) with first <= t,
// and sets *best_first to that window's start (t when `times` is empty).
int64_t BestWindow(const std::vector<int64_t>& times, int64_t t, int64_t window,
                   int64_t* best_first);

}  // namespace trailwatch::store
