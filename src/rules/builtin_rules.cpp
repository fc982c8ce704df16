#include "rules/builtin_rules.h"

#include <array>

namespace trailwatch::rules {

namespace {

// root-signin: any console sign-in by the root user, successful or not.
//  * Both detail-type spellings: real events say "AWS Console Sign In via CloudTrail", the
//    EventBridge documentation lists "AWS Console Signin via CloudTrail" (formats.md §3.2).
//  * No condition on responseElements.ConsoleLogin, so failed sign-ins (which current CloudTrail
//    records, formats.md §2.2 "History") match too.
constexpr std::string_view kRootSignin =
    R"({"detail-type":["AWS Console Sign In via CloudTrail","AWS Console Signin via CloudTrail"],)"
    R"("detail":{"userIdentity":{"type":["Root"]}}})";

constexpr std::array<BuiltinRule, 1> kRules = {{
    {"root-signin", "console sign-in (success or failure) by the root user", kRootSignin},
}};

}  // namespace

std::span<const BuiltinRule> BuiltinRules() { return kRules; }

const BuiltinRule* FindBuiltinRule(std::string_view name) {
  for (const BuiltinRule& rule : kRules) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

}  // namespace trailwatch::rules
