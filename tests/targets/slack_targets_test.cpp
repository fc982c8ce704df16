// Slack webhook and Web API targets against fakes reproducing docs/reference/formats.md §7.1/§7.2
// answers.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>

#include "cli/cli_test_util.h"
#include "outbox/outbox.h"
#include "targets/fake_servers_util.h"
#include "targets/sample_alert.h"
#include "targets/slack_text_fallback.h"
#include "targets/target.h"

namespace trailwatch::targets {
namespace {

using testing::FakeHttpServer;
using testing::FakeResponse;
using testing::ScriptedAnswers;

outbox::Entry SlackEntry(const std::string& event_id) {
  outbox::Entry entry;
  entry.id = 1;
  entry.alert = SampleRootSignInAlert(event_id, "root-signin").value();
  entry.target = "slack";
  entry.idempotency_key = outbox::IdempotencyKey("slack", entry.alert);
  return entry;
}

config::TargetConfig SlackWebhookConfig(const std::string& url) {
  config::TargetConfig config;
  config.name = "security-slack";
  config.type = config::TargetConfig::Type::kSlack;
  config.webhook_url = config::Secret(url);
  config.timeout = std::chrono::seconds(2);
  return config;
}

std::unique_ptr<Target> MakeSlackTarget(const config::TargetConfig& config,
                                        outbox::Outbox* store = nullptr,
                                        const std::string& api_url = "") {
  TargetContext context;
  context.account_aliases = {{"111122223333", "production"}};
  context.outbox = store;
  if (!api_url.empty()) context.slack_api_url = api_url;
  auto target = MakeTarget(config, context);
  EXPECT_TRUE(target.ok()) << target.message();
  return std::move(target.value());
}

// Parses a request body as JSON (fails the test if it is not).
simdjson::dom::element ParseJson(simdjson::dom::parser& parser, const std::string& body) {
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  return root;
}

TEST(SlackTargetWebhook, PostsTheRenderedBlockKitMessage) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  auto target = MakeSlackTarget(SlackWebhookConfig(fake.Url("/services/T000/B000/XXXX")));
  Outcome outcome = target->Deliver(SlackEntry("deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"));
  ASSERT_TRUE(std::holds_alternative<Delivered>(outcome));
  EXPECT_EQ(std::get<Delivered>(outcome).response, "ok");
  auto requests = fake.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/services/T000/B000/XXXX");
  EXPECT_EQ(requests[0].Header("content-type"), "application/json");
  simdjson::dom::parser parser;
  auto message = ParseJson(parser, requests[0].body);
  std::string_view text;
  ASSERT_EQ(message["text"].get(text), simdjson::SUCCESS);
  EXPECT_NE(text.find("Root"), std::string_view::npos) << text;
  simdjson::dom::array blocks;
  ASSERT_EQ(message["blocks"].get(blocks), simdjson::SUCCESS);
  EXPECT_GE(blocks.size(), 3u);
  EXPECT_LE(blocks.size(), 50u);
  std::string_view first_type;
  ASSERT_EQ(blocks.at(0)["type"].get(first_type), simdjson::SUCCESS);
  EXPECT_EQ(first_type, "header");
  // The fields a person needs are in the blocks.
  for (const char* needle : {"111122223333", "production", "192.0.2.0", "us-east-1",
                             "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0", "root-signin"}) {
    EXPECT_NE(requests[0].body.find(needle), std::string::npos) << needle;
  }
  // A webhook message has no channel (fixed by the webhook).
  EXPECT_EQ(message["channel"].error(), simdjson::NO_SUCH_FIELD);
}

struct WebhookAnswerCase {
  FakeResponse answer;
  enum { kDelivered, kRetry, kPermanent } expected;
  std::string error_contains;
  int retry_after = -1;
};

TEST(SlackTargetWebhook, ClassifiesTheDocumentedAnswers) {
  std::vector<WebhookAnswerCase> cases = {
      {FakeResponse::Text(200, "ok"), WebhookAnswerCase::kDelivered, ""},
      {FakeResponse::Text(400, "invalid_payload"), WebhookAnswerCase::kPermanent,
       "invalid_payload"},
      {FakeResponse::Text(404, "channel_not_found"), WebhookAnswerCase::kPermanent,
       "channel_not_found"},
      {FakeResponse::Text(404, "no_service"), WebhookAnswerCase::kPermanent, "no_service"},
      {FakeResponse::Text(410, "channel_is_archived"), WebhookAnswerCase::kPermanent,
       "channel_is_archived"},
      {FakeResponse::Text(403, "action_prohibited"), WebhookAnswerCase::kPermanent,
       "action_prohibited"},
      {FakeResponse::TooManyRequests(7), WebhookAnswerCase::kRetry, "HTTP 429", 7},
      {FakeResponse::Text(500, "rollup_error"), WebhookAnswerCase::kRetry, "rollup_error"},
      {FakeResponse::Text(503, "Service Unavailable"), WebhookAnswerCase::kRetry, "HTTP 503"},
  };
  for (const WebhookAnswerCase& c : cases) {
    SCOPED_TRACE(std::to_string(c.answer.status) + " " + c.answer.body);
    // Twice: a rejected payload is retried once as text only (and rejected again here).
    ScriptedAnswers answers({c.answer, c.answer});
    FakeHttpServer fake(answers.Handler());
    auto target = MakeSlackTarget(SlackWebhookConfig(fake.Url("/services/T000/B000/SECRETPATH")));
    Outcome outcome = target->Deliver(SlackEntry("e-1"));
    switch (c.expected) {
      case WebhookAnswerCase::kDelivered:
        EXPECT_TRUE(std::holds_alternative<Delivered>(outcome));
        break;
      case WebhookAnswerCase::kPermanent: {
        ASSERT_TRUE(std::holds_alternative<Permanent>(outcome));
        const auto& p = std::get<Permanent>(outcome);
        EXPECT_NE(p.error.find(c.error_contains), std::string::npos) << p.error;
        EXPECT_EQ(p.http_status, c.answer.status);
        EXPECT_EQ(p.error.find("SECRETPATH"), std::string::npos) << p.error;
        break;
      }
      case WebhookAnswerCase::kRetry: {
        ASSERT_TRUE(std::holds_alternative<Retry>(outcome));
        const auto& r = std::get<Retry>(outcome);
        EXPECT_NE(r.error.find(c.error_contains), std::string::npos) << r.error;
        EXPECT_EQ(r.error.find("SECRETPATH"), std::string::npos) << r.error;
        if (c.retry_after >= 0) {
          ASSERT_TRUE(r.retry_after.has_value());
          EXPECT_EQ(r.retry_after->count(), c.retry_after);
        }
        break;
      }
    }
  }
}

TEST(SlackTargetWebhook, SlowAnswerPastTheTimeoutIsTransient) {
  FakeResponse slow = FakeResponse::Text(200, "ok");
  slow.delay = std::chrono::milliseconds(4000);
  ScriptedAnswers answers({slow});
  FakeHttpServer fake(answers.Handler());
  config::TargetConfig config = SlackWebhookConfig(fake.Url("/services/T/B/SECRETPATH"));
  config.timeout = std::chrono::seconds(1);
  auto target = MakeSlackTarget(config);
  auto started = std::chrono::steady_clock::now();
  Outcome outcome = target->Deliver(SlackEntry("e-1"));
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(std::holds_alternative<Retry>(outcome));
  EXPECT_NE(std::get<Retry>(outcome).error.find("Timeout"), std::string::npos)
      << std::get<Retry>(outcome).error;
  EXPECT_LT(elapsed, std::chrono::milliseconds(3500));
}

TEST(SlackTargetWebhook, ConnectionRefusedIsTransientAndNamesNoUrl) {
  int port = 0;
  {
    FakeHttpServer closed([](const testing::FakeRequest&) { return FakeResponse(); });
    port = closed.port();
  }
  auto target = MakeSlackTarget(
      SlackWebhookConfig("http://127.0.0.1:" + std::to_string(port) + "/services/T/B/SECRETPATH"));
  Outcome outcome = target->Deliver(SlackEntry("e-1"));
  ASSERT_TRUE(std::holds_alternative<Retry>(outcome));
  EXPECT_EQ(std::get<Retry>(outcome).error.find("SECRETPATH"), std::string::npos);
  EXPECT_EQ(std::get<Retry>(outcome).error.find("127.0.0.1"), std::string::npos);
}

class SlackTargetApi : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = outbox::Outbox::Open(dir_.path() + "/outbox.db");
    ASSERT_TRUE(store.ok()) << store.message();
    store_ = std::move(store.value());
  }
  config::TargetConfig BotConfig() {
    config::TargetConfig config;
    config.name = "security-bot";
    config.type = config::TargetConfig::Type::kSlack;
    config.token = config::Secret("xoxb-SECRET-TOKEN");
    config.channel = "C0123456789";
    config.timeout = std::chrono::seconds(2);
    return config;
  }
  testing::TempDir dir_;
  std::unique_ptr<outbox::Outbox> store_;
  testing::FakeSlackApi slack_;
};

