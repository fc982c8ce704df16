#include "sources/sns_message.h"

#include <simdjson.h>

#include <utility>

namespace trailwatch::sources {
namespace {

// Reads a required string member; `what` names the key in the error.
Result<std::string> RequiredString(simdjson::dom::object object, const char* key) {
  simdjson::dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) {
    return Error{std::string("SNS message: missing \"") + key + "\""};
  }
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    return Error{std::string("SNS message: \"") + key + "\" is not a string"};
  }
  return std::string(text);
}

void AppendField(std::string& out, std::string_view key, std::string_view value) {
  out.append(key);
  out.push_back('\n');
  out.append(value);
  out.push_back('\n');
}

}  // namespace

const char* SnsMessageTypeName(SnsMessageType type) {
  switch (type) {
    case SnsMessageType::kSubscriptionConfirmation:
      return "SubscriptionConfirmation";
    case SnsMessageType::kNotification:
      return "Notification";
    case SnsMessageType::kUnsubscribeConfirmation:
      return "UnsubscribeConfirmation";
  }
  return "Notification";
}

std::optional<SnsMessageType> ParseSnsMessageType(std::string_view text) {
  if (text == "SubscriptionConfirmation") return SnsMessageType::kSubscriptionConfirmation;
  if (text == "Notification") return SnsMessageType::kNotification;
  if (text == "UnsubscribeConfirmation") return SnsMessageType::kUnsubscribeConfirmation;
  return std::nullopt;
}

Result<SnsMessage> ParseSnsMessage(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    return Error{std::string("SNS message: not JSON (") + simdjson::error_message(error) + ")"};
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Error{"SNS message: not a JSON object"};
  }

  auto type_text = RequiredString(object, "Type");
  if (!type_text.ok()) return type_text.error();
  auto type = ParseSnsMessageType(*type_text);
  if (!type) return Error{"SNS message: unknown \"Type\" \"" + type_text->substr(0, 64) + "\""};

  SnsMessage message;
  message.type = *type;
  const bool confirmation = *type != SnsMessageType::kNotification;
  struct Member {
    const char* key;
    std::string* field;
    bool required;
  };
  const Member members[] = {
      {"MessageId", &message.message_id, true},
      {"TopicArn", &message.topic_arn, true},
      {"Message", &message.message, true},
      {"Timestamp", &message.timestamp, true},
      {"SignatureVersion", &message.signature_version, true},
      {"Signature", &message.signature, true},
      {"SigningCertURL", &message.signing_cert_url, true},
      {"Token", &message.token, confirmation},
      {"SubscribeURL", &message.subscribe_url, confirmation},
  };
  for (const Member& member : members) {
    if (!member.required) continue;
    auto value = RequiredString(object, member.key);
    if (!value.ok()) return value.error();
    *member.field = std::move(*value);
  }
  if (!confirmation) {
    simdjson::dom::element subject;
    if (object.at_key("Subject").get(subject) == simdjson::SUCCESS && !subject.is_null()) {
      std::string_view text;
      if (subject.get_string().get(text) != simdjson::SUCCESS) {
        return Error{"SNS message: \"Subject\" is not a string"};
      }
      message.subject = std::string(text);
    }
    std::string_view unsubscribe;
    if (object.at_key("UnsubscribeURL").get_string().get(unsubscribe) == simdjson::SUCCESS) {
      message.unsubscribe_url = std::string(unsubscribe);
    }
  }
  return message;
}

std::string SnsStringToSign(const SnsMessage& message) {
  // Keys in byte order, as §5.3 lists them per type.
  std::string out;
  out.reserve(message.message.size() + 512);
  AppendField(out, "Message", message.message);
  AppendField(out, "MessageId", message.message_id);
  if (message.type == SnsMessageType::kNotification) {
    if (message.subject) AppendField(out, "Subject", *message.subject);
    AppendField(out, "Timestamp", message.timestamp);
    AppendField(out, "TopicArn", message.topic_arn);
  } else {
    AppendField(out, "SubscribeURL", message.subscribe_url);
    AppendField(out, "Timestamp", message.timestamp);
    AppendField(out, "Token", message.token);
    AppendField(out, "TopicArn", message.topic_arn);
  }
  AppendField(out, "Type", SnsMessageTypeName(message.type));
  return out;
}

}  // namespace trailwatch::sources
