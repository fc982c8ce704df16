// Numbers in patterns and events: the "comparable" rule and an order-preserving encoding.
//
// EventBridge (event-ruler) compares numbers as doubles only when the JSON text is exactly
// representable: docs/reference/event-patterns.md §3.7. A number's text is *comparable* iff it
// parses to a finite double d (round to nearest) and its exact decimal value equals the decimal
// value of d's shortest round-trip representation. "300", "3e2", "0.1", "-0" are comparable;
// "12345678901234567", "0.30000000000000001", "1e400" are not. -0.0 is normalised to +0.0.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace trailwatch::pattern {

// The value of a JSON number token: its text as written and, when comparable, its double value.
struct Number {
  std::string text;               // the JSON token exactly as written, e.g. "3.0e2"
  std::optional<double> value;    // set iff the text is comparable; never -0.0
};

// Returns the comparable double for a JSON number token, or nullopt when the text is not a
// comparable number (not exactly representable, out of range, or not a JSON number at all).
std::optional<double> ComparableNumber(std::string_view json_number_text);

// True iff `text` is a syntactically valid JSON number (RFC 8259 grammar).
bool IsJsonNumber(std::string_view text);

// Maps a double to a uint64 whose unsigned order equals the numeric order of the doubles
// (IEEE-754 bits; sign bit flipped for non-negative values, all bits inverted for negative).
// -0.0 and +0.0 map to the same key. NaN is never passed in.
uint64_t OrderedNumberKey(double value);

}  // namespace trailwatch::pattern
