// The OutboxQueue contract (store/outbox_queue.h), run against every backend: SQLite
// (sqlite_outbox_queue.h) and PostgreSQL (pg_outbox_queue.h, on a fresh database of the test
// cluster). What only a shared store does (leases, takeover, fencing) is in pg_outbox_queue_test;
// here a channel is never claimed while its head is in flight, as the deliverer never does.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_test_util.h"
#include "store/outbox_queue.h"
#include "store/pg_connection.h"
#include "store/pg_outbox_queue.h"
#include "store/pg_schema.h"
#include "store/pg_test_cluster_util.h"
#include "store/sqlite_connection.h"
#include "store/sqlite_outbox_queue.h"

namespace trailwatch::store {
namespace {

using trailwatch::testing::TempDir;

class OutboxQueueBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      auto connection = SqliteConnection::Open(dir_.path() + "/store.db");
      ASSERT_TRUE(connection.ok()) << connection.message();
      queue_ = std::make_unique<SqliteOutboxQueue>(*connection);
    } else {
      pool_ = std::make_shared<PgPool>(testing::PgTestCluster::Shared().NewDatabase(), 4,
                                       MigratePostgres);
      queue_ = std::make_unique<PgOutboxQueue>(pool_, "contract-test-owner", 15000);
    }
  }

  OutboxQueue& queue() { return *queue_; }

  // Enqueues one row per key on `channel` (target = the channel's part before '#').
  std::vector<int64_t> EnqueueOn(const std::string& channel, const std::vector<std::string>& keys,
                                 int64_t now_ms) {
    std::vector<NewQueueRow> rows;
    const std::string target = channel.substr(0, channel.find('#'));
    for (const std::string& key : keys) {
      std::string payload = "{\"key\":\"";
      payload.append(key).append("\"}");
      rows.push_back({target, key, channel, payload});
    }
    auto result = queue().Enqueue(rows, now_ms);
    EXPECT_TRUE(result.ok()) << result.message();
    return result.ok() ? result->ids : std::vector<int64_t>{};
  }

  QueueClaim ClaimOne(const std::string& channel, int64_t now_ms, int64_t max_age_ms = 0,
                      size_t max_expired = 10) {
    auto claims = queue().ClaimHeads({{channel, max_age_ms}}, now_ms, max_expired);
    EXPECT_TRUE(claims.ok()) << claims.message();
    if (!claims.ok() || claims->size() != 1) return QueueClaim{};
    return std::move(claims->front());
  }

  QueueRow MustGet(int64_t id) {
    auto row = queue().Get(id);
    EXPECT_TRUE(row.ok()) << row.message();
    EXPECT_TRUE(row.ok() && row->has_value()) << "no row " << id;
    return row.ok() && row->has_value() ? **row : QueueRow{};
  }

  TempDir dir_;
  std::shared_ptr<PgPool> pool_;
  std::unique_ptr<OutboxQueue> queue_;
};

