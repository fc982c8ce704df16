// HttpSource on 127.0.0.1:0 with a recording sink: POST /events (EventBridge API destinations,
// docs/reference/formats.md §6) and POST /sns (an SNS HTTPS subscription, §5, driven by the
// spec-exact fake sender and cert host of sns_sender_util.h), /healthz and /metrics.
#include "sources/http_source.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <future>
#include <thread>

#include "telemetry/metrics.h"
#include "sources/sns_sender_util.h"

namespace trailwatch::sources {
namespace {

using trailwatch::testing::FakeCertHost;
using trailwatch::testing::HoldableRecordingSink;
using trailwatch::testing::HttpGet;
using trailwatch::testing::HttpPost;
using trailwatch::testing::SnsReply;
using trailwatch::testing::SnsSender;
using trailwatch::testing::SnsSpec;
using trailwatch::testing::TestPki;

constexpr const char* kApiKey = "test-api-key-0123456789";
using trailwatch::testing::kChatbotTopic;

std::string Envelope(const std::string& id, const std::string& event_name = "ConsoleLogin") {
  return R"({"version":"0","id":")" + id +
         R"(","detail-type":"AWS Console Sign In via CloudTrail","source":"aws.signin",)"
         R"("account":"111122223333","time":"2026-01-01T00:00:00Z","region":"us-east-1",)"
         R"("resources":[],"detail":{"eventName":")" +
         event_name + R"(","userIdentity":{"type":"Root"},"eventID":"e-)" + id + R"("}})";
}

// A running HttpSource; stops it in the destructor.
class RunningHttpSource {
 public:
  explicit RunningHttpSource(HttpSourceConfig config) {
    context_.log = std::make_shared<spdlog::logger>(
        "http-test", std::make_shared<spdlog::sinks::null_sink_mt>());
    context_.metrics = &metrics_;
    auto source = HttpSource::Create(std::move(config), context_);
    if (!source.ok()) {
      error_ = source.message();
      return;
    }
    source_ = std::move(*source);
    Status bound = source_->Bind();
    if (!bound.ok()) {
      error_ = bound.message();
      return;
    }
    thread_ = std::jthread([this](std::stop_token stop) { status_ = source_->Run(stop, sink_); });
    // /healthz answers once the listener runs.
    for (int i = 0; i < 2000 && HttpGet(port(), "/healthz").status != 200; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  ~RunningHttpSource() { (void)Stop(); }
  Status Stop() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
    return status_;
  }
  const std::string& error() const { return error_; }
  int port() const { return source_ ? source_->port() : 0; }
  HoldableRecordingSink& sink() { return sink_; }
  telemetry::Metrics& metrics() { return metrics_; }
  double Requests(const std::string& endpoint, int status) {
    return metrics_.Get("trailwatch_http_requests_total",
                        {{"endpoint", endpoint}, {"status", std::to_string(status)}});
  }
  double Rejected(const std::string& endpoint, const std::string& reason) {
    return metrics_.Get("trailwatch_http_rejected_total",
                        {{"endpoint", endpoint}, {"reason", reason}});
  }

 private:
  telemetry::Metrics metrics_;
  SourceContext context_;
  HoldableRecordingSink sink_;
  std::unique_ptr<HttpSource> source_;
  Status status_;
  std::string error_;
  std::jthread thread_;
};

HttpSourceConfig BaseConfig() {
  HttpSourceConfig config;
  config.listen = "127.0.0.1:0";
  config.api_key = config::Secret(kApiKey);
  return config;
}

SnsReply PostEvents(int port, const std::string& body, const std::string& key = kApiKey,
                    const std::string& header = "x-api-key") {
  std::map<std::string, std::string> headers = {
      {"User-Agent", "Amazon/EventBridge/ApiDestinations"}};
  if (!key.empty()) headers[header] = key;
  return HttpPost(port, "/events", body, headers);
}

// ---- /events --------------------------------------------------------------------------------

TEST(HttpSourceEventsTest, AcceptsOneEnvelopeAfterSubmit) {
  RunningHttpSource running(BaseConfig());
  ASSERT_EQ(running.error(), "");
  SnsReply reply = PostEvents(running.port(), Envelope("11111111-1111-1111-1111-111111111111"));
  EXPECT_EQ(reply.status, 202);
  EXPECT_LT(reply.body.size(), 64u);
  auto events = running.sink().Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].origin, "http:/events");
  EXPECT_NE(events[0].envelope.json.find("\"detail-type\":\"AWS Console Sign In via CloudTrail\""),
            std::string::npos);
  EXPECT_EQ(running.Requests("/events", 202), 1);
}

