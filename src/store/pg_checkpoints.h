// PgCheckpoints: the PostgreSQL implementation of CheckpointStore (checkpoint_store.h) over the
// source_checkpoints table of the shared store (created by store/pg_schema.cpp, the PostgreSQL
// schema's one owner). It mirrors sqlite_checkpoints.h; the file checkpoints (FileSeen,
// MarkFileSeen, GetFile) come from the base class, built on Get/Put, so both backends store the
// same text.
//
// Why no explicit transactions or locks: the interface has no read-modify-write, and every method
// is one statement (Put an upsert, DeleteKeys one DELETE over an array of keys), so each is atomic
// on its own against other replicas, all-or-nothing like SQLite's transaction.
//
// Thread-safety: every method may be called from any thread (each borrows its own connection
// from the pool); any number of processes may share the database.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/checkpoint_store.h"
#include "store/pg_connection.h"

namespace trailwatch::store {

class PgCheckpoints final : public CheckpointStore {
 public:
  explicit PgCheckpoints(std::shared_ptr<PgPool> pool) : pool_(std::move(pool)) {}

  Result<std::optional<std::string>> Get(const std::string& source,
                                         const std::string& key) override;
  Status Put(const std::string& source, const std::string& key, const std::string& value) override;
  Status Delete(const std::string& source, const std::string& key) override;
  Status DeleteKeys(const std::string& source, const std::vector<std::string>& keys) override;
  Result<std::map<std::string, std::string>> List(const std::string& source) override;

 private:
  std::shared_ptr<PgPool> pool_;
};

// `values` as a PostgreSQL array literal of text ({"a","b\"c"}): every element quoted, with '"'
// and '\' escaped, so that commas, braces, quotes, backslashes, spaces and the word NULL stay
// plain text (exposed for tests).
std::string PgTextArray(const std::vector<std::string>& values);

}  // namespace trailwatch::store
