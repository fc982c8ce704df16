// ThreadRootStore: the Slack thread roots — (target, group key) -> the parent message's ts and
// channel, the parent alert (re-rendered for chat.update), when the group started and how many
// messages it has — so that repeats within the thread window become replies
// (docs/reference/formats.md §7.2,
// §7.6). Plain store-level records behind an interface a PostgreSQL backend can implement too
// (issue 11); the SQLite implementation is sqlite_thread_roots.h, the table (slack_thread_roots)
// is created by store/schema.cpp. outbox::Outbox exposes these as its thread-root methods.
//
// Thread-safety: implementations may be called from many threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

namespace trailwatch::store {

struct ThreadRootRow {
  std::string ts;            // Slack message ts of the parent
  std::string channel;       // channel id Slack answered with
  std::string parent_alert;  // serialized Alert of the parent (re-rendered for chat.update)
  int64_t first_seen = 0;    // ms
  int64_t count = 0;         // messages in the group, parent included
};

class ThreadRootStore {
 public:
  virtual ~ThreadRootStore() = default;
  virtual Result<std::optional<ThreadRootRow>> Find(const std::string& target,
                                                    const std::string& group_key) = 0;
  // Inserts or replaces.
  virtual Status Save(const std::string& target, const std::string& group_key,
                      const ThreadRootRow& root) = 0;
  // count + 1; returns the new count. An error when there is no root for the group.
  virtual Result<int64_t> Bump(const std::string& target, const std::string& group_key) = 0;
};

}  // namespace trailwatch::store
