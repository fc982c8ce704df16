// S3Source against moto_server on loopback: the single-account and organization-trail layouts,
// start_date, digests never read, new files on the next poll, out-of-order files within the
// lookback, checkpoint resume across a restart, Submit failures retried, bad objects skipped.
#include "sources/s3_source.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "aws/moto_server_util.h"
#include "aws/s3_client.h"
#include "cli/cli_test_util.h"
#include "scan/scan_test_util.h"
#include "sources/source_test_util.h"

namespace trailwatch::sources {
namespace {

using scan::testing::Gzip;
using scan::testing::GzippedLogWith;
using scan::testing::LogFile;
using scan::testing::LogKey;
using scan::testing::Record;
using scan::testing::RecordSpec;
using testing::RecordingSink;
using testing::RunningSource;
using testing::Sorted;
using testing::TestContext;
using testing::WaitFor;
using trailwatch::testing::MotoServer;
using trailwatch::testing::TempDir;

TEST(S3SourceLookbackTest, StartsFifteenMinutesBeforeTheLastDeliveryMinute) {
  const std::string prefix = "AWSLogs/111122223333/CloudTrail/us-east-1/";
  EXPECT_EQ(
      S3Source::LookbackStartAfter(
          prefix, prefix + "2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1205Z_x.json.gz"),
      prefix + "2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1150Z");
  // Across midnight the day folder changes too.
  EXPECT_EQ(
      S3Source::LookbackStartAfter(
          prefix, prefix + "2024/05/02/111122223333_CloudTrail_us-east-1_20240502T0005Z_x.json.gz"),
      prefix + "2024/05/01/111122223333_CloudTrail_us-east-1_20240501T2350Z");
  // No delivery minute: the key itself.
  EXPECT_EQ(S3Source::LookbackStartAfter(prefix, prefix + "odd-name.json.gz"),
            prefix + "odd-name.json.gz");
}

class S3SourceTest : public trailwatch::testing::MotoSuiteBase {
 protected:

  void SetUp() override {
    RequireMoto(true);
    if (HasFatalFailure()) return;
    aws::S3ClientOptions options;
    options.endpoint = moto_->endpoint();
    client_ = std::make_unique<aws::S3Client>(
        options, std::make_shared<aws::CredentialsProvider>(moto_->TestEnvironment()));
    ASSERT_TRUE(client_->CreateBucket("trail").ok());
  }

  void Put(const std::string& key, const std::string& bytes) {
    Status put = client_->Put("trail", key, bytes);
    ASSERT_TRUE(put.ok()) << put.message();
  }

  S3SourceConfig Config(const std::string& prefix = "") {
    S3SourceConfig config;
    config.bucket = "trail";
    config.prefix = prefix;
    config.start_date = "2024-05-01";
    return config;
  }
  S3SourceOptions Options() {
    S3SourceOptions options;
    options.environment = moto_->TestEnvironment();
    options.poll_interval = std::chrono::milliseconds(100);
    return options;
  }
  double Objects(TestContext& context, const std::string& name, const char* result) {
    return context.metrics().Get("trailwatch_source_objects_total",
                                 {{"source", name}, {"result", result}});
  }

  std::unique_ptr<aws::S3Client> client_;
  TempDir dir_;
};

TEST_F(S3SourceTest, ReadsBothLayoutsThenNewFilesAndResumesAfterARestart) {
  // Before start_date: never read.
  Put(LogKey("111122223333", "us-east-1", "2024-04-30", "2355", "OLDOLDOLDOLDOLD1"),
      GzippedLogWith({"too-old"}));
  Put(LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "AAAAAAAAAAAAAAAA"),
      GzippedLogWith({"a-1", "a-2"}));
  Put("team/" + LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "TEAMTEAMTEAMTEAM"),
      GzippedLogWith({"other-prefix"}));  // under another trail prefix: not this source's
  Put(LogKey("444455556666", "eu-west-1", "2024-05-01", "1201", "ORGORGORGORGORG1", "o-abcdefghij"),
      GzippedLogWith({"org-1"}));
  Put("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/"
      "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T130000Z.json.gz",
      "a digest: never listed");