TEST_P(OutboxQueueBackendTest, EnqueueGivesGrowingIdsAndStoresADuplicateKeyOnce) {
  std::vector<NewQueueRow> rows = {{"slack", "k1", "slack#a", "{\"n\":1}"},
                                   {"slack", "k2", "slack#b", "{\"n\":2}"},
                                   {"slack", "k1", "slack#a", "{\"n\":3}"},
                                   {"teams", "k3", "teams", "{\"n\":4}"}};
  auto first = queue().Enqueue(rows, 1000);
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_EQ(first->inserted, 3u);
  EXPECT_EQ(first->duplicates, 1u);
  ASSERT_EQ(first->ids.size(), 4u);
  EXPECT_GT(first->ids[0], 0);
  EXPECT_GT(first->ids[1], first->ids[0]);
  EXPECT_EQ(first->ids[2], 0);
  EXPECT_GT(first->ids[3], first->ids[1]);

  auto again = queue().Enqueue({{"slack", "k2", "slack#b", "{}"}, {"slack", "k4", "slack#b", "{}"}},
                               2000);
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(again->inserted, 1u);
  EXPECT_EQ(again->duplicates, 1u);
  EXPECT_EQ(again->ids[0], 0);
  EXPECT_GT(again->ids[1], first->ids[3]);

  QueueRow row = MustGet(first->ids[0]);
  EXPECT_EQ(row.target, "slack");
  EXPECT_EQ(row.idempotency_key, "k1");
  EXPECT_EQ(row.channel_key, "slack#a");
  EXPECT_EQ(row.payload, "{\"n\":1}");  // the first of the duplicates is kept
  EXPECT_EQ(row.state, QueueState::kPending);
  EXPECT_EQ(row.attempts, 0);
  EXPECT_EQ(row.next_attempt_at, 1000);
  EXPECT_EQ(row.created_at, 1000);
  EXPECT_EQ(row.queued_at, 1000);
  EXPECT_EQ(row.last_error, "");

  auto empty = queue().Enqueue({}, 3000);
  ASSERT_TRUE(empty.ok()) << empty.message();
  EXPECT_EQ(empty->inserted, 0u);
  EXPECT_TRUE(empty->ids.empty());
}

TEST_P(OutboxQueueBackendTest, ClaimHeadsClaimsOnlyEachChannelsHeadInIdOrder) {
  std::vector<int64_t> a = EnqueueOn("slack#a", {"a1", "a2", "a3"}, 1000);
  std::vector<int64_t> b = EnqueueOn("slack#b", {"b1"}, 1000);
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 1u);

  // Results come back in request order, whatever the channels' names.
  auto claims =
      queue().ClaimHeads({{"slack#b", 0}, {"slack#a", 0}, {"slack#none", 0}}, 2000, 10);
  ASSERT_TRUE(claims.ok()) << claims.message();
  ASSERT_EQ(claims->size(), 3u);
  ASSERT_TRUE((*claims)[0].row.has_value());
  EXPECT_EQ((*claims)[0].row->id, b[0]);
  ASSERT_TRUE((*claims)[1].row.has_value());
  EXPECT_EQ((*claims)[1].row->id, a[0]);
  EXPECT_EQ((*claims)[1].row->state, QueueState::kInFlight);
  EXPECT_EQ((*claims)[1].row->attempts, 1);
  EXPECT_EQ((*claims)[1].row->payload, "{\"key\":\"a1\"}");
  EXPECT_FALSE((*claims)[2].row.has_value());
  EXPECT_EQ((*claims)[2].next_due, 0);
  EXPECT_TRUE((*claims)[2].expired.empty());

  QueueRow stored = MustGet(a[0]);
  EXPECT_EQ(stored.state, QueueState::kInFlight);
  EXPECT_EQ(stored.attempts, 1);
  EXPECT_EQ(MustGet(a[1]).state, QueueState::kPending);  // not the head: untouched

  // Delivered, the next one is the head.
  ASSERT_TRUE(queue().MarkDelivered({{a[0], 200, "ok", "1.1"}}).ok());
  QueueClaim second = ClaimOne("slack#a", 3000);
  ASSERT_TRUE(second.row.has_value());
  EXPECT_EQ(second.row->id, a[1]);
  ASSERT_TRUE(queue().MarkDead(a[1], "gone", 404).ok());
  QueueClaim third = ClaimOne("slack#a", 3000);
  ASSERT_TRUE(third.row.has_value());
  EXPECT_EQ(third.row->id, a[2]);
  ASSERT_TRUE(queue().MarkDelivered({{a[2], 200, "ok", ""}}).ok());
  QueueClaim none = ClaimOne("slack#a", 3000);
  EXPECT_FALSE(none.row.has_value());
  EXPECT_EQ(none.next_due, 0);
}

