// SNS delivery bodies and the string to sign (docs/reference/formats.md §5.2, §5.3), on the AWS
// documentation examples in tests/fixtures/aws/sns/.
#include "sources/sns_message.h"

#include <gtest/gtest.h>

#include "cli/cli_test_util.h"

namespace trailwatch::sources {
namespace {

std::string SnsFixture(const std::string& name) {
  return trailwatch::testing::ReadFixture(std::string("aws/sns/").append(name));
}

TEST(SnsMessageTest, ParsesTheDocumentedNotification) {
  auto message = ParseSnsMessage(SnsFixture("notification.json"));
  ASSERT_TRUE(message.ok()) << message.message();
  EXPECT_EQ(message->type, SnsMessageType::kNotification);
  EXPECT_EQ(message->message_id, "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324");
  EXPECT_EQ(message->topic_arn, "arn:aws:sns:us-west-2:123456789012:MyTopic");
  ASSERT_TRUE(message->subject.has_value());
  EXPECT_EQ(*message->subject, "My First Message");
  EXPECT_EQ(message->message, "Hello world!");
  EXPECT_EQ(message->signature_version, "1");
  EXPECT_EQ(message->signing_cert_url,
            "https://sns.us-west-2.amazonaws.com/"
            "SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem");
}

TEST(SnsMessageTest, StringToSignOfTheDocumentedNotificationIsExact) {
  auto message = ParseSnsMessage(SnsFixture("notification.json"));
  ASSERT_TRUE(message.ok()) << message.message();
  const std::string expected =
      "Message\nHello world!\n"
      "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
      "Subject\nMy First Message\n"
      "Timestamp\n2012-05-02T00:54:06.655Z\n"
      "TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n"
      "Type\nNotification\n";
  EXPECT_EQ(SnsStringToSign(*message), expected);
  EXPECT_EQ(SnsStringToSign(*message).size(), 198u);  // docs/reference/formats.md §5.3
}

TEST(SnsMessageTest, SubscriptionConfirmationSignsTokenAndSubscribeUrl) {
  auto message = ParseSnsMessage(SnsFixture("subscription-confirmation.json"));
  ASSERT_TRUE(message.ok()) << message.message();
  EXPECT_EQ(message->type, SnsMessageType::kSubscriptionConfirmation);
  EXPECT_EQ(message->token, "2336412f37...");
  const std::string expected =
      "Message\nYou have chosen to subscribe to the topic "
      "arn:aws:sns:us-west-2:123456789012:MyTopic.\nTo confirm the subscription, visit the "
      "SubscribeURL included in this message.\n"
      "MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n"
      "SubscribeURL\nhttps://sns.us-west-2.amazonaws.com/"
      "?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token="
      "2336412f37...\n"
      "Timestamp\n2012-04-26T20:45:04.751Z\n"
      "Token\n2336412f37...\n"
      "TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n"
      "Type\nSubscriptionConfirmation\n";
  EXPECT_EQ(SnsStringToSign(*message), expected);
}

TEST(SnsMessageTest, ParsesTheUnsubscribeConfirmation) {
  auto message = ParseSnsMessage(SnsFixture("unsubscribe-confirmation.json"));
  ASSERT_TRUE(message.ok()) << message.message();
  EXPECT_EQ(message->type, SnsMessageType::kUnsubscribeConfirmation);
  EXPECT_FALSE(message->subscribe_url.empty());
}

TEST(SnsMessageTest, NotificationWithoutSubjectLeavesItOut) {
  std::string body = R"({"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"x",
    "Timestamp":"2012-05-02T00:54:06.655Z","SignatureVersion":"2","Signature":"s",
    "SigningCertURL":"u","Subject":null})";
  auto message = ParseSnsMessage(body);
  ASSERT_TRUE(message.ok()) << message.message();
  EXPECT_FALSE(message->subject.has_value());
  EXPECT_EQ(SnsStringToSign(*message),
            "Message\nx\nMessageId\nm\nTimestamp\n2012-05-02T00:54:06.655Z\nTopicArn\nt\n"
            "Type\nNotification\n");
}

TEST(SnsMessageTest, EscapesInMessageBecomeRealCharacters) {
  std::string body = R"({"Type":"Notification","MessageId":"m","TopicArn":"t",
    "Message":"line1\nline2 \u00e9\ud83d\ude00 \"q\"","Timestamp":"2012-05-02T00:54:06.655Z",
    "SignatureVersion":"1","Signature":"s","SigningCertURL":"u"})";
  auto message = ParseSnsMessage(body);
  ASSERT_TRUE(message.ok()) << message.message();
  EXPECT_EQ(message->message, "line1\nline2 \xc3\xa9\xf0\x9f\x98\x80 \"q\"");
}

TEST(SnsMessageTest, RejectionsNameTheKey) {
  auto not_json = ParseSnsMessage("Type=Notification");
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.message().find("not JSON"), std::string::npos);

  auto array = ParseSnsMessage("[1]");
  ASSERT_FALSE(array.ok());
  EXPECT_NE(array.message().find("not a JSON object"), std::string::npos);

  auto unknown = ParseSnsMessage(R"({"Type":"Weird"})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("unknown \"Type\""), std::string::npos);

  auto missing = ParseSnsMessage(
      R"({"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"x","Timestamp":"t",
          "SignatureVersion":"1","Signature":"s"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("\"SigningCertURL\""), std::string::npos);

  auto wrong_type = ParseSnsMessage(
      R"({"Type":"Notification","MessageId":5,"TopicArn":"t","Message":"x","Timestamp":"t",
          "SignatureVersion":"1","Signature":"s","SigningCertURL":"u"})");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.message().find("\"MessageId\" is not a string"), std::string::npos);

  auto no_token = ParseSnsMessage(
      R"({"Type":"SubscriptionConfirmation","MessageId":"m","TopicArn":"t","Message":"x",
          "Timestamp":"t","SignatureVersion":"1","Signature":"s","SigningCertURL":"u",
          "SubscribeURL":"https://x/"})");
  ASSERT_FALSE(no_token.ok());
  EXPECT_NE(no_token.message().find("\"Token\""), std::string::npos);
}

}  // namespace
}  // namespace trailwatch::sources
