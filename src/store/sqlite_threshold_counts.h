// SqliteThresholdCounts: the SQLite implementation of ThresholdCounts (threshold_counts.h) over
// threshold_events (rule, event_id) -> group, time, fired and threshold_groups (rule, group) ->
// quiet_until, fired_event_id, created by store/schema.cpp (the schema's one owner). The SQL that
// was in rules/threshold_store.cpp lives here, so that a PostgreSQL backend is a second
// implementation of the interface.
//
// Thread-safety: all methods may be called from many threads (one connection behind a mutex).
// Several processes may share the file; each Record is one IMMEDIATE transaction, so two
// processes consuming one queue count each event once.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/sqlite.h"
#include "store/threshold_counts.h"

namespace trailwatch::store {

class SqliteThresholdCounts final : public ThresholdCounts {
 public:
  // Opens the store file through OpenSqliteStore (schema.h): synchronous=NORMAL, since a counter
  // lost to a power cut only delays an alert by one event. Errors name the path.
  static Result<std::unique_ptr<SqliteThresholdCounts>> Open(const std::string& path);
  explicit SqliteThresholdCounts(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}

  Result<ThresholdOutcome> Record(const ThresholdObservation& event,
                                  const std::optional<ThresholdPrune>& prune) override;
  Result<std::vector<std::string>> ForgetRulesExcept(const std::set<std::string>& keep) override;
  Result<int64_t> EventRows() override;

 private:
  Status PruneLocked(const std::string& rule, const ThresholdPrune& prune);

  std::mutex mutex_;
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace trailwatch::store
