// ValidateEnvelope: EventBridge's rule for what an event is (docs/reference/event-patterns.md §8).
#include "envelope/validate_envelope.h"

#include <gtest/gtest.h>

#include <string>

namespace trailwatch::envelope {
namespace {

const char kFull[] =
    R"({"version":"0","id":"6f87d04b-9f74-4f04-a780-7acf4b0a9b38","detail-type":"AWS API Call via CloudTrail",)"
    R"("source":"aws.iam","account":"111122223333","time":"2024-01-01T00:00:00Z","region":"us-east-1",)"
    R"("resources":[],"detail":{"eventID":"e-1","eventName":"CreateUser"}})";

Status Validate(const std::string& json, Envelope* out) {
  simdjson::dom::parser parser;
  return ValidateEnvelopeText(json, parser, out);
}

TEST(ValidateEnvelope, FillsTheHeaderAndTheCloudTrailEventId) {
  Envelope envelope;
  ASSERT_TRUE(Validate(kFull, &envelope).ok());
  EXPECT_EQ(envelope.id, "6f87d04b-9f74-4f04-a780-7acf4b0a9b38");
  EXPECT_EQ(envelope.detail_type, "AWS API Call via CloudTrail");
  EXPECT_EQ(envelope.source, "aws.iam");
  EXPECT_EQ(envelope.account, "111122223333");
  EXPECT_EQ(envelope.time, "2024-01-01T00:00:00Z");
  EXPECT_EQ(envelope.region, "us-east-1");
  EXPECT_EQ(envelope.event_id, "e-1");
  EXPECT_EQ(envelope.DedupKey(), "e-1");
  EXPECT_EQ(envelope.json, kFull);  // already minified
}

TEST(ValidateEnvelope, ResourcesVersionAndDetailAreNotRequired) {
  Envelope envelope;
  Status valid = Validate(R"({"id":"a","account":"1","source":"s","time":"t","region":"r","detail-type":"d"})",
                          &envelope);
  ASSERT_TRUE(valid.ok()) << valid.message();
  EXPECT_EQ(envelope.event_id, "");
  EXPECT_EQ(envelope.DedupKey(), "a");  // no CloudTrail eventID: the envelope id
}

TEST(ValidateEnvelope, TypesAreNotChecked) {
  Envelope envelope;
  Status valid = Validate(
      R"({"id":7,"account":null,"source":{},"time":true,"region":[],"detail-type":["a","b"],"detail":{"eventID":5}})",
      &envelope);
  ASSERT_TRUE(valid.ok()) << valid.message();
  // Non-string values leave the header field empty; the JSON keeps them for matching.
  EXPECT_EQ(envelope.detail_type, "");
  EXPECT_EQ(envelope.id, "");
  EXPECT_EQ(envelope.event_id, "");
  EXPECT_NE(envelope.json.find(R"("detail-type":["a","b"])"), std::string::npos);
}

TEST(ValidateEnvelope, EachOfTheSixFieldsIsRequired) {
  for (std::string_view field : kRequiredEnvelopeFields) {
    std::string json = "{";
    for (std::string_view other : kRequiredEnvelopeFields) {
      if (other == field) continue;
      if (json.size() > 1) json += ",";
      // Appended, not concatenated: GCC 12 warns falsely (-Wstringop-overflow) on the latter.
      json.append("\"").append(other).append("\":\"x\"");
    }
    json += ",\"resources\":[],\"detail\":{}}";
    Envelope envelope;
    Status valid = Validate(json, &envelope);
    ASSERT_FALSE(valid.ok()) << field;
    std::string expected = "missing \"";
    expected.append(field).append("\"");
    EXPECT_EQ(valid.message(), expected);
  }
}

TEST(ValidateEnvelope, NonObjectsAndNonJsonAreRefused) {
  Envelope envelope;
  EXPECT_EQ(Validate("[]", &envelope).message(), "not a JSON object");
  EXPECT_EQ(Validate("\"id\"", &envelope).message(), "not a JSON object");
  Status broken = Validate("{\"id\":", &envelope);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.message().rfind("not JSON (", 0), 0u) << broken.message();
}

}  // namespace
}  // namespace trailwatch::envelope
