#include "route/alert_pipeline.h"
#include "envelope/validate_envelope.h"
#include "targets/target.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <spdlog/sinks/null_sink.h>

#include "cli/cli_test_util.h"
#include "common/wall_clock.h"

namespace trailwatch::route {
using telemetry::Metrics;
namespace {

using testing::TempDir;

const std::string kFixtures = TW_FIXTURES_DIR;

std::string RootSignIn() {
  return testing::ReadFile(kFixtures +
                           "/aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
}

// The root sign-in envelope with another eventID, source IP and time.
std::string Variant(const std::string& event_id, const std::string& ip, const std::string& time) {
  std::string event = RootSignIn();
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t at = event.find(from); at != std::string::npos; at = event.find(from, at + to.size())) {
      event.replace(at, from.size(), to);
    }
  };
  replace("deb1e1f9-c99b-4612-8e9f-21f93b5d79c0", event_id);
  replace("192.0.2.0", ip);
  replace("2022-11-10T16:24:34Z", time);
  return event;
}

// An event as a source hands it over: validated, header read.
envelope::SourceEvent Event(const std::string& json, const std::string& origin) {
  envelope::SourceEvent event;
  simdjson::dom::parser parser;
  Status valid = envelope::ValidateEnvelopeText(json, parser, &event.envelope);
  EXPECT_TRUE(valid.ok()) << valid.message();
  event.origin = origin;
  return event;
}

class AlertPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto outbox = outbox::Outbox::Open(dir_.path() + "/tw.db");
    ASSERT_TRUE(outbox.ok()) << outbox.message();
    outbox_ = std::move(outbox.value());
    auto thresholds = rules::ThresholdStore::Open(dir_.path() + "/tw.db");
    ASSERT_TRUE(thresholds.ok()) << thresholds.message();
    thresholds_ = std::move(thresholds.value());
    targets_.targets.push_back({});
    targets_.targets.back().name = "console";
  }

  std::unique_ptr<AlertPipeline> Make(std::vector<rules::RuleSpec> specs) {
    auto compiled = CompilePipelineRules(specs, targets_);
    EXPECT_TRUE(compiled.ok()) << compiled.message();
    auto log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    return std::make_unique<AlertPipeline>(outbox_.get(), thresholds_.get(), &metrics_, log,
                                           std::move(compiled.value()));
  }

  static rules::RuleSpec Rule(const std::string& name, const std::string& pattern) {
    rules::RuleSpec rule;
    rule.name = name;
    rule.pattern_json = pattern;
    rule.targets = {"console"};
    return rule;
  }

  size_t Entries() {
    auto entries = outbox_->List(std::nullopt);
    EXPECT_TRUE(entries.ok());
    return entries.ok() ? entries->size() : 0;
  }

  TempDir dir_;
  Metrics metrics_;
  config::TargetsConfig targets_;
  std::unique_ptr<outbox::Outbox> outbox_;
  std::unique_ptr<rules::ThresholdStore> thresholds_;
};

const char* kRootPattern = R"({"detail":{"userIdentity":{"type":["Root"]}}})";

TEST_F(AlertPipelineTest, MatchesAreCommittedOncePerTargetRuleAndEvent) {
  auto pipeline = Make({Rule("root", kRootPattern), Rule("iam", R"({"source":["aws.iam"]})")});
  std::vector<envelope::SourceEvent> events = {Event(RootSignIn(), "file-a"), Event(RootSignIn(), "file-b")};
  ASSERT_TRUE(pipeline->Submit("test", events).ok());
  EXPECT_EQ(Entries(), 1u) << "the same eventID twice is one alert";
  auto entries = outbox_->List(std::nullopt);
  EXPECT_EQ((*entries)[0].alert.rule, "root");
  EXPECT_EQ((*entries)[0].alert.envelope.DedupKey(), "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0");
  EXPECT_EQ((*entries)[0].alert.origin, "file-a");
  EXPECT_EQ(metrics_.Get("trailwatch_events_total", {{"source", "test"}}), 2);
  EXPECT_EQ(metrics_.Get("trailwatch_alerts_queued_total", {{"target", "console"}}), 1);
  EXPECT_EQ(metrics_.Get("trailwatch_alerts_duplicate_total", {{"target", "console"}}), 1);
}