TEST_P(OutboxQueueBackendTest, AHeadThatIsNotDueYetReportsWhenItIs) {
  std::vector<int64_t> ids = EnqueueOn("slack#a", {"a1", "a2"}, 1000);
  ASSERT_EQ(ids.size(), 2u);
  QueueClaim first = ClaimOne("slack#a", 1000);
  ASSERT_TRUE(first.row.has_value());
  ASSERT_TRUE(queue().MarkRetry(ids[0], 6000, "HTTP 503", 503).ok());

  QueueRow retried = MustGet(ids[0]);
  EXPECT_EQ(retried.state, QueueState::kPending);
  EXPECT_EQ(retried.next_attempt_at, 6000);
  EXPECT_EQ(retried.last_error, "HTTP 503");
  EXPECT_EQ(retried.response_status, 503);

  // Not due: nothing claimed, and the row behind it waits too (order).
  QueueClaim early = ClaimOne("slack#a", 5999);
  EXPECT_FALSE(early.row.has_value());
  EXPECT_EQ(early.next_due, 6000);
  EXPECT_EQ(MustGet(ids[1]).state, QueueState::kPending);

  QueueClaim due = ClaimOne("slack#a", 6000);
  ASSERT_TRUE(due.row.has_value());
  EXPECT_EQ(due.row->id, ids[0]);
  EXPECT_EQ(due.row->attempts, 2);
  EXPECT_EQ(due.row->last_error, "HTTP 503");
}

TEST_P(OutboxQueueBackendTest, HeadsOlderThanMaxAgeExpireUpToTheLimitPerCall) {
  std::vector<int64_t> old_rows = EnqueueOn("slack#a", {"a1", "a2", "a3"}, 1000);
  std::vector<int64_t> fresh = EnqueueOn("slack#a", {"a4"}, 9000);
  ASSERT_EQ(old_rows.size(), 3u);
  ASSERT_EQ(fresh.size(), 1u);
  // a1 was tried once before it got old: its reason says so.
  ASSERT_TRUE(ClaimOne("slack#a", 1000).row.has_value());
  ASSERT_TRUE(queue().MarkRetry(old_rows[0], 1000, "timeout", 0).ok());
  QueueRow tried = MustGet(old_rows[0]);

  QueueClaim first = ClaimOne("slack#a", 11000, 10000, 2);
  EXPECT_FALSE(first.row.has_value());
  ASSERT_EQ(first.expired.size(), 2u);
  EXPECT_EQ(first.expired[0].id, old_rows[0]);
  EXPECT_EQ(first.expired[1].id, old_rows[1]);
  EXPECT_EQ(first.expired[0].state, QueueState::kDead);
  EXPECT_EQ(first.expired[0].last_error, ExpiredReason(tried, 11000, 10000));
  EXPECT_NE(first.expired[0].last_error.find("after 1 attempts; last error: timeout"),
            std::string::npos);
  EXPECT_NE(first.expired[1].last_error.find("never sent"), std::string::npos);
  QueueRow dead = MustGet(old_rows[1]);
  EXPECT_EQ(dead.state, QueueState::kDead);
  EXPECT_EQ(dead.last_error, first.expired[1].last_error);

  // The next call expires the third (exactly max_age old) and claims the fresh one behind it.
  QueueClaim second = ClaimOne("slack#a", 11000, 10000, 2);
  ASSERT_EQ(second.expired.size(), 1u);
  EXPECT_EQ(second.expired[0].id, old_rows[2]);
  ASSERT_TRUE(second.row.has_value());
  EXPECT_EQ(second.row->id, fresh[0]);
  EXPECT_TRUE(second.row->last_error.empty());

  // No age limit: nothing expires.
  std::vector<int64_t> other = EnqueueOn("slack#b", {"b1"}, 1000);
  QueueClaim unlimited = ClaimOne("slack#b", 1000000, 0, 2);
  EXPECT_TRUE(unlimited.expired.empty());
  ASSERT_TRUE(unlimited.row.has_value());
  EXPECT_EQ(unlimited.row->id, other[0]);
}

