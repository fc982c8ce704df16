// Teams Workflows and generic webhook targets; the HTTP client's Retry-After parsing.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "outbox/outbox.h"
#include "targets/fake_servers_util.h"
#include "targets/http_client.h"
#include "targets/sample_alert.h"
#include "targets/target_test_util.h"
#include "targets/target.h"
#include "targets/webhook_target.h"

namespace trailwatch::targets {
namespace {

using testing::FakeHttpServer;
using testing::FakeResponse;
using testing::ScriptedAnswers;

// Entries with id 7 (not SampleOutboxEntry's default 1).
outbox::Entry TeamsTestEntry(const std::string& target, const std::string& event_id) {
  return testing::SampleOutboxEntry(target, event_id, 7);
}

config::TargetConfig TeamsConfig(const std::string& url) {
  config::TargetConfig config;
  config.name = "teams";
  config.type = config::TargetConfig::Type::kTeams;
  config.webhook_url = config::Secret(url);
  config.timeout = std::chrono::seconds(2);
  return config;
}

TEST(TeamsTarget, PostsAnAdaptiveCardAndAccepts202) {
  ScriptedAnswers answers({FakeResponse::Text(202, "")});
  FakeHttpServer fake(answers.Handler());
  auto target = testing::MakeTargetOrFail(
      TeamsConfig(fake.Url("/workflows/abc/triggers/manual/paths/invoke?sig=SECRETSIG")));
  Outcome outcome = target->Deliver(TeamsTestEntry("teams", "e-1"));
  ASSERT_TRUE(std::holds_alternative<Delivered>(outcome));
  EXPECT_EQ(std::get<Delivered>(outcome).http_status, 202);
  auto requests = fake.Requests();
  ASSERT_EQ(requests.size(), 1u);
  simdjson::dom::parser parser;
  simdjson::dom::element message;
  ASSERT_EQ(parser.parse(requests[0].body).get(message), simdjson::SUCCESS);
  std::string_view type, content_type, card_type;
  ASSERT_EQ(message["type"].get(type), simdjson::SUCCESS);
  EXPECT_EQ(type, "message");
  ASSERT_EQ(message["attachments"].at(0)["contentType"].get(content_type), simdjson::SUCCESS);
  EXPECT_EQ(content_type, "application/vnd.microsoft.card.adaptive");
  ASSERT_EQ(message["attachments"].at(0)["content"]["type"].get(card_type), simdjson::SUCCESS);
  EXPECT_EQ(card_type, "AdaptiveCard");
  EXPECT_NE(requests[0].body.find("192.0.2.0"), std::string::npos);
}

TEST(TeamsTarget, ClassifiesAnswers) {
  ScriptedAnswers answers({FakeResponse::Text(200, "1"), FakeResponse::Text(400, "Bad payload"),
                           FakeResponse::Text(413, "too large"), FakeResponse::TooManyRequests(2),
                           FakeResponse::Text(502, "")});
  FakeHttpServer fake(answers.Handler());
  auto target = testing::MakeTargetOrFail(TeamsConfig(fake.Url("/x?sig=SECRETSIG")));
  EXPECT_TRUE(std::holds_alternative<Delivered>(target->Deliver(TeamsTestEntry("teams", "1"))));
  Outcome bad = target->Deliver(TeamsTestEntry("teams", "2"));
  ASSERT_TRUE(std::holds_alternative<Permanent>(bad));
  EXPECT_EQ(std::get<Permanent>(bad).error.find("SECRETSIG"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<Permanent>(target->Deliver(TeamsTestEntry("teams", "3"))));
  Outcome limited = target->Deliver(TeamsTestEntry("teams", "4"));
  ASSERT_TRUE(std::holds_alternative<Retry>(limited));
  EXPECT_EQ(std::get<Retry>(limited).retry_after, std::chrono::seconds(2));
  EXPECT_TRUE(std::holds_alternative<Retry>(target->Deliver(TeamsTestEntry("teams", "5"))));
}

config::TargetConfig WebhookConfig(const std::string& url) {
  config::TargetConfig config;
  config.name = "siem";
  config.type = config::TargetConfig::Type::kWebhook;
  config.url = config::Secret(url);
  config.timeout = std::chrono::seconds(2);
  return config;
}

TEST(WebhookTarget, PostsTheEventWithHeadersAndAnHmacSignature) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(204, ""); });
  config::TargetConfig config = WebhookConfig(fake.Url("/ingest"));
  config.headers["Authorization"] = config::Secret("Splunk SECRET-HEC-TOKEN");
  config.headers["X-Source"] = config::Secret("trailwatch");
  config.hmac_secret = config::Secret("s3cr3t");
  auto target = testing::MakeTargetOrFail(config);
  outbox::Entry entry = TeamsTestEntry("siem", "e-1");
  Outcome outcome = target->Deliver(entry);
  ASSERT_TRUE(std::holds_alternative<Delivered>(outcome));
  auto requests = fake.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.body, entry.alert.envelope.json) << "the body is the event envelope";
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_EQ(request.Header("authorization"), "Splunk SECRET-HEC-TOKEN");
  EXPECT_EQ(request.Header("x-source"), "trailwatch");
  std::string timestamp = request.Header("x-trailwatch-timestamp");
  ASSERT_FALSE(timestamp.empty());
  EXPECT_EQ(request.Header("x-trailwatch-signature"),
            "sha256=" + testing::ReferenceHmacSha256Hex("s3cr3t", timestamp + "." + request.body))
      << "the signature covers the timestamp, then a dot, then the body";
  // RFC 4231 test case 2, to pin the helper to the standard.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  std::string key = request.Header("idempotency-key");
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(key, IdempotencyHeader(entry.idempotency_key));
  EXPECT_NE(key, IdempotencyHeader(TeamsTestEntry("siem", "e-2").idempotency_key));
}

