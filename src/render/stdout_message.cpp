// The stdout target's text: a few aligned lines for a person at a terminal, one JSON object per
// line for pipes and log collectors.
//
// Terminal lines pass every event value through PrintableLine: a user name holding ESC sequences
// must not be able to rewrite the operator's screen. The JSON line embeds the envelope minified
// (simdjson::minify only drops whitespace outside strings, so the event's bytes are kept).
#include <simdjson.h>

#include <memory>

#include "render/display_text.h"
#include "render/json_writer.h"
#include "render/renderers.h"

namespace trailwatch::render {

namespace {

std::string Upper(const char* text) {
  std::string out = text;
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void Line(std::string& out, const char* label, const std::string& value) {
  if (value.empty()) return;
  out.append("  ");
  out.append(label);
  for (size_t n = std::string_view(label).size(); n < 11; ++n) out.push_back(' ');
  out.append(PrintableLine(value));
  out.push_back('\n');
}

// The envelope as one line of JSON; "null" if it is not JSON (MakeAlertView rejects that anyway).
std::string MinifiedEvent(const std::string& event_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(event_json).get(element) != simdjson::SUCCESS) return "null";
  auto buffer = std::make_unique<char[]>(event_json.size() + 1);
  size_t length = 0;
  if (simdjson::minify(event_json.data(), event_json.size(), buffer.get(), length) !=
      simdjson::SUCCESS) {
    return "null";
  }
  return std::string(buffer.get(), length);
}

}  // namespace

std::string RenderStdout(const AlertView& view, const route::Alert& alert, bool terminal) {
  if (!terminal) {
    JsonWriter json;
    json.BeginObject()
        .Member("rule", view.rule);
    // Every rule of a grouped alert, `rule` (the highest-severity one) first.
    json.Key("rules").BeginArray();
    for (const std::string& rule : view.rules.empty() ? std::vector<std::string>{view.rule}
                                                       : view.rules) {
      json.String(rule);
    }
    json.EndArray()
        .Member("severity", route::SeverityName(view.severity))
        .Member("title", view.title)
        .Member("account", view.account_id)
        .Member("account_alias", view.account_alias)
        .Member("region", view.region)
        .Member("identity", view.identity)
        .Member("source_ip", view.source_ip)
        .Member("user_agent", view.user_agent)
        .Member("mfa_used", view.mfa_used)
        .Member("result", view.result)
        .Member("time", view.event_time)
        .Member("event_id", view.event_id)
        .Member("console_url", view.console_url)
        .Key("event")
        .Raw(MinifiedEvent(alert.envelope.json))
        .EndObject();
    std::string out = json.Take();
    out.push_back('\n');
    return out;
  }
  std::string out = view.emoji_text + " [" + Upper(route::SeverityName(view.severity)) + "] " +
                    PrintableLine(view.title) + "\n";
  std::string account = view.account_id;
  if (!view.account_alias.empty()) account += " (" + view.account_alias + ")";
  Line(out, "account", account + (view.region.empty() ? "" : "  " + view.region));
  std::string identity = view.identity;
  if (!view.identity_type.empty()) identity += " (" + view.identity_type + ")";
  Line(out, "identity", identity);
  Line(out, "from",
       view.source_ip +
           (view.user_agent_short.empty() ? std::string() : "  " + view.user_agent_short));
  std::string result = view.result;
  if (!view.mfa_used.empty()) result += "  MFA " + view.mfa_used;
  if (!view.error_message.empty()) result += "  " + view.error_message;
  Line(out, "result", result);
  Line(out, "time", view.event_time);
  // "rule   x  event …", or "rules  x, y  event …" for a grouped alert.
  std::string rules =
      RulesText(view.rules.empty() ? std::vector<std::string>{view.rule} : view.rules, "");
  size_t space = rules.find(' ');
  Line(out, view.rules.size() > 1 ? "rules" : "rule",
       rules.substr(space + 1) + "  event " + view.event_id);
  Line(out, "console", view.console_url);
  return out;
}

}  // namespace trailwatch::render
