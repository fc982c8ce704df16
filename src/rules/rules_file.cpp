#include "rules/rules_file.h"

#include <set>

#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include "config/regular_file.h"
#include "config/yaml_json.h"

namespace trailwatch::rules {

namespace {

namespace od = simdjson::ondemand;

int LineAt(std::string_view text, const char* position) {
  if (position < text.data() || position > text.data() + text.size()) return 0;
  int line = 1;
  for (const char* p = text.data(); p < position; ++p) line += (*p == '\n');
  return line;
}

Result<std::vector<PatternText>> ParseJsonRules(std::string_view text, const std::string& where) {
  simdjson::padded_string padded(text);
  od::parser parser;
  od::document doc;
  auto fail = [&](simdjson::error_code code, const char* at) -> Error {
    int line = LineAt(text, at);
    std::string place = where;
    if (line != 0) place.append(":").append(std::to_string(line));
    // Appended rather than concatenated: GCC 12 warns falsely (-Wstringop-overflow) on it.
    place.append(": not valid JSON (").append(simdjson::error_message(code)).append(")");
    return Error{std::move(place)};
  };
  if (auto err = parser.iterate(padded).get(doc)) return fail(err, nullptr);
  od::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    return Error{where + ": a rules file must be a mapping of rule name to event pattern"};
  }
  std::vector<PatternText> rules;
  std::set<std::string> names;
  for (auto field : root) {
    std::string_view key;
    const char* at = nullptr;
    if (doc.current_location().get(at) != simdjson::SUCCESS) at = nullptr;
    // current_location is translated from the padded copy back to the caller's text.
    const char* in_text = at ? text.data() + (at - padded.data()) : nullptr;
    if (auto err = field.unescaped_key().get(key)) return fail(err, in_text);
    PatternText rule{std::string(key), {}, LineAt(text, in_text)};
    od::value value;
    if (auto err = field.value().get(value)) return fail(err, in_text);
    od::json_type type;
    if (auto err = value.type().get(type)) return fail(err, in_text);
    if (type == od::json_type::string) {
      std::string_view pattern;
      if (auto err = value.get_string().get(pattern)) return fail(err, in_text);
      rule.json = std::string(pattern);
    } else if (type == od::json_type::object) {
      od::object object;
      std::string_view raw;
      if (auto err = value.get_object().get(object)) return fail(err, in_text);
      if (auto err = object.raw_json().get(raw)) return fail(err, in_text);
      rule.json = std::string(raw);
    } else {
      // Let the compiler give EventBridge's own reason ("Filter is not an object").
      rule.json = std::string(value.raw_json_token());
    }
    if (!names.insert(rule.name).second) {
      return Error{where + ":" + std::to_string(rule.line) + ": duplicate rule name \"" +
                   rule.name + "\""};
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

Result<std::vector<PatternText>> ParseYamlRules(std::string_view text, const std::string& where) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error{where + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": not valid YAML (" + e.msg + ")"};
  }
  if (!root.IsMap()) {
    return Error{where + ": a rules file must be a mapping of rule name to event pattern"};
  }
  std::vector<PatternText> rules;
  std::set<std::string> names;
  for (const auto& entry : root) {
    int line = entry.first.Mark().line + 1;
    if (!entry.first.IsScalar()) {
      return Error{where + ":" + std::to_string(line) + ": rule names must be strings"};
    }
    PatternText rule{entry.first.Scalar(), {}, line};
    if (entry.second.IsScalar()) {
      rule.json = entry.second.Scalar();  // the pattern's JSON text, as a string
    } else {
      Result<std::string> json = config::YamlToJson(entry.second, where);
      if (!json.ok()) return json.error();
      rule.json = std::move(*json);
    }
    if (!names.insert(rule.name).second) {
      return Error{where + ":" + std::to_string(line) + ": duplicate rule name \"" + rule.name +
                   "\""};
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace

Result<std::vector<PatternText>> ParseRules(std::string_view text, const std::string& where) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') return ParseJsonRules(text, where);
  return ParseYamlRules(text, where);
}

Result<std::vector<PatternText>> LoadRulesFile(const std::string& path) {
  // An ordinary file only (`--rules /dev/zero` would never end), bounded like a config file.
  Result<std::string> content = config::ReadRegularFile(path, kMaxRulesFileBytes);
  if (!content.ok()) return Error{"cannot read the rules file " + content.message()};
  return ParseRules(*content, path);
}

}  // namespace trailwatch::rules