TEST_F(SlackTargetApi, PostsToTheChannelWithTheTokenInTheHeader) {
  auto target = MakeSlackTarget(BotConfig(), store_.get(), slack_.api_url());
  Outcome outcome = target->Deliver(SlackEntry("e-1"));
  ASSERT_TRUE(std::holds_alternative<Delivered>(outcome));
  EXPECT_FALSE(std::get<Delivered>(outcome).thread_ts.empty());
  auto posts = slack_.Posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].Header("authorization"), "Bearer xoxb-SECRET-TOKEN");
  EXPECT_EQ(posts[0].Header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(posts[0].body.find("xoxb-"), std::string::npos) << "token in the body";
  simdjson::dom::parser parser;
  auto message = ParseJson(parser, posts[0].body);
  std::string_view channel;
  ASSERT_EQ(message["channel"].get(channel), simdjson::SUCCESS);
  EXPECT_EQ(channel, "C0123456789");
  EXPECT_EQ(message["thread_ts"].error(), simdjson::NO_SUCH_FIELD);
  simdjson::dom::array blocks;
  ASSERT_EQ(message["blocks"].get(blocks), simdjson::SUCCESS);
  EXPECT_GE(blocks.size(), 3u);
  std::string_view text;
  ASSERT_EQ(message["text"].get(text), simdjson::SUCCESS);
}

