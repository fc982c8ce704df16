// Outbox: dedup by idempotency key, order per channel, crash recovery, retry/purge, thread roots.
#include "outbox/outbox.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <iostream>
#include <map>
#include <thread>

#include "cli/cli_test_util.h"
#include "store/schema.h"
#include "targets/target_test_util.h"

namespace trailwatch::outbox {
namespace {

using trailwatch::testing::TempDir;

std::unique_ptr<Outbox> OpenOutbox(const TempDir& dir) {
  auto outbox = Outbox::Open(dir.path() + "/outbox.db");
  EXPECT_TRUE(outbox.ok()) << outbox.message();
  return std::move(outbox.value());
}

TEST(OutboxTest, DuplicateIdempotencyKeysAreStoredOnce) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  route::Alert a = testing::SampleRootSignIn("evt-1");
  auto first = outbox->Enqueue({{"slack", "slack", a}, {"slack", "slack", a}}, 1000);
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_EQ(first->inserted, 1u);
  EXPECT_EQ(first->duplicates, 1u);
  EXPECT_GT(first->ids[0], 0);
  EXPECT_EQ(first->ids[1], 0);
  // The same event again later (S3/SQS redelivery): still one.
  auto again = outbox->Enqueue({{"slack", "slack", a}}, 2000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 1u);
  // Another rule, or another target, for the same event is another alert.
  auto other = outbox->Enqueue(
      {{"slack", "slack", testing::SampleRootSignIn("evt-1", "other-rule")}, {"teams", "teams", a}},
      3000);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->inserted, 2u);
  EXPECT_EQ(IdempotencyKey("slack", a), R"(["slack","root-signin","evt-1"])");
}

TEST(OutboxTest, AlertSurvivesTheRoundTrip) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  route::Alert a = testing::SampleRootSignIn("evt-\"quoted\"\n");
  a.severity = route::Severity::kMedium;
  a.origin = "s3://bucket/AWSLogs/111122223333/x.json.gz";
  ASSERT_TRUE(outbox->Enqueue({{"t", "t", a}}, 5).ok());
  auto claimed = outbox->ClaimHead("t", 5);
  ASSERT_TRUE(claimed.ok() && *claimed);
  const Entry& e = **claimed;
  EXPECT_EQ(e.alert.rule, a.rule);
  EXPECT_EQ(e.alert.severity, route::Severity::kMedium);
  EXPECT_EQ(e.alert.envelope.json, a.envelope.json);
  EXPECT_EQ(e.alert.envelope.DedupKey(), a.envelope.DedupKey());
  EXPECT_EQ(e.alert.origin, a.origin);
  EXPECT_FALSE(e.alert.test);
  EXPECT_EQ(e.created_at, 5);
  EXPECT_EQ(e.attempts, 1);
  EXPECT_EQ(e.state, EntryState::kInFlight);
}

// Issue 13, item 7: a grouped alert's key is (target, eventID) — whatever its rules, so a rule
// added later is a duplicate — and it keeps every rule through the store.
TEST(OutboxTest, AGroupedAlertIsKeyedByTargetAndEventAndKeepsItsRules) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  route::Alert grouped = testing::SampleRootSignIn("evt-1", "root-signin");
  grouped.grouped = true;
  grouped.also_rules = {"root-activity", "odd \"name\", with a comma"};
  EXPECT_EQ(IdempotencyKey("slack", grouped), R"(["slack","evt-1"])");
  route::Alert later = grouped;
  later.rule = "new-rule";
  later.also_rules = {"root-signin", "root-activity"};
  EXPECT_EQ(IdempotencyKey("slack", later), IdempotencyKey("slack", grouped));
  // Never equal to a per-rule key, whatever the names.
  route::Alert per_rule = testing::SampleRootSignIn("evt-1", "slack");
  EXPECT_NE(IdempotencyKey("slack", per_rule), IdempotencyKey("slack", grouped));

  auto first = outbox->Enqueue({{"slack", "slack", grouped}, {"slack", "slack", later}}, 5);
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_EQ(first->inserted, 1u);
  EXPECT_EQ(first->duplicates, 1u);
  auto claimed = outbox->ClaimHead("slack", 5);
  ASSERT_TRUE(claimed.ok() && *claimed);
  EXPECT_TRUE((*claimed)->alert.grouped);
  EXPECT_EQ((*claimed)->alert.rule, "root-signin");
  EXPECT_EQ((*claimed)->alert.also_rules, grouped.also_rules);
  EXPECT_EQ((*claimed)->idempotency_key, R"(["slack","evt-1"])");
}

