#include "config/targets_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace trailwatch::config {
namespace {

// Test environment for ${env:NAME}: fixed values, including secrets with a recognisable marker.
std::optional<std::string> FakeEnvironment(const std::string& name) {
  static const std::map<std::string, std::string> kValues = {
      {"SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/XXXXSECRET1"},
      {"TEAMS_WEBHOOK_URL", "https://example.logic.azure.com/workflows/abc?sig=XXXXSECRET2"},
      {"SIEM_TOKEN", "Bearer XXXXSECRET3"},
      {"HTTP_SECRET_URL", "http://hooks.example.com/XXXXSECRET4"},
      {"BROKEN_HEADER", "Bearer XXXXSECRET5\r\nX-Injected: 1"},
      {"NOT_A_URL", "XXXXSECRET6"},
      {"CHANNEL_SECRET", "#XXXXSECRET7"},
      {"EMPTY", ""},
  };
  auto it = kValues.find(name);
  if (it == kValues.end()) return std::nullopt;
  return it->second;
}

Result<TargetsConfig> Load(const std::string& yaml) {
  return LoadTargetsConfig(YAML::Load(yaml), "trailwatch.yaml", &FakeEnvironment);
}

std::string LoadError(const std::string& yaml) {
  Result<TargetsConfig> config = Load(yaml);
  EXPECT_FALSE(config.ok()) << "expected an error for:\n" << yaml;
  return config.ok() ? std::string() : config.message();
}

// A temporary file removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    char name[] = "/tmp/trailwatch-config-test-XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(TargetsConfigTest, LoadsEveryTargetType) {
  TempFile token("xoxb-XXXXSECRET8\n");
  Result<TargetsConfig> config = Load(R"(
store: ./state/trailwatch.db
accounts:
  "111122223333": production
  444455556666: staging
targets:
  - name: security-slack
    type: slack
    webhook_url: ${env:SLACK_WEBHOOK_URL}
  - name: security-bot
    type: slack
    token: ${file:)" + token.path() + R"(}
    channel: C0123456789
    thread_window: 30m
    rate_per_second: 0.5
    burst: 2
  - name: teams
    type: teams
    webhook_url: ${env:TEAMS_WEBHOOK_URL}
    timeout: 20s
  - name: siem
    type: webhook
    url: https://siem.example.com/ingest
    headers: {Authorization: "${env:SIEM_TOKEN}", X-Source: trailwatch}
    hmac_secret: ${env:SIEM_TOKEN}
    max_concurrency: 4
    max_attempts: 10
    max_age: 1h30m
    input_transformer:
      input_paths: {who: $.detail.userIdentity.arn, ip: $.detail.sourceIPAddress}
      input_template: '{"who": <who>, "text": "from <ip>"}'
  - name: console
    type: stdout
sources: [ignored by this loader]
)");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->path, "trailwatch.yaml");
  // Beside the configuration file (here: in the working directory), made absolute.
  EXPECT_EQ(config->store, (std::filesystem::current_path() / "state/trailwatch.db").string());
  EXPECT_EQ(config->accounts.at("111122223333"), "production");
  EXPECT_EQ(config->accounts.at("444455556666"), "staging");
  ASSERT_EQ(config->targets.size(), 5u);

  const TargetConfig* slack = config->Find("security-slack");
  ASSERT_NE(slack, nullptr);
  EXPECT_EQ(slack->type, TargetConfig::Type::kSlack);
  EXPECT_EQ(slack->webhook_url.reveal(), "https://hooks.slack.com/services/T000/B000/XXXXSECRET1");
  EXPECT_TRUE(slack->token.empty());
  EXPECT_EQ(slack->line, 7);

  const TargetConfig* bot = config->Find("security-bot");
  ASSERT_NE(bot, nullptr);
  EXPECT_EQ(bot->token.reveal(), "xoxb-XXXXSECRET8");  // one trailing newline stripped
  EXPECT_EQ(bot->channel, "C0123456789");
  EXPECT_EQ(bot->thread_window, std::chrono::minutes(30));
  EXPECT_DOUBLE_EQ(bot->rate_per_second, 0.5);
  EXPECT_EQ(bot->burst, 2);

