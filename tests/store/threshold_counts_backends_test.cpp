// ThresholdCounts on both backends (SQLite file, shared PostgreSQL), at the store's own level
// (observations, not envelopes: rules/threshold_store_test.cpp covers the layer above): counting
// within a window, groups and rules kept apart, once per event id, quiet after firing and the
// restart after it, pruning, forgetting rules, and replicas recording one group at once firing
// exactly as one process would.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_test_util.h"
#include "store/pg_connection.h"
#include "store/pg_schema.h"
#include "store/pg_test_cluster_util.h"
#include "store/pg_threshold_counts.h"
#include "store/sqlite_threshold_counts.h"

namespace trailwatch::store {
namespace {

using trailwatch::testing::TempDir;

constexpr int64_t kT0 = 1668097474;

// Makes ThresholdCounts on one store of the backend named by the test parameter; every Open() is
// a separate connection (pool), as another replica would have.
class ThresholdCountsBackendsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") dsn_ = testing::PgTestCluster::Shared().NewDatabase();
    counts_ = Open();
    ASSERT_NE(counts_, nullptr);
  }

  std::unique_ptr<ThresholdCounts> Open() {
    if (GetParam() == "postgresql") {
      auto pool = std::make_shared<PgPool>(dsn_, 4,
                                           [](PgConnection& c) { return MigratePostgres(c); });
      return std::make_unique<PgThresholdCounts>(std::move(pool));
    }
    auto counts = SqliteThresholdCounts::Open(dir_.path() + "/tw.db");
    EXPECT_TRUE(counts.ok()) << counts.message();
    if (!counts.ok()) return nullptr;
    return std::move(*counts);
  }

  // Records one observation of `rule` (count 3, window 600 unless given) and expects success.
  ThresholdOutcome Record(const std::string& event_id, int64_t time,
                          const std::string& group = R"(["203.0.113.5"])",
                          const std::string& rule = "failures", int64_t count = 3,
                          int64_t window = 600,
                          const std::optional<ThresholdPrune>& prune = std::nullopt) {
    ThresholdObservation event{rule, event_id, group, time, window, count};
    auto outcome = counts_->Record(event, prune);
    EXPECT_TRUE(outcome.ok()) << outcome.message();
    return outcome.ok() ? *outcome : ThresholdOutcome{};
  }

  int64_t Rows() {
    auto rows = counts_->EventRows();
    EXPECT_TRUE(rows.ok()) << rows.message();
    return rows.ok() ? *rows : -1;
  }

  TempDir dir_;
  std::string dsn_;
  std::unique_ptr<ThresholdCounts> counts_;
};

TEST_P(ThresholdCountsBackendsTest, CountsWithinTheBestWindowAndGoesQuiet) {
  auto a = Record("a", kT0);
  EXPECT_FALSE(a.fire);
  EXPECT_EQ(a.count, 1);
  EXPECT_EQ(Record("b", kT0 + 100).count, 2);
  // 700 s after the first: no window of 600 s holds both, so it counts alone.
  auto far = Record("c", kT0 + 700);
  EXPECT_FALSE(far.fire);
  EXPECT_EQ(far.count, 1);
  // [t0+100, t0+700) and [t0+650, t0+1250) both hold two.
  EXPECT_EQ(Record("d", kT0 + 650).count, 2);
  // [t0, t0+600) now holds a, b and this one: the third fires.
  auto fired = Record("e", kT0 + 300);
  EXPECT_TRUE(fired.fire);
  EXPECT_FALSE(fired.quiet);
  EXPECT_FALSE(fired.duplicate);
  EXPECT_EQ(fired.count, 3);
  // The window that fired was used up: a and b are gone, e (fired), d and c stay.
  EXPECT_EQ(Rows(), 3);

  // Until t0+600 the group is quiet: not counted, no row.
  auto quiet = Record("f", kT0 + 500);
  EXPECT_TRUE(quiet.quiet);
  EXPECT_FALSE(quiet.fire);
  EXPECT_EQ(Rows(), 3);

  // A replay of the event that fired fires again; a replay of another one does nothing.
  auto replay = Record("e", kT0 + 300);
  EXPECT_TRUE(replay.duplicate);
  EXPECT_TRUE(replay.fire);
  EXPECT_EQ(replay.count, 3);
  auto again = Record("d", kT0 + 650);
  EXPECT_TRUE(again.duplicate);
  EXPECT_FALSE(again.fire);

  // From t0+600 counting restarts with what is at or after it: d, c and this one.
  auto next = Record("g", kT0 + 800);
  EXPECT_TRUE(next.fire);
  EXPECT_EQ(next.count, 3);
}

