// ThresholdStore: count within a window per group, once per eventID, quiet after firing until the
// window that fired has passed, event time not wall clock, pruning, survives reopening.
#include "rules/threshold_store.h"
#include "envelope/validate_envelope.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "cli/cli_test_util.h"
#include "cloudtrail/event_time.h"
#include "outbox/outbox.h"

namespace trailwatch::rules {
namespace {

constexpr int64_t kT0 = 1668097474;  // 2022-11-10T16:24:34Z, the samples' time

RuleSpec FailuresRule(int count = 3, int window_seconds = 600) {
  RuleSpec rule;
  rule.name = "failures";
  rule.pattern_json = R"({"detail":{"eventName":["ConsoleLogin"]}})";
  ThresholdSpec threshold;
  threshold.count = count;
  threshold.window = std::chrono::seconds(window_seconds);
  threshold.group_by = {"detail.sourceIPAddress"};
  rule.threshold = threshold;
  return rule;
}

// An envelope with the fields thresholds read.
std::string EventJson(const std::string& event_id, int64_t time, const std::string& ip) {
  auto text = cloudtrail::FormatEventTime(std::chrono::sys_seconds(std::chrono::seconds(time)));
  return R"({"version":"0","id":"env-)" + event_id +
         R"(","detail-type":"x","source":"aws.signin",)"
         R"("account":"111122223333","time":")" +
         *text + R"(","region":"us-east-1","resources":[],"detail":{"eventID":")" + event_id +
         R"(","sourceIPAddress":")" + ip + R"("}})";
}

envelope::Envelope Event(const std::string& event_id, int64_t time, const std::string& ip) {
  envelope::Envelope event;
  simdjson::dom::parser parser;
  Status valid = envelope::ValidateEnvelopeText(EventJson(event_id, time, ip), parser, &event);
  EXPECT_TRUE(valid.ok()) << valid.message();
  return event;
}

class ThresholdStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = ThresholdStore::Open(dir_.path() + "/trailwatch.db");
    ASSERT_TRUE(store.ok()) << store.message();
    store_ = std::move(*store);
  }
  ThresholdDecision Observe(const RuleSpec& rule, const std::string& id, int64_t time,
                            const std::string& ip = "203.0.113.5") {
    auto decision = store_->Observe(rule, Event(id, time, ip));
    EXPECT_TRUE(decision.ok()) << decision.message();
    return decision.ok() ? *decision : ThresholdDecision{};
  }

  trailwatch::testing::TempDir dir_;
  std::unique_ptr<ThresholdStore> store_;
};

TEST_F(ThresholdStoreTest, FiresOnceWhenCountEventsFallWithinTheWindow) {
  RuleSpec rule = FailuresRule(3, 600);
  EXPECT_FALSE(Observe(rule, "a", kT0).fire);
  ThresholdDecision second = Observe(rule, "b", kT0 + 100);
  EXPECT_FALSE(second.fire);
  EXPECT_EQ(second.count, 2);
  EXPECT_EQ(second.group, R"(["203.0.113.5"])");
  ThresholdDecision third = Observe(rule, "c", kT0 + 599);  // 599 < 600: same window
  EXPECT_TRUE(third.fire);
  EXPECT_EQ(third.count, 3);
  // Quiet until the window that fired (kT0 .. kT0 + 600) has passed.
  ThresholdDecision fourth = Observe(rule, "d", kT0 + 599);
  EXPECT_FALSE(fourth.fire);
  EXPECT_TRUE(fourth.quiet);
  // From kT0 + 600 on, counting starts afresh: three more are needed.
  EXPECT_FALSE(Observe(rule, "e", kT0 + 600).fire);
  EXPECT_FALSE(Observe(rule, "f", kT0 + 601).fire);
  EXPECT_TRUE(Observe(rule, "g", kT0 + 602).fire);
}

