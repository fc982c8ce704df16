// Numbers in patterns and events: the "comparable" test and the order-preserving key
// (docs/reference/event-patterns.md §3.7, event-ruler ComparableNumber).
//
// The comparable test runs once per number in every event, so it is a single allocation-free pass:
// the JSON grammar is validated while the text is reduced to a normal decimal form (significant
// digits without leading/trailing zeros, plus a power-of-ten exponent). The double is parsed with
// std::from_chars (round to nearest) and its shortest round-trip text from std::to_chars is reduced
// the same way; the text is comparable iff both normal forms are identical. Decimal values are
// compared exactly, never through floating point.
#include "pattern/number.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

#include "common/ascii_digits.h"

namespace trailwatch::pattern {
namespace {

// A shortest round-trip double has at most 17 significant digits, so any text with more
// significant digits cannot be comparable and is rejected without storing them.
constexpr int kMaxSignificantDigits = 17;
// Exponents are saturated here; a value this far out cannot be a finite non-zero double anyway.
constexpr int64_t kExponentClamp = int64_t{1} << 40;

// value = (negative ? -1 : 1) * digits * 10^exponent, digits without leading or trailing zeros.
// Zero has no digits; its sign and exponent are ignored when comparing (-0 equals 0, §3.7).
struct DecimalForm {
  char digits[kMaxSignificantDigits];
  int digit_count = 0;
  int64_t exponent = 0;
  bool negative = false;
  bool too_many_digits = false;

  bool SameValue(const DecimalForm& other) const {
    if (digit_count != other.digit_count) return false;
    if (digit_count == 0) return true;
    return negative == other.negative && exponent == other.exponent &&
           std::memcmp(digits, other.digits, static_cast<size_t>(digit_count)) == 0;
  }
};

// Validates the RFC 8259 number grammar and reduces the text to a DecimalForm. std::to_chars
// output ("300", "0.1", "1e+22", "5e-324") also fits this grammar, so one parser serves both sides.
bool ParseDecimal(std::string_view text, DecimalForm* out) {
  size_t i = 0;
  const size_t n = text.size();
  if (i < n && text[i] == '-') {
    out->negative = true;
    ++i;
  }
  if (i >= n || !IsAsciiDigit(text[i])) return false;

  int64_t pending_zeros = 0;    // zeros after the last non-zero significant digit, not yet stored
  int64_t fraction_digits = 0;  // digits seen after the '.'
  bool seen_nonzero = false;
  auto take_digit = [&](char c) {
    if (c == '0') {
      if (seen_nonzero) ++pending_zeros;
      return;
    }
    seen_nonzero = true;
    if (out->too_many_digits) return;
    if (out->digit_count + pending_zeros + 1 > kMaxSignificantDigits) {
      out->too_many_digits = true;
      return;
    }
    for (; pending_zeros > 0; --pending_zeros) out->digits[out->digit_count++] = '0';
    out->digits[out->digit_count++] = c;
  };

  // Integer part: "0" or [1-9][0-9]*.
  if (text[i] == '0') {
    ++i;
  } else {
    while (i < n && IsAsciiDigit(text[i])) take_digit(text[i++]);
  }
  if (i < n && text[i] == '.') {
    ++i;
    if (i >= n || !IsAsciiDigit(text[i])) return false;
    while (i < n && IsAsciiDigit(text[i])) {
      take_digit(text[i++]);
      ++fraction_digits;
    }
  }
  int64_t written_exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i >= n || !IsAsciiDigit(text[i])) return false;
    while (i < n && IsAsciiDigit(text[i])) {
      if (written_exponent < kExponentClamp)
        written_exponent = written_exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (exp_negative) written_exponent = -written_exponent;
  }
  if (i != n) return false;
  // Trailing zeros that were never stored scale the value by 10 each.
  out->exponent = written_exponent - fraction_digits + pending_zeros;
  if (!out->too_many_digits && out->digit_count == 0) out->negative = false;
  return true;
}

}  // namespace

bool IsJsonNumber(std::string_view text) {
  DecimalForm form;
  return ParseDecimal(text, &form);
}

std::optional<double> ComparableNumber(std::string_view json_number_text) {
  DecimalForm written;
  if (!ParseDecimal(json_number_text, &written) || written.too_many_digits) return std::nullopt;

  double value = 0;
  const char* first = json_number_text.data();
  const char* last = first + json_number_text.size();
  auto [end, ec] = std::from_chars(first, last, value, std::chars_format::general);
  // Overflow ("1e400") and underflow are errors here; either way the text is not comparable.
  if (ec != std::errc() || end != last || !std::isfinite(value)) return std::nullopt;
  if (value == 0) value = 0.0;  // -0.0 -> +0.0 (§3.7)

  // Fast path: any two distinct decimals of at most 15 significant digits (DBL_DIG) in the normal
  // range round to distinct doubles, so such a text is itself the shortest round trip of its
  // double and is comparable. Most event numbers (counts, ids, prices) take this path and skip
  // std::to_chars.
  const int64_t leading_exponent = written.exponent + written.digit_count - 1;
  if (written.digit_count == 0 ||
      (written.digit_count <= 15 && leading_exponent >= -307 && leading_exponent <= 307)) {
    return value;
  }

  char buffer[64];
  // chars_format::scientific without a precision yields the shortest round-trip digits. The
  // plain overload may choose fixed notation, and libstdc++ then prints a large integral double's
  // exact value (2.385041510225271e16 as "23850415102252712"), which is not the shortest form.
  auto [shortest_end, to_ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  if (to_ec != std::errc()) return std::nullopt;
  DecimalForm shortest;
  if (!ParseDecimal(std::string_view(buffer, static_cast<size_t>(shortest_end - buffer)),
                    &shortest)) {
    return std::nullopt;
  }
  if (!written.SameValue(shortest)) return std::nullopt;
  return value;
}

uint64_t OrderedNumberKey(double value) {
  if (value == 0) value = 0.0;  // one key for -0.0 and +0.0
  const uint64_t bits = std::bit_cast<uint64_t>(value);
  constexpr uint64_t kSignBit = uint64_t{1} << 63;
  return (bits & kSignBit) ? ~bits : (bits ^ kSignBit);
}

}  // namespace trailwatch::pattern
