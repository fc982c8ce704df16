// A rules file for `trailwatch match`: a JSON or YAML mapping of rule name -> event pattern.
//
//   {"root-signin": {"detail-type": ["AWS Console Sign In via CloudTrail"], ...}}
//
//   root-signin:
//     detail-type: ["AWS Console Sign In via CloudTrail"]
//
// A pattern may also be given as a string holding the pattern's JSON text (as in a CloudFormation
// EventPattern or `aws events put-rule --event-pattern`). JSON patterns are passed to the compiler
// as the exact text from the file, so duplicate keys keep EventBridge's last-wins meaning.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace trailwatch::rules {

struct PatternText {
  std::string name;
  std::string json;  // the pattern's JSON text
  int line = 0;      // 1-based line of the rule in the file (0 when unknown)
};

// The largest rules file LoadRulesFile reads (thousands of rules fit in far less).
inline constexpr size_t kMaxRulesFileBytes = 16 << 20;

// Parses rules from text; `where` names the source in errors. The format is YAML unless the first
// non-blank character is '{' (JSON is also YAML, but the JSON reader keeps duplicate keys exact).
Result<std::vector<PatternText>> ParseRules(std::string_view text, const std::string& where);

// Reads and parses a rules file.
Result<std::vector<PatternText>> LoadRulesFile(const std::string& path);

}  // namespace trailwatch::rules
