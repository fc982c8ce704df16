// Intrinsic functions inside an EventPattern: what the CloudFormation bridge resolves offline and
// what it rejects (with file, line, resource and function).
#include "bridges/cfn_template.h"

#include <gtest/gtest.h>

#include "bridges/cfn_import.h"
#include "bridges/cfn_test_util.h"

namespace trailwatch::testing {
namespace {

using bridges::ImportResult;
using bridges::ImportRules;

// A template with one rule whose EventPattern is `pattern` (YAML, indented 6 spaces), plus
// `head` (Parameters, Mappings, Conditions).
std::string RuleTemplate(const std::string& head, const std::string& pattern) {
  return head +
         "Resources:\n"
         "  Rule:\n"
         "    Type: AWS::Events::Rule\n"
         "    Properties:\n"
         "      EventPattern:\n" +
         pattern;
}

// The imported pattern of the single rule; fails the test on error.
std::string ImportedPattern(const std::string& text, const bridges::ParameterValues& values = {}) {
  bridges::CfnTemplate tpl = ParseTemplate(text, values);
  Result<ImportResult> result = ImportRules(tpl);
  EXPECT_TRUE(result.ok()) << result.message();
  if (!result.ok() || result->rules.size() != 1) return "";
  return result->rules[0].pattern_json;
}

std::string ImportError(const std::string& text, const bridges::ParameterValues& values = {}) {
  bridges::CfnTemplate tpl = ParseTemplate(text, values);
  Result<ImportResult> result = ImportRules(tpl);
  EXPECT_FALSE(result.ok());
  return result.ok() ? "" : result.message();
}

const char kParams[] =
    "Parameters:\n"
    "  Env:\n"
    "    Type: String\n"
    "    Default: prod\n"
    "  Team:\n"
    "    Type: String\n"
    "  Accounts:\n"
    "    Type: CommaDelimitedList\n"
    "    Default: 111122223333, 444455556666\n";

TEST(CfnTemplate, RefToParameterDefaultAndPseudoParameters) {
  std::string text = RuleTemplate(kParams,
                                  "        account: [!Ref AWS::AccountId]\n"
                                  "        region: [!Ref AWS::Region]\n"
                                  "        detail:\n"
                                  "          env: [!Ref Env]\n"
                                  "          partition: [!Ref AWS::Partition]\n");
  EXPECT_EQ(ImportedPattern(text),
            R"({"account":["123456789012"],"region":["us-east-1"],"detail":{"env":["prod"],)"
            R"("partition":["aws"]}})");
  EXPECT_EQ(ImportedPattern(text, {{"Env", "dev"},
                                   {"AWS::AccountId", "111122223333"},
                                   {"AWS::Region", "cn-north-1"}}),
            R"({"account":["111122223333"],"region":["cn-north-1"],"detail":{"env":["dev"],)"
            R"("partition":["aws-cn"]}})");
}

TEST(CfnTemplate, ListParameterBecomesAList) {
  EXPECT_EQ(ImportedPattern(RuleTemplate(kParams, "        account: !Ref Accounts\n")),
            R"({"account":["111122223333","444455556666"]})");
}

TEST(CfnTemplate, SubBothFormsAndEscapes) {
  std::string text = RuleTemplate(
      kParams,
      "        resources:\n"
      "          - !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Env}-admin\n"
      "          - !Sub ['arn:aws:s3:::${Bucket}', {Bucket: !Join ['-', [logs, !Ref Env]]}]\n"
      "          - !Sub 'literal ${!NotAVariable}'\n");
  EXPECT_EQ(ImportedPattern(text), R"({"resources":["arn:aws:iam::123456789012:role/prod-admin",)"
                                   R"("arn:aws:s3:::logs-prod","literal ${NotAVariable}"]})");
}

TEST(CfnTemplate, JoinSelectSplitFindInMap) {
  std::string head = std::string(kParams) +
                     "Mappings:\n"
                     "  Regions:\n"
                     "    us-east-1:\n"
                     "      Trail: org-trail\n";
  std::string text = RuleTemplate(head,
                                  "        detail:\n"
                                  "          a: [!Join [':', [x, !Ref Env, z]]]\n"
                                  "          b: [!Select [1, !Split [',', 'p,q,r']]]\n"
                                  "          c: [!FindInMap [Regions, !Ref AWS::Region, Trail]]\n"
                                  "          d: [!Select ['0', !Ref Accounts]]\n");
  EXPECT_EQ(ImportedPattern(text),
            R"({"detail":{"a":["x:prod:z"],"b":["q"],"c":["org-trail"],"d":["111122223333"]}})");
}

TEST(CfnTemplate, IfWithConditions) {
  std::string head =
      std::string(kParams) +
      "Conditions:\n"
      "  IsProd: !Equals [!Ref Env, prod]\n"
      "  NotProd: !Not [!Condition IsProd]\n"
      "  ProdInUsEast1: !And [!Condition IsProd, !Equals [!Ref AWS::Region, us-east-1]]\n"
      "  Either: !Or [{Condition: NotProd}, !Equals [a, b]]\n";
  std::string text = RuleTemplate(head,
                                  "        detail:\n"
                                  "          a: [!If [IsProd, Root, IAMUser]]\n"
                                  "          b: [!If [NotProd, x, y]]\n"
                                  "          c: [!If [ProdInUsEast1, yes-c, no-c]]\n"
                                  "          d: [!If [Either, yes-d, no-d]]\n"
                                  "          e: !If [IsProd, !Ref AWS::NoValue, [gone]]\n");
  EXPECT_EQ(ImportedPattern(text),
            R"({"detail":{"a":["Root"],"b":["y"],"c":["yes-c"],"d":["no-d"]}})");
  EXPECT_EQ(ImportedPattern(text, {{"Env", "dev"}}),
            R"({"detail":{"a":["IAMUser"],"b":["x"],"c":["no-c"],"d":["yes-d"],"e":["gone"]}})");
}

TEST(CfnTemplate, ParameterWithoutValueIsAnErrorNamingIt) {
  std::string text = RuleTemplate(kParams, "        detail:\n          team: [!Ref Team]\n");
  EXPECT_EQ(ImportError(text),
            "t.yaml:16: resource Rule, EventPattern: parameter Team has no value and no Default; "
            "pass --parameters Team=VALUE");
  EXPECT_EQ(ImportedPattern(text, {{"Team", "red"}}), R"({"detail":{"team":["red"]}})");
}

TEST(CfnTemplate, UnknownParameterOnTheCommandLineIsRefused) {
  Result<bridges::CfnTemplate> tpl = bridges::CfnTemplate::Parse(
      RuleTemplate(kParams, "        source: [aws.signin]\n"), "t.yaml");
  ASSERT_TRUE(tpl.ok());
  Status s = tpl->SetParameters({{"Enviroment", "dev"}});
  EXPECT_EQ(s.message(),
            "t.yaml: --parameters Enviroment: the template has no parameter Enviroment");
  EXPECT_TRUE(tpl->SetParameters({{"AWS::Region", "eu-west-1"}}).ok());
}

TEST(CfnTemplate, GetAttIsRejectedWithResourceLineAndFunction) {
  std::string text = RuleTemplate("",
                                  "        source: [aws.signin]\n"
                                  "        detail:\n"
                                  "          userIdentity:\n"
                                  "            arn: [!GetAtt Role.Arn]\n");
  std::string error = ImportError(text);
  EXPECT_EQ(
      error.rfind("t.yaml:9: resource Rule, EventPattern: uses Fn::GetAtt (!GetAtt Role.Arn)", 0),
      0u)
      << error;
}

TEST(CfnTemplate, ImportValueInLongFormJsonIsRejected) {
  std::string text = R"({
  "Resources": {
    "Rule": {
      "Type": "AWS::Events::Rule",
      "Properties": {
        "EventPattern": {
          "account": [{"Fn::ImportValue": "shared-account"}]
        }
      }
    }
  }
})";
  std::string error = ImportError(text);
  EXPECT_EQ(error.rfind(
                "t.yaml:7: resource Rule, EventPattern: uses Fn::ImportValue (Fn::ImportValue)", 0),
            0u)
      << error;
}