TEST_F(ThresholdStoreTest, EventsFurtherApartThanTheWindowDoNotAddUp) {
  RuleSpec rule = FailuresRule(3, 600);
  EXPECT_FALSE(Observe(rule, "a", kT0).fire);
  EXPECT_FALSE(Observe(rule, "b", kT0 + 300).fire);
  EXPECT_FALSE(Observe(rule, "c", kT0 + 600).fire);  // a has left the window
  EXPECT_TRUE(Observe(rule, "d", kT0 + 601).fire);   // b, c, d within 600 s
}

TEST_F(ThresholdStoreTest, GroupsCountSeparately) {
  RuleSpec rule = FailuresRule(2, 600);
  EXPECT_FALSE(Observe(rule, "a", kT0, "198.51.100.1").fire);
  EXPECT_FALSE(Observe(rule, "b", kT0 + 1, "198.51.100.2").fire);
  EXPECT_TRUE(Observe(rule, "c", kT0 + 2, "198.51.100.1").fire);
  EXPECT_TRUE(Observe(rule, "d", kT0 + 3, "198.51.100.2").fire);
}

TEST_F(ThresholdStoreTest, MissingGroupValueIsItsOwnGroup) {
  RuleSpec rule = FailuresRule(2, 600);
  envelope::Envelope no_ip;
  no_ip.json = R"({"id":"x1","time":"2022-11-10T16:24:34Z","detail":{"eventID":"x1"}})";
  no_ip.id = no_ip.event_id = "x1";
  no_ip.time = "2022-11-10T16:24:34Z";
  auto first = store_->Observe(rule, no_ip);
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_EQ(first->group, "[null]");
}

TEST_F(ThresholdStoreTest, LongGroupValuesAreStoredHashed) {
  // group_by on attacker-chosen text (a failed sign-in's userName) must not store it whole.
  RuleSpec rule = FailuresRule(2, 600);
  std::string huge(100000, 'x');
  ThresholdDecision first = Observe(rule, "a", kT0, huge);
  EXPECT_EQ(first.group.substr(0, 7), "sha256:");
  EXPECT_EQ(first.group.size(), 7u + 64u);
  EXPECT_TRUE(Observe(rule, "b", kT0 + 1, huge).fire);         // same value, same group
  EXPECT_FALSE(Observe(rule, "c", kT0 + 2, huge + "y").fire);  // another value, another group
}

TEST_F(ThresholdStoreTest, TheSameEventCountsOnce) {
  RuleSpec rule = FailuresRule(3, 600);
  EXPECT_FALSE(Observe(rule, "a", kT0).fire);
  ThresholdDecision again = Observe(rule, "a", kT0);  // S3 redelivery
  EXPECT_TRUE(again.duplicate);
  EXPECT_FALSE(again.fire);
  EXPECT_FALSE(Observe(rule, "a", kT0).fire);
  EXPECT_FALSE(Observe(rule, "b", kT0 + 1).fire);
  EXPECT_TRUE(Observe(rule, "c", kT0 + 2).fire);
}

TEST_F(ThresholdStoreTest, ReplayOfTheFiringEventFiresAgainForTheOutboxToDeduplicate) {
  RuleSpec rule = FailuresRule(2, 600);
  EXPECT_FALSE(Observe(rule, "a", kT0).fire);
  EXPECT_TRUE(Observe(rule, "b", kT0 + 1).fire);
  // A crash before the alert reached the outbox: the replayed file brings a and b again.
  ThresholdDecision a = Observe(rule, "a", kT0);
  EXPECT_FALSE(a.fire);
  ThresholdDecision b = Observe(rule, "b", kT0 + 1);
  EXPECT_TRUE(b.fire);
  EXPECT_TRUE(b.duplicate);
}

TEST_F(ThresholdStoreTest, EventTimeNotArrivalOrder) {
  // Out-of-order arrival (files from several regions): the window is found around each event.
  RuleSpec rule = FailuresRule(3, 600);
  EXPECT_FALSE(Observe(rule, "late", kT0 + 500).fire);
  EXPECT_FALSE(Observe(rule, "early", kT0).fire);
  EXPECT_TRUE(Observe(rule, "middle", kT0 + 250).fire);
}

