#include "service/service_config.h"

#include <set>

#include <yaml-cpp/yaml.h>

#include "config/config_fields.h"
#include "rules/rules_config.h"

namespace trailwatch::service {
namespace {

// The top-level sections; each has its own loader.
constexpr const char* kSections[] = {"store",   "accounts", "targets",         "sources",
                                     "rules",   "routes",   "shutdown_timeout"};

void Collect(const Status& status, std::vector<std::string>* errors) {
  if (!status.ok()) errors->push_back(status.message());
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
  result.reference_values = config::ReferenceValues(root, environment);
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
