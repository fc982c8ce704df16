#include "bridges/cfn_import.h"
#include "common/json_string.h"

#include <simdjson.h>

#include <cctype>
#include <set>

#include "config/yaml_json.h"
#include "pattern/compiler.h"

namespace trailwatch::bridges {

namespace {

std::string LineOf(const CfnTemplate& tpl, const YAML::Node& node, const ResolveContext& context) {
  return tpl.Where(node, context);
}

// The resolved value of an optional scalar property: nullopt when absent, an error when it cannot
// be resolved or is not a string.
Result<std::optional<std::string>> ScalarProperty(const CfnTemplate& tpl,
                                                  const YAML::Node& properties,
                                                  const std::string& key,
                                                  const ResolveContext& rule) {
  YAML::Node node = MapValue(properties, key);
  if (!node.IsDefined() || node.IsNull()) return std::optional<std::string>();
  ResolveContext context = rule;
  context.property = key;
  Result<std::optional<YAML::Node>> value = tpl.Resolve(node, context);
  if (!value.ok()) return value.error();
  if (!value->has_value()) return std::optional<std::string>();
  if (!(*value)->IsScalar()) {
    return Error{LineOf(tpl, node, context) + ": resource " + rule.logical_id + ", " + key +
                 ": must be a string"};
  }
  return std::optional<std::string>((*value)->Scalar());
}

// EventBridge's default bus, by name or ARN.
bool IsDefaultBus(const std::string& bus) {
  static constexpr std::string_view kArnSuffix = ":event-bus/default";
  return bus == "default" ||
         (bus.size() > kArnSuffix.size() &&
          bus.compare(bus.size() - kArnSuffix.size(), kArnSuffix.size(), kArnSuffix) == 0);
}

// The JSON text of a resolved EventPattern, one line. A string is the pattern's JSON text itself
// (CloudFormation accepts both); it is compiled as written and only its whitespace removed.
Result<std::string> PatternJson(const YAML::Node& pattern, const std::string& where) {
  if (!pattern.IsScalar()) return config::YamlToJson(pattern, where);
  const std::string& text = pattern.Scalar();
  if (!pattern::CompilePattern(text).ok()) return text;  // the caller reports the reason
  std::string minified(text.size(), '\0');
  size_t length = 0;
  if (simdjson::minify(text.data(), text.size(), minified.data(), length) != simdjson::SUCCESS) {
    return text;
  }
  minified.resize(length);
  return minified;
}

std::vector<std::string> DescribeTargets(const YAML::Node& properties) {
  std::vector<std::string> out;
  YAML::Node targets = MapValue(properties, "Targets");
  if (!targets.IsSequence()) return out;
  for (const YAML::Node& target : targets) {
    YAML::Node id = MapValue(target, "Id");
    YAML::Node arn = MapValue(target, "Arn");
    std::string text = id.IsScalar() ? id.Scalar() : DescribeValue(id);
    if (arn.IsDefined()) text += ": " + DescribeValue(arn);
    out.push_back(std::move(text));
  }
  return out;
}

// YAML text for a rule name: plain when that is unambiguous, else a double-quoted string.
std::string YamlName(const std::string& name) {
  static const std::set<std::string> kReserved = {"true", "false", "null", "yes", "no",
                                                  "on",   "off",   "y",    "n",   "~"};
  std::string lower;
  for (char c : name)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  bool plain =
      !name.empty() && std::isalpha(static_cast<unsigned char>(name[0])) && !kReserved.count(lower);
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      plain = false;
    }
  }
  if (plain) return name;
  std::string quoted;
  AppendJsonString(quoted, name);
  return quoted;
}

std::string SingleQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

std::string TargetsComment(const ImportedRule& rule, const std::string& indent) {
  if (rule.targets.empty()) return "";
  std::string out = indent + "# CloudFormation targets (not imported; choose trailwatch targets): ";
  for (size_t i = 0; i < rule.targets.size(); ++i) {
    if (i) out += ", ";
    out += rule.targets[i];
  }
  return out + "\n";
}

}  // namespace