TEST_P(OutboxQueueBackendTest, MarksStoreTheOutcomeAndClipFreeText) {
  std::vector<int64_t> ids = EnqueueOn("slack#a", {"a1"}, 1000);
  std::vector<int64_t> b = EnqueueOn("slack#b", {"b1"}, 1000);
  std::vector<int64_t> c = EnqueueOn("slack#c", {"c1"}, 1000);
  auto claims = queue().ClaimHeads({{"slack#a", 0}, {"slack#b", 0}, {"slack#c", 0}}, 1000, 10);
  ASSERT_TRUE(claims.ok()) << claims.message();

  const std::string huge(5000, 'x');
  ASSERT_TRUE(queue().MarkDelivered({{ids[0], 200, huge, "1700000000.000100"}}).ok());
  QueueRow delivered = MustGet(ids[0]);
  EXPECT_EQ(delivered.state, QueueState::kDelivered);
  EXPECT_EQ(delivered.response_status, 200);
  EXPECT_EQ(delivered.response, ClipStoredText(huge));
  EXPECT_LT(delivered.response.size(), huge.size());
  EXPECT_EQ(delivered.response.substr(0, kMaxStoredText), huge.substr(0, kMaxStoredText));
  EXPECT_EQ(delivered.thread_ts, "1700000000.000100");
  EXPECT_EQ(delivered.last_error, "");

  ASSERT_TRUE(queue().MarkDead(b[0], huge, 400).ok());
  QueueRow dead = MustGet(b[0]);
  EXPECT_EQ(dead.state, QueueState::kDead);
  EXPECT_EQ(dead.last_error, ClipStoredText(huge));
  EXPECT_EQ(dead.response_status, 400);

  ASSERT_TRUE(queue().MarkRetry(c[0], 2000, huge, 429).ok());
  QueueRow retry = MustGet(c[0]);
  EXPECT_EQ(retry.state, QueueState::kPending);
  EXPECT_EQ(retry.last_error, ClipStoredText(huge));
  EXPECT_EQ(retry.response_status, 429);
  EXPECT_EQ(retry.next_attempt_at, 2000);

  // Several marks in one call.
  std::vector<int64_t> more = EnqueueOn("slack#d", {"d1"}, 1000);
  std::vector<int64_t> more2 = EnqueueOn("slack#e", {"e1"}, 1000);
  ASSERT_TRUE(queue().ClaimHeads({{"slack#d", 0}, {"slack#e", 0}}, 1000, 10).ok());
  ASSERT_TRUE(queue().MarkDelivered({{more[0], 200, "a", "t1"}, {more2[0], 201, "b", "t2"}}).ok());
  EXPECT_EQ(MustGet(more[0]).state, QueueState::kDelivered);
  EXPECT_EQ(MustGet(more2[0]).response_status, 201);
  EXPECT_EQ(MustGet(more2[0]).thread_ts, "t2");
}

TEST_P(OutboxQueueBackendTest, ListAndGet) {
  std::vector<int64_t> ids = EnqueueOn("slack#a", {"a1", "a2", "a3"}, 1000);
  ASSERT_TRUE(ClaimOne("slack#a", 1000).row.has_value());
  ASSERT_TRUE(queue().MarkDead(ids[0], "bad", 400).ok());

  auto all = queue().List(std::nullopt, 0);
  ASSERT_TRUE(all.ok()) << all.message();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, ids[0]);
  EXPECT_EQ((*all)[2].id, ids[2]);
  auto limited = queue().List(std::nullopt, 2);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[1].id, ids[1]);
  auto pending = queue().List(QueueState::kPending, 0);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].id, ids[1]);
  auto pending_one = queue().List(QueueState::kPending, 1);
  ASSERT_TRUE(pending_one.ok());
  ASSERT_EQ(pending_one->size(), 1u);
  EXPECT_EQ((*pending_one)[0].id, ids[1]);
  auto dead = queue().List(QueueState::kDead, 0);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].last_error, "bad");

  auto missing = queue().Get(ids[2] + 1000);
  ASSERT_TRUE(missing.ok()) << missing.message();
  EXPECT_FALSE(missing->has_value());
}