TEST(HttpSourceEventsTest, AcceptsAnArrayInOneSubmit) {
  RunningHttpSource running(BaseConfig());
  ASSERT_EQ(running.error(), "");
  std::string body = "[" + Envelope("a1") + "," + Envelope("a2") + "," + Envelope("a3") + "]";
  EXPECT_EQ(PostEvents(running.port(), body).status, 202);
  EXPECT_EQ(running.sink().Events().size(), 3u);
  EXPECT_EQ(running.sink().SubmitCount(), 1u);
}

TEST(HttpSourceEventsTest, OtherApiKeyHeaderName) {
  HttpSourceConfig config = BaseConfig();
  config.api_key_header = "Authorization-Key";
  RunningHttpSource running(config);
  ASSERT_EQ(running.error(), "");
  EXPECT_EQ(PostEvents(running.port(), Envelope("k1"), kApiKey, "authorization-key").status, 202);
  EXPECT_EQ(PostEvents(running.port(), Envelope("k2"), kApiKey, "x-api-key").status, 401);
}

TEST(HttpSourceEventsTest, MissingOrWrongKeyIs401AndNeverLogged) {
  RunningHttpSource running(BaseConfig());
  ASSERT_EQ(running.error(), "");
  EXPECT_EQ(PostEvents(running.port(), Envelope("b1"), "").status, 401);
  EXPECT_EQ(PostEvents(running.port(), Envelope("b2"), "wrong").status, 401);
  EXPECT_EQ(PostEvents(running.port(), Envelope("b3"), std::string(kApiKey) + "x").status, 401);
  EXPECT_EQ(PostEvents(running.port(), Envelope("b4"), std::string(kApiKey).substr(1)).status, 401);
  EXPECT_TRUE(running.sink().Events().empty());
  EXPECT_EQ(running.Rejected("/events", "auth"), 4);
  std::string metrics = HttpGet(running.port(), "/metrics").body;
  EXPECT_EQ(metrics.find(kApiKey), std::string::npos);
}

TEST(HttpSourceEventsTest, NoConfiguredKeyRefusesEverything) {
  HttpSourceConfig config = BaseConfig();
  config.api_key = config::Secret();
  RunningHttpSource running(config);
  ASSERT_EQ(running.error(), "");
  EXPECT_EQ(PostEvents(running.port(), Envelope("c1"), "").status, 401);
  EXPECT_EQ(PostEvents(running.port(), Envelope("c1"), "anything").status, 401);
}

TEST(HttpSourceEventsTest, EventsFollowEventBridgesRuleResourcesAndVersionAreOptional) {
  RunningHttpSource running(BaseConfig());
  ASSERT_EQ(running.error(), "");
  std::string event = Envelope("r1");
  event.replace(event.find("\"resources\":[]"), 14, "\"resources\":\"x\"");
  EXPECT_EQ(PostEvents(running.port(), event).status, 202);
  std::string bare = Envelope("r2");
  bare.erase(bare.find("\"resources\":[]"), 15);
  EXPECT_EQ(PostEvents(running.port(), bare).status, 202) << bare;
  EXPECT_EQ(running.sink().Events().size(), 2u);
}