  const TargetConfig* teams = config->Find("teams");
  ASSERT_NE(teams, nullptr);
  EXPECT_EQ(teams->type, TargetConfig::Type::kTeams);
  EXPECT_EQ(teams->timeout, std::chrono::seconds(20));

  const TargetConfig* siem = config->Find("siem");
  ASSERT_NE(siem, nullptr);
  EXPECT_EQ(siem->type, TargetConfig::Type::kWebhook);
  EXPECT_EQ(siem->url.reveal(), "https://siem.example.com/ingest");
  EXPECT_EQ(siem->headers.at("Authorization").reveal(), "Bearer XXXXSECRET3");
  EXPECT_EQ(siem->headers.at("X-Source").reveal(), "trailwatch");
  EXPECT_EQ(siem->hmac_secret.reveal(), "Bearer XXXXSECRET3");
  EXPECT_EQ(siem->max_concurrency, 4);
  EXPECT_EQ(siem->max_attempts, 10);
  EXPECT_EQ(siem->max_age, std::chrono::seconds(5400));
  ASSERT_TRUE(siem->input_transformer.has_value());
  EXPECT_EQ(siem->input_transformer->input_paths.at("who"), "$.detail.userIdentity.arn");
  EXPECT_EQ(siem->input_transformer->input_template, R"({"who": <who>, "text": "from <ip>"})");

  const TargetConfig* console = config->Find("console");
  ASSERT_NE(console, nullptr);
  EXPECT_EQ(console->type, TargetConfig::Type::kStdout);
  EXPECT_EQ(config->Find("nope"), nullptr);
}

TEST(TargetsConfigTest, DefaultsWhenOmitted) {
  Result<TargetsConfig> config = Load("targets:\n  - {name: console, type: stdout}\n");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->store, "./trailwatch.db");
  EXPECT_TRUE(config->accounts.empty());
  const TargetConfig& target = config->targets.at(0);
  EXPECT_EQ(target.max_concurrency, 1);
  EXPECT_DOUBLE_EQ(target.rate_per_second, 1.0);
  EXPECT_EQ(target.burst, 3);
  EXPECT_EQ(target.thread_window, std::chrono::minutes(15));
  EXPECT_EQ(target.timeout, std::chrono::seconds(10));
  EXPECT_EQ(target.max_attempts, 50);
  EXPECT_EQ(target.max_age, std::chrono::hours(24));
  EXPECT_FALSE(target.input_transformer.has_value());
  EXPECT_TRUE(target.group_rules);

  Result<TargetsConfig> empty = Load("");
  ASSERT_TRUE(empty.ok()) << empty.message();
  EXPECT_TRUE(empty->targets.empty());
}

// Issue 13, item 7: `group_rules` (every type; default true) is a YAML boolean.
TEST(TargetsConfigTest, GroupRulesIsABooleanOfEveryType) {
  Result<TargetsConfig> config = Load(
      "targets:\n"
      "  - {name: a, type: stdout, group_rules: false}\n"
      "  - {name: b, type: webhook, url: 'https://siem.example/x', group_rules: true}\n"
      "  - {name: c, type: slack, webhook_url: 'https://hooks.example/x', group_rules: false}\n"
      "  - {name: d, type: teams, webhook_url: 'https://teams.example/x', group_rules: false}\n");
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_FALSE(config->targets.at(0).group_rules);
  EXPECT_TRUE(config->targets.at(1).group_rules);
  EXPECT_FALSE(config->targets.at(2).group_rules);
  EXPECT_FALSE(config->targets.at(3).group_rules);
  EXPECT_EQ(LoadError("targets:\n  - {name: a, type: stdout, group_rules: 'no'}\n"),
            "trailwatch.yaml:2:42: targets[0] (a): group_rules must be true or false, not \"no\"");
  EXPECT_NE(LoadError("targets:\n  - {name: a, type: stdout, group_rule: false}\n")
                .find("unknown key \"group_rule\" (valid: "),
            std::string::npos);
  EXPECT_NE(LoadError("targets:\n  - {name: a, type: stdout, group_rule: false}\n")
                .find("group_rules"),
            std::string::npos)
      << "the valid keys name it";
}

