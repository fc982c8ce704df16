#include "rules/builtin_rules.h"

#include <vector>

#include "rules/rule_packs.h"

namespace trailwatch::rules {

namespace {

// One definition: the built-in rules are the rules of the packs (rule_packs.cpp), viewed as
// BuiltinRule. Built once, on first use (thread-safe static initialisation), never changed.
const std::vector<BuiltinRule>& Table() {
  static const std::vector<BuiltinRule> table = [] {
    std::vector<BuiltinRule> rules;
    for (const RulePack& pack : RulePacks()) {
      for (const PackRule& rule : pack.rules) {
        rules.push_back({rule.name, rule.description, rule.pattern_json});
      }
    }
    return rules;
  }();
  return table;
}

}  // namespace

std::span<const BuiltinRule> BuiltinRules() { return Table(); }

const BuiltinRule* FindBuiltinRule(std::string_view name) {
  for (const BuiltinRule& rule : Table()) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

}  // namespace trailwatch::rules
