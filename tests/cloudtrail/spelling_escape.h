// The prefilter's escape rule, written the slow way: the reference the prefilter's test and fuzz
// target compare cloudtrail::RecordPrefilter against (header-only: the fuzz build links no test
// helpers).
#pragma once

#include <cstddef>
#include <string_view>

namespace trailwatch::cloudtrail::testing {

// True when `text` has a character after an odd run of backslashes that is 'u' or '/': a \uXXXX
// or \/ escape, which could spell a literal in other bytes. Textual, as the prefilter (in valid
// JSON, backslashes only occur inside strings).
inline bool HasSpellingEscape(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '\\') {
      ++i;
      continue;
    }
    size_t run = 0;
    while (i < text.size() && text[i] == '\\') ++run, ++i;
    if (run % 2 == 1 && i < text.size() && (text[i] == 'u' || text[i] == '/')) return true;
  }
  return false;
}

}  // namespace trailwatch::cloudtrail::testing
