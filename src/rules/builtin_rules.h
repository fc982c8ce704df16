// Built-in rules: event patterns that ship with trailwatch, by name.
//
// These are data, not code: each rule is the EventBridge pattern text a user could have written
// in a rules file, so it compiles and matches exactly like one. `trailwatch scan` uses
// kDefaultScanRule when neither --pattern nor --rules is given. The rules are those of the rule
// packs (rule_packs.h), which hold the one definition of each; this is their flat, by-name view.
//
// Thread-safety: immutable static data; safe from any thread.
#pragma once

#include <span>
#include <string_view>

namespace trailwatch::rules {

struct BuiltinRule {
  std::string_view name;
  std::string_view description;
  std::string_view pattern_json;  // EventBridge event pattern text
};

// The rule `trailwatch scan` runs when no rule is given: root console sign-ins.
inline constexpr std::string_view kDefaultScanRule = "root-signin";

// Every built-in rule (every rule of every pack), in a stable order.
std::span<const BuiltinRule> BuiltinRules();

// The built-in rule called `name`, or nullptr.
const BuiltinRule* FindBuiltinRule(std::string_view name);

}  // namespace trailwatch::rules
