// CheckpointStore (checkpoint_store.h): the backend-independent part (file checkpoints over
// Get/Put, their text form) and Open, which picks the SQLite backend (sqlite_checkpoints.h).
#include "store/checkpoint_store.h"

#include <cstdio>

#include "store/sqlite_checkpoints.h"

namespace trailwatch::store {

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

Result<std::unique_ptr<CheckpointStore>> CheckpointStore::Open(const std::string& path) {
  auto store = SqliteCheckpoints::Open(path);
  if (!store.ok()) return store.error();
  return std::unique_ptr<CheckpointStore>(std::move(store.value()));
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
