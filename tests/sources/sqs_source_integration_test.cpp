// SqsSource against moto_server: a real S3 -> SQS notification (test event deleted, key with %2F
// decoded), SNS-wrapped notifications (TopicArn pinned), EventBridge "Object Created", messages
// left on the queue when Submit fails or the message is not understood, a bad object that does
// not stop the source, and visibility extended while a slow message is processed. Plus the body
// classification of docs/reference/formats.md §4.5 on the AWS samples.
#include "sources/sqs_source.h"
#include "common/json_string.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "aws/http_exchange.h"
#include "aws/moto_server_util.h"
#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "cli/cli_test_util.h"
#include "config/yaml_json.h"
#include "scan/scan_test_util.h"
#include "sources/source_test_util.h"

namespace trailwatch::sources {
namespace {

using trailwatch::testing::ReadFixture;
using scan::testing::Gzip;
using scan::testing::GzippedLogWith;
using scan::testing::LogFile;
using scan::testing::LogKey;
using scan::testing::Record;
using scan::testing::RecordSpec;
using testing::RecordingSink;
using testing::RunningSource;
using testing::TestContext;
using testing::WaitFor;
using trailwatch::testing::MotoServer;
using trailwatch::testing::TempDir;
using Kind = SqsBodyClass::Kind;

std::string JsonString(const std::string& text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

// The S3 notification AWS sends, for one object (key form-encoded as AWS does, §4.2).
std::string S3Notification(const std::string& bucket, const std::string& encoded_key) {
  return "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":"
         "\"us-east-1\",\"eventTime\":\"2024-05-01T12:00:00.000Z\",\"eventName\":"
         "\"ObjectCreated:Put\",\"s3\":{\"s3SchemaVersion\":\"1.0\",\"bucket\":{\"name\":" +
         JsonString(bucket) + "},\"object\":{\"key\":" + JsonString(encoded_key) +
         ",\"size\":10}}}]}";
}

std::string SnsEnvelope(const std::string& topic, const std::string& message) {
  // Pretty-printed like SNS deliveries to SQS (§4.4).
  return "{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"m-1\",\n  \"TopicArn\" : " +
         JsonString(topic) +
         ",\n  \"Subject\" : \"Amazon S3 Notification\",\n  \"Message\" : " + JsonString(message) +
         ",\n  \"Timestamp\" : \"2024-05-01T12:00:00.000Z\"\n}";
}

std::string ObjectCreated(const std::string& bucket, const std::string& key) {
  return "{\"version\":\"0\",\"id\":\"17793124-05d4-b198-2fde-7ededc63b103\",\"detail-type\":"
         "\"Object Created\",\"source\":\"aws.s3\",\"account\":\"123456789012\",\"time\":"
         "\"2024-05-01T12:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{"
         "\"version\":\"0\",\"bucket\":{\"name\":" +
         JsonString(bucket) + "},\"object\":{\"key\":" + JsonString(key) +
         ",\"size\":10},\"reason\":\"PutObject\"}}";
}

// ---- classification (docs/reference/formats.md §4.5) on the AWS samples ----

TEST(SqsBodyTest, DecodesKeysFormStyle) {
  EXPECT_EQ(DecodeS3EventKey("red+flower.jpg"), "red flower.jpg");
  EXPECT_EQ(DecodeS3EventKey("AWSLogs%2F111122223333%2Fa%2Bb.json.gz"),
            "AWSLogs/111122223333/a+b.json.gz");
  EXPECT_EQ(DecodeS3EventKey("caf%C3%A9"), "caf\xc3\xa9");
  EXPECT_EQ(DecodeS3EventKey("100%"), "100%");
  EXPECT_EQ(DecodeS3EventKey("%zz%4"), "%zz%4");
}

TEST(SqsBodyTest, ClassifiesTheSamples) {
  SqsBodyClass s3 = ClassifySqsBody(ReadFixture("aws/s3/event-objectcreated-put.json"), {});
  ASSERT_EQ(s3.kind, Kind::kS3Notification);
  ASSERT_EQ(s3.objects.size(), 1u);
  EXPECT_EQ(s3.objects[0].bucket, "mybucket");
  EXPECT_EQ(s3.objects[0].key, "HappyFace.jpg");
  EXPECT_EQ(s3.objects[0].region, "us-west-2");

  EXPECT_EQ(ClassifySqsBody(ReadFixture("aws/s3/test-event.json"), {}).kind, Kind::kTestEvent);

  SqsBodyClass delivery =
      ClassifySqsBody(ReadFixture("aws/cloudtrail/sns-logfile-notification-message-multiple.json"), {});
  ASSERT_EQ(delivery.kind, Kind::kCloudTrailNotification);
  EXPECT_GE(delivery.objects.size(), 2u);

  SqsBodyClass envelope = ClassifySqsBody(
      ReadFixture("aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json"), {});
  EXPECT_EQ(envelope.kind, Kind::kEvents);

  SqsBodyClass records = ClassifySqsBody(
      "{\"Records\":[" + ReadFixture("aws/cloudtrail/root-consolelogin-success-mfa.json") + "]}", {});
  EXPECT_EQ(records.kind, Kind::kEvents);

  // The AWS SNS sample's Message is not JSON: unknown, left for the redrive policy.
  SqsBodyClass sns_text = ClassifySqsBody(ReadFixture("aws/sns/notification.json"), {});
  EXPECT_EQ(sns_text.kind, Kind::kUnknown);
  EXPECT_TRUE(sns_text.sns_wrapped);
}

TEST(SqsBodyTest, UnwrapsOneSnsLayerAndPinsTheTopic) {
  const std::string topic = "arn:aws:sns:us-east-1:111122223333:trail";
  std::string wrapped = SnsEnvelope(topic, S3Notification("trail", "AWSLogs%2Fx.json.gz"));
  SqsBodyClass any = ClassifySqsBody(wrapped, {});
  ASSERT_EQ(any.kind, Kind::kS3Notification);
  EXPECT_TRUE(any.sns_wrapped);
  EXPECT_EQ(any.objects[0].key, "AWSLogs/x.json.gz");
  EXPECT_EQ(ClassifySqsBody(wrapped, {topic}).kind, Kind::kS3Notification);
  SqsBodyClass refused = ClassifySqsBody(wrapped, {"arn:aws:sns:us-east-1:111122223333:other"});
  EXPECT_EQ(refused.kind, Kind::kUnknown);
  EXPECT_NE(refused.reason.find("not in sns_topics"), std::string::npos);
  // Two SNS layers are not unwrapped.
  EXPECT_EQ(ClassifySqsBody(SnsEnvelope(topic, wrapped), {}).kind, Kind::kUnknown);
  // A wrapped test event is still a test event.
  EXPECT_EQ(ClassifySqsBody(SnsEnvelope(topic, ReadFixture("aws/s3/test-event.json")), {}).kind,
            Kind::kTestEvent);
}

TEST(SqsBodyTest, OtherShapes) {
  SqsBodyClass object = ClassifySqsBody(ObjectCreated("trail", "AWSLogs/a.json.gz"), {});
  ASSERT_EQ(object.kind, Kind::kEventBridgeObject);
  EXPECT_EQ(object.objects[0].key, "AWSLogs/a.json.gz");
  SqsBodyClass removed = ClassifySqsBody(
      "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectRemoved:Delete\","
      "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}",
      {});
  EXPECT_EQ(removed.kind, Kind::kS3Notification);
  EXPECT_TRUE(removed.objects.empty());
  EXPECT_EQ(removed.ignored_records, 1u);
  EXPECT_EQ(ClassifySqsBody("not json", {}).kind, Kind::kUnknown);
  EXPECT_EQ(ClassifySqsBody("{\"hello\":1}", {}).kind, Kind::kUnknown);
  EXPECT_EQ(ClassifySqsBody("\"text\"", {}).kind, Kind::kUnknown);
  EXPECT_EQ(ClassifySqsBody("{\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                            "\"detail\":{}}",
                            {})
                .kind,
            Kind::kUnknown);
  std::string deep(100000, '[');
  EXPECT_EQ(ClassifySqsBody(deep, {}).kind, Kind::kUnknown);
}

TEST(SqsBodyTest, HostileBodiesNeverThrow) {
  // Every truncation and a byte flip at every position of the real shapes: classified (most as
  // unknown), never an exception or a crash.
  std::vector<std::string> bodies = {
      ReadFixture("aws/s3/event-objectcreated-put.json"), ReadFixture("aws/s3/test-event.json"),
      ReadFixture("aws/cloudtrail/sns-logfile-notification-message-single.json"),
      SnsEnvelope("arn:aws:sns:us-east-1:111122223333:t", S3Notification("b", "k%2Fx+y")),
      ObjectCreated("b", "AWSLogs/a.json.gz")};
  size_t classified = 0;
  for (const std::string& body : bodies) {
    for (size_t cut = 0; cut <= body.size(); ++cut) {
      (void)ClassifySqsBody(std::string_view(body).substr(0, cut), {});
      std::string flipped = body;
      if (cut < flipped.size()) flipped[cut] = static_cast<char>(flipped[cut] ^ 0x5a);
      SqsBodyClass result = ClassifySqsBody(flipped, {"arn:aws:sns:us-east-1:111122223333:t"});
      for (const auto& object : result.objects) EXPECT_FALSE(object.key.empty());
      ++classified;
    }
  }
  EXPECT_GT(classified, 1000u);
}

// ---- against moto_server ----

class SqsSourceTest : public trailwatch::testing::MotoSuiteBase {
 protected:
  void SetUp() override {
    RequireMoto(true);
    if (HasFatalFailure()) return;
    auto credentials = std::make_shared<aws::CredentialsProvider>(moto_->TestEnvironment());
    aws::S3ClientOptions s3_options;
    s3_options.endpoint = moto_->endpoint();
    s3_ = std::make_unique<aws::S3Client>(s3_options, credentials);
    aws::SqsClientOptions sqs_options;
    sqs_options.endpoint = moto_->endpoint();
    sqs_ = std::make_unique<aws::SqsClient>(sqs_options, credentials);
    ASSERT_TRUE(s3_->CreateBucket("trail").ok());
    auto queue = sqs_->CreateQueue("trail-objects");
    ASSERT_TRUE(queue.ok()) << queue.message();
    queue_ = *queue;
  }

  void Put(const std::string& key, const std::string& bytes) {
    Status put = s3_->Put("trail", key, bytes);
    ASSERT_TRUE(put.ok()) << put.message();
  }
  void Send(const std::string& body) {
    auto sent = sqs_->SendMessage(queue_, body);
    ASSERT_TRUE(sent.ok()) << sent.message();
  }
  // Messages currently visible on the queue (made visible again right away).
  std::vector<aws::SqsMessage> Peek() {
    aws::SqsReceiveOptions receive;
    receive.wait_time_seconds = 1;
    auto messages = sqs_->ReceiveMessages(queue_, receive);
    EXPECT_TRUE(messages.ok()) << messages.message();
    if (!messages.ok()) return {};
    for (const auto& message : *messages) {
      EXPECT_TRUE(sqs_->ChangeMessageVisibility(queue_, message.receipt_handle, 0).ok());
    }
    return *messages;
  }

  SqsSourceConfig Config() {
    SqsSourceConfig config;
    config.queue_url = queue_;
    config.wait_time = std::chrono::seconds(1);
    config.visibility_timeout = std::chrono::seconds(1);  // failed messages come back quickly
    return config;
  }
  SqsSourceOptions Options() {
    SqsSourceOptions options;
    options.environment = moto_->TestEnvironment();
    return options;
  }
  double Count(TestContext& context, const std::string& metric, const std::string& label,
               const std::string& value) {
    return context.metrics().Get(metric, {{"source", "sqs:" + queue_}, {label, value}});
  }

  std::unique_ptr<aws::S3Client> s3_;
  std::unique_ptr<aws::SqsClient> sqs_;
  std::string queue_;
  TempDir dir_;
};

TEST_F(SqsSourceTest, RealS3NotificationsTestEventFirst) {
  // S3 -> SQS notification configured on moto: its first message is s3:TestEvent, then one
  // ObjectCreated:Put per object with the key quote_plus-encoded, '/' as %2F
  // (docs/reference/formats.md §9.2).
  auto attributes = sqs_->GetQueueAttributes(queue_);
  ASSERT_TRUE(attributes.ok()) << attributes.message();
  std::string configuration =
      "<NotificationConfiguration><QueueConfiguration><Queue>" + (*attributes)["QueueArn"] +
      "</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>";
  aws::CurlEasy curl;
  aws::HttpExchangeRequest request;
  request.method = "PUT";
  request.url = moto_->endpoint() + "/trail?notification=";
  request.body = configuration;
  request.headers = {"Content-Type: application/xml", "x-amz-content-sha256: UNSIGNED-PAYLOAD"};
  request.aws_sigv4 = "aws:amz:us-east-1:s3";
  request.user_password = "testing:testing";
  auto response = curl.Perform(request);
  ASSERT_TRUE(response.ok()) << response.message();
  ASSERT_EQ(response->status, 200) << response->body;

  std::string key = LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "AAAAAAAAAAAAAAAA");
  Put(key, GzippedLogWith({"root-1", "root-2"}));
  TestContext context(dir_.path() + "/tw.db");
  RecordingSink sink;
  SqsSource source(Config(), context.context(), Options());
  EXPECT_EQ(source.name(), "sqs:" + queue_);
  RunningSource running(source, sink);
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 2; })) << context.log_text();
  ASSERT_TRUE(WaitFor([&] {
    return context.metrics().Get("trailwatch_source_messages_deleted_total",
                                 {{"source", "sqs:" + queue_}}) == 2;
  })) << context.log_text();
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(sink.event_ids(), (std::vector<std::string>{"root-1", "root-2"}));
  EXPECT_EQ(sink.events()[0].origin, "s3://trail/" + key);
  EXPECT_EQ(Count(context, "trailwatch_source_messages_total", "kind", "test_event"), 1);
  EXPECT_EQ(Count(context, "trailwatch_source_messages_total", "kind", "s3_notification"), 1);
  EXPECT_TRUE(Peek().empty());
}

