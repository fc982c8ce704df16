// Compiles the text of an EventBridge event pattern into a CompiledPattern, or returns the reason
// EventBridge gives for rejecting it (docs/reference/event-patterns.md §1-§2, §3.11, §3.12).
//
// Validation is one pass in document order and the first error met wins, as in event-ruler's
// streaming parser. Duplicate keys: last wins per flattened leaf path; duplicate object keys merge
// field by field.
//
// Thread-safety: CompilePattern is a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "pattern/compiled_pattern.h"
#include "pattern/wildcard.h"

namespace trailwatch::pattern {

struct CompileOptions {
  size_t max_pattern_chars = 2048;     // AWS default quota; E54 beyond it
  size_t max_or_combinations = 1000;   // E53 beyond it
  int max_wildcard_complexity = kDefaultMaxWildcardComplexity;  // E21 beyond it
  size_t max_fields_per_rule = 256;
  size_t max_nesting_depth = 1000;     // deeper JSON is rejected as malformed
};

struct PatternError {
  std::string reason;  // the text after "Reason: ", e.g. "Empty arrays are not allowed"
  // "Event pattern is not valid. Reason: <reason>"
  std::string Message() const { return "Event pattern is not valid. Reason: " + reason; }
};

struct CompileResult {
  bool ok() const { return !error.has_value(); }
  CompiledPattern pattern;             // valid iff ok()
  std::optional<PatternError> error;
};

CompileResult CompilePattern(std::string_view pattern_json, const CompileOptions& options = {});

}  // namespace trailwatch::pattern