TEST_F(SlackTargetApi, ClassifiesOkFalseErrorsAndHttpAnswers) {
  struct Case {
    std::string code;
    bool transient;
  };
  std::vector<Case> codes = {{"channel_not_found", false}, {"not_in_channel", false},
                             {"invalid_auth", false},      {"invalid_blocks", false},
                             {"msg_too_long", false},      {"rate_limited", true},
                             {"fatal_error", true},        {"request_timeout", true}};
  auto target = MakeSlackTarget(BotConfig(), store_.get(), slack_.api_url());
  for (const Case& c : codes) {
    SCOPED_TRACE(c.code);
    // A blocks rejection is retried once as text only: script the second answer too.
    if (c.code == "invalid_blocks") {
      slack_.ScriptPostErrors({c.code, c.code});
    } else {
      slack_.ScriptPostErrors({c.code});
    }
    Outcome outcome = target->Deliver(SlackEntry("e-" + c.code));
    if (c.transient) {
      ASSERT_TRUE(std::holds_alternative<Retry>(outcome));
      EXPECT_NE(std::get<Retry>(outcome).error.find(c.code), std::string::npos);
    } else {
      ASSERT_TRUE(std::holds_alternative<Permanent>(outcome));
      EXPECT_NE(std::get<Permanent>(outcome).error.find(c.code), std::string::npos);
      EXPECT_EQ(std::get<Permanent>(outcome).error.find("xoxb"), std::string::npos);
    }
  }
  slack_.ScriptPostResponses({FakeResponse::TooManyRequests(30)});
  Outcome limited = target->Deliver(SlackEntry("e-429"));
  ASSERT_TRUE(std::holds_alternative<Retry>(limited));
  ASSERT_TRUE(std::get<Retry>(limited).retry_after.has_value());
  EXPECT_EQ(std::get<Retry>(limited).retry_after->count(), 30);
  slack_.ScriptPostResponses({FakeResponse::Json(500, "{}")});
  EXPECT_TRUE(std::holds_alternative<Retry>(target->Deliver(SlackEntry("e-500"))));
  slack_.ScriptPostResponses({FakeResponse::Text(200, "<html>proxy</html>")});
  EXPECT_TRUE(std::holds_alternative<Retry>(target->Deliver(SlackEntry("e-html"))));
}

