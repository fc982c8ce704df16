// SnsMessage: one SNS HTTP(S) delivery body (docs/reference/formats.md §5.2) and the exact string
// it was signed over (§5.3).
//
// SNS POSTs a JSON object (with Content-Type text/plain) whose string members carry the message.
// The signature covers the *unescaped* values of a fixed, byte-sorted list of keys, each written as
// "<Key>\n<Value>\n"; `Subject` takes part only when present. Parsing and the string to sign live
// here, apart from the certificate and network work (sns_verifier.h), so both can be tested and
// fuzzed without a server.
//
// Thread-safety: pure functions over plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace trailwatch::sources {

enum class SnsMessageType { kSubscriptionConfirmation, kNotification, kUnsubscribeConfirmation };

// "SubscriptionConfirmation", "Notification", "UnsubscribeConfirmation".
const char* SnsMessageTypeName(SnsMessageType type);
// nullopt for any other text (the comparison is exact, as SNS writes it).
std::optional<SnsMessageType> ParseSnsMessageType(std::string_view text);

struct SnsMessage {
  SnsMessageType type = SnsMessageType::kNotification;
  std::string message_id;
  std::string topic_arn;
  std::string message;
  std::optional<std::string> subject;  // Notification only, when the publisher set one
  std::string timestamp;               // ISO 8601, e.g. 2012-05-02T00:54:06.655Z
  std::string signature_version;       // "1" (SHA1withRSA) or "2" (SHA256withRSA)
  std::string signature;               // base64
  std::string signing_cert_url;
  std::string token;            // confirmations only
  std::string subscribe_url;    // confirmations only
  std::string unsubscribe_url;  // Notification only (not used, kept for logs)
};

// Parses a delivery body. Every key the type requires must be a JSON string (§5.2); unknown keys
// (MessageAttributes, ...) are ignored. `Subject: null` counts as absent. Errors name the key.
Result<SnsMessage> ParseSnsMessage(std::string_view body);

// The string to sign of §5.3 for `message`'s type.
std::string SnsStringToSign(const SnsMessage& message);

}  // namespace trailwatch::sources
