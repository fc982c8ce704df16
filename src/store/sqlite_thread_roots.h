// SqliteThreadRoots: the SQLite implementation of ThreadRootStore (thread_roots.h) over the
// slack_thread_roots table (created by store/schema.cpp, the schema's one owner). It shares the
// outbox queue's connection (sqlite_connection.h).
//
// Thread-safety: all methods may be called from many threads (the shared connection's mutex).
#pragma once

#include <memory>

#include "store/sqlite_connection.h"
#include "store/thread_roots.h"

namespace trailwatch::store {

class SqliteThreadRoots final : public ThreadRootStore {
 public:
  explicit SqliteThreadRoots(std::shared_ptr<SqliteConnection> connection)
      : connection_(std::move(connection)) {}

  Result<std::optional<ThreadRootRow>> Find(const std::string& target,
                                            const std::string& group_key) override;
  Status Save(const std::string& target, const std::string& group_key,
              const ThreadRootRow& root) override;
  Result<int64_t> Bump(const std::string& target, const std::string& group_key) override;

 private:
  std::shared_ptr<SqliteConnection> connection_;
};

}  // namespace trailwatch::store
