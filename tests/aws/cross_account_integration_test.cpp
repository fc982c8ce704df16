// Per-source identity (role_arn) end to end.
//
// With IAM enforced (moto_server with INITIAL_NO_AUTH_ACTION_COUNT): the process's own user may
// only call sts:AssumeRole; the trail bucket and its notification queue are readable only by the
// role `log-reader` (the log-archive account's role of docs/aws-credentials.md). An S3 client and
// the sqs source read them through role_arn and are refused without it.
//
// moto 5.2 refuses the signature of any S3 request whose query holds a '/' once IAM is enforced
// (boto3's own ListObjectsV2 with Prefix="AWSLogs/" gets SignatureDoesNotMatch too), and the s3
// source and `trailwatch scan` always list with prefix "AWSLogs/" or delimiter "/". So those two
// are tested against moto without enforcement: they read through role_arn / --role-arn, and an
// STS that refuses the role makes them fail naming the role, which shows the role is what they use.
//
// Neither the user's secret key nor the session credentials appear in any log or error.
#include <gtest/gtest.h>

#include <filesystem>

#include "aws/credentials.h"
#include "aws/fake_sts_util.h"
#include "aws/moto_server_util.h"
#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "cli/cli_test_util.h"
#include "scan/scan_test_util.h"
#include "sources/s3_source.h"
#include "sources/source_test_util.h"
#include "sources/sqs_source.h"
#include "targets/fake_servers_util.h"

namespace trailwatch::aws {
namespace {

using sources::testing::RecordingSink;
using sources::testing::RunningSource;
using sources::testing::TestContext;
using sources::testing::WaitFor;
using trailwatch::testing::FakeHttpServer;
using trailwatch::testing::FakeRequest;
using trailwatch::testing::FakeResponse;
using trailwatch::testing::FormValue;
using trailwatch::testing::MotoServer;
using trailwatch::testing::StsErrorXml;
using trailwatch::testing::TempDir;
using trailwatch::testing::XmlText;

constexpr const char* kBucket = "org-trail";
constexpr const char* kRoleArn = "arn:aws:iam::123456789012:role/log-reader";
constexpr const char* kEventId = "root-signin-in-log-archive";

std::string LogKey() {
  return scan::testing::LogKey("444455556666", "us-east-1", "2024-05-01", "1200",
                               "AAAAAAAAAAAAAAAA");
}

std::string Log() {
  scan::testing::RecordSpec spec;
  spec.event_id = kEventId;
  return scan::testing::Gzip(scan::testing::LogFile({scan::testing::Record(spec)}));
}

Environment EnvironmentOf(const MotoServer& moto, const MotoServer::AccessKey& key) {
  return {{"AWS_ACCESS_KEY_ID", key.access_key_id},
          {"AWS_SECRET_ACCESS_KEY", key.secret_access_key},
          {"AWS_REGION", "us-east-1"},
          {"AWS_ENDPOINT_URL", moto.endpoint()},
          {"AWS_EC2_METADATA_DISABLED", "true"}};
}

// ---- IAM enforced --------------------------------------------------------------------------

class CrossAccountIamTest : public trailwatch::testing::MotoSuiteBase {
 protected:
  // 3 unauthenticated calls create the admin user (key_); everything after is checked by IAM.
  static void SetUpTestSuite() {
    if (!StartMoto({.initial_no_auth_action_count = 3}, "admin")) return;
    setup_error_ = Prepare();
  }