TEST_F(AlertPipelineTest, SuppressedMatchesAndBadEventsAlertNothing) {
  rules::RuleSpec rule = Rule("root", kRootPattern);
  rule.suppress_json = {R"({"detail":{"sourceIPAddress":["192.0.2.0"]}})"};
  auto pipeline = Make({rule});
  std::vector<envelope::SourceEvent> events = {Event(RootSignIn(), "a"), {}};
  events[1].envelope.json = "{not json";  // what the matcher refuses
  events[1].origin = "b";
  ASSERT_TRUE(pipeline->Submit("test", events).ok()) << "a bad event does not fail the batch";
  EXPECT_EQ(Entries(), 0u);
  EXPECT_EQ(metrics_.Get("trailwatch_suppressed_total"), 1);
  EXPECT_EQ(metrics_.Get("trailwatch_event_errors_total", {{"source", "test"}}), 1);
  std::vector<envelope::SourceEvent> other_ip = {Event(Variant("e-1", "198.51.100.7", "2022-11-10T16:25:00Z"), "c")};
  ASSERT_TRUE(pipeline->Submit("test", other_ip).ok());
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(AlertPipelineTest, ThresholdAlertsOnceWhenTheCountIsReachedInTheWindow) {
  rules::RuleSpec rule = Rule("root-burst", kRootPattern);
  rule.threshold = rules::ThresholdSpec{3, std::chrono::seconds(600), {"detail.sourceIPAddress"}};
  auto pipeline = Make({rule});
  auto submit = [&](const std::string& id, const std::string& ip, const std::string& time) {
    std::vector<envelope::SourceEvent> events = {Event(Variant(id, ip, time), id)};
    ASSERT_TRUE(pipeline->Submit("test", events).ok());
  };
  submit("e-1", "203.0.113.1", "2022-11-10T16:00:00Z");
  submit("e-2", "203.0.113.1", "2022-11-10T16:01:00Z");
  submit("e-2", "203.0.113.1", "2022-11-10T16:01:00Z");  // a replay counts once
  submit("e-9", "203.0.113.9", "2022-11-10T16:02:00Z");  // another group
  EXPECT_EQ(Entries(), 0u);
  submit("e-3", "203.0.113.1", "2022-11-10T16:03:00Z");
  ASSERT_EQ(Entries(), 1u);
  EXPECT_EQ(outbox_->List(std::nullopt)->at(0).alert.envelope.DedupKey(), "e-3");
  submit("e-4", "203.0.113.1", "2022-11-10T16:04:00Z");  // quiet until the window has passed
  EXPECT_EQ(Entries(), 1u);
  EXPECT_EQ(metrics_.Get("trailwatch_threshold_held_total", {{"rule", "root-burst"}}), 5);
}

TEST_F(AlertPipelineTest, RulesSwapAtomically) {
  auto pipeline = Make({Rule("iam", R"({"source":["aws.iam"]})")});
  std::vector<envelope::SourceEvent> events = {Event(RootSignIn(), "a")};
  ASSERT_TRUE(pipeline->Submit("test", events).ok());
  EXPECT_EQ(Entries(), 0u);
  auto compiled = CompilePipelineRules({Rule("root", kRootPattern)}, targets_);
  ASSERT_TRUE(compiled.ok());
  pipeline->SetRules(std::move(compiled.value()));
  ASSERT_TRUE(pipeline->Submit("test", events).ok());
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(AlertPipelineTest, UnknownTargetIsRefusedAtCompileTime) {
  rules::RuleSpec rule = Rule("root", kRootPattern);
  rule.targets = {"pager"};
  auto compiled = CompilePipelineRules({rule}, targets_);
  ASSERT_FALSE(compiled.ok());
  EXPECT_NE(compiled.message().find("pager"), std::string::npos);
}

// Issue 13, item 7: rules that match the same event and route to the same target send one alert
// naming them all, at the highest severity; its key is (target, eventID).
TEST_F(AlertPipelineTest, RulesMatchingOneEventForOneTargetAreOneAlertAtTheHighestSeverity) {
  targets_.targets.push_back({});
  targets_.targets.back().name = "siem";
  targets_.targets.back().type = config::TargetConfig::Type::kWebhook;
  rules::RuleSpec activity = Rule("root-activity", kRootPattern);
  activity.severity = Severity::kHigh;
  activity.targets = {"console", "siem"};
  rules::RuleSpec signin = Rule("root-signin", R"({"detail":{"eventName":["ConsoleLogin"]}})");
  signin.severity = Severity::kCritical;
  rules::RuleSpec any = Rule("any-signin", R"({"source":["aws.signin"]})");
  any.severity = Severity::kHigh;  // same severity as root-activity: the configuration's order
  rules::RuleSpec iam = Rule("iam", R"({"source":["aws.iam"]})");  // does not match
  auto pipeline = Make({activity, signin, any, iam});
  std::vector<envelope::SourceEvent> events = {Event(RootSignIn(), "file-a"),
                                               Event(RootSignIn(), "file-b")};
  ASSERT_TRUE(pipeline->Submit("test", events).ok());
  auto entries = outbox_->List(std::nullopt);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u) << "one alert for console, one for siem";
  const outbox::Entry& console = (*entries)[0];
  EXPECT_EQ(console.target, "console");
  EXPECT_TRUE(console.alert.grouped);
  EXPECT_EQ(console.alert.rule, "root-signin");
  EXPECT_EQ(console.alert.severity, Severity::kCritical);
  EXPECT_EQ(console.alert.also_rules, (std::vector<std::string>{"root-activity", "any-signin"}));
  EXPECT_EQ(console.idempotency_key, R"(["console","deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"])");
  EXPECT_EQ(console.alert.origin, "file-a");
  const outbox::Entry& siem = (*entries)[1];
  EXPECT_EQ(siem.target, "siem");
  EXPECT_EQ(siem.alert.rule, "root-activity") << "only root-activity routes to siem";
  EXPECT_TRUE(siem.alert.also_rules.empty());
  EXPECT_EQ(siem.alert.severity, Severity::kHigh);
  EXPECT_TRUE(siem.alert.grouped) << "alone, but keyed by (target, eventID) all the same";
  EXPECT_EQ(siem.idempotency_key, R"(["siem","deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"])");
  EXPECT_EQ(metrics_.Get("trailwatch_matches_total", {{"rule", "root-signin"}}), 2);
  EXPECT_EQ(metrics_.Get("trailwatch_alerts_queued_total", {{"target", "console"}}), 1);
  EXPECT_EQ(metrics_.Get("trailwatch_alerts_duplicate_total", {{"target", "console"}}), 1);
}

// `group_rules: false` keeps one alert per rule, keyed by (target, rule, eventID), beside a
// grouped target in the same configuration.
TEST_F(AlertPipelineTest, ATargetWithGroupRulesFalseGetsOneAlertPerRule) {
  targets_.targets.push_back({});
  targets_.targets.back().name = "per-rule";
  targets_.targets.back().group_rules = false;
  rules::RuleSpec activity = Rule("root-activity", kRootPattern);
  activity.targets = {"console", "per-rule"};
  rules::RuleSpec signin = Rule("root-signin", R"({"detail":{"eventName":["ConsoleLogin"]}})");
  signin.severity = Severity::kCritical;
  signin.targets = {"console", "per-rule"};
  auto pipeline = Make({activity, signin});
  std::vector<envelope::SourceEvent> events = {Event(RootSignIn(), "a")};
  ASSERT_TRUE(pipeline->Submit("test", events).ok());
  auto entries = outbox_->List(std::nullopt);
  ASSERT_TRUE(entries.ok());
  std::map<std::string, std::vector<const outbox::Entry*>> by_target;
  for (const outbox::Entry& entry : *entries) by_target[entry.target].push_back(&entry);
  ASSERT_EQ(by_target["console"].size(), 1u);
  ASSERT_EQ(by_target["per-rule"].size(), 2u);
  std::set<std::string> keys;
  for (const outbox::Entry* entry : by_target["per-rule"]) {
    EXPECT_FALSE(entry->alert.grouped);
    EXPECT_TRUE(entry->alert.also_rules.empty());
    keys.insert(entry->idempotency_key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{
                      R"(["per-rule","root-activity","deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"])",
                      R"(["per-rule","root-signin","deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"])"}));
  EXPECT_EQ(by_target["console"][0]->alert.Rules(),
            (std::vector<std::string>{"root-signin", "root-activity"}));
}

// Thresholds and suppressions are per rule and come first: a rule held by its threshold, or
// suppressed, is not in the group.
TEST_F(AlertPipelineTest, ARuleHeldByItsThresholdOrSuppressedIsNotInTheGroup) {
  rules::RuleSpec burst = Rule("root-burst", kRootPattern);
  burst.severity = Severity::kCritical;
  burst.threshold = rules::ThresholdSpec{2, std::chrono::seconds(600), {}};
  rules::RuleSpec quiet = Rule("root-quiet", kRootPattern);
  quiet.severity = Severity::kCritical;
  quiet.suppress_json = {R"({"detail":{"sourceIPAddress":["203.0.113.1"]}})"};
  rules::RuleSpec plain = Rule("root", kRootPattern);
  plain.severity = Severity::kLow;
  auto pipeline = Make({burst, quiet, plain});
  std::vector<envelope::SourceEvent> first = {
      Event(Variant("e-1", "203.0.113.1", "2022-11-10T16:00:00Z"), "a")};
  ASSERT_TRUE(pipeline->Submit("test", first).ok());
  std::vector<envelope::SourceEvent> second = {
      Event(Variant("e-2", "203.0.113.1", "2022-11-10T16:01:00Z"), "b")};
  ASSERT_TRUE(pipeline->Submit("test", second).ok());
  auto entries = outbox_->List(std::nullopt);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].alert.Rules(), std::vector<std::string>{"root"})
      << "root-burst held (1 of 2), root-quiet suppressed";
  EXPECT_EQ((*entries)[0].alert.severity, Severity::kLow);
  EXPECT_EQ((*entries)[1].alert.Rules(), (std::vector<std::string>{"root-burst", "root"}))
      << "the threshold fired on the second event";
  EXPECT_EQ((*entries)[1].alert.severity, Severity::kCritical);
}

