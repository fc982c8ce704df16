#include "service/service_config.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "config/config_fields.h"
#include "rules/rules_config.h"

namespace trailwatch::service {
namespace {

// The top-level sections; each has its own loader.
constexpr const char* kSections[] = {"store",  "accounts",         "targets",   "sources", "rules",
                                     "routes", "shutdown_timeout", "telemetry", "console"};

void Collect(const Status& status, std::vector<std::string>* errors) {
  if (!status.ok()) errors->push_back(status.message());
}

// `telemetry: false | true | {listen: HOST:PORT, enabled: BOOL}`. Errors name the field.
void LoadTelemetry(const config::ConfigFieldReader& reader, const config::ConfigEntry& section,
                   TelemetryConfig* out, std::vector<std::string>* errors) {
  const char* kShape = "must be false, true or a mapping like {listen: 127.0.0.1:9464}";
  if (section.value.IsScalar()) {
    auto enabled = reader.Boolean(section, "telemetry");
    if (enabled.ok()) {
      out->enabled = *enabled;
    } else {
      errors->push_back(reader.Fail(section.value, "telemetry", kShape).message);
    }
    return;
  }
  if (!section.value.IsMap()) {
    errors->push_back(
        reader.Fail(section.value.IsNull() ? section.key_node : section.value, "telemetry", kShape)
            .message);
    return;
  }
  std::vector<config::ConfigEntry> fields;
  if (Status read = reader.Entries(section.value, "telemetry", &fields); !read.ok()) {
    errors->push_back(read.message());
    return;
  }
  for (const config::ConfigEntry& field : fields) {
    std::string where = "telemetry.";
    where.append(field.key);
    if (field.key == "enabled") {
      auto enabled = reader.Boolean(field, where);
      if (enabled.ok()) {
        out->enabled = *enabled;
      } else {
        errors->push_back(enabled.message());
      }
    } else if (field.key == "listen") {
      auto listen = reader.ListenAddress(field, where);
      if (!listen.ok()) {
        errors->push_back(listen.message());
        continue;
      }
      out->listen = *listen;
      out->listen_configured = true;
    } else {
      std::string what = "unknown key ";
      what.append(config::QuoteForMessage(field.key)).append(" (valid: listen, enabled)");
      errors->push_back(reader.Fail(field.key_node, where, what).message);
    }
  }
}

}  // namespace

size_t EnabledRuleCount(const std::vector<rules::RuleSpec>& rules) {
  size_t enabled = 0;
  for (const rules::RuleSpec& rule : rules) enabled += rule.enabled ? 1 : 0;
  return enabled;
}

Result<ServiceConfig> LoadServiceConfig(const std::string& path,
                                        config::EnvironmentLookup environment) {
  auto loaded = config::LoadYamlFile(path);
  if (!loaded.ok()) return loaded.error();
  const YAML::Node& root = *loaded;
  if (!root.IsMap()) {
    return Error{path + ": the configuration must be a mapping of sections (" +
                 config::JoinNames({std::begin(kSections), std::end(kSections)}) + ")"};
  }

  std::vector<std::string> errors;
  config::ConfigFieldReader reader(path, environment);
  std::vector<config::ConfigEntry> entries;
  Collect(reader.Entries(root, "configuration", &entries), &errors);
  for (const config::ConfigEntry& entry : entries) {
    bool known = false;
    for (const char* section : kSections) known = known || entry.key == section;
    if (!known) {
      errors.push_back(reader.At(entry.key_node) + ": unknown section " +
                       config::QuoteForMessage(entry.key) + " (expected one of " +
                       config::JoinNames({std::begin(kSections), std::end(kSections)}) + ")");
    }
  }

  ServiceConfig result;
  result.path = path;
  for (const config::ConfigEntry& entry : entries) {
    if (entry.key == "telemetry") LoadTelemetry(reader, entry, &result.telemetry, &errors);
    if (entry.key == "console") console::LoadConsoleConfig(reader, entry, &result.console, &errors);
    if (entry.key != "shutdown_timeout") continue;
    auto timeout = reader.Duration(entry, "shutdown_timeout", std::chrono::seconds(0),
                                   std::chrono::minutes(10));
    if (timeout.ok()) {
      result.shutdown_timeout = *timeout;
    } else {
      errors.push_back(timeout.message());
    }
  }
  auto targets = config::LoadTargetsConfig(root, path, environment);
  if (targets.ok()) {
    result.targets = std::move(targets.value());
  } else {
    errors.push_back(targets.message());
  }
  auto sources = sources::LoadSourcesConfig(root, path, environment);
  if (sources.ok()) {
    result.sources = std::move(sources.value());
  } else {
    errors.push_back(sources.message());
  }
  // Rules are checked against the target names even when the targets section had an error
  // elsewhere, so one run of `validate` shows both.
  std::set<std::string> target_names;
  std::set<std::string> channel_targets;  // Slack Web API targets take "name#CHANNEL_ID"
  if (targets.ok()) {
    for (const config::TargetConfig& target : result.targets.targets) {
      target_names.insert(target.name);
      if (target.type == config::TargetConfig::Type::kSlack && !target.token.empty()) {
        channel_targets.insert(target.name);
      }
    }
  } else if (root["targets"] && root["targets"].IsSequence()) {
    for (const YAML::Node& target : root["targets"]) {
      if (target.IsMap() && target["name"] && target["name"].IsScalar()) {
        target_names.insert(target["name"].Scalar());
      }
    }
  }
  auto rules = rules::LoadRulesConfig(root, path, target_names, channel_targets);
  if (rules.ok()) {
    result.rules = std::move(rules->rules);
    result.warnings = std::move(rules->warnings);
  } else {
    errors.push_back(rules.message());
  }

  // The loaders never quote a value from a reference; this also catches one that reached a
  // message another way.
  result.reference_values = config::ReferenceValues(root, environment, path);
  if (!errors.empty()) {
    std::string message;
    for (const std::string& error : errors) {
      if (!message.empty()) message += '\n';
      message += error;
    }
    return Error{config::RedactReferenceValues(std::move(message), result.reference_values)};
  }
  return result;
}

}  // namespace trailwatch::service
