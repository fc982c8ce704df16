// Tests for record → EventBridge envelope conversion (envelope/envelope.h) and the eventTime
// normalisation it uses (cloudtrail/event_time.h).
#include "envelope/envelope.h"

#include <gtest/gtest.h>

#include "cloudtrail/event_time.h"
#include "cloudtrail/test_util.h"

namespace trailwatch::envelope {
namespace {

using cloudtrail::FormatEventTime;
using cloudtrail::ParseEventTime;
using cloudtrail::testing::JsonTextsEqual;
using cloudtrail::testing::ReadFixture;

TEST(EnvelopeTest, RootSignInMatchesConstructedSample) {
  const std::string record = ReadFixture("aws/cloudtrail/root-consolelogin-success-mfa.json");
  const std::string expected =
      ReadFixture("aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
  ASSERT_FALSE(record.empty());
  ASSERT_FALSE(expected.empty());
  auto envelope = BuildEnvelope(record);
  ASSERT_TRUE(envelope.ok()) << envelope.message();
  EXPECT_TRUE(JsonTextsEqual(envelope->json, expected)) << envelope->json;
  EXPECT_EQ(envelope->id, "e9412cf2-bed5-5133-90d8-95d65a6da132");
  EXPECT_EQ(envelope->detail_type, "AWS Console Sign In via CloudTrail");
  EXPECT_EQ(envelope->source, "aws.signin");
  EXPECT_EQ(envelope->account, "111122223333");
  EXPECT_EQ(envelope->time, "2022-11-10T16:24:34Z");
  EXPECT_EQ(envelope->region, "us-east-1");
  EXPECT_FALSE(envelope->event_type_unknown);
  EXPECT_FALSE(envelope->id_from_record_text);
}

TEST(EnvelopeTest, DetailIsTheRecordsBytesUntouched) {
  const std::string record = ReadFixture("aws/cloudtrail/root-consolelogin-success-mfa.json");
  auto envelope = BuildEnvelope(record);
  ASSERT_TRUE(envelope.ok()) << envelope.message();
  std::string trimmed = record;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
  const std::string suffix = "\"detail\":" + trimmed + "}";
  ASSERT_GE(envelope->json.size(), suffix.size());
  EXPECT_EQ(envelope->json.substr(envelope->json.size() - suffix.size()), suffix);
}

TEST(EnvelopeTest, ApiCallFromIam) {
  auto envelope = BuildEnvelope(ReadFixture("aws/cloudtrail/root-enablemfadevice.json"));
  ASSERT_TRUE(envelope.ok()) << envelope.message();
  EXPECT_EQ(envelope->detail_type, "AWS API Call via CloudTrail");
  EXPECT_EQ(envelope->source, "aws.iam");
  EXPECT_FALSE(envelope->event_type_unknown);
}

TEST(EnvelopeTest, EventTypeIsCaseInsensitiveAndAliased) {
  EXPECT_EQ(DetailTypeForEventType("AwsConsoleSignin"), "AWS Console Sign In via CloudTrail");
  EXPECT_EQ(DetailTypeForEventType("ConsoleSignin"), "AWS Console Sign In via CloudTrail");
  EXPECT_EQ(DetailTypeForEventType("awsserviceevent"), "AWS Service Event via CloudTrail");
  EXPECT_EQ(DetailTypeForEventType("AwsConsoleAction"), "AWS Console Action via CloudTrail");
  EXPECT_EQ(DetailTypeForEventType("AwsCloudTrailInsight"), "AWS Insight via CloudTrail");
  // Network activity events: trailwatch's own name (AWS does not send them to EventBridge).
  EXPECT_EQ(DetailTypeForEventType("AwsVpceEvent"), "AWS VPC Endpoint Event via CloudTrail");
  EXPECT_EQ(DetailTypeForEventType("AwsSomethingNew"), "");
}

TEST(EnvelopeTest, SourceStripsAmazonawsSuffixAndHonoursOverrides) {
  EXPECT_EQ(SourceForEventSource("signin.amazonaws.com", kDefaultSourceOverrides), "aws.signin");
  EXPECT_EQ(SourceForEventSource("monitoring.amazonaws.com", kDefaultSourceOverrides),
            "aws.monitoring");
  EXPECT_EQ(SourceForEventSource("custom.example", kDefaultSourceOverrides), "aws.custom.example");
  const SourceOverride table[] = {{"monitoring.amazonaws.com", "aws.cloudwatch"}};
  EXPECT_EQ(SourceForEventSource("monitoring.amazonaws.com", table), "aws.cloudwatch");
  EXPECT_EQ(SourceForEventSource("iam.amazonaws.com", table), "aws.iam");
}

constexpr char kMinimalRecord[] =
    R"({"eventSource":"iam.amazonaws.com","eventTime":"2022-11-10T16:24:34.123Z",)"
    R"("awsRegion":"eu-west-1","userIdentity":{"accountId":"444455556666"}})";

// No eventID, eventType or recipientAccountId: id from the record text, defaulted and flagged
// detail-type, account from the key, and the time's milliseconds dropped.
TEST(EnvelopeTest, MissingOptionalFieldsUseFallbacks) {
  auto envelope = BuildEnvelope(kMinimalRecord, "123456789012");
  ASSERT_TRUE(envelope.ok()) << envelope.message();
  EXPECT_TRUE(envelope->id_from_record_text);
  // uuid.uuid5(UUID('c1f1e4ff-...'), <kMinimalRecord>) in Python.
  EXPECT_EQ(envelope->id, "20c7b4c3-e758-57ce-a91a-ff823bf97640");
  EXPECT_TRUE(envelope->event_type_unknown);
  EXPECT_EQ(envelope->detail_type, "AWS API Call via CloudTrail");
  EXPECT_EQ(envelope->account, "123456789012");
  EXPECT_EQ(envelope->time, "2022-11-10T16:24:34Z");
  EXPECT_TRUE(JsonTextsEqual(
      envelope->json,
      std::string(R"({"version":"0","id":"20c7b4c3-e758-57ce-a91a-ff823bf97640",)"
                  R"("detail-type":"AWS API Call via CloudTrail","source":"aws.iam",)"
                  R"("account":"123456789012","time":"2022-11-10T16:24:34Z",)"
                  R"("region":"eu-west-1","resources":[],"detail":)") +
          kMinimalRecord + "}"))
      << envelope->json;
}

TEST(EnvelopeTest, AccountFallsBackToUserIdentityWithoutKeyAccount) {
  auto envelope = BuildEnvelope(kMinimalRecord);
  ASSERT_TRUE(envelope.ok()) << envelope.message();
  EXPECT_EQ(envelope->account, "444455556666");
}

TEST(EnvelopeTest, RecipientAccountWinsOverKeyAccount) {
  auto envelope = BuildEnvelope(
      R"({"eventSource":"s3.amazonaws.com","eventTime":"2022-11-10T16:24:34Z","awsRegion":"x",)"
      R"("recipientAccountId":"999988887777","eventType":"Mystery","eventID":"e1"})",
      "123456789012");
  ASSERT_TRUE(envelope.ok()) << envelope.message();
  EXPECT_EQ(envelope->account, "999988887777");
  EXPECT_TRUE(envelope->event_type_unknown);
  EXPECT_FALSE(envelope->id_from_record_text);
}

TEST(EnvelopeTest, OffsetTimeIsConvertedToUtc) {
  auto envelope = BuildEnvelope(
      R"({"eventSource":"s3.amazonaws.com","eventTime":"2022-01-01T01:30:00.999+02:00",)"
      R"("awsRegion":"eu-west-1","recipientAccountId":"111122223333"})");
  ASSERT_TRUE(envelope.ok()) << envelope.message();
  EXPECT_EQ(envelope->time, "2021-12-31T23:30:00Z");
}

TEST(EnvelopeTest, HeaderFieldsAreEscaped) {
  auto envelope = BuildEnvelope(
      R"({"eventSource":"a\"b\\c.amazonaws.com","eventTime":"2022-11-10T16:24:34Z",)"
      R"("awsRegion":"line\nbreak","recipientAccountId":"111122223333","eventID":"x"})");
  ASSERT_TRUE(envelope.ok()) << envelope.message();
  EXPECT_EQ(envelope->source, "aws.a\"b\\c");
  EXPECT_EQ(envelope->region, "line\nbreak");
  EXPECT_NE(envelope->json.find(R"("source":"aws.a\"b\\c")"), std::string::npos);
  EXPECT_NE(envelope->json.find(R"("region":"line\nbreak")"), std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(envelope->json).get(root), simdjson::SUCCESS);
  EXPECT_EQ(std::string(root["region"].get_string().value_unsafe()), "line\nbreak");
}

TEST(EnvelopeTest, ErrorsNameTheProblem) {
  auto no_source = BuildEnvelope(R"({"eventTime":"2022-11-10T16:24:34Z","awsRegion":"x"})");
  ASSERT_FALSE(no_source.ok());
  EXPECT_EQ(no_source.message(), "record has no \"eventSource\"");

  auto bad_time =
      BuildEnvelope(R"({"eventSource":"s3.amazonaws.com","eventTime":"yesterday","awsRegion":"x",)"
                    R"("recipientAccountId":"111122223333"})");
  ASSERT_FALSE(bad_time.ok());
  EXPECT_EQ(bad_time.message(),
            "record field \"eventTime\" is not an RFC 3339 time: \"yesterday\"");

  auto number_region = BuildEnvelope(
      R"({"eventSource":"s3.amazonaws.com","eventTime":"2022-11-10T16:24:34Z","awsRegion":5})");
  ASSERT_FALSE(number_region.ok());
  EXPECT_EQ(number_region.message(), "record field \"awsRegion\" is not a string");

  auto no_account = BuildEnvelope(
      R"({"eventSource":"s3.amazonaws.com","eventTime":"2022-11-10T16:24:34Z","awsRegion":"x"})");
  ASSERT_FALSE(no_account.ok());
  EXPECT_NE(no_account.message().find("record has no account"), std::string::npos);

  auto array = BuildEnvelope("[1,2]");
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.message(), "record is not a JSON object");

  auto truncated = BuildEnvelope(R"({"eventSource":"s3.amazonaws.com","eventTime":)");
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.message().rfind("record is not valid JSON: ", 0), 0u) << truncated.message();

