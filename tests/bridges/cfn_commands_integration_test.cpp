// `trailwatch import-cfn` and `trailwatch export-cfn`, run as a user runs them.
#include <gtest/gtest.h>

#include "bridges/cfn_test_util.h"
#include "cli/cli_test_util.h"

namespace trailwatch::testing {
namespace {

const std::string kSeed = std::string(TW_SOURCE_DIR) + "/examples/seed-template.yaml";

TEST(CfnCommands, ImportSeedTemplateToConfigAndRulesFile) {
  CommandResult r = RunTrailwatch({"import-cfn", kSeed});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("  - name: EventRule\n    pattern: {\"detail-type\":[\"AWS Console Sign In "
                       "via CloudTrail\"],\"detail\":{\"userIdentity\":{\"type\":[\"Root\"]}}}\n"),
            std::string::npos)
      << r.out;

  // The rules file works with `trailwatch match --rules`: the root sign-in matches.
  TempDir dir;
  std::string rules = dir.path() + "/rules.yaml";
  r = RunTrailwatch({"import-cfn", kSeed, "--format", "rules-file", "--out", rules});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(ReadFile(rules).find("EventRule: '{"), std::string::npos);
  std::string events = RootSigninEvent();
  for (char& c : events) c = c == '\n' ? ' ' : c;  // one event per line
  events.append("\n").append(IamUserSigninEvent());  // not += "\n" + ...: a GCC 12 false positive
  for (size_t i = events.find('\n') + 1; i < events.size(); ++i) {
    if (events[i] == '\n') events[i] = ' ';
  }
  std::string events_path = dir.Write("events.jsonl", events + "\n");
  CommandResult match = RunTrailwatch({"match", "--rules", rules, "--events", events_path});
  EXPECT_EQ(match.exit_code, 0) << match.err;
  EXPECT_NE(match.out.find("\"events\": 2"), std::string::npos) << match.out;
  EXPECT_NE(match.out.find("\"EventRule\": 1"), std::string::npos) << match.out;
}

TEST(CfnCommands, ImportParametersAndNotes) {
  TempDir dir;
  std::string tpl =
      dir.Write("t.yaml",
                "Parameters:\n"
                "  Type: {Type: String}\n"
                "Resources:\n"
                "  Rule:\n"
                "    Type: AWS::Events::Rule\n"
                "    Properties:\n"
                "      EventPattern:\n"
                "        detail: {userIdentity: {type: [!Ref Type]}, acct: [!Ref AWS::AccountId]}\n"
                "  Schedule:\n"
                "    Type: AWS::Events::Rule\n"
                "    Properties: {ScheduleExpression: rate(5 minutes)}\n");
  CommandResult missing = RunTrailwatch({"import-cfn", tpl});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.out, "");
  EXPECT_NE(missing.err.find("t.yaml:8: resource Rule, EventPattern: parameter Type has no value"),
            std::string::npos)
      << missing.err;

  CommandResult r = RunTrailwatch({"import-cfn", tpl, "--parameters", "Type=Root",
                                   "ParameterKey=AWS::AccountId,ParameterValue=111122223333"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.out.find(
          R"(pattern: {"detail":{"userIdentity":{"type":["Root"]},"acct":["111122223333"]}})"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("note: " + tpl + ":9: Schedule: skipped: a ScheduleExpression rule"),
            std::string::npos)
      << r.err;

  CommandResult unknown = RunTrailwatch({"import-cfn", tpl, "--parameters", "Typo=Root"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("the template has no parameter Typo"), std::string::npos);
  CommandResult malformed = RunTrailwatch({"import-cfn", tpl, "--parameters", "Type"});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.err.find("expected NAME=VALUE"), std::string::npos);
}

TEST(CfnCommands, ImportErrorsExit2) {
  TempDir dir;
  std::string tpl =
      dir.Write("bad.json",
                "{\"Resources\": {\"R\": {\"Type\": \"AWS::Events::Rule\",\n"
                "  \"Properties\": {\"EventPattern\": {\"source\": \"aws.iam\"}}}}}\n");
  CommandResult r = RunTrailwatch({"import-cfn", tpl});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("bad.json:2: resource R, EventPattern: InvalidEventPatternException: Event "
                       "pattern is not valid. Reason: \"source\" must be an object or an array"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(RunTrailwatch({"import-cfn", dir.path() + "/missing.yaml"}).exit_code, 2);
  EXPECT_EQ(RunTrailwatch({"import-cfn", tpl, "--format", "xml"}).exit_code, 2);
}

TEST(CfnCommands, ExportWritesTheTemplateAndRefusesHttp) {
  CommandResult r = RunTrailwatch({"export-cfn", "--endpoint", "https://tw.example.com"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("InvocationEndpoint: \"https://tw.example.com/events\""), std::string::npos);
  EXPECT_NE(r.out.find("RootSigninRule:"), std::string::npos);

  CommandResult http = RunTrailwatch({"export-cfn", "--endpoint", "http://127.0.0.1:8080"});
  EXPECT_EQ(http.exit_code, 2);
  EXPECT_EQ(http.out, "");
  EXPECT_NE(http.err.find("https:// endpoints only"), std::string::npos) << http.err;
  CommandResult allowed =
      RunTrailwatch({"export-cfn", "--endpoint", "http://127.0.0.1:8080", "--allow-http"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_EQ(RunTrailwatch({"export-cfn"}).exit_code, 2);  // --endpoint is required
}

TEST(CfnCommands, ExportFromRulesFileToOutFile) {
  TempDir dir;
  std::string rules = dir.Write("rules.yaml",
                                "iam-changes: '{\"source\":[\"aws.iam\"]}'\n"
                                "bad-one:\n  detail: {type: Root}\n");
  CommandResult bad =
      RunTrailwatch({"export-cfn", "--endpoint", "https://tw.example.com", "--rules", rules});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("rule bad-one: InvalidEventPatternException"), std::string::npos)
      << bad.err;

  std::string good = dir.Write("good.yaml", "iam-changes: '{\"source\":[\"aws.iam\"]}'\n");
  std::string out = dir.path() + "/forwarder.yaml";
  CommandResult r =
      RunTrailwatch({"export-cfn", "--endpoint", "https://tw.example.com", "--rules", good,
                     "--name", "tw-iam", "--api-key-header", "X-Key", "--out", out});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string text = ReadFile(out);
  EXPECT_NE(text.find("  IamChangesRule:\n"), std::string::npos) << text;
  EXPECT_NE(text.find("--stack-name tw-iam"), std::string::npos);
  EXPECT_NE(text.find("--template-file forwarder.yaml"), std::string::npos);
  EXPECT_NE(text.find("ApiKeyName: \"X-Key\""), std::string::npos);
}

}  // namespace
}  // namespace trailwatch::testing
