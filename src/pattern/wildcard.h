// EventBridge wildcard values: grammar, matching and the complexity limit
// (docs/reference/event-patterns.md §3.10).
//
// Grammar: literal bytes and '*'; "\*" is a literal '*', "\\" a literal '\'; any other escape or a
// trailing '\' is invalid (E20); "**" is invalid (E19). Positions in those errors are the 0-based
// UTF-8 byte offset plus 1 (event-ruler prefixes a quote). Matching is an anchored, byte-wise,
// case-sensitive full match; '*' matches any run, including an empty one.
//
// Thread-safety: a WildcardPattern is immutable after Parse; Matches may run on many threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trailwatch::pattern {

class WildcardPattern {
 public:
  // Parses the (JSON-unescaped) wildcard value. On failure, returns nullopt and sets *reason to
  // the exact EventBridge reason text ("Consecutive wildcard characters at pos N",
  // "Invalid escape character at pos N").
  static std::optional<WildcardPattern> Parse(std::string_view text, std::string* reason);

  // Anchored full match of `value` (unescaped UTF-8 bytes). Linear-time in |value| x |pattern|
  // worst case, never exponential.
  bool Matches(std::string_view value) const;

  // The literal segments between stars; stars_ are between consecutive segments, plus possibly
  // leading/trailing. Exposed for the complexity evaluator and for tests.
  const std::vector<std::string>& segments() const { return segments_; }
  bool leading_star() const { return leading_star_; }
  bool trailing_star() const { return trailing_star_; }
  const std::string& source() const { return source_; }

 private:
  std::string source_;                 // the value as written (unescaped JSON, escapes kept)
  std::vector<std::string> segments_;  // literal runs, escapes resolved
  bool leading_star_ = false;
  bool trailing_star_ = false;
};

// event-ruler's wildcard complexity: the maximum number of wildcard-pattern prefixes that can be
// live at once for a worst-case input, over a machine built from all the given wildcard values
// (the wildcard and anything-but wildcard values of one pattern field).
int WildcardComplexity(const std::vector<WildcardPattern>& patterns);

// The score is computed up to this value; anything at or above it is reported as the cap.
inline constexpr int kWildcardComplexityEvaluationCap = 1000;

// WildcardComplexity with an explicit cap: returns min(cap, complexity), stopping early once the
// cap is reached (pass max_allowed + 1 to test a limit cheaply). `json_quoted` wraps each value
// in '"' as event-ruler does for JSON rules (the default above); false evaluates the values as
// written, like event-ruler's ByteMachine-level tests. A field whose evaluation would exceed a
// fixed work budget (event-ruler#269) is reported as `cap`.
int WildcardComplexity(const std::vector<WildcardPattern>& patterns, int cap, bool json_quoted);

// Default limit, calibrated so that AWS's observed accept/reject examples hold (see wildcard.cpp).
// A field is too complex (E21) when WildcardComplexity(...) > kDefaultMaxWildcardComplexity.
inline constexpr int kDefaultMaxWildcardComplexity = 10;

}  // namespace trailwatch::pattern
