// `import-cfn` in-process: the first user's template, rule states, buses, schedules, invalid
// patterns with EventBridge's reason, and both output formats read back.
#include "bridges/cfn_import.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "bridges/cfn_test_util.h"
#include "cli/cli_test_util.h"
#include "config/yaml_json.h"
#include "rules/rules_file.h"

namespace trailwatch::testing {
namespace {

using bridges::ImportFormat;
using bridges::ImportResult;
using bridges::ImportRules;
using bridges::RenderImport;

const std::string kSeedPath = std::string(TW_SOURCE_DIR) + "/examples/seed-template.yaml";

const char kSeedConfig[] =
    "# trailwatch rules imported by `trailwatch import-cfn` from seed-template.yaml.\n"
    "# Put them under the top-level `rules:` of trailwatch's config and choose targets.\n"
    "rules:\n"
    "  # EventRule (AWS::Events::Rule, seed-template.yaml:69)\n"
    "  # CloudFormation targets (not imported; choose trailwatch targets): SNSTopic: !Ref "
    "SNSTopic\n"
    "  - name: EventRule\n"
    "    pattern: {\"detail-type\":[\"AWS Console Sign In via CloudTrail\"],\"detail\":"
    "{\"userIdentity\":{\"type\":[\"Root\"]}}}\n"
    "    severity: high\n"
    "    targets: []\n";

ImportResult ImportSeed() {
  Result<bridges::CfnTemplate> tpl = bridges::CfnTemplate::Load(kSeedPath);
  EXPECT_TRUE(tpl.ok()) << tpl.message();
  Result<ImportResult> result = ImportRules(*tpl);
  EXPECT_TRUE(result.ok()) << result.message();
  return result.ok() ? *result : ImportResult{};
}

TEST(CfnImport, FirstUsersTemplateImportsExactly) {
  ImportResult result = ImportSeed();
  EXPECT_TRUE(result.notes.empty());
  EXPECT_EQ(RenderImport(result, ImportFormat::kConfig, "seed-template.yaml"), kSeedConfig);
}

TEST(CfnImport, FirstUsersRuleMatchesRootSigninAndNotIamUser) {
  ImportResult result = ImportSeed();
  ASSERT_EQ(result.rules.size(), 1u);
  EXPECT_TRUE(PatternMatches(result.rules[0].pattern_json, RootSigninEvent()));
  EXPECT_FALSE(PatternMatches(result.rules[0].pattern_json, IamUserSigninEvent()));
}

TEST(CfnImport, ConfigOutputReadsBackAsYaml) {
  std::string text = RenderImport(ImportSeed(), ImportFormat::kConfig, "seed-template.yaml");
  YAML::Node root = YAML::Load(text);
  ASSERT_TRUE(root["rules"].IsSequence());
  YAML::Node rule = root["rules"][0];
  EXPECT_EQ(rule["name"].Scalar(), "EventRule");
  EXPECT_EQ(rule["severity"].Scalar(), "high");
  EXPECT_TRUE(rule["targets"].IsSequence());
  EXPECT_EQ(rule["targets"].size(), 0u);
  Result<std::string> json = config::YamlToJson(rule["pattern"], "out");
  ASSERT_TRUE(json.ok());
  EXPECT_TRUE(PatternMatches(*json, RootSigninEvent()));
}

TEST(CfnImport, RulesFileOutputLoadsAsARulesFile) {
  std::string text = RenderImport(ImportSeed(), ImportFormat::kRulesFile, "seed-template.yaml");
  EXPECT_EQ(text,
            "# trailwatch rules file imported by `trailwatch import-cfn` from seed-template.yaml.\n"
            "# Use it with `trailwatch match --rules` or `trailwatch scan --rules`.\n"
            "# EventRule (AWS::Events::Rule, seed-template.yaml:69)\n"
            "# CloudFormation targets (not imported; choose trailwatch targets): SNSTopic: !Ref "
            "SNSTopic\n"
            "EventRule: '{\"detail-type\":[\"AWS Console Sign In via CloudTrail\"],\"detail\":"
            "{\"userIdentity\":{\"type\":[\"Root\"]}}}'\n");
  Result<std::vector<rules::PatternText>> parsed = rules::ParseRules(text, "out.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].name, "EventRule");
  EXPECT_TRUE(PatternMatches((*parsed)[0].json, RootSigninEvent()));
}

const char kManyRules[] =
    "Resources:\n"
    "  Disabled:\n"  // 2
    "    Type: AWS::Events::Rule\n"
    "    Properties:\n"
    "      Name: root-signin-off\n"
    "      State: DISABLED\n"
    "      EventPattern: '{\"source\": [\"aws.signin\"],\n"
    "        \"detail\": {\"userIdentity\": {\"type\": [\"Root\"]}}}'\n"
    "  OtherBus:\n"  // 9
    "    Type: AWS::Events::Rule\n"
    "    Properties:\n"
    "      EventBusName: custom-bus\n"
    "      EventPattern: {source: [aws.iam]}\n"
    "  Nightly:\n"  // 14
    "    Type: AWS::Events::Rule\n"
    "    Properties:\n"
    "      ScheduleExpression: rate(1 day)\n"
    "  DefaultByArn:\n"  // 18
    "    Type: AWS::Events::Rule\n"
    "    Properties:\n"
    "      EventBusName: arn:aws:events:us-east-1:111122223333:event-bus/default\n"
    "      EventPattern: {source: [aws.iam]}\n"
    "      Targets:\n"
    "        - {Id: q, Arn: !GetAtt Queue.Arn}\n"
    "        - {Id: literal, Arn: 'arn:aws:sqs:us-east-1:111122223333:q'}\n";

TEST(CfnImport, DisabledKeptOtherBusAndScheduleSkipped) {
  bridges::CfnTemplate tpl = ParseTemplate(kManyRules);
  Result<ImportResult> result = ImportRules(tpl);
  ASSERT_TRUE(result.ok()) << result.message();
  ASSERT_EQ(result->rules.size(), 2u);
  EXPECT_EQ(result->rules[0].name, "root-signin-off");
  EXPECT_TRUE(result->rules[0].disabled);
  // A JSON-string pattern keeps its text, minus whitespace.
  EXPECT_EQ(result->rules[0].pattern_json,
            R"({"source":["aws.signin"],"detail":{"userIdentity":{"type":["Root"]}}})");
  EXPECT_EQ(result->rules[1].name, "DefaultByArn");
  EXPECT_FALSE(result->rules[1].disabled);
  EXPECT_EQ(result->rules[1].targets,
            (std::vector<std::string>{"q: !GetAtt Queue.Arn",
                                      "literal: arn:aws:sqs:us-east-1:111122223333:q"}));
  EXPECT_EQ(
      result->notes,
      (std::vector<std::string>{
          "t.yaml:9: OtherBus: skipped: on event bus custom-bus; CloudTrail events arrive on "
          "the default bus",
          "t.yaml:14: Nightly: skipped: a ScheduleExpression rule (trailwatch matches events, "
          "not schedules)"}));

  std::string config = RenderImport(*result, ImportFormat::kConfig, "t.yaml");
  EXPECT_NE(config.find("  # State: DISABLED in the template\n"
                        "  - name: root-signin-off\n"
                        "    enabled: false\n"),
            std::string::npos)
      << config;
  std::string rules_file = RenderImport(*result, ImportFormat::kRulesFile, "t.yaml");
  EXPECT_NE(rules_file.find("# State: DISABLED in the template, so commented out here:\n"
                            "# root-signin-off: '"),
            std::string::npos)
      << rules_file;
  Result<std::vector<rules::PatternText>> parsed = rules::ParseRules(rules_file, "out.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].name, "DefaultByArn");
}

TEST(CfnImport, InvalidPatternGivesTheAwsReasonAndLogicalId) {
  std::string text =
      "Resources:\n"
      "  Bad:\n"
      "    Type: AWS::Events::Rule\n"
      "    Properties:\n"
      "      EventPattern:\n"
      "        detail:\n"
      "          userIdentity:\n"
      "            type: Root\n"
      "  AlsoBad:\n"
      "    Type: AWS::Events::Rule\n"
      "    Properties:\n"
      "      EventPattern: '{\"source\": []}'\n";
  bridges::CfnTemplate tpl = ParseTemplate(text);
  Result<ImportResult> result = ImportRules(tpl);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(
      result.message(),
      "t.yaml:6: resource Bad, EventPattern: InvalidEventPatternException: Event pattern is "
      "not valid. Reason: \"type\" must be an object or an array\n"
      "t.yaml:12: resource AlsoBad, EventPattern: InvalidEventPatternException: Event pattern "
      "is not valid. Reason: Empty arrays are not allowed");
}

TEST(CfnImport, ResourceConditionFalseSkipsTheRule) {
  std::string text =
      "Parameters:\n"
      "  Enabled: {Type: String, Default: 'false'}\n"
      "Conditions:\n"
      "  On: !Equals [!Ref Enabled, 'true']\n"
      "Resources:\n"
      "  Maybe:\n"
      "    Type: AWS::Events::Rule\n"
      "    Condition: On\n"
      "    Properties:\n"
      "      EventPattern: {source: [aws.signin]}\n";
  Result<ImportResult> off = ImportRules(ParseTemplate(text));
  ASSERT_TRUE(off.ok()) << off.message();
  EXPECT_TRUE(off->rules.empty());
  Result<ImportResult> on = ImportRules(ParseTemplate(text, {{"Enabled", "true"}}));
  ASSERT_TRUE(on.ok()) << on.message();
  EXPECT_EQ(on->rules.size(), 1u);
}

TEST(CfnImport, NamesThatNeedQuotingAreQuoted) {
  ImportResult result;
  result.rules.push_back({"yes", "Yes", 3, R"({"source":["a"]})", false, {}});
  result.rules.push_back({"it's #1", "Q", 9, R"({"source":["it's"]})", false, {}});
  std::string text = RenderImport(result, ImportFormat::kRulesFile, "t.yaml");
  Result<std::vector<rules::PatternText>> parsed = rules::ParseRules(text, "out.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.message() << "\n" << text;
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].name, "yes");
  EXPECT_EQ((*parsed)[1].name, "it's #1");
  EXPECT_EQ((*parsed)[1].json, R"({"source":["it's"]})");
}

}  // namespace
}  // namespace trailwatch::testing