TEST_F(SqsSourceTest, SnsWrappedAndEventBridgeObjectCreated) {
  const std::string topic = "arn:aws:sns:us-east-1:123456789012:trail";
  std::string sns_key =
      LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "SNSSNSSNSSNSSNS1");
  std::string eb_key =
      LogKey("111122223333", "us-east-1", "2024-05-01", "1205", "EBEBEBEBEBEBEBEB");
  Put(sns_key, GzippedLogWith({"via-sns"}));
  Put(eb_key, GzippedLogWith({"via-eventbridge"}));
  std::string encoded = sns_key;
  for (size_t at = encoded.find('/'); at != std::string::npos; at = encoded.find('/', at)) {
    encoded.replace(at, 1, "%2F");
  }
  Send(SnsEnvelope(topic, S3Notification("trail", encoded)));
  Send(ObjectCreated("trail", eb_key));
  Send(SnsEnvelope("arn:aws:sns:us-east-1:123456789012:someone-else",
                   S3Notification("trail", encoded)));  // refused by the pin, left on the queue
  SqsSourceConfig config = Config();
  config.sns_topics = {topic};
  TestContext context(dir_.path() + "/tw.db");
  RecordingSink sink;
  SqsSource source(config, context.context(), Options());
  RunningSource running(source, sink);
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 2; })) << context.log_text();
  ASSERT_TRUE(WaitFor(
      [&] { return Count(context, "trailwatch_source_messages_total", "kind", "unknown") >= 1; }));
  ASSERT_TRUE(running.Stop().ok());
  std::vector<std::string> ids = sink.event_ids();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"via-eventbridge", "via-sns"}));
  EXPECT_EQ(
      Count(context, "trailwatch_source_messages_total", "kind", "eventbridge_object_created"), 1);
  EXPECT_NE(context.log_text().find("not in sns_topics"), std::string::npos);
  // Only the refused message remains.
  ASSERT_TRUE(WaitFor([&] { return Peek().size() == 1; }));
}

