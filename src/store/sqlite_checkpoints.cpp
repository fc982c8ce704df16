// SqliteCheckpoints (sqlite_checkpoints.h): the checkpoint SQL.
#include "store/sqlite_checkpoints.h"

#include <utility>

#include "common/wall_clock.h"
#include "store/schema.h"
#include "store/store_error.h"

namespace trailwatch::store {

namespace {

using sqlite::Statement;

}  // namespace

Result<std::unique_ptr<SqliteCheckpoints>> SqliteCheckpoints::Open(const std::string& path) {
  // A lost checkpoint only replays a file, and replays never re-alert (checkpoint_store.h): the
  // store's default synchronous=NORMAL is right for every commit here.
  auto db = OpenSqliteStore(path);
  if (!db.ok()) return db.error();
  return std::make_unique<SqliteCheckpoints>(std::move(db.value()));
}

Result<std::optional<std::string>> SqliteCheckpoints::Get(const std::string& source,
                                                          const std::string& key) {
  std::lock_guard lock(mutex_);
  auto select = db_->Prepare("SELECT value FROM source_checkpoints WHERE source = ? AND key = ?");
  if (!select.ok()) return CheckpointStoreError("get", select.message());
  select->Bind(1, source).Bind(2, key);
  switch (select->Step()) {
    case Statement::StepResult::kRow:
      return std::optional<std::string>(select->ColumnText(0));
    case Statement::StepResult::kDone:
      return std::optional<std::string>();
    case Statement::StepResult::kError:
      break;
  }
  return CheckpointStoreError("get", db_->ErrorMessage());
}

Status SqliteCheckpoints::Put(const std::string& source, const std::string& key,
                              const std::string& value) {
  std::lock_guard lock(mutex_);
  auto upsert = db_->Prepare(
      "INSERT INTO source_checkpoints (source, key, value, updated_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, "
      "updated_at = excluded.updated_at");
  if (!upsert.ok()) return CheckpointStoreError("put", upsert.message());
  Status s = upsert->Bind(1, source).Bind(2, key).Bind(3, value).Bind(4, WallClockMs()).Run();
  if (!s.ok()) return CheckpointStoreError("put", s.message());
  return Status::Ok();
}

Status SqliteCheckpoints::Delete(const std::string& source, const std::string& key) {
  std::lock_guard lock(mutex_);
  auto remove = db_->Prepare("DELETE FROM source_checkpoints WHERE source = ? AND key = ?");
  if (!remove.ok()) return CheckpointStoreError("delete", remove.message());
  Status s = remove->Bind(1, source).Bind(2, key).Run();
  if (!s.ok()) return CheckpointStoreError("delete", s.message());
  return Status::Ok();
}

Status SqliteCheckpoints::DeleteKeys(const std::string& source,
                                     const std::vector<std::string>& keys) {
  if (keys.empty()) return Status::Ok();
  std::lock_guard lock(mutex_);
  store::sqlite::Transaction transaction(*db_);
  if (Status s = transaction.Begin(); !s.ok()) return CheckpointStoreError("delete", s.message());
  auto remove = db_->Prepare("DELETE FROM source_checkpoints WHERE source = ? AND key = ?");
  if (!remove.ok()) return CheckpointStoreError("delete", remove.message());
  for (const std::string& key : keys) {
    remove->Reset();
    if (Status s = remove->Bind(1, source).Bind(2, key).Run(); !s.ok()) {
      return CheckpointStoreError("delete", s.message());
    }
  }
  if (Status s = transaction.Commit(); !s.ok()) return CheckpointStoreError("delete", s.message());
  return Status::Ok();
}

Result<std::map<std::string, std::string>> SqliteCheckpoints::List(const std::string& source) {
  std::lock_guard lock(mutex_);
  auto select =
      db_->Prepare("SELECT key, value FROM source_checkpoints WHERE source = ? ORDER BY key");
  if (!select.ok()) return CheckpointStoreError("list", select.message());
  select->Bind(1, source);
  std::map<std::string, std::string> out;
  for (;;) {
    switch (select->Step()) {
      case Statement::StepResult::kRow:
        out.emplace(select->ColumnText(0), select->ColumnText(1));
        continue;
      case Statement::StepResult::kDone:
        return out;
      case Statement::StepResult::kError:
        return CheckpointStoreError("list", db_->ErrorMessage());
    }
  }
}

}  // namespace trailwatch::store