TEST(HttpSourceEventsTest, MalformedBodiesAre400NamingFieldAndIndex) {
  RunningHttpSource running(BaseConfig());
  ASSERT_EQ(running.error(), "");
  SnsReply not_json = PostEvents(running.port(), "{not json");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_NE(not_json.body.find("not JSON"), std::string::npos);

  std::string missing = Envelope("d1");
  missing.replace(missing.find("\"detail-type\""), 13, "\"detailType\"");
  SnsReply one = PostEvents(running.port(), missing);
  EXPECT_EQ(one.status, 400);
  EXPECT_NE(one.body.find("event: missing \"detail-type\""), std::string::npos) << one.body;

  std::string no_region = Envelope("d2");
  no_region.replace(no_region.find("\"region\""), 8, "\"Region\"");
  SnsReply array = PostEvents(running.port(), "[" + Envelope("d3") + "," + no_region + "]");
  EXPECT_EQ(array.status, 400);
  EXPECT_NE(array.body.find("event[1]: missing \"region\""), std::string::npos) << array.body;

  EXPECT_EQ(PostEvents(running.port(), "[]").status, 400);
  EXPECT_EQ(PostEvents(running.port(), "[1]").status, 400);
  EXPECT_EQ(PostEvents(running.port(), "\"text\"").status, 400);
  std::string detail_string = Envelope("d4");
  detail_string.replace(detail_string.find("\"detail\":{"), 10, "\"detail\":\"x\",\"z\":{");
  EXPECT_EQ(PostEvents(running.port(), detail_string).status, 400);
  std::string nested(100000, '[');
  EXPECT_EQ(PostEvents(running.port(), nested).status, 400);
  EXPECT_TRUE(running.sink().Events().empty());
  EXPECT_EQ(running.Rejected("/events", "malformed"), 8);
}

TEST(HttpSourceEventsTest, CompressedBodiesAreRefusedUnread) {
  HttpSourceConfig config = BaseConfig();
  config.limits.max_body_bytes = 4096;
  RunningHttpSource running(config);
  ASSERT_EQ(running.error(), "");
  // 1 MB of zeros, gzip-compressed to about 1 KB (a zip bomb in miniature).
  std::string zeros(1000000, '\0');
  std::string compressed;
  ASSERT_TRUE(httplib::detail::gzip_compressor().compress(zeros.data(), zeros.size(), true,
                                                          [&](const char* data, size_t size) {
                                                            compressed.append(data, size);
                                                            return true;
                                                          }));
  ASSERT_LT(compressed.size(), 4096u);
  std::map<std::string, std::string> headers = {{"x-api-key", kApiKey},
                                                {"Content-Encoding", "gzip"}};
  SnsReply reply = HttpPost(running.port(), "/events", compressed, headers);
  EXPECT_EQ(reply.status, 415) << reply.body;
  EXPECT_TRUE(running.sink().Events().empty());
  EXPECT_EQ(running.Rejected("/events", "encoding"), 1);
  EXPECT_EQ(PostEvents(running.port(), Envelope("after-gzip")).status, 202);
}

TEST(HttpSourceEventsTest, BodyOverTheLimitIs413) {
  HttpSourceConfig config = BaseConfig();
  config.limits.max_body_bytes = 4096;
  RunningHttpSource running(config);
  ASSERT_EQ(running.error(), "");
  std::string big = Envelope("e1", std::string(5000, 'x'));
  EXPECT_EQ(PostEvents(running.port(), big).status, 413);
  EXPECT_EQ(PostEvents(running.port(), Envelope("e2")).status, 202);
  EXPECT_EQ(running.sink().Events().size(), 1u);
  EXPECT_EQ(running.Requests("/events", 413), 1);
  EXPECT_EQ(running.Rejected("/events", "too_large"), 1);
}

TEST(HttpSourceEventsTest, SinkFailureIs503AndNothingIsRemembered) {
  RunningHttpSource running(BaseConfig());
  ASSERT_EQ(running.error(), "");
  running.sink().FailWith("outbox is locked");
  SnsReply failed = PostEvents(running.port(), Envelope("f1"));
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(failed.body.find("outbox"), std::string::npos);  // internal detail stays in the log
  running.sink().FailWith("");
  // The retry is not taken for a duplicate: the first attempt was not stored.
  EXPECT_EQ(PostEvents(running.port(), Envelope("f1")).status, 202);
  EXPECT_EQ(running.sink().Events().size(), 1u);
}

TEST(HttpSourceEventsTest, DuplicateIdsAreAcknowledgedWithoutResubmitting) {
  RunningHttpSource running(BaseConfig());
  ASSERT_EQ(running.error(), "");
  EXPECT_EQ(PostEvents(running.port(), Envelope("g1")).status, 202);
  SnsReply again = PostEvents(running.port(), Envelope("g1"));
  EXPECT_EQ(again.status, 202);
  EXPECT_NE(again.body.find("\"duplicates\":1"), std::string::npos);
  EXPECT_EQ(PostEvents(running.port(),
                       "[" + Envelope("g2") + "," + Envelope("g2") + "," + Envelope("g1") + "]")
                .status,
            202);
  EXPECT_EQ(running.sink().Events().size(), 2u);
  EXPECT_EQ(running.sink().SubmitCount(), 2u);
}