TEST_F(SqsSourceTest, AMessageIsNotDeletedWhenSubmitFails) {
  std::string key = LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "AAAAAAAAAAAAAAAA");
  Put(key, GzippedLogWith({"e-1"}));
  Send(S3Notification("trail", key));
  TestContext context(dir_.path() + "/tw.db");
  RecordingSink sink;
  sink.fail = true;
  {
    SqsSource source(Config(), context.context(), Options());
    RunningSource running(source, sink);
    // Received, refused, visible again after 1 s, received again.
    ASSERT_TRUE(WaitFor([&] { return sink.failed_calls >= 2; })) << context.log_text();
    ASSERT_TRUE(running.Stop().ok());
  }
  EXPECT_EQ(context.metrics().Get("trailwatch_source_messages_deleted_total",
                                  {{"source", "sqs:" + queue_}}),
            0);
  std::vector<aws::SqsMessage> left;
  ASSERT_TRUE(WaitFor([&] {
    left = Peek();
    return left.size() == 1;
  }));
  EXPECT_GE(left[0].receive_count, 3);

  // The outbox is back: a new consumer (another process, say) takes it and deletes it.
  sink.fail = false;
  TestContext second(dir_.path() + "/tw.db");
  SqsSource source(Config(), second.context(), Options());
  RunningSource running(source, sink);
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << second.log_text();
  ASSERT_TRUE(WaitFor([&] {
    return second.metrics().Get("trailwatch_source_messages_deleted_total",
                                {{"source", "sqs:" + queue_}}) == 1;
  }));
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_TRUE(Peek().empty());
}