TEST(TargetsConfigTest, UnknownKeyNamesFileLineColumnTargetAndKey) {
  EXPECT_EQ(LoadError(R"(targets:
  - name: security-slack
    type: slack
    webhook_url: https://hooks.slack.com/services/T/B/x
  - name: security-bot
    type: slack
    chanel: C0123456789
    token: xoxb-1
)")
                .substr(0, 68),
            R"(trailwatch.yaml:7:5: targets[1] (security-bot): unknown key "chanel")");
}

TEST(TargetsConfigTest, ErrorsNameFileLineColumnAndKey) {
  struct Case {
    std::string yaml;
    std::string expected_prefix;
  };
  const Case cases[] = {
      {"targets:\n  - type: stdout\n", "trailwatch.yaml:2:5: targets[0]: missing key \"name\""},
      {"targets:\n  - name: x\n", "trailwatch.yaml:2:5: targets[0] (x): missing key \"type\""},
      {"targets:\n  - {name: x, type: slak}\n",
       "trailwatch.yaml:2:21: targets[0] (x): unknown type \"slak\""},
      {"targets:\n  - {name: 'bad name', type: stdout}\n",
       "trailwatch.yaml:2:12: targets[0]: name \"bad name\" must be"},
      {"targets:\n  - {name: x, type: slack, url: 'https://a.example'}\n",
       "trailwatch.yaml:2:28: targets[0] (x): key \"url\" does not apply to type slack"},
      {"targets:\n  - {name: x, type: slack}\n",
       "trailwatch.yaml:2:5: targets[0] (x): missing webhook_url, or token and channel"},
      {"targets:\n  - {name: x, type: slack, webhook_url: 'https://h.example', token: t, channel: "
       "C0123456789}\n",
       "trailwatch.yaml:2:5: targets[0] (x): give either webhook_url"},
      {"targets:\n  - {name: x, type: slack, token: t}\n",
       "trailwatch.yaml:2:5: targets[0] (x): token needs channel"},
      {"targets:\n  - {name: x, type: slack, channel: C0123456789}\n",
       "trailwatch.yaml:2:5: targets[0] (x): channel needs token"},
      {"targets:\n  - {name: x, type: slack, token: t, channel: '#security'}\n",
       "trailwatch.yaml:2:47: targets[0] (x): channel must be a Slack channel id"},
      {"targets:\n  - {name: x, type: teams}\n",
       "trailwatch.yaml:2:5: targets[0] (x): missing key \"webhook_url\""},
      {"targets:\n  - {name: x, type: webhook}\n",
       "trailwatch.yaml:2:5: targets[0] (x): missing key \"url\""},
      {"targets:\n  - {name: x, type: stdout}\n  - {name: x, type: stdout}\n",
       "trailwatch.yaml:3:5: targets[1] (x): duplicate target name, first defined on line 2"},
      {"targets:\n  - {name: x, type: stdout, type: slack}\n",
       "trailwatch.yaml:2:29: targets[0]: duplicate key \"type\""},
      {"targets:\n  - {name: x, type: stdout, timeout: 15}\n",
       "trailwatch.yaml:2:38: targets[0] (x): timeout must be a duration"},
      {"targets:\n  - {name: x, type: stdout, timeout: 0s}\n",
       "trailwatch.yaml:2:38: targets[0] (x): timeout must be between 1s and 300s"},
      {"targets:\n  - {name: x, type: stdout, thread_window: 2d}\n",
       "trailwatch.yaml:2:29: targets[0] (x): key \"thread_window\" does not apply to type stdout"},
      {"targets:\n  - {name: x, type: slack, webhook_url: 'https://h.example', thread_window: "
       "2d}\n",
       "trailwatch.yaml:2:77: targets[0] (x): thread_window must be between 0s and 86400s"},
      {"targets:\n  - {name: x, type: stdout, max_age: forever}\n",
       "trailwatch.yaml:2:38: targets[0] (x): max_age must be a duration"},
      {"targets:\n  - {name: x, type: stdout, burst: 0}\n",
       "trailwatch.yaml:2:36: targets[0] (x): burst must be between 1 and 1000"},
      {"targets:\n  - {name: x, type: stdout, max_concurrency: 1.5}\n",
       "trailwatch.yaml:2:46: targets[0] (x): max_concurrency must be a whole number"},
      {"targets:\n  - {name: x, type: stdout, max_attempts: '3'}\n",
       "trailwatch.yaml:2:43: targets[0] (x): max_attempts must be a whole number"},
      {"targets:\n  - {name: x, type: stdout, rate_per_second: fast}\n",
       "trailwatch.yaml:2:46: targets[0] (x): rate_per_second must be a number"},
      {"targets:\n  - {name: x, type: stdout, rate_per_second: 0}\n",
       "trailwatch.yaml:2:46: targets[0] (x): rate_per_second must be above 0"},
      {"targets:\n  - {name: x, type: webhook, url: 'https://a.example', headers: [a]}\n",
       "trailwatch.yaml:2:65: targets[0] (x): headers must be a mapping"},
      {"targets:\n  - {name: x, type: webhook, url: 'https://a.example', headers: {Host: a}}\n",
       "trailwatch.yaml:2:66: targets[0] (x): header Host is set by trailwatch"},
      {"targets:\n  - {name: x, type: webhook, url: 'https://a.example', headers: "
       "{X-Trailwatch-Timestamp: '1'}}\n",
       "trailwatch.yaml:2:66: targets[0] (x): header X-Trailwatch-Timestamp is set by trailwatch"},
      {"targets:\n  - {name: x, type: webhook, url: 'https://a.example', headers: "
       "{user-agent: curl}}\n",
       "trailwatch.yaml:2:66: targets[0] (x): header user-agent is set by trailwatch"},
      {"targets:\n  - {name: x, type: webhook, url: 'https://a.example', headers: {'a b': c}}\n",
       "trailwatch.yaml:2:66: targets[0] (x): header name \"a b\" is not a valid name"},
      {"targets: {name: x}\n", "trailwatch.yaml:1:10: targets: must be a list of targets"},
      {"targets:\n  - just-a-string\n",
       "trailwatch.yaml:2:5: targets[0]: a target must be a mapping"},
      {"store: [a]\n", "trailwatch.yaml:1:8: store: store must be a single value"},
      {"accounts: [111122223333]\n",
       "trailwatch.yaml:1:11: accounts: must be a mapping of account id to alias"},
      {"accounts:\n  \"111122223333\": \n",
       "trailwatch.yaml:2:3: accounts[\"111122223333\"]: 111122223333 must be a single value"},
  };
  for (const Case& c : cases) {
    std::string error = LoadError(c.yaml);
    EXPECT_EQ(error.substr(0, c.expected_prefix.size()), c.expected_prefix)
        << "for:\n"
        << c.yaml << "got: " << error;
  }
}

