// One CLI voice (issue 13, items 3 and 5): usage errors in trailwatch's words on one "error: "
// line, file:// wherever a file is read, every command logging in `run`'s format on stderr, and
// alerts on stdout never mixed with log text within a line.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_test_util.h"
#include "targets/fake_servers_util.h"

namespace trailwatch {
namespace {

using testing::FakeHttpServer;
using testing::FakeResponse;
using testing::RunTrailwatch;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void ExpectEveryLineIsAnError(const std::string& err) {
  ASSERT_FALSE(err.empty());
  for (const std::string& line : Lines(err)) {
    EXPECT_EQ(line.rfind("error: ", 0), 0u) << "not an error line: " << line;
  }
}

// A JSON object with `key`, like every log line (`level`) or alert (`rule`) off a terminal.
bool IsJsonObjectWith(const std::string& line, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(line).get(object) != simdjson::SUCCESS) return false;
  simdjson::dom::element value;
  return object[key].get(value) == simdjson::SUCCESS;
}

TEST(CliVoice, UnknownCommandIsNamedWithTheListOfCommands) {
  auto result = RunTrailwatch({"bogus"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err.rfind("error: unknown command 'bogus'", 0), 0u) << result.err;
  for (const char* command : {"run", "validate", "send-test", "outbox", "scan", "match"}) {
    EXPECT_NE(result.err.find(command), std::string::npos) << command << " in " << result.err;
  }
  ExpectEveryLineIsAnError(result.err);
}

TEST(CliVoice, UnknownSubcommandOfOutboxListsOutboxCommands) {
  auto result = RunTrailwatch({"outbox", "bogus"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err.rfind("error: unknown command 'bogus'", 0), 0u) << result.err;
  EXPECT_NE(result.err.find("list"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("enqueue-sample"), std::string::npos) << result.err;
}

TEST(CliVoice, NoCommandIsAnErrorLine) {
  auto result = RunTrailwatch({});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err.rfind("error: a command is required", 0), 0u) << result.err;
  ExpectEveryLineIsAnError(result.err);
}

TEST(CliVoice, ParseErrorsOfCli11StartWithError) {
  auto missing = RunTrailwatch({"validate"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--config is required"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("trailwatch validate --help"), std::string::npos) << missing.err;
  ExpectEveryLineIsAnError(missing.err);
  auto unknown_option = RunTrailwatch({"match", "--rules", "x", "--events", "y", "--bogus"});
  EXPECT_EQ(unknown_option.exit_code, 2);
  ExpectEveryLineIsAnError(unknown_option.err);
  // --help still prints the help on stdout and succeeds.
  auto help = RunTrailwatch({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("send-test"), std::string::npos);
}

TEST(CliVoice, MissingConfigFileSaysWhy) {
  auto result = RunTrailwatch({"validate", "--config", "/nonexistent/trailwatch.yaml"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("/nonexistent/trailwatch.yaml: no such file"), std::string::npos)
      << result.err;
  ExpectEveryLineIsAnError(result.err);
}

TEST(CliVoice, FileUrlAndPlainPathAreBothAcceptedForFiles) {
  testing::TempDir dir;
  std::string rules = dir.Write("rules.yaml", "root: {\"detail-type\": [\"AWS Console Sign In via CloudTrail\"]}\n");
  std::string events = dir.Write(
      "events.jsonl",
      "{\"detail-type\":\"AWS Console Sign In via CloudTrail\",\"source\":\"aws.signin\"}\n");
  auto plain = RunTrailwatch({"match", "--rules", rules, "--events", events});
  auto url = RunTrailwatch({"match", "--rules", "file://" + rules, "--events", "file://" + events});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(url.exit_code, 0) << url.err;
  EXPECT_NE(plain.out.find("\"root\": 1"), std::string::npos) << plain.out;
  EXPECT_NE(url.out.find("\"root\": 1"), std::string::npos) << url.out;
  auto validate = RunTrailwatch(
      {"validate", "--config", "file://" + dir.path() + "/nonexistent.yaml"});
  EXPECT_NE(validate.err.find(dir.path() + "/nonexistent.yaml: no such file"), std::string::npos)
      << validate.err;
}

// send-test to one target while another configured target has queued alerts: no warning that
// the other is "not in the configuration", and the log lines are `run`'s (JSON off a terminal).
TEST(CliVoice, SendTestLogsLikeRunAndKnowsTheOtherTargets) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  testing::TempDir dir;
  std::string config = dir.Write("trailwatch.yaml",
                                 "store: " + dir.path() + "/trailwatch.db\n" +
                                     "targets:\n"
                                     "  - {name: slack, type: slack, webhook_url: '" +
                                     fake.Url("/services/T0/B0/X") + "'}\n" +
                                     "  - {name: wh, type: webhook, url: '" + fake.Url("/hook") +
                                     "'}\n");
  auto queued =
      RunTrailwatch({"outbox", "enqueue-sample", "--config", config, "--target", "slack", "--count", "1"});
  ASSERT_EQ(queued.exit_code, 0) << queued.err;
  auto result = RunTrailwatch({"send-test", "--config", config, "--target", "wh"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.err.find("not in the configuration"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("[trailwatch]"), std::string::npos) << result.err;
  for (const std::string& line : Lines(result.err)) {
    EXPECT_TRUE(IsJsonObjectWith(line, "level")) << "not a log line: " << line;
  }
}

// outbox list/retry/purge send nothing: they run without the configuration's secrets.
TEST(CliVoice, OutboxCommandsNeedNoSecrets) {
  testing::TempDir dir;
  std::string config = dir.Write(
      "trailwatch.yaml", "store: " + dir.path() +
                             "/trailwatch.db\n"
                             "targets:\n"
                             "  - {name: slack, type: slack, webhook_url: "
                             "'${env:TRAILWATCH_TEST_UNSET_WEBHOOK}'}\n"
                             "  - {name: hook, type: webhook, url: '${file:missing-secret}'}\n");
  std::map<std::string, std::string> environment;  // only PATH
  auto list = RunTrailwatch({"outbox", "list", "--config", config}, "", &environment);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("STATE"), std::string::npos) << list.out;
  auto purge =
      RunTrailwatch({"outbox", "purge", "--config", config, "--dead"}, "", &environment);
  EXPECT_EQ(purge.exit_code, 0) << purge.err;
  EXPECT_NE(purge.out.find("0 entries purged"), std::string::npos) << purge.out;
  // A command that sends still needs them, and says which.
  auto send = RunTrailwatch({"send-test", "--config", config, "--target", "slack"}, "",
                            &environment);
  EXPECT_EQ(send.exit_code, 2);
  EXPECT_NE(send.err.find("TRAILWATCH_TEST_UNSET_WEBHOOK"), std::string::npos) << send.err;
  ExpectEveryLineIsAnError(send.err);
}

std::string StdoutConfig(const testing::TempDir& dir) {
  return dir.Write("trailwatch.yaml", "store: " + dir.path() +
                                          "/trailwatch.db\n"
                                          "targets:\n"
                                          "  - {name: out, type: stdout, rate_per_second: 100,"
                                          " burst: 100}\n");
}

// Many alerts (40, sent one at a time, each with its debug log lines; the rate is raised from the
// default 1 per second so that the test takes a second, not 40) to the stdout target: stdout
// holds only alerts, one per line.
TEST(CliVoice, StdoutHoldsOnlyAlertsAndTheLogGoesToStderr) {
  testing::TempDir dir;
  std::string config = StdoutConfig(dir);
  auto queued = RunTrailwatch(
      {"outbox", "enqueue-sample", "--config", config, "--target", "out", "--count", "40"});
  ASSERT_EQ(queued.exit_code, 0) << queued.err;
  auto result = RunTrailwatch({"deliver", "--config", config, "--until-empty", "--verbose"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  int alerts = 0;
  for (const std::string& line : Lines(result.out)) {
    if (IsJsonObjectWith(line, "rule")) {
      ++alerts;
    } else {
      EXPECT_EQ(line.find("\"level\""), std::string::npos) << "log text on stdout: " << line;
    }
  }
  EXPECT_EQ(alerts, 40) << result.out;
  for (const std::string& line : Lines(result.err)) {
    EXPECT_TRUE(IsJsonObjectWith(line, "level")) << "not a log line: " << line;
  }
}

// stdout and stderr on one pipe (a terminal's situation): every line is a whole alert or a whole
// log line, never a mix (one write(2) per alert and per log line).
TEST(CliVoice, AlertsAndLogLinesDoNotInterleaveOnOnePipe) {
  testing::TempDir dir;
  std::string config = StdoutConfig(dir);
  auto queued = RunTrailwatch(
      {"outbox", "enqueue-sample", "--config", config, "--target", "out", "--count", "40"});
  ASSERT_EQ(queued.exit_code, 0) << queued.err;
  std::string command = std::string("'") + TW_BINARY + "' deliver --config '" + config +
                        "' --until-empty --verbose 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string both;
  char buffer[65536];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) both.append(buffer, n);
  ASSERT_EQ(pclose(pipe), 0) << both;
  int alerts = 0;
  for (const std::string& line : Lines(both)) {
    if (IsJsonObjectWith(line, "rule")) {
      ++alerts;
    } else if (!IsJsonObjectWith(line, "level")) {
      // The deliver summary (a plain line) is the only other output.
      EXPECT_EQ(line.find('{'), std::string::npos) << "mixed line: " << line;
    }
  }
  EXPECT_EQ(alerts, 40);
}

}  // namespace
}  // namespace trailwatch