Result<ImportResult> ImportRules(const CfnTemplate& tpl) {
  ImportResult result;
  std::string errors;
  auto fail = [&](const std::string& message) {
    if (!errors.empty()) errors += "\n";
    errors += message;
  };
  std::set<std::string> names;
  for (const CfnResource& resource : tpl.resources()) {
    if (resource.type != "AWS::Events::Rule") continue;
    std::string at = tpl.where() + ":" + std::to_string(resource.line);
    std::string id = resource.logical_id;
    ResolveContext rule{id, "", resource.line};
    YAML::Node properties = MapValue(resource.node, "Properties");

    // A rule whose resource Condition is false is not created by CloudFormation either.
    YAML::Node condition = MapValue(resource.node, "Condition");
    if (condition.IsScalar()) {
      Result<bool> created = tpl.EvaluateCondition(condition.Scalar(), rule);
      if (!created.ok()) {
        result.notes.push_back(at + ": " + id + ": imported, but its Condition " +
                               condition.Scalar() + " could not be evaluated (" +
                               created.message() + ")");
      } else if (!*created) {
        result.notes.push_back(at + ": " + id + ": skipped: its Condition " + condition.Scalar() +
                               " is false with these parameters");
        continue;
      }
    }

    YAML::Node pattern_node = MapValue(properties, "EventPattern");
    if (!pattern_node.IsDefined() || pattern_node.IsNull()) {
      bool scheduled = MapValue(properties, "ScheduleExpression").IsDefined();
      result.notes.push_back(at + ": " + id + ": skipped: " +
                             (scheduled ? "a ScheduleExpression rule (trailwatch matches events, "
                                          "not schedules)"
                                        : "no EventPattern"));
      continue;
    }

    Result<std::optional<std::string>> bus = ScalarProperty(tpl, properties, "EventBusName", rule);
    if (!bus.ok()) {
      result.notes.push_back(at + ": " + id + ": skipped: not on the default event bus (" +
                             bus.message() + ")");
      continue;
    }
    if (bus->has_value() && !IsDefaultBus(**bus)) {
      result.notes.push_back(at + ": " + id + ": skipped: on event bus " + **bus +
                             "; CloudTrail events arrive on the default bus");
      continue;
    }

    ImportedRule imported;
    imported.logical_id = id;
    imported.line = resource.line;
    imported.targets = DescribeTargets(properties);

    Result<std::optional<std::string>> state = ScalarProperty(tpl, properties, "State", rule);
    if (!state.ok()) {
      result.notes.push_back(at + ": " + id +
                             ": State could not be resolved, imported as enabled (" +
                             state.message() + ")");
    } else if (state->has_value() && **state == "DISABLED") {
      imported.disabled = true;
    }

    Result<std::optional<std::string>> name = ScalarProperty(tpl, properties, "Name", rule);
    if (!name.ok()) {
      result.notes.push_back(at + ": " + id + ": Name could not be resolved, named " + id + " (" +
                             name.message() + ")");
    }
    imported.name = name.ok() && name->has_value() && !(*name)->empty() ? **name : id;
    if (names.count(imported.name) && imported.name != id) {
      result.notes.push_back(at + ": " + id + ": Name " + imported.name +
                             " is used by another rule, named " + id);
      imported.name = id;
    }
    if (!names.insert(imported.name).second) {
      fail(at + ": " + id + ": duplicate rule name " + imported.name);
      continue;
    }

    ResolveContext pattern_context{id, "EventPattern", resource.line};
    Result<std::optional<YAML::Node>> resolved = tpl.Resolve(pattern_node, pattern_context);
    if (!resolved.ok()) {
      fail(resolved.message());
      continue;
    }
    std::string pattern_at = tpl.Where(pattern_node, pattern_context);
    if (!resolved->has_value()) {
      fail(pattern_at + ": resource " + id + ", EventPattern: resolves to AWS::NoValue");
      continue;
    }
    Result<std::string> json = PatternJson(**resolved, tpl.where());
    if (!json.ok()) {
      fail(pattern_at + ": resource " + id + ", EventPattern: " + json.message());
      continue;
    }
    pattern::CompileResult compiled = pattern::CompilePattern(*json);
    if (!compiled.ok()) {
      fail(pattern_at + ": resource " + id +
           ", EventPattern: InvalidEventPatternException: " + compiled.error->Message());
      continue;
    }
    imported.pattern_json = std::move(*json);
    result.rules.push_back(std::move(imported));
  }
  if (!errors.empty()) return Error{errors};
  if (result.rules.empty()) {
    result.notes.push_back(tpl.where() + ": no AWS::Events::Rule with an EventPattern to import");
  }
  return result;
}

std::string RenderImport(const ImportResult& result, ImportFormat format,
                         const std::string& source) {
  std::string out;
  if (format == ImportFormat::kConfig) {
    out += "# trailwatch rules imported by `trailwatch import-cfn` from " + source + ".\n";
    out += "# Put them under the top-level `rules:` of trailwatch's config and choose targets.\n";
    if (result.rules.empty()) return out + "rules: []\n";
    out += "rules:\n";
    for (const ImportedRule& rule : result.rules) {
      out += "  # " + rule.logical_id + " (AWS::Events::Rule, " + source + ":" +
             std::to_string(rule.line) + ")\n";
      out += TargetsComment(rule, "  ");
      if (rule.disabled) out += "  # State: DISABLED in the template\n";
      out += "  - name: " + YamlName(rule.name) + "\n";
      if (rule.disabled) out += "    enabled: false\n";
      out += "    pattern: " + rule.pattern_json + "\n";
      out += "    severity: high\n";
      out += "    targets: []\n";
    }
    return out;
  }
  out += "# trailwatch rules file imported by `trailwatch import-cfn` from " + source + ".\n";
  out += "# Use it with `trailwatch match --rules` or `trailwatch scan --rules`.\n";
  bool any_enabled = false;
  for (const ImportedRule& rule : result.rules) {
    out += "# " + rule.logical_id + " (AWS::Events::Rule, " + source + ":" +
           std::to_string(rule.line) + ")\n";
    out += TargetsComment(rule, "");
    std::string entry = YamlName(rule.name) + ": " + SingleQuoted(rule.pattern_json) + "\n";
    if (rule.disabled) {
      // A rules file has no way to disable a rule: keep it, commented out.
      out += "# State: DISABLED in the template, so commented out here:\n# " + entry;
    } else {
      out += entry;
      any_enabled = true;
    }
  }
  if (!any_enabled) out += "{}\n";  // still a mapping, with no rules
  return out;
}

}  // namespace trailwatch::bridges