  auto trailing =
      BuildEnvelope(R"({"eventSource":"s","eventTime":"2022-11-10T16:24:34Z","awsRegion":"x",)"
                    R"("recipientAccountId":"111122223333"} {"a":1})");
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.message(), "record has trailing content after its closing brace");
}

TEST(EnvelopeTest, BuilderIsReusable) {
  EnvelopeBuilder builder;
  const std::string a = ReadFixture("aws/cloudtrail/root-consolelogin-failure.json");
  const std::string b = ReadFixture("aws/cloudtrail/iam-user-consolelogin-success-mfa.json");
  auto first = builder.Build(a);
  auto second = builder.Build(b);
  ASSERT_TRUE(first.ok()) << first.message();
  ASSERT_TRUE(second.ok()) << second.message();
  EXPECT_NE(first->id, second->id);
  EXPECT_EQ(second->detail_type, "AWS Console Sign In via CloudTrail");
}

TEST(EnvelopeTimeTest, ParsesAndNormalisesRfc3339) {
  auto format = [](std::string_view text) -> std::string {
    auto parsed = ParseEventTime(text);
    if (!parsed) return "invalid";
    return FormatEventTime(*parsed).value_or("unformattable");
  };
  EXPECT_EQ(format("2022-11-10T16:24:34Z"), "2022-11-10T16:24:34Z");
  EXPECT_EQ(format("2022-11-10t16:24:34.999999z"), "2022-11-10T16:24:34Z");
  EXPECT_EQ(format("2022-11-10 16:24:34-05:30"), "2022-11-10T21:54:34Z");
  EXPECT_EQ(format("2024-02-29T23:59:59+00:00"), "2024-02-29T23:59:59Z");
  EXPECT_EQ(format("2023-12-31T23:59:60Z"), "2024-01-01T00:00:00Z");
  EXPECT_EQ(format("2023-02-29T00:00:00Z"), "invalid");
  EXPECT_EQ(format("2022-11-10T16:24:34"), "invalid");
  EXPECT_EQ(format("2022-11-10T24:00:00Z"), "invalid");
  EXPECT_EQ(format("2022-11-10T16:24:34.Z"), "invalid");
  EXPECT_EQ(format("2022-11-10T16:24:34+0200"), "invalid");
  EXPECT_EQ(format("2022-11-10T16:24:34Zjunk"), "invalid");
  EXPECT_EQ(format(""), "invalid");
}

}  // namespace
}  // namespace trailwatch::envelope
