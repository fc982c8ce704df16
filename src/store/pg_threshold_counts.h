// PgThresholdCounts: the PostgreSQL implementation of ThresholdCounts (threshold_counts.h) over
// threshold_events (rule, event_id) -> group, time, fired and threshold_groups (rule, group) ->
// quiet_until, fired_event_id of the shared store (created by store/pg_schema.cpp, the PostgreSQL
// schema's one owner). It mirrors sqlite_threshold_counts.h step for step, so that both backends
// decide alike; the window arithmetic is the shared BestWindow.
//
// Why an advisory lock: replicas count one shared window, so a Record must read and write its
// rule and group's rows as if alone. SQLite gets that from BEGIN IMMEDIATE (one writer per file);
// here each Record is one READ COMMITTED transaction that first takes a transaction-scoped
// advisory lock on a hash of (rule, group). Records of one group then run one after another across
// every process (each statement after the lock sees what the previous holder committed), while
// other groups proceed in parallel. SERIALIZABLE would also be correct but would make every
// concurrent Record of a busy group fail and retry; a hash collision between two groups only
// serialises them. A deadlock (pruning touches rows of other groups) is retried by PgTransaction.
//
// Thread-safety: all methods may be called from many threads (each borrows its own connection
// from the pool); any number of processes may share the database, and each event is counted once.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "store/pg_connection.h"
#include "store/threshold_counts.h"

namespace trailwatch::store {

class PgThresholdCounts final : public ThresholdCounts {
 public:
  explicit PgThresholdCounts(std::shared_ptr<PgPool> pool) : pool_(std::move(pool)) {}

  Result<ThresholdOutcome> Record(const ThresholdObservation& event,
                                  const std::optional<ThresholdPrune>& prune) override;
  Result<std::vector<std::string>> ForgetRulesExcept(const std::set<std::string>& keep) override;
  Result<int64_t> EventRows() override;

 private:
  std::shared_ptr<PgPool> pool_;
};

}  // namespace trailwatch::store