// Entries queued by older versions have neither `grouped` nor `also_rules`: they still parse, as
// per-rule alerts. A grouped entry is all strings, so an older version reads it too (the primary
// rule; it ignores members it does not know).
TEST(OutboxTest, AlertsWithoutGroupingMembersStillParse) {
  route::Alert old_style = testing::SampleRootSignIn("evt-1");
  std::string text = SerializeAlert(old_style);
  EXPECT_EQ(text.find("grouped"), std::string::npos);
  EXPECT_EQ(text.find("also_rules"), std::string::npos);
  Result<route::Alert> parsed = ParseAlert(text);
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  EXPECT_FALSE(parsed->grouped);
  EXPECT_TRUE(parsed->also_rules.empty());
  EXPECT_EQ(parsed->rule, "root-signin");

  route::Alert grouped = old_style;
  grouped.grouped = true;
  grouped.also_rules = {"root-activity"};
  std::string grouped_text = SerializeAlert(grouped);
  EXPECT_NE(grouped_text.find(R"("grouped":"true")"), std::string::npos) << grouped_text;
  EXPECT_NE(grouped_text.find(R"("also_rules":"[\"root-activity\"]")"), std::string::npos)
      << grouped_text;
  EXPECT_FALSE(ParseAlert(R"({"rule":"r","also_rules":"not an array","event":"{}"})").ok());
}

TEST(OutboxTest, ASendTestAlertStaysATestThroughTheOutbox) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  route::Alert a = testing::SampleRootSignIn("evt-test");
  a.test = true;
  ASSERT_TRUE(outbox->Enqueue({{"t", "t", a}}, 5).ok());
  auto claimed = outbox->ClaimHead("t", 5);
  ASSERT_TRUE(claimed.ok() && *claimed);
  EXPECT_TRUE((*claimed)->alert.test);
  EXPECT_EQ((*claimed)->alert.envelope.json, a.envelope.json);
}

TEST(OutboxTest, ChannelHeadBlocksTheRestOfItsChannelOnly) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  auto ids = outbox->Enqueue({{"a", "a", testing::SampleRootSignIn("1")},
                              {"b", "b", testing::SampleRootSignIn("2")},
                              {"a", "a", testing::SampleRootSignIn("3")},
                              {"a", "a", testing::SampleRootSignIn("4")},
                              {"b", "b", testing::SampleRootSignIn("5")}},
                             100);
  ASSERT_TRUE(ids.ok());
  auto a1 = outbox->ClaimHead("a", 100);
  ASSERT_TRUE(a1.ok() && *a1);
  EXPECT_EQ((*a1)->alert.envelope.DedupKey(), "1");
  // a's head is in flight: nothing else of a leaves.
  auto none = outbox->ClaimHead("a", 100);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  // b is independent.
  auto b1 = outbox->ClaimHead("b", 100);
  ASSERT_TRUE(b1.ok() && *b1);
  EXPECT_EQ((*b1)->alert.envelope.DedupKey(), "2");
  // a's head waits for a retry: still blocks its channel, and says when it is due.
  ASSERT_TRUE(outbox->MarkRetry((*a1)->id, 5000, "HTTP 503", 503).ok());
  int64_t next_due = 0;
  auto waiting = outbox->ClaimHead("a", 200, &next_due);
  ASSERT_TRUE(waiting.ok());
  EXPECT_FALSE(*waiting);
  EXPECT_EQ(next_due, 5000);
  // Due: the same head again, attempts counted.
  auto again = outbox->ClaimHead("a", 5000);
  ASSERT_TRUE(again.ok() && *again);
  EXPECT_EQ((*again)->alert.envelope.DedupKey(), "1");
  EXPECT_EQ((*again)->attempts, 2);
  EXPECT_EQ((*again)->last_error, "HTTP 503");
  // Dead unblocks the channel; delivered too.
  ASSERT_TRUE(outbox->MarkDead((*again)->id, "gave up", 503).ok());
  auto a3 = outbox->ClaimHead("a", 5000);
  ASSERT_TRUE(a3.ok() && *a3);
  EXPECT_EQ((*a3)->alert.envelope.DedupKey(), "3");
  ASSERT_TRUE(outbox->MarkDelivered((*a3)->id, 200, "ok", "").ok());
  auto a4 = outbox->ClaimHead("a", 5000);
  ASSERT_TRUE(a4.ok() && *a4);
  EXPECT_EQ((*a4)->alert.envelope.DedupKey(), "4");
}

