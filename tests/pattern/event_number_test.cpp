// EventNumber against the reference it shortcuts: whatever Read estimated, Comparable() must equal
// ComparableNumber (docs/reference/event-patterns.md §3.7) and ValueBounds() must hold the
// comparable value, for generated number texts of every shape (shortest round trips of random
// doubles, the same with a digit changed, long and short digit strings, large and small exponents).
#include "pattern/event_number.h"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "pattern/number.h"

namespace trailwatch::pattern {
namespace {

std::string Shortest(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

std::vector<std::string> GeneratedNumbers() {
  std::vector<std::string> texts = {"0",
                                    "-0",
                                    "0.0",
                                    "-0.0",
                                    "0e5",
                                    "0.000e-999",
                                    "1",
                                    "-1",
                                    "100",
                                    "1e2",
                                    "1E+2",
                                    "1.0e2",
                                    "100.000",
                                    "0.1",
                                    "0.3",
                                    "0.30000000000000004",
                                    "0.30000000000000001",
                                    "12345678901234567",
                                    "1234567890123456789012",
                                    "9007199254740991",
                                    "9007199254740992",
                                    "9007199254740993",
                                    "1e22",
                                    "1e23",
                                    "1.7976931348623157e308",
                                    "1e308",
                                    "1e309",
                                    "1e400",
                                    "-1e400",
                                    "5e-324",
                                    "4.9e-324",
                                    "1e-320",
                                    "2.2250738585072014e-308",
                                    "2.225073858507201e-308",
                                    "1e-300",
                                    "1e-301",
                                    "1e300",
                                    "1e301",
                                    "-122.49515016405445",
                                    "37.775924960099545",
                                    "37.7761090665332",
                                    "0.000000000000000000000000000001",
                                    "123456789012345678",
                                    "1.00000000000000000000",
                                    "1000000000000000000000",
                                    "4.35",
                                    "-0.1e-5",
                                    "3.14159265358979323846"};
  std::mt19937_64 random(16);
  auto below = [&](uint64_t n) { return random() % n; };
  for (int i = 0; i < 20000; ++i) {
    // Shortest round trips of random doubles over many magnitudes, and near misses of them.
    double value = std::ldexp(static_cast<double>(random() >> 11) / 9007199254740992.0,
                              static_cast<int>(below(2090)) - 1066);
    if (!std::isfinite(value)) continue;
    if (below(2)) value = -value;
    std::string text = Shortest(value);
    texts.push_back(text);
    std::string changed = text;
    size_t digit = changed.find_last_of("0123456789", changed.find_first_of("eE"));
    if (digit != std::string::npos) {
      changed[digit] = static_cast<char>('0' + (changed[digit] - '0' + 1) % 10);
      texts.push_back(changed);
    }
    texts.push_back(text.find_first_of(".eE") == std::string::npos ? text + ".0" : text + "0");
  }
  for (int i = 0; i < 20000; ++i) {
    // Random digit strings: 1 to 24 digits, a point anywhere, an exponent or not.
    std::string digits;
    size_t count = 1 + below(24);
    for (size_t d = 0; d < count; ++d) digits.push_back(static_cast<char>('0' + below(10)));
    while (digits.size() > 1 && digits[0] == '0') digits.erase(0, 1);
    std::string text = below(3) == 0 ? "-" : "";
    if (digits.size() > 1 && below(2)) {
      size_t point = 1 + below(digits.size() - 1);
      text += digits.substr(0, point) + "." + digits.substr(point);
    } else {
      text += digits;
    }
    if (below(3) == 0) {
      text += below(2) ? "e" : "E";
      text += below(3) == 0 ? "-" : (below(2) ? "+" : "");
      text += std::to_string(below(340));
    }
    texts.push_back(text);
  }
  return texts;
}

TEST(EventNumberTest, AgreesWithComparableNumber) {
  for (const std::string& text : GeneratedNumbers()) {
    const std::optional<double> expected = ComparableNumber(text);
    for (bool wants_value : {true, false}) {
      EventNumber number;
      ASSERT_TRUE(number.Read(text, wants_value)) << text;
      const EventNumber::Bounds bounds = number.ValueBounds(text);
      if (expected) {
        EXPECT_TRUE(bounds.low <= *expected && *expected <= bounds.high)
            << text << " bounds [" << bounds.low << ", " << bounds.high << "]";
      }
      const std::optional<double> comparable = number.Comparable(text);
      ASSERT_EQ(comparable.has_value(), expected.has_value()) << text;
      if (expected) {
        EXPECT_EQ(std::bit_cast<uint64_t>(*comparable), std::bit_cast<uint64_t>(*expected)) << text;
      }
    }
  }
}

TEST(EventNumberTest, ReadAcceptsExactlyTheJsonGrammar) {
  for (const char* text :
       {"",     "-",  "+1", "01",   "-01",   "1.",       ".1",  "1e",  "1e+", "1.e5",
        "0x10", "1 ", " 1", "1..2", "1e5.0", "Infinity", "NaN", "--1", "1-",  "١"}) {
    EventNumber number;
    EXPECT_FALSE(number.Read(text, true)) << text;
    EXPECT_EQ(IsJsonNumber(text), false) << text;
  }
  for (const std::string& text : GeneratedNumbers()) {
    EXPECT_EQ(EventNumber().Read(text, true), IsJsonNumber(text)) << text;
  }
}

TEST(EventNumberTest, NotComparableNumbersHaveEmptyBoundsOnceResolved) {
  EventNumber number;
  ASSERT_TRUE(number.Read("0.30000000000000001", true));
  EXPECT_FALSE(number.Comparable("0.30000000000000001"));
  const EventNumber::Bounds bounds = number.ValueBounds("0.30000000000000001");
  EXPECT_FALSE(bounds.Meets(-1e300, 1e300));
}

}  // namespace
}  // namespace trailwatch::pattern
