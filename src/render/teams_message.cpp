// Teams Workflows webhook body: a `message` with one Adaptive Card 1.4 attachment
// (docs/reference/formats.md §7.4): a title, the same facts as the Slack message (one two-column
// row each), a subtle context line, and an Action.OpenUrl to the CloudTrail console.
//
// Event content is attacker-controlled (user names of failed sign-ins, user agents, error
// messages), and Adaptive Cards run TextBlock text and FactSet titles/values through a Markdown
// subset — bold, italic, lists and [links](url) (Microsoft Learn, "Adaptive Cards: Text features";
// Teams: "Markdown is supported in Adaptive Card TextBlock field, and Fact.Title and Fact.Value").
// Backslash escapes are rendered inconsistently across Teams clients (AdaptiveCards issues #5590,
// #5758), so nothing here relies on escaping: every text is a TextRun inside a RichTextBlock, which
// Adaptive Cards never parse as Markdown ("RichTextBlock does not support Markdown", same page;
// RichTextBlock needs card version 1.2, Teams renders 1.4). A FactSet cannot hold RichTextBlocks,
// so each fact is a ColumnSet row (title column weight 1, value column weight 3).
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

// A RichTextBlock with one TextRun: the text is shown as it is, never as Markdown. `style` adds
// TextRun members (already JSON members, without braces).
void PlainText(JsonWriter& json, const std::string& text, std::string_view style = "") {
  json.BeginObject().Member("type", "RichTextBlock").Key("inlines").BeginArray();
  json.BeginObject().Member("type", "TextRun").Member("text", text);
  if (!style.empty()) json.Raw(style);
  json.EndObject();
  json.EndArray().EndObject();
}

void Fact(JsonWriter& json, std::string_view title, const std::string& value) {
  json.BeginObject().Member("type", "ColumnSet").Key("columns").BeginArray();
  json.BeginObject().Member("type", "Column").Key("width").Int(1).Key("items").BeginArray();
  PlainText(json, std::string(title), R"("weight":"Bolder")");
  json.EndArray().EndObject();
  json.BeginObject().Member("type", "Column").Key("width").Int(3).Key("items").BeginArray();
  PlainText(json, TruncateText(SingleLine(value.empty() ? "unknown" : value), kValueMax));
  json.EndArray().EndObject();
  json.EndArray().EndObject();
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
  PlainText(json,
            TruncateText(
                SingleLine(view.emoji_text + " " + SeverityTag(view.severity) + " " + view.title),
                kTitleMax),
            R"("size":"Large","weight":"Bolder")");

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

  PlainText(
      json,
      TruncateText(SingleLine(RulesText(view.rules.empty() ? std::vector<std::string>{view.rule}
                                                           : view.rules,
                                        "") +
                              " \xC2\xB7 event " + view.event_id),
                   kValueMax),
      R"("isSubtle":true,"size":"Small")");
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
