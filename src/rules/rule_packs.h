// Rule packs: named sets of built-in rules that ship with trailwatch (`pack: root-signin` in the
// config, `trailwatch packs list|show`).
//
// Packs are data, not code: every rule is the EventBridge pattern text a user could have written in
// the `rules` section, so it compiles, matches and reports errors exactly like a user's rule. The
// packs, what each rule matches and how it deviates from the CIS metric filters it ports
// (docs/reference/formats.md §8) are documented in docs/rules.md; each pack has sample events with
// expected results in tests/fixtures/packs/.
//
// Rule names are unique across all packs (a config may use several packs at once).
//
// Thread-safety: immutable static data; safe from any thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "route/alert.h"
#include "rules/rule_spec.h"

namespace trailwatch::rules {

// A pack rule's threshold, as static data (ThresholdSpec holds a vector). count 0 means none.
struct PackThreshold {
  int count = 0;
  int window_seconds = 0;
  std::string_view group_by;  // one dotted path, empty for a single group
};

struct PackRule {
  std::string_view name;
  std::string_view description;
  route::Severity severity;
  std::string_view pattern_json;  // EventBridge event pattern text
  PackThreshold threshold;
};

struct RulePack {
  std::string_view name;
  std::string_view description;
  std::span<const PackRule> rules;
};

// Every pack, in a stable order.
std::span<const RulePack> RulePacks();

// The pack called `name`, or nullptr.
const RulePack* FindRulePack(std::string_view name);

// The rule called `name` in any pack, or nullptr.
const PackRule* FindPackRule(std::string_view name);

// The pack rule as a RuleSpec (pack set to `pack.name`, no targets, enabled).
RuleSpec ToRuleSpec(const RulePack& pack, const PackRule& rule);

// "5 in 15m by detail.sourceIPAddress"-style text for a threshold (also used by `packs show`).
std::string DescribeThreshold(const ThresholdSpec& threshold);

// Seconds as the shortest duration text ParseDuration reads back: 900 -> "15m", 5400 -> "1h30m".
std::string DurationText(long long seconds);

}  // namespace trailwatch::rules