TEST(TargetsConfigTest, AccountIdsAreTwelveDigitStrings) {
  Result<TargetsConfig> ok = Load("accounts: {'012345678901': a, 111122223333: b}\n");
  ASSERT_TRUE(ok.ok()) << ok.message();
  EXPECT_EQ(ok->accounts.at("012345678901"), "a");
  EXPECT_EQ(ok->accounts.at("111122223333"), "b");

  // An unquoted number that is not 12 digits lost its leading zeros (or will, in other tools).
  EXPECT_EQ(LoadError("accounts:\n  12345678901: prod\n"),
            "trailwatch.yaml:2:3: accounts: account id 12345678901 is not written as 12 digits; "
            "quote account ids (\"012345678901\") so that leading zeros are kept");
  EXPECT_NE(LoadError("accounts:\n  012345678901: prod\n").find("quote account ids"),
            std::string::npos);
  EXPECT_EQ(LoadError("accounts:\n  '12345678901': prod\n"),
            "trailwatch.yaml:2:3: accounts: account id \"12345678901\" must be 12 digits, like "
            "\"111122223333\"");
  EXPECT_NE(LoadError("accounts:\n  production: '111122223333'\n").find("must be 12 digits"),
            std::string::npos);
}

TEST(TargetsConfigTest, SubstitutesEnvironmentAndFileReferences) {
  TempFile two_newlines("secret-token\n\n");
  TempFile crlf("abc\r\n");
  EXPECT_EQ(*SubstituteReferences("a${env:SIEM_TOKEN}b", &FakeEnvironment), "aBearer XXXXSECRET3b");
  EXPECT_EQ(*SubstituteReferences("${file:" + crlf.path() + "}", &FakeEnvironment), "abc");
  // Exactly one trailing newline is removed.
  EXPECT_EQ(*SubstituteReferences("${file:" + two_newlines.path() + "}", &FakeEnvironment),
            "secret-token\n");
  EXPECT_EQ(*SubstituteReferences("literal $${env:X} and $5", &FakeEnvironment),
            "literal ${env:X} and $5");
  EXPECT_EQ(*SubstituteReferences("${env:EMPTY}", &FakeEnvironment), "");

  auto error = [](const std::string& text) {
    Result<std::string> value = SubstituteReferences(text, &FakeEnvironment);
    EXPECT_FALSE(value.ok()) << text;
    return value.ok() ? std::string() : value.message();
  };
  EXPECT_EQ(error("${env:MISSING}"), "${env:MISSING}: environment variable MISSING is not set");
  EXPECT_EQ(error("${env:1BAD}"), "${env:1BAD}: not an environment variable name");
  EXPECT_EQ(error("${file:/nonexistent/trailwatch/secret}"),
            "${file:/nonexistent/trailwatch/secret}: no such file");
  EXPECT_EQ(error("${vault:x}").substr(0, 32), "${vault:x}: unknown reference (u");
  EXPECT_EQ(error("xoxb-1${env:SIEM_TOKEN xoxb-2"),
            "unterminated reference at character 7 (\"${\" without \"}\")");

  // The real process environment is the default.
  setenv("TRAILWATCH_TEST_VARIABLE", "from-process", 1);
  EXPECT_EQ(*SubstituteReferences("${env:TRAILWATCH_TEST_VARIABLE}", nullptr), "from-process");
  unsetenv("TRAILWATCH_TEST_VARIABLE");

  // In the config, a missing variable is reported with position and key.
  EXPECT_EQ(LoadError("targets:\n  - {name: s, type: slack, webhook_url: '${env:NOPE}'}\n"),
            "trailwatch.yaml:2:41: targets[0] (s): webhook_url: ${env:NOPE}: environment "
            "variable NOPE is not set");
}

