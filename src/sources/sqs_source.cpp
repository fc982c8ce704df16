// SqsSource (sqs_source.h).
#include "sources/sqs_source.h"

#include <simdjson.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "telemetry/metrics.h"
#include "sources/log_object_reader.h"

namespace trailwatch::sources {

namespace {

using Kind = SqsBodyClass::Kind;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The string at `element`, or `fallback` when it is missing or not a string (a lookup result:
// converting it to an element would throw on a missing field).
std::string_view StringOr(simdjson::simdjson_result<simdjson::dom::element> element,
                          std::string_view fallback = {}) {
  std::string_view value;
  return element.get(value) == simdjson::SUCCESS ? value : fallback;
}

bool Has(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element element;
  return object.at_key(key).get(element) == simdjson::SUCCESS;
}

bool IsCloudTrailDetailType(std::string_view detail_type) {
  return detail_type.ends_with("via CloudTrail");
}

SqsBodyClass Unknown(std::string reason, bool sns_wrapped) {
  SqsBodyClass out;
  out.kind = Kind::kUnknown;
  out.reason = std::move(reason);
  out.sns_wrapped = sns_wrapped;
  return out;
}

SqsBodyClass Classify(std::string_view body, const std::vector<std::string>& sns_topics,
                      bool inside_sns) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
    return Unknown(inside_sns ? "the SNS Message is not JSON" : "the body is not JSON", inside_sns);
  }
  simdjson::dom::object object;
  if (doc.get(object) != simdjson::SUCCESS) {
    // A JSON array of records (test inputs) is evaluated as it is.
    simdjson::dom::array array;
    if (doc.get(array) == simdjson::SUCCESS) {
      SqsBodyClass out;
      out.kind = Kind::kEvents;
      out.events_json = std::string(body);
      out.sns_wrapped = inside_sns;
      return out;
    }
    return Unknown("the body is not a JSON object", inside_sns);
  }

  // SNS envelope: unwrap one layer.
  if (StringOr(object["Type"]) == "Notification" && Has(object, "Message") &&
      Has(object, "TopicArn")) {
    if (inside_sns) return Unknown("an SNS envelope inside an SNS envelope", true);
    std::string topic(StringOr(object["TopicArn"]));
    if (!sns_topics.empty() &&
        std::find(sns_topics.begin(), sns_topics.end(), topic) == sns_topics.end()) {
      return Unknown("SNS topic " + topic + " is not in sns_topics", true);
    }
    std::string_view message;
    if (object["Message"].get(message) != simdjson::SUCCESS) {
      return Unknown("the SNS Message is not a string", true);
    }
    SqsBodyClass out = Classify(message, sns_topics, true);
    out.sns_wrapped = true;
    return out;
  }

  if (StringOr(object["Event"]) == "s3:TestEvent") {
    SqsBodyClass out;
    out.kind = Kind::kTestEvent;
    out.sns_wrapped = inside_sns;
    return out;
  }

  simdjson::dom::array records;
  if (object["Records"].get(records) == simdjson::SUCCESS) {
    bool any_s3 = false;
    bool any_cloudtrail = false;
    SqsBodyClass out;
    out.sns_wrapped = inside_sns;
    for (simdjson::dom::element record : records) {
      if (StringOr(record["eventSource"]) == "aws:s3") {
        any_s3 = true;
        std::string_view event_name = StringOr(record["eventName"]);
        if (!event_name.starts_with("ObjectCreated:")) {
          ++out.ignored_records;
          continue;
        }
        std::string_view bucket = StringOr(record["s3"]["bucket"]["name"]);
        std::string_view key = StringOr(record["s3"]["object"]["key"]);
        if (bucket.empty() || key.empty()) {
          return Unknown("an S3 record without s3.bucket.name or s3.object.key", inside_sns);
        }
        out.objects.push_back(SqsBodyClass::Object{std::string(bucket), DecodeS3EventKey(key),
                                                   std::string(StringOr(record["awsRegion"]))});
      } else {
        simdjson::dom::object record_object;
        if (record.get(record_object) == simdjson::SUCCESS && Has(record_object, "eventVersion") &&
            Has(record_object, "eventID")) {
          any_cloudtrail = true;
        }
      }
    }
    if (any_s3) {
      out.kind = Kind::kS3Notification;
      return out;
    }
    if (any_cloudtrail) {
      out.kind = Kind::kEvents;
      out.events_json = std::string(body);
      return out;
    }
    return Unknown("Records holds neither S3 notifications nor CloudTrail records", inside_sns);
  }