// A rule added (or renamed) later never alerts an event already alerted to a grouped target: the
// key has no rule in it. Also across a store reopened between commit and delivery (a crash): the
// committed alert is delivered once, with every rule's name.
TEST_F(AlertPipelineTest, AGroupedAlertSurvivesARestartAndALaterRuleChangeAddsNothing) {
  rules::RuleSpec activity = Rule("root-activity", kRootPattern);
  rules::RuleSpec signin = Rule("root-signin", R"({"detail":{"eventName":["ConsoleLogin"]}})");
  signin.severity = Severity::kCritical;
  {
    auto pipeline = Make({activity, signin});
    std::vector<envelope::SourceEvent> events = {Event(RootSignIn(), "a")};
    ASSERT_TRUE(pipeline->Submit("test", events).ok());
  }
  // "Crash": the process's handles go away without delivering; the commit is what remains.
  outbox_.reset();
  thresholds_.reset();
  auto reopened = outbox::Outbox::Open(dir_.path() + "/tw.db");
  ASSERT_TRUE(reopened.ok()) << reopened.message();
  outbox_ = std::move(reopened.value());
  auto thresholds = rules::ThresholdStore::Open(dir_.path() + "/tw.db");
  ASSERT_TRUE(thresholds.ok()) << thresholds.message();
  thresholds_ = std::move(thresholds.value());
  auto recovered = outbox_->RecoverInFlight();
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(*recovered, 0);
  // The same file again (a source replays what it had not checkpointed), with a new rule.
  rules::RuleSpec added = Rule("console-signin", R"({"source":["aws.signin"]})");
  added.severity = Severity::kCritical;
  auto pipeline = Make({added, activity, signin});
  std::vector<envelope::SourceEvent> events = {Event(RootSignIn(), "a")};
  ASSERT_TRUE(pipeline->Submit("test", events).ok());
  EXPECT_EQ(metrics_.Get("trailwatch_alerts_duplicate_total", {{"target", "console"}}), 1);
  EXPECT_EQ(metrics_.Get("trailwatch_alerts_queued_total", {{"target", "console"}}), 1)
      << "the first Submit's, and no other";
  auto claimed = outbox_->ClaimHead("console", WallClockMs());
  ASSERT_TRUE(claimed.ok() && *claimed);
  EXPECT_EQ((*claimed)->alert.Rules(), (std::vector<std::string>{"root-signin", "root-activity"}))
      << "the alert as it was committed";
  ASSERT_TRUE(outbox_->MarkDelivered((*claimed)->id, 200, "ok", "").ok());
  auto next = outbox_->ClaimHead("console", WallClockMs());
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(*next) << "nothing else to send";
  EXPECT_EQ(Entries(), 1u);
}

