// PgAlertHistory: the PostgreSQL implementation of AlertHistory (alert_history.h) over the
// alert_history, alert_bodies, alert_rules and alert_links tables of the shared store (created by
// store/pg_schema.cpp, the PostgreSQL schema's one owner), reading delivery states from
// outbox_entries. Same contract as SqliteAlertHistory; what several replicas sharing it add:
//
//  * Recording order. ids come from an identity column, so two replicas recording at once could
//    commit id 11 before id 10, and a console that had read 11 would never see 10. Record
//    therefore holds one transaction-scoped advisory lock (one recorder at a time across the
//    replicas; a Record is a few milliseconds) so that ids commit in id order.
//  * Prune and Record of the same alert. The children reference their alert (ON DELETE CASCADE):
//    Prune is one DELETE of the alerts, and the row a Record adds links to is read FOR SHARE, so a
//    concurrent Prune either deletes it first (Record then records it anew) or skips it (Prune
//    takes its rows FOR UPDATE SKIP LOCKED), never leaving links without their alert. Two
//    replicas pruning at once take different rows.
//
// Thread-safety: all methods may be called from many threads (each call borrows a pool
// connection). Many processes may share the database.
#pragma once

#include <memory>

#include "store/alert_history.h"
#include "store/pg_connection.h"

namespace trailwatch::store {

class PgAlertHistory final : public AlertHistory {
 public:
  explicit PgAlertHistory(std::shared_ptr<PgPool> pool) : pool_(std::move(pool)) {}

  Status Record(const std::vector<NewAlert>& alerts) override;
  Result<AlertPage> Query(const AlertQuery& query) override;
  Result<std::optional<StoredAlert>> Get(int64_t id) override;
  Result<std::map<std::string, int64_t>> CountByRule(int64_t since) override;
  Result<std::vector<StoredAlert>> Recent(int64_t limit) override;
  Result<int64_t> Prune(int64_t cutoff, int64_t max_rows) override;

 private:
  // Fills the deliveries of `alerts` (one query for all of them).
  Status ReadDeliveries(PgConnection& conn, std::vector<StoredAlert>& alerts);

  std::shared_ptr<PgPool> pool_;
};

}  // namespace trailwatch::store