TEST(HttpSourceEventsTest, MoreThanMaxPendingIs429WithRetryAfter) {
  HttpSourceConfig config = BaseConfig();
  config.limits.max_pending_requests = 1;
  RunningHttpSource running(config);
  ASSERT_EQ(running.error(), "");
  running.sink().Hold();
  auto first =
      std::async(std::launch::async, [&] { return PostEvents(running.port(), Envelope("h1")); });
  ASSERT_TRUE(running.sink().WaitForHeld(1));
  SnsReply second = PostEvents(running.port(), Envelope("h2"));
  EXPECT_EQ(second.status, 429);
  EXPECT_EQ(second.headers["retry-after"], "1");
  running.sink().Release();
  EXPECT_EQ(first.get().status, 202);
  EXPECT_EQ(PostEvents(running.port(), Envelope("h2")).status, 202);
  EXPECT_EQ(running.Rejected("/events", "overload"), 1);
}

// ---- /healthz, /metrics, lifecycle ------------------------------------------------------------

TEST(HttpSourceTest, HealthzAndMetrics) {
  RunningHttpSource running(BaseConfig());
  ASSERT_EQ(running.error(), "");
  SnsReply health = HttpGet(running.port(), "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(PostEvents(running.port(), Envelope("m1"), "nope").status, 401);
  EXPECT_EQ(HttpGet(running.port(), "/no/such/path?x=1").status, 404);
  SnsReply metrics = HttpGet(running.port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers["content-type"], "text/plain; version=0.0.4");
  EXPECT_NE(metrics.body.find("# TYPE trailwatch_http_requests_total counter"), std::string::npos);
  EXPECT_NE(
      metrics.body.find(R"(trailwatch_http_requests_total{endpoint="/events",status="401"} 1)"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find(R"(trailwatch_http_requests_total{endpoint="other",status="404"} 1)"),
            std::string::npos);
  EXPECT_EQ(metrics.body.find("no/such"), std::string::npos);
}

TEST(HttpSourceTest, ConfigErrorsAreClear) {
  telemetry::Metrics metrics;
  SourceContext context;
  context.log =
      std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
  context.metrics = &metrics;
  HttpSourceConfig bad_listen = BaseConfig();
  bad_listen.listen = "localhost";
  auto a = HttpSource::Create(bad_listen, context);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.message().find("listen"), std::string::npos);
  HttpSourceConfig half_tls = BaseConfig();
  half_tls.tls_cert_file = "/x.pem";
  auto b = HttpSource::Create(half_tls, context);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.message().find("both or neither"), std::string::npos);
  HttpSourceConfig missing_tls = BaseConfig();
  missing_tls.tls_cert_file = "/nonexistent.pem";
  missing_tls.tls_key_file = "/nonexistent.key";
  auto c = HttpSource::Create(missing_tls, context);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.message().find("/nonexistent.pem: cannot load the certificate"), std::string::npos);
}

TEST(HttpSourceTest, BindFailsOnAPortInUse) {
  RunningHttpSource first(BaseConfig());
  ASSERT_EQ(first.error(), "");
  HttpSourceConfig config = BaseConfig();
  config.listen = "127.0.0.1:" + std::to_string(first.port());
  RunningHttpSource second(config);
  EXPECT_NE(second.error().find("cannot bind"), std::string::npos) << second.error();
}

TEST(HttpSourceTest, StopsPromptlyWhenAsked) {
  RunningHttpSource running(BaseConfig());
  ASSERT_EQ(running.error(), "");
  int port = running.port();
  EXPECT_TRUE(running.Stop().ok());
  EXPECT_EQ(HttpGet(port, "/healthz").status, 0);
}

TEST(HttpSourceTest, StopsWhileAClientKeepsItsConnectionOpen) {
  RunningHttpSource running(BaseConfig());
  ASSERT_EQ(running.error(), "");
  httplib::Client client("127.0.0.1", running.port());
  client.set_keep_alive(true);
  auto first = client.Get("/healthz");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_TRUE(running.Stop().ok());
}

