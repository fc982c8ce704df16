// EventBridge-style input transformer (EventBridge User Guide, "Amazon EventBridge input
// transformation", eb-transform-target-input; API reference, InputTransformer).
//
// What EventBridge documents, and what trailwatch does:
// * input_paths: name -> JSON path, dot notation and array indices (`$.detail.userIdentity.arn`,
//   `$.resources[0]`). Wildcards are documented but not supported here (config rejects them).
// * A template whose first non-blank character is `{`, `[` or `"` is a JSON template:
//   - a placeholder outside a JSON string is replaced by the value as JSON ("Simple JSON":
//     `"instance": <instance>` gives `"instance": "i-0123456789"`; objects and numbers as is);
//   - a placeholder inside a JSON string is replaced by the value's text (`"state": "<state>"`
//     gives `"state": "RUNNING"`). Here trailwatch deliberately differs from the documented
//     "EventBridge doesn't escape values extracted by Input Path": values are JSON-escaped, so a
//     user name containing `"` cannot break or extend the JSON sent to a target;
//   - a placeholder cannot be an object key (API reference);
//   - the result must be valid JSON, else the alert fails with the reason.
// * Any other template is text: string values are inserted as their text, other values as JSON.
// * A path that does not exist in the event: "that variable isn't created" — it becomes `null`
//   outside a JSON string and nothing inside one or in a text template. A JSON null is treated
//   the same way.
// * Predefined variables: <aws.events.rule-name> (the trailwatch rule), <aws.events.event> (the
//   envelope without `detail`, JSON), <aws.events.event.json> (the whole envelope, JSON) — both
//   only as JSON values, as EventBridge requires — and <aws.events.event.ingestion-time> (when
//   trailwatch received the event; the envelope `time` if not known). <aws.events.rule-arn> has
//   no meaning outside EventBridge and is an error.
#include <simdjson.h>

#include "config/yaml_json.h"
#include "common/json_string.h"
#include "render/renderers.h"

namespace trailwatch::render {

namespace {

using simdjson::dom::element;

struct Value {
  bool present = false;
  bool is_string = false;
  bool json_only = false;  // <aws.events.event(.json)>: not inside a string
  std::string text;        // the string itself, or the JSON text for other values
};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

Value FromElement(element value) {
  Value out;
  if (value.is_null()) return out;
  out.present = true;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    out.is_string = true;
    out.text = std::string(text);
  } else {
    out.text = simdjson::to_string(value);
  }
  return out;
}

Result<Value> Lookup(element root, const std::string& name, const std::string& path) {
  Result<std::vector<config::InputPathStep>> steps = config::ParseInputPath(path);
  if (!steps.ok()) return Error{"input_paths." + name + ": " + steps.message()};
  element current = root;
  for (const config::InputPathStep& step : *steps) {
    element next;
    if (step.index >= 0) {
      simdjson::dom::array array;
      if (current.get_array().get(array) != simdjson::SUCCESS ||
          array.at(static_cast<size_t>(step.index)).get(next) != simdjson::SUCCESS) {
        return Value{};
      }
    } else {
      simdjson::dom::object object;
      if (current.get_object().get(object) != simdjson::SUCCESS ||
          object.at_key(step.field).get(next) != simdjson::SUCCESS) {
        return Value{};
      }
    }
    current = next;
  }
  return FromElement(current);
}

// The envelope without `detail`, as EventBridge's <aws.events.event>.
std::string EventWithoutDetail(element root) {
  std::string out = "{";
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return "{}";
  bool first = true;
  for (auto field : object) {
    if (field.key == "detail") continue;
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, field.key);
    out.push_back(':');
    out.append(simdjson::to_string(field.value));
  }
  out.push_back('}');
  return out;
}

// Appends a JSON string's escaped content (no quotes).
void AppendStringContent(const std::string& text, std::string* out) {
  std::string quoted;
  AppendJsonString(quoted, text);
  out->append(quoted, 1, quoted.size() - 2);
}

}  // namespace