TEST_F(SlackTargetApi, ThreadsRepeatsUnderTheFirstMessageAndUpdatesItsCount) {
  auto target = MakeSlackTarget(BotConfig(), store_.get(), slack_.api_url());
  std::string parent_ts;
  for (int i = 0; i < 3; ++i) {
    Outcome outcome = target->Deliver(SlackEntry("e-" + std::to_string(i)));
    ASSERT_TRUE(std::holds_alternative<Delivered>(outcome));
    if (i == 0) parent_ts = std::get<Delivered>(outcome).thread_ts;
    EXPECT_EQ(std::get<Delivered>(outcome).thread_ts, parent_ts);
  }
  auto posts = slack_.Posts();
  ASSERT_EQ(posts.size(), 3u);
  simdjson::dom::parser parser;
  EXPECT_EQ(ParseJson(parser, posts[0].body)["thread_ts"].error(), simdjson::NO_SUCH_FIELD);
  for (int i = 1; i < 3; ++i) {
    std::string_view thread_ts;
    ASSERT_EQ(ParseJson(parser, posts[i].body)["thread_ts"].get(thread_ts), simdjson::SUCCESS);
    EXPECT_EQ(thread_ts, parent_ts);
  }
  auto updates = slack_.Updates();
  ASSERT_EQ(updates.size(), 2u);
  for (size_t i = 0; i < updates.size(); ++i) {
    auto update = ParseJson(parser, updates[i].body);
    std::string_view ts, channel;
    ASSERT_EQ(update["ts"].get(ts), simdjson::SUCCESS);
    ASSERT_EQ(update["channel"].get(channel), simdjson::SUCCESS);
    EXPECT_EQ(ts, parent_ts);
    EXPECT_EQ(channel, "C0123456789");
    std::string count = "seen " + std::to_string(i + 2) + " times";
    EXPECT_NE(updates[i].body.find(count), std::string::npos) << updates[i].body;
    // The update re-renders the parent (event e-0), not the repeat.
    EXPECT_NE(updates[i].body.find("e-0"), std::string::npos);
  }
  auto root = store_->FindThreadRoot(
      "security-bot", R"(["root-signin","arn:aws:iam::111122223333:root","192.0.2.0"])");
  ASSERT_TRUE(root.ok() && *root) << "group key is (rule, identity, source IP)";
  EXPECT_EQ((*root)->count, 3);
}

std::chrono::system_clock::time_point fake_now;
std::chrono::system_clock::time_point FakeNow() { return fake_now; }

TEST_F(SlackTargetApi, StartsANewThreadAfterTheWindow) {
  fake_now = std::chrono::system_clock::now();
  TargetContext context;
  context.outbox = store_.get();
  context.slack_api_url = slack_.api_url();
  context.now = &FakeNow;
  config::TargetConfig config = BotConfig();
  config.thread_window = std::chrono::minutes(15);
  auto target = MakeTarget(config, context);
  ASSERT_TRUE(target.ok());
  ASSERT_TRUE(std::holds_alternative<Delivered>((*target)->Deliver(SlackEntry("e-1"))));
  fake_now += std::chrono::minutes(14);
  ASSERT_TRUE(std::holds_alternative<Delivered>((*target)->Deliver(SlackEntry("e-2"))));
  fake_now += std::chrono::minutes(2);  // 16 minutes after the parent
  ASSERT_TRUE(std::holds_alternative<Delivered>((*target)->Deliver(SlackEntry("e-3"))));
  auto posts = slack_.Posts();
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].body.find("thread_ts"), std::string::npos);
  EXPECT_NE(posts[1].body.find("thread_ts"), std::string::npos);
  EXPECT_EQ(posts[2].body.find("thread_ts"), std::string::npos) << "a new parent";
}

TEST_F(SlackTargetApi, AFailedReplyIsNotCountedInTheThread) {
  auto target = MakeSlackTarget(BotConfig(), store_.get(), slack_.api_url());
  ASSERT_TRUE(std::holds_alternative<Delivered>(target->Deliver(SlackEntry("e-1"))));
  slack_.ScriptPostErrors({"rate_limited"});
  ASSERT_TRUE(std::holds_alternative<Retry>(target->Deliver(SlackEntry("e-2"))));
  EXPECT_TRUE(slack_.Updates().empty());
  ASSERT_TRUE(std::holds_alternative<Delivered>(target->Deliver(SlackEntry("e-2"))));
  auto updates = slack_.Updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_NE(updates[0].body.find("seen 2 times"), std::string::npos);
}