TEST(HttpSourceTest, ServesHttpsWithTheConfiguredCertificate) {
  const TestPki& pki = TestPki::Shared();
  ASSERT_TRUE(pki.ok()) << pki.error();
  HttpSourceConfig config = BaseConfig();
  config.tls_cert_file = pki.server_cert_file();
  config.tls_key_file = pki.server_key_file();
  telemetry::Metrics metrics;
  SourceContext context;
  context.log =
      std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
  context.metrics = &metrics;
  auto source = HttpSource::Create(config, context);
  ASSERT_TRUE(source.ok()) << source.message();
  ASSERT_TRUE((*source)->Bind().ok());
  HoldableRecordingSink sink;
  std::jthread thread([&](std::stop_token stop) { (void)(*source)->Run(stop, sink); });
  httplib::SSLClient client("127.0.0.1", (*source)->port());
  client.set_ca_cert_path(pki.ca_file().c_str());
  client.enable_server_certificate_verification(true);
  int health = 0;
  for (int i = 0; i < 2000 && health != 200; ++i) {
    auto result = client.Get("/healthz");
    health = result ? result->status : 0;
    if (health != 200) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(health, 200);
  httplib::Headers headers = {{"x-api-key", kApiKey}};
  auto posted = client.Post("/events", headers, Envelope("tls1"), "application/json");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 202);
  EXPECT_EQ(sink.Events().size(), 1u);
}

// ---- /sns -----------------------------------------------------------------------------------

class HttpSourceSnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(TestPki::Shared().ok()) << TestPki::Shared().error();
    host_ = std::make_unique<FakeCertHost>();
    HttpSourceConfig config = BaseConfig();
    config.sns_topics = {kChatbotTopic};
    config.sns_cert_url_pattern = host_->CertUrlPattern();
    config.sns_ca_file = TestPki::Shared().ca_file();
    Configure(config);
    running_ = std::make_unique<RunningHttpSource>(config);
    ASSERT_EQ(running_->error(), "");
  }
  virtual void Configure(HttpSourceConfig&) {}

  int port() const { return running_->port(); }
  SnsSender sender() const { return SnsSender(TestPki::Shared().sns_key_file()); }
  SnsSpec Notification(const std::string& message) {
    return SnsSender::Notification(kChatbotTopic, message, host_->CertUrl());
  }

  std::unique_ptr<FakeCertHost> host_;
  std::unique_ptr<RunningHttpSource> running_;
};

TEST_F(HttpSourceSnsTest, ConfirmsTheSubscriptionByGettingSubscribeUrl) {
  SnsSpec spec = SnsSender::SubscriptionConfirmation(kChatbotTopic, host_->CertUrl(),
                                                     host_->SubscribeUrl(kChatbotTopic));
  SnsReply reply = sender().SignAndPost(port(), spec);
  EXPECT_EQ(reply.status, 200) << reply.body;
  auto confirmations = host_->Confirmations();
  ASSERT_EQ(confirmations.size(), 1u);
  EXPECT_NE(confirmations[0].find("Action=ConfirmSubscription"), std::string::npos);
  EXPECT_TRUE(running_->sink().Events().empty());
}

TEST_F(HttpSourceSnsTest, FailedConfirmationIs5xxSoSnsRetries) {
  host_->SetConfirmStatus(500);
  SnsSpec spec = SnsSender::SubscriptionConfirmation(kChatbotTopic, host_->CertUrl(),
                                                     host_->SubscribeUrl(kChatbotTopic));
  EXPECT_EQ(sender().SignAndPost(port(), spec).status, 503);
  host_->SetConfirmStatus(200);
  EXPECT_EQ(sender().SignAndPost(port(), spec).status, 200);  // SNS's retry, same MessageId
  EXPECT_EQ(host_->Confirmations().size(), 2u);
}