TEST_P(ThresholdCountsBackendsTest, DuplicateEventIdsCountOnce) {
  EXPECT_EQ(Record("x", kT0).count, 1);
  auto duplicate = Record("x", kT0 + 5);
  EXPECT_TRUE(duplicate.duplicate);
  EXPECT_FALSE(duplicate.fire);
  EXPECT_EQ(Rows(), 1);
  EXPECT_EQ(Record("y", kT0 + 10).count, 2);
  EXPECT_TRUE(Record("y", kT0 + 10).duplicate);
  EXPECT_TRUE(Record("z", kT0 + 20).fire);
  // The same event id under another rule is another event.
  auto other_rule = Record("x", kT0, R"(["203.0.113.5"])", "other");
  EXPECT_FALSE(other_rule.duplicate);
  EXPECT_EQ(other_rule.count, 1);
}

TEST_P(ThresholdCountsBackendsTest, GroupsAndRulesCountApart) {
  EXPECT_EQ(Record("a1", kT0, R"(["a"])").count, 1);
  EXPECT_EQ(Record("b1", kT0, R"(["b"])").count, 1);
  EXPECT_EQ(Record("a2", kT0 + 1, R"(["a"])").count, 2);
  EXPECT_EQ(Record("r1", kT0 + 1, R"(["a"])", "other").count, 1);
  EXPECT_EQ(Record("b2", kT0 + 2, R"(["b"])").count, 2);
  EXPECT_TRUE(Record("a3", kT0 + 2, R"(["a"])").fire);
  // Group "a" fired; "b" and the other rule's "a" are not quiet.
  EXPECT_TRUE(Record("a4", kT0 + 3, R"(["a"])").quiet);
  EXPECT_TRUE(Record("b3", kT0 + 3, R"(["b"])").fire);
  auto other = Record("r2", kT0 + 3, R"(["a"])", "other");
  EXPECT_FALSE(other.quiet);
  EXPECT_EQ(other.count, 2);
}

TEST_P(ThresholdCountsBackendsTest, PrunesTheRuleInTheSameTransaction) {
  Record("old1", kT0);
  Record("old2", kT0 + 10);
  Record("kept", kT0 + 2000);
  Record("other-rule", kT0, R"(["a"])", "other");
  EXPECT_EQ(Rows(), 4);
  // Prunes rows of "failures" before t0+1000; the other rule's row stays.
  auto pruning = Record("new", kT0 + 2001, R"(["203.0.113.5"])", "failures", 3, 600,
                        ThresholdPrune{kT0 + 1000, kT0 + 1000});
  EXPECT_EQ(pruning.count, 2);
  EXPECT_EQ(Rows(), 3);  // kept, new, other-rule

  // A duplicate writes nothing, pruning included.
  Record("late", kT0 + 5);
  EXPECT_EQ(Rows(), 4);
  EXPECT_TRUE(Record("late", kT0 + 5, R"(["203.0.113.5"])", "failures", 3, 600,
                     ThresholdPrune{kT0 + 3000, kT0 + 3000})
                  .duplicate);
  EXPECT_EQ(Rows(), 4);

  // Firing quiets the group until t0+2600; pruning with a later groups cutoff drops that quiet
  // row, so the group counts again at once.
  EXPECT_TRUE(Record("third", kT0 + 2002).fire);
  EXPECT_TRUE(Record("quiet", kT0 + 2003).quiet);
  auto quiet_prune = Record("quiet2", kT0 + 2004, R"(["203.0.113.5"])", "failures", 3, 600,
                            ThresholdPrune{kT0 + 2002, kT0 + 2601});
  EXPECT_TRUE(quiet_prune.quiet);  // pruned in the same transaction, after deciding
  auto counted = Record("after", kT0 + 2005);
  EXPECT_FALSE(counted.quiet);
  EXPECT_EQ(counted.count, 1);  // only unfired rows count; "third" is fired
}