TEST_P(OutboxQueueBackendTest, RetryMakesDeadOrPendingRowsPendingNow) {
  std::vector<int64_t> a = EnqueueOn("slack#a", {"a1"}, 1000);
  std::vector<int64_t> t = EnqueueOn("teams", {"t1"}, 1000);
  std::vector<int64_t> p = EnqueueOn("pager", {"p1"}, 1000);
  std::vector<int64_t> d = EnqueueOn("slack#d", {"d1"}, 1000);
  ASSERT_TRUE(
      queue().ClaimHeads({{"slack#a", 0}, {"teams", 0}, {"pager", 0}, {"slack#d", 0}}, 1000, 10)
          .ok());
  ASSERT_TRUE(queue().MarkDead(a[0], "x", 500).ok());
  ASSERT_TRUE(queue().MarkDead(t[0], "x", 500).ok());
  ASSERT_TRUE(queue().MarkDead(p[0], "x", 500).ok());
  ASSERT_TRUE(queue().MarkDelivered({{d[0], 200, "", ""}}).ok());

  auto one = queue().Retry(a[0], 5000);
  ASSERT_TRUE(one.ok()) << one.message();
  EXPECT_EQ(*one, 1);
  QueueRow retried = MustGet(a[0]);
  EXPECT_EQ(retried.state, QueueState::kPending);
  EXPECT_EQ(retried.attempts, 0);
  EXPECT_EQ(retried.next_attempt_at, 5000);
  EXPECT_EQ(retried.queued_at, 5000);
  EXPECT_EQ(retried.created_at, 1000);
  // Pending again: "retry now" also applies to a pending row.
  EXPECT_EQ(*queue().Retry(a[0], 6000), 1);
  EXPECT_EQ(MustGet(a[0]).next_attempt_at, 6000);
  // Delivered rows and unknown ids are not retried.
  EXPECT_EQ(*queue().Retry(d[0], 6000), 0);
  EXPECT_EQ(*queue().Retry(d[0] + 1000, 6000), 0);

  auto of = queue().RetryDeadOf({"teams", "nobody"}, 7000);
  ASSERT_TRUE(of.ok()) << of.message();
  EXPECT_EQ(*of, 1);
  EXPECT_EQ(MustGet(t[0]).state, QueueState::kPending);
  EXPECT_EQ(MustGet(p[0]).state, QueueState::kDead);

  auto all = queue().RetryAllDead(8000);
  ASSERT_TRUE(all.ok()) << all.message();
  EXPECT_EQ(*all, 1);
  EXPECT_EQ(MustGet(p[0]).state, QueueState::kPending);
  EXPECT_EQ(MustGet(p[0]).queued_at, 8000);
  EXPECT_EQ(MustGet(d[0]).state, QueueState::kDelivered);
}

TEST_P(OutboxQueueBackendTest, PurgeDeletesEveryRowInTheState) {
  std::vector<int64_t> ids = EnqueueOn("slack#a", {"a1", "a2", "a3"}, 1000);
  ASSERT_TRUE(ClaimOne("slack#a", 1000).row.has_value());
  ASSERT_TRUE(queue().MarkDelivered({{ids[0], 200, "", ""}}).ok());
  ASSERT_TRUE(ClaimOne("slack#a", 1000).row.has_value());
  ASSERT_TRUE(queue().MarkDead(ids[1], "x", 0).ok());

  auto purged = queue().Purge(QueueState::kDelivered);
  ASSERT_TRUE(purged.ok()) << purged.message();
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(queue().Get(ids[0])->has_value());
  EXPECT_TRUE(queue().Get(ids[1])->has_value());
  EXPECT_EQ(*queue().Purge(QueueState::kDead), 1);
  EXPECT_EQ(*queue().Purge(QueueState::kDead), 0);
  EXPECT_EQ(queue().List(std::nullopt, 0)->size(), 1u);
  // A purged idempotency key may be enqueued again (the row is gone).
  std::vector<int64_t> again = EnqueueOn("slack#a", {"a1"}, 2000);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_GT(again[0], ids[2]);
}

