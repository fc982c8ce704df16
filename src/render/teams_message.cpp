// Teams Workflows webhook body: a `message` with one Adaptive Card 1.4 attachment (formats.md
// §7.4): TextBlock title, FactSet with the same facts as the Slack message, a subtle context
// line, and an Action.OpenUrl to the CloudTrail console.
//
// Teams does not expand Slack :shortcodes:, so the title uses the Unicode emoji. Values are cut
// to 500 characters each so a card stays far below the 28 KB message limit even with a 10 KB
// user agent or user name.
#include "render/display_text.h"
#include "render/json_writer.h"
#include "render/renderers.h"

namespace trailwatch::render {

namespace {

constexpr size_t kValueMax = 500;
constexpr size_t kTitleMax = 200;

std::string SeverityTag(alerts::Severity severity) {
  std::string tag = alerts::SeverityName(severity);
  for (char& c : tag) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "[" + tag + "]";
}

void Fact(JsonWriter& json, std::string_view title, const std::string& value) {
  json.BeginObject()
      .Member("title", title)
      .Member("value", TruncateText(SingleLine(value.empty() ? "unknown" : value), kValueMax))
      .EndObject();
}

}  // namespace

std::string RenderTeamsMessage(const AlertView& view) {
  JsonWriter json;
  json.BeginObject().Member("type", "message").Key("attachments").BeginArray();
  json.BeginObject()
      .Member("contentType", "application/vnd.microsoft.card.adaptive")
      .Key("contentUrl")
      .Null()
      .Key("content")
      .BeginObject()
      .Member("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
      .Member("type", "AdaptiveCard")
      .Member("version", "1.4");

  json.Key("body").BeginArray();
  json.BeginObject()
      .Member("type", "TextBlock")
      .Member("size", "Large")
      .Member("weight", "Bolder")
      .Member("text", TruncateText(SingleLine(view.emoji_text + " " + SeverityTag(view.severity) +
                                              " " + view.title),
                                   kTitleMax))
      .MemberBool("wrap", true)
      .EndObject();

  json.BeginObject().Member("type", "FactSet").Key("facts").BeginArray();
  std::string account = view.account_id;
  if (!view.account_alias.empty()) account += " (" + view.account_alias + ")";
  Fact(json, "Account", account);
  Fact(json, "Region", view.region);
  std::string identity = view.identity;
  if (!view.identity_type.empty()) identity += " (" + view.identity_type + ")";
  Fact(json, "Identity", identity);
  Fact(json, "Source IP", view.source_ip);
  Fact(json, "User agent", view.user_agent_short);
  if (!view.mfa_used.empty()) {
    std::string mfa = view.mfa_used;
    mfa[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(mfa[0])));
    Fact(json, "MFA used", mfa);
  }
  std::string result = view.result;
  if (!view.error_message.empty()) result += " \xE2\x80\x94 " + view.error_message;
  Fact(json, "Result", result);
  Fact(json, "Time (UTC)", view.event_time);
  std::string event = view.event_name;
  if (!view.event_source.empty()) event += " \xC2\xB7 " + view.event_source;
  Fact(json, "Event", event);
  json.EndArray().EndObject();

  json.BeginObject()
      .Member("type", "TextBlock")
      .Member("text",
              TruncateText(SingleLine("rule " + view.rule + " \xC2\xB7 event " + view.event_id),
                           kValueMax))
      .MemberBool("isSubtle", true)
      .Member("size", "Small")
      .MemberBool("wrap", true)
      .EndObject();
  json.EndArray();  // body

  json.Key("actions").BeginArray();
  if (!view.console_url.empty()) {
    json.BeginObject()
        .Member("type", "Action.OpenUrl")
        .Member("title", "Open in CloudTrail")
        .Member("url", view.console_url)
        .EndObject();
  }
  json.EndArray();

  json.EndObject();  // content
  json.EndObject();  // attachment
  json.EndArray().EndObject();
  return json.Take();
}

}  // namespace trailwatch::render
