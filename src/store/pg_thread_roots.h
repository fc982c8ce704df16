// PgThreadRoots: the PostgreSQL implementation of ThreadRootStore (thread_roots.h) over the
// slack_thread_roots table of the shared store (created by store/pg_schema.cpp, the PostgreSQL
// schema's one owner). It mirrors sqlite_thread_roots.h; what differs is that several replicas
// write the same rows: Save is one upsert and Bump one UPDATE ... RETURNING, so each is atomic on
// its own (PostgreSQL's row lock), and two replicas bumping one group never lose a count.
//
// Thread-safety: all methods may be called from many threads (each borrows its own connection
// from the pool); any number of processes may share the database.
#pragma once

#include <memory>

#include "store/pg_connection.h"
#include "store/thread_roots.h"

namespace trailwatch::store {

class PgThreadRoots final : public ThreadRootStore {
 public:
  explicit PgThreadRoots(std::shared_ptr<PgPool> pool) : pool_(std::move(pool)) {}

  Result<std::optional<ThreadRootRow>> Find(const std::string& target,
                                            const std::string& group_key) override;
  Status Save(const std::string& target, const std::string& group_key,
              const ThreadRootRow& root) override;
  Result<int64_t> Bump(const std::string& target, const std::string& group_key) override;

 private:
  std::shared_ptr<PgPool> pool_;
};

}  // namespace trailwatch::store