  simdjson::dom::array keys;
  if (Has(object, "s3Bucket") && object["s3ObjectKey"].get(keys) == simdjson::SUCCESS) {
    SqsBodyClass out;
    out.kind = Kind::kCloudTrailNotification;
    out.sns_wrapped = inside_sns;
    std::string bucket(StringOr(object["s3Bucket"]));
    for (simdjson::dom::element key : keys) {
      std::string_view text;
      if (key.get(text) != simdjson::SUCCESS) text = {};
      if (bucket.empty() || text.empty()) {
        return Unknown("a CloudTrail notification with an empty bucket or key", inside_sns);
      }
      // CloudTrail keys are plain, URL-safe S3 keys (docs/reference/formats.md §1.7): no decoding.
      out.objects.push_back(SqsBodyClass::Object{bucket, std::string(text), {}});
    }
    return out;
  }

  if (Has(object, "detail-type") && Has(object, "source") && Has(object, "detail")) {
    std::string_view source = StringOr(object["source"]);
    std::string_view detail_type = StringOr(object["detail-type"]);
    if (source == "aws.s3" && detail_type == "Object Created") {
      std::string_view bucket = StringOr(object["detail"]["bucket"]["name"]);
      std::string_view key = StringOr(object["detail"]["object"]["key"]);
      if (bucket.empty() || key.empty()) {
        return Unknown("an Object Created event without detail.bucket.name or detail.object.key",
                       inside_sns);
      }
      SqsBodyClass out;
      out.kind = Kind::kEventBridgeObject;
      out.sns_wrapped = inside_sns;
      // Whether EventBridge encodes keys is not documented in docs/reference/formats.md; CloudTrail
      // keys are URL-safe either way, so the key is used as delivered.
      out.objects.push_back(SqsBodyClass::Object{std::string(bucket), std::string(key),
                                                 std::string(StringOr(object["region"]))});
      return out;
    }
    if (IsCloudTrailDetailType(detail_type)) {
      SqsBodyClass out;
      out.kind = Kind::kEvents;
      out.sns_wrapped = inside_sns;
      out.events_json = std::string(body);
      return out;
    }
    return Unknown("an EventBridge event of source " + std::string(source).substr(0, 64) +
                       " is neither Object Created nor CloudTrail",
                   inside_sns);
  }

  if (Has(object, "eventVersion") && Has(object, "eventID")) {  // one raw record
    SqsBodyClass out;
    out.kind = Kind::kEvents;
    out.sns_wrapped = inside_sns;
    out.events_json = std::string(body);
    return out;
  }
  return Unknown("not an S3, SNS, EventBridge or CloudTrail message", inside_sns);
}

}  // namespace

