// RuleSpec: one rule of the `rules` section of trailwatch's configuration (issue 5), after packs
// are expanded and routes applied — what the live service evaluates.
//
//   rules:
//     - pack: root-signin                      # built-in pack, expands to its rules
//       targets: [security-slack]
//     - name: iam-policy-changes
//       pattern: {"source": ["aws.iam"], "detail": {"eventName": [{"prefix": "Put"}]}}
//       severity: medium
//       suppress: [{"detail": {"userIdentity": {"arn": [{"suffix": ":role/terraform"}]}}}]
//       targets: [security-slack, siem]
//     - name: console-login-failures
//       pattern: file://rules/login-failure.json
//       threshold: {count: 5, window: 15m, group_by: [detail.sourceIPAddress]}
//       targets: [security-bot]
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <memory>

#include "config/target_reference.h"
#include "pattern/compiled_pattern.h"
#include "route/alert.h"

namespace trailwatch::rules {

struct ThresholdSpec {
  int count = 1;                         // alert when this many matching events ...
  std::chrono::seconds window{15 * 60};  // ... fall within this window ...
  std::vector<std::string> group_by;     // ... and share these values (dotted paths into the event)
};

struct RuleSpec {
  std::string name;          // unique across the configuration
  std::string description;   // packs: what the rule detects; may be empty
  std::string pattern_json;  // EventBridge event pattern text
  route::Severity severity = route::Severity::kHigh;
  std::vector<std::string> suppress_json;  // patterns; an event matching any is dropped
  std::optional<ThresholdSpec> threshold;
  std::vector<std::string> targets;  // target names (rule's own, plus those routes add)
  bool enabled = true;               // import-cfn writes `enabled: false` for disabled AWS rules
  std::string pack;                  // the pack it came from, empty for the user's own rules
  std::string file;                  // where it was defined, for errors
  int line = 0;

  // What the configuration loader produced while checking the rule (rules_config.cpp): the
  // compiled pattern and suppressions (parallel to suppress_json) and the parsed target references
  // (parallel to targets). RuleEngine::Build and route::CompilePipelineRules use them instead of
  // compiling and parsing again; rules made in code (tests, `match`) leave them empty and are
  // compiled there.
  std::shared_ptr<const pattern::CompiledPattern> compiled_pattern;
  std::vector<std::shared_ptr<const pattern::CompiledPattern>> compiled_suppress;
  std::vector<config::TargetReference> target_references;
};

}  // namespace trailwatch::rules
