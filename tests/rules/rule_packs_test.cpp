// The built-in rule packs: every rule compiles, names are unique, and every pack's sample events
// (tests/fixtures/packs/<pack>.cases.json, written by generate_cases.py there) give exactly the
// expected matches, with at least one match and one near miss per rule.
#include "rules/rule_packs.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <set>
#include <sstream>

#include "envelope/envelope.h"
#include "pattern/compiler.h"
#include "pattern/event_matcher.h"
#include "pattern/pattern_set.h"
#include "rules/builtin_rules.h"

namespace trailwatch::rules {
namespace {

std::string ReadFixture(const std::string& relative) {
  std::ifstream in(std::string(TW_FIXTURES_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::shared_ptr<const pattern::PatternSet> CompilePack(const RulePack& pack) {
  std::vector<pattern::PatternSet::NamedPattern> patterns;
  for (const PackRule& rule : pack.rules) {
    pattern::CompileResult compiled = pattern::CompilePattern(rule.pattern_json);
    EXPECT_TRUE(compiled.ok()) << rule.name << ": " << compiled.error->Message();
    patterns.push_back({std::string(rule.name), std::move(compiled.pattern)});
  }
  auto set = pattern::PatternSet::Build(std::move(patterns));
  EXPECT_TRUE(set.ok()) << set.message();
  return *set;
}

std::set<std::string> Strings(simdjson::dom::element array) {
  std::set<std::string> out;
  for (simdjson::dom::element item : array.get_array()) {
    out.emplace(std::string_view(item.get_string()));
  }
  return out;
}

TEST(RulePacks, EveryRuleCompilesAndNamesAreUniqueAcrossPacks) {
  ASSERT_EQ(RulePacks().size(), 6u);
  std::set<std::string_view> names;
  for (const RulePack& pack : RulePacks()) {
    EXPECT_FALSE(pack.description.empty()) << pack.name;
    EXPECT_FALSE(pack.rules.empty()) << pack.name;
    EXPECT_EQ(FindRulePack(pack.name), &pack);
    for (const PackRule& rule : pack.rules) {
      EXPECT_TRUE(names.insert(rule.name).second) << "duplicate rule name " << rule.name;
      EXPECT_FALSE(rule.description.empty()) << rule.name;
      EXPECT_EQ(FindPackRule(rule.name), &rule);
      pattern::CompileResult compiled = pattern::CompilePattern(rule.pattern_json);
      EXPECT_TRUE(compiled.ok()) << rule.name << ": " << compiled.error->Message();
    }
  }
  EXPECT_EQ(FindRulePack("no-such-pack"), nullptr);
  EXPECT_EQ(FindPackRule("no-such-rule"), nullptr);
}

TEST(RulePacks, PacksNamedInTheIssueExist) {
  for (const char* name :
       {"root-signin", "root-activity", "console-signin-without-mfa", "console-signin-failures",
        "cis-aws-foundations", "cloudtrail-tampering"}) {
    EXPECT_NE(FindRulePack(name), nullptr) << name;
  }
  // Every CIS monitoring item 3.1-3.14 has its rule.
  const RulePack* cis = FindRulePack("cis-aws-foundations");
  ASSERT_NE(cis, nullptr);
  ASSERT_EQ(cis->rules.size(), 14u);
  for (size_t i = 0; i < cis->rules.size(); ++i) {
    std::string prefix = "cis-3." + std::to_string(i + 1) + "-";
    EXPECT_EQ(cis->rules[i].name.substr(0, prefix.size()), prefix);
  }
}

TEST(RulePacks, BuiltinRulesAreThePackRules) {
  size_t count = 0;
  for (const RulePack& pack : RulePacks()) {
    for (const PackRule& rule : pack.rules) {
      const BuiltinRule* builtin = FindBuiltinRule(rule.name);
      ASSERT_NE(builtin, nullptr) << rule.name;
      // One definition: the very same text, not a copy of it.
      EXPECT_EQ(builtin->pattern_json.data(), rule.pattern_json.data());
      ++count;
    }
  }
  EXPECT_EQ(BuiltinRules().size(), count);
  ASSERT_NE(FindBuiltinRule(kDefaultScanRule), nullptr);
}

TEST(RulePacks, SigninFailuresHasAThresholdPerSourceAddress) {
  const RulePack* pack = FindRulePack("console-signin-failures");
  ASSERT_NE(pack, nullptr);
  RuleSpec spec = ToRuleSpec(*pack, pack->rules[0]);
  ASSERT_TRUE(spec.threshold.has_value());
  EXPECT_EQ(spec.threshold->count, 5);
  EXPECT_EQ(spec.threshold->window, std::chrono::minutes(15));
  EXPECT_EQ(spec.threshold->group_by, std::vector<std::string>{"detail.sourceIPAddress"});
  EXPECT_EQ(spec.pack, "console-signin-failures");
  EXPECT_EQ(DescribeThreshold(*spec.threshold), "5 events in 15m per detail.sourceIPAddress");

  const RulePack* root = FindRulePack("root-signin");
  RuleSpec root_spec = ToRuleSpec(*root, root->rules[0]);
  EXPECT_FALSE(root_spec.threshold.has_value());
  EXPECT_EQ(root_spec.severity, route::Severity::kCritical);
}

TEST(RulePacks, DurationText) {
  EXPECT_EQ(DurationText(900), "15m");
  EXPECT_EQ(DurationText(5400), "1h30m");
  EXPECT_EQ(DurationText(86400 + 1), "1d1s");
  EXPECT_EQ(DurationText(0), "0s");
}

// One test per pack, so a failure names the pack.
class PackSamples : public ::testing::TestWithParam<std::string> {};

TEST_P(PackSamples, MatchExactlyTheExpectedRules) {
  const RulePack* pack = FindRulePack(GetParam());
  ASSERT_NE(pack, nullptr);
  std::shared_ptr<const pattern::PatternSet> set = CompilePack(*pack);
  ASSERT_TRUE(set);
  pattern::EventMatcher matcher(set);

  std::string text = ReadFixture("packs/" + GetParam() + ".cases.json");
  ASSERT_FALSE(text.empty()) << "missing tests/fixtures/packs/" << GetParam() << ".cases.json";
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(text);
  ASSERT_EQ(std::string_view(root["pack"].get_string()), GetParam());

  std::map<std::string, int> matched_cases;
  std::map<std::string, int> near_misses;
  int cases = 0;
  for (simdjson::dom::element item : root["cases"].get_array()) {
    ++cases;
    std::string name(std::string_view(item["name"].get_string()));
    SCOPED_TRACE(GetParam() + ": " + name);
    std::string record = simdjson::minify(item["record"]);
    auto envelope = envelope::BuildEnvelope(record);
    ASSERT_TRUE(envelope.ok()) << envelope.message();
    std::string event = envelope->json;
    std::string_view detail_type;
    if (item["detail_type"].get_string().get(detail_type) == simdjson::SUCCESS) {
      size_t at = event.find(envelope->detail_type);
      ASSERT_NE(at, std::string::npos);
      event.replace(at, envelope->detail_type.size(), detail_type);
    }
    auto ids = matcher.Match(event);
    ASSERT_TRUE(ids.ok()) << ids.message();
    std::set<std::string> got;
    for (uint32_t id : **ids) got.insert(set->name(id));

    std::set<std::string> expect = Strings(item["expect"]);
    std::set<std::string> near_miss = Strings(item["near_miss"]);
    EXPECT_EQ(got, expect);
    for (const std::string& rule : expect) {
      EXPECT_NE(FindPackRule(rule), nullptr) << "unknown rule in fixture: " << rule;
      ++matched_cases[rule];
    }
    for (const std::string& rule : near_miss) {
      EXPECT_EQ(expect.count(rule), 0u) << rule << " is both expected and a near miss";
      EXPECT_NE(FindPackRule(rule), nullptr) << "unknown rule in fixture: " << rule;
      ++near_misses[rule];
    }
  }
  EXPECT_GT(cases, 0);
  for (const PackRule& rule : pack->rules) {
    std::string name(rule.name);
    EXPECT_GE(matched_cases[name], 1) << name << " has no sample event that must match";
    EXPECT_GE(near_misses[name], 1) << name << " has no near-miss sample event";
  }
}

INSTANTIATE_TEST_SUITE_P(AllPacks, PackSamples,
                         ::testing::Values("root-signin", "root-activity",
                                           "console-signin-without-mfa", "console-signin-failures",
                                           "cis-aws-foundations", "cloudtrail-tampering"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace trailwatch::rules
