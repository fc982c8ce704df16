// EventBridge wildcard values: parsing, matching and event-ruler's complexity measure
// (reference/event-patterns.md §3.10).
#include "pattern/wildcard.h"

#include <algorithm>

namespace trailwatch::pattern {

std::optional<WildcardPattern> WildcardPattern::Parse(std::string_view text, std::string* reason) {
  // Mirrors event-ruler input/WildcardParser.parse(). event-ruler parses the value with its opening
  // quote still attached, so its 0-based byte positions are ours plus one (§3.10: AWS reported
  // pos 26 for "**" at byte offset 25). A trailing '\' sees that closing quote and is invalid.
  WildcardPattern pattern;
  pattern.source_.assign(text);
  std::string current;
  bool star_seen = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '*') {
      if (i + 1 < text.size() && text[i + 1] == '*') {
        if (reason) *reason = "Consecutive wildcard characters at pos " + std::to_string(i + 1);
        return std::nullopt;
      }
      if (current.empty() && !star_seen) {
        pattern.leading_star_ = true;
      } else if (!current.empty()) {
        pattern.segments_.push_back(std::move(current));
        current.clear();
      }
      star_seen = true;
      pattern.trailing_star_ = true;
      continue;
    }
    if (c == '\\') {
      if (i + 1 < text.size() && (text[i + 1] == '*' || text[i + 1] == '\\')) {
        current.push_back(text[++i]);
        pattern.trailing_star_ = false;
        continue;
      }
      if (reason) *reason = "Invalid escape character at pos " + std::to_string(i + 1);
      return std::nullopt;
    }
    current.push_back(c);
    pattern.trailing_star_ = false;
  }
  if (!current.empty()) pattern.segments_.push_back(std::move(current));
  return pattern;
}

bool WildcardPattern::Matches(std::string_view value) const {
  const bool has_star = leading_star_ || trailing_star_ || segments_.size() > 1;
  if (!has_star) return value == (segments_.empty() ? std::string_view() : segments_[0]);

  // With '*' as the only metacharacter, matching each middle segment at its leftmost occurrence
  // is optimal (any later match leaves less room for the rest), so there is no backtracking at
  // all: O(|value| * |pattern|) worst case through string_view::find.
  size_t first = 0;
  size_t last = segments_.size();
  size_t begin = 0;
  size_t end = value.size();
  if (!leading_star_) {
    const std::string& head = segments_[first++];
    if (value.substr(0, head.size()) != head) return false;
    begin = head.size();
  }
  if (!trailing_star_ && last > first) {
    const std::string& tail = segments_[--last];
    if (end - begin < tail.size()) return false;
    if (value.substr(end - tail.size()) != tail) return false;
    end -= tail.size();
  }
  for (size_t k = first; k < last; ++k) {
    const std::string_view window = value.substr(begin, end - begin);
    const size_t at = window.find(segments_[k]);
    if (at == std::string_view::npos) return false;
    begin += at + segments_[k].size();
  }
  return true;
}

int WildcardComplexity(const std::vector<WildcardPattern>& patterns) {
  // Provisional: number of patterns times the stars, until the event-ruler evaluator lands.
  int total = 0;
  for (const WildcardPattern& p : patterns) {
    total += static_cast<int>(p.segments().size()) + (p.leading_star() ? 1 : 0);
  }
  return total;
}

}  // namespace trailwatch::pattern
