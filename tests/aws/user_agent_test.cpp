// Every request the AWS clients make carries User-Agent: trailwatch/<version> (issue 10, item 6):
// S3, SQS and the ECS credential endpoint, each against a fake on 127.0.0.1. They all share
// CurlEasy (http_exchange.h), which is also checked on its own, across a reused handle.
#include <gtest/gtest.h>

#include "aws/credentials.h"
#include "aws/http_exchange.h"
#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "common/version.h"
#include "targets/fake_servers_util.h"

namespace trailwatch::aws {
namespace {

using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::FakeResponse;

std::string Expected() { return std::string("trailwatch/") + Version(); }

// Static keys and nothing else: no profile files, no instance metadata.
std::shared_ptr<CredentialsProvider> StaticCredentials() {
  return std::make_shared<CredentialsProvider>(Environment{{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                                           {"AWS_SECRET_ACCESS_KEY", "secret"},
                                                           {"AWS_EC2_METADATA_DISABLED", "true"}});
}

TEST(AwsUserAgent, CurlEasySendsItOnEveryRequestOfAReusedHandle) {
  FakeHttpServer fake([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  CurlEasy curl;
  for (const char* method : {"GET", "POST", "PUT"}) {
    HttpExchangeRequest request;
    request.method = method;
    request.url = fake.Url("/x");
    auto response = curl.Perform(request);
    ASSERT_TRUE(response.ok()) << response.message();
  }
  auto requests = fake.Requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const FakeRequest& request : requests) {
    EXPECT_EQ(request.Header("user-agent"), Expected()) << request.method;
  }
}

TEST(AwsUserAgent, S3GetSendsIt) {
  FakeHttpServer fake([](const FakeRequest&) { return FakeResponse::Text(200, "object"); });
  S3ClientOptions options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(fake.port());
  options.max_retries = 0;
  S3Client client(options, StaticCredentials());
  std::string body;
  Status got = client.Get("trail-bucket", "AWSLogs/x.json.gz", &body);
  ASSERT_TRUE(got.ok()) << got.message();
  ASSERT_EQ(fake.RequestCount(), 1u);
  EXPECT_EQ(fake.Requests()[0].Header("user-agent"), Expected());
  EXPECT_NE(fake.Requests()[0].Header("authorization").find("AWS4-HMAC-SHA256"), std::string::npos)
      << "a signed request (the User-Agent does not get in SigV4's way)";
}

TEST(AwsUserAgent, SqsReceiveSendsIt) {
  FakeHttpServer fake(
      [](const FakeRequest&) { return FakeResponse::Json(200, R"({"Messages":[]})"); });
  SqsClientOptions options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(fake.port());
  options.max_retries = 0;
  SqsClient client(options, StaticCredentials());
  SqsReceiveOptions receive;
  receive.wait_time_seconds = 0;
  auto messages = client.ReceiveMessages(
      "http://127.0.0.1:" + std::to_string(fake.port()) + "/111122223333/trail", receive);
  ASSERT_TRUE(messages.ok()) << messages.message();
  ASSERT_EQ(fake.RequestCount(), 1u);
  EXPECT_EQ(fake.Requests()[0].Header("user-agent"), Expected());
}

TEST(AwsUserAgent, EcsCredentialFetchSendsIt) {
  FakeHttpServer ecs([](const FakeRequest&) {
    return FakeResponse::Json(200, R"({"AccessKeyId":"ASIAECS","SecretAccessKey":"s","Token":"t",)"
                                   R"("Expiration":"2099-01-01T00:00:00Z"})");
  });
  CredentialsProvider provider(
      Environment{{"AWS_EC2_METADATA_DISABLED", "true"},
                  {"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.Url("/v2/credentials/abc")}});
  auto credentials = provider.Get();
  ASSERT_TRUE(credentials.ok()) << credentials.message();
  ASSERT_EQ(ecs.RequestCount(), 1u);
  EXPECT_EQ(ecs.Requests()[0].Header("user-agent"), Expected());
}

}  // namespace
}  // namespace trailwatch::aws