TEST(OutboxTest, InFlightEntriesArePendingAgainAfterRecovery) {
  TempDir dir;
  int64_t id = 0;
  {
    auto outbox = OpenOutbox(dir);
    auto ids = outbox->Enqueue(
        {{"a", "a", testing::SampleRootSignIn("1")}, {"a", "a", testing::SampleRootSignIn("2")}},
        1);
    ASSERT_TRUE(ids.ok());
    id = ids->ids[0];
    auto claimed = outbox->ClaimHead("a", 1);
    ASSERT_TRUE(claimed.ok() && *claimed);
    // The process "dies" here with entry 1 in flight.
  }
  auto outbox = OpenOutbox(dir);
  auto stats = outbox->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->in_flight, 1);
  EXPECT_EQ(stats->pending, 1);
  auto recovered = outbox->RecoverInFlight();
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(*recovered, 1);
  auto claimed = outbox->ClaimHead("a", 2);
  ASSERT_TRUE(claimed.ok() && *claimed);
  EXPECT_EQ((*claimed)->id, id);  // the same entry, still first in its channel
  EXPECT_EQ((*claimed)->attempts, 2);
}

TEST(OutboxTest, RetryAndPurge) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  auto ids = outbox->Enqueue({{"a", "a", testing::SampleRootSignIn("1")},
                              {"a", "a", testing::SampleRootSignIn("2")},
                              {"b", "b", testing::SampleRootSignIn("3")}},
                             1);
  ASSERT_TRUE(ids.ok());
  for (const char* channel : {"a", "a", "b"}) {
    auto claimed = outbox->ClaimHead(channel, 1);
    ASSERT_TRUE(claimed.ok() && *claimed);
    ASSERT_TRUE(outbox->MarkDead((*claimed)->id, "channel_not_found", 404).ok());
  }
  auto dead = outbox->List(EntryState::kDead);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 3u);
  EXPECT_EQ((*dead)[0].last_error, "channel_not_found");

  auto one = outbox->Retry(ids->ids[0], 50);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, 1);
  auto entry = outbox->Get(ids->ids[0]);
  ASSERT_TRUE(entry.ok() && *entry);
  EXPECT_EQ((*entry)->state, EntryState::kPending);
  EXPECT_EQ((*entry)->attempts, 0);
  EXPECT_EQ((*entry)->queued_at, 50);
  EXPECT_EQ((*entry)->created_at, 1);

  auto rest = outbox->RetryAllDead(60);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, 2);
  auto claimed = outbox->ClaimHead("a", 60);
  ASSERT_TRUE(claimed.ok() && *claimed);
  ASSERT_TRUE(outbox->MarkDead((*claimed)->id, "again", 0).ok());
  auto purged = outbox->Purge(EntryState::kDead);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(outbox->Purge(EntryState::kPending).ok());
  auto all = outbox->List(std::nullopt);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  // A delivered entry cannot be retried (it would be sent twice).
  auto next = outbox->ClaimHead("a", 60);
  ASSERT_TRUE(next.ok() && *next);
  ASSERT_TRUE(outbox->MarkDelivered((*next)->id, 200, "ok", "").ok());
  auto not_retried = outbox->Retry((*next)->id, 70);
  ASSERT_TRUE(not_retried.ok());
  EXPECT_EQ(*not_retried, 0);
}

