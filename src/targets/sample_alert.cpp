#include "targets/sample_alert.h"

#include <cstdio>
#include <random>
#include <string_view>

#include "envelope/envelope.h"
#include "common/json_string.h"

namespace trailwatch::targets {

namespace {

// AWS CloudTrail User Guide, "Example records for console sign-in events": root user, success,
// no MFA. Only eventID is replaced.
constexpr const char* kRecordBeforeId =
    R"json({"eventVersion":"1.05","userIdentity":{"type":"Root","principalId":"AIDACKCEVSQ6C2EXAMPLE","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":""},"eventTime":"2022-11-10T16:24:34Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:62.0) Gecko/20100101 Firefox/62.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true","MobileVersion":"No","MFAUsed":"No"},"eventID":)json";
constexpr const char* kRecordAfterId =
    R"json(,"eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"})json";

Result<route::Alert> SampleAlert(const std::string& event_id, const std::string& rule, bool test) {
  std::string record = kRecordBeforeId;
  if (test) {
    constexpr std::string_view kData = "\"additionalEventData\":{";
    record.insert(record.find(kData) + kData.size(),
                  "\"TrailwatchSendTest\":\"TEST: sent by trailwatch send-test, not a real "
                  "sign-in\",");
  }
  AppendJsonString(record, event_id);
  record += kRecordAfterId;
  Result<envelope::Envelope> envelope = envelope::BuildEnvelope(record);
  if (!envelope.ok()) return Error{"sample record: " + envelope.message()};
  route::Alert alert;
  alert.rule = rule;
  // Root sign-in without MFA (docs/reference/formats.md §7.6).
  alert.severity = route::Severity::kCritical;
  alert.envelope = std::move(*envelope);
  alert.origin = "trailwatch send-test (AWS documentation sample: root ConsoleLogin)";
  alert.test = test;
  return alert;
}

}  // namespace

Result<route::Alert> SampleRootSignInAlert(const std::string& event_id, const std::string& rule) {
  return SampleAlert(event_id, rule, false);
}

Result<route::Alert> SendTestAlert(const std::string& event_id) {
  return SampleAlert(event_id, "trailwatch-send-test", true);
}

std::string RandomEventId() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return text;
}

}  // namespace trailwatch::targets