TEST(CfnTemplate, RefToAResourceAndSubOfAnAttributeAreRejected) {
  std::string text =
      "Resources:\n"
      "  Topic:\n"
      "    Type: AWS::SNS::Topic\n"
      "  Rule:\n"
      "    Type: AWS::Events::Rule\n"
      "    Properties:\n"
      "      EventPattern:\n"
      "        resources: [!Ref Topic]\n";
  EXPECT_NE(
      ImportError(text).find("t.yaml:8: resource Rule, EventPattern: uses Ref (!Ref Topic) to "
                             "resource Topic"),
      std::string::npos);
  std::string sub =
      "Resources:\n"
      "  Rule:\n"
      "    Type: AWS::Events::Rule\n"
      "    Properties:\n"
      "      EventPattern:\n"
      "        resources: [!Sub '${Topic.TopicName}']\n";
  EXPECT_NE(ImportError(sub).find("t.yaml:6: resource Rule, EventPattern: uses Fn::GetAtt "
                                  "(${Topic.TopicName} in Fn::Sub)"),
            std::string::npos);
}

TEST(CfnTemplate, JsonLongFormResolves) {
  std::string text = R"({
  "Parameters": {"Env": {"Type": "String", "Default": "prod"}},
  "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
  "Resources": {
    "Rule": {
      "Type": "AWS::Events::Rule",
      "Properties": {
        "Name": {"Fn::Sub": "${Env}-root"},
        "EventPattern": {
          "account": [{"Ref": "AWS::AccountId"}],
          "detail": {
            "env": [{"Fn::If": ["IsProd", {"Fn::Join": ["", ["p", "rod"]]}, "other"]}],
            "count": [{"numeric": [">", 5]}]
          }
        }
      }
    }
  }
})";
  bridges::CfnTemplate tpl = ParseTemplate(text);
  Result<ImportResult> result = ImportRules(tpl);
  ASSERT_TRUE(result.ok()) << result.message();
  ASSERT_EQ(result->rules.size(), 1u);
  EXPECT_EQ(result->rules[0].name, "prod-root");
  EXPECT_EQ(
      result->rules[0].pattern_json,
      R"({"account":["123456789012"],"detail":{"env":["prod"],"count":[{"numeric":[">",5]}]}})");
}

