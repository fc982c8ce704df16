// PgOutboxQueue as replicas use it (issue 14): several queues of different owners on one
// database, as several processes would be (each with its own pool). Channel leases (only one
// replica claims a channel; the others learn when to ask again), takeover of a dead replica's
// in-flight head once its lease expires, handing over at once at a clean stop, fencing of a late
// mark, ClaimStillValid after a lost lease, lease renewal and release of idle leases, and
// per-channel order and idempotency with concurrent enqueuers. The contract both backends share
// is outbox_queue_backends_test.cpp.
#include "store/pg_outbox_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/wall_clock.h"
#include "store/pg_leases.h"
#include "store/pg_schema.h"
#include "store/pg_test_cluster_util.h"

namespace trailwatch::store {
namespace {

constexpr int64_t kLeaseMs = 1500;

// "<prefix><n><suffix>" (append(): GCC 12 warns falsely on chains of std::string +).
std::string Name(const char* prefix, int n, const char* suffix = "") {
  std::string name = prefix;
  name.append(std::to_string(n)).append(suffix);
  return name;
}

class PgOutboxQueueTest : public ::testing::Test {
 protected:
  PgOutboxQueueTest() : dsn_(testing::PgTestCluster::Shared().NewDatabase()) {}

  // A replica: its own pool (as its own process would have) and owner id.
  std::unique_ptr<PgOutboxQueue> Replica(const std::string& owner, int64_t lease_ms = kLeaseMs) {
    auto pool = std::make_shared<PgPool>(dsn_, 4, MigratePostgres);
    return std::make_unique<PgOutboxQueue>(pool, owner, lease_ms);
  }

  // Direct access to the database, as an operator with psql.
  PgPool& Admin() {
    if (!admin_) admin_ = std::make_shared<PgPool>(dsn_, 2, MigratePostgres);
    return *admin_;
  }

  std::vector<int64_t> Enqueue(PgOutboxQueue& queue, const std::string& channel,
                               const std::vector<std::string>& keys) {
    std::vector<NewQueueRow> rows;
    for (const std::string& key : keys) rows.push_back({"slack", key, channel, "{}"});
    auto result = queue.Enqueue(rows, WallClockMs());
    EXPECT_TRUE(result.ok()) << result.message();
    return result.ok() ? result->ids : std::vector<int64_t>{};
  }

  QueueClaim Claim(PgOutboxQueue& queue, const std::string& channel) {
    auto claims = queue.ClaimHeads({{channel, 0}}, WallClockMs(), 10);
    EXPECT_TRUE(claims.ok()) << claims.message();
    if (!claims.ok() || claims->size() != 1) return QueueClaim{};
    return std::move(claims->front());
  }

  QueueRow Get(PgOutboxQueue& queue, int64_t id) {
    auto row = queue.Get(id);
    EXPECT_TRUE(row.ok() && row->has_value()) << (row.ok() ? "no row" : row.message());
    return row.ok() && row->has_value() ? **row : QueueRow{};
  }

  std::optional<LeaseRow> Lease(const std::string& name) {
    Admin();
    PgLeases leases(admin_);
    auto rows = leases.List();
    EXPECT_TRUE(rows.ok()) << rows.message();
    if (!rows.ok()) return std::nullopt;
    for (const LeaseRow& row : *rows) {
      if (row.name == name) return row;
    }
    return std::nullopt;
  }

