#include "route/alert_pipeline.h"
#include "envelope/validate_envelope.h"
#include "targets/target.h"

#include <gtest/gtest.h>

#include <map>
#include <spdlog/sinks/null_sink.h>

#include "cli/cli_test_util.h"

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

// A rule or route may send a Slack Web API target's alerts to another channel: "name#CHANNEL_ID".
// The outbox keeps the target's name; the channel key carries the channel delivery posts to.
TEST_F(AlertPipelineTest, TargetReferenceWithASlackChannelChoosesTheChannel) {
  targets_.targets.push_back({});
  config::TargetConfig& bot = targets_.targets.back();
  bot.name = "security-bot";
  bot.type = config::TargetConfig::Type::kSlack;
  bot.token = config::Secret("xoxb-test");
  bot.channel = "C0000000001";
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


}  // namespace
}  // namespace trailwatch::route