TEST_F(HttpSourceSnsTest, SubscribeUrlForAnotherTopicOrHostIsRefused) {
  SnsSpec other_topic = SnsSender::SubscriptionConfirmation(
      kChatbotTopic, host_->CertUrl(),
      host_->SubscribeUrl("arn:aws:sns:us-east-1:999999999999:evil"));
  EXPECT_EQ(sender().SignAndPost(port(), other_topic).status, 403);
  SnsSpec other_host = SnsSender::SubscriptionConfirmation(
      kChatbotTopic, host_->CertUrl(),
      "https://127.0.0.1:1/?Action=ConfirmSubscription&TopicArn=" + std::string(kChatbotTopic));
  EXPECT_EQ(sender().SignAndPost(port(), other_host).status, 403);
  EXPECT_TRUE(host_->Confirmations().empty());
}

TEST_F(HttpSourceSnsTest, UnsubscribeConfirmationIsAcknowledgedButNeverVisited) {
  SnsSpec spec = SnsSender::UnsubscribeConfirmation(kChatbotTopic, host_->CertUrl(),
                                                    host_->SubscribeUrl(kChatbotTopic));
  EXPECT_EQ(sender().SignAndPost(port(), spec).status, 200);
  EXPECT_TRUE(host_->Confirmations().empty());
  EXPECT_EQ(
      running_->metrics().Get("trailwatch_sns_unsubscribed_total", {{"topic", kChatbotTopic}}), 1);
}

TEST_F(HttpSourceSnsTest, NotificationsV1AndV2WithAndWithoutSubject) {
  int n = 0;
  for (const char* version : {"1", "2"}) {
    for (bool subject : {false, true}) {
      SnsSpec spec = Notification(Envelope("sns-" + std::to_string(n++)));
      spec.signature_version = version;
      if (subject) spec.subject = "AWS Notification Message";
      SnsReply reply = sender().SignAndPost(port(), spec);
      EXPECT_EQ(reply.status, 200) << version << " subject=" << subject << ": " << reply.body;
    }
  }
  auto events = running_->sink().Events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].origin.rfind("sns:", 0), 0u);
  EXPECT_EQ(host_->CertFetches(), 1u);  // cached by URL
}

TEST_F(HttpSourceSnsTest, NotificationCarryingACloudTrailRecordBecomesAnEnvelope) {
  std::string record = trailwatch::testing::ReadFile(
      std::string(TW_FIXTURES_DIR) + "/aws/cloudtrail/root-consolelogin-success-mfa.json");
  ASSERT_FALSE(record.empty());
  SnsReply reply = sender().SignAndPost(port(), Notification(record));
  EXPECT_EQ(reply.status, 200) << reply.body;
  auto events = running_->sink().Events();
  ASSERT_EQ(events.size(), 1u);
  // UUIDv5 of the eventID (docs/reference/formats.md §3.4 worked example).
  EXPECT_NE(events[0].envelope.json.find("e9412cf2-bed5-5133-90d8-95d65a6da132"), std::string::npos)
      << events[0].envelope.json;
  EXPECT_NE(events[0].envelope.json.find("\"detail-type\":\"AWS Console Sign In via CloudTrail\""),
            std::string::npos);
}

TEST_F(HttpSourceSnsTest, MessageWithNewlinesAndUnicodeVerifies) {
  std::string message = Envelope("uni");
  message.insert(message.find("\"eventName\""),
                 "\"note\":\"l\\u00e9\\n\xf0\x9f\x98\x80 line\\nnext\",\n");
  SnsReply reply = sender().SignAndPost(port(), Notification(message));
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(running_->sink().Events().size(), 1u);
}

TEST_F(HttpSourceSnsTest, DuplicateMessageIdIsAcknowledgedOnce) {
  SnsSpec spec = Notification(Envelope("dup"));
  EXPECT_EQ(sender().SignAndPost(port(), spec).status, 200);
  EXPECT_EQ(sender().SignAndPost(port(), spec).status, 200);
  EXPECT_EQ(running_->sink().Events().size(), 1u);
  EXPECT_EQ(running_->sink().SubmitCount(), 1u);
}

TEST_F(HttpSourceSnsTest, SinkFailureIs503AndTheRetryIsStored) {
  running_->sink().FailWith("disk full");
  SnsSpec spec = Notification(Envelope("retry"));
  EXPECT_EQ(sender().SignAndPost(port(), spec).status, 503);
  running_->sink().FailWith("");
  EXPECT_EQ(sender().SignAndPost(port(), spec).status, 200);
  EXPECT_EQ(running_->sink().Events().size(), 1u);
}

