#include "scan/match_row.h"

#include <optional>
#include <tuple>

#include "cloudtrail/event_time.h"

namespace trailwatch::scan {

namespace {

std::string_view StringAt(simdjson::dom::element element, std::string_view pointer) {
  std::string_view value;
  if (element.at_pointer(pointer).get_string().get(value)) return {};
  return value;
}

bool Has(simdjson::dom::element element, std::string_view pointer) {
  simdjson::dom::element found;
  return !element.at_pointer(pointer).get(found) && !found.is_null();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

bool RowBefore(const MatchRow& a, const MatchRow& b) {
  return std::tie(a.time, a.origin, a.input_index, a.record_index, a.rule) <
         std::tie(b.time, b.origin, b.input_index, b.record_index, b.rule);
}

void MatchRowReader::FillRecordFields(simdjson::dom::element record, MatchRow* row) {
  row->identity_type = StringAt(record, "/userIdentity/type");
  if (std::string_view arn = StringAt(record, "/userIdentity/arn"); !arn.empty()) {
    row->identity = arn;
  } else if (std::string_view user = StringAt(record, "/userIdentity/userName"); !user.empty()) {
    row->identity = "user/" + std::string(user);
  } else {
    row->identity = StringAt(record, "/userIdentity/principalId");
  }
  row->event_name = StringAt(record, "/eventName");

  simdjson::dom::element console_login;
  if (!record.at_pointer("/responseElements/ConsoleLogin").get(console_login) &&
      !console_login.is_null()) {
    std::string_view value;
    row->result =
        !console_login.get_string().get(value) && value == "Success" ? "Success" : "Failure";
  } else if (std::string_view code = StringAt(record, "/errorCode"); !code.empty()) {
    row->result = code;
  } else {
    row->result = "Success";
  }

  std::string mfa = Lower(StringAt(record, "/additionalEventData/MFAUsed"));
  if (mfa == "yes" || mfa == "no") {
    row->mfa_used = mfa;
  } else if (Has(record, "/additionalEventData/MFAIdentifier")) {
    row->mfa_used = "yes";
  } else {
    std::string authenticated =
        Lower(StringAt(record, "/userIdentity/sessionContext/attributes/mfaAuthenticated"));
    row->mfa_used = authenticated == "true" ? "yes" : authenticated == "false" ? "no" : "unknown";
  }

  row->source_ip = StringAt(record, "/sourceIPAddress");
  row->user_agent = StringAt(record, "/userAgent");
  row->event_id = StringAt(record, "/eventID");
}

Status MatchRowReader::FillFromRecord(std::string_view record_json, MatchRow* row) {
  simdjson::dom::element record;
  if (auto error = parser_.parse(record_json.data(), record_json.size()).get(record)) {
    return Error{std::string("record is not valid JSON: ") + simdjson::error_message(error)};
  }
  FillRecordFields(record, row);
  return Status::Ok();
}

Status MatchRowReader::FillFromEvent(std::string_view event_json, MatchRow* row) {
  simdjson::dom::element event;
  if (auto error = parser_.parse(event_json.data(), event_json.size()).get(event)) {
    return Error{std::string("event is not valid JSON: ") + simdjson::error_message(error)};
  }
  std::string_view time = StringAt(event, "/time");
  auto parsed = cloudtrail::ParseEventTime(time);
  auto formatted = parsed ? cloudtrail::FormatEventTime(*parsed) : std::nullopt;
  row->time = formatted ? *formatted : std::string(time);
  row->account = StringAt(event, "/account");
  row->region = StringAt(event, "/region");
  simdjson::dom::element detail;
  if (!event["detail"].get(detail)) FillRecordFields(detail, row);
  return Status::Ok();
}

Result<EventHeader> MatchRowReader::ReadEventHeader(std::string_view event_json) {
  simdjson::dom::element event;
  if (auto error = parser_.parse(event_json.data(), event_json.size()).get(event)) {
    return Error{std::string("event is not valid JSON: ") + simdjson::error_message(error)};
  }
  EventHeader header;
  std::string_view time = StringAt(event, "/time");
  auto parsed = cloudtrail::ParseEventTime(time);
  if (!parsed) return Error{"event has no RFC 3339 \"time\""};
  auto formatted = cloudtrail::FormatEventTime(*parsed);
  if (!formatted) return Error{"event \"time\" is out of range"};
  header.time = *formatted;
  header.account = StringAt(event, "/account");
  header.region = StringAt(event, "/region");
  return header;
}

Result<envelope::RecordHeaderFields> MatchRowReader::ReadHeaderFields(
    std::string_view record_json) {
  simdjson::dom::element record;
  if (auto error = parser_.parse(record_json.data(), record_json.size()).get(record)) {
    return Error{std::string("record is not valid JSON: ") + simdjson::error_message(error)};
  }
  simdjson::dom::object object;
  if (record.get_object().get(object)) return Error{"record is not a JSON object"};
  envelope::RecordHeaderFields fields;
  for (simdjson::dom::key_value_pair field : object) {
    std::optional<std::string_view>* out = nullptr;
    if (field.key == "eventID") {
      out = &fields.event_id;
    } else if (field.key == "eventType") {
      out = &fields.event_type;
    } else if (field.key == "eventSource") {
      out = &fields.event_source;
    } else if (field.key == "eventTime") {
      out = &fields.event_time;
    } else if (field.key == "awsRegion") {
      out = &fields.region;
    } else if (field.key == "recipientAccountId") {
      out = &fields.recipient_account;
    } else if (field.key == "userIdentity") {
      simdjson::dom::object identity;
      if (field.value.get_object().get(identity)) continue;
      for (simdjson::dom::key_value_pair member : identity) {
        std::string_view account;
        if (member.key == "accountId" && !member.value.get_string().get(account)) {
          fields.identity_account = account;
        }
      }
      continue;
    } else {
      continue;
    }
    std::string_view text;
    if (field.value.is_null()) {
      out->reset();
    } else if (!field.value.get_string().get(text)) {
      *out = text;
    } else {
      return Error{"record field \"" + std::string(field.key) + "\" is not a string"};
    }
  }
  return fields;
}

}  // namespace trailwatch::scan
