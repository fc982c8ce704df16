// SqliteCheckpoints: the SQLite implementation of CheckpointStore (checkpoint_store.h), over the
// source_checkpoints table of the store file (created by store/schema.cpp, the schema's one
// owner). The SQL that was in checkpoint_store.cpp lives here so that a PostgreSQL backend is a
// second implementation of the same interface, not an edit of this one.
//
// Thread-safety: every method may be called from any thread (one connection behind one mutex).
// Several connections and processes may share the file (WAL, 10 s busy timeout).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/checkpoint_store.h"
#include "store/sqlite.h"

namespace trailwatch::store {

class SqliteCheckpoints final : public CheckpointStore {
 public:
  // Opens the store file through OpenSqliteStore (schema.h). Errors name the path.
  static Result<std::unique_ptr<SqliteCheckpoints>> Open(const std::string& path);
  explicit SqliteCheckpoints(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}

  Result<std::optional<std::string>> Get(const std::string& source,
                                         const std::string& key) override;
  Status Put(const std::string& source, const std::string& key, const std::string& value) override;
  Status Delete(const std::string& source, const std::string& key) override;
  Status DeleteKeys(const std::string& source, const std::vector<std::string>& keys) override;
  Result<std::map<std::string, std::string>> List(const std::string& source) override;

 private:
  std::mutex mutex_;
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace trailwatch::store
