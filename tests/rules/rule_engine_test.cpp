// RuleEngine/RuleEvaluator: enabled rules only, every matching rule reported in rule order, a
// suppress pattern drops only its own rule's match, errors as values, shared across threads.
#include "rules/rule_engine.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "envelope/envelope.h"
#include "rules/rule_packs.h"
#include "rules/rules_config.h"

namespace trailwatch::rules {
namespace {

std::string Envelope(const std::string& sample) {
  std::ifstream in(std::string(TW_FIXTURES_DIR) + "/aws/cloudtrail/" + sample, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  auto envelope = envelope::BuildEnvelope(text.str());
  EXPECT_TRUE(envelope.ok()) << envelope.message();
  return envelope.ok() ? envelope->json : "";
}

RuleSpec Rule(const std::string& name, const std::string& pattern,
              std::vector<std::string> suppress = {}) {
  RuleSpec rule;
  rule.name = name;
  rule.pattern_json = pattern;
  rule.suppress_json = std::move(suppress);
  return rule;
}

std::vector<std::string> Names(RuleEvaluator& evaluator, const std::string& event) {
  auto fired = evaluator.Evaluate(event);
  EXPECT_TRUE(fired.ok()) << fired.message();
  std::vector<std::string> names;
  if (!fired.ok()) return names;
  for (uint32_t index : *fired) names.push_back(evaluator.engine().rules()[index].name);
  return names;
}

const char* const kSignin = R"({"source":["aws.signin"]})";
const char* const kRoot = R"({"detail":{"userIdentity":{"type":["Root"]}}})";
const char* const kFromTestIp = R"({"detail":{"sourceIPAddress":["192.0.2.0"]}})";

TEST(RuleEngine, ReportsEveryMatchingRuleInRuleOrder) {
  auto engine = RuleEngine::Build(
      {Rule("signin", kSignin), Rule("iam", R"({"source":["aws.iam"]})"), Rule("root", kRoot)});
  ASSERT_TRUE(engine.ok()) << engine.message();
  RuleEvaluator evaluator(*engine);
  EXPECT_EQ(Names(evaluator, Envelope("root-consolelogin-failure.json")),
            (std::vector<std::string>{"signin", "root"}));
  EXPECT_EQ(Names(evaluator, Envelope("root-enablemfadevice.json")),
            (std::vector<std::string>{"iam", "root"}));
  EXPECT_EQ(Names(evaluator, Envelope("iam-user-consolelogin-failure.json")),
            (std::vector<std::string>{"signin"}));
}

TEST(RuleEngine, SuppressionDropsOnlyItsOwnRule) {
  // Both rules match root sign-ins; only "root" suppresses events from 192.0.2.0.
  auto engine =
      RuleEngine::Build({Rule("signin", kSignin),
                         Rule("root", kRoot, {R"({"source":["aws.nothing"]})", kFromTestIp})});
  ASSERT_TRUE(engine.ok()) << engine.message();
  RuleEvaluator evaluator(*engine);
  std::string event = Envelope("root-consolelogin-failure.json");
  EXPECT_EQ(Names(evaluator, event), std::vector<std::string>{"signin"});
  EXPECT_EQ(evaluator.suppressed(), 1u);
  // Another address is not suppressed; the evaluator forgets the previous event's suppression.
  size_t at = event.find("192.0.2.0");
  ASSERT_NE(at, std::string::npos);
  event.replace(at, 9, "192.0.2.9");
  EXPECT_EQ(Names(evaluator, event), (std::vector<std::string>{"signin", "root"}));
  EXPECT_EQ(evaluator.suppressed(), 1u);
}

TEST(RuleEngine, SuppressPatternAloneNeverFires) {
  // An event that matches a suppress pattern but not the rule's pattern reports nothing.
  auto engine = RuleEngine::Build({Rule("iam", R"({"source":["aws.iam"]})", {kFromTestIp})});
  ASSERT_TRUE(engine.ok()) << engine.message();
  RuleEvaluator evaluator(*engine);
  EXPECT_TRUE(Names(evaluator, Envelope("root-consolelogin-failure.json")).empty());
  EXPECT_EQ(evaluator.suppressed(), 0u);
}

TEST(RuleEngine, DisabledRulesAreLeftOut) {
  RuleSpec disabled = Rule("root", kRoot);
  disabled.enabled = false;
  auto engine = RuleEngine::Build({Rule("signin", kSignin), disabled});
  ASSERT_TRUE(engine.ok()) << engine.message();
  EXPECT_EQ((*engine)->rules().size(), 1u);
  EXPECT_EQ((*engine)->Find("root"), nullptr);
  ASSERT_NE((*engine)->Find("signin"), nullptr);
  RuleEvaluator evaluator(*engine);
  EXPECT_EQ(Names(evaluator, Envelope("root-consolelogin-failure.json")),
            std::vector<std::string>{"signin"});
}

TEST(RuleEngine, NoRulesMatchesNothing) {
  auto engine = RuleEngine::Build({});
  ASSERT_TRUE(engine.ok()) << engine.message();
  RuleEvaluator evaluator(*engine);
  EXPECT_TRUE(Names(evaluator, Envelope("root-consolelogin-failure.json")).empty());
}

TEST(RuleEngine, BuildErrorsNameTheRule) {
  RuleSpec bad = Rule("bad", R"({"source":[]})");
  bad.file = "trailwatch.yaml";
  bad.line = 7;
  auto engine = RuleEngine::Build({bad});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.message(),
            "trailwatch.yaml:7: rule bad: pattern: Event pattern is not valid. Reason: Empty "
            "arrays are not allowed");
  auto suppress = RuleEngine::Build({Rule("s", kSignin, {"[1]"})});
  ASSERT_FALSE(suppress.ok());
  EXPECT_EQ(suppress.message(),
            "rule s: suppress[0]: Event pattern is not valid. Reason: Filter is not an object");
  auto twice = RuleEngine::Build({Rule("a", kSignin), Rule("a", kRoot)});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.message(), "rule a: duplicate rule name");
}

TEST(RuleEngine, InvalidEventsAreErrorsNotCrashes) {
  auto engine = RuleEngine::Build({Rule("signin", kSignin)});
  ASSERT_TRUE(engine.ok());
  RuleEvaluator evaluator(*engine);
  EXPECT_FALSE(evaluator.Evaluate("{not json").ok());
  EXPECT_FALSE(evaluator.Evaluate("").ok());
  EXPECT_FALSE(evaluator.Evaluate("[1,2]").ok());
  // Still usable afterwards.
  EXPECT_EQ(Names(evaluator, Envelope("root-consolelogin-failure.json")),
            std::vector<std::string>{"signin"});
}

TEST(RuleEngine, EventOverTheStepBudgetIsAnError) {
  // Array-consistency work explodes on crafted arrays; the matcher's budget turns it into an
  // error value (event_matcher.h).
  auto engine =
      RuleEngine::Build({Rule("pairs", R"({"detail":{"a":{"x":["1"],"y":["2"],"z":["3"]}}})")});
  ASSERT_TRUE(engine.ok()) << engine.message();
  pattern::MatchOptions options;
  options.max_steps = 1000;
  RuleEvaluator evaluator(*engine, options);
  std::string items;
  for (int i = 0; i < 300; ++i) {
    if (i) items += ",";
    items += i % 2 ? R"({"x":"1","y":"9"})" : R"({"x":"9","y":"2","z":"3"})";
  }
  std::string event = R"({"source":"s","detail":{"a":[)" + items + "]}}";
  EXPECT_FALSE(evaluator.Evaluate(event).ok());
}

TEST(RuleEngine, PackRulesMatchTheirSamples) {
  const RulePack* pack = FindRulePack("console-signin-without-mfa");
  ASSERT_NE(pack, nullptr);
  auto engine = RuleEngine::Build({ToRuleSpec(*pack, pack->rules[0])});
  ASSERT_TRUE(engine.ok()) << engine.message();
  RuleEvaluator evaluator(*engine);
  EXPECT_EQ(Names(evaluator, Envelope("root-consolelogin-success-no-mfa.json")).size(), 1u);
  EXPECT_TRUE(Names(evaluator, Envelope("root-consolelogin-success-mfa.json")).empty());
}

TEST(RuleEngine, FromTheConfigWithAPackSuppression) {
  // The config path end to end: a pack whose suppression (a pack override) spares one address.
  auto config = LoadRulesConfig(YAML::Load(R"(
rules:
  - pack: root-activity
    suppress: [{"detail": {"sourceIPAddress": ["192.0.2.0"]}}]
    targets: [siem]
  - pack: root-signin
    targets: [siem]
  - name: off
    enabled: false
    pattern: {"source": ["aws.signin"]}
)"),
                                "c.yaml", {"siem"});
  ASSERT_TRUE(config.ok()) << config.message();
  auto engine = RuleEngine::Build(config->rules);
  ASSERT_TRUE(engine.ok()) << engine.message();
  RuleEvaluator evaluator(*engine);
  std::string event = Envelope("root-consolelogin-failure.json");
  EXPECT_EQ(Names(evaluator, event), std::vector<std::string>{"root-signin"});
  event.replace(event.find("192.0.2.0"), 9, "192.0.2.9");
  EXPECT_EQ(Names(evaluator, event), (std::vector<std::string>{"root-activity", "root-signin"}));
}

TEST(RuleEngine, OneEngineManyThreads) {
  auto engine = RuleEngine::Build({Rule("signin", kSignin), Rule("root", kRoot, {kFromTestIp})});
  ASSERT_TRUE(engine.ok());
  std::string root_failure = Envelope("root-consolelogin-failure.json");
  std::string iam_failure = Envelope("iam-user-consolelogin-failure.json");
  std::vector<std::thread> threads;
  std::vector<int> errors(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      RuleEvaluator evaluator(*engine);
      for (int i = 0; i < 200; ++i) {
        auto fired = evaluator.Evaluate(i % 2 ? root_failure : iam_failure);
        if (!fired.ok() || fired->size() != 1) ++errors[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int count : errors) EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace trailwatch::rules
