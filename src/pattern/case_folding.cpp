// Case-insensitive matching with event-ruler's semantics (docs/reference/event-patterns.md §3.8).
//
// Each pattern character becomes a small set of byte strings (its lower and upper case forms);
// an event value matches when it can be cut into one alternative per pattern character. Because
// alternatives differ in length ("ß" vs "SS"), matching tracks the *set* of value positions
// reachable after each pattern character (a position-set DP, O(|pattern| x |value|) at worst),
// never a backtracking search.
#include "pattern/case_folding.h"

#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>

namespace trailwatch::pattern {
namespace {

inline char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Java's String.toLowerCase/toUpperCase(Locale.ROOT) of a one-unit string: ICU's full case
// mapping in the root locale gives the same results (SpecialCasing unconditional entries, e.g.
// upper("ß") = "SS", lower("İ") = "i̇"). Returns UTF-8; on any ICU error, the character itself.
std::string MapCase(UChar unit, bool upper) {
  UChar out[8];
  UErrorCode status = U_ZERO_ERROR;
  const int32_t len = upper ? u_strToUpper(out, 8, &unit, 1, "", &status)
                            : u_strToLower(out, 8, &unit, 1, "", &status);
  std::string utf8;
  if (U_FAILURE(status) || len <= 0 || len > 8) out[0] = unit;
  const int32_t count = (U_FAILURE(status) || len <= 0 || len > 8) ? 1 : len;
  char buffer[32];
  int32_t written = 0;
  UErrorCode convert = U_ZERO_ERROR;
  u_strToUTF8(buffer, sizeof buffer, &written, out, count, &convert);
  if (U_SUCCESS(convert)) utf8.assign(buffer, static_cast<size_t>(written));
  return utf8;
}

// Returns the value positions reachable from `from` by consuming one alternative (forward).
void StepForward(std::string_view value, const std::vector<std::string>& alternatives,
                 const std::vector<size_t>& from, std::vector<size_t>* to) {
  to->clear();
  for (size_t pos : from) {
    for (const std::string& alt : alternatives) {
      if (value.size() - pos >= alt.size() && value.compare(pos, alt.size(), alt) == 0) {
        to->push_back(pos + alt.size());
      }
    }
  }
  std::sort(to->begin(), to->end());
  to->erase(std::unique(to->begin(), to->end()), to->end());
}

// Same, consuming one alternative that ends at each position (backward, for suffixes).
void StepBackward(std::string_view value, const std::vector<std::string>& alternatives,
                  const std::vector<size_t>& from, std::vector<size_t>* to) {
  to->clear();
  for (size_t pos : from) {
    for (const std::string& alt : alternatives) {
      if (pos >= alt.size() && value.compare(pos - alt.size(), alt.size(), alt) == 0) {
        to->push_back(pos - alt.size());
      }
    }
  }
  std::sort(to->begin(), to->end());
  to->erase(std::unique(to->begin(), to->end()), to->end());
}

}  // namespace

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

FoldedPattern::FoldedPattern(std::string_view pattern_utf8) {
  ascii_only_ = std::all_of(pattern_utf8.begin(), pattern_utf8.end(),
                            [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii_only_) {
    ascii_key_ = AsciiLower(pattern_utf8);
    alternatives_.reserve(pattern_utf8.size());
    for (char c : pattern_utf8) {
      const char lower = LowerAscii(c);
      const char upper = (lower >= 'a' && lower <= 'z') ? static_cast<char>(lower - 32) : lower;
      if (lower == upper) {
        alternatives_.push_back({std::string(1, c)});
      } else {
        alternatives_.push_back({std::string(1, lower), std::string(1, upper)});
      }
    }
    return;
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(pattern_utf8.data());
  const auto length = static_cast<int32_t>(pattern_utf8.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    const std::string exact(
        pattern_utf8.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
    if (c < 0 || c > 0xFFFF) {
      // Invalid UTF-8 bytes and supplementary characters are matched exactly (§3.8, TW).
      alternatives_.push_back({exact});
      continue;
    }
    std::string lower = MapCase(static_cast<UChar>(c), false);
    std::string upper = MapCase(static_cast<UChar>(c), true);
    if (lower == upper) {
      alternatives_.push_back({std::move(lower)});
    } else {
      alternatives_.push_back({std::move(lower), std::move(upper)});
    }
  }
}

std::vector<size_t> FoldedPattern::ForwardEnds(std::string_view value) const {
  // Positions of `value` where a match of the whole pattern from position 0 can end (sorted).
  std::vector<size_t> current{0};
  std::vector<size_t> next;
  for (const auto& alternatives : alternatives_) {
    StepForward(value, alternatives, current, &next);
    current.swap(next);
    if (current.empty()) break;
  }
  return current;
}

bool FoldedPattern::Equals(std::string_view value) const {
  if (ascii_only_) {
    if (value.size() != ascii_key_.size()) return false;
    for (size_t i = 0; i < value.size(); ++i) {
      if (LowerAscii(value[i]) != ascii_key_[i]) return false;
    }
    return true;
  }
  const std::vector<size_t> ends = ForwardEnds(value);
  return std::binary_search(ends.begin(), ends.end(), value.size());
}

bool FoldedPattern::IsPrefixOf(std::string_view value) const {
  if (ascii_only_) {
    if (value.size() < ascii_key_.size()) return false;
    for (size_t i = 0; i < ascii_key_.size(); ++i) {
      if (LowerAscii(value[i]) != ascii_key_[i]) return false;
    }
    return true;
  }
  return !ForwardEnds(value).empty();
}

bool FoldedPattern::IsSuffixOf(std::string_view value) const {
  if (ascii_only_) {
    if (value.size() < ascii_key_.size()) return false;
    const size_t offset = value.size() - ascii_key_.size();
    for (size_t i = 0; i < ascii_key_.size(); ++i) {
      if (LowerAscii(value[offset + i]) != ascii_key_[i]) return false;
    }
    return true;
  }
  std::vector<size_t> current{value.size()};
  std::vector<size_t> next;
  for (auto it = alternatives_.rbegin(); it != alternatives_.rend(); ++it) {
    StepBackward(value, *it, current, &next);
    current.swap(next);
    if (current.empty()) return false;
  }
  return true;
}

}  // namespace trailwatch::pattern
