// SqliteConnection (sqlite_connection.h).
#include "store/sqlite_connection.h"

#include "store/schema.h"

namespace trailwatch::store {

Result<std::shared_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path) {
  auto db = OpenSqliteStore(path);
  if (!db.ok()) return db.error();
  return std::make_shared<SqliteConnection>(std::move(db.value()));
}

Status SqliteConnection::SetSynchronousFull(bool full) {
  if (full == synchronous_full_) return Status::Ok();
  // From the statement cache: the outbox and the alert history switch for every alert they
  // commit, and sqlite3_exec would compile the PRAGMA each time.
  auto pragma = db_->Prepare(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  if (!pragma.ok()) return pragma.error();
  Status status = pragma->Run();
  if (status.ok()) synchronous_full_ = full;
  return status;
}

}  // namespace trailwatch::store
