// Loader for the `rules` and `routes` sections (rules_config.h, docs/rules.md).
//
// Unlike the other section loaders, which stop at a section's first error, this one keeps going
// after every problem and reports them all: a config of forty rules with three typos should need
// one round of `trailwatch validate`, not three. A rule with an error is dropped from the result
// (the caller refuses the whole config anyway) but its name still counts for duplicates and
// routes, so one typo does not cascade into "unknown rule" errors elsewhere.
#include "rules/rules_config.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include "config/config_fields.h"
#include "config/regular_file.h"
#include "config/target_reference.h"
#include "config/yaml_json.h"
#include "pattern/compiler.h"
#include "rules/rule_packs.h"

namespace trailwatch::rules {

namespace {

using config::ConfigEntry;
using config::QuoteForMessage;

const char* const kEnvelopeKeys[] = {"version", "id",     "detail-type", "source", "account",
                                     "time",    "region", "resources",   "detail"};

std::string PackNames() {
  std::vector<std::string> names;
  for (const RulePack& pack : RulePacks()) names.emplace_back(pack.name);
  return config::JoinNames(names);
}

class RulesLoader {
 public:
  RulesLoader(const std::string& path, const std::set<std::string>& target_names,
              const std::set<std::string>& channel_targets)
      : reader_(path, nullptr),
        path_(path),
        target_names_(target_names),
        channel_targets_(channel_targets) {}

  Result<RulesConfig> Load(const YAML::Node& root);

 private:
  // Where a rule name was first defined, for duplicate and route errors.
  struct Defined {
    std::string where;  // "rules[2]"
    int line = 0;
  };

  void Report(const Error& error) { errors_.push_back(error.message); }
  void Report(const Status& status) {
    if (!status.ok()) errors_.push_back(status.message());
  }
  void Fail(const YAML::Node& node, const std::string& where, const std::string& what) {
    Report(reader_.Fail(node, where, what));
  }

  void LoadRuleEntry(const YAML::Node& node, size_t index);
  void LoadPackEntry(const YAML::Node& node, const std::string& where,
                     const std::vector<ConfigEntry>& entries);
  void LoadOwnRule(const YAML::Node& node, const std::string& where,
                   const std::vector<ConfigEntry>& entries);
  // targets, severity, enabled, suppress: shared by own rules and pack overrides. False on error.
  bool LoadCommon(const ConfigEntry& entry, const std::string& where, RuleSpec* spec,
                  bool* severity_set);
  std::optional<std::string> PatternText(const YAML::Node& node, const std::string& where);
  std::optional<std::string> CompiledPattern(const YAML::Node& node, const std::string& where);
  bool LoadSuppress(const ConfigEntry& entry, const std::string& where,
                    std::vector<std::string>* out);
  bool LoadTargets(const ConfigEntry& entry, const std::string& where,
                   std::vector<std::string>* out);
  bool LoadThreshold(const ConfigEntry& entry, const std::string& where, ThresholdSpec* out);
  bool DefineName(const std::string& name, const YAML::Node& node, const std::string& where);
  void LoadRoute(const YAML::Node& node, size_t index);
  void ApplyRoutes();
  // Fills every rule's compiled patterns and target references (rule_spec.h), reusing what
  // CompiledPattern compiled while checking. False (and reported) if a pack pattern fails.
  bool Precompile();

