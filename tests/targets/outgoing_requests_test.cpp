// What every outgoing delivery request carries (issue 10, item 6): the User-Agent
// trailwatch/<version> on every target type, and the webhook target's timestamped signature,
// checked by a receiver that verifies it the way docs/webhook-signatures.md describes.
#include <gtest/gtest.h>

#include "cli/cli_test_util.h"
#include "common/version.h"
#include "outbox/outbox.h"
#include "targets/fake_servers_util.h"
#include "targets/target.h"
#include "targets/target_test_util.h"
#include "targets/sample_alert.h"
#include "targets/webhook_target.h"

namespace trailwatch::targets {
namespace {

using testing::FakeHttpServer;
using testing::FakeResponse;
using testing::FakeWebhookReceiver;

config::TargetConfig SignedWebhook(const std::string& url, const std::string& secret) {
  config::TargetConfig config;
  config.name = "siem";
  config.type = config::TargetConfig::Type::kWebhook;
  config.url = config::Secret(url);
  config.hmac_secret = config::Secret(secret);
  config.timeout = std::chrono::seconds(2);
  return config;
}

std::chrono::system_clock::time_point fixed_now;
std::chrono::system_clock::time_point FixedNow() { return fixed_now; }

// A target whose clock reads `now` (and then whatever the test sets fixed_now to).
std::unique_ptr<Target> MakeAt(const config::TargetConfig& config,
                               std::chrono::system_clock::time_point now) {
  fixed_now = now;
  TargetContext context;
  context.now = &FixedNow;
  return testing::MakeTargetOrFail(config, context);
}

TEST(WebhookSignature, AReceiverThatChecksTimestampAndSignatureAcceptsIt) {
  FakeWebhookReceiver receiver("whsec-0123456789");
  auto target = testing::MakeTargetOrFail(SignedWebhook(receiver.url(), "whsec-0123456789"));
  for (const char* id : {"e-1", "e-2"}) {
    Outcome outcome = target->Deliver(testing::SampleOutboxEntry("siem", id));
    EXPECT_TRUE(std::holds_alternative<Delivered>(outcome))
        << (std::holds_alternative<Permanent>(outcome) ? std::get<Permanent>(outcome).error
            : std::holds_alternative<Retry>(outcome)   ? std::get<Retry>(outcome).error
                                                       : "");
  }
  EXPECT_EQ(receiver.Counts().accepted, 2u);
  EXPECT_TRUE(receiver.Counts().refusals.empty()) << receiver.Counts().refusals.front();
}

TEST(WebhookSignature, AnotherSecretIsRefused) {
  FakeWebhookReceiver receiver("the-receivers-secret");
  auto target = testing::MakeTargetOrFail(SignedWebhook(receiver.url(), "not-the-same-secret"));
  Outcome outcome = target->Deliver(testing::SampleOutboxEntry("siem", "e-1"));
  ASSERT_TRUE(std::holds_alternative<Permanent>(outcome));
  ASSERT_EQ(receiver.Counts().refusals.size(), 1u);
  EXPECT_EQ(receiver.Counts().refusals[0], "bad signature");
}

TEST(WebhookSignature, ARequestSignedTenMinutesAgoIsRefusedAsAReplay) {
  FakeWebhookReceiver receiver("whsec-0123456789");
  auto target = MakeAt(SignedWebhook(receiver.url(), "whsec-0123456789"),
                       std::chrono::system_clock::now() - std::chrono::minutes(10));
  Outcome outcome = target->Deliver(testing::SampleOutboxEntry("siem", "e-1"));
  ASSERT_TRUE(std::holds_alternative<Permanent>(outcome));
  ASSERT_EQ(receiver.Counts().refusals.size(), 1u);
  EXPECT_EQ(receiver.Counts().refusals[0], "stale timestamp");
}

TEST(WebhookSignature, TimestampIsUnixSecondsAndSignedBeforeTheBody) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, ""); });
  auto target =
      MakeAt(SignedWebhook(fake.Url("/hook"), "k"),
             std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000999)));
  ASSERT_TRUE(std::holds_alternative<Delivered>(
      target->Deliver(testing::SampleOutboxEntry("siem", "e-1"))));
  ASSERT_EQ(fake.RequestCount(), 1u);
  testing::FakeRequest request = fake.Requests()[0];
  EXPECT_EQ(request.Header("x-trailwatch-timestamp"), "1700000000");
  EXPECT_EQ(request.Header("x-trailwatch-signature"),
            "sha256=" + testing::ReferenceHmacSha256Hex("k", "1700000000." + request.body));
  EXPECT_NE(request.Header("x-trailwatch-signature"),
            "sha256=" + testing::ReferenceHmacSha256Hex("k", request.body))
      << "the body alone is no longer what is signed";
  EXPECT_EQ(WebhookSignatureHex("k", "1700000000", request.body),
            testing::ReferenceHmacSha256Hex("k", "1700000000." + request.body));
}

