// MakeAlertView: reads the envelope once (simdjson DOM: alerts are few and every field is read)
// and normalises sign-in records as docs/reference/formats.md §2.2 recommends.
#include "render/alert_view.h"

#include <algorithm>

#include <simdjson.h>

#include <cctype>
#include <string_view>

#include "cloudtrail/event_time.h"
#include "render/display_text.h"

namespace trailwatch::render {

namespace {

using simdjson::dom::element;

std::string_view StringAt(element root, std::string_view pointer) {
  std::string_view value;
  if (root.at_pointer(pointer).get_string().get(value) != simdjson::SUCCESS) return {};
  return value;
}

bool Has(element root, std::string_view pointer) {
  element value;
  return root.at_pointer(pointer).get(value) == simdjson::SUCCESS && !value.is_null();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct EmojiPair {
  const char* shortcode;
  const char* text;
};

EmojiPair SeverityEmoji(route::Severity severity) {
  // docs/reference/formats.md §7.6: 💥 CRITICAL / 🚨 HIGH / ⚠️ MEDIUM / ℹ️ LOW / 📢 INFO.
  switch (severity) {
    case route::Severity::kCritical:
      return {":boom:", "\xF0\x9F\x92\xA5"};
    case route::Severity::kHigh:
      return {":rotating_light:", "\xF0\x9F\x9A\xA8"};
    case route::Severity::kMedium:
      return {":warning:", "\xE2\x9A\xA0\xEF\xB8\x8F"};
    case route::Severity::kLow:
      return {":information_source:", "\xE2\x84\xB9\xEF\xB8\x8F"};
    case route::Severity::kInfo:
      return {":loudspeaker:", "\xF0\x9F\x93\xA2"};
  }
  return {":rotating_light:", "\xF0\x9F\x9A\xA8"};
}

bool IsRegion(std::string_view region) {
  if (region.empty() || region.size() > 32) return false;
  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::string ShortenUserAgent(std::string_view user_agent, size_t max_chars) {
  // Count code points, never cut inside a UTF-8 sequence.
  size_t count = 0;
  size_t cut = user_agent.size();
  for (size_t i = 0; i < user_agent.size(); ++i) {
    if ((static_cast<unsigned char>(user_agent[i]) & 0xC0) == 0x80) continue;
    if (count == max_chars) {
      cut = i;
      break;
    }
    ++count;
  }
  if (cut == user_agent.size()) return std::string(user_agent);
  // Leave room for the ellipsis, then prefer the last space in the second half of the text.
  std::string_view head = user_agent.substr(0, cut);
  size_t last = head.size();
  do {
    --last;
  } while (last > 0 && (static_cast<unsigned char>(head[last]) & 0xC0) == 0x80);
  head = head.substr(0, last);
  size_t space = head.rfind(' ');
  if (space != std::string_view::npos && space >= head.size() / 2) head = head.substr(0, space);
  while (!head.empty() && (head.back() == ' ' || head.back() == ';' || head.back() == ',')) {
    head.remove_suffix(1);
  }
  std::string out(head);
  out.append(kEllipsis);
  return out;
}

std::string CloudTrailEventUrl(std::string_view region, std::string_view event_id) {
  // AWS does not document deep links into the console. This is the Event history detail route the
  // CloudTrail console itself uses (docs/reference/formats.md §7.6; the same form is built by
  // open-source alerting tools, e.g. generateLink() in several CloudTrail-to-Slack forwarders). It
  // only works in the account and region that recorded the event, for 90 days.
  if (!IsRegion(region) || event_id.empty() || event_id.size() > 128) return {};
  std::string url = "https://";
  url.append(region).append(".console.aws.amazon.com/cloudtrailv2/home?region=");
  url.append(region).append("#/events/");
  static const char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : event_id) {  // event ids are UUIDs; encode anything else
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      url.push_back(static_cast<char>(c));
    } else {
      url.push_back('%');
      url.push_back(kHex[c >> 4]);
      url.push_back(kHex[c & 15]);
    }
  }
  return url;
}

std::string SeverityTag(route::Severity severity) {
  std::string tag = route::SeverityName(severity);
  for (char& c : tag) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "[" + tag + "]";
}

std::string RulesText(const std::vector<std::string>& rules, std::string_view quote) {
  std::string text = rules.size() > 1 ? "rules " : "rule ";
  size_t shown = std::min(rules.size(), kMaxRulesShown);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) text.append(", ");
    text.append(quote).append(rules[i]).append(quote);
  }
  if (shown < rules.size()) {
    text.append(" and ").append(std::to_string(rules.size() - shown)).append(" more");
  }
  return text;
}

