// PgLeases (store/pg_leases.h) on a fresh database of the test cluster: acquire, renew, steal an
// expired lease (the generation grows), release, list, a renewal with a stale generation, the
// race of many owners for one lease, and a lease taken inside a transaction that rolls back.
#include "common/wall_clock.h"
#include "store/pg_leases.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/pg_schema.h"
#include "store/pg_test_cluster_util.h"

namespace trailwatch::store {
namespace {

// "<prefix><n>" (append(): GCC 12 warns falsely on chains of std::string +).
std::string Numbered(const char* prefix, int n) {
  std::string name = prefix;
  name.append(std::to_string(n));
  return name;
}

class PgLeasesTest : public ::testing::Test {
 protected:
  PgLeasesTest()
      : pool_(std::make_shared<PgPool>(testing::PgTestCluster::Shared().NewDatabase(), 8,
                                       MigratePostgres)),
        leases_(pool_) {}

  std::optional<LeaseGrant> MustAcquire(const std::string& name, const std::string& owner,
                                        int64_t ttl_ms) {
    auto grant = leases_.Acquire(name, owner, ttl_ms);
    EXPECT_TRUE(grant.ok()) << grant.message();
    return grant.ok() ? *grant : std::nullopt;
  }

  std::optional<LeaseRow> Row(const std::string& name) {
    auto rows = leases_.List();
    EXPECT_TRUE(rows.ok()) << rows.message();
    if (!rows.ok()) return std::nullopt;
    for (const LeaseRow& row : *rows) {
      if (row.name == name) return row;
    }
    return std::nullopt;
  }

  std::shared_ptr<PgPool> pool_;
  PgLeases leases_;
};

TEST_F(PgLeasesTest, AFreeLeaseIsGrantedAndItsOwnerRenewsIt) {
  const int64_t before = WallClockMs();
  auto first = MustAcquire("source:s3", "owner-a", 10000);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->generation, 1);
  // The database's clock is this machine's.
  EXPECT_GE(first->until_ms, before + 10000 - 200);
  EXPECT_LE(first->until_ms, WallClockMs() + 10000 + 200);

  // Held: nobody else gets it.
  EXPECT_FALSE(MustAcquire("source:s3", "owner-b", 10000).has_value());
  // Its owner asking again renews it and keeps the generation.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto again = MustAcquire("source:s3", "owner-a", 20000);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->generation, 1);
  EXPECT_GT(again->until_ms, first->until_ms);

  auto renewed = leases_.Renew("source:s3", "owner-a", 1, 30000);
  ASSERT_TRUE(renewed.ok()) << renewed.message();
  ASSERT_TRUE(renewed->has_value());
  EXPECT_EQ((*renewed)->generation, 1);
  EXPECT_GT((*renewed)->until_ms, again->until_ms);

  auto row = Row("source:s3");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->owner, "owner-a");
  EXPECT_EQ(row->generation, 1);
  EXPECT_EQ(row->lease_until, (*renewed)->until_ms);
  EXPECT_GE(row->acquired_at, before - 200);
  EXPECT_LE(row->acquired_at, first->until_ms - 10000);
}

TEST_F(PgLeasesTest, AnExpiredLeaseGoesToANewOwnerWithTheNextGeneration) {
  auto first = MustAcquire("channel:x", "owner-a", 150);
  ASSERT_TRUE(first.has_value());
  const int64_t first_acquired = Row("channel:x")->acquired_at;
  std::this_thread::sleep_for(std::chrono::milliseconds(250));

  auto stolen = MustAcquire("channel:x", "owner-b", 10000);
  ASSERT_TRUE(stolen.has_value());
  EXPECT_EQ(stolen->generation, first->generation + 1);
  auto row = Row("channel:x");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->owner, "owner-b");
  EXPECT_GT(row->acquired_at, first_acquired);

  // The old owner lost it: it can neither renew nor take it back while b holds it.
  auto stale = leases_.Renew("channel:x", "owner-a", first->generation, 10000);
  ASSERT_TRUE(stale.ok()) << stale.message();
  EXPECT_FALSE(stale->has_value());
  EXPECT_FALSE(MustAcquire("channel:x", "owner-a", 10000).has_value());
  EXPECT_EQ(Row("channel:x")->owner, "owner-b");
}

TEST_F(PgLeasesTest, RenewalNeedsTheCurrentOwnerGenerationAndAnUnexpiredLease) {
  auto grant = MustAcquire("channel:y", "owner-a", 10000);
  ASSERT_TRUE(grant.has_value());
  auto wrong_generation = leases_.Renew("channel:y", "owner-a", grant->generation + 1, 10000);
  ASSERT_TRUE(wrong_generation.ok());
  EXPECT_FALSE(wrong_generation->has_value());
  auto wrong_owner = leases_.Renew("channel:y", "owner-b", grant->generation, 10000);
  ASSERT_TRUE(wrong_owner.ok());
  EXPECT_FALSE(wrong_owner->has_value());
  auto unknown = leases_.Renew("channel:none", "owner-a", 1, 10000);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
  EXPECT_EQ(Row("channel:y")->lease_until, grant->until_ms);  // untouched by the failures

  // Expired, even untaken: renewing is refused (another owner may have acted meanwhile); the
  // holder acquires again and keeps its generation since nobody else took it.
  auto short_lease = MustAcquire("channel:z", "owner-a", 100);
  ASSERT_TRUE(short_lease.has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto late = leases_.Renew("channel:z", "owner-a", short_lease->generation, 10000);
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->has_value());
  auto back = MustAcquire("channel:z", "owner-a", 10000);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->generation, short_lease->generation);
}