TEST_F(SqsSourceTest, BadObjectsAndUnknownMessagesDoNotStopTheSource) {
  std::string bad = LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "BADBADBADBADBADB");
  std::string good = LogKey("111122223333", "us-east-1", "2024-05-01", "1205", "GOODGOODGOODGOOD");
  std::string digest =
      "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/"
      "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T130000Z.json.gz";
  Put(bad, "garbage, not gzip");
  Put(good, GzippedLogWith({"good-1"}));
  Send("this is not JSON");
  Send(S3Notification("trail", bad));
  Send(S3Notification("trail", digest));
  Send(S3Notification("trail", good));
  TestContext context(dir_.path() + "/tw.db");
  RecordingSink sink;
  SqsSource source(Config(), context.context(), Options());
  RunningSource running(source, sink);
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context.log_text();
  ASSERT_TRUE(WaitFor([&] {
    return context.metrics().Get("trailwatch_source_messages_deleted_total",
                                 {{"source", "sqs:" + queue_}}) == 3;
  })) << context.log_text();
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(sink.event_ids(), std::vector<std::string>{"good-1"});
  EXPECT_EQ(Count(context, "trailwatch_source_objects_total", "result", "failed"), 1);
  EXPECT_EQ(Count(context, "trailwatch_source_objects_total", "result", "skipped"), 1);
  EXPECT_GE(Count(context, "trailwatch_source_messages_total", "kind", "unknown"), 1);
  EXPECT_NE(context.log_text().find("BADBADBADBADBADB"), std::string::npos);
  EXPECT_EQ(context.log_text().find("this is not JSON"), std::string::npos);  // body not logged
  std::vector<aws::SqsMessage> left;
  ASSERT_TRUE(WaitFor([&] {
    left = Peek();
    return left.size() == 1;
  }));
  EXPECT_EQ(left[0].body, "this is not JSON");  // left for the redrive policy
}