// docs/reference/formats.md §7.1: invalid_payload / invalid_blocks — retry once as text only before
// giving up.
TEST(SlackTargetWebhook, RejectedBlocksAreRetriedOnceAsTextOnly) {
  for (const std::string code : {"invalid_payload", "invalid_blocks"}) {
    SCOPED_TRACE(code);
    ScriptedAnswers answers({FakeResponse::Text(400, code)});
    FakeHttpServer fake(answers.Handler());
    auto target = MakeSlackTarget(SlackWebhookConfig(fake.Url("/services/T000/B000/XXXX")));
    Outcome outcome = target->Deliver(SlackEntry("e-1"));
    ASSERT_TRUE(std::holds_alternative<Delivered>(outcome));
    EXPECT_NE(std::get<Delivered>(outcome).response.find("sent as text only"), std::string::npos);
    EXPECT_NE(std::get<Delivered>(outcome).response.find(code), std::string::npos);
    auto requests = fake.Requests();
    ASSERT_EQ(requests.size(), 2u);
    simdjson::dom::parser parser;
    auto first = ParseJson(parser, requests[0].body);
    EXPECT_EQ(first["blocks"].error(), simdjson::SUCCESS);
    std::string first_text(first["text"].get_string().value());
    simdjson::dom::parser parser2;
    auto second = ParseJson(parser2, requests[1].body);
    EXPECT_EQ(second["blocks"].error(), simdjson::NO_SUCH_FIELD);
    EXPECT_EQ(second["attachments"].error(), simdjson::NO_SUCH_FIELD);
    EXPECT_EQ(std::string(second["text"].get_string().value()), first_text);
  }
}

TEST(SlackTargetWebhook, TextOnlyRetryIsOnceAndBothErrorsAreKept) {
  ScriptedAnswers answers({FakeResponse::Text(400, "invalid_blocks")},
                          FakeResponse::Text(400, "invalid_payload"));
  FakeHttpServer fake(answers.Handler());
  auto target = MakeSlackTarget(SlackWebhookConfig(fake.Url("/services/T000/B000/XXXX")));
  Outcome outcome = target->Deliver(SlackEntry("e-1"));
  ASSERT_TRUE(std::holds_alternative<Permanent>(outcome));
  const std::string& error = std::get<Permanent>(outcome).error;
  EXPECT_NE(error.find("invalid_blocks"), std::string::npos) << error;
  EXPECT_NE(error.find("text-only retry"), std::string::npos) << error;
  EXPECT_NE(error.find("invalid_payload"), std::string::npos) << error;
  EXPECT_EQ(fake.RequestCount(), 2u);
}

TEST(SlackTargetWebhook, OtherPermanentErrorsAreNotRetriedAsText) {
  ScriptedAnswers answers({FakeResponse::Text(404, "channel_not_found")});
  FakeHttpServer fake(answers.Handler());
  auto target = MakeSlackTarget(SlackWebhookConfig(fake.Url("/services/T000/B000/XXXX")));
  EXPECT_TRUE(std::holds_alternative<Permanent>(target->Deliver(SlackEntry("e-1"))));
  EXPECT_EQ(fake.RequestCount(), 1u);
}