TEST_F(HttpSourceSnsTest, SnsRetriesAfter5xxAndTheEventIsStoredOnce) {
  running_->sink().FailNext(2);
  std::vector<int> attempts = sender().Deliver(port(), Notification(Envelope("retried")));
  EXPECT_EQ(attempts, (std::vector<int>{503, 503, 200}));
  EXPECT_EQ(running_->sink().Events().size(), 1u);
}

TEST_F(HttpSourceSnsTest, SnsDoesNotRetryAfter4xx) {
  SnsSpec spec = SnsSender::Notification("arn:aws:sns:us-east-1:999999999999:other",
                                         Envelope("final"), host_->CertUrl());
  EXPECT_EQ(sender().Deliver(port(), spec), (std::vector<int>{403}));
  SnsSpec stale = Notification(Envelope("final2"));
  stale.timestamp = SnsSender::NowTimestamp(-3 * 3600);
  EXPECT_EQ(sender().Deliver(port(), stale), (std::vector<int>{400}));
  EXPECT_TRUE(running_->sink().Events().empty());
}

TEST_F(HttpSourceSnsTest, UnknownTopicIs403BeforeAnyFetch) {
  SnsSpec spec = SnsSender::Notification("arn:aws:sns:us-east-1:999999999999:other", Envelope("u1"),
                                         host_->CertUrl());
  EXPECT_EQ(sender().SignAndPost(port(), spec).status, 403);
  EXPECT_EQ(host_->CertFetches(), 0u);
  EXPECT_EQ(running_->Rejected("/sns", "topic"), 1);
}

TEST_F(HttpSourceSnsTest, BadSignatureIs403AndNothingStored) {
  SnsSpec spec = Notification(Envelope("forged"));
  sender().Sign(spec);
  spec.message = Envelope("forged", "DeleteTrail");  // tampered after signing
  EXPECT_EQ(SnsSender::Post(port(), SnsSender::Body(spec), SnsSender::Headers(spec)).status, 403);
  SnsSpec rogue = Notification(Envelope("rogue"));
  EXPECT_EQ(SnsSender(TestPki::Shared().rogue_key_file()).SignAndPost(port(), rogue).status, 403);
  EXPECT_TRUE(running_->sink().Events().empty());
  EXPECT_EQ(running_->Rejected("/sns", "signature"), 2);
}

TEST_F(HttpSourceSnsTest, CertificateFromAnotherCaIs403) {
  host_->Serve("/SimpleNotificationService-badbad.pem", TestPki::Shared().rogue_cert_pem());
  SnsSpec spec = SnsSender::Notification(kChatbotTopic, Envelope("rc"),
                                         host_->Url("/SimpleNotificationService-badbad.pem"));
  EXPECT_EQ(SnsSender(TestPki::Shared().rogue_key_file()).SignAndPost(port(), spec).status, 403);
  EXPECT_EQ(running_->Rejected("/sns", "certificate"), 1);
}

TEST_F(HttpSourceSnsTest, CertUrlOnForeignHostHttpOrOddPathIs403WithoutFetch) {
  const std::string urls[] = {
      "https://evil.example.com/SimpleNotificationService-0123456789abcdef.pem",
      "http://127.0.0.1:" + std::to_string(host_->port()) +
          "/SimpleNotificationService-0123456789abcdef.pem",
      host_->Url("/certs/SimpleNotificationService-0123456789abcdef.pem"),
      host_->Url("/SimpleNotificationService-0123456789abcdef.pem?x=1"),
  };
  for (const std::string& url : urls) {
    SnsSpec spec = SnsSender::Notification(kChatbotTopic, Envelope("cu"), url);
    EXPECT_EQ(sender().SignAndPost(port(), spec).status, 403) << url;
  }
  EXPECT_EQ(host_->CertFetches(), 0u);
  EXPECT_EQ(running_->Rejected("/sns", "cert_url"), 4);
}

TEST_F(HttpSourceSnsTest, StaleTimestampIs400) {
  SnsSpec spec = Notification(Envelope("old"));
  spec.timestamp = SnsSender::NowTimestamp(-2 * 3600);
  EXPECT_EQ(sender().SignAndPost(port(), spec).status, 400);
  EXPECT_EQ(running_->Rejected("/sns", "stale"), 1);
}