TEST(OutboxTest, StatsReportDepthAndOldestAge) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  ASSERT_TRUE(outbox->Enqueue({{"a", "a", testing::SampleRootSignIn("1")}}, 1000).ok());
  ASSERT_TRUE(outbox->Enqueue({{"a", "a", testing::SampleRootSignIn("2")}}, 2000).ok());
  auto stats = outbox->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->pending, 2);
  EXPECT_EQ(stats->oldest_pending_created_at, 1000);
  auto count = outbox->CountUndelivered({"a", "b"});
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);
}

TEST(OutboxTest, StoreUsesWalAndHasASchemaVersion) {
  TempDir dir;
  { auto outbox = OpenOutbox(dir); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/outbox.db").c_str(), &db), SQLITE_OK);
  auto scalar = [&](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    std::string value;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return value;
  };
  EXPECT_EQ(scalar("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(scalar("SELECT version FROM schema_version"), std::to_string(store::LatestSchemaVersion()));
  // A store from a newer trailwatch is refused, not misread.
  sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto newer = Outbox::Open(dir.path() + "/outbox.db");
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.message().find("schema version 99"), std::string::npos) << newer.message();
}

TEST(OutboxTest, ThreadRootsCountRepeats) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  auto none = outbox->FindThreadRoot("bot", "[\"r\",\"id\",\"ip\"]");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  ThreadRoot root{"1700000000.000100", "C1", SerializeAlert(testing::SampleRootSignIn("1")), 42, 1};
  ASSERT_TRUE(outbox->SaveThreadRoot("bot", "[\"r\",\"id\",\"ip\"]", root).ok());
  auto count = outbox->BumpThreadRoot("bot", "[\"r\",\"id\",\"ip\"]");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);
  auto found = outbox->FindThreadRoot("bot", "[\"r\",\"id\",\"ip\"]");
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_EQ((*found)->ts, "1700000000.000100");
  EXPECT_EQ((*found)->channel, "C1");
  EXPECT_EQ((*found)->first_seen, 42);
  EXPECT_EQ((*found)->count, 2);
  EXPECT_FALSE(outbox->BumpThreadRoot("bot", "other").ok());
}

TEST(OutboxTest, ExpiredHeadsBecomeDeadWithoutAClaimAndTheNextHeadIsClaimed) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  ASSERT_TRUE(outbox
                  ->Enqueue({{"siem", "siem", testing::SampleRootSignIn("old-1")},
                             {"siem", "siem", testing::SampleRootSignIn("old-2")}},
                            1000)
                  .ok());
  ASSERT_TRUE(outbox->Enqueue({{"siem", "siem", testing::SampleRootSignIn("fresh")}}, 55000).ok());
  // max_age 10 s at t = 60 s: the two entries queued at 1 s are expired, the one at 55 s is not.
  auto claim = outbox->ClaimHeadOrExpire("siem", 60000, 10000);
  ASSERT_TRUE(claim.ok()) << claim.message();
  ASSERT_EQ(claim->expired.size(), 2u);
  ASSERT_TRUE(claim->entry.has_value());
  EXPECT_EQ(claim->entry->alert.envelope.DedupKey(), "fresh");
  for (const Entry& expired : claim->expired) {
    EXPECT_EQ(expired.state, EntryState::kDead);
    EXPECT_EQ(expired.attempts, 0);
    EXPECT_NE(expired.last_error.find("queued 59 s ago, older than max_age (10 s); never sent"),
              std::string::npos)
        << expired.last_error;
  }
  auto stats = outbox->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dead, 2);
  EXPECT_EQ(stats->in_flight, 1);
  // No limit: nothing expires.
  ASSERT_TRUE(outbox->Enqueue({{"other", "other", testing::SampleRootSignIn("old-3")}}, 1000).ok());
  auto unlimited = outbox->ClaimHeadOrExpire("other", 60000, 0);
  ASSERT_TRUE(unlimited.ok());
  EXPECT_TRUE(unlimited->entry.has_value());
  EXPECT_TRUE(unlimited->expired.empty());
}