TEST_F(SqsSourceTest, VisibilityIsExtendedWhileASlowMessageIsProcessed) {
  std::string key = LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "AAAAAAAAAAAAAAAA");
  Put(key, GzippedLogWith({"slow-1"}));
  Send(S3Notification("trail", key));
  TestContext context(dir_.path() + "/tw.db");
  RecordingSink sink;
  sink.on_submit = [] { std::this_thread::sleep_for(std::chrono::milliseconds(2500)); };
  SqsSourceOptions options = Options();
  options.visibility_timeout = std::chrono::seconds(1);  // heartbeat every 500 ms
  SqsSource source(Config(), context.context(), options);
  RunningSource running(source, sink);
  ASSERT_TRUE(WaitFor([&] { return sink.submit_calls >= 1; })) << context.log_text();
  // A second consumer polling meanwhile gets nothing, although the 1 s timeout has long passed.
  aws::SqsReceiveOptions receive;
  receive.wait_time_seconds = 2;
  auto meanwhile = sqs_->ReceiveMessages(queue_, receive);
  ASSERT_TRUE(meanwhile.ok()) << meanwhile.message();
  EXPECT_TRUE(meanwhile->empty());
  ASSERT_TRUE(WaitFor([&] { return sink.size() == 1; })) << context.log_text();
  ASSERT_TRUE(WaitFor([&] {
    return context.metrics().Get("trailwatch_source_messages_deleted_total",
                                 {{"source", "sqs:" + queue_}}) == 1;
  }));
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_GE(Count(context, "trailwatch_source_visibility_extensions_total", "result", "ok"), 2);
  EXPECT_EQ(sink.submit_calls, 1);  // never handed out twice
  EXPECT_TRUE(Peek().empty());
}