// A rule or route may send a Slack Web API target's alerts to another channel: "name#CHANNEL_ID".
// The outbox keeps the target's name; the channel key carries the channel delivery posts to.
TEST_F(AlertPipelineTest, TargetReferenceWithASlackChannelChoosesTheChannel) {
  targets_.targets.push_back({});
  config::TargetConfig& bot = targets_.targets.back();
  bot.name = "security-bot";
  bot.type = config::TargetConfig::Type::kSlack;
  bot.token = config::Secret("xoxb-test");
  bot.channel = "C0000000001";
  bot.group_rules = false;  // one alert per rule, each to its own channel
  rules::RuleSpec to_other = Rule("root", kRootPattern);
  to_other.targets = {"security-bot#C0456789AB"};
  rules::RuleSpec to_own = Rule("root-again", kRootPattern);
  to_own.targets = {"security-bot"};
  auto pipeline = Make({to_other, to_own});
  std::vector<envelope::SourceEvent> events = {Event(RootSignIn(), "file-a")};
  ASSERT_TRUE(pipeline->Submit("test", events).ok());
  auto entries = outbox_->List(std::nullopt);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  std::map<std::string, std::string> channel_by_rule;
  for (const outbox::Entry& entry : *entries) {
    EXPECT_EQ(entry.target, "security-bot");
    channel_by_rule[entry.alert.rule] = entry.channel_key;
  }
  EXPECT_EQ(channel_by_rule["root"], "security-bot#C0456789AB");
  EXPECT_EQ(channel_by_rule["root-again"], "security-bot#C0000000001");
  EXPECT_EQ(targets::SlackChannelOf(bot, channel_by_rule["root"]), "C0456789AB");

  rules::RuleSpec malformed = Rule("bad", kRootPattern);
  malformed.targets = {"security-bot#general"};
  EXPECT_FALSE(CompilePipelineRules({malformed}, targets_).ok());
}