TEST(OutboxTest, ARetriedEntryThatExpiresKeepsItsLastError) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  ASSERT_TRUE(outbox->Enqueue({{"siem", "siem", testing::SampleRootSignIn("e")}}, 1000).ok());
  auto first = outbox->ClaimHeadOrExpire("siem", 1000, 10000);
  ASSERT_TRUE(first.ok() && first->entry);
  ASSERT_TRUE(outbox->MarkRetry(first->entry->id, 30000, "HTTP 503", 503).ok());
  // Not due yet but already expired: dead at once, not at the retry time.
  auto second = outbox->ClaimHeadOrExpire("siem", 20000, 10000);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->expired.size(), 1u);
  EXPECT_NE(second->expired[0].last_error.find("not sent again after 1 attempts; last error: "
                                               "HTTP 503"),
            std::string::npos)
      << second->expired[0].last_error;
}

TEST(OutboxTest, UndeliveredChannelsAndTargets) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  ASSERT_TRUE(outbox
                  ->Enqueue({{"siem", "siem", testing::SampleRootSignIn("1")},
                             {"siem", "siem/lane1", testing::SampleRootSignIn("2")},
                             {"siem", "siem/lane1", testing::SampleRootSignIn("3")},
                             {"bot", "bot#C0123456789", testing::SampleRootSignIn("4")},
                             {"gone", "gone", testing::SampleRootSignIn("5")}},
                            1000)
                  .ok());
  auto head = outbox->ClaimHead("siem", 1000);
  ASSERT_TRUE(head.ok() && *head);
  ASSERT_TRUE(outbox->MarkDelivered((*head)->id, 200, "ok", "").ok());
  auto channels = outbox->UndeliveredChannels();
  ASSERT_TRUE(channels.ok()) << channels.message();
  std::vector<std::pair<std::string, std::string>> found;
  for (const ChannelBacklog& c : *channels) found.emplace_back(c.channel_key, c.target);
  EXPECT_EQ(found, (std::vector<std::pair<std::string, std::string>>{
                       {"bot#C0123456789", "bot"}, {"gone", "gone"}, {"siem/lane1", "siem"}}));
  auto by_target = outbox->UndeliveredByTarget();
  ASSERT_TRUE(by_target.ok());
  EXPECT_EQ(*by_target, (std::map<std::string, int64_t>{{"bot", 1}, {"gone", 1}, {"siem", 2}}));
  auto dead = outbox->DeadLetterTarget("gone", "target \"gone\" is not in the configuration");
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ(*dead, 1);
  auto again = outbox->RetryDeadOf({"siem", "bot"}, 2000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  again = outbox->RetryDeadOf({"gone"}, 2000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 1);
}

// Concurrent MarkDelivered calls share commits; each returns only when its own mark is stored.
TEST(OutboxTest, ConcurrentDeliveredMarksShareCommits) {
  TempDir dir;
  auto outbox = OpenOutbox(dir);
  constexpr int kEntries = 64;
  std::vector<NewEntry> entries;
  for (int i = 0; i < kEntries; ++i) {
    // Appended rather than "c" + ...: GCC 12 warns falsely (-Wstringop-overflow) on the inlined
    // concatenation.
    std::string channel = "c";
    channel += std::to_string(i);
    std::string event_id = "e";
    event_id += std::to_string(i);
    entries.push_back({"siem", channel, testing::SampleRootSignIn(event_id)});
  }
  auto queued = outbox->Enqueue(entries, 1000);
  ASSERT_TRUE(queued.ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kEntries; i += 8) {
        if (!outbox->MarkDelivered(queued->ids[i], 200, "ok", "").ok()) ++failures;
        // Right after the call returns, the mark is visible to another connection.
        auto reader = Outbox::Open(dir.path() + "/outbox.db");
        auto entry = (*reader)->Get(queued->ids[i]);
        if (!entry.ok() || !*entry || (*entry)->state != EntryState::kDelivered) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto stats = outbox->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->delivered, kEntries);
  EXPECT_GE(outbox->DeliveredCommits(), 1);
  EXPECT_LE(outbox->DeliveredCommits(), kEntries);
  std::cout << "[ group    ] " << kEntries << " marks from 8 threads in "
            << outbox->DeliveredCommits() << " commits\n";
}

}  // namespace
}  // namespace trailwatch::outbox
