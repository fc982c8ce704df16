// `trailwatch test-pattern`, run as a user runs it.
#include <gtest/gtest.h>

#include "cli/cli_test_util.h"

namespace trailwatch::testing {
namespace {

const char kPattern[] =
    R"({"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}})";
const std::string kRootEvent = std::string("file://") + TW_FIXTURES_DIR +
                               "/aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json";

TEST(TestPatternCommand, PrintsResultTrueLikeTheAwsCli) {
  CommandResult r = RunTrailwatch({"test-pattern", "--event-pattern", kPattern, "--event", kRootEvent});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"Result\": true}\n");
  EXPECT_EQ(r.err, "");
}

TEST(TestPatternCommand, PrintsResultFalse) {
  CommandResult r = RunTrailwatch(
      {"test-pattern", "--event-pattern", R"({"detail":{"userIdentity":{"type":["IAMUser"]}}})",
       "--event", kRootEvent});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"Result\": false}\n");
}

TEST(TestPatternCommand, PatternFromFile) {
  TempDir dir;
  std::string path = dir.Write("p.json", kPattern);
  CommandResult r = RunTrailwatch({"test-pattern", "--event-pattern", "file://" + path, "--event", kRootEvent});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"Result\": true}\n");
}

TEST(TestPatternCommand, InvalidPatternGivesTheAwsReasonAndExit2) {
  CommandResult r = RunTrailwatch(
      {"test-pattern", "--event-pattern", R"({"detail":{"userIdentity":{"type":"Root"}}})", "--event", kRootEvent});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "InvalidEventPatternException: Event pattern is not valid. Reason: \"type\" must be an "
            "object or an array\n");
}

TEST(TestPatternCommand, InvalidEventJsonIsAClearErrorWithExit2) {
  CommandResult r = RunTrailwatch({"test-pattern", "--event-pattern", kPattern, "--event", "{\"id\":"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("Parameter Event is not valid."), std::string::npos) << r.err;
}

TEST(TestPatternCommand, EventMustCarryTheEnvelopeFields) {
  CommandResult r = RunTrailwatch({"test-pattern", "--event-pattern", kPattern, "--event",
                                   R"({"detail-type":"AWS Console Sign In via CloudTrail"})"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing field \"id\""), std::string::npos) << r.err;
}

TEST(TestPatternCommand, MissingPatternFileNamesThePath) {
  CommandResult r = RunTrailwatch(
      {"test-pattern", "--event-pattern", "file:///nonexistent/p.json", "--event", kRootEvent});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/p.json"), std::string::npos) << r.err;
}

TEST(TestPatternCommand, MissingOptionIsAUsageError) {
  CommandResult r = RunTrailwatch({"test-pattern", "--event-pattern", kPattern});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(TestPatternCommand, PatternSizeLimitIsConfigurable) {
  std::string big = R"({"detail":{"eventName":[)";
  for (int i = 0; i < 300; ++i) big += (i ? ",\"" : "\"") + std::string("Name") + std::to_string(i) + "\"";
  big += "]}}";
  ASSERT_GT(big.size(), 2048u);
  CommandResult limited = RunTrailwatch({"test-pattern", "--event-pattern", big, "--event", kRootEvent});
  EXPECT_EQ(limited.exit_code, 2);
  EXPECT_NE(limited.err.find("Reason: Event pattern exceeds 2048 characters"), std::string::npos)
      << limited.err;
  CommandResult raised = RunTrailwatch(
      {"test-pattern", "--event-pattern", big, "--event", kRootEvent, "--max-pattern-chars", "4096"});
  EXPECT_EQ(raised.exit_code, 0) << raised.err;
  EXPECT_EQ(raised.out, "{\"Result\": false}\n");
}

}  // namespace
}  // namespace trailwatch::testing
