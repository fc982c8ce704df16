// ThreadRootStore on both backends (SQLite file, shared PostgreSQL): find/save/replace, bump and
// its error when there is no root, keys kept apart, and bumps from two "replicas" (two
// connections to one store) adding up exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_test_util.h"
#include "store/pg_connection.h"
#include "store/pg_schema.h"
#include "store/pg_test_cluster_util.h"
#include "store/pg_thread_roots.h"
#include "store/sqlite_connection.h"
#include "store/sqlite_thread_roots.h"

namespace trailwatch::store {
namespace {

using trailwatch::testing::TempDir;

// Makes ThreadRootStores on one store of the backend named by the test parameter; every Open()
// is a separate connection (pool), as another replica would have.
class ThreadRootsBackendsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") dsn_ = testing::PgTestCluster::Shared().NewDatabase();
  }

  std::unique_ptr<ThreadRootStore> Open() {
    if (GetParam() == "postgresql") {
      auto pool = std::make_shared<PgPool>(dsn_, 4,
                                           [](PgConnection& c) { return MigratePostgres(c); });
      return std::make_unique<PgThreadRoots>(std::move(pool));
    }
    auto connection = SqliteConnection::Open(dir_.path() + "/tw.db");
    EXPECT_TRUE(connection.ok()) << connection.message();
    if (!connection.ok()) return nullptr;
    return std::make_unique<SqliteThreadRoots>(*connection);
  }

  TempDir dir_;
  std::string dsn_;
};

ThreadRootRow Root(const std::string& ts, int64_t first_seen, int64_t count) {
  ThreadRootRow root;
  root.ts = ts;
  root.channel = "C0123";
  root.parent_alert = R"({"rule":"root-login","text":"a \"quoted\" line\nand another, é"})";
  root.first_seen = first_seen;
  root.count = count;
  return root;
}

TEST_P(ThreadRootsBackendsTest, FindSaveReplace) {
  auto roots = Open();
  ASSERT_NE(roots, nullptr);
  auto missing = roots->Find("slack:ops", "g1");
  ASSERT_TRUE(missing.ok()) << missing.message();
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(roots->Save("slack:ops", "g1", Root("1700000000.000100", 1000, 1)).ok());
  auto found = roots->Find("slack:ops", "g1");
  ASSERT_TRUE(found.ok()) << found.message();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->ts, "1700000000.000100");
  EXPECT_EQ((*found)->channel, "C0123");
  EXPECT_EQ((*found)->parent_alert, Root("", 0, 0).parent_alert);
  EXPECT_EQ((*found)->first_seen, 1000);
  EXPECT_EQ((*found)->count, 1);

  // Saving again replaces every column (a new thread after the window passed).
  ThreadRootRow replaced = Root("1700000999.000200", 5000, 7);
  replaced.channel = "C9999";
  replaced.parent_alert = "{}";
  ASSERT_TRUE(roots->Save("slack:ops", "g1", replaced).ok());
  found = roots->Find("slack:ops", "g1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->ts, "1700000999.000200");
  EXPECT_EQ((*found)->channel, "C9999");
  EXPECT_EQ((*found)->parent_alert, "{}");
  EXPECT_EQ((*found)->first_seen, 5000);
  EXPECT_EQ((*found)->count, 7);

  // Another target or group key is another root.
  EXPECT_FALSE(roots->Find("slack:sec", "g1")->has_value());
  EXPECT_FALSE(roots->Find("slack:ops", "g2")->has_value());
}

TEST_P(ThreadRootsBackendsTest, BumpCountsAndFailsWithoutRoot) {
  auto roots = Open();
  ASSERT_NE(roots, nullptr);
  auto none = roots->Bump("slack:ops", "g1");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.message().find("no thread root"), std::string::npos) << none.message();

  ASSERT_TRUE(roots->Save("slack:ops", "g1", Root("1.1", 10, 1)).ok());
  ASSERT_TRUE(roots->Save("slack:ops", "g2", Root("2.2", 20, 5)).ok());
  auto second = roots->Bump("slack:ops", "g1");
  ASSERT_TRUE(second.ok()) << second.message();
  EXPECT_EQ(*second, 2);
  EXPECT_EQ(*roots->Bump("slack:ops", "g1"), 3);
  EXPECT_EQ((*roots->Find("slack:ops", "g1"))->count, 3);
  EXPECT_EQ((*roots->Find("slack:ops", "g2"))->count, 5);  // untouched
  EXPECT_FALSE(roots->Bump("slack:other", "g1").ok());
}

TEST_P(ThreadRootsBackendsTest, BumpsFromTwoReplicasAddUp) {
  auto first = Open();
  auto second = Open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(first->Save("slack:ops", "g", Root("1.1", 10, 1)).ok());
  constexpr int kThreads = 4;
  constexpr int kBumps = 50;
  std::vector<std::vector<int64_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    ThreadRootStore* roots = i % 2 == 0 ? first.get() : second.get();
    threads.emplace_back([roots, &seen, i] {
      for (int n = 0; n < kBumps; ++n) {
        auto count = roots->Bump("slack:ops", "g");
        EXPECT_TRUE(count.ok()) << count.message();
        if (count.ok()) seen[i].push_back(*count);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ((*second->Find("slack:ops", "g"))->count, 1 + kThreads * kBumps);
  // Every bump got its own new count: none was lost or returned twice.
  std::vector<int64_t> all;
  for (const auto& counts : seen) all.insert(all.end(), counts.begin(), counts.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kBumps));
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], static_cast<int64_t>(i) + 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, ThreadRootsBackendsTest,
                         ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace trailwatch::store