TEST_P(ThresholdCountsBackendsTest, ForgetsRulesNotKept) {
  Record("a", kT0, R"(["g"])", "alpha");
  Record("b", kT0, R"(["g"])", "beta");
  Record("c", kT0, R"(["g"])", "gamma");
  // "delta" fires (count 1), then its events are pruned: only its quiet group row is left, and
  // forgetting must find the rule there too.
  EXPECT_TRUE(Record("d", kT0, R"(["g"])", "delta", 1).fire);
  Record("d2", kT0 + 5000, R"(["h"])", "delta", 1, 600, ThresholdPrune{kT0 + 10000, 0});
  EXPECT_EQ(Rows(), 3);

  auto dropped = counts_->ForgetRulesExcept({"beta"});
  ASSERT_TRUE(dropped.ok()) << dropped.message();
  std::vector<std::string> names = *dropped;
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "delta", "gamma"}));
  EXPECT_EQ(Rows(), 1);
  // delta's quiet group went too: its events count again.
  EXPECT_FALSE(Record("d3", kT0 + 1, R"(["g"])", "delta", 2).quiet);

  auto none = counts_->ForgetRulesExcept({"beta", "delta"});
  ASSERT_TRUE(none.ok()) << none.message();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(Rows(), 2);
}

// Replicas count one shared window: two implementation objects on one store (two connections /
// two pools), four threads recording 40 distinct events of one group with count 10 and a window
// holding them all. A single process fires once, on the tenth event, and is quiet for the other
// 30; so must the replicas together, however their transactions interleave.
TEST_P(ThresholdCountsBackendsTest, ReplicasRecordingOneGroupFireExactlyOnce) {
  auto second = Open();
  ASSERT_NE(second, nullptr);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::atomic<int> fires{0};
  std::atomic<int> quiet{0};
  std::atomic<int> counted{0};
  std::atomic<int> errors{0};
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    ThresholdCounts* counts = i % 2 == 0 ? counts_.get() : second.get();
    threads.emplace_back([&, counts, i] {
      // Connect first (a pool connects lazily), then start together: the Records overlap
      // instead of running one after another while the others connect.
      EXPECT_TRUE(counts->EventRows().ok());
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();
      for (int n = 0; n < kPerThread; ++n) {
        const int index = n * kThreads + i;  // interleaved times across the threads
        ThresholdObservation event{"burst", "ev-" + std::to_string(index), R"(["10.0.0.1"])",
                                   kT0 + index, 3600, 10};
        auto outcome = counts->Record(event, std::nullopt);
        if (!outcome.ok()) {
          ++errors;
          ADD_FAILURE() << outcome.message();
          continue;
        }
        EXPECT_FALSE(outcome->duplicate);
        if (outcome->fire) ++fires;
        if (outcome->quiet) ++quiet;
        if (!outcome->quiet) ++counted;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(fires.load(), 1);
  EXPECT_EQ(counted.load(), 10);
  EXPECT_EQ(quiet.load(), kThreads * kPerThread - 10);
  // The nine that counted with the firing one were used up; the firing row stays.
  auto rows = second->EventRows();
  ASSERT_TRUE(rows.ok()) << rows.message();
  EXPECT_EQ(*rows, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, ThresholdCountsBackendsTest,
                         ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace trailwatch::store