TEST(CfnTemplate, UndefinedConditionAndCycleAreErrors) {
  std::string head =
      "Conditions:\n"
      "  A: !Condition B\n"
      "  B: !Not [!Condition A]\n";
  std::string cycle = ImportError(RuleTemplate(head, "        detail: {x: [!If [A, a, b]]}\n"));
  EXPECT_NE(cycle.find("nest too deeply"), std::string::npos) << cycle;
  std::string missing = ImportError(RuleTemplate("", "        detail: {x: [!If [C, a, b]]}\n"));
  EXPECT_NE(missing.find("condition C is not defined in Conditions"), std::string::npos) << missing;
}

TEST(CfnTemplate, NotATemplate) {
  EXPECT_EQ(bridges::CfnTemplate::Parse("- a\n", "t.yaml").message(),
            "t.yaml: a template must be a mapping");
  EXPECT_EQ(bridges::CfnTemplate::Parse("A: b\n", "t.yaml").message(),
            "t.yaml: a template needs a Resources mapping");
  EXPECT_EQ(bridges::CfnTemplate::Parse("Resources:\n  X: {}\n", "t.yaml").message(),
            "t.yaml:2: resource X needs a Type");
  std::string bad = bridges::CfnTemplate::Parse("Resources: [\n", "t.yaml").message();
  EXPECT_EQ(bad.rfind("t.yaml:", 0), 0u) << bad;
  EXPECT_NE(bad.find("not a valid template"), std::string::npos) << bad;
}

}  // namespace
}  // namespace trailwatch::testing
