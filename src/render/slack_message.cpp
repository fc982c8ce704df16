// Slack Block Kit message for one alert (docs/reference/formats.md §7.3, §7.6).
//
// Layout: header (emoji + title), one section of up to 9 two-column fields, an actions block with
// the CloudTrail button, a context line. Four blocks, far below the 50-block limit.
// Limits: every field value is cut so that the section's fields together stay within 3000
// characters (the documented per-section text limit, applied to the fields too, and well under
// the ≈13k total at which Slack answers msg_blocks_too_long); the header within 150; the fallback
// text within 300. Every value from the event is mrkdwn-escaped (&, <, >) — user names of failed
// sign-ins and user agents are attacker-controlled.
#include <string>
#include <vector>

#include "render/display_text.h"
#include "render/json_writer.h"
#include "render/renderers.h"

namespace trailwatch::render {

namespace {

constexpr size_t kHeaderMax = 150;          // header block plain_text
constexpr size_t kFieldMax = 2000;          // each section field
constexpr size_t kSectionFieldsMax = 3000;  // our budget for all fields of one section
constexpr size_t kMaxFields = 10;           // fields per section
constexpr size_t kButtonTextMax = 75;
constexpr size_t kUrlMax = 3000;
constexpr size_t kContextMax = 2000;
constexpr size_t kFallbackMax = 300;  // documented 40,000; a notification line needs far less

struct Field {
  std::string label;   // our own words, not escaped
  std::string value;   // raw (from the event)
  std::string suffix;  // trusted mrkdwn appended after the escaped value (Slack date token)
};

std::string Capitalised(const std::string& text) {
  if (text.empty()) return text;
  std::string out = text;
  out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::vector<Field> Fields(const AlertView& view) {
  std::vector<Field> fields;
  std::string account = view.account_id.empty() ? "unknown" : view.account_id;
  if (!view.account_alias.empty()) account += " (" + view.account_alias + ")";
  fields.push_back({"Account", account, ""});
  fields.push_back({"Region", view.region.empty() ? "unknown" : view.region, ""});
  std::string identity = view.identity;
  if (!view.identity_type.empty()) identity += " (" + view.identity_type + ")";
  fields.push_back({"Identity", identity, ""});
  fields.push_back({"Source IP", view.source_ip.empty() ? "unknown" : view.source_ip, ""});
  fields.push_back(
      {"User agent", view.user_agent_short.empty() ? "unknown" : view.user_agent_short, ""});
  if (!view.mfa_used.empty()) fields.push_back({"MFA used", Capitalised(view.mfa_used), ""});
  std::string result = view.result.empty() ? "unknown" : view.result;
  if (!view.error_message.empty()) result += " \xE2\x80\x94 " + view.error_message;
  fields.push_back({"Result", result, ""});
  std::string local;
  if (view.event_epoch > 0) {
    // Slack renders <!date^…> in each reader's time zone; the text after | is the fallback.
    local = "\nlocal: <!date^" + std::to_string(view.event_epoch) + "^{date_short_pretty} {time}|" +
            EscapeSlack(view.event_time) + ">";
  }
  fields.push_back({"Time (UTC)", view.event_time.empty() ? "unknown" : view.event_time, local});
  std::string event = view.event_name.empty() ? "unknown" : view.event_name;
  if (!view.event_source.empty()) event += " \xC2\xB7 " + view.event_source;
  fields.push_back({"Event", event, ""});
  return fields;
}

}  // namespace

std::string RenderSlackMessage(const AlertView& view, const SlackRenderOptions& options) {
  std::vector<Field> fields = Fields(view);
  if (fields.size() > kMaxFields) fields.resize(kMaxFields);

  // Share the section budget evenly; the label, "*…*\n" and the suffix come out of each share.
  size_t share = std::min(kFieldMax, kSectionFieldsMax / fields.size());
  std::vector<std::string> field_texts;
  for (const Field& field : fields) {
    std::string head = "*" + field.label + "*\n";
    size_t fixed = TextLength(head) + TextLength(field.suffix);
    size_t room = share > fixed ? share - fixed : 1;
    field_texts.push_back(head + EscapeSlackTruncated(field.value, room) + field.suffix);
  }

  std::string fallback = SeverityTag(view.severity) + " " + view.title;
  if (!view.account_id.empty()) {
    fallback += " \xE2\x80\x94 account " + view.account_id;
    if (!view.account_alias.empty()) fallback += " (" + view.account_alias + ")";
  }
  if (options.repeat_count > 1) {
    fallback += " (seen " + std::to_string(options.repeat_count) + " times)";
  }

  // The severity is in the blocks too, not only in the notification text (which Slack shows in
  // notifications, not in the channel).
  // Every rule of a grouped alert (route/alert.h), the highest-severity one first.
  std::vector<std::string> rules;
  for (const std::string& rule : view.rules.empty() ? std::vector<std::string>{view.rule}
                                                     : view.rules) {
    rules.push_back(EscapeSlackTruncated(SingleLine(rule), 200));
  }
  std::string context = std::string("*") + route::SeverityName(view.severity) + "* \xC2\xB7 ";
  context.append(RulesText(rules, "`"))
      .append(" \xC2\xB7 event `")
      .append(EscapeSlackTruncated(view.event_id, 200))
      .append("`");
  if (options.repeat_count > 1) {
    context += " \xC2\xB7 seen " + std::to_string(options.repeat_count) + " times";
  }

  JsonWriter json;
  json.BeginObject();
  json.Member("text", EscapeSlackTruncated(SingleLine(fallback), kFallbackMax));
  json.Key("blocks").BeginArray();

  json.BeginObject()
      .Member("type", "header")
      .Key("text")
      .BeginObject()
      .Member("type", "plain_text")
      .Member("text", TruncateText(SingleLine(view.emoji + " " + view.title), kHeaderMax))
      .MemberBool("emoji", true)
      .EndObject()
      .EndObject();

  json.BeginObject().Member("type", "section").Key("fields").BeginArray();
  for (const std::string& text : field_texts) {
    json.BeginObject().Member("type", "mrkdwn").Member("text", text).EndObject();
  }
  json.EndArray().EndObject();

  if (!view.console_url.empty() && view.console_url.size() <= kUrlMax) {
    json.BeginObject().Member("type", "actions").Key("elements").BeginArray();
    json.BeginObject()
        .Member("type", "button")
        .Key("text")
        .BeginObject()
        .Member("type", "plain_text")
        .Member("text", TruncateText("Open in CloudTrail", kButtonTextMax))
        .EndObject()
        .Member("url", view.console_url)
        .Member("action_id", "open_cloudtrail")
        .EndObject();
    json.EndArray().EndObject();
  }

  json.BeginObject().Member("type", "context").Key("elements").BeginArray();
  json.BeginObject()
      .Member("type", "mrkdwn")
      .Member("text", TruncateText(context, kContextMax))
      .EndObject();
  json.EndArray().EndObject();

  json.EndArray();
  json.EndObject();
  return json.Take();
}

}  // namespace trailwatch::render
