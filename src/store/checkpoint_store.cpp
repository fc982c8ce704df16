// CheckpointStore (checkpoint_store.h) over the outbox's SQLite RAII wrappers.
#include "store/checkpoint_store.h"
#include "common/wall_clock.h"

#include <chrono>
#include <cstdio>
#include <utility>

#include "store/sqlite.h"

namespace trailwatch::store {

namespace {

using store::sqlite::Database;
using store::sqlite::Statement;

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS source_checkpoints ("
    "  source TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL,"  // unix ms, for operators reading the table
    "  PRIMARY KEY (source, key)"
    ") WITHOUT ROWID";

int64_t NowMs() { return WallClockMs(); }

Error StoreError(const std::string& what, const std::string& message) {
  return Error{"checkpoint store: " + what + ": " + message};
}

}  // namespace

std::string FormatFileCheckpoint(const FileCheckpoint& file) {
  return std::to_string(file.size) + " " + std::to_string(file.mtime_ns) + " " +
         (file.failed ? "failed" : "ok");
}

std::optional<FileCheckpoint> ParseFileCheckpoint(const std::string& value) {
  long long size = 0;
  long long mtime = 0;
  char state[8] = {};
  int consumed = 0;
  if (std::sscanf(value.c_str(), "%lld %lld %7s%n", &size, &mtime, state, &consumed) != 3 ||
      static_cast<size_t>(consumed) != value.size()) {
    return std::nullopt;
  }
  std::string text = state;
  if (text != "ok" && text != "failed") return std::nullopt;
  return FileCheckpoint{size, mtime, text == "failed"};
}

CheckpointStore::CheckpointStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}
CheckpointStore::~CheckpointStore() = default;

Result<std::unique_ptr<CheckpointStore>> CheckpointStore::Open(const std::string& path) {
  auto db = Database::Open(path);
  if (!db.ok()) return Error{path + ": " + db.message()};
  std::unique_ptr<CheckpointStore> store(new CheckpointStore(std::move(db.value())));
  if (Status s = store->Initialise(); !s.ok()) return Error{path + ": " + s.message()};
  return store;
}

Status CheckpointStore::Initialise() {
  // The outbox or another process may hold the write lock briefly: wait rather than fail.
  sqlite3_busy_timeout(db_->handle(), 10000);
  if (Status s = db_->Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s;
  // See the header: a lost checkpoint replays, and replays never re-alert.
  if (Status s = db_->Exec("PRAGMA synchronous=NORMAL"); !s.ok()) return s;
  if (Status s = db_->Exec(kSchema); !s.ok()) return StoreError("creating the table", s.message());
  return Status::Ok();
}

Result<std::optional<std::string>> CheckpointStore::Get(const std::string& source,
                                                        const std::string& key) {
  std::lock_guard lock(mutex_);
  auto select = db_->Prepare("SELECT value FROM source_checkpoints WHERE source = ? AND key = ?");
  if (!select.ok()) return StoreError("get", select.message());
  select->Bind(1, source).Bind(2, key);
  switch (select->Step()) {
    case Statement::StepResult::kRow:
      return std::optional<std::string>(select->ColumnText(0));
    case Statement::StepResult::kDone:
      return std::optional<std::string>();
    case Statement::StepResult::kError:
      break;
  }
  return StoreError("get", db_->ErrorMessage());
}

Status CheckpointStore::Put(const std::string& source, const std::string& key,
                            const std::string& value) {
  std::lock_guard lock(mutex_);
  auto upsert = db_->Prepare(
      "INSERT INTO source_checkpoints (source, key, value, updated_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, "
      "updated_at = excluded.updated_at");
  if (!upsert.ok()) return StoreError("put", upsert.message());
  Status s = upsert->Bind(1, source).Bind(2, key).Bind(3, value).Bind(4, NowMs()).Run();
  if (!s.ok()) return StoreError("put", s.message());
  return Status::Ok();
}

Status CheckpointStore::Delete(const std::string& source, const std::string& key) {
  std::lock_guard lock(mutex_);
  auto remove = db_->Prepare("DELETE FROM source_checkpoints WHERE source = ? AND key = ?");
  if (!remove.ok()) return StoreError("delete", remove.message());
  Status s = remove->Bind(1, source).Bind(2, key).Run();
  if (!s.ok()) return StoreError("delete", s.message());
  return Status::Ok();
}

Status CheckpointStore::DeleteKeys(const std::string& source,
                                   const std::vector<std::string>& keys) {
  if (keys.empty()) return Status::Ok();
  std::lock_guard lock(mutex_);
  store::sqlite::Transaction transaction(*db_);
  if (Status s = transaction.Begin(); !s.ok()) return StoreError("delete", s.message());
  auto remove = db_->Prepare("DELETE FROM source_checkpoints WHERE source = ? AND key = ?");
  if (!remove.ok()) return StoreError("delete", remove.message());
  for (const std::string& key : keys) {
    remove->Reset();
    if (Status s = remove->Bind(1, source).Bind(2, key).Run(); !s.ok()) {
      return StoreError("delete", s.message());
    }
  }
  if (Status s = transaction.Commit(); !s.ok()) return StoreError("delete", s.message());
  return Status::Ok();
}

Result<std::map<std::string, std::string>> CheckpointStore::List(const std::string& source) {
  std::lock_guard lock(mutex_);
  auto select =
      db_->Prepare("SELECT key, value FROM source_checkpoints WHERE source = ? ORDER BY key");
  if (!select.ok()) return StoreError("list", select.message());
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
        return StoreError("list", db_->ErrorMessage());
    }
  }
}

Result<std::optional<FileCheckpoint>> CheckpointStore::GetFile(const std::string& source,
                                                               const std::string& path) {
  auto value = Get(source, path);
  if (!value.ok()) return value.error();
  if (!value->has_value()) return std::optional<FileCheckpoint>();
  return ParseFileCheckpoint(**value);
}

Result<bool> CheckpointStore::FileSeen(const std::string& source, const std::string& path,
                                       int64_t size, int64_t mtime_ns) {
  auto file = GetFile(source, path);
  if (!file.ok()) return file.error();
  return file->has_value() && (*file)->size == size && (*file)->mtime_ns == mtime_ns;
}

Status CheckpointStore::MarkFileSeen(const std::string& source, const std::string& path,
                                     const FileCheckpoint& file) {
  return Put(source, path, FormatFileCheckpoint(file));
}

}  // namespace trailwatch::store
