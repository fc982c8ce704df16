#include "pattern/event_number.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "common/ascii_digits.h"
#include "pattern/number.h"

namespace trailwatch::pattern {
namespace {

// Powers of ten as the compiler rounds the literals (correctly rounded). 1e0..1e22 are exact.
constexpr double kPow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29,
    1e30, 1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38, 1e39,
    1e40, 1e41, 1e42, 1e43, 1e44, 1e45, 1e46, 1e47, 1e48, 1e49,
    1e50, 1e51, 1e52, 1e53, 1e54, 1e55, 1e56, 1e57, 1e58, 1e59,
    1e60, 1e61, 1e62, 1e63, 1e64, 1e65, 1e66, 1e67, 1e68, 1e69,
    1e70, 1e71, 1e72, 1e73, 1e74, 1e75, 1e76, 1e77, 1e78, 1e79,
    1e80, 1e81, 1e82, 1e83, 1e84, 1e85, 1e86, 1e87, 1e88, 1e89,
    1e90, 1e91, 1e92, 1e93, 1e94, 1e95, 1e96, 1e97, 1e98, 1e99,
    1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107, 1e108, 1e109,
    1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119,
    1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129,
    1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139,
    1e140, 1e141, 1e142, 1e143, 1e144, 1e145, 1e146, 1e147, 1e148, 1e149,
    1e150, 1e151, 1e152, 1e153, 1e154, 1e155, 1e156, 1e157, 1e158, 1e159,
    1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167, 1e168, 1e169,
    1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179,
    1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189,
    1e190, 1e191, 1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199,
    1e200, 1e201, 1e202, 1e203, 1e204, 1e205, 1e206, 1e207, 1e208, 1e209,
    1e210, 1e211, 1e212, 1e213, 1e214, 1e215, 1e216, 1e217, 1e218, 1e219,
    1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227, 1e228, 1e229,
    1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239,
    1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249,
    1e250, 1e251, 1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259,
    1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266, 1e267, 1e268, 1e269,
    1e270, 1e271, 1e272, 1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279,
    1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287, 1e288, 1e289,
    1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299,
    1e300,
};
constexpr int kMaxExactPow10 = 22;
constexpr int kMaxEstimatePow10 = 300;
// Up to 19 decimal digits always fit in a uint64_t.
constexpr int kMaxSignificandDigits = 19;

// One pass over a number token: the RFC 8259 grammar, and value = ±significand * 10^exponent when
// the significant digits (leading zeros dropped, trailing zeros kept) fit in kMaxSignificandDigits.
struct DecimalScan {
  uint64_t significand = 0;
  int digits = 0;  // digits in `significand`, from the first non-zero one
  int64_t exponent = 0;
  bool negative = false;
  bool too_long = false;  // more significant digits than fit: value not represented
};

// Eight ASCII bytes at `p` (little-endian load): whether all are digits, and their value. Coordinates
// have 14 or more digits after the point; taking eight at a time halves the scan (the SWAR steps
// of simdjson and fast_float).
bool EightDigits(const char* p, uint32_t* value) {
  if constexpr (std::endian::native != std::endian::little) return false;
  uint64_t chunk;
  std::memcpy(&chunk, p, sizeof chunk);
  if (((chunk & 0xF0F0F0F0F0F0F0F0) |
       (((chunk + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) != 0x3333333333333333) {
    return false;
  }
  chunk -= 0x3030303030303030;
  chunk = (chunk * 10) + (chunk >> 8);
  constexpr uint64_t kMask = 0x000000FF000000FF;
  constexpr uint64_t kMul1 = 0x000F424000000064;  // 100 + (1000000 << 32)
  constexpr uint64_t kMul2 = 0x0000271000000001;  // 1 + (10000 << 32)
  *value = static_cast<uint32_t>(
      (((chunk & kMask) * kMul1) + (((chunk >> 16) & kMask) * kMul2)) >> 32);
  return true;
}

// Appends runs of eight digits to the significand while they fit; returns how many were taken.
int TakeEightDigitRuns(const char*& p, const char* end, DecimalScan* s) {
  int taken = 0;
  uint32_t eight = 0;
  while (end - p >= 8 && s->digits + 8 <= kMaxSignificandDigits && EightDigits(p, &eight)) {
    s->significand = s->significand * 100000000 + eight;
    s->digits += 8;
    taken += 8;
    p += 8;
  }
  return taken;
}

bool ScanNumber(std::string_view text, DecimalScan* s) {
  const char* p = text.data();
  const char* const end = p + text.size();
  if (p != end && *p == '-') {
    s->negative = true;
    ++p;
  }
  if (p == end || !IsAsciiDigit(*p)) return false;
  if (*p == '0') {
    ++p;  // "0" alone: JSON has no leading zeros, so a digit after it fails below
  } else {
    TakeEightDigitRuns(p, end, s);
    for (; p != end && IsAsciiDigit(*p); ++p) {
      if (s->digits < kMaxSignificandDigits) {
        s->significand = s->significand * 10 + static_cast<uint64_t>(*p - '0');
        ++s->digits;
      } else {
        s->too_long = true;
      }
    }
  }
  if (p != end && *p == '.') {
    ++p;
    if (p == end || !IsAsciiDigit(*p)) return false;
    if (s->digits == 0) {
      for (; p != end && *p == '0'; ++p) --s->exponent;  // leading zeros only shift the value
    }
    s->exponent -= TakeEightDigitRuns(p, end, s);  // starts at a non-zero digit or a non-digit
    for (; p != end && IsAsciiDigit(*p); ++p) {
      if (s->digits == 0 && *p == '0') {
        --s->exponent;  // a leading zero of the fraction only shifts the value
      } else if (s->digits < kMaxSignificandDigits) {
        s->significand = s->significand * 10 + static_cast<uint64_t>(*p - '0');
        ++s->digits;
        --s->exponent;
      } else {
        s->too_long = true;
      }
    }
  }
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool exponent_negative = false;
    if (p != end && (*p == '+' || *p == '-')) exponent_negative = *p++ == '-';
    if (p == end || !IsAsciiDigit(*p)) return false;
    int64_t written = 0;
    for (; p != end && IsAsciiDigit(*p); ++p) {
      if (written < (int64_t{1} << 40)) written = written * 10 + (*p - '0');  // saturates
    }
    s->exponent += exponent_negative ? -written : written;
  }
  return p == end;
}

}  // namespace

bool EventNumber::Read(std::string_view text, bool wants_value) {
  DecimalScan scan;
  if (!ScanNumber(text, &scan)) return false;
  state_ = State::kUnread;
  if (!wants_value || scan.too_long) return true;  // resolved from the text if ever needed
  if (scan.significand == 0) {
    state_ = State::kComparable;  // every spelling of zero, -0 included, is comparable 0 (§3.7)
    value_ = 0;
    return true;
  }
  const int64_t e = scan.exponent;
  double value = static_cast<double>(scan.significand);
  if (scan.digits <= 15 && e >= -kMaxExactPow10 && e <= kMaxExactPow10) {
    // Exact: a significand below 2^53 and a power of ten that are both exact doubles give a
    // correctly rounded product or quotient (Clinger), and distinct decimals of at most 15
    // significant digits round to distinct doubles, so the text is its double's shortest
    // round trip: comparable, as ComparableNumber would find.
    value = e < 0 ? value / kPow10[-e] : value * kPow10[e];
    state_ = State::kComparable;
    value_ = scan.negative ? -value : value;
    return true;
  }
  const int64_t leading = e + scan.digits - 1;
  if (e >= -kMaxEstimatePow10 && e <= kMaxEstimatePow10 && leading >= -kMaxEstimatePow10 &&
      leading <= kMaxEstimatePow10) {
    value = e < 0 ? value / kPow10[-e] : value * kPow10[e];
    state_ = State::kEstimate;
    value_ = scan.negative ? -value : value;
  }
  return true;
}

void EventNumber::Resolve(std::string_view text) const {
  if (std::optional<double> comparable = ComparableNumber(text)) {
    state_ = State::kComparable;
    value_ = *comparable;
  } else {
    state_ = State::kNotComparable;
  }
}

std::optional<double> EventNumber::Comparable(std::string_view text) const {
  if (state_ == State::kUnread || state_ == State::kEstimate) Resolve(text);
  if (state_ == State::kNotComparable) return std::nullopt;
  return value_;
}

}  // namespace trailwatch::pattern