TEST(SlackTextFallback, DropsBlocksAndAttachmentsAndKeepsTheRest) {
  auto text_only = TextOnlySlackMessage(
      R"({"channel":"C0123456789","text":"🚨 hi & <x>","blocks":[{"type":"divider"}],)"
      R"("attachments":[{"color":"#d00000"}],"thread_ts":"1.2"})");
  ASSERT_TRUE(text_only.has_value());
  EXPECT_EQ(*text_only, R"({"channel":"C0123456789","text":"🚨 hi & <x>","thread_ts":"1.2"})");
  EXPECT_FALSE(TextOnlySlackMessage(R"({"blocks":[]})").has_value()) << "no text: nothing to send";
  EXPECT_FALSE(TextOnlySlackMessage(R"({"text":"","blocks":[]})").has_value());
  EXPECT_FALSE(TextOnlySlackMessage("not json").has_value());
  EXPECT_TRUE(IsSlackBlocksRejection("invalid_payload\n"));
  EXPECT_FALSE(IsSlackBlocksRejection("channel_not_found"));
}

TEST_F(SlackTargetApi, RejectedBlocksAreRetriedOnceAsTextOnly) {
  auto target = MakeSlackTarget(BotConfig(), store_.get(), slack_.api_url());
  slack_.ScriptPostErrors({"invalid_blocks"});
  Outcome outcome = target->Deliver(SlackEntry("e-1"));
  ASSERT_TRUE(std::holds_alternative<Delivered>(outcome));
  EXPECT_NE(std::get<Delivered>(outcome).response.find("sent as text only"), std::string::npos);
  auto posts = slack_.Posts();
  ASSERT_EQ(posts.size(), 2u);
  simdjson::dom::parser parser;
  auto second = ParseJson(parser, posts[1].body);
  EXPECT_EQ(second["blocks"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(std::string(second["channel"].get_string().value()), "C0123456789");
  EXPECT_FALSE(std::string(second["text"].get_string().value()).empty());
}

// A route may choose the Slack channel (target reference "security-bot#C…"): the message goes to
// that channel, and repeats thread per channel.
TEST_F(SlackTargetApi, PostsToTheChannelInTheEntrysChannelKeyAndThreadsPerChannel) {
  config::TargetConfig config = BotConfig();
  auto target = MakeSlackTarget(config, store_.get(), slack_.api_url());
  outbox::Entry in_default = SlackEntry("e-1");
  in_default.channel_key = ChannelKey(config, in_default.alert);
  EXPECT_EQ(in_default.channel_key, "security-bot#C0123456789");
  outbox::Entry in_other = SlackEntry("e-2");
  in_other.channel_key = ChannelKey(config, in_other.alert, "C0SECOND001");
  EXPECT_EQ(in_other.channel_key, "security-bot#C0SECOND001");
  outbox::Entry repeat_in_other = SlackEntry("e-3");
  repeat_in_other.channel_key = in_other.channel_key;

  std::vector<std::string> thread_of;
  for (const auto* entry : {&in_default, &in_other, &repeat_in_other}) {
    Outcome outcome = target->Deliver(*entry);
    ASSERT_TRUE(std::holds_alternative<Delivered>(outcome));
    thread_of.push_back(std::get<Delivered>(outcome).thread_ts);
  }
  EXPECT_NE(thread_of[0], thread_of[1]);
  EXPECT_EQ(thread_of[1], thread_of[2]);
  auto posts = slack_.Posts();
  ASSERT_EQ(posts.size(), 3u);
  simdjson::dom::parser p0, p1, p2;
  auto first = ParseJson(p0, posts[0].body);
  auto second = ParseJson(p1, posts[1].body);
  auto third = ParseJson(p2, posts[2].body);
  EXPECT_EQ(std::string(first["channel"].get_string().value()), "C0123456789");
  EXPECT_EQ(std::string(second["channel"].get_string().value()), "C0SECOND001");
  // The same rule/identity/IP in another channel starts its own thread there...
  EXPECT_EQ(second["thread_ts"].error(), simdjson::NO_SUCH_FIELD);
  // ...and its repeat is threaded under the other channel's message, not the first one.
  EXPECT_EQ(std::string(third["channel"].get_string().value()), "C0SECOND001");
  ASSERT_EQ(third["thread_ts"].error(), simdjson::SUCCESS);
  EXPECT_EQ(std::string(third["thread_ts"].get_string().value()), thread_of[1]);
}

TEST(TargetReference, NameOrNameAndSlackChannel) {
  auto plain = ParseTargetReference("security-bot");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->name, "security-bot");
  EXPECT_EQ(plain->slack_channel, "");
  auto with_channel = ParseTargetReference("security-bot#C0456789AB");
  ASSERT_TRUE(with_channel.ok());
  EXPECT_EQ(with_channel->name, "security-bot");
  EXPECT_EQ(with_channel->slack_channel, "C0456789AB");
  EXPECT_FALSE(ParseTargetReference("security-bot#general").ok());
  EXPECT_FALSE(ParseTargetReference("#C0456789AB").ok());
  EXPECT_FALSE(ParseTargetReference("security-bot#").ok());
}

}  // namespace
}  // namespace trailwatch::targets
