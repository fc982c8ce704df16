// LeaderSource (service/leader_source.h) on a real PostgreSQL: one replica polls a source at a
// time, a clean stop hands it over at once, and a replica cut off from the store stops its source
// before another replica may start it.
#include "service/leader_source.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <atomic>
#include <thread>

#include "store/pg_connection.h"
#include "store/pg_leases.h"
#include "store/pg_schema.h"
#include "store/pg_test_cluster_util.h"

namespace trailwatch::service {
namespace {

using namespace std::chrono_literals;

// Counts how many instances run at once across every replica of the test.
struct Running {
  std::atomic<int> now{0};
  std::atomic<int> most{0};
  std::atomic<int> terms{0};
};

class CountingSource final : public sources::Source {
 public:
  CountingSource(Running* running, std::string owner, std::atomic<int>* mine)
      : running_(running), owner_(std::move(owner)), mine_(mine) {}
  std::string name() const override { return "directory:/var/log/trail"; }
  Status Run(std::stop_token stop, sources::EventSink&) override {
    int now = ++running_->now;
    int most = running_->most.load();
    while (now > most && !running_->most.compare_exchange_weak(most, now)) {
    }
    ++running_->terms;
    ++*mine_;
    while (!stop.stop_requested()) std::this_thread::sleep_for(10ms);
    --*mine_;
    --running_->now;
    return Status::Ok();
  }

 private:
  Running* running_;
  std::string owner_;
  std::atomic<int>* mine_;
};

class NullSink final : public sources::EventSink {
 public:
  Status Submit(const std::string&, std::span<const sources::SourceEvent>) override {
    return Status::Ok();
  }
};

// A lease store that can be cut off, as a network partition between a replica and PostgreSQL.
class CuttableLeases final : public store::LeaseStore {
 public:
  explicit CuttableLeases(store::LeaseStore* inner) : inner_(inner) {}
  std::atomic<bool> cut{false};
  Result<std::optional<store::LeaseGrant>> Acquire(const std::string& name,
                                                   const std::string& owner,
                                                   int64_t ttl_ms) override {
    if (cut) return Error{"network unreachable"};
    return inner_->Acquire(name, owner, ttl_ms);
  }
  Result<std::optional<store::LeaseGrant>> Renew(const std::string& name, const std::string& owner,
                                                 int64_t generation, int64_t ttl_ms) override {
    if (cut) return Error{"network unreachable"};
    return inner_->Renew(name, owner, generation, ttl_ms);
  }
  Status Release(const std::string& name, const std::string& owner) override {
    if (cut) return Error{"network unreachable"};
    return inner_->Release(name, owner);
  }
  Status ReleaseAll(const std::string& owner) override { return inner_->ReleaseAll(owner); }
  Result<std::vector<store::LeaseRow>> List() override { return inner_->List(); }

 private:
  store::LeaseStore* inner_;
};

struct Replica {
  Replica(const std::string& owner, store::LeaseStore* leases, Running* running,
          std::chrono::milliseconds lease)
      : cuttable(leases),
        source("directory:/var/log/trail",
               [this, running, owner] {
                 return Result<std::unique_ptr<sources::Source>>(
                     std::make_unique<CountingSource>(running, owner, &mine));
               },
               &cuttable, owner, lease,
               std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>())) {}
  void Start() {
    thread = std::jthread([this](std::stop_token stop) { status = source.Run(stop, sink); });
  }
  void Stop() {
    thread.request_stop();
    thread.join();
  }
  std::atomic<int> mine{0};
  CuttableLeases cuttable;
  LeaderSource source;
  NullSink sink;
  Status status;
  std::jthread thread;
};

class LeaderSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = std::make_shared<store::PgPool>(
        store::testing::PgTestCluster::Shared().NewDatabase(), 4,
        [](store::PgConnection& conn) { return store::MigratePostgres(conn); });
    leases_ = std::make_unique<store::PgLeases>(pool_);
  }
  // Waits up to `limit` for `condition`; returns how long it took.
  template <typename Condition>
  std::chrono::milliseconds WaitFor(Condition condition, std::chrono::milliseconds limit) {
    auto start = std::chrono::steady_clock::now();
    while (!condition() && std::chrono::steady_clock::now() - start < limit) {
      std::this_thread::sleep_for(10ms);
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start);
  }
  std::shared_ptr<store::PgPool> pool_;
  std::unique_ptr<store::PgLeases> leases_;
};

TEST_F(LeaderSourceTest, OneReplicaLeadsAndACleanStopHandsOverAtOnce) {
  Running running;
  Replica a("replica-a", leases_.get(), &running, 3000ms);
  Replica b("replica-b", leases_.get(), &running, 3000ms);
  a.Start();
  WaitFor([&] { return a.mine == 1; }, 5000ms);
  ASSERT_EQ(a.mine, 1);
  b.Start();
  std::this_thread::sleep_for(1500ms);  // more than b's retry period (lease / 3)
  EXPECT_EQ(b.mine, 0);
  EXPECT_TRUE(a.source.leading());
  EXPECT_FALSE(b.source.leading());

  a.Stop();
  auto took = WaitFor([&] { return b.mine == 1; }, 5000ms);
  ASSERT_EQ(b.mine, 1);
  // Released at once: b takes over at its next try (lease / 3), not after the lease runs out.
  EXPECT_LT(took, 1500ms);
  b.Stop();
  EXPECT_TRUE(a.status.ok()) << a.status.message();
  EXPECT_TRUE(b.status.ok()) << b.status.message();
  EXPECT_EQ(running.most, 1);
}

TEST_F(LeaderSourceTest, AReplicaCutOffFromTheStoreStopsBeforeAnotherStarts) {
  Running running;
  const auto lease = 3000ms;
  Replica a("replica-a", leases_.get(), &running, lease);
  Replica b("replica-b", leases_.get(), &running, lease);
  a.Start();
  WaitFor([&] { return a.mine == 1; }, 5000ms);
  ASSERT_EQ(a.mine, 1);
  b.Start();
  a.cuttable.cut = true;  // a can no longer renew: its deadline passes, then the lease expires
  auto took = WaitFor([&] { return b.mine == 1; }, 10000ms);
  ASSERT_EQ(b.mine, 1);
  EXPECT_EQ(a.mine, 0);
  // Never both at once (a stopped at its local deadline, before the database expiry), and the
  // failover came within 2 x lease.
  EXPECT_EQ(running.most, 1);
  EXPECT_LT(took, 2 * lease);
  EXPECT_FALSE(a.source.leading());
  a.cuttable.cut = false;
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(a.mine, 0);  // b keeps it
  a.Stop();
  b.Stop();
  EXPECT_EQ(running.most, 1);
}

}  // namespace
}  // namespace trailwatch::service
