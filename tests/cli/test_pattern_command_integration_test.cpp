// `trailwatch test-pattern`, run as a user runs it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

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
  EXPECT_EQ(r.err, "ValidationException: Parameter Event is not valid. (missing \"id\")\n");
}

// What AWS accepts (docs/reference/event-patterns.md §8): the six fields present, `resources`
// and `detail` optional, types unchecked.
const char kNoResources[] =
    R"({"id":"1","account":"111122223333","source":"aws.signin","time":"2024-01-01T00:00:00Z",)"
    R"("region":"us-east-1","detail-type":"AWS Console Sign In via CloudTrail",)"
    R"("detail":{"userIdentity":{"type":"Root"}}})";

TEST(TestPatternCommand, EventWithoutResourcesIsMatchedAsAwsDoes) {
  CommandResult r = RunTrailwatch({"test-pattern", "--event-pattern", kPattern, "--event", kNoResources});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"Result\": true}\n");
}

TEST(TestPatternCommand, ArrayDetailTypeIsAcceptedAndMatchedAsAnArray) {
  const std::string event =
      R"({"id":"1","account":"1","source":"aws.signin","time":"t","region":"r",)"
      R"("detail-type":["Other","AWS CONSOLE SIGN IN VIA CLOUDTRAIL"]})";
  CommandResult r = RunTrailwatch(
      {"test-pattern", "--event-pattern",
       R"({"detail-type":[{"equals-ignore-case":"aws console sign in via cloudtrail"}]})", "--event",
       event});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"Result\": true}\n");
}

TEST(TestPatternCommand, MissingPatternFileNamesThePath) {
  CommandResult r = RunTrailwatch(
      {"test-pattern", "--event-pattern", "file:///nonexistent/p.json", "--event", kRootEvent});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/p.json"), std::string::npos) << r.err;
}

TEST(TestPatternCommand, FileArgumentsMustBeOrdinaryFiles) {
  // /proc/self/environ holds the process environment: refused, and nothing of it is printed.
  std::map<std::string, std::string> environment = {{"TW_CANARY", "canary-3b9c"}};
  CommandResult proc =
      RunTrailwatch({"test-pattern", "--event-pattern", "file:///proc/self/environ", "--event",
                     kRootEvent},
                    "", &environment);
  EXPECT_EQ(proc.exit_code, 2);
  EXPECT_EQ(proc.err,
            "error: --event-pattern: cannot read /proc/self/environ: a /proc or /sys file is not "
            "accepted\n");
  EXPECT_EQ((proc.out + proc.err).find("canary"), std::string::npos);
  CommandResult zero =
      RunTrailwatch({"test-pattern", "--event-pattern", kPattern, "--event", "file:///dev/zero"});
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_EQ(zero.err,
            "error: --event: cannot read /dev/zero: not a regular file (a directory, device, FIFO "
            "or socket)\n");
}

TEST(TestPatternCommand, AFifoIsRefusedAtOnce) {
  TempDir dir;
  std::string fifo = dir.path() + "/pattern.json";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // Bounded even if the refusal broke: after 5 s a writer opens and closes the FIFO, which ends a
  // reader blocked in open() (the test then fails instead of hanging).
  std::atomic<bool> done{false};
  std::thread unblock([&] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    while (!done) {
      int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd >= 0) close(fd);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  auto started = std::chrono::steady_clock::now();
  CommandResult r =
      RunTrailwatch({"test-pattern", "--event-pattern", "file://" + fifo, "--event", kRootEvent});
  done = true;
  unblock.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(fifo + ": not a regular file"), std::string::npos) << r.err;
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
