// Record → EventBridge envelope (see envelope.h; mapping from docs/reference/formats.md §3.2–3.4).
#include "envelope/envelope.h"

#include <optional>
#include <utility>

#include "cloudtrail/event_time.h"
#include "common/json_string.h"
#include "cloudtrail/uuid.h"

namespace trailwatch::envelope {
namespace {

namespace od = simdjson::ondemand;
using cloudtrail::FormatEventTime;
using cloudtrail::kEnvelopeIdNamespace;
using cloudtrail::ParseEventTime;
using cloudtrail::UuidV5;

constexpr std::string_view kApiCallDetailType = "AWS API Call via CloudTrail";

struct DetailTypeEntry {
  std::string_view event_type;
  std::string_view detail_type;
};

// docs/reference/formats.md §3.2. "AwsConsoleSignIn" is the spelling real events carry, and the
// sign-in detail-type is "Sign In" (not the EventBridge docs' "Signin"): real events and public
// rules use it. Older CloudTrail docs spell the eventType "AwsConsoleSignin" (covered by the
// case-insensitive compare) or "ConsoleSignin" (§1.3), hence the alias. Network activity events
// (eventType "AwsVpceEvent", eventCategory "NetworkActivity") are not sent to EventBridge by AWS at
// all; they reach trailwatch only from log files. They get trailwatch's own detail-type, named like
// the others, so that rules written for API calls never fire on a VPC endpoint's record of a call
// (docs/reference/formats.md §3.2).
constexpr DetailTypeEntry kDetailTypes[] = {
    {"AwsApiCall", kApiCallDetailType},
    {"AwsConsoleSignIn", "AWS Console Sign In via CloudTrail"},
    {"ConsoleSignin", "AWS Console Sign In via CloudTrail"},
    {"AwsConsoleAction", "AWS Console Action via CloudTrail"},
    {"AwsServiceEvent", "AWS Service Event via CloudTrail"},
    {"AwsCloudTrailInsight", "AWS Insight via CloudTrail"},
    {"AwsVpceEvent", "AWS VPC Endpoint Event via CloudTrail"},
};

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view TrimJsonWhitespace(std::string_view text) {
  const auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_ws(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ws(text.back())) text.remove_suffix(1);
  return text;
}

Error JsonError(simdjson::error_code error) {
  return Error{std::string("record is not valid JSON: ") + simdjson::error_message(error)};
}

// Reads an optional string field: absent stays nullopt, JSON null is treated as absent, any other
// non-string type is an error naming the field. The view points into the parser's string buffer.
Status ReadOptionalString(od::value value, std::string_view name,
                          std::optional<std::string_view>* out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error);
  if (type == od::json_type::null) {
    out->reset();
    return Status::Ok();
  }
  std::string_view text;
  if (type != od::json_type::string || value.get_string().get(text)) {
    return Error{"record field \"" + std::string(name) + "\" is not a string"};
  }
  *out = text;
  return Status::Ok();
}

// userIdentity.accountId if userIdentity is an object holding a string accountId; other shapes
// are left alone (userIdentity is an open set of types, §1.3, and only a fallback here).
Status ReadIdentityAccount(od::value value, std::optional<std::string_view>* out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error);
  if (type != od::json_type::object) return Status::Ok();
  od::object identity;
  if (auto error = value.get_object().get(identity)) return JsonError(error);
  for (auto field_result : identity) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return JsonError(error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return JsonError(error);
    if (key != "accountId") continue;
    std::string_view text;
    if (!field.value().get_string().get(text)) *out = text;
  }
  return Status::Ok();
}

// The envelope time for an eventTime. Text already in the envelope's form is copied as is — it is
// exactly what FormatEventTime would print (a leap second "60" is the exception: it rolls over) —
// which keeps snprintf off scan's per-record path. False when the text is not an RFC 3339 time.
bool AssignEventTime(std::string_view text, std::string* out) {
  const auto parsed = ParseEventTime(text);
  if (!parsed) return false;
  if (text.size() == 20 && text[10] == 'T' && text[19] == 'Z' && text[17] != '6') {
    out->assign(text);
    return true;
  }
  std::optional<std::string> formatted = FormatEventTime(*parsed);
  if (!formatted) return false;
  *out = std::move(*formatted);
  return true;
}

// SourceForEventSource into an existing string.
void AssignSource(std::string_view event_source, std::span<const SourceOverride> overrides,
                  std::string* out) {
  for (const auto& entry : overrides) {
    if (entry.event_source == event_source) {
      out->assign(entry.source);
      return;
    }
  }
  constexpr std::string_view kSuffix = ".amazonaws.com";
  std::string_view service = event_source;
  if (service.size() > kSuffix.size() && service.ends_with(kSuffix)) {
    service.remove_suffix(kSuffix.size());
  }
  out->assign("aws.");
  out->append(service);
}

}  // namespace

std::string_view DetailTypeForEventType(std::string_view event_type) {
  for (const auto& entry : kDetailTypes) {
    if (EqualsIgnoringAsciiCase(event_type, entry.event_type)) return entry.detail_type;
  }
  return {};
}

std::string SourceForEventSource(std::string_view event_source,
                                 std::span<const SourceOverride> overrides) {
  std::string source;
  AssignSource(event_source, overrides, &source);
  return source;
}

