// StoreWatch: notices when the store's path no longer names the file trailwatch opened — the file
// was deleted, or replaced by another one (a restore, a deploy that recreated the directory).
//
// SQLite keeps writing to the file it opened even after it is unlinked, so without this check the
// service would go on accepting events into a file nobody will ever open again: every alert queued
// and all dedup history would vanish at the next restart. The service checks every few seconds
// (device and inode of the path against those recorded at open), and while the check fails it
// refuses new events, reports the problem on /healthz and logs it (service.h).
//
// Thread-safety: Check is const and may be called from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace trailwatch::store {

// Which file a path names: device and inode.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

class StoreWatch {
 public:
  // Records which file `path` names now: call right after opening the store. Errors name the
  // path.
  static Result<StoreWatch> Begin(const std::string& path);

  // Empty while `path` still names the recorded file; otherwise what happened, in a few words for
  // /healthz ("the store file ./tw.db was deleted while trailwatch runs").
  std::string Check() const;

  const std::string& path() const { return path_; }

 private:
  StoreWatch(std::string path, FileIdentity opened) : path_(std::move(path)), opened_(opened) {}

  std::string path_;
  FileIdentity opened_;
};

}  // namespace trailwatch::store
