// `trailwatch scan s3://...` against moto_server on loopback (docs/reference/formats.md §9):
// key-layout discovery with pagination past 1,000 keys, an organization trail under a trail key
// prefix, pruning by account and day without listing pruned folders, digests never read, and wrong
// credentials.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "aws/moto_server_util.h"
#include "aws/s3_client.h"
#include "cli/cli_test_util.h"
#include "scan/scan_test_util.h"

namespace trailwatch::scan {
namespace {

using testing::Column;
using trailwatch::testing::ReadFixture;
using testing::Gzip;
using testing::LogFile;
using testing::LogKey;
using testing::ReadSummary;
using testing::Record;
using testing::RecordSpec;
using testing::RunWithEnvironment;
using trailwatch::testing::CommandResult;
using trailwatch::testing::MotoServer;
using trailwatch::testing::TempDir;

constexpr int kDayOneFiles = 1050;  // more than one ListObjectsV2 page

class ScanS3 : public trailwatch::testing::MotoSuiteBase {
 protected:
  static void SetUpTestSuite() {
    if (!StartMoto()) return;
    aws::S3ClientOptions options;
    options.endpoint = moto_->endpoint();
    aws::S3Client client(options,
                         std::make_shared<aws::CredentialsProvider>(moto_->TestEnvironment()));
    Status created = client.CreateBucket("trail");
    if (!created.ok()) {
      start_error_ = created.message();
      return;
    }
    // Day one: 1,050 files of one IAM sign-in each, and one of them also holds a root sign-in.
    std::atomic<int> next{0};
    std::atomic<bool> failed{false};
    std::vector<std::thread> writers;
    for (int t = 0; t < 8; ++t) {
      writers.emplace_back([&] {
        for (int i = next++; i < kDayOneFiles; i = next++) {
          RecordSpec spec;
          spec.event_id = "iam-" + std::to_string(i);
          spec.identity_type = "IAMUser";
          spec.user_name = "user" + std::to_string(i);
          std::vector<std::string> records = {Record(spec)};
          if (i == 517) {
            RecordSpec root;
            root.event_id = "root-day-one";
            records.push_back(Record(root));
          }
          char unique[17];
          std::snprintf(unique, sizeof unique, "%016d", i);
          std::string key = LogKey("111122223333", "us-east-1", "2024-05-01", "1205", unique);
          if (!client.Put("trail", key, Gzip(LogFile(records))).ok()) failed = true;
        }
      });
    }
    for (std::thread& writer : writers) writer.join();
    if (failed) {
      start_error_ = "could not upload the day-one files";
      return;
    }
    // An organization trail under a trail key prefix, day two.
    RecordSpec org;
    org.event_id = "root-org";
    org.account = "444455556666";
    org.region = "eu-west-1";
    org.time = "2024-05-02T09:00:00Z";
    std::string org_key = "org-trail/" + LogKey("444455556666", "eu-west-1", "2024-05-02", "0905",
                                                "OrgOrgOrgOrgOrg1", "o-abcdefghij");
    Status put = client.Put("trail", org_key, Gzip(LogFile({Record(org)})));
    // A digest and a non-CloudTrail object.
    if (put.ok()) {
      put = client.Put(
          "trail",
          "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/"
          "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T130000Z.json.gz",
          ReadFixture("aws/digest-vector/digest-file.json.gz"));
    }
    if (put.ok()) put = client.Put("trail", "notes/readme.txt", "hello");
    if (!put.ok()) start_error_ = put.message();
  }
  void SetUp() override {
    RequireMoto(false);
    ASSERT_EQ(start_error_, "");
  }

  // Runs scan with moto's dummy credentials and an empty HOME (no ~/.aws of the host).
  CommandResult Scan(std::vector<std::string> args, std::map<std::string, double>* summary) {
    std::string summary_path = home_.path() + "/summary.json";
    std::vector<std::string> full = {"scan"};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"--output", "jsonl", "--summary-json", summary_path});
    aws::Environment environment = moto_->TestEnvironment();
    environment["HOME"] = home_.path();
    CommandResult run = RunWithEnvironment(full, environment);
    *summary = ReadSummary(summary_path);
    return run;
  }

  TempDir home_;
};

TEST_F(ScanS3, WholeBucketPastOneThousandKeysAndAnOrgTrail) {
  std::map<std::string, double> summary;
  CommandResult run = Scan({"s3://trail/"}, &summary);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Column(run.out, "event_id"), (std::vector<std::string>{"root-day-one", "root-org"}));
  std::vector<std::string> origins = Column(run.out, "origin");
  ASSERT_EQ(origins.size(), 2u);
  EXPECT_EQ(origins[1].rfind("s3://trail/org-trail/AWSLogs/o-abcdefghij/444455556666/", 0), 0u);
  EXPECT_EQ(summary["files"], kDayOneFiles + 1);
  EXPECT_EQ(summary["records"], kDayOneFiles + 2);
  EXPECT_EQ(summary["skipped.s3_prefixes"], 1);  // CloudTrail-Digest/, never listed
  EXPECT_EQ(summary["skipped.digest"], 0);
}

TEST_F(ScanS3, PrunesAccountsAndDaysWithoutListingThem) {
  std::map<std::string, double> summary;
  CommandResult run = Scan({"s3://trail", "--accounts", "444455556666"}, &summary);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Column(run.out, "event_id"), std::vector<std::string>{"root-org"});
  EXPECT_EQ(summary["files"], 1);
  EXPECT_GE(summary["skipped.s3_prefixes"], 1);  // AWSLogs/111122223333/
  EXPECT_LT(summary["s3_list_requests"], 20);    // the 1,050-key day was never listed

  run =
      Scan({"s3://trail/", "--since", "2024-05-02", "--regions", "eu-west-1,us-east-1"}, &summary);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Column(run.out, "event_id"), std::vector<std::string>{"root-org"});
  EXPECT_EQ(summary["files"], 1);
}

TEST_F(ScanS3, ExplicitDayPrefixAndDigestFolder) {
  std::map<std::string, double> summary;
  CommandResult run =
      Scan({"s3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/"}, &summary);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(summary["files"], kDayOneFiles);
  EXPECT_GE(summary["s3_list_requests"], 2);  // two pages
  run = Scan({"s3://trail/AWSLogs/111122223333/CloudTrail-Digest/"}, &summary);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(summary["files"], 0);
  EXPECT_EQ(summary["skipped.digest"], 1);
  run = Scan({"s3://trail/notes/"}, &summary);  // no CloudTrail layout: listed flat
  EXPECT_EQ(summary["skipped.other"], 1);
}

TEST(ScanS3Credentials, WrongCredentialsFailWithAClearMessage) {
  MotoServer::Options options;
  options.initial_no_auth_action_count = 0;  // signatures and keys checked from the first call
  auto moto = MotoServer::Start(options);
  ASSERT_TRUE(moto.ok()) << moto.message();
  TempDir home;
  aws::Environment environment = (*moto)->TestEnvironment();
  environment["HOME"] = home.path();
  environment["AWS_ACCESS_KEY_ID"] = "AKIAUNKNOWNKEY000000";
  environment["AWS_SECRET_ACCESS_KEY"] = "wrong-secret-0123456789abcdefghijklmnopqrstuv";
  CommandResult run = RunWithEnvironment(
      {"scan", "s3://guarded/", "--endpoint-url", (*moto)->endpoint(), "--output", "jsonl"},
      environment);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("error: s3://guarded/"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("InvalidAccessKeyId"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("wrong-secret"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace trailwatch::scan