Status FillEnvelopeHeader(const RecordHeaderFields& fields, std::string_view record_text,
                          std::string_view key_account, bool with_id,
                          const EnvelopeOptions& options, Envelope* envelope) {
  // Required fields: present in every record since eventVersion 1.0 (§1.3).
  if (!fields.event_source) return Error{"record has no \"eventSource\""};
  if (!fields.event_time) return Error{"record has no \"eventTime\""};
  if (!fields.region) return Error{"record has no \"awsRegion\""};

  // §3.4: recipientAccountId, else the key's account, else userIdentity.accountId.
  if (fields.recipient_account && !fields.recipient_account->empty()) {
    envelope->account.assign(*fields.recipient_account);
  } else if (!key_account.empty()) {
    envelope->account.assign(key_account);
  } else if (fields.identity_account && !fields.identity_account->empty()) {
    envelope->account.assign(*fields.identity_account);
  } else {
    return Error{
        "record has no account: no \"recipientAccountId\", no account in the file's key and no "
        "\"userIdentity.accountId\""};
  }

  if (!AssignEventTime(*fields.event_time, &envelope->time)) {
    return Error{"record field \"eventTime\" is not an RFC 3339 time: \"" +
                 std::string(*fields.event_time) + "\""};
  }

  const std::string_view detail_type =
      fields.event_type ? DetailTypeForEventType(*fields.event_type) : std::string_view{};
  envelope->event_type_unknown = detail_type.empty();
  envelope->detail_type.assign(detail_type.empty() ? kApiCallDetailType : detail_type);

  envelope->id_from_record_text = !fields.event_id.has_value();
  envelope->event_id.assign(fields.event_id ? *fields.event_id : std::string_view{});
  if (with_id) {  // a SHA-1 per record: skipped when no rule reads "id" (scan's hot path)
    auto id = UuidV5(kEnvelopeIdNamespace, fields.event_id ? *fields.event_id : record_text);
    if (!id.ok()) return id.error();
    envelope->id = id->ToString();
  } else {
    envelope->id.clear();
  }
  AssignSource(*fields.event_source, options.source_overrides, &envelope->source);
  envelope->region.assign(*fields.region);
  return Status::Ok();
}

Result<Envelope> EnvelopeBuilder::Build(std::string_view record, std::string_view key_account) {
  scratch_.assign(record);
  scratch_.resize(record.size() + simdjson::SIMDJSON_PADDING);
  return Build(simdjson::padded_string_view(scratch_.data(), record.size(), scratch_.size()),
               key_account);
}

Result<Envelope> EnvelopeBuilder::Build(simdjson::padded_string_view record,
                                        std::string_view key_account) {
  Result<Envelope> built = BuildHeader(record, key_account, /*with_id=*/true);
  if (!built.ok()) return built;
  Envelope& envelope = *built;
  const std::string_view detail = TrimJsonWhitespace(record);
  std::string& out = envelope.json;
  out.reserve(detail.size() + 256);
  out.append(R"({"version":"0","id":)");
  AppendJsonString(out, envelope.id);
  out.append(R"(,"detail-type":)");
  AppendJsonString(out, envelope.detail_type);
  out.append(R"(,"source":)");
  AppendJsonString(out, envelope.source);
  out.append(R"(,"account":)");
  AppendJsonString(out, envelope.account);
  out.append(R"(,"time":)");
  AppendJsonString(out, envelope.time);
  out.append(R"(,"region":)");
  AppendJsonString(out, envelope.region);
  out.append(R"(,"resources":[],"detail":)");
  out.append(detail);
  out.push_back('}');
  return built;
}

Result<Envelope> EnvelopeBuilder::BuildHeader(simdjson::padded_string_view record,
                                              std::string_view key_account, bool with_id) {
  const std::string_view detail = TrimJsonWhitespace(record);
  od::document doc;
  if (auto error = parser_.iterate(record).get(doc)) return JsonError(error);
  od::object object;
  if (auto error = doc.get_object().get(object)) {
    if (error == simdjson::INCORRECT_TYPE) return Error{"record is not a JSON object"};
    return JsonError(error);
  }

  RecordHeaderFields fields;
  // One pass over the top-level fields; the field order of records is not fixed.
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return JsonError(error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return JsonError(error);
    Status status;
    if (key == "eventID") {
      status = ReadOptionalString(field.value(), key, &fields.event_id);
    } else if (key == "eventType") {
      status = ReadOptionalString(field.value(), key, &fields.event_type);
    } else if (key == "eventSource") {
      status = ReadOptionalString(field.value(), key, &fields.event_source);
    } else if (key == "eventTime") {
      status = ReadOptionalString(field.value(), key, &fields.event_time);
    } else if (key == "awsRegion") {
      status = ReadOptionalString(field.value(), key, &fields.region);
    } else if (key == "recipientAccountId") {
      status = ReadOptionalString(field.value(), key, &fields.recipient_account);
    } else if (key == "userIdentity") {
      status = ReadIdentityAccount(field.value(), &fields.identity_account);
    }
    if (!status.ok()) return Error{status.message()};
  }
  // current_location() is OUT_OF_BOUNDS exactly when no structural token follows the object.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) {
    return Error{"record has trailing content after its closing brace"};
  }

  Envelope envelope;
  if (Status filled = FillEnvelopeHeader(fields, detail, key_account, with_id, options_, &envelope);
      !filled.ok()) {
    return Error{filled.message()};
  }
  return envelope;
}

Result<Envelope> BuildEnvelope(std::string_view record, std::string_view key_account) {
  EnvelopeBuilder builder;
  return builder.Build(record, key_account);
}

}  // namespace trailwatch::envelope
