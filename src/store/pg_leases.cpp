// PgLeases (pg_leases.h): leases as single statements on the database's clock.
#include "store/pg_leases.h"

namespace trailwatch::store {

namespace {

// The database's clock in Unix ms. clock_timestamp(), not now(): now() is the start of the
// transaction, which may be long before the statement inside ClaimHeads' transaction.
#define TW_DB_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

Error LeaseError(const std::string& what, const std::string& name, const std::string& message) {
  std::string text = "lease ";
  text.append(name).append(": ").append(what).append(": ").append(message);
  return Error{std::move(text)};
}

std::optional<LeaseGrant> GrantFrom(const PgResult& result) {
  if (result.rows() == 0) return std::nullopt;
  return LeaseGrant{result.Int(0, 0), result.Int(0, 1)};
}

}  // namespace

Result<std::optional<LeaseGrant>> AcquireLeaseIn(PgConnection& conn, const std::string& name,
                                                 const std::string& owner, int64_t ttl_ms) {
  // One statement, so that two replicas racing for the lease are serialised by the row lock of
  // the upsert (READ COMMITTED re-checks the WHERE against the winner's committed row): the loser
  // sees an unexpired lease of another owner and gets no row back. EXCLUDED.acquired_at is the
  // statement's "now". A new owner bumps the generation; the same owner keeps it (a renewal).
  auto result = conn.Exec(
      "acquiring a lease",
      "WITH clock AS (SELECT " TW_DB_NOW_MS " AS now_ms) "
      "INSERT INTO leases (name, owner, generation, lease_until, acquired_at) "
      "SELECT $1, $2, 1, now_ms + $3::bigint, now_ms FROM clock "
      "ON CONFLICT (name) DO UPDATE SET "
      "  generation = CASE WHEN leases.owner = EXCLUDED.owner THEN leases.generation "
      "                    ELSE leases.generation + 1 END, "
      "  acquired_at = CASE WHEN leases.owner = EXCLUDED.owner THEN leases.acquired_at "
      "                     ELSE EXCLUDED.acquired_at END, "
      "  owner = EXCLUDED.owner, "
      "  lease_until = EXCLUDED.lease_until "
      "WHERE leases.owner = EXCLUDED.owner OR leases.lease_until < EXCLUDED.acquired_at "
      "RETURNING generation, lease_until",
      {name, owner, ttl_ms});
  if (!result.ok()) return LeaseError("acquire", name, result.message());
  return GrantFrom(*result);
}

Result<std::optional<LeaseGrant>> RenewLeaseIn(PgConnection& conn, const std::string& name,
                                               const std::string& owner, int64_t generation,
                                               int64_t ttl_ms) {
  auto result = conn.Exec(
      "renewing a lease",
      "UPDATE leases SET lease_until = clock.now_ms + $4::bigint "
      "FROM (SELECT " TW_DB_NOW_MS " AS now_ms) clock "
      "WHERE name = $1 AND owner = $2 AND generation = $3::bigint "
      "AND lease_until >= clock.now_ms "
      "RETURNING generation, lease_until",
      {name, owner, generation, ttl_ms});
  if (!result.ok()) return LeaseError("renew", name, result.message());
  return GrantFrom(*result);
}

Status ReleaseLeaseIn(PgConnection& conn, const std::string& name, const std::string& owner) {
  // Expired in place, not deleted: see pg_leases.h (generations only grow).
  auto result = conn.Exec("releasing a lease",
                          "UPDATE leases SET lease_until = 0 WHERE name = $1 AND owner = $2",
                          {name, owner});
  if (!result.ok()) return LeaseError("release", name, result.message());
  return Status::Ok();
}

Result<std::optional<LeaseGrant>> PgLeases::Acquire(const std::string& name,
                                                    const std::string& owner, int64_t ttl_ms) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return LeaseError("acquire", name, conn.message());
  return AcquireLeaseIn(**conn, name, owner, ttl_ms);
}

Result<std::optional<LeaseGrant>> PgLeases::Renew(const std::string& name,
                                                  const std::string& owner, int64_t generation,
                                                  int64_t ttl_ms) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return LeaseError("renew", name, conn.message());
  return RenewLeaseIn(**conn, name, owner, generation, ttl_ms);
}

Status PgLeases::Release(const std::string& name, const std::string& owner) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return LeaseError("release", name, conn.message());
  return ReleaseLeaseIn(**conn, name, owner);
}

Status PgLeases::ReleaseAll(const std::string& owner) {
  auto result = pool_->Exec("releasing leases",
                            "UPDATE leases SET lease_until = 0 WHERE owner = $1 AND lease_until > 0",
                            {owner});
  if (!result.ok()) return Error{"leases: " + result.message()};
  return Status::Ok();
}

Result<std::vector<LeaseRow>> PgLeases::List() {
  auto result = pool_->Exec(
      "listing leases",
      "SELECT name, owner, generation, lease_until, acquired_at FROM leases ORDER BY name");
  if (!result.ok()) return Error{"leases: " + result.message()};
  std::vector<LeaseRow> rows;
  rows.reserve(static_cast<size_t>(result->rows()));
  for (int i = 0; i < result->rows(); ++i) {
    rows.push_back(LeaseRow{result->Text(i, 0), result->Text(i, 1), result->Int(i, 2),
                            result->Int(i, 3), result->Int(i, 4)});
  }
  return rows;
}

#undef TW_DB_NOW_MS

}  // namespace trailwatch::store
