// SqsClient against moto_server (JSON protocol, SigV4 by libcurl): create, send, receive with
// ApproximateReceiveCount, visibility change and redelivery, delete, and errors.
#include "aws/sqs_client.h"

#include <gtest/gtest.h>

#include "aws/moto_server_util.h"

namespace trailwatch::aws {
namespace {

using trailwatch::testing::MotoServer;

class SqsClientTest : public trailwatch::testing::MotoSuiteBase {
 protected:
  void SetUp() override {
    RequireMoto(true);
    if (HasFatalFailure()) return;
    SqsClientOptions options;
    options.endpoint = moto_->endpoint();
    client_ = std::make_unique<SqsClient>(
        options, std::make_shared<CredentialsProvider>(moto_->TestEnvironment()));
  }

  std::unique_ptr<SqsClient> client_;
};

TEST_F(SqsClientTest, SendReceiveExtendDelete) {
  auto queue = client_->CreateQueue("q1", {{"VisibilityTimeout", "30"}});
  ASSERT_TRUE(queue.ok()) << queue.message();
  EXPECT_NE(queue->find("/123456789012/q1"), std::string::npos) << *queue;
  auto url = client_->GetQueueUrl("q1");
  ASSERT_TRUE(url.ok()) << url.message();
  EXPECT_EQ(*url, *queue);
  auto attributes = client_->GetQueueAttributes(*queue);
  ASSERT_TRUE(attributes.ok()) << attributes.message();
  EXPECT_EQ((*attributes)["QueueArn"], "arn:aws:sqs:us-east-1:123456789012:q1");

  std::string body = "{\"text\":\"line\\nbreak \\u00e9\"}";
  auto sent = client_->SendMessage(*queue, body);
  ASSERT_TRUE(sent.ok()) << sent.message();

  SqsReceiveOptions receive;
  receive.wait_time_seconds = 1;
  receive.visibility_timeout_seconds = 1;
  auto first = client_->ReceiveMessages(*queue, receive);
  ASSERT_TRUE(first.ok()) << first.message();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].body, body);
  EXPECT_EQ((*first)[0].message_id, *sent);
  EXPECT_EQ((*first)[0].receive_count, 1);

  // Made visible again at once: the second receipt counts 2.
  ASSERT_TRUE(client_->ChangeMessageVisibility(*queue, (*first)[0].receipt_handle, 0).ok());
  receive.visibility_timeout_seconds = 30;
  auto second = client_->ReceiveMessages(*queue, receive);
  ASSERT_TRUE(second.ok()) << second.message();
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].receive_count, 2);

  ASSERT_TRUE(client_->DeleteMessage(*queue, (*second)[0].receipt_handle).ok());
  receive.wait_time_seconds = 0;
  auto none = client_->ReceiveMessages(*queue, receive);
  ASSERT_TRUE(none.ok()) << none.message();
  EXPECT_TRUE(none->empty());
}

TEST_F(SqsClientTest, ErrorsNameTheActionAndCode) {
  auto missing = client_->GetQueueUrl("no-such-queue");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("SQS GetQueueUrl no-such-queue"), std::string::npos)
      << missing.message();
  EXPECT_NE(missing.message().find("QueueDoesNotExist"), std::string::npos) << missing.message();
}

TEST_F(SqsClientTest, AStoppedLongPollReturnsNothing) {
  auto queue = client_->CreateQueue("q2");
  ASSERT_TRUE(queue.ok()) << queue.message();
  std::stop_source stop;
  stop.request_stop();
  SqsReceiveOptions receive;
  receive.wait_time_seconds = 20;
  auto messages = client_->ReceiveMessages(*queue, receive, stop.get_token());
  ASSERT_TRUE(messages.ok()) << messages.message();
  EXPECT_TRUE(messages->empty());
}

}  // namespace
}  // namespace trailwatch::aws

namespace trailwatch::aws {
namespace {

// moto with INITIAL_NO_AUTH_ACTION_COUNT=3 checks the SigV4 signature of every SQS request after
// the IAM user, its policy and its key are created (docs/reference/formats.md §9.8).
class SqsSignatureTest : public trailwatch::testing::MotoSuiteBase {
 protected:
  static void SetUpTestSuite() {
    StartMoto({.initial_no_auth_action_count = 3}, "trailwatch-sqs");
  }
  void SetUp() override { RequireMoto(false); }

  static std::unique_ptr<SqsClient> ClientWith(const std::string& secret) {
    Environment environment = moto_->TestEnvironment();
    environment["AWS_ACCESS_KEY_ID"] = key_.access_key_id;
    environment["AWS_SECRET_ACCESS_KEY"] = secret;
    SqsClientOptions options;
    options.endpoint = moto_->endpoint();
    options.max_retries = 0;
    return std::make_unique<SqsClient>(options, std::make_shared<CredentialsProvider>(environment));
  }

};

TEST_F(SqsSignatureTest, SignedRequestsAreAcceptedAndWrongSecretsRejected) {
  auto good = ClientWith(key_.secret_access_key);
  auto queue = good->CreateQueue("signed");
  ASSERT_TRUE(queue.ok()) << queue.message();
  ASSERT_TRUE(good->SendMessage(*queue, "{\"a\":1}").ok());
  SqsReceiveOptions receive;
  receive.wait_time_seconds = 1;
  auto messages = good->ReceiveMessages(*queue, receive);
  ASSERT_TRUE(messages.ok()) << messages.message();
  ASSERT_EQ(messages->size(), 1u);
  ASSERT_TRUE(good->DeleteMessage(*queue, (*messages)[0].receipt_handle).ok());

  const std::string wrong = "wrong-secret-0123456789abcdefghijklmnopqrstuv";
  auto bad = ClientWith(wrong);
  auto refused = bad->ReceiveMessages(*queue, receive);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.message().find(wrong), std::string::npos);
  EXPECT_NE(refused.message().find("[credentials from environment]"), std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("SignatureDoesNotMatch"), std::string::npos)
      << refused.message();
}

}  // namespace
}  // namespace trailwatch::aws