TEST_P(OutboxQueueBackendTest, StatsAndCounts) {
  auto empty = queue().Stats();
  ASSERT_TRUE(empty.ok()) << empty.message();
  EXPECT_EQ(empty->pending + empty->in_flight + empty->delivered + empty->dead, 0);
  EXPECT_EQ(empty->oldest_pending_created_at, 0);
  EXPECT_TRUE(empty->by_target.empty());

  std::vector<int64_t> a = EnqueueOn("slack#a", {"a1", "a2"}, 1000);
  std::vector<int64_t> b = EnqueueOn("slack#b", {"b1"}, 2000);
  std::vector<int64_t> t = EnqueueOn("teams", {"t1", "t2"}, 3000);
  ASSERT_TRUE(queue().ClaimHeads({{"slack#a", 0}, {"teams", 0}, {"slack#b", 0}}, 4000, 10).ok());
  ASSERT_TRUE(queue().MarkDelivered({{a[0], 200, "", ""}}).ok());
  ASSERT_TRUE(queue().MarkDead(b[0], "x", 0).ok());
  // Now: a2 pending, t1 in flight, t2 pending, a1 delivered, b1 dead.

  auto stats = queue().Stats();
  ASSERT_TRUE(stats.ok()) << stats.message();
  EXPECT_EQ(stats->pending, 2);
  EXPECT_EQ(stats->in_flight, 1);
  EXPECT_EQ(stats->delivered, 1);
  EXPECT_EQ(stats->dead, 1);
  EXPECT_EQ(stats->oldest_pending_created_at, 1000);
  ASSERT_EQ(stats->by_target.size(), 2u);
  EXPECT_EQ(stats->by_target["slack"].undelivered, 1);
  EXPECT_EQ(stats->by_target["slack"].oldest_created_at, 1000);
  EXPECT_EQ(stats->by_target["teams"].undelivered, 2);
  EXPECT_EQ(stats->by_target["teams"].oldest_created_at, 3000);

  EXPECT_EQ(*queue().CountUndelivered({"slack#a", "teams"}), 3);
  EXPECT_EQ(*queue().CountUndelivered({"slack#b"}), 0);
  EXPECT_EQ(*queue().CountUndelivered({}), 0);

  auto backlog = queue().UndeliveredByTarget();
  ASSERT_TRUE(backlog.ok()) << backlog.message();
  EXPECT_EQ(*backlog, (std::map<std::string, int64_t>{{"slack", 1}, {"teams", 2}}));
  auto delivered = queue().CountByTarget(QueueState::kDelivered);
  ASSERT_TRUE(delivered.ok()) << delivered.message();
  EXPECT_EQ(*delivered, (std::map<std::string, int64_t>{{"slack", 1}}));
  EXPECT_EQ(*queue().CountByTarget(QueueState::kPending),
            (std::map<std::string, int64_t>{{"slack", 1}, {"teams", 1}}));
}