  std::string dsn_;
  std::shared_ptr<PgPool> admin_;
};

TEST_F(PgOutboxQueueTest, OnlyTheLeaseHolderClaimsAChannelTheOtherLearnsWhenToAskAgain) {
  auto a = Replica("replica-a");
  auto b = Replica("replica-b");
  std::vector<int64_t> ids = Enqueue(*a, "slack#c", {"c1", "c2"});
  std::vector<int64_t> other = Enqueue(*b, "slack#d", {"d1"});
  ASSERT_EQ(ids.size(), 2u);

  QueueClaim owned = Claim(*a, "slack#c");
  ASSERT_TRUE(owned.row.has_value());
  EXPECT_EQ(owned.row->id, ids[0]);
  EXPECT_GT(owned.row->claim_generation, 0);
  EXPECT_TRUE(a->ClaimStillValid(*owned.row));
  EXPECT_FALSE(b->ClaimStillValid(*owned.row));

  // a delivers c1: c2 is the head, but b still may not claim it while a holds the channel.
  ASSERT_TRUE(a->MarkDelivered({{ids[0], 200, "", ""}}).ok());
  const int64_t asked = WallClockMs();
  QueueClaim refused = Claim(*b, "slack#c");
  EXPECT_FALSE(refused.row.has_value());
  EXPECT_TRUE(refused.expired.empty());
  // The end of a's lease (the database's clock is this machine's).
  EXPECT_GT(refused.next_due, asked + kLeaseMs / 2);
  EXPECT_LE(refused.next_due, asked + kLeaseMs + 500);
  EXPECT_EQ(Get(*b, ids[1]).state, QueueState::kPending);

  // Another channel is b's to take.
  QueueClaim mine = Claim(*b, "slack#d");
  ASSERT_TRUE(mine.row.has_value());
  EXPECT_EQ(mine.row->id, other[0]);

  auto lease = Lease("channel:slack#c");
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->owner, "replica-a");
  EXPECT_EQ(lease->generation, owned.row->claim_generation);
  ASSERT_TRUE(Lease("channel:slack#d").has_value());
  EXPECT_EQ(Lease("channel:slack#d")->owner, "replica-b");
}

TEST_F(PgOutboxQueueTest, ADeadReplicasInFlightHeadIsTakenOverAfterItsLeaseExpires) {
  auto b = Replica("replica-b");
  std::vector<int64_t> ids = Enqueue(*b, "slack#c", {"c1", "c2"});
  QueueRow sent;
  {
    auto a = Replica("replica-a");
    QueueClaim owned = Claim(*a, "slack#c");
    ASSERT_TRUE(owned.row.has_value());
    sent = *owned.row;
    // a dies mid-send: the queue goes away without ReleaseClaims and stops renewing.
  }
  // Its lease still holds for a while: nobody sends c1 a second time yet.
  QueueClaim early = Claim(*b, "slack#c");
  EXPECT_FALSE(early.row.has_value());
  ASSERT_GT(early.next_due, 0);
  EXPECT_EQ(Get(*b, ids[0]).state, QueueState::kInFlight);
  EXPECT_EQ(Get(*b, ids[0]).attempts, 1);

  std::this_thread::sleep_for(
      std::chrono::milliseconds(std::max<int64_t>(0, early.next_due - WallClockMs()) + 50));
  QueueClaim taken = Claim(*b, "slack#c");
  ASSERT_TRUE(taken.row.has_value());
  EXPECT_EQ(taken.row->id, ids[0]);  // the head again, not c2: order holds
  EXPECT_EQ(taken.row->state, QueueState::kInFlight);
  EXPECT_EQ(taken.row->attempts, 2);  // the repeat is counted
  EXPECT_GT(taken.row->claim_generation, sent.claim_generation);
  EXPECT_TRUE(b->ClaimStillValid(*taken.row));
  QueueRow stored = Get(*b, ids[0]);
  EXPECT_EQ(stored.attempts, 2);
  EXPECT_EQ(stored.claim_generation, taken.row->claim_generation);
  ASSERT_TRUE(b->MarkDelivered({{ids[0], 200, "ok", ""}}).ok());
  EXPECT_EQ(Get(*b, ids[0]).state, QueueState::kDelivered);
  EXPECT_EQ(Claim(*b, "slack#c").row->id, ids[1]);
}

TEST_F(PgOutboxQueueTest, ReleaseClaimsHandsTheChannelsOverAtOnce) {
  auto a = Replica("replica-a");
  auto b = Replica("replica-b");
  std::vector<int64_t> ids = Enqueue(*a, "slack#c", {"c1"});
  std::vector<int64_t> idle = Enqueue(*a, "slack#e", {"e1"});
  QueueClaim owned = Claim(*a, "slack#c");
  ASSERT_TRUE(owned.row.has_value());
  QueueClaim owned_e = Claim(*a, "slack#e");
  ASSERT_TRUE(owned_e.row.has_value());
  ASSERT_TRUE(a->MarkDelivered({{idle[0], 200, "", ""}}).ok());
  EXPECT_FALSE(Claim(*b, "slack#c").row.has_value());

  a->ReleaseClaims();
  EXPECT_FALSE(a->ClaimStillValid(*owned.row));
  // No wait for expiry: b takes the in-flight head (a stopped without marking it) at once.
  QueueClaim taken = Claim(*b, "slack#c");
  ASSERT_TRUE(taken.row.has_value());
  EXPECT_EQ(taken.row->id, ids[0]);
  EXPECT_EQ(taken.row->attempts, 2);
  EXPECT_EQ(Lease("channel:slack#c")->owner, "replica-b");
  // Every channel lease of a was released, the idle one too.
  auto released = Lease("channel:slack#e");
  ASSERT_TRUE(released.has_value());
  EXPECT_EQ(released->owner, "replica-a");
  EXPECT_EQ(released->lease_until, 0);
}

TEST_F(PgOutboxQueueTest, AMarkFromTheOldOwnerAfterTakeoverChangesNothing) {
  auto a = Replica("replica-a");
  auto b = Replica("replica-b");
  std::vector<int64_t> ids = Enqueue(*a, "slack#c", {"c1"});
  ASSERT_TRUE(Claim(*a, "slack#c").row.has_value());
  a->ReleaseClaims();  // or its lease ran out while the send hung
  QueueClaim taken = Claim(*b, "slack#c");
  ASSERT_TRUE(taken.row.has_value());

  // a's send finally returns, and a records its outcome: fenced, not an error.
  EXPECT_TRUE(a->MarkDelivered({{ids[0], 200, "late", "1.1"}}).ok());
  EXPECT_TRUE(a->MarkRetry(ids[0], WallClockMs() + 60000, "late retry", 503).ok());
  EXPECT_TRUE(a->MarkDead(ids[0], "late dead", 400).ok());
  QueueRow row = Get(*b, ids[0]);
  EXPECT_EQ(row.state, QueueState::kInFlight);
  EXPECT_EQ(row.response, "");
  EXPECT_EQ(row.last_error, "");
  EXPECT_EQ(row.claim_generation, taken.row->claim_generation);

  // The new owner's mark counts.
  ASSERT_TRUE(b->MarkDelivered({{ids[0], 200, "ok", "2.2"}}).ok());
  row = Get(*b, ids[0]);
  EXPECT_EQ(row.state, QueueState::kDelivered);
  EXPECT_EQ(row.thread_ts, "2.2");
  // And a late mark from the old owner does not undo it either.
  EXPECT_TRUE(a->MarkDead(ids[0], "late dead", 400).ok());
  EXPECT_EQ(Get(*b, ids[0]).state, QueueState::kDelivered);
}

TEST_F(PgOutboxQueueTest, ClaimStillValidIsFalseOnceTheLeaseIsLost) {
  auto a = Replica("replica-a");
  std::vector<int64_t> ids = Enqueue(*a, "slack#c", {"c1"});
  QueueClaim owned = Claim(*a, "slack#c");
  ASSERT_TRUE(owned.row.has_value());
  ASSERT_TRUE(a->ClaimStillValid(*owned.row));
  QueueRow other_generation = *owned.row;
  other_generation.claim_generation += 1;
  EXPECT_FALSE(a->ClaimStillValid(other_generation));

  // Someone else holds the channel now (as if a's lease had expired during a pause and another
  // replica had taken it): a's next renewal finds out.
  auto stolen = Admin().Exec("stealing the lease",
                             "UPDATE leases SET owner = 'thief', generation = generation + 1, "
                             "lease_until = lease_until + 600000 WHERE name = 'channel:slack#c'");
  ASSERT_TRUE(stolen.ok()) << stolen.message();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(3 * kLeaseMs);
  while (a->ClaimStillValid(*owned.row) && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(a->ClaimStillValid(*owned.row));
  // And a claims nothing there any more.
  QueueClaim refused = Claim(*a, "slack#c");
  EXPECT_FALSE(refused.row.has_value());
  EXPECT_GT(refused.next_due, WallClockMs() + 500000);
}

TEST_F(PgOutboxQueueTest, ALeaseInUseIsRenewedPastItsLength) {
  auto a = Replica("replica-a");
  auto b = Replica("replica-b");
  Enqueue(*a, "slack#c", {"c1"});
  QueueClaim owned = Claim(*a, "slack#c");
  ASSERT_TRUE(owned.row.has_value());
  // A slow send: longer than the lease.
  std::this_thread::sleep_for(std::chrono::milliseconds(kLeaseMs + 500));
  EXPECT_TRUE(a->ClaimStillValid(*owned.row));
  EXPECT_FALSE(Claim(*b, "slack#c").row.has_value());
  EXPECT_EQ(Lease("channel:slack#c")->generation, owned.row->claim_generation);
}

TEST_F(PgOutboxQueueTest, AnIdleLeaseIsGivenUp) {
  constexpr int64_t kShortLeaseMs = 600;
  auto a = Replica("replica-a", kShortLeaseMs);
  std::vector<int64_t> ids = Enqueue(*a, "slack#c", {"c1"});
  QueueClaim owned = Claim(*a, "slack#c");
  ASSERT_TRUE(owned.row.has_value());
  ASSERT_TRUE(a->MarkDelivered({{ids[0], 200, "", ""}}).ok());
  // Unused for 2 leases: released, not just left to expire.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(4000);
  while (Lease("channel:slack#c")->lease_until != 0 &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(Lease("channel:slack#c")->lease_until, 0);
  // Taking it again keeps the generation (nobody else had it).
  Enqueue(*a, "slack#c", {"c2"});
  QueueClaim again = Claim(*a, "slack#c");
  ASSERT_TRUE(again.row.has_value());
  EXPECT_EQ(again.row->claim_generation, owned.row->claim_generation);
  EXPECT_TRUE(a->ClaimStillValid(*again.row));
}

TEST_F(PgOutboxQueueTest, RecoverInFlightLeavesOtherReplicasSendsAlone) {
  auto a = Replica("replica-a");
  auto b = Replica("replica-b");
  std::vector<int64_t> ids = Enqueue(*a, "slack#c", {"c1"});
  ASSERT_TRUE(Claim(*a, "slack#c").row.has_value());
  auto recovered = b->RecoverInFlight();
  ASSERT_TRUE(recovered.ok()) << recovered.message();
  EXPECT_EQ(*recovered, 0);
  EXPECT_EQ(Get(*b, ids[0]).state, QueueState::kInFlight);
}

TEST_F(PgOutboxQueueTest, TwoReplicasEnqueuingTheSameEventsStoreEachOnce) {
  auto a = Replica("replica-a");
  auto b = Replica("replica-b");
  constexpr int kEvents = 60;
  std::atomic<bool> go{false};
  std::atomic<size_t> inserted{0};
  std::atomic<size_t> duplicates{0};
  std::atomic<int> failures{0};
  auto enqueue_all = [&](PgOutboxQueue* queue, bool backwards) {
    while (!go.load()) std::this_thread::yield();
    for (int i = 0; i < kEvents; ++i) {
      const int n = backwards ? kEvents - 1 - i : i;
      // Two keys per batch, on two channels, as one event matched for two targets.
      auto result = queue->Enqueue({{"slack", Name("evt-", n, "-s"), Name("slack#c", n % 3), "{}"},
                                    {"teams", Name("evt-", n, "-t"), "teams", "{}"}},
                                   WallClockMs());
      if (!result.ok()) {
        ++failures;
        continue;
      }
      inserted += result->inserted;
      duplicates += result->duplicates;
    }
  };
  std::thread first(enqueue_all, a.get(), false);
  std::thread second(enqueue_all, b.get(), true);
  go = true;
  first.join();
  second.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(inserted.load(), 2u * kEvents);
  EXPECT_EQ(duplicates.load(), 2u * kEvents);
  auto rows = a->List(std::nullopt, 0);
  ASSERT_TRUE(rows.ok()) << rows.message();
  EXPECT_EQ(rows->size(), 2u * kEvents);
}

TEST_F(PgOutboxQueueTest, ConcurrentEnqueuersOnOneChannelAreClaimedInIdOrderWithoutGaps) {
  auto claimer = Replica("claimer");
  constexpr int kEnqueuers = 4;
  constexpr int kBatches = 6;
  // Several rows per transaction: the time between taking an id and committing it is what a
  // missing channel lock would let another enqueuer's later ids commit in.
  constexpr int kRowsPerBatch = 10;
  std::vector<std::unique_ptr<PgOutboxQueue>> enqueuers;
  for (int i = 0; i < kEnqueuers; ++i) enqueuers.push_back(Replica(Name("enqueuer-", i)));
  std::atomic<bool> go{false};
  std::atomic<int> failures{0};
  std::atomic<int> enqueuers_done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kEnqueuers; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kBatches; ++i) {
        std::vector<NewQueueRow> rows;
        for (int r = 0; r < kRowsPerBatch; ++r) {
          std::string key = Name("t", t, "-");
          key.append(std::to_string(i)).append("-").append(std::to_string(r));
          rows.push_back({"slack", key, "slack#c", "{}"});
        }
        if (!enqueuers[t]->Enqueue(rows, WallClockMs()).ok()) ++failures;
      }
      ++enqueuers_done;
    });
  }
  // Watch the channel as a claimer would: an id that becomes visible below one already seen is
  // a row a claimer could have skipped (and sent out of order).
  std::atomic<int> late_ids{0};
  std::thread watcher([&] {
    std::set<int64_t> seen;
    bool last_look = false;
    while (!last_look) {
      last_look = enqueuers_done.load() == kEnqueuers;
      auto rows = claimer->List(std::nullopt, 0);
      if (!rows.ok()) {
        ++failures;
        return;
      }
      const int64_t highest = seen.empty() ? 0 : *seen.rbegin();
      for (const QueueRow& row : *rows) {
        if (seen.insert(row.id).second && row.id < highest) ++late_ids;
      }
    }
  });
  go = true;
  // Deliver while they enqueue: a row committed after a higher id was already delivered would
  // be claimed out of order.
  std::vector<int64_t> claimed;
  const size_t expected = static_cast<size_t>(kEnqueuers * kBatches * kRowsPerBatch);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  while (claimed.size() < expected && std::chrono::steady_clock::now() < give_up) {
    QueueClaim claim = Claim(*claimer, "slack#c");
    if (!claim.row) continue;
    claimed.push_back(claim.row->id);
    Status marked = claimer->MarkDelivered({{claim.row->id, 200, "", ""}});
    EXPECT_TRUE(marked.ok()) << marked.message();
    if (!marked.ok()) break;  // not ASSERT: the threads must be joined
  }
  for (std::thread& thread : threads) thread.join();
  watcher.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(late_ids.load(), 0) << "ids of the channel became visible out of id order";
  ASSERT_EQ(claimed.size(), expected);
  for (size_t i = 1; i < claimed.size(); ++i) {
    ASSERT_LT(claimed[i - 1], claimed[i]) << "claim " << i << " went back in id order";
  }
  // Every row was delivered: none was skipped behind a later one.
  auto left = claimer->CountUndelivered({"slack#c"});
  ASSERT_TRUE(left.ok()) << left.message();
  EXPECT_EQ(*left, 0);
}