TEST(TargetsConfigTest, SecretsNeverAppearInErrors) {
  TempFile bad_url_file("ftp://XXXXSECRET9/path\n");
  const std::string configs[] = {
      // An http:// URL to a non-loopback host, from an environment variable.
      "targets:\n  - {name: s, type: slack, webhook_url: '${env:HTTP_SECRET_URL}'}\n",
      // Not a URL at all.
      "targets:\n  - {name: t, type: teams, webhook_url: '${env:NOT_A_URL}'}\n",
      // From a file.
      "targets:\n  - {name: w, type: webhook, url: '${file:" + bad_url_file.path() + "}'}\n",
      // Header injection attempt from a variable.
      "targets:\n  - {name: w, type: webhook, url: 'https://a.example', headers: "
      "{Authorization: '${env:BROKEN_HEADER}'}}\n",
      // A literal secret URL with http:// (a plain-text webhook URL is a secret too).
      "targets:\n  - {name: s, type: slack, webhook_url: "
      "'http://hooks.slack.com/services/T/B/XXXXSECRETA'}\n",
      // A channel from a variable that is not an id.
      "targets:\n  - {name: s, type: slack, token: '${env:SIEM_TOKEN}', channel: "
      "'${env:CHANNEL_SECRET}'}\n",
      // Empty secret.
      "targets:\n  - {name: w, type: webhook, url: 'https://a.example', hmac_secret: "
      "'${env:EMPTY}'}\n",
  };
  for (const std::string& yaml : configs) {
    std::string error = LoadError(yaml);
    EXPECT_EQ(error.find("XXXXSECRET"), std::string::npos) << error;
    EXPECT_EQ(error.find("Bearer"), std::string::npos) << error;
    EXPECT_EQ(error.find("hooks."), std::string::npos) << error;
  }
  // ...and the key is named instead.
  EXPECT_EQ(LoadError(configs[0]),
            "trailwatch.yaml:2:41: targets[0] (s): webhook_url: must be https:// (http:// is "
            "allowed only for loopback hosts: 127.0.0.1, localhost, [::1])");
  EXPECT_EQ(LoadError(configs[3]),
            "trailwatch.yaml:2:81: targets[0] (w): headers.Authorization contains a line break "
            "or NUL");
  EXPECT_EQ(LoadError(configs[6]), "trailwatch.yaml:2:69: targets[0] (w): hmac_secret is empty");

  std::ostringstream printed;
  printed << Secret("XXXXSECRETB");
  EXPECT_EQ(printed.str(), "<redacted>");
}

