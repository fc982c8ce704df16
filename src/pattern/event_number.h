// EventNumber: the value of an event's number leaf, known only as precisely as matching needs.
//
// Numeric matchers (ranges, numeric equality, anything-but numbers) see a number only when its text
// is comparable (docs/reference/event-patterns.md §3.7), and deciding that for a 16- or 17-digit
// number takes a correctly rounded parse plus a shortest round-trip print (ComparableNumber), which
// was the largest cost of walking coordinate arrays. Most such numbers are then found to lie
// nowhere near any bound a rule names, and for that a cheap estimate suffices. So Read() checks the
// grammar and, for fields some numeric matcher reads, computes either the exact value (up to 15
// significant digits and a small exponent: a correctly rounded Clinger fast path, the common case)
// or an estimate with a proven error bound. Matchers ask MayLieWithin() first and call Comparable()
// (which runs ComparableNumber once and remembers the answer) only when the estimate cannot decide.
//
// Thread-safety: part of an EventLeaves (per-thread scratch). The lazily resolved value is mutable
// so that matchers, which see leaves as const, can resolve it on first use.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace trailwatch::pattern {

class EventNumber {
 public:
  // Reads the JSON number token `text`. Returns false when it is not a JSON number (RFC 8259).
  // With `wants_value` (a numeric matcher reads the field), also computes the value or an
  // estimate of it; otherwise the value is resolved from `text` only if someone asks.
  bool Read(std::string_view text, bool wants_value);

  // An interval that holds the comparable value if there is one: a point when the value is
  // exact, empty (low > high) when the text is not comparable, a few ulp wide for an estimate. A
  // matcher whose values or ranges miss it cannot match; one that meets it asks Comparable().
  struct Bounds {
    double low;
    double high;
    // True when [low, high] and [from, to] (both inclusive) overlap.
    bool Meets(double from, double to) const { return low <= high && low <= to && from <= high; }
  };
  Bounds ValueBounds(std::string_view text) const {
    if (state_ == State::kUnread) Resolve(text);
    switch (state_) {
      case State::kComparable:
        return {value_, value_};
      case State::kNotComparable:
        return {1, 0};
      default:
        break;
    }
    const double tolerance = (value_ < 0 ? -value_ : value_) * kEstimateTolerance;
    return {value_ - tolerance, value_ + tolerance};
  }

  // The comparable value (§3.7; never -0.0), or nullopt when the text is not comparable.
  // `text` must be the token given to Read().
  std::optional<double> Comparable(std::string_view text) const;

 private:
  enum class State : uint8_t { kUnread, kEstimate, kComparable, kNotComparable };
  // An estimate is off from the correctly rounded value by at most: the conversion of the
  // significand (1/2 ulp), the table's power of ten (1/2 ulp), the product or quotient (1/2 ulp)
  // and the correct rounding of the text itself (1/2 ulp), i.e. about 2 ulp = 4.4e-16 relative,
  // for results in the normal range (Read keeps |leading exponent| <= 300). The tolerance is
  // twenty times that.
  static constexpr double kEstimateTolerance = 1e-14;
  void Resolve(std::string_view text) const;

  mutable State state_ = State::kUnread;
  // kComparable: the value; kEstimate: within `kEstimateTolerance * |value_|` of the correctly
  // rounded value of the text (which is the comparable value if the text is comparable).
  mutable double value_ = 0;
};

}  // namespace trailwatch::pattern