// Another replica's committed enqueue wakes this one at once (LISTEN/NOTIFY): the holder of a
// channel does not wait for its next poll to claim what another replica committed. A batch of
// duplicates commits nothing new and wakes no one.
TEST_F(PgOutboxQueueTest, AnotherReplicasEnqueueWakesTheWatchers) {
  auto a = Replica("replica-a");
  auto b = Replica("replica-b");
  std::mutex mutex;
  std::condition_variable woken;
  int wakes = 0;
  b->WatchEnqueues([&] {
    std::lock_guard lock(mutex);
    ++wakes;
    woken.notify_all();
  });
  auto wait_for_wakes = [&](int count) {
    std::unique_lock lock(mutex);
    return woken.wait_for(lock, std::chrono::seconds(5), [&] { return wakes >= count; });
  };
  // The listener's first connection wakes once (enqueues may have happened before it listened).
  ASSERT_TRUE(wait_for_wakes(1));
  Enqueue(*a, "slack#c", {"k1"});
  ASSERT_TRUE(wait_for_wakes(2)) << "no wake-up for a committed enqueue";
  Enqueue(*a, "slack#c", {"k1"});  // duplicate: nothing committed
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(wakes, 2);
  }
  Enqueue(*a, "slack#d", {"k2", "k3"});  // one transaction: one wake-up
  ASSERT_TRUE(wait_for_wakes(3));
}

}  // namespace
}  // namespace trailwatch::store