TEST(TargetsConfigTest, UrlsMustBeHttpsExceptLoopback) {
  for (const char* url :
       {"https://hooks.slack.com/services/T/B/x", "HTTPS://example.com", "https://[2001:db8::1]/x",
        "http://127.0.0.1:8080/hook", "http://127.3.4.5/", "http://localhost:9000/x",
        "http://LOCALHOST/", "http://[::1]:8443/x", "https://a.example:443"}) {
    EXPECT_EQ(CheckTargetUrl(url), "") << url;
  }
  for (const char* url :
       {"http://example.com/hook", "http://10.0.0.1/", "http://127.0.0.1.evil.example/",
        "http://127.0.0.1@evil.example/", "http://[::2]/", "ftp://example.com/",
        "hooks.slack.com/services/x", "https:///nohost", "https://a.example:99999/",
        "https://a.example/ x", "http://128.0.0.1/", "http://127.0.0/"}) {
    EXPECT_NE(CheckTargetUrl(url), "") << url;
  }
  Result<TargetsConfig> loopback =
      Load("targets:\n  - {name: w, type: webhook, url: 'http://127.0.0.1:8080/ingest'}\n");
  ASSERT_TRUE(loopback.ok()) << loopback.message();
  EXPECT_EQ(LoadError("targets:\n  - {name: w, type: webhook, url: 'http://siem.example/x'}\n"),
            "trailwatch.yaml:2:35: targets[0] (w): url: must be https:// (http:// is allowed "
            "only for loopback hosts: 127.0.0.1, localhost, [::1])");
}