// Grouped, the same two rules are one alert, to the channel of the highest-severity rule's
// reference (the first rule's at equal severity).
TEST_F(AlertPipelineTest, AGroupedAlertGoesToTheChannelOfItsPrimaryRule) {
  targets_.targets.push_back({});
  config::TargetConfig& bot = targets_.targets.back();
  bot.name = "security-bot";
  bot.type = config::TargetConfig::Type::kSlack;
  bot.token = config::Secret("xoxb-test");
  bot.channel = "C0000000001";
  rules::RuleSpec to_own = Rule("root", kRootPattern);
  to_own.targets = {"security-bot"};
  rules::RuleSpec to_other = Rule("root-signin", kRootPattern);
  to_other.severity = Severity::kCritical;
  to_other.targets = {"security-bot#C0456789AB", "security-bot"};
  auto pipeline = Make({to_own, to_other});
  std::vector<envelope::SourceEvent> events = {Event(RootSignIn(), "file-a")};
  ASSERT_TRUE(pipeline->Submit("test", events).ok());
  auto entries = outbox_->List(std::nullopt);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].channel_key, "security-bot#C0456789AB");
  EXPECT_EQ((*entries)[0].alert.Rules(), (std::vector<std::string>{"root-signin", "root"}))
      << "a rule naming the target twice is named once";
}

}  // namespace
}  // namespace trailwatch::route