Result<AlertView> MakeAlertView(const route::Alert& alert,
                                const std::map<std::string, std::string>& account_aliases) {
  simdjson::dom::parser parser;
  element envelope;
  if (auto error = parser.parse(alert.envelope.json).get(envelope)) {
    return Error{"alert for rule \"" + alert.rule + "\": the event is not JSON (" +
                 simdjson::error_message(error) + ")"};
  }
  if (!envelope.is_object()) {
    return Error{"alert for rule \"" + alert.rule + "\": the event is not a JSON object"};
  }
  // An envelope carries the record in `detail`; a bare CloudTrail record is accepted too.
  element detail = envelope;
  element inner;
  if (envelope.at_key("detail").get(inner) == simdjson::SUCCESS && inner.is_object()) {
    detail = inner;
  }

  AlertView view;
  view.rule = alert.rule;
  view.rules = alert.Rules();
  view.severity = alert.severity;
  view.event_name = StringAt(detail, "/eventName");
  view.event_source = StringAt(detail, "/eventSource");

  view.account_id = StringAt(detail, "/recipientAccountId");
  if (view.account_id.empty()) view.account_id = StringAt(envelope, "/account");
  if (view.account_id.empty()) view.account_id = StringAt(detail, "/userIdentity/accountId");
  if (auto it = account_aliases.find(view.account_id); it != account_aliases.end()) {
    view.account_alias = it->second;
  }
  view.region = StringAt(detail, "/awsRegion");
  if (view.region.empty()) view.region = StringAt(envelope, "/region");

  // Principal (docs/reference/formats.md §2.2): ARN, else user/<userName>, else the principal id.
  view.identity_type = StringAt(detail, "/userIdentity/type");
  view.identity = StringAt(detail, "/userIdentity/arn");
  if (view.identity.empty()) {
    std::string_view user_name = StringAt(detail, "/userIdentity/userName");
    if (!user_name.empty()) view.identity = "user/" + std::string(user_name);
  }
  if (view.identity.empty()) view.identity = StringAt(detail, "/userIdentity/principalId");
  if (view.identity.empty()) view.identity = StringAt(detail, "/userIdentity/invokedBy");
  if (view.identity.empty()) view.identity = "unknown identity";

  view.source_ip = StringAt(detail, "/sourceIPAddress");
  view.user_agent = StringAt(detail, "/userAgent");
  view.user_agent_short = ShortenUserAgent(view.user_agent);
  view.error_message = StringAt(detail, "/errorMessage");

  bool console_login = view.event_name == "ConsoleLogin";
  bool root = view.identity_type == "Root";
  view.sign_in = view.event_source == "signin.amazonaws.com";

  // Result: ConsoleLogin's own field (anything but "Success" is a failure, §2.2); otherwise the
  // errorCode, a sign-in event's responseElements.<eventName>, or success when nothing failed.
  std::string_view error_code = StringAt(detail, "/errorCode");
  if (console_login) {
    view.result =
        StringAt(detail, "/responseElements/ConsoleLogin") == "Success" ? "Success" : "Failure";
  } else if (!error_code.empty()) {
    view.result = error_code;
  } else if (!view.error_message.empty()) {
    view.result = "Failure";
  } else if (view.sign_in && !view.event_name.empty() &&
             !StringAt(detail, "/responseElements/" + view.event_name).empty()) {
    view.result = StringAt(detail, "/responseElements/" + view.event_name);
  } else if (!view.event_name.empty()) {
    view.result = "Success";
  }
  bool success = view.result == "Success";

  // MFA (docs/reference/formats.md §2.2): case-insensitive ("YES" in AWS's own root example), a
  // missing value is "unknown" unless an MFA device is named — never "no".
  if (view.sign_in) {
    std::string mfa = Lower(StringAt(detail, "/additionalEventData/MFAUsed"));
    if (mfa == "yes") {
      view.mfa_used = "yes";
    } else if (mfa == "no") {
      view.mfa_used = "no";
    } else if (Has(detail, "/additionalEventData/MFAIdentifier")) {
      view.mfa_used = "yes";
    } else {
      view.mfa_used = "unknown";
    }
  }

  if (console_login && root) {
    view.title = success ? "Root user signed in to the AWS console" : "Root sign-in failed";
  } else if (console_login && success && view.mfa_used == "no") {
    view.title = "Console sign-in without MFA";
  } else if (console_login && success) {
    view.title = "Console sign-in by " + view.identity;
  } else if (console_login) {
    view.title = "Console sign-in failed for " + view.identity;
  } else {
    view.title =
        (view.event_name.empty() ? std::string("Event") : view.event_name) + " by " + view.identity;
  }

  EmojiPair emoji = SeverityEmoji(alert.severity);
  if (console_login && !success && alert.severity < route::Severity::kHigh) {
    emoji = {":no_entry:", "\xE2\x9B\x94"};  // a refused sign-in, not (yet) a breach
  }
  if (alert.test) {
    // send-test: the sample is a real-looking root sign-in; the title and emoji say it is not.
    view.title = "TEST: " + view.title + " (sample from trailwatch send-test)";
    emoji = {":test_tube:", "\xF0\x9F\xA7\xAA"};
  }
  view.emoji = emoji.shortcode;
  view.emoji_text = emoji.text;

  view.event_id = alert.envelope.DedupKey();
  if (view.event_id.empty()) view.event_id = StringAt(detail, "/eventID");
  if (view.event_id.empty()) view.event_id = StringAt(envelope, "/id");
  view.event_time = StringAt(detail, "/eventTime");
  if (view.event_time.empty()) view.event_time = StringAt(envelope, "/time");
  if (auto time = cloudtrail::ParseEventTime(view.event_time)) {
    view.event_epoch = time->time_since_epoch().count();
  }
  view.console_url = CloudTrailEventUrl(view.region, view.event_id);
  return view;
}

}  // namespace trailwatch::render