  TestContext context(dir_.path() + "/tw.db");
  RecordingSink sink;
  const std::string name = "s3://trail/";
  {
    S3Source source(Config(), context.context(), Options());
    EXPECT_EQ(source.name(), name);
    RunningSource running(source, sink);
    ASSERT_TRUE(WaitFor([&] { return sink.size() == 3; })) << context.log_text();
    // The next file of an existing prefix, and one a minute *earlier* than the last one read
    // that became visible late (within the 15 minute lookback).
    Put(LogKey("111122223333", "us-east-1", "2024-05-01", "1210", "BBBBBBBBBBBBBBBB"),
        GzippedLogWith({"a-3"}));
    ASSERT_TRUE(WaitFor([&] { return sink.size() == 4; })) << context.log_text();
    Put(LogKey("111122223333", "us-east-1", "2024-05-01", "1205", "LATELATELATELATE"),
        GzippedLogWith({"a-late"}));
    ASSERT_TRUE(WaitFor([&] { return sink.size() == 5; })) << context.log_text();
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // several more polls
    ASSERT_TRUE(running.Stop().ok());
  }
  EXPECT_EQ(Sorted(sink.event_ids()),
            (std::vector<std::string>{"a-1", "a-2", "a-3", "a-late", "org-1"}));
  EXPECT_EQ(Objects(context, name, "read"), 4);
  for (const SourceEvent& event : sink.events()) {
    EXPECT_TRUE(event.origin.starts_with("s3://trail/AWSLogs/")) << event.origin;
  }

  // Stopped: one file arrives. The restart reads exactly that one.
  Put(LogKey("444455556666", "eu-west-1", "2024-05-01", "1300", "ORGORGORGORGORG2", "o-abcdefghij"),
      GzippedLogWith({"org-2"}));
  TestContext again(dir_.path() + "/tw.db");
  RecordingSink after;
  {
    S3Source source(Config(), again.context(), Options());
    RunningSource running(source, after);
    ASSERT_TRUE(WaitFor([&] { return after.size() == 1; })) << again.log_text();
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    ASSERT_TRUE(running.Stop().ok());
  }
  EXPECT_EQ(after.event_ids(), std::vector<std::string>{"org-2"});
}

TEST_F(S3SourceTest, TrailKeyPrefixAndAFreshStartBeginsToday) {
  Put("team/" + LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "AAAAAAAAAAAAAAAA"),
      GzippedLogWith({"yesterday"}));
  Put("team/" + LogKey("111122223333", "us-east-1", "2024-05-02", "0010", "BBBBBBBBBBBBBBBB"),
      GzippedLogWith({"today"}));
  TestContext context(dir_.path() + "/tw.db");
  RecordingSink sink;
  S3SourceConfig config = Config("team/");
  config.start_date.clear();
  S3SourceOptions options = Options();
  options.today = "2024-05-02";
  S3Source source(config, context.context(), options);
  RunningSource running(source, sink);
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context.log_text();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(sink.event_ids(), std::vector<std::string>{"today"});
}

TEST_F(S3SourceTest, SubmitFailuresAreRetriedAndBadObjectsSkipped) {
  Put(LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "BADBADBADBADBADB"),
      "not a CloudTrail file");
  Put(LogKey("111122223333", "us-east-1", "2024-05-01", "1205", "AAAAAAAAAAAAAAAA"),
      GzippedLogWith({"a-1"}));
  TestContext context(dir_.path() + "/tw.db");
  RecordingSink sink;
  sink.fail = true;
  const std::string name = "s3://trail/";
  S3Source source(Config(), context.context(), Options());
  RunningSource running(source, sink);
  ASSERT_TRUE(WaitFor([&] { return sink.failed_calls >= 2; })) << context.log_text();
  EXPECT_EQ(sink.size(), 0u);
  sink.fail = false;
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context.log_text();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(sink.event_ids(), std::vector<std::string>{"a-1"});
  EXPECT_EQ(Objects(context, name, "failed"), 1);  // once: recorded, not retried every poll
  EXPECT_NE(context.log_text().find("BADBADBADBADBADB"), std::string::npos);
}

TEST_F(S3SourceTest, NewAccountsAreDiscoveredAndOtherKeysSkipped) {
  Put(LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "AAAAAAAAAAAAAAAA"),
      GzippedLogWith({"a-1"}));
  Put("AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/notes.txt", "not a log file");
  TestContext context(dir_.path() + "/tw.db");
  RecordingSink sink;
  const std::string name = "s3://trail/";
  S3Source source(Config(), context.context(), Options());
  RunningSource running(source, sink);
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context.log_text();
  // A new account (and region) appears: found by the discovery every tenth poll.
  Put(LogKey("777788889999", "ap-southeast-2", "2024-05-01", "1300", "NEWNEWNEWNEWNEW1"),
      GzippedLogWith({"new-account"}));
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 2; })) << context.log_text();
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(sink.event_ids(), (std::vector<std::string>{"a-1", "new-account"}));
  EXPECT_EQ(Objects(context, name, "skipped"), 1);
}

}  // namespace
}  // namespace trailwatch::sources