  static std::string Prepare() {
    auto iam = [](const std::string& form) {
      return moto_->QueryCall("iam", form + "&Version=2010-05-08", key_);
    };
    const std::string assume_only =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
        "\"sts:AssumeRole\",\"Resource\":\"" +
        std::string(kRoleArn) + "\"}]}";
    const std::string trust =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        "\"arn:aws:iam::123456789012:user/trailwatch\"},\"Action\":\"sts:AssumeRole\"}]}";
    const std::string read_trail =
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":"
        "\"arn:aws:s3:::org-trail/*\"},"
        "{\"Effect\":\"Allow\",\"Action\":[\"sqs:ReceiveMessage\",\"sqs:DeleteMessage\","
        "\"sqs:ChangeMessageVisibility\"],\"Resource\":"
        "\"arn:aws:sqs:us-east-1:123456789012:trail-objects\"}]}";
    for (const std::string& form : std::vector<std::string>{
             "Action=CreateUser&UserName=trailwatch",
             "Action=PutUserPolicy&UserName=trailwatch&PolicyName=assume&PolicyDocument=" +
                 FormValue(assume_only),
             "Action=CreateRole&RoleName=log-reader&AssumeRolePolicyDocument=" + FormValue(trust),
             "Action=PutRolePolicy&RoleName=log-reader&PolicyName=read-trail&PolicyDocument=" +
                 FormValue(read_trail)}) {
      auto answer = iam(form);
      if (!answer.ok()) return answer.message();
    }
    auto key = iam("Action=CreateAccessKey&UserName=trailwatch");
    if (!key.ok()) return key.message();
    user_ = {XmlText(*key, "AccessKeyId"), XmlText(*key, "SecretAccessKey")};

    auto admin = std::make_shared<CredentialsProvider>(EnvironmentOf(*moto_, key_));
    S3ClientOptions s3_options;
    s3_options.endpoint = moto_->endpoint();
    S3Client s3(s3_options, admin);
    if (Status s = s3.CreateBucket(kBucket); !s.ok()) return s.message();
    if (Status s = s3.Put(kBucket, LogKey(), Log()); !s.ok()) return s.message();
    SqsClientOptions sqs_options;
    sqs_options.endpoint = moto_->endpoint();
    SqsClient sqs(sqs_options, admin);
    auto queue = sqs.CreateQueue("trail-objects");
    if (!queue.ok()) return queue.message();
    queue_url_ = *queue;
    return "";
  }

  void SetUp() override {
    RequireMoto(false);
    if (HasFatalFailure()) return;
    ASSERT_EQ(setup_error_, "") << "\nmoto log:\n" << moto_->Log();
  }

  static void ExpectNoSecret(const std::string& text) {
    EXPECT_EQ(text.find(user_.secret_access_key), std::string::npos) << text;
    EXPECT_EQ(text.find(key_.secret_access_key), std::string::npos) << text;
  }