TEST_F(PgLeasesTest, ReleaseFreesTheLeaseAtOnceAndGenerationsOnlyGrow) {
  auto a = MustAcquire("source:dir", "owner-a", 60000);
  ASSERT_TRUE(a.has_value());
  // Releasing someone else's lease does nothing.
  ASSERT_TRUE(leases_.Release("source:dir", "owner-b").ok());
  EXPECT_FALSE(MustAcquire("source:dir", "owner-b", 60000).has_value());

  ASSERT_TRUE(leases_.Release("source:dir", "owner-a").ok());
  auto renewed = leases_.Renew("source:dir", "owner-a", a->generation, 60000);
  ASSERT_TRUE(renewed.ok());
  EXPECT_FALSE(renewed->has_value());  // released means given up
  auto b = MustAcquire("source:dir", "owner-b", 60000);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->generation, a->generation + 1);
  ASSERT_TRUE(leases_.Release("source:dir", "owner-b").ok());
  auto back = MustAcquire("source:dir", "owner-a", 60000);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->generation, b->generation + 1);
  // Releasing a name never taken is fine.
  EXPECT_TRUE(leases_.Release("source:never", "owner-a").ok());
}

TEST_F(PgLeasesTest, ReleaseAllGivesUpEveryLeaseOfOneOwnerAndListShowsThemAll) {
  ASSERT_TRUE(MustAcquire("channel:b", "owner-a", 60000).has_value());
  ASSERT_TRUE(MustAcquire("channel:a", "owner-a", 60000).has_value());
  ASSERT_TRUE(MustAcquire("source:s", "owner-b", 60000).has_value());

  ASSERT_TRUE(leases_.ReleaseAll("owner-a").ok());
  auto rows = leases_.List();
  ASSERT_TRUE(rows.ok()) << rows.message();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].name, "channel:a");  // by name
  EXPECT_EQ((*rows)[1].name, "channel:b");
  EXPECT_EQ((*rows)[2].name, "source:s");
  EXPECT_EQ((*rows)[0].lease_until, 0);
  EXPECT_EQ((*rows)[1].lease_until, 0);
  EXPECT_GT((*rows)[2].lease_until, WallClockMs());
  EXPECT_EQ((*rows)[2].owner, "owner-b");
  EXPECT_TRUE(MustAcquire("channel:a", "owner-c", 60000).has_value());
  EXPECT_FALSE(MustAcquire("source:s", "owner-c", 60000).has_value());
}

TEST_F(PgLeasesTest, ManyOwnersRacingForOneLeaseGetItOnce) {
  for (int round = 0; round < 5; ++round) {
    const std::string name = Numbered("channel:race-", round);
    constexpr int kOwners = 8;
    std::atomic<bool> go{false};
    std::atomic<int> granted{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kOwners; ++i) {
      threads.emplace_back([&, i] {
        while (!go.load()) std::this_thread::yield();
        auto grant = leases_.Acquire(name, Numbered("owner-", i), 60000);
        if (!grant.ok()) {
          ++failures;
        } else if (grant->has_value()) {
          ++granted;
        }
      });
    }
    go = true;
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(granted.load(), 1) << name;
  }
}

TEST_F(PgLeasesTest, ALeaseTakenInARolledBackTransactionIsNotTaken) {
  auto conn = pool_->Acquire();
  ASSERT_TRUE(conn.ok()) << conn.message();
  Status failed = PgTransaction(**conn, "test", [](PgConnection& tx) -> Status {
    auto grant = AcquireLeaseIn(tx, "channel:tx", "owner-a", 60000);
    if (!grant.ok()) return grant.error();
    if (!grant->has_value()) return Error{"not granted"};
    return Error{"the caller's work failed"};
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.message(), "the caller's work failed");
  EXPECT_FALSE(Row("channel:tx").has_value());
  // Committed, it is.
  Status done = PgTransaction(**conn, "test", [](PgConnection& tx) -> Status {
    auto grant = AcquireLeaseIn(tx, "channel:tx", "owner-a", 60000);
    if (!grant.ok()) return grant.error();
    if (!grant->has_value()) return Error{"not granted"};
    auto renewed = RenewLeaseIn(tx, "channel:tx", "owner-a", (*grant)->generation, 60000);
    if (!renewed.ok()) return renewed.error();
    return renewed->has_value() ? Status::Ok() : Status(Error{"not renewed"});
  });
  EXPECT_TRUE(done.ok()) << done.message();
  EXPECT_EQ(Row("channel:tx")->owner, "owner-a");
}

}  // namespace
}  // namespace trailwatch::store
