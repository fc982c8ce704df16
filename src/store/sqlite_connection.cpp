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
  Status status = db_->Exec(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  if (status.ok()) synchronous_full_ = full;
  return status;
}

}  // namespace trailwatch::store
