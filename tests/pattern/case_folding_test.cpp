// Tests for event-ruler-compatible case-insensitive matching (docs/reference/event-patterns.md
// §3.8).
#include "pattern/case_folding.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace trailwatch::pattern {
namespace {

TEST(CaseFoldingAscii, EqualsPrefixSuffix) {
  const FoldedPattern p("EventB");
  EXPECT_TRUE(p.ascii_only());
  EXPECT_EQ(p.ascii_key(), "eventb");
  EXPECT_TRUE(p.Equals("eventb"));
  EXPECT_TRUE(p.Equals("EVENTB"));
  EXPECT_TRUE(p.Equals("eVeNtB"));
  EXPECT_FALSE(p.Equals("eventbridge"));
  EXPECT_FALSE(p.Equals("event"));
  EXPECT_TRUE(p.IsPrefixOf("EventBridge"));
  EXPECT_TRUE(p.IsPrefixOf("EVENTB"));
  EXPECT_FALSE(p.IsPrefixOf("Event"));
  EXPECT_FALSE(p.IsPrefixOf("xEventB"));
  EXPECT_TRUE(p.IsSuffixOf("AmazonEventB"));
  EXPECT_FALSE(p.IsSuffixOf("EventBx"));
}

TEST(CaseFoldingAscii, OnlyLettersFold) {
  const FoldedPattern p("a-1_[@");
  EXPECT_TRUE(p.Equals("A-1_[@"));
  EXPECT_FALSE(p.Equals("A-1_{@"));  // '[' and '{' differ by 0x20 but are not letters
  EXPECT_FALSE(p.Equals("A-1_[`"));
  EXPECT_FALSE(FoldedPattern("k").Equals("\xe2\x84\xaa"));  // KELVIN SIGN: the event is not folded
}

TEST(CaseFoldingAscii, EmptyPattern) {
  const FoldedPattern p("");
  EXPECT_TRUE(p.Equals(""));
  EXPECT_FALSE(p.Equals("a"));
  EXPECT_TRUE(p.IsPrefixOf("anything"));
  EXPECT_TRUE(p.IsSuffixOf("anything"));
}

TEST(CaseFoldingUnicode, SharpSMatchesItselfAndUpperSsButNotLowerSs) {
  const FoldedPattern p("\xc3\x9f");  // ß
  EXPECT_FALSE(p.ascii_only());
  EXPECT_TRUE(p.Equals("\xc3\x9f"));
  EXPECT_TRUE(p.Equals("SS"));
  EXPECT_FALSE(p.Equals("ss"));
  EXPECT_FALSE(p.Equals("Ss"));
  EXPECT_FALSE(p.Equals("S"));

  const FoldedPattern street(
      "Stra\xc3\x9f"
      "e");  // Straße
  EXPECT_TRUE(street.Equals("STRASSE"));
  EXPECT_TRUE(
      street.Equals("stra\xc3\x9f"
                    "e"));
  EXPECT_FALSE(street.Equals("strasse"));
  EXPECT_TRUE(street.IsPrefixOf("STRASSENBAHN"));
  EXPECT_TRUE(street.IsSuffixOf("HAUPTSTRASSE"));
  EXPECT_TRUE(
      street.IsSuffixOf("Hauptstra\xc3\x9f"
                        "e"));
  EXPECT_FALSE(street.IsSuffixOf("HAUPTSTRASE"));
}

TEST(CaseFoldingUnicode, TitleCaseDzMatchesLowerAndUpperButNotItself) {
  const FoldedPattern p("\xc7\x85");  // ǅ U+01C5
  EXPECT_TRUE(p.Equals("\xc7\x86"));  // ǆ U+01C6
  EXPECT_TRUE(p.Equals("\xc7\x84"));  // Ǆ U+01C4
  EXPECT_FALSE(p.Equals("\xc7\x85"));
  EXPECT_FALSE(p.Equals("DZ"));
}

TEST(CaseFoldingUnicode, GreekAndCyrillic) {
  const FoldedPattern sigma("\xcf\x83");   // σ
  EXPECT_TRUE(sigma.Equals("\xce\xa3"));   // Σ
  EXPECT_FALSE(sigma.Equals("\xcf\x82"));  // ς is not a case form of σ under toUpper/toLower
  const FoldedPattern moscow("\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0");  // Москва
  EXPECT_TRUE(moscow.Equals("\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0"));  // москва
  EXPECT_TRUE(moscow.Equals("\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90"));  // МОСКВА
}

TEST(CaseFoldingUnicode, DottedCapitalILowersToTwoCharacters) {
  // Java "İ".toLowerCase(Locale.ROOT) is "i̇" (i + U+0307 COMBINING DOT ABOVE).
  const FoldedPattern p("\xc4\xb0");
  EXPECT_TRUE(p.Equals("\xc4\xb0"));
  EXPECT_TRUE(p.Equals("i\xcc\x87"));
  EXPECT_FALSE(p.Equals("i"));
  EXPECT_FALSE(p.Equals("I"));
}

TEST(CaseFoldingUnicode, MixedAsciiAndNonAscii) {
  const FoldedPattern p("Caf\xc3\xa9");  // Café
  EXPECT_TRUE(p.Equals("CAF\xc3\x89"));  // CAFÉ
  EXPECT_TRUE(p.Equals("caf\xc3\xa9"));
  EXPECT_FALSE(p.Equals("cafe"));
  EXPECT_TRUE(p.IsPrefixOf("caf\xc3\xa9-bar"));
  EXPECT_TRUE(p.IsSuffixOf("le CAF\xc3\x89"));
}

TEST(CaseFoldingUnicode, SupplementaryCharactersMatchExactly) {
  const FoldedPattern p("\xf0\x90\x90\x80");  // 𐐀 U+10400 DESERET CAPITAL LONG I
  EXPECT_TRUE(p.Equals("\xf0\x90\x90\x80"));
  EXPECT_FALSE(p.Equals("\xf0\x90\x90\xa8"));  // its lower case U+10428: not folded (TW)
}

TEST(CaseFoldingUnicode, AlternativesOfDifferentLengthsStayPolynomial) {
  // Each ß may stand for 2 or 2 bytes and each pattern character has two forms; a naive search
  // would branch 2^n times on a near-miss.
  std::string pattern;
  std::string value;
  for (int i = 0; i < 2000; ++i) {
    pattern += "\xc3\x9f";
    value += (i % 2 == 0) ? "SS" : "\xc3\x9f";
  }
  const FoldedPattern p(pattern);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(p.Equals(value));
  EXPECT_FALSE(p.Equals(value + "x"));
  EXPECT_TRUE(p.IsPrefixOf(value + "x"));
  EXPECT_TRUE(p.IsSuffixOf("x" + value));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(CaseFoldingAsciiLower, LowersOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("Hello, World! 123"), "hello, world! 123");
  EXPECT_EQ(AsciiLower("@[`{"), "@[`{");
  EXPECT_EQ(AsciiLower("\xc3\x89T\xc3\x89"), "\xc3\x89t\xc3\x89");  // ÉTÉ: É untouched
  EXPECT_EQ(AsciiLower(""), "");
}

}  // namespace
}  // namespace trailwatch::pattern
