// The `rules` and `routes` sections of trailwatch's configuration file (issue 5), read into
// RuleSpecs with packs expanded and routes applied. Reference: docs/rules.md.
//
//   rules:
//     - pack: cis-aws-foundations          # a built-in pack (rule_packs.h) ...
//       exclude: [cis-3.1-unauthorized-api-calls]   # ... minus some of its rules
//       severity: medium                   # overrides for every rule of the pack:
//       targets: [siem]                    #   targets, severity, enabled, suppress
//       suppress: [{"detail": {"userIdentity": {"arn": [{"suffix": ":role/terraform"}]}}}]
//     - name: iam-policy-changes           # a rule of one's own
//       pattern: {"source": ["aws.iam"]}   # YAML/JSON mapping, JSON text, or file://rel/path.json
//       description: IAM policies changed
//       severity: medium                   # info, low, medium, high (default), critical
//       suppress: [...]                    # patterns; an event matching one is not alerted
//       threshold: {count: 5, window: 15m, group_by: [detail.sourceIPAddress]}
//       targets: [security-slack]
//       enabled: false                     # kept, validated, never evaluated
//   routes:                                # add targets to rules, after all rules are read
//     - rules: ["*"]                       # "*", a rule name, or "pack:NAME" (default ["*"])
//       min_severity: high                 # only rules at or above it (default: all)
//       targets: [pager]
//
// Validation reports EVERY problem, one line each, `file:line:column: rules[3].pattern: <reason>`:
// unknown keys, patterns the compiler rejects (EventBridge's exact reason), unknown packs,
// targets that are not in `targets`, duplicate rule names, bad thresholds, bad routes.
//
// Thread-safety: pure function over its arguments.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "route/alert.h"
#include "common/result.h"
#include "rules/rule_spec.h"

namespace trailwatch::rules {

struct RouteSpec {
  std::vector<std::string> rules;  // "*", a rule name, or "pack:NAME"
  std::optional<route::Severity> min_severity;
  std::vector<std::string> targets;
  int line = 0;
};

struct RulesConfig {
  // In config order; pack rules in pack order at the pack's place. Disabled rules are kept
  // (enabled == false) so that `validate` and `packs` can show them; the engine skips them.
  std::vector<RuleSpec> rules;
  std::vector<RouteSpec> routes;
  // Not errors, worth a log line: e.g. an enabled rule with no target.
  std::vector<std::string> warnings;
};

// Limits that keep a hostile or mistaken config bounded.
inline constexpr int kMaxThresholdCount = 10000;
inline constexpr long kMaxThresholdWindowSeconds = 7L * 24 * 3600;
inline constexpr size_t kMaxGroupByPaths = 8;
inline constexpr size_t kMaxSuppressPatterns = 100;
inline constexpr size_t kMaxPatternFileBytes = 64 * 1024;

// Reads `rules` and `routes` from the parsed config `root` (either may be absent). `path` is the
// config file: it names the file in errors and anchors file:// patterns. `target_names` are the
// names defined in the `targets` section; `channel_targets` those of them that take a Slack
// channel in a reference (`name#C0456789AB`: Slack Web API targets, config/target_reference.h).
// On failure the error holds one line per problem.
Result<RulesConfig> LoadRulesConfig(const YAML::Node& root, const std::string& path,
                                    const std::set<std::string>& target_names,
                                    const std::set<std::string>& channel_targets = {});

// Whether `name` may name a rule: 1-128 letters, digits, '_', '-' or '.'.
bool IsValidRuleName(const std::string& name);

// Checks a group_by path ("detail.sourceIPAddress"): "" when fine, else the reason.
std::string CheckGroupByPath(const std::string& path);

}  // namespace trailwatch::rules
