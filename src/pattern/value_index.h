// ValueIndex: from one automaton state, the transitions taken on the value of one field.
//
// Each entry maps a matcher (from some pattern's OR-list) to the next states. Exact values,
// prefixes, suffixes and their ASCII ignore-case forms are found by hash lookups, so the cost of
// evaluating a leaf does not grow with the number of such matchers; wildcards, numeric ranges,
// cidr blocks, anything-but and non-ASCII ignore-case forms are evaluated one by one (they are
// rare in practice; see docs/patterns.md).
//
// Thread-safety: immutable after the PatternSet is built; Evaluate may run on many threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/string_hash.h"
#include "pattern/case_folding.h"
#include "pattern/compiled_pattern.h"
#include "pattern/event_leaves.h"

namespace trailwatch::pattern {

using StateList = std::vector<uint32_t>;

class ValueIndex {
 public:
  // Adds `matcher` with next state `target`. exists:false is not a value transition and must not
  // be passed here.
  void Add(const Matcher& matcher, uint32_t target);

  // Appends to *out the next states of every matcher that the leaf satisfies (may repeat).
  // `scratch` is per-thread working memory.
  void Evaluate(const Leaf& leaf, std::string* scratch, StateList* out) const;

 private:
  using StringMap = std::unordered_map<std::string, StateList, StringHash, std::equal_to<>>;
  // Values keyed by content, probed once per distinct length (prefixes and suffixes).
  struct AffixMap {
    StringMap by_value;
    std::vector<size_t> lengths;  // sorted, distinct
    void Add(std::string value, uint32_t target);
    void Probe(std::string_view text, bool suffix, StateList* out) const;
  };
  struct FoldedEntry {
    enum class Kind { kEquals, kPrefix, kSuffix } kind;
    FoldedPattern pattern;
    uint32_t target;
  };
  struct AnythingButEntry {
    AnythingBut matcher;
    std::vector<FoldedPattern> folded;  // kEqualsIgnoreCase
    std::vector<double> numbers;        // comparable values of kValues numbers
    uint32_t target;
    bool Satisfied(const Leaf& leaf) const;
  };

  void EvaluateString(std::string_view text, std::string* scratch, StateList* out) const;
  void EvaluateNumber(const Leaf& leaf, StateList* out) const;

  StringMap exact_;
  std::unordered_map<std::string, StateList, StringHash, std::equal_to<>> exact_ip_;  // 17-byte key
  std::unordered_map<uint64_t, StateList> number_equal_;  // OrderedNumberKey of comparable values
  std::vector<double> equal_values_;  // the keys' values, sorted, to test estimates against
  StringMap number_text_;             // non-comparable literals, by text
  StateList on_true_, on_false_, on_null_, on_any_;
  AffixMap prefix_, suffix_, prefix_folded_, suffix_folded_;
  StringMap equals_folded_;  // ASCII-only equals-ignore-case, keyed by AsciiLower
  std::vector<FoldedEntry> folded_;
  std::vector<std::pair<WildcardPattern, uint32_t>> wildcards_;
  std::vector<std::pair<NumericRange, uint32_t>> ranges_;
  // Per range, its bounds as plain doubles (±infinity when open, inclusive): the test an
  // estimated event number goes through first, before its exact value is computed.
  struct RangeHull {
    double low;
    double high;
  };
  std::vector<RangeHull> range_hulls_;
  std::vector<std::pair<CidrBlock, uint32_t>> cidrs_;
  std::vector<AnythingButEntry> anything_buts_;
};

}  // namespace trailwatch::pattern