TEST(WebhookTarget, NoSignatureWithoutASecret) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, ""); });
  auto target = testing::MakeTargetOrFail(WebhookConfig(fake.Url("/ingest")));
  ASSERT_TRUE(std::holds_alternative<Delivered>(target->Deliver(TeamsTestEntry("siem", "e-1"))));
  EXPECT_EQ(fake.Requests()[0].Header("x-trailwatch-signature"), "");
}

TEST(WebhookTarget, AppliesTheInputTransformer) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, ""); });
  config::TargetConfig config = WebhookConfig(fake.Url("/ingest"));
  config::InputTransformerConfig transformer;
  transformer.input_paths = {{"name", "$.detail.eventName"}, {"ip", "$.detail.sourceIPAddress"}};
  transformer.input_template = R"({"event": <name>, "from": <ip>})";
  config.input_transformer = transformer;
  auto target = testing::MakeTargetOrFail(config);
  ASSERT_TRUE(std::holds_alternative<Delivered>(target->Deliver(TeamsTestEntry("siem", "e-1"))));
  simdjson::dom::parser parser;
  simdjson::dom::element body;
  ASSERT_EQ(parser.parse(fake.Requests()[0].body).get(body), simdjson::SUCCESS)
      << fake.Requests()[0].body;
  std::string_view name, ip;
  ASSERT_EQ(body["event"].get(name), simdjson::SUCCESS);
  ASSERT_EQ(body["from"].get(ip), simdjson::SUCCESS);
  EXPECT_EQ(name, "ConsoleLogin");
  EXPECT_EQ(ip, "192.0.2.0");
}

TEST(WebhookTarget, ClassifiesAnswersLikeSlack) {
  ScriptedAnswers answers({FakeResponse::Text(408, ""), FakeResponse::Text(401, "denied"),
                           FakeResponse::Text(301, "")});
  FakeHttpServer fake(answers.Handler());
  auto target = testing::MakeTargetOrFail(WebhookConfig(fake.Url("/ingest")));
  EXPECT_TRUE(std::holds_alternative<Retry>(target->Deliver(TeamsTestEntry("siem", "1"))));
  EXPECT_TRUE(std::holds_alternative<Permanent>(target->Deliver(TeamsTestEntry("siem", "2"))));
  EXPECT_TRUE(std::holds_alternative<Permanent>(target->Deliver(TeamsTestEntry("siem", "3"))))
      << "redirects are not followed";
}

TEST(WebhookHttpClient, ParsesRetryAfterSecondsAndDates) {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), std::chrono::seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), std::chrono::seconds(0));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now), std::chrono::seconds(30));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:40:00 GMT", now), std::chrono::seconds(0))
      << "a date in the past means now";
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
}

}  // namespace
}  // namespace trailwatch::targets
