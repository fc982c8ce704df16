// CheckpointStore: where the file-based sources remember what they have already handed to the
// pipeline, so that a restart neither re-alerts nor skips (issue 5, item 2).
//
// CheckpointStore is the interface; the SQLite implementation (sqlite_checkpoints.h) is the only
// one today, and a PostgreSQL backend will implement the same virtual methods (issue 11). In
// SQLite, checkpoints live in the same file as the outbox, in their own table (store/schema.cpp)
//   source_checkpoints(source, key, value, updated_at)   PRIMARY KEY (source, key)
// with one row per (source, key): the S3 source keeps "last key done" per account/region prefix,
// the directory source one row per file (see FileSeen). `source` is the source's name
// (Source::name()), so two sources in one store never share rows.
//
// Durability: a checkpoint is written only after EventSink::Submit returned OK (source.h), so the
// alerts are already committed when it is written. Commits therefore use synchronous=NORMAL: a
// checkpoint lost in a power cut only replays a file, and the outbox's idempotency key drops the
// repeated alerts. Each CheckpointStore opens its own connection (WAL, 10 s busy timeout), so it
// never contends with the outbox's mutex, and several processes may share the file.
//
// Thread-safety: every method may be called from any thread (implementations synchronise; the
// SQLite one with one internal mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace trailwatch::store {

// What the directory source recorded about one file.
struct FileCheckpoint {
  int64_t size = 0;
  int64_t mtime_ns = 0;
  bool failed = false;  // the file could not be read; recorded so it is not retried forever
};

class CheckpointStore {
 public:
  // Opens (creating and migrating if needed: store/schema.h) the SQLite store file. Errors name
  // the path.
  static Result<std::unique_ptr<CheckpointStore>> Open(const std::string& path);
  CheckpointStore() = default;
  virtual ~CheckpointStore() = default;
  CheckpointStore(const CheckpointStore&) = delete;
  CheckpointStore& operator=(const CheckpointStore&) = delete;

  // The value stored for (source, key); nullopt when none.
  virtual Result<std::optional<std::string>> Get(const std::string& source,
                                                 const std::string& key) = 0;
  // Inserts or replaces.
  virtual Status Put(const std::string& source, const std::string& key,
                     const std::string& value) = 0;
  // Removes the row if present.
  virtual Status Delete(const std::string& source, const std::string& key) = 0;
  // Deletes these keys of `source` in one transaction (the directory source forgetting files
  // that are gone, so that years of rotated logs do not grow the table without bound).
  virtual Status DeleteKeys(const std::string& source, const std::vector<std::string>& keys) = 0;
  // Every key of `source` with its value, sorted by key.
  virtual Result<std::map<std::string, std::string>> List(const std::string& source) = 0;

  // Built on Get/Put, the same for every backend:

  // Directory source: whether `path` was recorded with exactly this size and mtime (a file that
  // was rewritten in place since, or replaced, is new again).
  Result<bool> FileSeen(const std::string& source, const std::string& path, int64_t size,
                        int64_t mtime_ns);
  // Records `path` as done (failed = read but unreadable as CloudTrail).
  Status MarkFileSeen(const std::string& source, const std::string& path,
                      const FileCheckpoint& file);
  // The recorded state of `path`, nullopt when none or not a file checkpoint.
  Result<std::optional<FileCheckpoint>> GetFile(const std::string& source, const std::string& path);
};

// "size mtime_ns ok|failed" <-> FileCheckpoint (exposed for tests).
std::string FormatFileCheckpoint(const FileCheckpoint& file);
std::optional<FileCheckpoint> ParseFileCheckpoint(const std::string& value);

}  // namespace trailwatch::store