TEST(TargetsConfigTest, ParsesDurations) {
  EXPECT_EQ(ParseDuration("10s"), std::chrono::seconds(10));
  EXPECT_EQ(ParseDuration("15m"), std::chrono::seconds(900));
  EXPECT_EQ(ParseDuration("24h"), std::chrono::seconds(86400));
  EXPECT_EQ(ParseDuration("1h30m"), std::chrono::seconds(5400));
  EXPECT_EQ(ParseDuration("2d"), std::chrono::seconds(172800));
  EXPECT_EQ(ParseDuration("0s"), std::chrono::seconds(0));
  for (const char* bad : {"", "15", "m", "1.5h", "10 s", "-1s", "1w", "99999999999999d"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

TEST(TargetsConfigTest, ValidatesInputTransformers) {
  Result<TargetsConfig> ok = Load(R"(targets:
  - name: s
    type: stdout
    input_transformer:
      input_paths: {first: '$.resources[0]', name: $.detail.event-name/x}
      input_template: "<first> <name> <aws.events.rule-name> <aws.events.event.json>"
)");
  ASSERT_TRUE(ok.ok()) << ok.message();

  auto error = [](const std::string& transformer) {
    return LoadError(
        "targets:\n  - name: s\n    type: stdout\n    input_transformer: " + transformer + "\n");
  };
  EXPECT_EQ(error("{input_paths: {a: $.a}}"),
            "trailwatch.yaml:4:24: targets[0] (s) input_transformer: input_template is required");
  EXPECT_EQ(error("{input_template: x, inputTemplate: y}"),
            "trailwatch.yaml:4:44: targets[0] (s) input_transformer: unknown key "
            "\"inputTemplate\" (valid: input_paths, input_template)");
  EXPECT_EQ(error("{input_template: '<who> did it'}"),
            "trailwatch.yaml:4:24: targets[0] (s) input_transformer: input_template: placeholder "
            "<who> is not defined in input_paths");
  EXPECT_EQ(error("{input_paths: {aws.x: $.a}, input_template: x}"),
            "trailwatch.yaml:4:39: targets[0] (s) input_transformer input_paths: name \"aws.x\" "
            "is reserved (names starting with aws.)");
  EXPECT_EQ(error("{input_paths: {a: '$.detail[*]'}, input_template: x}"),
            "trailwatch.yaml:4:42: targets[0] (s) input_transformer input_paths: a: JSON path "
            "\"$.detail[*]\": wildcards are not supported");
  EXPECT_EQ(error("{input_paths: {a: 'detail.x'}, input_template: x}"),
            "trailwatch.yaml:4:42: targets[0] (s) input_transformer input_paths: a: JSON path "
            "\"detail.x\": must start with \"$\" (like $.detail.eventName)");
  EXPECT_NE(error("{input_template: '<aws.events.rule-arn>'}").find("rule-arn> is not available"),
            std::string::npos);
  EXPECT_EQ(error("[a]"),
            "trailwatch.yaml:4:24: targets[0] (s): input_transformer must be a mapping with "
            "input_paths and input_template");
}

TEST(TargetsConfigTest, LoadsAFileAndReportsYamlErrorsWithPosition) {
  TempFile good("targets:\n  - {name: console, type: stdout}\n");
  Result<TargetsConfig> config = LoadTargetsConfigFile(good.path());
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->path, good.path());
  EXPECT_EQ(config->targets.size(), 1u);

  TempFile bad("targets:\n  - {name: console, type: stdout\n");
  Result<TargetsConfig> broken = LoadTargetsConfigFile(bad.path());
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.message().rfind(bad.path() + ":3:", 0), 0u) << broken.message();

  Result<TargetsConfig> missing = LoadTargetsConfigFile("/nonexistent/trailwatch.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.message(), "/nonexistent/trailwatch.yaml: no such file");
}

TEST(TargetsConfigTest, ParsesInputPaths) {
  Result<std::vector<InputPathStep>> steps = ParseInputPath("$.detail.resources[2].ARN");
  ASSERT_TRUE(steps.ok()) << steps.message();
  ASSERT_EQ(steps->size(), 4u);
  EXPECT_EQ((*steps)[0].field, "detail");
  EXPECT_EQ((*steps)[2].index, 2);
  EXPECT_EQ((*steps)[3].field, "ARN");
  EXPECT_TRUE(ParseInputPath("$").ok());
  EXPECT_TRUE(ParseInputPath("$.detail-type").ok());
  for (const char* bad : {"", "$.", "$..a", "$.a[x]", "$.a[", "$['a']", "$.*", "$a"}) {
    EXPECT_FALSE(ParseInputPath(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace trailwatch::config
