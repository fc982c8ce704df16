// Case-insensitive matching with event-ruler's semantics (docs/reference/event-patterns.md §3.8).
//
// Only the pattern is expanded; the event is never folded. For each UTF-16 unit c of the pattern,
// the event must contain either lower(c) or upper(c), where lower/upper are Java's
// toLowerCase/toUpperCase(Locale.ROOT) of the one-character string (full mappings: may change
// length, e.g. upper("ß") = "SS"). So "ß" matches "ß" and "SS" but not "ss". For ASCII this is the
// usual A-Z/a-z equivalence. Supplementary characters (outside the BMP) are matched exactly
// (a trailwatch decision; event-ruler folds surrogates separately).
//
// Thread-safety: a FoldedPattern is immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trailwatch::pattern {

// A pattern string expanded into, per character, the set of UTF-8 byte strings that may stand for
// it in an event.
class FoldedPattern {
 public:
  explicit FoldedPattern(std::string_view pattern_utf8);

  bool ascii_only() const { return ascii_only_; }
  // For ASCII-only patterns: the pattern with A-Z lowered; an event value then matches iff its
  // AsciiLower() equals (or starts/ends with) this key.
  const std::string& ascii_key() const { return ascii_key_; }

  bool Equals(std::string_view value) const;      // whole value
  bool IsPrefixOf(std::string_view value) const;  // value starts with the pattern
  bool IsSuffixOf(std::string_view value) const;  // value ends with the pattern

 private:
  std::vector<size_t> ForwardEnds(std::string_view value) const;
  std::vector<std::vector<std::string>> alternatives_;  // per pattern character
  std::string ascii_key_;
  bool ascii_only_ = true;
};

// Lowers A-Z only; every other byte is unchanged.
std::string AsciiLower(std::string_view text);

}  // namespace trailwatch::pattern