Result<std::string> ApplyInputTransformer(const config::InputTransformerConfig& transformer,
                                          const std::string& event_json) {
  return ApplyInputTransformer(transformer, event_json, InputTransformerContext{});
}

Result<std::string> ApplyInputTransformer(const config::InputTransformerConfig& transformer,
                                          const std::string& event_json,
                                          const InputTransformerContext& context) {
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(event_json).get(root)) {
    return Error{std::string("input transformer: the event is not JSON (") +
                 simdjson::error_message(error) + ")"};
  }

  std::map<std::string, Value> values;
  for (const auto& [name, path] : transformer.input_paths) {
    Result<Value> value = Lookup(root, name, path);
    if (!value.ok()) return value.error();
    values[name] = std::move(*value);
  }
  Value rule_name{true, true, false, context.rule_name};
  std::string ingestion = context.ingestion_time;
  if (ingestion.empty()) {
    std::string_view time;
    if (root.at_key("time").get_string().get(time) == simdjson::SUCCESS) ingestion = time;
  }
  Value ingestion_time{!ingestion.empty(), true, false, ingestion};
  Value event{true, false, true, EventWithoutDetail(root)};
  Value event_json_value{true, false, true, simdjson::to_string(root)};

  const std::string& tpl = transformer.input_template;
  size_t first = tpl.find_first_not_of(" \t\r\n");
  bool json_mode =
      first != std::string::npos && (tpl[first] == '{' || tpl[first] == '[' || tpl[first] == '"');

  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < tpl.size(); ++i) {
    char c = tpl[i];
    if (json_mode && in_string && c == '\\' && i + 1 < tpl.size()) {
      out.push_back(c);
      out.push_back(tpl[++i]);
      continue;
    }
    if (json_mode && c == '"') {
      in_string = !in_string;
      out.push_back(c);
      continue;
    }
    if (c != '<') {
      out.push_back(c);
      continue;
    }
    size_t end = i + 1;
    while (end < tpl.size() && IsNameChar(tpl[end])) ++end;
    if (end == i + 1 || end >= tpl.size() || tpl[end] != '>') {
      out.push_back(c);  // not a placeholder: "a < b"
      continue;
    }
    std::string name = tpl.substr(i + 1, end - i - 1);
    const Value* value = nullptr;
    if (auto it = values.find(name); it != values.end()) {
      value = &it->second;
    } else if (name == "aws.events.rule-name") {
      value = &rule_name;
    } else if (name == "aws.events.event.ingestion-time") {
      value = &ingestion_time;
    } else if (name == "aws.events.event") {
      value = &event;
    } else if (name == "aws.events.event.json") {
      value = &event_json_value;
    } else if (name == "aws.events.rule-arn") {
      return Error{"input_template: <aws.events.rule-arn> is not available outside EventBridge"};
    } else {
      return Error{"input_template: placeholder <" + name + "> is not defined in input_paths"};
    }
    if (json_mode && !in_string) {
      size_t next = tpl.find_first_not_of(" \t\r\n", end + 1);
      if (next != std::string::npos && tpl[next] == ':') {
        return Error{"input_template: placeholder <" + name + "> cannot be used as an object key"};
      }
    }
    if (value->json_only && (!json_mode || in_string)) {
      return Error{"input_template: <" + name +
                   "> can only be used as a JSON value (its content is JSON, not text)"};
    }
    if (!json_mode) {
      if (value->present) out.append(value->text);
    } else if (in_string) {
      if (value->present) AppendStringContent(value->text, &out);
    } else if (!value->present) {
      out.append("null");
    } else if (value->is_string) {
      AppendJsonString(out, value->text);
    } else {
      out.append(value->text);
    }
    i = end;
  }

  if (json_mode) {
    simdjson::dom::parser check;
    element ignored;
    if (auto error = check.parse(out).get(ignored)) {
      return Error{std::string("input_template: the result is not valid JSON (") +
                   simdjson::error_message(error) + ")"};
    }
  }
  return out;
}

}  // namespace trailwatch::render
