// libFuzzer target: arbitrary bytes as an SNS HTTP(S) delivery body (docs/reference/formats.md
// §5.2).
//
// ParseSnsMessage must return a message or an error, never crash. For a message it parses, the
// string to sign (§5.3) must start with the Message field and end with "Type\n<Type>\n", and the
// SigningCertURL / SubscribeURL rules (§5.4), which read hostile URLs, must give an answer for both
// the AWS rules and a loopback pattern. A broken invariant aborts so libFuzzer keeps the input.
//
// Run: make fuzz && build/fuzz/sns_message_fuzz -max_total_time=60 /tmp/fz/sns_message
// fuzz/corpus/sns_message
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sources/sns_message.h"
#include "sources/sns_verifier.h"

namespace {

using trailwatch::sources::CheckSigningCertUrl;
using trailwatch::sources::CheckSubscribeUrl;
using trailwatch::sources::ParseSnsMessage;
using trailwatch::sources::SnsMessageTypeName;
using trailwatch::sources::SnsStringToSign;

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "sns_message_fuzz: %s: %.*s\n", what, static_cast<int>(input.size()),
               input.data());
  std::abort();
}

constexpr const char* kPattern =
    R"(https://127\.0\.0\.1:4443/SimpleNotificationService-[0-9a-f]+\.pem)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto message = ParseSnsMessage(body);
  if (!message.ok()) {
    if (message.message().empty()) Fail("error without a message", body);
    return 0;
  }
  std::string to_sign = SnsStringToSign(*message);
  std::string head = "Message\n" + message->message + "\n";
  std::string tail = std::string("Type\n") + SnsMessageTypeName(message->type) + "\n";
  if (to_sign.compare(0, head.size(), head) != 0)
    Fail("string to sign does not start with Message", body);
  if (to_sign.size() < tail.size() ||
      to_sign.compare(to_sign.size() - tail.size(), tail.size(), tail) != 0) {
    Fail("string to sign does not end with Type", body);
  }
  for (const char* pattern : {"", kPattern}) {
    (void)CheckSigningCertUrl(message->signing_cert_url, message->topic_arn, pattern);
    (void)CheckSubscribeUrl(message->subscribe_url, message->topic_arn, message->signing_cert_url,
                            pattern);
  }
  return 0;
}
