// PgLeases: the PostgreSQL implementation of LeaseStore (lease_store.h) over the `leases` table
// (created by store/pg_schema.cpp). Every decision is one statement on the database's clock
// (clock_timestamp(), in ms), so replicas with skewed clocks agree, and two replicas asking for the
// same lease at once are serialised by the row lock of the upsert: exactly one of them gets it.
//
// A released lease keeps its row, expired (lease_until = 0), instead of being deleted: the
// generation of a name then only ever grows, so a fencing token (owner, generation) is never
// issued twice for one name, whatever the owners do.
//
// AcquireLeaseIn / RenewLeaseIn take a connection, so that a caller can take a lease inside its
// own transaction (PgOutboxQueue::ClaimHeads takes a channel's lease and claims its head
// atomically).
//
// Thread-safety: PgLeases may be called from many threads and processes at once (each call
// borrows its own pool connection). The free functions use the connection they are given.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/lease_store.h"
#include "store/pg_connection.h"

namespace trailwatch::store {

// LeaseStore::Acquire on `conn` (inside the caller's transaction, if any).
Result<std::optional<LeaseGrant>> AcquireLeaseIn(PgConnection& conn, const std::string& name,
                                                 const std::string& owner, int64_t ttl_ms);
// LeaseStore::Renew on `conn`. Only an unexpired lease is renewed: once it has expired, another
// owner may have acted on it, so the holder must acquire it again (and learn its generation).
Result<std::optional<LeaseGrant>> RenewLeaseIn(PgConnection& conn, const std::string& name,
                                               const std::string& owner, int64_t generation,
                                               int64_t ttl_ms);
// LeaseStore::Release on `conn`.
Status ReleaseLeaseIn(PgConnection& conn, const std::string& name, const std::string& owner);

class PgLeases final : public LeaseStore {
 public:
  explicit PgLeases(std::shared_ptr<PgPool> pool) : pool_(std::move(pool)) {}

  Result<std::optional<LeaseGrant>> Acquire(const std::string& name, const std::string& owner,
                                            int64_t ttl_ms) override;
  Result<std::optional<LeaseGrant>> Renew(const std::string& name, const std::string& owner,
                                          int64_t generation, int64_t ttl_ms) override;
  Status Release(const std::string& name, const std::string& owner) override;
  Status ReleaseAll(const std::string& owner) override;
  Result<std::vector<LeaseRow>> List() override;

 private:
  std::shared_ptr<PgPool> pool_;
};

}  // namespace trailwatch::store