TEST_F(SqsSourceTest, TwoConsumersShareOneQueue) {
  // Two sources (two processes, in production) on one queue and one store: every object is read,
  // every message deleted, and SQS hands each message to one consumer at a time.
  const int kObjects = 12;
  for (int i = 0; i < kObjects; ++i) {
    char unique[17];
    std::snprintf(unique, sizeof unique, "%016d", i);
    std::string key = LogKey("111122223333", "us-east-1", "2024-05-01", "1200", unique);
    Put(key, GzippedLogWith({"e-" + std::to_string(i)}));
    Send(S3Notification("trail", key));
  }
  SqsSourceConfig config = Config();
  config.max_messages = 2;
  config.visibility_timeout = std::chrono::seconds(30);
  TestContext first(dir_.path() + "/tw.db");
  TestContext second(dir_.path() + "/tw.db");
  RecordingSink sink_a;
  RecordingSink sink_b;
  SqsSource a(config, first.context(), Options());
  SqsSource b(config, second.context(), Options());
  RunningSource running_a(a, sink_a);
  RunningSource running_b(b, sink_b);
  ASSERT_TRUE(WaitFor([&] { return sink_a.size() + sink_b.size() == kObjects; }))
      << first.log_text() << second.log_text();
  auto deleted = [&](TestContext& context) {
    return context.metrics().Get("trailwatch_source_messages_deleted_total",
                                 {{"source", "sqs:" + queue_}});
  };
  ASSERT_TRUE(WaitFor([&] { return deleted(first) + deleted(second) == kObjects; }));
  ASSERT_TRUE(running_a.Stop().ok());
  ASSERT_TRUE(running_b.Stop().ok());
  std::vector<std::string> ids = sink_a.event_ids();
  std::vector<std::string> more = sink_b.event_ids();
  ids.insert(ids.end(), more.begin(), more.end());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());  // none read twice
  EXPECT_EQ(ids.size(), static_cast<size_t>(kObjects));
  EXPECT_TRUE(Peek().empty());
}

}  // namespace
}  // namespace trailwatch::sources
