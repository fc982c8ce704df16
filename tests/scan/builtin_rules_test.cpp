// The built-in root-signin rule: compiles, matches both detail-type spellings and failed root
// sign-ins (docs/reference/formats.md §3.2, §2.2), and nothing else among the samples.
#include "rules/builtin_rules.h"

#include <gtest/gtest.h>

#include "envelope/envelope.h"
#include "pattern/compiler.h"
#include "pattern/event_matcher.h"
#include "scan/scan_test_util.h"

namespace trailwatch::rules {
namespace {

bool RootSigninMatches(const std::string& event) {
  const BuiltinRule* rule = FindBuiltinRule(kDefaultScanRule);
  auto compiled = pattern::CompilePattern(rule->pattern_json);
  EXPECT_TRUE(compiled.ok());
  std::vector<pattern::PatternSet::NamedPattern> patterns;
  patterns.push_back({std::string(rule->name), std::move(compiled.pattern)});
  auto set = pattern::PatternSet::Build(std::move(patterns));
  pattern::EventMatcher matcher(*set);
  auto matched = matcher.Match(event);
  EXPECT_TRUE(matched.ok()) << matched.message();
  return matched.ok() && !(*matched)->empty();
}

std::string EnvelopeOf(const std::string& fixture) {
  auto envelope = envelope::BuildEnvelope(trailwatch::testing::ReadFixture("aws/cloudtrail/" + fixture));
  EXPECT_TRUE(envelope.ok()) << envelope.message();
  return envelope->json;
}

TEST(BuiltinRules, EveryRuleCompilesAndNamesAreUnique) {
  ASSERT_FALSE(BuiltinRules().empty());
  for (const BuiltinRule& rule : BuiltinRules()) {
    auto compiled = pattern::CompilePattern(rule.pattern_json);
    EXPECT_TRUE(compiled.ok()) << rule.name << ": " << compiled.error->Message();
    EXPECT_EQ(FindBuiltinRule(rule.name), &rule);
  }
  EXPECT_EQ(FindBuiltinRule("no-such-rule"), nullptr);
}

TEST(BuiltinRules, RootSigninMatchesRootSignInsOnly) {
  EXPECT_TRUE(RootSigninMatches(EnvelopeOf("root-consolelogin-success-mfa.json")));
  EXPECT_TRUE(RootSigninMatches(EnvelopeOf("root-consolelogin-success-no-mfa.json")));
  EXPECT_TRUE(RootSigninMatches(EnvelopeOf("root-consolelogin-failure.json")));
  EXPECT_FALSE(RootSigninMatches(EnvelopeOf("iam-user-consolelogin-failure.json")));
  EXPECT_FALSE(RootSigninMatches(EnvelopeOf("iam-user-consolelogin-success-mfa.json")));
  EXPECT_FALSE(RootSigninMatches(EnvelopeOf("root-enablemfadevice.json")));  // API call
}

TEST(BuiltinRules, RootSigninAcceptsTheDocumentedSigninSpelling) {
  std::string envelope = EnvelopeOf("root-consolelogin-failure.json");
  const std::string real = "AWS Console Sign In via CloudTrail";
  size_t at = envelope.find(real);
  ASSERT_NE(at, std::string::npos);
  envelope.replace(at, real.size(), "AWS Console Signin via CloudTrail");
  EXPECT_TRUE(RootSigninMatches(envelope));
}

}  // namespace
}  // namespace trailwatch::rules
