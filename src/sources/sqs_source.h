// SqsSource: S3 object notifications for CloudTrail log files, from an SQS queue
// (`{type: sqs, queue_url: ...}`). This is how trailwatch scales past one machine: any number of
// processes may consume one queue, since everything a message needs is in the message and the
// outbox deduplicates alerts; nothing process-local is required for correctness.
//
// Each body is classified by docs/reference/formats.md §4.5, unwrapping at most one SNS layer:
//   * SNS Notification envelope (S3 -> SNS -> SQS): TopicArn must be in sns_topics when that list
//     is set, then Message is classified as below;
//   * s3:TestEvent: deleted and skipped (not an error);
//   * S3 notification {"Records":[{"eventSource":"aws:s3",...}]}: each ObjectCreated:* key,
//     form-decoded (§4.2: '+' -> space, then %XX), is fetched;
//   * CloudTrail delivery notification {"s3Bucket":..., "s3ObjectKey":[...]} (§1.7): each key;
//   * EventBridge "Object Created" from aws.s3: detail.bucket.name / detail.object.key;
//   * an EventBridge CloudTrail event, or raw CloudTrail records: evaluated as they are;
//   * anything else: unknown. Logged, counted and left on the queue for its redrive policy.
// Digest, Insight and other non-CloudTrail keys are skipped and counted.
//
// A message is deleted ONLY after every event it carried was accepted by EventSink::Submit (or
// when it carried nothing to evaluate: test events, digests, unreadable objects, which are logged
// and counted). When a fetch or Submit fails the message is left: it reappears after its
// visibility timeout, and repeated failures end in the queue's dead-letter queue. While a
// message is processed its visibility is extended (ChangeMessageVisibility) every half
// visibility_timeout, so a 50 MB object is not handed to a second consumer meanwhile.
//
// S3 objects are fetched in the region named by the notification (awsRegion) when it has one,
// else the source's region; the S3 endpoint comes from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL
// (endpoint_url in the config applies to SQS only).
//
// Thread-safety: Run is called once, on its own thread; name() from any thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "sources/source.h"
#include "sources/sources_config.h"

namespace trailwatch::aws {
class S3Client;
class SqsClient;
struct SqsMessage;
}  // namespace trailwatch::aws

namespace trailwatch::sources {

class LogObjectReader;

// What a message body asks for (docs/reference/formats.md §4.5). Exposed for tests.
struct SqsBodyClass {
  enum class Kind {
    kS3Notification,          // objects to fetch
    kCloudTrailNotification,  // objects to fetch (CloudTrail's SNS delivery notification)
    kEventBridgeObject,       // objects to fetch (EventBridge "Object Created")
    kEvents,                  // the body itself holds CloudTrail records or an event: evaluate
    kTestEvent,               // s3:TestEvent: delete, skip
    kUnknown,                 // leave for the redrive policy
  };
  struct Object {
    std::string bucket;
    std::string key;     // decoded
    std::string region;  // empty when the notification names none
  };
  Kind kind = Kind::kUnknown;
  bool sns_wrapped = false;
  std::vector<Object> objects;
  std::string events_json;     // kEvents: the JSON to evaluate (the SNS Message when wrapped)
  std::string reason;          // kUnknown: why, for the log (never quotes the body)
  size_t ignored_records = 0;  // S3 records that are not ObjectCreated:* (e.g. ObjectRemoved)
};

// `sns_topics` empty: any TopicArn is accepted (the queue policy is the trust boundary, §4.5).
SqsBodyClass ClassifySqsBody(std::string_view body, const std::vector<std::string>& sns_topics);

// Form-style URL decoding of S3 notification keys (§4.2). Malformed escapes stay as they are.
std::string DecodeS3EventKey(std::string_view key);

const char* SqsBodyKindName(SqsBodyClass::Kind kind);

struct SqsSourceOptions {
  // Credentials, region and S3 endpoint lookup; empty = the process environment.
  std::optional<aws::Environment> environment;
  // Overrides config.visibility_timeout for the extension heartbeat (tests use ~1 s).
  std::optional<std::chrono::seconds> visibility_timeout;
};

class SqsSource : public Source {
 public:
  SqsSource(SqsSourceConfig config, SourceContext context, SqsSourceOptions options = {});
  ~SqsSource() override;

  std::string name() const override;
  Status Run(std::stop_token stop, EventSink& sink) override;

 private:
  class VisibilityKeeper;  // sqs_source.cpp

  // Handles one message; true when it may be deleted.
  bool Process(const aws::SqsMessage& message, EventSink& sink);
  // Fetches and submits one object; false when the message must stay (fetch/Submit failed).
  bool ProcessObject(const SqsBodyClass::Object& object, EventSink& sink);
  aws::S3Client& S3For(const std::string& region);

  SqsSourceConfig config_;
  SourceContext context_;
  SqsSourceOptions options_;
  std::string name_;
  aws::Environment environment_;
  std::string region_;
  std::string s3_endpoint_;
  // The source's identity, shared by the SQS client and the S3 clients of every region.
  std::shared_ptr<aws::CredentialsProvider> credentials_;
  std::unique_ptr<aws::SqsClient> sqs_;
  std::map<std::string, std::unique_ptr<aws::S3Client>> s3_by_region_;
  std::unique_ptr<LogObjectReader> reader_;
};

}  // namespace trailwatch::sources
