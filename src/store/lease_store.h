// LeaseStore: named, expiring leases in the shared store (issue 14) — how N replicas on one
// PostgreSQL agree who does what: "source:<name>" (the one replica that polls a directory or S3
// source) and "channel:<key>" (the one replica that delivers a channel, so per-channel order, the
// Slack rate and thread roots hold across replicas).
//
// A lease has an owner (one replica's process: owner ids are never reused across restarts), a
// generation (bumped whenever the lease changes owner, the fencing token) and an expiry. Times are
// the database's clock, never a replica's, so that replicas with skewed clocks still agree; a
// holder keeps its own, earlier, deadline on its monotonic clock (taken before asking), and stops
// acting on the lease when that passes even if it could not reach the store to learn it lost it.
//
// Only the PostgreSQL backend has leases: a SQLite store has one process (outbox/delivery_lock.h),
// which owns everything.
//
// Thread-safety: implementations may be called from many threads and processes at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace trailwatch::store {

struct LeaseGrant {
  int64_t generation = 0;
  int64_t until_ms = 0;  // the database's clock
};

struct LeaseRow {
  std::string name;
  std::string owner;
  int64_t generation = 0;
  int64_t lease_until = 0;  // ms, database clock
  int64_t acquired_at = 0;  // ms, when the current owner took it
};

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;
  // Takes `name` for `owner` for ttl_ms when it is free, expired or already `owner`'s (then it is
  // renewed and keeps its generation); a new owner gets generation + 1. nullopt when another owner
  // holds it unexpired.
  virtual Result<std::optional<LeaseGrant>> Acquire(const std::string& name,
                                                    const std::string& owner, int64_t ttl_ms) = 0;
  // Extends the lease only if `owner` still holds it at `generation`; nullopt when it was lost.
  virtual Result<std::optional<LeaseGrant>> Renew(const std::string& name, const std::string& owner,
                                                  int64_t generation, int64_t ttl_ms) = 0;
  // Gives the lease up at once (a clean stop), if `owner` holds it.
  virtual Status Release(const std::string& name, const std::string& owner) = 0;
  // Every lease `owner` holds.
  virtual Status ReleaseAll(const std::string& owner) = 0;
  // Every lease, by name (metrics, tests, `store` CLI).
  virtual Result<std::vector<LeaseRow>> List() = 0;
};

}  // namespace trailwatch::store