TEST_F(ThresholdStoreTest, SurvivesReopening) {
  RuleSpec rule = FailuresRule(3, 600);
  EXPECT_FALSE(Observe(rule, "a", kT0).fire);
  EXPECT_FALSE(Observe(rule, "b", kT0 + 1).fire);
  store_.reset();
  auto reopened = ThresholdStore::Open(dir_.path() + "/trailwatch.db");
  ASSERT_TRUE(reopened.ok()) << reopened.message();
  store_ = std::move(*reopened);
  EXPECT_TRUE(Observe(rule, "b", kT0 + 1).duplicate);
  EXPECT_TRUE(Observe(rule, "c", kT0 + 2).fire);
  store_.reset();
  reopened = ThresholdStore::Open(dir_.path() + "/trailwatch.db");
  ASSERT_TRUE(reopened.ok()) << reopened.message();
  store_ = std::move(*reopened);
  EXPECT_TRUE(Observe(rule, "d", kT0 + 3).quiet);  // the quiet period survived too
}

TEST_F(ThresholdStoreTest, SharesTheFileWithTheOutbox) {
  auto outbox = outbox::Outbox::Open(dir_.path() + "/trailwatch.db");
  ASSERT_TRUE(outbox.ok()) << outbox.message();
  RuleSpec rule = FailuresRule(1, 60);
  EXPECT_TRUE(Observe(rule, "a", kT0).fire);
}

TEST_F(ThresholdStoreTest, OldRowsArePruned) {
  RuleSpec rule = FailuresRule(1000, 600);
  for (int i = 0; i < 50; ++i)
    Observe(rule, "old" + std::to_string(i), kT0 + i, "ip" + std::to_string(i));
  auto rows = store_->EventRows();
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 50);
  // Much later in event time: everything older than window + lateness goes.
  int64_t later = kT0 + 600 + kLateness.count() + 100;
  Observe(rule, "new", later);
  rows = store_->EventRows();
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 1);
}

TEST_F(ThresholdStoreTest, ForgetDropsRemovedRules) {
  RuleSpec rule = FailuresRule(5, 600);
  Observe(rule, "a", kT0);
  RuleSpec other = FailuresRule(5, 600);
  other.name = "other";
  Observe(other, "a", kT0);
  ASSERT_TRUE(store_->Forget({"other"}).ok());
  auto rows = store_->EventRows();
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 1);
}

TEST_F(ThresholdStoreTest, BadEventsAreErrors) {
  RuleSpec rule = FailuresRule();
  envelope::Envelope event = Event("a", kT0, "x");
  event.json = "{nope";  // grouped: the text is read
  EXPECT_FALSE(store_->Observe(rule, event).ok());
  event = Event("a", kT0, "x");
  event.time.clear();  // no time
  EXPECT_FALSE(store_->Observe(rule, event).ok());
  event.time = "yesterday";
  EXPECT_FALSE(store_->Observe(rule, event).ok());
  RuleSpec plain = rule;
  plain.threshold.reset();
  EXPECT_FALSE(store_->Observe(plain, Event("a", kT0, "x")).ok());
}

TEST_F(ThresholdStoreTest, ManyThreadsCountEachEventOnce) {
  RuleSpec rule = FailuresRule(40, 3600);
  std::vector<std::thread> threads;
  std::atomic<int> fired{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      // Every thread sees the same 40 events (as if four consumers got the same redeliveries).
      for (int i = 0; i < 40; ++i) {
        // Appended rather than "e" + ...: GCC 12 warns falsely (-Wstringop-overflow) on the inlined
        // concatenation.
        std::string id = "e";
        id += std::to_string(i);
        auto decision = store_->Observe(rule, Event(id, kT0 + i, "1.2.3.4"));
        if (decision.ok() && decision->fire && !decision->duplicate) ++fired;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(fired.load(), 1);
}

}  // namespace
}  // namespace trailwatch::rules
