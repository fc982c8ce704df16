// ASCII decimal digits, as the formats trailwatch reads define them: '0' to '9' and nothing else
// (JSON numbers, IP literals, the dates in CloudTrail object keys and folder names, config values).
// std::isdigit is not a substitute: its answer depends on the C locale, and it is undefined for a
// negative char (any UTF-8 byte above 0x7F).
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace trailwatch {

constexpr bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// True when `text` is not empty and every character is an ASCII digit.
constexpr bool AllAsciiDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsAsciiDigit(c)) return false;
  }
  return true;
}

}  // namespace trailwatch
