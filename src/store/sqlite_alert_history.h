// SqliteAlertHistory: the SQLite implementation of AlertHistory (alert_history.h) over the
// alert_history, alert_bodies, alert_rules and alert_links tables (created by store/schema.cpp,
// the schema's one owner), reading delivery states from outbox_entries in the same file.
//
// Two connections, on purpose:
//  * writes (Record, Prune) use the outbox's shared connection (sqlite_connection.h): a second
//    writer in the process would make the outbox's commits wait for it through SQLite's busy
//    handler (sleeps) instead of a mutex. They commit with synchronous=NORMAL: history is not what
//    keeps an alert safe, the outbox is.
//  * reads (Query, Get, CountByRule, Recent) use a connection of their own, so that a console
//    listing alerts (a text search scans the table) never holds the mutex that delivery needs. In
//    WAL mode a reader neither blocks the writer nor waits for it.
//
// Thread-safety: all methods may be called from many threads (each connection's mutex). Several
// processes may open the same file.
#pragma once

#include <memory>

#include "store/alert_history.h"
#include "store/sqlite_connection.h"

namespace trailwatch::store {

class SqliteAlertHistory final : public AlertHistory {
 public:
  // `writer`: the outbox's connection; `reader`: one of the history's own (both on one file).
  SqliteAlertHistory(std::shared_ptr<SqliteConnection> writer,
                     std::shared_ptr<SqliteConnection> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}

  Status Record(const std::vector<NewAlert>& alerts) override;
  Result<AlertPage> Query(const AlertQuery& query) override;
  Result<std::optional<StoredAlert>> Get(int64_t id) override;
  Result<std::map<std::string, int64_t>> CountByRule(int64_t since) override;
  Result<std::vector<StoredAlert>> Recent(int64_t limit) override;
  Result<int64_t> Prune(int64_t cutoff, int64_t max_rows) override;

 private:
  // Fills the deliveries of `alerts` (one query for all of them). Call with the reader's lock.
  Status ReadDeliveriesLocked(std::vector<StoredAlert>& alerts);

  std::shared_ptr<SqliteConnection> writer_;
  std::shared_ptr<SqliteConnection> reader_;
};

}  // namespace trailwatch::store
