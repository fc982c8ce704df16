// Tests for the comparable-number rule and the order-preserving key
// (docs/reference/event-patterns.md §3.7).
#include "pattern/number.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace trailwatch::pattern {
namespace {

TEST(NumberComparable, SpecExamplesAreComparable) {
  EXPECT_EQ(ComparableNumber("300"), 300.0);
  EXPECT_EQ(ComparableNumber("3e2"), 300.0);
  EXPECT_EQ(ComparableNumber("0.1"), 0.1);
  EXPECT_EQ(ComparableNumber("123456789012"), 123456789012.0);
  const std::optional<double> minus_zero = ComparableNumber("-0");
  ASSERT_TRUE(minus_zero.has_value());
  EXPECT_EQ(*minus_zero, 0.0);
  EXPECT_FALSE(std::signbit(*minus_zero));  // normalised to +0.0
}

TEST(NumberComparable, SpecExamplesAreNotComparable) {
  EXPECT_EQ(ComparableNumber("12345678901234567"), std::nullopt);    // above 2^53, rounds
  EXPECT_EQ(ComparableNumber("0.30000000000000001"), std::nullopt);  // reads as 0.3
  EXPECT_EQ(ComparableNumber("1e400"), std::nullopt);                // overflows
}

TEST(NumberComparable, EquivalentSpellingsGiveTheSameDouble) {
  for (const char* text : {"300.0", "3.0e2", "3E2", "3e+2", "30000e-2", "0.003e5", "300.000"}) {
    EXPECT_EQ(ComparableNumber(text), 300.0) << text;
  }
  EXPECT_EQ(ComparableNumber("-1.5"), -1.5);
  EXPECT_EQ(ComparableNumber("0"), 0.0);
  EXPECT_EQ(ComparableNumber("-0.0e10"), 0.0);
  EXPECT_EQ(ComparableNumber("0e99999999999999999999"), 0.0);  // zero whatever the exponent
}

TEST(NumberComparable, ExactDecimalValueMustEqualShortestRoundTrip) {
  EXPECT_EQ(ComparableNumber("9007199254740992"), 9007199254740992.0);      // 2^53, exact
  EXPECT_EQ(ComparableNumber("9007199254740993"), std::nullopt);            // 2^53 + 1
  EXPECT_EQ(ComparableNumber("0.30000000000000004"), 0.30000000000000004);  // shortest of 0.1+0.2
  EXPECT_EQ(ComparableNumber("1.7976931348623157e308"), std::numeric_limits<double>::max());
  EXPECT_EQ(ComparableNumber("-1.7976931348623157e308"), -std::numeric_limits<double>::max());
  EXPECT_EQ(ComparableNumber("1.7976931348623159e308"), std::nullopt);  // rounds to infinity
  EXPECT_EQ(ComparableNumber("5e-324"), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(ComparableNumber("1e-400"), std::nullopt);  // underflows to 0, not exact
  EXPECT_EQ(ComparableNumber("1e22"), 1e22);
  EXPECT_EQ(ComparableNumber("1e23"), 1e23);  // shortest round trip of the nearest double is 1e+23
  // Eighteen significant digits can never be a shortest representation.
  EXPECT_EQ(ComparableNumber("1.00000000000000001"), std::nullopt);
  EXPECT_EQ(ComparableNumber("0.1000000000000000000000"), 0.1);  // trailing zeros are not digits
}

TEST(NumberComparable, ShortestMeansFewestDigitsNotExactIntegerValue) {
  // The double nearest 2.385041510225271e16 is exactly 23850415102252712; its shortest round-trip
  // text is the 16-digit one, so only that spelling is comparable.
  EXPECT_EQ(ComparableNumber("2.385041510225271e16"), 2.385041510225271e16);
  EXPECT_EQ(ComparableNumber("23850415102252710"), 2.385041510225271e16);
  EXPECT_EQ(ComparableNumber("23850415102252712"), std::nullopt);
  EXPECT_EQ(ComparableNumber("98625232334767640000"), 9.862523233476764e19);
}

TEST(NumberComparable, NonJsonTextIsNotComparable) {
  for (const char* text : {"", "-", "+1", "01", "1.", ".5", "1e", "1e+", "NaN", "inf", "0x10", " 1",
                           "1 ", "1,0", "--1", "\"1\""}) {
    EXPECT_EQ(ComparableNumber(text), std::nullopt) << text;
  }
}

TEST(NumberJson, Rfc8259Grammar) {
  for (const char* text : {"0", "-0", "1", "-1", "10", "0.5", "-0.5", "1e5", "1E5", "1e+5", "1e-5",
                           "1.25e-05", "12345678901234567890123", "0e0"}) {
    EXPECT_TRUE(IsJsonNumber(text)) << text;
  }
  for (const char* text :
       {"",     "-",  "+1",   "00",    "01",       "-01", "1.",  ".1", "1e", "1e-",
        "1.e5", "e5", "1ee5", "1.2.3", "Infinity", "NaN", "0x1", " 0", "0 ", "1_000"}) {
    EXPECT_FALSE(IsJsonNumber(text)) << text;
  }
}

TEST(NumberKey, OrderMatchesNumericOrder) {
  const std::vector<double> ascending = {-std::numeric_limits<double>::infinity(),
                                         -std::numeric_limits<double>::max(),
                                         -5e9,
                                         -1.5,
                                         -std::numeric_limits<double>::denorm_min(),
                                         0.0,
                                         std::numeric_limits<double>::denorm_min(),
                                         0.1,
                                         1.0,
                                         300.0,
                                         5e9,
                                         std::numeric_limits<double>::max(),
                                         std::numeric_limits<double>::infinity()};
  for (size_t i = 0; i + 1 < ascending.size(); ++i) {
    EXPECT_LT(OrderedNumberKey(ascending[i]), OrderedNumberKey(ascending[i + 1])) << i;
  }
}

TEST(NumberKey, ZeroesShareOneKey) {
  EXPECT_EQ(OrderedNumberKey(-0.0), OrderedNumberKey(0.0));
  EXPECT_EQ(OrderedNumberKey(0.0), uint64_t{1} << 63);
  EXPECT_EQ(OrderedNumberKey(1.0), 0xBFF0000000000000u);
  EXPECT_EQ(OrderedNumberKey(-1.0), 0x400FFFFFFFFFFFFFu);
}

}  // namespace
}  // namespace trailwatch::pattern