TEST_F(HttpSourceSnsTest, HeaderBodyMismatchesAre400) {
  SnsSpec spec = Notification(Envelope("mm"));
  sender().Sign(spec);
  auto headers = SnsSender::Headers(spec);
  headers["x-amz-sns-message-type"] = "SubscriptionConfirmation";
  EXPECT_EQ(SnsSender::Post(port(), SnsSender::Body(spec), headers).status, 400);
  headers = SnsSender::Headers(spec);
  headers["x-amz-sns-topic-arn"] = "arn:aws:sns:us-east-1:111122223333:other";
  EXPECT_EQ(SnsSender::Post(port(), SnsSender::Body(spec), headers).status, 400);
  headers = SnsSender::Headers(spec);
  headers["x-amz-sns-message-type"] = "Bogus";
  EXPECT_EQ(SnsSender::Post(port(), SnsSender::Body(spec), headers).status, 400);
  EXPECT_TRUE(running_->sink().Events().empty());
}

TEST_F(HttpSourceSnsTest, MissingHeadersFallBackToTheBody) {
  SnsSpec spec = Notification(Envelope("nohdr"));
  sender().Sign(spec);
  EXPECT_EQ(SnsSender::Post(port(), SnsSender::Body(spec), {}).status, 200);
  EXPECT_EQ(running_->sink().Events().size(), 1u);
}

TEST_F(HttpSourceSnsTest, RawDeliveryIsRefused) {
  auto headers = std::map<std::string, std::string>{{"x-amz-sns-rawdelivery", "true"},
                                                    {"x-amz-sns-message-type", "Notification"},
                                                    {"x-amz-sns-topic-arn", kChatbotTopic}};
  EXPECT_EQ(SnsSender::Post(port(), Envelope("raw"), headers).status, 400);
  EXPECT_TRUE(running_->sink().Events().empty());
}

TEST_F(HttpSourceSnsTest, MalformedBodiesAndMessagesAre400) {
  EXPECT_EQ(SnsSender::Post(port(), "not json", {}).status, 400);
  EXPECT_EQ(SnsSender::Post(port(), R"({"Type":"Notification"})", {}).status, 400);
  SnsReply unknown = sender().SignAndPost(port(), Notification("plain text, not an event"));
  EXPECT_EQ(unknown.status, 400);
  SnsReply other_json = sender().SignAndPost(port(), Notification(R"({"hello":"world"})"));
  EXPECT_EQ(other_json.status, 400);
  EXPECT_NE(other_json.body.find("neither an EventBridge event nor a CloudTrail record"),
            std::string::npos);
  std::string half = Envelope("half");
  half.replace(half.find("\"region\""), 8, "\"Region\"");
  SnsReply half_envelope = sender().SignAndPost(port(), Notification(half));
  EXPECT_EQ(half_envelope.status, 400);
  EXPECT_NE(half_envelope.body.find("Message: missing \"region\""), std::string::npos);
  EXPECT_TRUE(running_->sink().Events().empty());
}

class HttpSourceSnsOverloadTest : public HttpSourceSnsTest {
 protected:
  void Configure(HttpSourceConfig& config) override { config.limits.max_pending_requests = 2; }
};

TEST_F(HttpSourceSnsOverloadTest, OverloadIs503NotA4xx) {
  // Two submits held; the third request is refused with 503 (SNS does not retry 4xx).
  running_->sink().Hold();
  std::vector<std::future<SnsReply>> held;
  for (int i = 0; i < 2; ++i) {
    SnsSpec spec = Notification(Envelope("load-" + std::to_string(i)));
    sender().Sign(spec);
    held.push_back(std::async(std::launch::async, [this, spec] {
      return SnsSender::Post(port(), SnsSender::Body(spec), SnsSender::Headers(spec));
    }));
  }
  ASSERT_TRUE(running_->sink().WaitForHeld(2));
  SnsReply refused = sender().SignAndPost(port(), Notification(Envelope("load-x")));
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.headers["retry-after"], "1");
  running_->sink().Release();
  for (auto& reply : held) EXPECT_EQ(reply.get().status, 200);
}

}  // namespace
}  // namespace trailwatch::sources
