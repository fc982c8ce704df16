// End-to-end tests of `trailwatch run` and `trailwatch validate`: the real binary, real sources
// (a directory with inotify, the HTTP listener, SQS and S3 on moto_server), the real outbox, and a
// fake Slack webhook on loopback.
#include <curl/curl.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "aws/moto_server_util.h"
#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "cli/cli_test_util.h"
#include "scan/scan_test_util.h"
#include "service/service_process_util.h"
#include "sources/sns_sender_util.h"
#include "targets/fake_servers_util.h"

namespace trailwatch::testing {
namespace {

using std::chrono::seconds;

const std::string kFixtures = TW_FIXTURES_DIR;
const std::string kLogDir = "AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/";

TEST(ValidateCommand, AcceptsTheBundledExample) {
  CommandResult result =
      RunTrailwatch({"validate", "--config", std::string(TW_SOURCE_DIR) + "/examples/trailwatch.yaml"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("valid: 1 source(s)"), std::string::npos) << result.out;
}

TEST(ValidateCommand, ReportsEveryErrorWithFileLineAndColumn) {
  TempDir dir;
  std::string config = dir.Write("bad.yaml",
                                 "store: ./tw.db\n"
                                 "targets:\n"
                                 "  - {name: console, type: stdout}\n"
                                 "sources:\n"
                                 "  - {type: directory, path: ./logs, colour: blue}\n"
                                 "rules:\n"
                                 "  - name: broken\n"
                                 "    pattern: {\"detail\": {\"userIdentity\": {\"type\": \"Root\"}}}\n"
                                 "    targets: [console]\n"
                                 "  - name: nowhere\n"
                                 "    pattern: {\"source\": [\"aws.iam\"]}\n"
                                 "    targets: [pager]\n"
                                 "extras: 1\n");
  CommandResult result = RunTrailwatch({"validate", "--config", config});
  EXPECT_EQ(result.exit_code, 2);
  // The unknown top-level section, the unknown source key, the AWS reason for the pattern and
  // the unknown target: all in one run.
  EXPECT_NE(result.err.find(config + ":13:1: unknown section \"extras\""), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find(config + ":5:"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("colour"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(config + ":8:"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("must be an object or an array"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("pager"), std::string::npos) << result.err;
  EXPECT_TRUE(result.out.empty()) << result.out;
}

class RunCommandTest : public ::testing::Test {
 protected:
  std::string WriteConfig(const std::string& body) { return dir_.Write("trailwatch.yaml", body); }
  TempDir dir_;
};

// The first user's system on files: a root sign-in in a log file reaches the stdout target; a
// restart resumes from the checkpoint (no second alert) and picks up a new file via inotify.
TEST_F(RunCommandTest, DirectorySourceAlertsOnceAcrossRestarts) {
  std::string logs = dir_.path() + "/logs";
  WriteFileAtomically(logs + "/" + kLogDir + "111122223333_CloudTrail_us-east-1_20221110T1625Z_aaaa.json",
                      LogFile({"root-consolelogin-success-mfa.json",
                               "iam-user-consolelogin-success-mfa.json"}));
  std::string config = WriteConfig("store: " + dir_.path() + "/tw.db\n"
                                   "sources:\n"
                                   "  - {type: directory, path: " + logs + "}\n"
                                   "targets:\n"
                                   "  - {name: console, type: stdout}\n"
                                   "rules:\n"
                                   "  - {pack: root-signin, targets: [console]}\n");
  const std::string first_event = "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0";
  const std::string second_event = "a4fbbe77-91a0-4238-804a-64314184edb6";
  {
    ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir_.path());
    ASSERT_TRUE(service.WaitForStdout("\"event_id\":\"" + first_event + "\"", seconds(60)))
        << service.Stderr();
    service.Signal(SIGTERM);
    EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
    EXPECT_EQ(CountOccurrences(service.Stdout(), "\"rule\":\"root-signin\""), 1u) << service.Stdout();
    EXPECT_NE(service.Stderr().find("SIGTERM"), std::string::npos);
  }
  {
    ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir_.path());
    ASSERT_TRUE(service.WaitForStderr("watching", seconds(60))) << service.Stderr();
    WriteFileAtomically(logs + "/" + kLogDir + "111122223333_CloudTrail_us-east-1_20221110T1630Z_bbbb.json",
                        LogFile({"root-consolelogin-failure.json"}));
    ASSERT_TRUE(service.WaitForStdout("\"event_id\":\"" + second_event + "\"", seconds(60)))
        << service.Stderr();
    service.Signal(SIGTERM);
    EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
    EXPECT_EQ(CountOccurrences(service.Stdout(), first_event), 0u)
        << "re-alerted after a restart:\n" << service.Stdout();
  }
}

// EventBridge API destination -> /events -> Slack webhook; /metrics and /healthz; SIGHUP with a
// bad file keeps the running rules, with a good one swaps them.
TEST_F(RunCommandTest, HttpEventsReachSlackAndReloadSwapsRules) {
  FakeHttpServer slack([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  std::string head = "store: " + dir_.path() + "/tw.db\n"
                     "sources:\n"
                     "  - {type: http, listen: \"127.0.0.1:0\", api_key: \"${env:TW_TEST_API_KEY}\"}\n"
                     "targets:\n"
                     "  - {name: slack, type: slack, webhook_url: \"${env:TW_TEST_SLACK_URL}\"}\n"
                     "rules:\n"
                     "  - {pack: root-signin, targets: [slack]}\n";
  std::string config = WriteConfig(head);
  std::map<std::string, std::string> environment = {
      {"TW_TEST_API_KEY", "k3y-for-the-test"}, {"TW_TEST_SLACK_URL", slack.Url("/services/T0/B0/secret")}};
  ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir_.path(),
                         environment);
  ASSERT_TRUE(service.WaitForStderr("listening on port", seconds(60))) << service.Stderr();
  int port = service.ListeningPort();
  ASSERT_GT(port, 0) << service.Stderr();
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  std::string root_event = ReadFixture("aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");

  EXPECT_EQ(Http("GET", base + "/healthz").status, 200);
  EXPECT_EQ(Http("POST", base + "/events", root_event, {"x-api-key: wrong"}).status, 401);
  HttpAnswer accepted = Http("POST", base + "/events", root_event,
                             {"x-api-key: k3y-for-the-test", "Content-Type: application/json"});
  EXPECT_EQ(accepted.status / 100, 2) << accepted.body;
  ASSERT_TRUE(slack.WaitForRequests(1, seconds(30))) << service.Stderr();
  EXPECT_NE(slack.Requests()[0].body.find("Root user signed in"), std::string::npos)
      << slack.Requests()[0].body;

  // A retry of the same event (EventBridge is at-least-once) is stored once and sent once.
  EXPECT_EQ(Http("POST", base + "/events", root_event, {"x-api-key: k3y-for-the-test"}).status / 100, 2);

  // The delivery is recorded just after the fake answered: poll for it.
  std::string metrics;
  for (int i = 0; i < 100; ++i) {
    metrics = Http("GET", base + "/metrics").body;
    if (metrics.find("result=\"delivered\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(metrics.find("trailwatch_matches_total{rule=\"root-signin\"}"), std::string::npos) << metrics;
  // The retry was answered 2xx but not evaluated again: the source dedups on the envelope id.
  EXPECT_NE(metrics.find("trailwatch_events_total{source=\"http:127.0.0.1:0\"} 1\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("trailwatch_deliveries_total{target=\"slack\",result=\"delivered\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_EQ(metrics.find("k3y-for-the-test"), std::string::npos);
  EXPECT_EQ(metrics.find("secret"), std::string::npos);

  // A bad file is refused; the running rules stay.
  WriteConfig(head + "  - name: broken\n    pattern: {\"source\": \"aws.iam\"}\n    targets: [slack]\n");
  service.Signal(SIGHUP);
  ASSERT_TRUE(service.WaitForStderr("reload refused", seconds(30))) << service.Stderr();
  EXPECT_TRUE(service.Running());

  // A good file: a rule for IAM users' sign-ins is added.
  WriteConfig(head + "  - name: iam-signin\n"
                     "    pattern: {\"detail-type\": [\"AWS Console Sign In via CloudTrail\"], "
                     "\"detail\": {\"userIdentity\": {\"type\": [\"IAMUser\"]}}}\n"
                     "    severity: low\n"
                     "    targets: [slack]\n");
  service.Signal(SIGHUP);
  ASSERT_TRUE(service.WaitForStderr("configuration reloaded", seconds(30))) << service.Stderr();
  ASSERT_TRUE(service.WaitForStderr("listening on port", seconds(30), 2)) << service.Stderr();
  port = service.ListeningPort();  // the listener restarted on a new ephemeral port
  base = "http://127.0.0.1:" + std::to_string(port);
  std::string iam_event = root_event;
  iam_event.replace(iam_event.find("\"Root\""), 6, "\"IAMUser\"");
  iam_event.replace(iam_event.find("deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"), 36,
                    "11111111-2222-4333-8444-555555555555");
  EXPECT_EQ(Http("POST", base + "/events", iam_event, {"x-api-key: k3y-for-the-test"}).status / 100, 2);
  ASSERT_TRUE(slack.WaitForRequests(2, seconds(30))) << service.Stderr();

  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
  EXPECT_EQ(slack.RequestCount(), 2u);
  std::string logs = service.Stderr() + service.Stdout();
  EXPECT_EQ(logs.find("k3y-for-the-test"), std::string::npos);
  EXPECT_EQ(logs.find("/services/T0/B0/secret"), std::string::npos);
}

// The first user's topic, self-hosted: the EventBridge event that their rule sends to SNS arrives
// at /sns in a correctly signed Notification (test CA), and the same event at /events; one Slack
// message results. Forged signature, unknown topic, stale timestamp, an http:// SigningCertURL
// and a missing API key are refused and counted, and alert nothing.
TEST_F(RunCommandTest, SignedSnsNotificationAlertsAndForgeriesAreRefused) {
  const TestPki& pki = TestPki::Shared();
  ASSERT_TRUE(pki.ok()) << pki.error();
  FakeCertHost cert_host;
  FakeHttpServer slack([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  const std::string topic = "arn:aws:sns:us-east-1:111122223333:chatbot-topic";
  std::string config = WriteConfig(
      "store: " + dir_.path() + "/tw.db\n"
      "sources:\n"
      "  - type: http\n"
      "    listen: \"127.0.0.1:0\"\n"
      "    api_key: \"${env:TW_TEST_API_KEY}\"\n"
      "    sns_topics: [\"" + topic + "\"]\n"
      "    sns_cert_url_pattern: '" + cert_host.CertUrlPattern() + "'\n"
      "    sns_ca_file: " + pki.ca_file() + "\n"
      "targets:\n"
      "  - {name: slack, type: slack, webhook_url: \"" + slack.Url("/hook") + "\"}\n"
      "rules:\n"
      "  - {pack: root-signin, targets: [slack]}\n");
  ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir_.path(),
                         {{"TW_TEST_API_KEY", "k3y-k3y-k3y-k3y-k3y"}});
  ASSERT_TRUE(service.WaitForStderr("listening on port", seconds(60))) << service.Stderr();
  int port = service.ListeningPort();
  ASSERT_GT(port, 0);
  std::string root_event =
      ReadFixture("aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
  SnsSender sender(pki.sns_key_file());

  // Refused, each for its own reason.
  SnsSpec forged = SnsSender::Notification(topic, root_event, cert_host.CertUrl());
  sender.Sign(forged);
  forged.message.replace(forged.message.find("\"Root\""), 6, "\"Rooo\"");
  EXPECT_EQ(SnsSender::Post(port, SnsSender::Body(forged), SnsSender::Headers(forged)).status, 403);
  SnsSpec unknown_topic = SnsSender::Notification("arn:aws:sns:us-east-1:999999999999:other",
                                                  root_event, cert_host.CertUrl());
  EXPECT_EQ(sender.SignAndPost(port, unknown_topic).status, 403);
  SnsSpec stale = SnsSender::Notification(topic, root_event, cert_host.CertUrl());
  stale.timestamp = SnsSender::NowTimestamp(-2 * 3600);
  EXPECT_EQ(sender.SignAndPost(port, stale).status / 100, 4);
  std::string http_cert = cert_host.CertUrl();
  http_cert.replace(0, 5, "http");
  SnsSpec plain_cert_url = SnsSender::Notification(topic, root_event, http_cert);
  EXPECT_EQ(sender.SignAndPost(port, plain_cert_url).status / 100, 4);
  EXPECT_EQ(HttpPost(port, "/events", root_event, {}).status, 401);

  // Accepted: the signed notification (SignatureVersion 2), then the same event at /events.
  SnsSpec good = SnsSender::Notification(topic, root_event, cert_host.CertUrl());
  good.signature_version = "2";
  EXPECT_EQ(sender.SignAndPost(port, good).status, 200);
  ASSERT_TRUE(slack.WaitForRequests(1, seconds(30))) << service.Stderr();
  EXPECT_NE(slack.Requests()[0].body.find("Root user signed in"), std::string::npos);
  EXPECT_EQ(HttpPost(port, "/events", root_event, {{"x-api-key", "k3y-k3y-k3y-k3y-k3y"}}).status / 100, 2);

  std::string metrics = HttpGet(port, "/metrics").body;
  // Each refusal is counted under its reason.
  for (const char* counted :
       {"{endpoint=\"/events\",reason=\"auth\"} 1", "{endpoint=\"/sns\",reason=\"topic\"} 1",
        "{endpoint=\"/sns\",reason=\"signature\"} 1", "{endpoint=\"/sns\",reason=\"stale\"} 1",
        "{endpoint=\"/sns\",reason=\"cert_url\"} 1"}) {
    EXPECT_NE(metrics.find(std::string("trailwatch_http_rejected_total") + counted), std::string::npos)
        << counted << "\n" << metrics;
  }
  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
  // The forgeries alerted nothing; the event that came twice (SNS and /events) alerted once.
  EXPECT_EQ(slack.RequestCount(), 1u);
  EXPECT_EQ(service.Stderr().find("k3y"), std::string::npos);
}

// The AWS path of the first user, self-hosted: CloudTrail writes a .json.gz log file to an S3
// bucket on moto_server, the bucket's notification configuration sends S3 event notifications
// to SQS, trailwatch's sqs source fetches the object, and the root sign-in lands in a fake Slack.
class SqsPathTest : public RunCommandTest {
 protected:
  void SetUp() override {
    auto moto = MotoServer::Start();
    ASSERT_TRUE(moto.ok()) << moto.message();
    moto_ = std::move(moto.value());
    environment_ = moto_->TestEnvironment();
    auto credentials = std::make_shared<aws::CredentialsProvider>(environment_);
    aws::S3ClientOptions s3_options;
    s3_options.endpoint = moto_->endpoint();
    s3_ = std::make_unique<aws::S3Client>(s3_options, credentials);
    ASSERT_TRUE(s3_->CreateBucket("trail-bucket").ok());
    aws::SqsClientOptions sqs_options;
    sqs_options.endpoint = moto_->endpoint();
    sqs_ = std::make_unique<aws::SqsClient>(sqs_options, credentials);
    auto queue = sqs_->CreateQueue("trail-objects");
    ASSERT_TRUE(queue.ok()) << queue.message();
    queue_url_ = *queue;
    // docs/reference/formats.md §9.3: the notification configuration of a trail bucket, set with
    // the AWS CLI.
    std::string queue_arn = "arn:aws:sqs:us-east-1:123456789012:trail-objects";
    std::string command =
        "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 "
        "aws --endpoint-url " + moto_->endpoint() +
        " s3api put-bucket-notification-configuration --bucket trail-bucket "
        "--notification-configuration '{\"QueueConfigurations\":[{\"QueueArn\":\"" + queue_arn +
        "\",\"Events\":[\"s3:ObjectCreated:*\"],\"Filter\":{\"Key\":{\"FilterRules\":["
        "{\"Name\":\"prefix\",\"Value\":\"AWSLogs/\"},{\"Name\":\"suffix\",\"Value\":\".json.gz\"}]}}}]}'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  // Uploads a log file holding the root sign-in with `event_id` as its eventID.
  void PutRootSignIn(const std::string& event_id, const std::string& file_tag) {
    std::string log = LogFile({"root-consolelogin-success-mfa.json"});
    log.replace(log.find("deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"), 36, event_id);
    std::string key = kLogDir + "111122223333_CloudTrail_us-east-1_20221110T1625Z_" + file_tag + ".json.gz";
    ASSERT_TRUE(s3_->Put("trail-bucket", key, scan::testing::Gzip(log), "application/x-gzip").ok());
  }

  std::string Config(const FakeHttpServer& slack) {
    return WriteConfig("store: " + dir_.path() + "/tw.db\n"
                       "sources:\n"
                       "  - {type: sqs, queue_url: \"" + queue_url_ + "\", wait_time: 1s, visibility_timeout: 10s}\n"
                       "targets:\n"
                       "  - {name: slack, type: slack, webhook_url: \"" + slack.Url("/hook") +
                       "\", rate_per_second: 100, burst: 100}\n"
                       "rules:\n"
                       "  - {pack: root-signin, targets: [slack]}\n");
  }

  bool QueueDrained() {
    for (int i = 0; i < 150; ++i) {
      auto attributes = sqs_->GetQueueAttributes(queue_url_);
      if (attributes.ok() && (*attributes)["ApproximateNumberOfMessages"] == "0" &&
          (*attributes)["ApproximateNumberOfMessagesNotVisible"] == "0") {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  std::unique_ptr<MotoServer> moto_;
  aws::Environment environment_;
  std::unique_ptr<aws::S3Client> s3_;
  std::unique_ptr<aws::SqsClient> sqs_;
  std::string queue_url_;
};

TEST_F(SqsPathTest, RootSignInLogFileReachesSlackAndTheQueueIsDrained) {
  PutRootSignIn("deb1e1f9-c99b-4612-8e9f-21f93b5d79c0", "aaaa");
  FakeHttpServer slack([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  ServiceProcess service({"run", "--config", Config(slack), "--log-format", "json"}, dir_.path(),
                         environment_);
  ASSERT_TRUE(slack.WaitForRequests(1, seconds(60))) << service.Stderr();
  EXPECT_NE(slack.Requests()[0].body.find("Root user signed in"), std::string::npos);
  // The notification and S3's test event are both deleted, the first only after its alert was
  // committed.
  EXPECT_TRUE(QueueDrained()) << service.Stderr();
  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
  EXPECT_EQ(slack.RequestCount(), 1u);
}

// A crash in the middle: the service is SIGKILLed after the first alert reached Slack, with
// other notifications received but not finished. After a restart every root sign-in arrives; a
// repeat is allowed only for the one send that may have been in flight at the kill.
TEST_F(SqsPathTest, KillInTheMiddleLosesNothingAndDuplicatesNothing) {
  const std::vector<std::string> events = {"11111111-0000-4000-8000-000000000001",
                                           "11111111-0000-4000-8000-000000000002",
                                           "11111111-0000-4000-8000-000000000003",
                                           "11111111-0000-4000-8000-000000000004"};
  for (size_t i = 0; i < events.size(); ++i) {
    // Appended rather than "f" + ...: GCC 12 warns falsely (-Wstringop-overflow) on the inlined
    // concatenation.
    std::string name = "f";
    name += std::to_string(i);
    PutRootSignIn(events[i], name);
  }
  // Slack answers slowly, so that the kill finds work queued and a send in flight.
  FakeHttpServer slack([](const FakeRequest&) {
    FakeResponse response = FakeResponse::Text(200, "ok");
    response.delay = std::chrono::milliseconds(300);
    return response;
  });
  std::string config = Config(slack);
  {
    ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir_.path(),
                           environment_);
    ASSERT_TRUE(slack.WaitForRequests(1, seconds(60))) << service.Stderr();
    service.Signal(SIGKILL);
    EXPECT_EQ(service.WaitExit(seconds(30)), 128 + SIGKILL);
  }
  size_t at_kill = slack.RequestCount();
  ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir_.path(),
                         environment_);
  // Messages the killed process had received reappear after their visibility timeout (10 s).
  std::map<std::string, int> seen;
  bool all = false;
  for (int i = 0; i < 600 && !all; ++i) {
    seen.clear();
    for (const FakeRequest& request : slack.Requests()) {
      for (const std::string& event : events) {
        if (request.body.find(event) != std::string::npos) ++seen[event];
      }
    }
    all = seen.size() == events.size();
    if (!all) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(all) << "alerts lost; Slack saw " << slack.RequestCount() << "\n" << service.Stderr();
  EXPECT_TRUE(QueueDrained()) << service.Stderr();
  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
  int repeats = 0;
  for (const auto& [event, count] : seen) repeats += count - 1;
  EXPECT_LE(repeats, 1) << "at most the one send in flight at the kill may repeat (Slack saw "
                        << at_kill << " before the kill)";
  EXPECT_EQ(slack.RequestCount(), events.size() + static_cast<size_t>(repeats));
}

}  // namespace
}  // namespace trailwatch::testing