  static inline std::string setup_error_;
  static inline MotoServer::AccessKey user_;
  static inline std::string queue_url_;
  TempDir dir_;
};

TEST_F(CrossAccountIamTest, AnS3ClientReadsTheTrailOnlyThroughTheRole) {
  S3ClientOptions options;
  options.endpoint = moto_->endpoint();
  std::string body;
  S3Client own(options, std::make_shared<CredentialsProvider>(EnvironmentOf(*moto_, user_)));
  Status denied = own.Get(kBucket, LogKey(), &body);
  ASSERT_FALSE(denied.ok());
  EXPECT_NE(denied.message().find("AccessDenied"), std::string::npos) << denied.message();
  EXPECT_NE(denied.message().find("[credentials from environment]"), std::string::npos);
  ExpectNoSecret(denied.message());

  CredentialsOptions identity;
  identity.role_arn = kRoleArn;
  auto role = std::make_shared<CredentialsProvider>(EnvironmentOf(*moto_, user_), identity);
  S3Client through_role(options, role);
  Status read = through_role.Get(kBucket, LogKey(), &body);
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(body, Log());
  auto session = role->Get();
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->source, std::string("role ") + kRoleArn + " via environment");
}

TEST_F(CrossAccountIamTest, SqsSourceReadsQueueAndObjectsThroughRoleArn) {
  auto admin = std::make_shared<CredentialsProvider>(EnvironmentOf(*moto_, key_));
  SqsClientOptions sqs_options;
  sqs_options.endpoint = moto_->endpoint();
  SqsClient sqs(sqs_options, admin);
  const std::string notification =
      "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":"
      "\"us-east-1\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"" +
      std::string(kBucket) + "\"},\"object\":{\"key\":\"" + LogKey() + "\",\"size\":10}}}]}";
  auto sent = sqs.SendMessage(queue_url_, notification);
  ASSERT_TRUE(sent.ok()) << sent.message();

  sources::SqsSourceConfig config;
  config.queue_url = queue_url_;
  config.wait_time = std::chrono::seconds(1);
  config.visibility_timeout = std::chrono::seconds(10);
  sources::SqsSourceOptions options;
  options.environment = EnvironmentOf(*moto_, user_);

  // Its own identity may not receive from the queue.
  {
    TestContext context(dir_.path() + "/denied.db");
    RecordingSink sink;
    sources::SqsSource source(config, context.context(), options);
    RunningSource running(source, sink);
    ASSERT_TRUE(WaitFor([&] {
      return context.log_text().find("AccessDenied") != std::string::npos;
    })) << context.log_text();
    EXPECT_TRUE(running.Stop().ok());
    EXPECT_EQ(sink.size(), 0u);
    ExpectNoSecret(context.log_text());
  }

  config.aws.role_arn = kRoleArn;
  config.aws.role_session_name = "trailwatch-sqs";
  TestContext context(dir_.path() + "/tw.db");
  RecordingSink sink;
  {
    sources::SqsSource source(config, context.context(), options);
    RunningSource running(source, sink);
    ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context.log_text();
    ASSERT_TRUE(running.Stop().ok());
  }
  EXPECT_EQ(sink.event_ids(), std::vector<std::string>{kEventId});
  ExpectNoSecret(context.log_text());
}

// ---- moto without enforcement (see the file comment) -----------------------------------------

class CrossAccountListingTest : public trailwatch::testing::MotoSuiteBase {
 protected:
  void SetUp() override {
    RequireMoto(true);
    if (HasFatalFailure()) return;
    S3ClientOptions options;
    options.endpoint = moto_->endpoint();
    S3Client s3(options, std::make_shared<CredentialsProvider>(moto_->TestEnvironment()));
    ASSERT_TRUE(s3.CreateBucket(kBucket).ok());
    ASSERT_TRUE(s3.Put(kBucket, LogKey(), Log()).ok());
  }
  // The process's own keys: these must never be printed.
  Environment Own() const {
    Environment environment = moto_->TestEnvironment();
    environment["AWS_SECRET_ACCESS_KEY"] = "own-secret-key-never-printed";
    return environment;
  }
  // An STS that refuses every AssumeRole.
  FakeHttpServer refusing_sts_{[](const FakeRequest&) {
    return FakeResponse::Text(403, StsErrorXml("AccessDenied", "not trusted by log-reader"));
  }};
  TempDir dir_;
};

TEST_F(CrossAccountListingTest, S3SourceReadsThroughRoleArnAndFailsWhenTheRoleIsRefused) {
  sources::S3SourceConfig config;
  config.bucket = kBucket;
  config.start_date = "2024-05-01";
  config.aws.role_arn = kRoleArn;
  config.aws.external_id = "log-archive";
  sources::S3SourceOptions options;
  options.environment = Own();
  options.poll_interval = std::chrono::milliseconds(100);
  {
    TestContext context(dir_.path() + "/tw.db");
    RecordingSink sink;
    sources::S3Source source(config, context.context(), options);
    RunningSource running(source, sink);
    ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context.log_text();
    ASSERT_TRUE(running.Stop().ok());
    EXPECT_EQ(sink.event_ids(), std::vector<std::string>{kEventId});
  }
  options.environment->insert_or_assign("AWS_ENDPOINT_URL_STS", refusing_sts_.Url(""));
  TestContext context(dir_.path() + "/refused.db");
  RecordingSink sink;
  {
    sources::S3Source source(config, context.context(), options);
    RunningSource running(source, sink);
    ASSERT_TRUE(WaitFor([&] {
      return context.log_text().find("not trusted by log-reader") != std::string::npos;
    })) << context.log_text();
    EXPECT_TRUE(running.Stop().ok());
  }
  EXPECT_EQ(sink.size(), 0u);
  EXPECT_NE(context.log_text().find(std::string("role_arn ") + kRoleArn), std::string::npos)
      << context.log_text();
  EXPECT_EQ(context.log_text().find("own-secret-key-never-printed"), std::string::npos);
}

TEST_F(CrossAccountListingTest, ScanReadsThroughRoleArnAndFailsWhenTheRoleIsRefused) {
  Environment environment = Own();
  const std::string input = std::string("s3://") + kBucket + "/AWSLogs/";
  const std::vector<std::string> args = {"scan",        input,        "--output", "jsonl",
                                         "--quiet",     "--role-arn", kRoleArn,   "--external-id",
                                         "log-archive", "--region",   "us-east-1"};
  auto read = scan::testing::RunWithEnvironment(args, environment);
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_NE(read.out.find(kEventId), std::string::npos) << read.out;

  environment["AWS_ENDPOINT_URL_STS"] = refusing_sts_.Url("");
  auto refused = scan::testing::RunWithEnvironment(args, environment);
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find(std::string("role_arn ") + kRoleArn + ": STS AssumeRole " + kRoleArn),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("AccessDenied: not trusted by log-reader"), std::string::npos);
  EXPECT_EQ(refusing_sts_.RequestCount(), 1u);
  auto form = trailwatch::testing::ParseForm(refusing_sts_.Requests()[0].body);
  EXPECT_EQ(form["ExternalId"], "log-archive");
  for (const std::string& text : {read.out, read.err, refused.out, refused.err}) {
    EXPECT_EQ(text.find("own-secret-key-never-printed"), std::string::npos) << text;
  }
}

