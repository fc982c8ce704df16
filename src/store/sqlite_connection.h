// SqliteConnection: one connection to the store file shared by several SQLite store classes
// (the outbox queue and the Slack thread roots use one, as the outbox always did), with the
// mutex that serialises its use and the current synchronous mode. Opened through OpenSqliteStore
// (schema.h), so the file is migrated before any of them touches it.
//
// Why shared: a second connection in the same process would make the outbox's writers wait on
// each other through SQLite's busy handler (sleeps) instead of a mutex.
//
// Thread-safety: hold `mutex` (Lock()) for every use of db() and SetSynchronousFull.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"
#include "store/sqlite.h"

namespace trailwatch::store {

class SqliteConnection {
 public:
  static Result<std::shared_ptr<SqliteConnection>> Open(const std::string& path);
  explicit SqliteConnection(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}

  std::unique_lock<std::mutex> Lock() { return std::unique_lock<std::mutex>(mutex_); }
  sqlite::Database& db() { return *db_; }

  // synchronous=FULL makes COMMIT wait for the WAL to reach the disk (fsync), so a commit
  // survives a power loss, not only a process crash; NORMAL (the store's default) does not.
  // Switches only when needed. Call with the lock held.
  Status SetSynchronousFull(bool full);

 private:
  std::mutex mutex_;
  std::unique_ptr<sqlite::Database> db_;
  bool synchronous_full_ = false;  // OpenSqliteStore leaves NORMAL
};

}  // namespace trailwatch::store