  config::ConfigFieldReader reader_;
  std::string path_;
  const std::set<std::string>& target_names_;
  const std::set<std::string>& channel_targets_;
  std::vector<std::string> errors_;
  // Patterns compiled while checking the configuration, by their JSON text (Precompile).
  std::map<std::string, std::shared_ptr<const pattern::CompiledPattern>> compiled_;
  RulesConfig config_;
  std::map<std::string, Defined> names_;      // every rule name seen, valid rule or not
  std::map<std::string, std::string> packs_;  // pack -> where it was listed
};

bool RulesLoader::DefineName(const std::string& name, const YAML::Node& node,
                             const std::string& where) {
  auto [it, inserted] = names_.emplace(name, Defined{where, node.Mark().line + 1});
  if (inserted) return true;
  Fail(node, where,
       "duplicate rule name " + QuoteForMessage(name) + " (already defined by " + it->second.where +
           ", line " + std::to_string(it->second.line) + ")");
  return false;
}

std::optional<std::string> RulesLoader::PatternText(const YAML::Node& node,
                                                    const std::string& where) {
  if (!node.IsScalar()) {
    // A YAML or JSON mapping (JSON is YAML): converted with the same rules as rules files, so
    // `{"a": ["1"]}` and `a: ["1"]` compile the same. Anything else (a list) goes to the compiler,
    // which gives EventBridge's own reason ("Filter is not an object").
    Result<std::string> json = config::YamlToJson(node, path_);
    if (!json.ok()) {
      Report(json.error());
      return std::nullopt;
    }
    return std::move(*json);
  }
  const std::string& text = node.Scalar();
  static constexpr std::string_view kFile = "file://";
  if (text.rfind(kFile, 0) != 0) return text;  // the pattern's JSON text, as in CloudFormation
  std::string relative = text.substr(kFile.size());
  if (relative.empty()) {
    Fail(node, where, "file:// needs a path, like file://rules/login-failure.json");
    return std::nullopt;
  }
  std::filesystem::path file(relative);
  if (file.is_relative()) file = std::filesystem::path(path_).parent_path() / file;
  // An ordinary file of bounded size (no device, FIFO, /proc or /sys file); errors name the file,
  // never its content.
  Result<std::string> content = config::ReadRegularFile(file.string(), kMaxPatternFileBytes);
  if (!content.ok()) {
    Fail(node, where, "cannot read pattern file " + content.message());
    return std::nullopt;
  }
  return std::move(*content);
}

std::optional<std::string> RulesLoader::CompiledPattern(const YAML::Node& node,
                                                        const std::string& where) {
  std::optional<std::string> json = PatternText(node, where);
  if (!json) return std::nullopt;
  pattern::CompileResult compiled = pattern::CompilePattern(*json);
  if (!compiled.ok()) {
    // A pattern from a file: name the file, since the position is the reference's, not the error's.
    std::string from;
    if (node.IsScalar() && node.Scalar().rfind("file://", 0) == 0) from = node.Scalar() + ": ";
    Fail(node, where, from + compiled.error->Message());
    return std::nullopt;
  }
  // Kept for the engine (Precompile), so that no pattern is compiled twice.
  compiled_.emplace(*json,
                    std::make_shared<const pattern::CompiledPattern>(std::move(compiled.pattern)));
  return json;
}

bool RulesLoader::LoadSuppress(const ConfigEntry& entry, const std::string& where,
                               std::vector<std::string>* out) {
  const YAML::Node& value = entry.value;
  if (value.IsNull()) return true;
  if (!value.IsSequence()) {
    Fail(value, where + ".suppress", "must be a list of event patterns");
    return false;
  }
  if (value.size() > kMaxSuppressPatterns) {
    Fail(value, where + ".suppress",
         "more than " + std::to_string(kMaxSuppressPatterns) + " patterns");
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < value.size(); ++i) {
    std::optional<std::string> json =
        CompiledPattern(value[i], where + ".suppress[" + std::to_string(i) + "]");
    if (json) {
      out->push_back(std::move(*json));
    } else {
      ok = false;
    }
  }
  return ok;
}

bool RulesLoader::LoadTargets(const ConfigEntry& entry, const std::string& where,
                              std::vector<std::string>* out) {
  const YAML::Node& value = entry.value;
  if (value.IsNull()) return true;
  if (!value.IsSequence()) {
    Fail(value, where + ".targets",
         "must be a list of target names, like [security-slack] or [security-bot#C0456789AB]");
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < value.size(); ++i) {
    std::string here = where + ".targets[" + std::to_string(i) + "]";
    const YAML::Node& item = value[i];
    if (!item.IsScalar() || item.Scalar().empty()) {
      Fail(item, here, "must be a target name");
      ok = false;
      continue;
    }
    const std::string& text = item.Scalar();
    auto reference = config::ParseTargetReference(text);
    if (!reference.ok()) {
      Fail(item, here, reference.message());
      ok = false;
      continue;
    }
    const std::string& name = reference->name;
    if (target_names_.count(name) == 0) {
      std::vector<std::string> known(target_names_.begin(), target_names_.end());
      Fail(item, here,
           "unknown target " + QuoteForMessage(name) +
               (known.empty() ? " (the targets section defines none)"
                              : " (defined: " + config::JoinNames(known) + ")"));
      ok = false;
      continue;
    }
    if (!reference->slack_channel.empty() && channel_targets_.count(name) == 0) {
      Fail(item, here,
           "target " + QuoteForMessage(name) +
               " takes no channel: '#CHANNEL_ID' is for Slack Web API targets (token + channel)");
      ok = false;
      continue;
    }
    if (std::find(out->begin(), out->end(), text) == out->end()) out->push_back(text);
  }
  return ok;
}

bool RulesLoader::LoadThreshold(const ConfigEntry& entry, const std::string& where,
                                ThresholdSpec* out) {
  std::string here = where + ".threshold";
  if (!entry.value.IsMap()) {
    Fail(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, here,
         "must be a mapping like {count: 5, window: 15m, group_by: [detail.sourceIPAddress]}");
    return false;
  }
  std::vector<ConfigEntry> entries;
  if (Status s = reader_.Entries(entry.value, here, &entries); !s.ok()) {
    Report(s);
    return false;
  }
  bool ok = true;
  bool has_count = false;
  for (const ConfigEntry& item : entries) {
    if (item.key == "count") {
      Result<long> count = reader_.Integer(item, here, 1, kMaxThresholdCount);
      if (count.ok()) {
        out->count = static_cast<int>(*count);
        has_count = true;
      } else {
        Report(count.error());
        ok = false;
      }
    } else if (item.key == "window") {
      Result<std::chrono::seconds> window = reader_.Duration(
          item, here, std::chrono::seconds(1), std::chrono::seconds(kMaxThresholdWindowSeconds));
      if (window.ok()) {
        out->window = *window;
      } else {
        Report(window.error());
        ok = false;
      }
    } else if (item.key == "group_by") {
      if (item.value.IsNull()) continue;
      if (!item.value.IsSequence()) {
        Fail(item.value, here, "group_by must be a list of paths, like [detail.sourceIPAddress]");
        ok = false;
        continue;
      }
      if (item.value.size() > kMaxGroupByPaths) {
        Fail(item.value, here,
             "group_by has more than " + std::to_string(kMaxGroupByPaths) + " paths");
        ok = false;
        continue;
      }
      for (size_t i = 0; i < item.value.size(); ++i) {
        const YAML::Node& path = item.value[i];
        std::string path_where = here + ".group_by[" + std::to_string(i) + "]";
        if (!path.IsScalar()) {
          Fail(path, path_where, "must be a dotted path like detail.sourceIPAddress");
          ok = false;
          continue;
        }
        std::string reason = CheckGroupByPath(path.Scalar());
        if (!reason.empty()) {
          Fail(path, path_where, reason);
          ok = false;
          continue;
        }
        out->group_by.push_back(path.Scalar());
      }
    } else {
      Fail(item.key_node, here,
           "unknown key " + QuoteForMessage(item.key) + " (valid: count, window, group_by)");
      ok = false;
    }
  }
  if (!has_count && ok) {
    Fail(entry.value, here, "missing key \"count\"");
    ok = false;
  }
  return ok;
}

bool RulesLoader::LoadCommon(const ConfigEntry& entry, const std::string& where, RuleSpec* spec,
                             bool* severity_set) {
  if (entry.key == "targets") return LoadTargets(entry, where, &spec->targets);
  if (entry.key == "suppress") return LoadSuppress(entry, where, &spec->suppress_json);
  if (entry.key == "severity") {
    Result<std::string> text = reader_.Text(entry, where);
    if (!text.ok()) {
      Report(text.error());
      return false;
    }
    if (!route::ParseSeverity(*text, &spec->severity)) {
      Fail(entry.value, where + ".severity",
           "unknown severity " + QuoteForMessage(*text) +
               " (valid: info, low, medium, high, critical)");
      return false;
    }
    *severity_set = true;
    return true;
  }
  if (entry.key == "enabled") {
    Result<bool> enabled = reader_.Boolean(entry, where);
    if (!enabled.ok()) {
      Report(enabled.error());
      return false;
    }
    spec->enabled = *enabled;
    return true;
  }
  return false;  // not a common key; the caller reports it
}

void RulesLoader::LoadOwnRule(const YAML::Node& node, const std::string& where,
                              const std::vector<ConfigEntry>& entries) {
  RuleSpec spec;
  spec.file = path_;
  spec.line = node.Mark().line + 1;
  bool ok = true;
  bool severity_set = false;
  const ConfigEntry* pattern_entry = nullptr;
  for (const ConfigEntry& entry : entries) {
    if (entry.key == "name") {
      Result<std::string> name = reader_.Text(entry, where);
      if (!name.ok()) {
        Report(name.error());
        ok = false;
      } else if (!IsValidRuleName(*name)) {
        Fail(entry.value, where + ".name",
             "rule name " + QuoteForMessage(*name) +
                 " must be 1-128 letters, digits, '_', '-' or '.'");
        ok = false;
      } else {
        spec.name = *name;
        if (!DefineName(spec.name, entry.value, where + ".name")) ok = false;
      }
    } else if (entry.key == "pattern") {
      pattern_entry = &entry;
    } else if (entry.key == "description") {
      Result<std::string> text = reader_.Text(entry, where);
      if (text.ok()) {
        spec.description = *text;
      } else {
        Report(text.error());
        ok = false;
      }
    } else if (entry.key == "threshold") {
      ThresholdSpec threshold;
      if (LoadThreshold(entry, where, &threshold)) {
        spec.threshold = std::move(threshold);
      } else {
        ok = false;
      }
    } else if (entry.key == "targets" || entry.key == "suppress" || entry.key == "severity" ||
               entry.key == "enabled") {
      if (!LoadCommon(entry, where, &spec, &severity_set)) ok = false;
    } else if (entry.key == "pack") {
      Fail(entry.key_node, where, "a rule has either pack or name, not both");
      ok = false;
    } else {
      Fail(entry.key_node, where,
           "unknown key " + QuoteForMessage(entry.key) +
               " (valid: name, pattern, description, severity, suppress, threshold, targets, "
               "enabled; or pack)");
      ok = false;
    }
  }
  if (spec.name.empty() && ok) {
    Fail(node, where, "missing key \"name\" (or \"pack\" for a built-in pack)");
    ok = false;
  }
  if (pattern_entry == nullptr) {
    Fail(node, where, "missing key \"pattern\"");
    ok = false;
  } else {
    std::optional<std::string> json = CompiledPattern(pattern_entry->value, where + ".pattern");
    if (json) {
      spec.pattern_json = std::move(*json);
    } else {
      ok = false;
    }
  }
  if (ok) config_.rules.push_back(std::move(spec));
}

void RulesLoader::LoadPackEntry(const YAML::Node& node, const std::string& where,
                                const std::vector<ConfigEntry>& entries) {
  const RulePack* pack = nullptr;
  RuleSpec overrides;
  bool severity_set = false;
  bool has_targets = false, has_suppress = false, has_enabled = false;
  std::vector<std::string> excluded;
  bool ok = true;
  const ConfigEntry* exclude_entry = nullptr;
  for (const ConfigEntry& entry : entries) {
    if (entry.key == "pack") {
      Result<std::string> name = reader_.Text(entry, where);
      if (!name.ok()) {
        Report(name.error());
        ok = false;
        continue;
      }
      pack = FindRulePack(*name);
      if (pack == nullptr) {
        Fail(entry.value, where + ".pack",
             "unknown pack " + QuoteForMessage(*name) + " (built-in packs: " + PackNames() +
                 "; `trailwatch packs list`)");
        ok = false;
        continue;
      }
      auto [it, inserted] = packs_.emplace(std::string(pack->name), where);
      if (!inserted) {
        Fail(entry.value, where + ".pack",
             "pack " + QuoteForMessage(*name) + " is already listed at " + it->second);
        pack = nullptr;
        ok = false;
      }
    } else if (entry.key == "exclude") {
      exclude_entry = &entry;
    } else if (entry.key == "targets" || entry.key == "suppress" || entry.key == "severity" ||
               entry.key == "enabled") {
      has_targets |= entry.key == "targets";
      has_suppress |= entry.key == "suppress";
      has_enabled |= entry.key == "enabled";
      if (!LoadCommon(entry, where, &overrides, &severity_set)) ok = false;
    } else if (entry.key == "name" || entry.key == "pattern") {
      Fail(entry.key_node, where,
           "a pack entry cannot have " + entry.key +
               " (a rule has either pack or name; `trailwatch packs show` prints a pack's "
               "patterns to copy)");
      ok = false;
    } else {
      Fail(entry.key_node, where,
           "unknown key " + QuoteForMessage(entry.key) +
               " (valid for a pack: pack, exclude, targets, severity, enabled, suppress)");
      ok = false;
    }
  }
  if (exclude_entry != nullptr && pack != nullptr) {
    const YAML::Node& list = exclude_entry->value;
    if (!list.IsNull() && !list.IsSequence()) {
      Fail(list, where + ".exclude", "must be a list of rule names of the pack");
      ok = false;
    } else if (list.IsSequence()) {
      for (size_t i = 0; i < list.size(); ++i) {
        const YAML::Node& item = list[i];
        std::string name = item.IsScalar() ? item.Scalar() : "";
        bool in_pack = std::any_of(pack->rules.begin(), pack->rules.end(),
                                   [&](const PackRule& rule) { return rule.name == name; });
        if (!in_pack) {
          Fail(item, where + ".exclude[" + std::to_string(i) + "]",
               "pack " + std::string(pack->name) + " has no rule " + QuoteForMessage(name) +
                   " (`trailwatch packs show " + std::string(pack->name) + "`)");
          ok = false;
        }
        excluded.push_back(name);
      }
    }
  }
  if (pack == nullptr) return;  // reported above
  for (const PackRule& rule : pack->rules) {
    if (std::find(excluded.begin(), excluded.end(), rule.name) != excluded.end()) continue;
    std::string name(rule.name);
    if (!DefineName(name, node, where + " (pack " + std::string(pack->name) + ")")) {
      ok = false;
      continue;
    }
    if (!ok) continue;
    RuleSpec spec = ToRuleSpec(*pack, rule);
    spec.file = path_;
    spec.line = node.Mark().line + 1;
    if (has_targets) spec.targets = overrides.targets;
    if (has_suppress) spec.suppress_json = overrides.suppress_json;
    if (has_enabled) spec.enabled = overrides.enabled;
    if (severity_set) spec.severity = overrides.severity;
    config_.rules.push_back(std::move(spec));
  }
}

void RulesLoader::LoadRuleEntry(const YAML::Node& node, size_t index) {
  std::string where = "rules[" + std::to_string(index) + "]";
  if (!node.IsMap()) {
    Fail(node, where, "a rule must be a mapping with name and pattern, or pack");
    return;
  }
  std::vector<ConfigEntry> entries;
  if (Status s = reader_.Entries(node, where, &entries); !s.ok()) {
    Report(s);
    return;
  }
  bool is_pack = std::any_of(entries.begin(), entries.end(),
                             [](const ConfigEntry& entry) { return entry.key == "pack"; });
  bool has_name = std::any_of(entries.begin(), entries.end(),
                              [](const ConfigEntry& entry) { return entry.key == "name"; });
  if (is_pack && !has_name) {
    LoadPackEntry(node, where, entries);
  } else {
    LoadOwnRule(node, where, entries);
  }
}

void RulesLoader::LoadRoute(const YAML::Node& node, size_t index) {
  std::string where = "routes[" + std::to_string(index) + "]";
  if (!node.IsMap()) {
    Fail(node, where, "a route must be a mapping like {rules: [\"*\"], targets: [pager]}");
    return;
  }
  std::vector<ConfigEntry> entries;
  if (Status s = reader_.Entries(node, where, &entries); !s.ok()) {
    Report(s);
    return;
  }
  RouteSpec route;
  route.line = node.Mark().line + 1;
  bool ok = true;
  bool has_rules = false, has_targets = false;
  for (const ConfigEntry& entry : entries) {
    if (entry.key == "rules") {
      has_rules = true;
      Result<std::vector<std::string>> selectors = reader_.TextList(entry, where);
      if (!selectors.ok()) {
        Report(selectors.error());
        ok = false;
        continue;
      }
      if (selectors->empty()) {
        Fail(entry.value.IsNull() ? entry.key_node : entry.value, where + ".rules",
             "is empty (use [\"*\"] for every rule)");
        ok = false;
      }
      for (const std::string& selector : *selectors) {
        if (selector == "*") continue;
        if (selector.rfind("pack:", 0) == 0) {
          std::string pack = selector.substr(5);
          if (FindRulePack(pack) == nullptr) {
            Fail(
                entry.value, where + ".rules",
                "unknown pack " + QuoteForMessage(pack) + " (built-in packs: " + PackNames() + ")");
            ok = false;
          } else if (packs_.count(pack) == 0) {
            Fail(entry.value, where + ".rules",
                 "pack " + QuoteForMessage(pack) + " is not used in rules");
            ok = false;
          }
        } else if (names_.count(selector) == 0) {
          Fail(entry.value, where + ".rules",
               "unknown rule " + QuoteForMessage(selector) +
                   " (use a rule name, \"pack:NAME\" or \"*\")");
          ok = false;
        }
      }
      route.rules = std::move(*selectors);
    } else if (entry.key == "min_severity") {
      Result<std::string> text = reader_.Text(entry, where);
      route::Severity severity;
      if (!text.ok()) {
        Report(text.error());
        ok = false;
      } else if (!route::ParseSeverity(*text, &severity)) {
        Fail(entry.value, where + ".min_severity",
             "unknown severity " + QuoteForMessage(*text) +
                 " (valid: info, low, medium, high, critical)");
        ok = false;
      } else {
        route.min_severity = severity;
      }
    } else if (entry.key == "targets") {
      has_targets = true;
      if (!LoadTargets(entry, where, &route.targets)) ok = false;
    } else {
      Fail(entry.key_node, where,
           "unknown key " + QuoteForMessage(entry.key) + " (valid: rules, min_severity, targets)");
      ok = false;
    }
  }
  if (!has_rules) route.rules = {"*"};
  if (!has_targets || (ok && route.targets.empty())) {
    Fail(node, where, "a route needs targets");
    ok = false;
  }
  if (ok) config_.routes.push_back(std::move(route));
}

void RulesLoader::ApplyRoutes() {
  for (const RouteSpec& route : config_.routes) {
    for (RuleSpec& rule : config_.rules) {
      if (route.min_severity && rule.severity < *route.min_severity) continue;
      bool selected = std::any_of(route.rules.begin(), route.rules.end(), [&](const auto& s) {
        return s == "*" || s == rule.name || (!rule.pack.empty() && s == "pack:" + rule.pack);
      });
      if (!selected) continue;
      for (const std::string& target : route.targets) {
        if (std::find(rule.targets.begin(), rule.targets.end(), target) == rule.targets.end()) {
          rule.targets.push_back(target);
        }
      }
    }
  }
}

bool RulesLoader::Precompile() {
  auto compile = [&](const RuleSpec& rule, const std::string& json)
      -> std::shared_ptr<const pattern::CompiledPattern> {
    auto found = compiled_.find(json);
    if (found != compiled_.end()) return found->second;
    pattern::CompileResult compiled = pattern::CompilePattern(json);  // pack patterns
    if (!compiled.ok()) {
      errors_.push_back(path_ + ": rule " + rule.name + ": " + compiled.error->Message());
      return nullptr;
    }
    auto shared = std::make_shared<const pattern::CompiledPattern>(std::move(compiled.pattern));
    compiled_.emplace(json, shared);
    return shared;
  };
  for (RuleSpec& rule : config_.rules) {
    rule.compiled_pattern = compile(rule, rule.pattern_json);
    if (!rule.compiled_pattern) return false;
    rule.compiled_suppress.clear();
    for (const std::string& suppress : rule.suppress_json) {
      rule.compiled_suppress.push_back(compile(rule, suppress));
      if (!rule.compiled_suppress.back()) return false;
    }
    rule.target_references.clear();
    for (const std::string& target : rule.targets) {
      auto reference = config::ParseTargetReference(target);  // checked by LoadTargets
      if (!reference.ok()) {
        errors_.push_back(path_ + ": rule " + rule.name + ": " + reference.message());
        return false;
      }
      rule.target_references.push_back(std::move(*reference));
    }
  }
  return true;
}

Result<RulesConfig> RulesLoader::Load(const YAML::Node& root) {
  if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
    return Error{path_ + ": the configuration must be a mapping of sections"};
  }
  if (root.IsMap()) {
    YAML::Node rules = root["rules"];
    if (rules.IsDefined() && !rules.IsNull()) {
      if (!rules.IsSequence()) {
        Fail(rules, "rules", "must be a list of rules (- name: ... / - pack: ...)");
      } else {
        for (size_t i = 0; i < rules.size(); ++i) LoadRuleEntry(rules[i], i);
      }
    }
    YAML::Node routes = root["routes"];
    if (routes.IsDefined() && !routes.IsNull()) {
      if (!routes.IsSequence()) {
        Fail(routes, "routes", "must be a list of routes (- rules: [...], targets: [...])");
      } else {
        for (size_t i = 0; i < routes.size(); ++i) LoadRoute(routes[i], i);
      }
    }
  }
  if (!errors_.empty()) {
    std::string message;
    for (const std::string& line : errors_) {
      if (!message.empty()) message.push_back('\n');
      message += line;
    }
    return Error{message};
  }
  ApplyRoutes();
  if (!Precompile()) return Error{errors_.back()};
  for (const RuleSpec& rule : config_.rules) {
    if (rule.enabled && rule.targets.empty()) {
      config_.warnings.push_back(path_ + ":" + std::to_string(rule.line) + ": rule " + rule.name +
                                 " has no targets (set targets or add a route); its matches are "
                                 "counted but not delivered");
    }
  }
  return std::move(config_);
}

}  // namespace

bool IsValidRuleName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

std::string CheckGroupByPath(const std::string& path) {
  if (path.empty()) return "group_by path is empty";
  if (path.size() > 256) return "group_by path is longer than 256 characters";
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    size_t end = dot == std::string::npos ? path.size() : dot;
    if (end == start) {
      return "group_by path " + QuoteForMessage(path) + " has an empty step";
    }
    if (start == 0) {
      std::string first = path.substr(0, end);
      if (std::find(std::begin(kEnvelopeKeys), std::end(kEnvelopeKeys), first) ==
          std::end(kEnvelopeKeys)) {
        return "group_by path " + QuoteForMessage(path) +
               " must start at the event's top level (detail., account, region, source, ...), "
               "like detail." +
               path;
      }
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return "";
}

Result<RulesConfig> LoadRulesConfig(const YAML::Node& root, const std::string& path,
                                    const std::set<std::string>& target_names,
                                    const std::set<std::string>& channel_targets) {
  try {
    RulesLoader loader(path, target_names, channel_targets);
    return loader.Load(root);
  } catch (const YAML::Exception& e) {
    return Error{path + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
}

}  // namespace trailwatch::rules
