// Outbox::Stats per target (store::QueueStats::by_target): what the ops listener's
// trailwatch_target_queue_depth and trailwatch_target_oldest_pending_age_seconds are read from.
#include <gtest/gtest.h>

#include "cli/cli_test_util.h"
#include "outbox/outbox.h"
#include "targets/target_test_util.h"

namespace trailwatch::outbox {
namespace {

TEST(OutboxStatsTest, UndeliveredCountAndOldestPerTarget) {
  testing::TempDir dir;
  auto opened = Outbox::Open(dir.path() + "/outbox.db");
  ASSERT_TRUE(opened.ok()) << opened.message();
  Outbox& outbox = **opened;
  ASSERT_TRUE(outbox.Enqueue({{"slack", "slack", testing::SampleRootSignIn("e1")}}, 1000).ok());
  ASSERT_TRUE(outbox
                  .Enqueue({{"slack", "slack", testing::SampleRootSignIn("e2")},
                            {"teams", "teams", testing::SampleRootSignIn("e2")}},
                           2000)
                  .ok());
  ASSERT_TRUE(outbox.Enqueue({{"hook", "hook", testing::SampleRootSignIn("e3")}}, 3000).ok());
  // teams: delivered; hook: in flight (still counted); slack: two pending.
  auto teams = outbox.ClaimHead("teams", 5000);
  ASSERT_TRUE(teams.ok() && teams->has_value());
  ASSERT_TRUE(outbox.MarkDelivered((*teams)->id, 200, "ok", "").ok());
  auto hook = outbox.ClaimHead("hook", 5000);
  ASSERT_TRUE(hook.ok() && hook->has_value());

  auto stats = outbox.Stats();
  ASSERT_TRUE(stats.ok()) << stats.message();
  EXPECT_EQ(stats->by_target.size(), 2u);
  ASSERT_TRUE(stats->by_target.count("slack"));
  EXPECT_EQ(stats->by_target.at("slack").undelivered, 2);
  EXPECT_EQ(stats->by_target.at("slack").oldest_created_at, 1000);
  ASSERT_TRUE(stats->by_target.count("hook"));
  EXPECT_EQ(stats->by_target.at("hook").undelivered, 1);
  EXPECT_EQ(stats->by_target.at("hook").oldest_created_at, 3000);
  EXPECT_FALSE(stats->by_target.count("teams"));
  EXPECT_EQ(stats->pending, 2);
  EXPECT_EQ(stats->in_flight, 1);
  EXPECT_EQ(stats->delivered, 1);
}

}  // namespace
}  // namespace trailwatch::outbox