// send-test through a webhook: the body is the raw event (as EventBridge sends it), so the word
// TEST travels in the record's TrailwatchSendTest note and in a header; real alerts carry neither.
TEST(WebhookTarget, ASendTestAlertSaysTestInItsBodyAndAHeader) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, ""); });
  auto target = testing::MakeTargetOrFail(SignedWebhook(fake.Url("/hook"), "k"));
  outbox::Entry test = testing::SampleOutboxEntry("siem", "e-test");
  test.alert = SendTestAlert("e-test").value();
  ASSERT_TRUE(std::holds_alternative<Delivered>(target->Deliver(test)));
  ASSERT_TRUE(std::holds_alternative<Delivered>(
      target->Deliver(testing::SampleOutboxEntry("siem", "e-real"))));
  ASSERT_EQ(fake.RequestCount(), 2u);
  EXPECT_EQ(fake.Requests()[0].Header("x-trailwatch-test"), "true");
  EXPECT_NE(fake.Requests()[0].body.find("\"TrailwatchSendTest\":\"TEST: sent by trailwatch"),
            std::string::npos)
      << fake.Requests()[0].body;
  EXPECT_EQ(fake.Requests()[1].Header("x-trailwatch-test"), "");
  EXPECT_EQ(fake.Requests()[1].body.find("TEST"), std::string::npos);
}

TEST(WebhookSignature, EveryAttemptIsSignedWithItsOwnTime) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(503, ""); });
  auto target = MakeAt(SignedWebhook(fake.Url("/hook"), "k"),
                       std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)));
  outbox::Entry entry = testing::SampleOutboxEntry("siem", "e-1");
  EXPECT_TRUE(std::holds_alternative<Retry>(target->Deliver(entry)));
  fixed_now += std::chrono::seconds(90);
  EXPECT_TRUE(std::holds_alternative<Retry>(target->Deliver(entry)));
  auto requests = fake.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].Header("x-trailwatch-timestamp"), "1700000090");
  EXPECT_NE(requests[0].Header("x-trailwatch-signature"),
            requests[1].Header("x-trailwatch-signature"));
  EXPECT_EQ(requests[0].Header("idempotency-key"), requests[1].Header("idempotency-key"))
      << "the same alert keeps its Idempotency-Key";
}

TEST(OutgoingUserAgent, EveryTargetTypeSendsTrailwatchAndItsVersion) {
  const std::string expected = std::string("trailwatch/") + Version();
  EXPECT_EQ(expected.rfind("trailwatch/", 0), 0u);
  FakeHttpServer hooks([](const testing::FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  testing::FakeSlackApi slack;
  testing::TempDir dir;
  auto store = outbox::Outbox::Open(dir.path() + "/outbox.db");
  ASSERT_TRUE(store.ok()) << store.message();

  config::TargetConfig slack_webhook;
  slack_webhook.name = "slack";
  slack_webhook.type = config::TargetConfig::Type::kSlack;
  slack_webhook.webhook_url = config::Secret(hooks.Url("/services/T/B/X"));
  config::TargetConfig teams;
  teams.name = "teams";
  teams.type = config::TargetConfig::Type::kTeams;
  teams.webhook_url = config::Secret(hooks.Url("/workflows/x"));
  config::TargetConfig webhook = SignedWebhook(hooks.Url("/ingest"), "k");
  config::TargetConfig bot;
  bot.name = "bot";
  bot.type = config::TargetConfig::Type::kSlack;
  bot.token = config::Secret("xoxb-test");
  bot.channel = "C0123456789";

  for (const config::TargetConfig* config : {&slack_webhook, &teams, &webhook}) {
    EXPECT_TRUE(std::holds_alternative<Delivered>(testing::MakeTargetOrFail(*config)->Deliver(
        testing::SampleOutboxEntry(config->name, "e-1"))));
  }
  TargetContext api_context;
  api_context.outbox = store->get();
  api_context.slack_api_url = slack.api_url();
  EXPECT_TRUE(
      std::holds_alternative<Delivered>(testing::MakeTargetOrFail(bot, api_context)
                                            ->Deliver(testing::SampleOutboxEntry("bot", "e-1"))));

  auto requests = hooks.Requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& request : requests) {
    EXPECT_EQ(request.Header("user-agent"), expected) << request.path;
  }
  ASSERT_EQ(slack.Posts().size(), 1u);
  EXPECT_EQ(slack.Posts()[0].Header("user-agent"), expected);
}

}  // namespace
}  // namespace trailwatch::targets
