// PgCheckpoints (pg_checkpoints.h): the checkpoint SQL for PostgreSQL.
#include "store/pg_checkpoints.h"

#include <utility>

#include "common/wall_clock.h"
#include "store/store_error.h"

namespace trailwatch::store {

std::string PgTextArray(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal.push_back(',');
    literal.push_back('"');
    for (char c : values[i]) {
      if (c == '"' || c == '\\') literal.push_back('\\');
      literal.push_back(c);
    }
    literal.push_back('"');
  }
  literal.push_back('}');
  return literal;
}

Result<std::optional<std::string>> PgCheckpoints::Get(const std::string& source,
                                                      const std::string& key) {
  auto found = pool_->Exec("reading a checkpoint",
                           "SELECT value FROM source_checkpoints WHERE source = $1 AND key = $2",
                           {source, key});
  if (!found.ok()) return CheckpointStoreError("get", found.message());
  if (found->rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(found->Text(0, 0));
}

Status PgCheckpoints::Put(const std::string& source, const std::string& key,
                          const std::string& value) {
  auto upsert = pool_->Exec(
      "writing a checkpoint",
      "INSERT INTO source_checkpoints (source, key, value, updated_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, "
      "updated_at = excluded.updated_at",
      {source, key, value, WallClockMs()});
  if (!upsert.ok()) return CheckpointStoreError("put", upsert.message());
  return Status::Ok();
}

Status PgCheckpoints::Delete(const std::string& source, const std::string& key) {
  auto removed = pool_->Exec("deleting a checkpoint",
                             "DELETE FROM source_checkpoints WHERE source = $1 AND key = $2",
                             {source, key});
  if (!removed.ok()) return CheckpointStoreError("delete", removed.message());
  return Status::Ok();
}

Status PgCheckpoints::DeleteKeys(const std::string& source, const std::vector<std::string>& keys) {
  if (keys.empty()) return Status::Ok();
  // One statement with the keys as one array parameter: one round trip however many files are
  // forgotten, and atomic without an explicit transaction.
  auto removed = pool_->Exec("deleting checkpoints",
                             "DELETE FROM source_checkpoints "
                             "WHERE source = $1 AND key = ANY($2::text[])",
                             {source, PgTextArray(keys)});
  if (!removed.ok()) return CheckpointStoreError("delete", removed.message());
  return Status::Ok();
}

Result<std::map<std::string, std::string>> PgCheckpoints::List(const std::string& source) {
  // COLLATE "C": byte order, as SQLite's ORDER BY and std::map have it, whatever the database's
  // collation.
  auto listed = pool_->Exec("listing checkpoints",
                            "SELECT key, value FROM source_checkpoints WHERE source = $1 "
                            "ORDER BY key COLLATE \"C\"",
                            {source});
  if (!listed.ok()) return CheckpointStoreError("list", listed.message());
  std::map<std::string, std::string> out;
  for (int row = 0; row < listed->rows(); ++row) {
    out.emplace(listed->Text(row, 0), listed->Text(row, 1));
  }
  return out;
}

}  // namespace trailwatch::store
