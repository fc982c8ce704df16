// `trailwatch match`, run as a user runs it.
#include <gtest/gtest.h>
#include <zlib.h>

#include "cli/cli_test_util.h"

namespace trailwatch::testing {
namespace {

const std::string kExamples = std::string(TW_SOURCE_DIR) + "/examples";

TEST(MatchCommand, CountsEveryRuleOnTheExample) {
  CommandResult r = RunTrailwatch({"match", "--rules", kExamples + "/rules.yaml", "--events",
                                   kExamples + "/events.jsonl", "--print-matches"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Expected matches from docs/reference/formats.md §8 (root sign-in, 3.2, 3.3, 3.6 over the AWS
  // samples).
  std::string expected_lines =
      "{\"line\": 1, \"rules\": [\"root-signin\", \"console-signin-without-mfa\", \"root-activity\"]}\n"
      "{\"line\": 2, \"rules\": [\"root-signin\", \"root-activity\"]}\n"
      "{\"line\": 3, \"rules\": [\"root-signin\", \"root-activity\", \"console-signin-failures\"]}\n"
      "{\"line\": 4, \"rules\": [\"root-signin\", \"root-activity\"]}\n"
      "{\"line\": 5, \"rules\": [\"root-activity\"]}\n"
      "{\"line\": 6, \"rules\": [\"console-signin-without-mfa\"]}\n"
      "{\"line\": 8, \"rules\": [\"console-signin-failures\"]}\n";
  ASSERT_EQ(r.out.substr(0, expected_lines.size()), expected_lines);
  std::string summary = r.out.substr(expected_lines.size());
  EXPECT_EQ(summary.rfind(
                "{\"events\": 10, \"invalid\": 0, \"rules\": {\"root-signin\": 4, "
                "\"console-signin-without-mfa\": 2, \"root-activity\": 5, \"console-signin-failures\": 2}, "
                "\"seconds\": ",
                0),
            0u)
      << summary;
}

TEST(MatchCommand, MalformedLinesAreCountedAndNamed) {
  TempDir dir;
  std::string rules = dir.Write("rules.json", R"({"a": {"x": ["1"]}, "never": {"x": ["2"]}})");
  std::string events = dir.Write("events.jsonl", "{\"x\":\"1\"}\nnot json\n\n[1]\n{\"x\":\"1\"}\n");
  CommandResult r = RunTrailwatch({"match", "--rules", rules, "--events", events});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"events\": 4, \"invalid\": 2, \"rules\": {\"a\": 2, \"never\": 0}, ", 0), 0u)
      << r.out;
  EXPECT_NE(r.err.find(events + ":2: event is not valid JSON"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(events + ":4: event is not a JSON object"), std::string::npos) << r.err;
}

TEST(MatchCommand, ReadsStdinAndGzip) {
  TempDir dir;
  std::string rules = dir.Write("rules.yaml", "a:\n  x: ['1']\n");
  std::string lines;
  for (int i = 0; i < 1000; ++i) lines += i % 2 ? "{\"x\":\"1\"}\n" : "{\"x\":\"0\"}\n";
  CommandResult from_stdin = RunTrailwatch({"match", "--rules", rules, "--events", "-"}, lines);
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_EQ(from_stdin.out.rfind("{\"events\": 1000, \"invalid\": 0, \"rules\": {\"a\": 500}", 0), 0u)
      << from_stdin.out;

  std::string gz_path = dir.path() + "/events.jsonl.gz";
  gzFile gz = gzopen(gz_path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, lines.data(), static_cast<unsigned>(lines.size()));
  gzclose(gz);
  CommandResult from_gz = RunTrailwatch({"match", "--rules", rules, "--events", gz_path});
  EXPECT_EQ(from_gz.exit_code, 0) << from_gz.err;
  EXPECT_EQ(from_gz.out.rfind("{\"events\": 1000, \"invalid\": 0, \"rules\": {\"a\": 500}", 0), 0u)
      << from_gz.out;
}

TEST(MatchCommand, CorruptGzipIsReportedWithExit1) {
  TempDir dir;
  std::string rules = dir.Write("rules.yaml", "a:\n  x: ['1']\n");
  std::string lines;
  for (int i = 0; i < 20000; ++i) lines += "{\"x\":\"1\",\"pad\":\"" + std::to_string(i * 7919) + "\"}\n";
  std::string gz_path = dir.path() + "/bad.jsonl.gz";
  gzFile gz = gzopen(gz_path.c_str(), "wb");
  gzwrite(gz, lines.data(), static_cast<unsigned>(lines.size()));
  gzclose(gz);
  std::string bytes = ReadFile(gz_path);
  bytes[bytes.size() / 2] ^= 0x55;
  bytes[bytes.size() / 2 + 1] ^= 0x55;
  dir.Write("bad.jsonl.gz", bytes);
  CommandResult r = RunTrailwatch({"match", "--rules", rules, "--events", gz_path});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(gz_path), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("\"events\": "), std::string::npos);  // what was read is still reported
}

TEST(MatchCommand, RuleThatDoesNotCompileIsNamedWithTheAwsReason) {
  TempDir dir;
  std::string rules = dir.Write("rules.yaml",
                                "good:\n  source: [aws.signin]\nbad:\n  detail:\n    eventName: []\n");
  std::string events = dir.Write("events.jsonl", "{}\n");
  CommandResult r = RunTrailwatch({"match", "--rules", rules, "--events", events});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(rules + ":3: rule \"bad\": InvalidEventPatternException: Event pattern is not "
                               "valid. Reason: Empty arrays are not allowed"),
            std::string::npos)
      << r.err;
}

TEST(MatchCommand, MissingEventsFileIsAnError) {
  TempDir dir;
  std::string rules = dir.Write("rules.yaml", "a:\n  x: ['1']\n");
  CommandResult r = RunTrailwatch({"match", "--rules", rules, "--events", dir.path() + "/none.jsonl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("none.jsonl"), std::string::npos) << r.err;
}

TEST(MatchCommand, OverlongLineIsSkippedNotFatal) {
  TempDir dir;
  std::string rules = dir.Write("rules.yaml", "a:\n  x: ['1']\n");
  std::string huge = "{\"x\":\"1\",\"pad\":\"" + std::string(70u << 20, 'a') + "\"}";
  std::string events = dir.Write("events.jsonl", "{\"x\":\"1\"}\n" + huge + "\n{\"x\":\"1\"}\n");
  CommandResult r = RunTrailwatch({"match", "--rules", rules, "--events", events});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"events\": 2, \"invalid\": 1, \"rules\": {\"a\": 2}", 0), 0u) << r.out;
  EXPECT_NE(r.err.find(":2: line too long"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace trailwatch::testing