// --profile: a profile whose role_arn is the log-archive role, its source profile's keys in the
// credentials file; the environment's keys are not used (they are wrong here).
TEST_F(CrossAccountListingTest, ScanWithAProfileThatAssumesTheRole) {
  std::filesystem::create_directories(dir_.path() + "/.aws");
  dir_.Write(".aws/credentials",
             "[tooling]\naws_access_key_id = testing\naws_secret_access_key = testing\n");
  dir_.Write(".aws/config", std::string("[profile log-archive]\nrole_arn = ") + kRoleArn +
                                "\nsource_profile = tooling\nregion = us-east-1\n");
  Environment environment = Own();
  environment["HOME"] = dir_.path();
  environment["AWS_ACCESS_KEY_ID"] = "AKIDWRONG";
  environment["AWS_ENDPOINT_URL_STS"] = refusing_sts_.Url("");
  const std::vector<std::string> args = {"scan",       std::string("s3://") + kBucket + "/AWSLogs/",
                                         "--output",   "jsonl",
                                         "--quiet",    "--profile",
                                         "log-archive"};
  // The profile's role goes to STS, signed with the tooling profile's key.
  auto refused = scan::testing::RunWithEnvironment(args, environment);
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("profile log-archive: STS AssumeRole"), std::string::npos)
      << refused.err;
  ASSERT_EQ(refusing_sts_.RequestCount(), 1u);
  EXPECT_TRUE(refusing_sts_.Requests()[0]
                  .Header("authorization")
                  .starts_with("AWS4-HMAC-SHA256 Credential=testing/"));

  environment.erase("AWS_ENDPOINT_URL_STS");  // moto's STS
  auto read = scan::testing::RunWithEnvironment(args, environment);
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_NE(read.out.find(kEventId), std::string::npos) << read.out;
  for (const std::string& text : {read.out, read.err, refused.out, refused.err}) {
    EXPECT_EQ(text.find("own-secret-key-never-printed"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace trailwatch::aws
