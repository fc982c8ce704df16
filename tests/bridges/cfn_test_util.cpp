#include "bridges/cfn_test_util.h"

#include <gtest/gtest.h>

#include "cli/cli_test_util.h"
#include "pattern/compiler.h"
#include "pattern/event_matcher.h"
#include "pattern/pattern_set.h"

namespace trailwatch::testing {

bridges::CfnTemplate ParseTemplate(const std::string& text,
                                   const bridges::ParameterValues& parameters) {
  Result<bridges::CfnTemplate> tpl = bridges::CfnTemplate::Parse(text, "t.yaml");
  EXPECT_TRUE(tpl.ok()) << tpl.message();
  if (!tpl.ok()) return *bridges::CfnTemplate::Parse("Resources: {}", "t.yaml");
  Status s = tpl->SetParameters(parameters);
  EXPECT_TRUE(s.ok()) << s.message();
  return std::move(tpl).value();
}

bool PatternMatches(const std::string& pattern_json, const std::string& event) {
  pattern::CompileResult compiled = pattern::CompilePattern(pattern_json);
  EXPECT_TRUE(compiled.ok()) << pattern_json;
  if (!compiled.ok()) return false;
  std::vector<pattern::PatternSet::NamedPattern> patterns;
  patterns.push_back({"p", std::move(compiled.pattern)});
  auto set = pattern::PatternSet::Build(std::move(patterns));
  EXPECT_TRUE(set.ok());
  if (!set.ok()) return false;
  pattern::EventMatcher matcher(*set);
  auto matched = matcher.Match(event);
  EXPECT_TRUE(matched.ok()) << matched.message();
  return matched.ok() && !(*matched)->empty();
}

std::string RootSigninEvent() {
  return ReadFixture("aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
}

std::string IamUserSigninEvent() {
  std::string event = RootSigninEvent();
  size_t at = event.find("\"type\": \"Root\"");
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) event.replace(at, 14, "\"type\": \"IAMUser\"");
  return event;
}

}  // namespace trailwatch::testing
