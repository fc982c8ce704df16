// The `rules` and `routes` config sections: packs expand with overrides, own rules in every
// pattern spelling, routes add targets, and validation reports every error with file:line:column.
#include "rules/rules_config.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "cli/cli_test_util.h"
#include "rules/rule_engine.h"
#include "rules/rule_packs.h"

namespace trailwatch::rules {
namespace {

// Whether `text` contains `part`; the failure message shows both.
::testing::AssertionResult HasSubstr(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << part << "\" not in:\n" << text;
}

const std::set<std::string> kTargets = {"security-slack", "siem", "security-bot", "pager"};

Result<RulesConfig> Load(const std::string& yaml, const std::string& path = "trailwatch.yaml") {
  return LoadRulesConfig(YAML::Load(yaml), path, kTargets);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

const RuleSpec* Find(const RulesConfig& config, const std::string& name) {
  for (const RuleSpec& rule : config.rules) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

TEST(RulesConfig, TheIssueExampleLoads) {
  trailwatch::testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/rules");
  dir.Write("rules/login-failure.json",
            R"({"source": ["aws.signin"], "detail": {"errorMessage": ["Failed authentication"]}})");
  std::string path = dir.Write("trailwatch.yaml", R"(
rules:
  - pack: root-signin                      # built-in
    targets: [security-slack]
  - name: iam-policy-changes
    pattern: {"source": ["aws.iam"], "detail": {"eventName": [{"prefix": "Put"}]}}
    severity: medium
    suppress: [{"detail": {"userIdentity": {"arn": [{"suffix": ":role/terraform"}]}}}]
    targets: [security-slack, siem]
  - name: console-login-failures
    pattern: file://rules/login-failure.json
    threshold: {count: 5, window: 15m, group_by: [detail.sourceIPAddress]}
    targets: [security-bot]
)");
  auto config = LoadRulesConfig(YAML::LoadFile(path), path, kTargets);
  ASSERT_TRUE(config.ok()) << config.message();
  ASSERT_EQ(config->rules.size(), 3u);

  const RuleSpec& root = config->rules[0];
  EXPECT_EQ(root.name, "root-signin");
  EXPECT_EQ(root.pack, "root-signin");
  EXPECT_EQ(root.pattern_json, FindPackRule("root-signin")->pattern_json);
  EXPECT_EQ(root.severity, route::Severity::kCritical);
  EXPECT_EQ(root.targets, std::vector<std::string>{"security-slack"});
  EXPECT_EQ(root.line, 3);
  EXPECT_EQ(root.file, path);

  const RuleSpec& iam = config->rules[1];
  EXPECT_EQ(iam.name, "iam-policy-changes");
  EXPECT_EQ(iam.pattern_json,
            R"({"source":["aws.iam"],"detail":{"eventName":[{"prefix":"Put"}]}})");
  EXPECT_EQ(iam.severity, route::Severity::kMedium);
  ASSERT_EQ(iam.suppress_json.size(), 1u);
  EXPECT_TRUE(HasSubstr(iam.suppress_json[0], ":role/terraform"));
  EXPECT_EQ(iam.targets, (std::vector<std::string>{"security-slack", "siem"}));
  EXPECT_TRUE(iam.pack.empty());

  const RuleSpec& failures = config->rules[2];
  EXPECT_TRUE(HasSubstr(failures.pattern_json, "Failed authentication"));
  ASSERT_TRUE(failures.threshold.has_value());
  EXPECT_EQ(failures.threshold->count, 5);
  EXPECT_EQ(failures.threshold->window, std::chrono::minutes(15));
  EXPECT_EQ(failures.threshold->group_by, std::vector<std::string>{"detail.sourceIPAddress"});
  EXPECT_TRUE(config->warnings.empty());
}

TEST(RulesConfig, PatternAsJsonTextAsYamlAndWithoutRulesSection) {
  auto config = Load(R"(
rules:
  - name: as-text
    pattern: '{"source": ["aws.iam"]}'
    targets: [siem]
  - name: as-yaml
    pattern:
      source: [aws.iam]
      detail:
        eventName: [{prefix: Put}]
    targets: [siem]
)");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->rules[0].pattern_json, R"({"source": ["aws.iam"]})");  // exact text
  EXPECT_EQ(config->rules[1].pattern_json,
            R"({"source":["aws.iam"],"detail":{"eventName":[{"prefix":"Put"}]}})");

  auto empty = Load("targets: []\n");
  ASSERT_TRUE(empty.ok()) << empty.message();
  EXPECT_TRUE(empty->rules.empty());
  EXPECT_TRUE(Load("rules:\nroutes:\n").ok());
}

TEST(RulesConfig, ImportCfnOutputLoads) {
  // What `trailwatch import-cfn` writes (src/bridges/cfn_import.cpp RenderImport), including a
  // disabled rule and empty targets.
  auto config = Load(R"(
# trailwatch rules imported by `trailwatch import-cfn` from seed-template.yaml.
rules:
  # RootSigninRule (AWS::Events::Rule, seed-template.yaml:12)
  - name: root-signin-rule
    pattern: {"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}
    severity: high
    targets: []
  # State: DISABLED in the template
  - name: old-rule
    enabled: false
    pattern: {"source":["aws.ec2"]}
    severity: high
    targets: []
)");
  ASSERT_TRUE(config.ok()) << config.message();
  ASSERT_EQ(config->rules.size(), 2u);
  EXPECT_TRUE(config->rules[0].enabled);
  EXPECT_FALSE(config->rules[1].enabled);
  // The enabled rule without targets is worth a warning, the disabled one is not.
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_TRUE(HasSubstr(config->warnings[0], "root-signin-rule has no targets"));
}

TEST(RulesConfig, PackOverridesAndExclude) {
  auto config = Load(R"(
rules:
  - pack: cis-aws-foundations
    exclude: [cis-3.1-unauthorized-api-calls, cis-3.2-console-signin-without-mfa]
    severity: critical
    enabled: false
    targets: [siem]
    suppress:
      - {"detail": {"userIdentity": {"arn": [{"suffix": ":role/terraform"}]}}}
)");
  ASSERT_TRUE(config.ok()) << config.message();
  ASSERT_EQ(config->rules.size(), 12u);
  EXPECT_EQ(Find(*config, "cis-3.1-unauthorized-api-calls"), nullptr);
  for (const RuleSpec& rule : config->rules) {
    EXPECT_EQ(rule.pack, "cis-aws-foundations");
    EXPECT_EQ(rule.severity, route::Severity::kCritical);
    EXPECT_FALSE(rule.enabled);
    EXPECT_EQ(rule.targets, std::vector<std::string>{"siem"});
    ASSERT_EQ(rule.suppress_json.size(), 1u);
    EXPECT_EQ(rule.line, 3);
  }
  // Without overrides the pack's own severities stay.
  auto plain = Load("rules:\n  - pack: cloudtrail-tampering\n    targets: [siem]\n");
  ASSERT_TRUE(plain.ok()) << plain.message();
  EXPECT_EQ(Find(*plain, "cloudtrail-logging-stopped")->severity, route::Severity::kCritical);
  EXPECT_EQ(Find(*plain, "cloudtrail-trail-changed")->severity, route::Severity::kHigh);
}

TEST(RulesConfig, RoutesAddTargetsBySelectorAndSeverity) {
  auto config = Load(R"(
rules:
  - pack: root-signin
  - pack: cloudtrail-tampering
    targets: [siem]
  - name: mine
    pattern: {"source": ["aws.iam"]}
    severity: low
    targets: [siem]
routes:
  - rules: ["*"]
    min_severity: high
    targets: [pager]
  - rules: ["pack:cloudtrail-tampering", mine]
    targets: [security-slack, siem]
  - targets: [security-bot]       # rules defaults to every rule
    min_severity: critical
)");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(Find(*config, "root-signin")->targets,
            (std::vector<std::string>{"pager", "security-bot"}));
  EXPECT_EQ(Find(*config, "cloudtrail-logging-stopped")->targets,
            (std::vector<std::string>{"siem", "pager", "security-slack", "security-bot"}));
  EXPECT_EQ(Find(*config, "cloudtrail-trail-changed")->targets,
            (std::vector<std::string>{"siem", "pager", "security-slack"}));
  EXPECT_EQ(Find(*config, "mine")->targets, (std::vector<std::string>{"siem", "security-slack"}));
  ASSERT_EQ(config->routes.size(), 3u);
  EXPECT_EQ(config->routes[2].rules, std::vector<std::string>{"*"});
  EXPECT_TRUE(config->warnings.empty());
}

TEST(RulesConfig, ReportsEveryErrorWithFileLineAndColumn) {
  auto config = Load(R"(rules:
  - name: bad-pattern
    pattern: {"source": []}
    targets: [siem]
  - name: typo
    patern: {"source": ["aws.iam"]}
    targets: [nowhere]
  - pack: no-such-pack
  - name: bad-pattern
    pattern: {"source": ["aws.iam"]}
    severity: urgent
  - name: thresholds
    pattern: {"source": ["aws.signin"]}
    threshold: {count: 0, window: 15 minutes, group_by: [sourceIPAddress], every: 1}
  - name: bad-suppress
    pattern: {"source": ["aws.iam"]}
    suppress: [{"detail": {"x": [{"prefix": 5}]}}]
routes:
  - rules: [nope, "pack:root-signin"]
    targets: [pager, ghost]
)",
                     "/etc/trailwatch.yaml");
  ASSERT_FALSE(config.ok());
  std::vector<std::string> lines = Lines(config.message());
  std::vector<std::string> expected = {
      "/etc/trailwatch.yaml:3:14: rules[0].pattern: Event pattern is not valid. Reason: Empty "
      "arrays are not allowed",
      "/etc/trailwatch.yaml:6:5: rules[1]: unknown key \"patern\" (valid: name, pattern, "
      "description, severity, suppress, threshold, targets, enabled; or pack)",
      "/etc/trailwatch.yaml:7:15: rules[1].targets[0]: unknown target \"nowhere\" (defined: "
      "pager, security-bot, security-slack, siem)",
      "/etc/trailwatch.yaml:5:5: rules[1]: missing key \"pattern\"",
      "/etc/trailwatch.yaml:8:11: rules[2].pack: unknown pack \"no-such-pack\" (built-in packs: "
      "root-signin, root-activity, console-signin-without-mfa, console-signin-failures, "
      "cis-aws-foundations, cloudtrail-tampering; `trailwatch packs list`)",
      "/etc/trailwatch.yaml:9:11: rules[3].name: duplicate rule name \"bad-pattern\" (already "
      "defined by rules[0].name, line 2)",
      "/etc/trailwatch.yaml:11:15: rules[3].severity: unknown severity \"urgent\" (valid: info, "
      "low, medium, high, critical)",
      "/etc/trailwatch.yaml:14:24: rules[4].threshold: count must be between 1 and 10000, not 0",
      "/etc/trailwatch.yaml:14:35: rules[4].threshold: window must be a duration like 10s, 15m, "
      "24h or 1h30m, not \"15 minutes\"",
      "/etc/trailwatch.yaml:14:58: rules[4].threshold.group_by[0]: group_by path "
      "\"sourceIPAddress\" must start at the event's top level (detail., account, region, "
      "source, ...), like detail.sourceIPAddress",
      "/etc/trailwatch.yaml:14:76: rules[4].threshold: unknown key \"every\" (valid: count, "
      "window, group_by)",
      "/etc/trailwatch.yaml:17:16: rules[5].suppress[0]: Event pattern is not valid. Reason: "
      "prefix match pattern must be a string",
      "/etc/trailwatch.yaml:19:12: routes[0].rules: unknown rule \"nope\" (use a rule name, "
      "\"pack:NAME\" or \"*\")",
      "/etc/trailwatch.yaml:19:12: routes[0].rules: pack \"root-signin\" is not used in rules",
      "/etc/trailwatch.yaml:20:22: routes[0].targets[1]: unknown target \"ghost\" (defined: "
      "pager, security-bot, security-slack, siem)",
  };
  EXPECT_EQ(lines.size(), expected.size()) << config.message();
  for (size_t i = 0; i < std::min(lines.size(), expected.size()); ++i) {
    EXPECT_EQ(lines[i], expected[i]) << "line " << i;
  }
}

TEST(RulesConfig, StructuralErrors) {
  EXPECT_TRUE(HasSubstr(Load("rules: {a: 1}\n").message(),
                        "trailwatch.yaml:1:8: rules: must be a list of rules"));
  EXPECT_TRUE(HasSubstr(Load("rules: [plain]\n").message(), "rules[0]: a rule must be a mapping"));
  EXPECT_TRUE(HasSubstr(Load("rules:\n  - pattern: {\"a\": [1]}\n").message(),
                        "rules[0]: missing key \"name\""));
  EXPECT_TRUE(HasSubstr(Load("rules:\n  - {name: 'has space', pattern: {\"a\": [1]}}\n").message(),
                        "rules[0].name: rule name \"has space\" must be 1-128 letters"));
  EXPECT_TRUE(HasSubstr(Load("rules:\n  - {name: a, pattern: [1]}\n").message(),
                        "rules[0].pattern: Event pattern is not valid. Reason: Filter is not an "
                        "object"));
  EXPECT_TRUE(HasSubstr(Load("rules:\n  - {pack: root-signin, pattern: {\"a\": [1]}}\n").message(),
                        "a pack entry cannot have pattern"));
  EXPECT_TRUE(HasSubstr(
      Load("rules:\n  - {pack: root-signin, exclude: [nope]}\n").message(),
      "trailwatch.yaml:2:35: rules[0].exclude[0]: pack root-signin has no rule \"nope\""));
  EXPECT_TRUE(HasSubstr(Load("rules:\n  - pack: root-signin\n  - pack: root-signin\n").message(),
                        "rules[1].pack: pack \"root-signin\" is already listed at rules[0]"));
  EXPECT_TRUE(HasSubstr(
      Load("rules:\n  - pack: root-signin\n  - {name: root-signin, pattern: {\"a\": [1]}}\n")
          .message(),
      "rules[1].name: duplicate rule name \"root-signin\" (already defined by rules[0] "
      "(pack root-signin), line 2)"));
  EXPECT_TRUE(
      HasSubstr(Load("rules:\n  - {name: a, pattern: {\"a\": [1]}, enabled: maybe}\n").message(),
                "enabled must be true or false"));
  EXPECT_TRUE(
      HasSubstr(Load("rules:\n  - {name: a, pattern: {\"a\": [1]}, threshold: 5}\n").message(),
                "rules[0].threshold: must be a mapping"));
  EXPECT_TRUE(HasSubstr(
      Load("rules:\n  - {name: a, pattern: {\"a\": [1]}, threshold: {window: 1m}}\n").message(),
      "rules[0].threshold: missing key \"count\""));
  EXPECT_TRUE(
      HasSubstr(Load("rules:\n  - {name: a, pattern: {\"a\": [1]}, threshold: {count: 2, window: "
                     "30d}}\n")
                    .message(),
                "window must be between 1s and 604800s"));
  EXPECT_TRUE(HasSubstr(Load("routes:\n  - {rules: ['*']}\n").message(),
                        "routes[0]: a route needs targets"));
  EXPECT_TRUE(HasSubstr(
      Load("routes:\n  - {rules: ['*'], targets: [siem], min_severity: severe}\n").message(),
      "routes[0].min_severity: unknown severity \"severe\""));
  EXPECT_TRUE(HasSubstr(Load("routes:\n  - {rules: ['pack:nope'], targets: [siem]}\n").message(),
                        "routes[0].rules: unknown pack \"nope\""));
  EXPECT_TRUE(HasSubstr(Load("routes:\n  - {rule: ['*'], targets: [siem]}\n").message(),
                        "routes[0]: unknown key \"rule\""));
}

TEST(RulesConfig, PatternFiles) {
  trailwatch::testing::TempDir dir;
  std::string path = dir.Write("c.yaml", "");
  dir.Write("bad.json", R"({"detail": {"eventName": "ConsoleLogin"}})");
  auto missing = LoadRulesConfig(YAML::Load("rules:\n  - {name: a, pattern: file://nope.json}\n"),
                                 path, kTargets);
  EXPECT_TRUE(HasSubstr(missing.message(), "rules[0].pattern: cannot read pattern file"));
  EXPECT_TRUE(HasSubstr(missing.message(), "nope.json: no such file"));
  auto bad = LoadRulesConfig(YAML::Load("rules:\n  - {name: a, pattern: file://bad.json}\n"), path,
                             kTargets);
  EXPECT_TRUE(HasSubstr(
      bad.message(),
      path + ":2:24: rules[0].pattern: file://bad.json: Event pattern is not valid. Reason: "
             "\"eventName\" must be an object or an array"));
  dir.Write("big.json", std::string(kMaxPatternFileBytes + 1, ' '));
  auto big = LoadRulesConfig(YAML::Load("rules:\n  - {name: a, pattern: file://big.json}\n"), path,
                             kTargets);
  EXPECT_TRUE(HasSubstr(big.message(), "big.json: larger than 65536 bytes"));
}

TEST(RulesConfig, PatternFilesMustBeOrdinaryFiles) {
  trailwatch::testing::TempDir dir;
  std::string path = dir.Write("c.yaml", "");
  ASSERT_EQ(setenv("TW_RULES_CANARY", "canary-77e2", 1), 0);
  auto load = [&](const std::string& file) {
    auto loaded = LoadRulesConfig(
        YAML::Load("rules:\n  - {name: a, pattern: \"file://" + file + "\"}\n"), path, kTargets);
    EXPECT_FALSE(loaded.ok()) << file;
    return loaded.ok() ? std::string() : loaded.message();
  };
  std::string environ_error = load("/proc/self/environ");
  EXPECT_TRUE(HasSubstr(environ_error, "rules[0].pattern: cannot read pattern file "
                                       "/proc/self/environ: a /proc or /sys file is not accepted"));
  EXPECT_EQ(environ_error.find("canary"), std::string::npos) << environ_error;
  EXPECT_TRUE(HasSubstr(load("/dev/zero"), "/dev/zero: not a regular file"));
  EXPECT_TRUE(HasSubstr(load("."), ": not a regular file"));
  unsetenv("TW_RULES_CANARY");
}

TEST(RulesConfig, GroupByPaths) {
  EXPECT_EQ(CheckGroupByPath("detail.sourceIPAddress"), "");
  EXPECT_EQ(CheckGroupByPath("account"), "");
  EXPECT_EQ(CheckGroupByPath("detail.userIdentity.arn"), "");
  EXPECT_NE(CheckGroupByPath(""), "");
  EXPECT_NE(CheckGroupByPath("detail..x"), "");
  EXPECT_NE(CheckGroupByPath("detail."), "");
  EXPECT_NE(CheckGroupByPath("userIdentity.arn"), "");
  EXPECT_TRUE(IsValidRuleName("cis-3.1-unauthorized_api.calls"));
  EXPECT_FALSE(IsValidRuleName("pack:x"));
  EXPECT_FALSE(IsValidRuleName(std::string(129, 'a')));
}

// `name#CHANNEL_ID` sends a Slack Web API target's alerts to another Slack channel; other targets
// take no channel, and the channel must look like a Slack channel id.
TEST(RulesConfig, TargetReferencesWithASlackChannel) {
  const std::string yaml = R"(
rules:
  - {name: a, pattern: '{"source":["aws.iam"]}', targets: [security-bot#C0456789AB]}
routes:
  - {rules: ["*"], targets: [security-bot#G0123456789, pager]}
)";
  auto config = LoadRulesConfig(YAML::Load(yaml), "trailwatch.yaml", kTargets, {"security-bot"});
  ASSERT_TRUE(config.ok()) << config.message();
  ASSERT_EQ(config->rules.size(), 1u);
  EXPECT_EQ(config->rules[0].targets,
            (std::vector<std::string>{"security-bot#C0456789AB", "security-bot#G0123456789", "pager"}));

  auto bad = LoadRulesConfig(YAML::Load(R"(
rules:
  - {name: a, pattern: '{"source":["aws.iam"]}', targets: [pager#C0456789AB, security-bot#general, nobody#C0456789AB]}
)"),
                             "trailwatch.yaml", kTargets, {"security-bot"});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(HasSubstr(bad.message(), "targets[0]: target \"pager\" takes no channel"));
  EXPECT_TRUE(HasSubstr(bad.message(), "targets[1]: target \"security-bot\": after '#' comes a Slack channel id"));
  EXPECT_TRUE(HasSubstr(bad.message(), "targets[2]: unknown target \"nobody\""));
}

}  // namespace
}  // namespace trailwatch::rules

namespace trailwatch::rules {
namespace {

// The loader hands over what it compiled and parsed while checking (rule_spec.h), so that the
// engine and the pipeline do not compile or parse again.
TEST(RulesConfig, RulesCarryTheirCompiledPatternsAndTargetReferences) {
  auto config = LoadRulesConfig(YAML::Load(R"(
rules:
  - name: own
    pattern: {"source": ["aws.iam"]}
    suppress: [{"detail": {"errorCode": [{"exists": true}]}}]
    targets: [security-slack]
  - pack: root-signin
    targets: [security-slack]
)"),
                                "trailwatch.yaml", {"security-slack"});
  ASSERT_TRUE(config.ok()) << config.message();
  ASSERT_GE(config->rules.size(), 2u);
  for (const RuleSpec& rule : config->rules) {
    EXPECT_NE(rule.compiled_pattern, nullptr) << rule.name;
    EXPECT_EQ(rule.compiled_suppress.size(), rule.suppress_json.size()) << rule.name;
    ASSERT_EQ(rule.target_references.size(), rule.targets.size()) << rule.name;
    EXPECT_EQ(rule.target_references[0].name, "security-slack");
  }
  EXPECT_NE(config->rules[0].compiled_suppress[0], nullptr);
  // The engine builds from them (and would from rules without them, compiling there).
  EXPECT_TRUE(RuleEngine::Build(config->rules).ok());
}

}  // namespace
}  // namespace trailwatch::rules