std::string DecodeS3EventKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < key.size() && HexValue(key[i + 1]) >= 0 &&
               HexValue(key[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(key[i + 1]) * 16 + HexValue(key[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

SqsBodyClass ClassifySqsBody(std::string_view body, const std::vector<std::string>& sns_topics) {
  return Classify(body, sns_topics, false);
}

const char* SqsBodyKindName(SqsBodyClass::Kind kind) {
  switch (kind) {
    case Kind::kS3Notification:
      return "s3_notification";
    case Kind::kCloudTrailNotification:
      return "cloudtrail_notification";
    case Kind::kEventBridgeObject:
      return "eventbridge_object_created";
    case Kind::kEvents:
      return "events";
    case Kind::kTestEvent:
      return "test_event";
    case Kind::kUnknown:
      break;
  }
  return "unknown";
}

// Extends the visibility of the messages being processed every half visibility timeout.
class SqsSource::VisibilityKeeper {
 public:
  VisibilityKeeper(aws::SqsClient& sqs, std::string queue_url, std::chrono::seconds visibility,
                   SqsSource& owner)
      : sqs_(sqs), queue_url_(std::move(queue_url)), visibility_(visibility), owner_(owner) {
    thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
  }
  ~VisibilityKeeper() {
    thread_.request_stop();
    wake_.notify_all();
  }

  void Add(const std::string& receipt_handle) {
    std::lock_guard lock(mutex_);
    handles_.insert(receipt_handle);
  }
  void Remove(const std::string& receipt_handle) {
    std::lock_guard lock(mutex_);
    handles_.erase(receipt_handle);
  }

 private:
  void Loop(std::stop_token stop) {
    auto interval =
        std::max<std::chrono::milliseconds>(std::chrono::milliseconds(500), visibility_ / 2);
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
      wake_.wait_for(lock, stop, interval, [] { return false; });
      if (stop.stop_requested()) break;
      std::vector<std::string> handles(handles_.begin(), handles_.end());
      lock.unlock();
      for (const std::string& handle : handles) {
        Status s =
            sqs_.ChangeMessageVisibility(queue_url_, handle, static_cast<int>(visibility_.count()));
        owner_.context_.metrics->Add(
            "trailwatch_source_visibility_extensions_total",
            {{"source", owner_.name_}, {"result", s.ok() ? "ok" : "error"}});
        if (!s.ok()) owner_.context_.log->warn("{}: {}", owner_.name_, s.message());
      }
      lock.lock();
    }
  }

  aws::SqsClient& sqs_;
  std::string queue_url_;
  std::chrono::seconds visibility_;
  SqsSource& owner_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::set<std::string> handles_;
  std::jthread thread_;  // last: joined before the members it uses are destroyed
};

SqsSource::SqsSource(SqsSourceConfig config, SourceContext context, SqsSourceOptions options)
    : config_(std::move(config)),
      context_(std::move(context)),
      options_(std::move(options)),
      name_(!config_.name.empty() ? config_.name : "sqs:" + config_.queue_url),
      reader_(std::make_unique<LogObjectReader>(config_.limits)) {}

SqsSource::~SqsSource() = default;

std::string SqsSource::name() const { return name_; }

aws::S3Client& SqsSource::S3For(const std::string& region) {
  std::string wanted = region.empty() ? region_ : region;
  auto it = s3_by_region_.find(wanted);
  if (it != s3_by_region_.end()) return *it->second;
  aws::S3ClientOptions options;
  options.region = wanted;
  options.endpoint = s3_endpoint_;
  auto client = std::make_unique<aws::S3Client>(options, credentials_);
  return *s3_by_region_.emplace(wanted, std::move(client)).first->second;
}

bool SqsSource::ProcessObject(const SqsBodyClass::Object& object, EventSink& sink) {
  telemetry::Metrics& metrics = *context_.metrics;
  auto count = [&](const char* result) {
    metrics.Add("trailwatch_source_objects_total", {{"source", name_}, {"result", result}});
  };
  std::string origin = "s3://" + object.bucket + "/" + object.key;
  if (ClassifyLogObject(object.key) != LogObjectClass::kLogFile) {
    count("skipped");
    return true;
  }
  std::string body;
  if (Status got = S3For(object.region).Get(object.bucket, object.key, &body); !got.ok()) {
    context_.log->warn("{}: {}; the message stays on the queue", name_, got.message());
    count("retry");
    return false;
  }
  LogObjectOutcome outcome = reader_->ReadInto(object.key, body, origin, sink, name_, context_);
  std::string().swap(body);
  reader_->ReturnFreedMemory();  // after a large object, its memory goes back to the system
  switch (outcome.state) {
    case LogObjectOutcome::State::kDone:
      count("read");
      return true;
    case LogObjectOutcome::State::kUnreadable:
      // Reading it again cannot help: logged, counted, and the message is deleted.
      context_.log->warn("{}: not a readable CloudTrail file: {}", name_, outcome.error);
      count("failed");
      return true;
    case LogObjectOutcome::State::kSubmitFailed:
      context_.log->warn("{}: {}; the message stays on the queue", name_, outcome.error);
      count("retry");
      return false;
  }
  return false;
}

bool SqsSource::Process(const aws::SqsMessage& message, EventSink& sink) {
  telemetry::Metrics& metrics = *context_.metrics;
  SqsBodyClass body = ClassifySqsBody(message.body, config_.sns_topics);
  metrics.Add("trailwatch_source_messages_total",
              {{"source", name_}, {"kind", SqsBodyKindName(body.kind)}});
  switch (body.kind) {
    case Kind::kTestEvent:
      return true;
    case Kind::kUnknown:
      // Poison: not deleted, so the queue's redrive policy moves it to the dead-letter queue
      // after maxReceiveCount receipts. The body is not logged (it may be large or hostile).
      context_.log->warn(
          "{}: message {} ({} bytes, receive count {}) not understood: {}; left for the "
          "queue's redrive policy",
          name_, message.message_id, message.body.size(), message.receive_count, body.reason);
      return false;
    case Kind::kEvents: {
      LogObjectOutcome outcome = reader_->ReadInto("", body.events_json,
                                                   "sqs:" + message.message_id, sink, name_, context_);
      if (outcome.state == LogObjectOutcome::State::kSubmitFailed) {
        context_.log->warn("{}: {}; the message stays on the queue", name_, outcome.error);
        return false;
      }
      if (outcome.state == LogObjectOutcome::State::kUnreadable) {
        context_.log->warn("{}: {}; left for the queue's redrive policy", name_, outcome.error);
        return false;
      }
      return true;
    }
    case Kind::kS3Notification:
    case Kind::kCloudTrailNotification:
    case Kind::kEventBridgeObject:
      break;
  }
  bool all = true;
  for (const SqsBodyClass::Object& object : body.objects) {
    if (!ProcessObject(object, sink)) all = false;
  }
  return all;
}

Status SqsSource::Run(std::stop_token stop, EventSink& sink) {
  environment_ = options_.environment ? *options_.environment : aws::ProcessEnvironment();
  region_ = !config_.aws.region.empty()                      ? config_.aws.region
            : !RegionFromQueueUrl(config_.queue_url).empty() ? RegionFromQueueUrl(config_.queue_url)
                                                             : aws::ResolveRegion(
                                                                   environment_,
                                                                   config_.aws.profile);
  s3_endpoint_ = aws::ResolveS3Endpoint(environment_);
  aws::SqsClientOptions sqs_options;
  sqs_options.region = region_;
  sqs_options.endpoint = config_.aws.endpoint_url;
  if (sqs_options.endpoint.empty()) {
    auto sqs_endpoint = environment_.find("AWS_ENDPOINT_URL_SQS");
    if (sqs_endpoint == environment_.end()) sqs_endpoint = environment_.find("AWS_ENDPOINT_URL");
    if (sqs_endpoint != environment_.end()) sqs_options.endpoint = sqs_endpoint->second;
  }
  // One identity for the queue and the objects it names: the source's profile and role_arn, or
  // the process's chain (refreshed by the provider, asked on every request).
  credentials_ = std::make_shared<aws::CredentialsProvider>(
      environment_, SourceCredentialsOptions(config_.aws, region_));
  sqs_ = std::make_unique<aws::SqsClient>(sqs_options, credentials_);

  std::chrono::seconds visibility =
      options_.visibility_timeout.value_or(config_.visibility_timeout);
  VisibilityKeeper keeper(*sqs_, config_.queue_url, visibility, *this);
  aws::SqsReceiveOptions receive;
  receive.max_messages = config_.max_messages;
  receive.wait_time_seconds = static_cast<int>(config_.wait_time.count());
  receive.visibility_timeout_seconds = static_cast<int>(visibility.count());
  std::chrono::milliseconds backoff{0};
  while (!stop.stop_requested()) {
    auto messages = sqs_->ReceiveMessages(config_.queue_url, receive, stop);
    if (!messages.ok()) {
      context_.log->warn("{}: {}", name_, messages.message());
      context_.metrics->Add("trailwatch_source_errors_total", {{"source", name_}});
      backoff = std::min<std::chrono::milliseconds>(
          std::chrono::seconds(30), std::max(backoff * 2, std::chrono::milliseconds(500)));
      for (auto until = std::chrono::steady_clock::now() + backoff;
           !stop.stop_requested() && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      continue;
    }
    backoff = std::chrono::milliseconds(0);
    if (messages->empty() && receive.wait_time_seconds == 0) {
      // Short polling (wait_time: 0s) on an empty queue: do not spin.
      for (int i = 0; i < 10 && !stop.stop_requested(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    // The whole batch is kept invisible while its messages wait their turn.
    for (const aws::SqsMessage& message : *messages) keeper.Add(message.receipt_handle);
    for (const aws::SqsMessage& message : *messages) {
      if (stop.stop_requested()) {
        keeper.Remove(message.receipt_handle);  // reappears after its visibility timeout
        continue;
      }
      bool done = Process(message, sink);
      keeper.Remove(message.receipt_handle);
      if (!done) continue;
      if (Status s = sqs_->DeleteMessage(config_.queue_url, message.receipt_handle); !s.ok()) {
        // The events are committed; the message comes back and is deduplicated by the outbox.
        context_.log->warn("{}: {}", name_, s.message());
        context_.metrics->Add("trailwatch_source_errors_total", {{"source", name_}});
      } else {
        context_.metrics->Add("trailwatch_source_messages_deleted_total", {{"source", name_}});
      }
    }
  }
  return Status::Ok();
}

}  // namespace trailwatch::sources