TEST_P(OutboxQueueBackendTest, UndeliveredChannelsNameEachChannelWithItsHeadsTarget) {
  auto none = queue().UndeliveredChannels();
  ASSERT_TRUE(none.ok()) << none.message();
  EXPECT_TRUE(none->empty());

  // A lane shared by two targets: the head's target is reported.
  ASSERT_TRUE(queue()
                  .Enqueue({{"first", "l1", "lane", "{}"}, {"second", "l2", "lane", "{}"}}, 1000)
                  .ok());
  std::vector<int64_t> a = EnqueueOn("slack#a", {"a1"}, 1000);
  std::vector<int64_t> b = EnqueueOn("slack#b", {"b1"}, 1000);
  EnqueueOn("teams", {"t1"}, 1000);
  ASSERT_TRUE(queue().ClaimHeads({{"slack#a", 0}, {"slack#b", 0}, {"lane", 0}}, 1000, 10).ok());
  ASSERT_TRUE(queue().MarkDelivered({{b[0], 200, "", ""}}).ok());  // slack#b is done
  // slack#a's head is in flight: still undelivered.

  auto channels = queue().UndeliveredChannels();
  ASSERT_TRUE(channels.ok()) << channels.message();
  std::vector<std::pair<std::string, std::string>> found;
  for (const QueueChannel& channel : *channels) found.emplace_back(channel.channel_key, channel.target);
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<std::pair<std::string, std::string>>{
                       {"lane", "first"}, {"slack#a", "slack"}, {"teams", "teams"}}));

  // Once the lane's head is delivered, its head is the other target's row.
  auto lane = queue().List(QueueState::kInFlight, 0);
  ASSERT_TRUE(lane.ok());
  for (const QueueRow& row : *lane) {
    if (row.channel_key == "lane") {
      ASSERT_TRUE(queue().MarkDelivered({{row.id, 200, "", ""}}).ok());
    }
  }
  channels = queue().UndeliveredChannels();
  ASSERT_TRUE(channels.ok());
  bool saw_lane = false;
  for (const QueueChannel& channel : *channels) {
    if (channel.channel_key == "lane") {
      saw_lane = true;
      EXPECT_EQ(channel.target, "second");
    }
  }
  EXPECT_TRUE(saw_lane);
}

TEST_P(OutboxQueueBackendTest, DeadLetterTargetKillsOnlyItsPendingRows) {
  std::vector<int64_t> a = EnqueueOn("gone#a", {"a1", "a2"}, 1000);
  std::vector<int64_t> b = EnqueueOn("gone#b", {"b1"}, 1000);
  std::vector<int64_t> other = EnqueueOn("kept", {"k1"}, 1000);
  QueueClaim claimed = ClaimOne("gone#a", 1000);  // a1 in flight
  ASSERT_TRUE(claimed.row.has_value());

  const std::string why(3000, 'w');
  auto dead = queue().DeadLetterTarget("gone", why);
  ASSERT_TRUE(dead.ok()) << dead.message();
  EXPECT_EQ(*dead, 2);
  EXPECT_EQ(MustGet(a[0]).state, QueueState::kInFlight);
  EXPECT_EQ(MustGet(a[1]).state, QueueState::kDead);
  EXPECT_EQ(MustGet(a[1]).last_error, ClipStoredText(why));
  EXPECT_EQ(MustGet(b[0]).state, QueueState::kDead);
  EXPECT_EQ(MustGet(other[0]).state, QueueState::kPending);
  EXPECT_EQ(*queue().DeadLetterTarget("gone", "again"), 0);
}

TEST(OutboxQueueBackendHelpers, ClipStoredTextKeepsShortTextAndMarksTheCut) {
  EXPECT_EQ(ClipStoredText("short"), "short");
  const std::string exact(kMaxStoredText, 'e');
  EXPECT_EQ(ClipStoredText(exact), exact);
  const std::string longer(kMaxStoredText + 1, 'l');
  std::string expected(kMaxStoredText, 'l');
  expected.append("…");
  EXPECT_EQ(ClipStoredText(longer), expected);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxQueueBackendTest,
                         ::testing::Values(std::string("sqlite"), std::string("postgresql")),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace trailwatch::store
