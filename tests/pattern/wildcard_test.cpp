// Tests for wildcard parsing, matching and complexity (docs/reference/event-patterns.md §3.10).
#include "pattern/wildcard.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace trailwatch::pattern {
namespace {

WildcardPattern P(std::string_view text) {
  std::string reason;
  std::optional<WildcardPattern> pattern = WildcardPattern::Parse(text, &reason);
  EXPECT_TRUE(pattern.has_value()) << text << ": " << reason;
  return pattern.value_or(WildcardPattern{});
}

std::string ParseError(std::string_view text) {
  std::string reason;
  EXPECT_FALSE(WildcardPattern::Parse(text, &reason).has_value()) << text;
  return reason;
}

int Complexity(std::vector<std::string_view> values, bool quoted = true) {
  std::vector<WildcardPattern> patterns;
  for (std::string_view v : values) patterns.push_back(P(v));
  return WildcardComplexity(patterns, 100000, quoted);
}

TEST(WildcardParse, Segments) {
  const WildcardPattern p = P("arn:aws:iam::*:role/*");
  EXPECT_EQ(p.segments(), (std::vector<std::string>{"arn:aws:iam::", ":role/"}));
  EXPECT_FALSE(p.leading_star());
  EXPECT_TRUE(p.trailing_star());
  EXPECT_EQ(p.source(), "arn:aws:iam::*:role/*");

  const WildcardPattern star = P("*");
  EXPECT_TRUE(star.segments().empty());
  EXPECT_TRUE(star.leading_star());

  const WildcardPattern both = P("*a*b*");
  EXPECT_EQ(both.segments(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(both.leading_star());
  EXPECT_TRUE(both.trailing_star());

  const WildcardPattern none = P("");
  EXPECT_TRUE(none.segments().empty());
  EXPECT_FALSE(none.leading_star());
  EXPECT_FALSE(none.trailing_star());
}

TEST(WildcardParse, Escapes) {
  EXPECT_EQ(P("a\\*b").segments(), (std::vector<std::string>{"a*b"}));
  EXPECT_EQ(P("a\\\\b").segments(), (std::vector<std::string>{"a\\b"}));
  const WildcardPattern p = P("\\**\\\\");
  EXPECT_EQ(p.segments(), (std::vector<std::string>{"*", "\\"}));
  EXPECT_FALSE(p.leading_star());
  EXPECT_FALSE(p.trailing_star());
  EXPECT_FALSE(P("a\\*").trailing_star());
  EXPECT_EQ(P("?[x]").segments(), (std::vector<std::string>{"?[x]"}));  // literal
}

TEST(WildcardParse, ErrorPositionsAreByteOffsetPlusOne) {
  EXPECT_EQ(ParseError("**"), "Consecutive wildcard characters at pos 1");
  EXPECT_EQ(ParseError("ab**"), "Consecutive wildcard characters at pos 3");
  EXPECT_EQ(ParseError("a***"), "Consecutive wildcard characters at pos 2");
  // AWS reported pos 26 for "**" starting at byte offset 25.
  EXPECT_EQ(ParseError("arn:aws:s3:::my-bucket/ab**"), "Consecutive wildcard characters at pos 26");
  EXPECT_EQ(ParseError("\\\\**"), "Consecutive wildcard characters at pos 3");
  EXPECT_EQ(ParseError("\xc3\xa9**"), "Consecutive wildcard characters at pos 3");  // "é**"
  EXPECT_EQ(ParseError("a\\b"), "Invalid escape character at pos 2");
  EXPECT_EQ(ParseError("\\"), "Invalid escape character at pos 1");
  EXPECT_EQ(ParseError("abc\\"), "Invalid escape character at pos 4");
  EXPECT_EQ(ParseError("\\n"), "Invalid escape character at pos 1");
  EXPECT_EQ(ParseError("a\\b**"), "Invalid escape character at pos 2");  // first error wins
  EXPECT_EQ(ParseError("a**\\b"), "Consecutive wildcard characters at pos 2");
  EXPECT_EQ(ParseError("\\***"), "Consecutive wildcard characters at pos 3");
}

TEST(WildcardMatch, AnchoredFullMatch) {
  const WildcardPattern p = P("arn:aws:iam::*:role/*");
  EXPECT_TRUE(p.Matches("arn:aws:iam::123456789012:role/Admin"));
  EXPECT_TRUE(p.Matches("arn:aws:iam:::role/"));
  EXPECT_FALSE(p.Matches("xarn:aws:iam::1:role/A"));
  EXPECT_FALSE(p.Matches("arn:aws:iam::123456789012:user/Admin"));
  EXPECT_FALSE(p.Matches("ARN:aws:iam::1:role/A"));  // case-sensitive

  EXPECT_TRUE(P("*").Matches(""));
  EXPECT_TRUE(P("*").Matches("anything"));
  EXPECT_TRUE(P("").Matches(""));
  EXPECT_FALSE(P("").Matches("a"));
  EXPECT_TRUE(P("abc").Matches("abc"));
  EXPECT_FALSE(P("abc").Matches("abcd"));
  EXPECT_TRUE(P("*.png").Matches(".png"));
  EXPECT_FALSE(P("*.png").Matches("a.png.jpg"));
  EXPECT_TRUE(P("a*a").Matches("aa"));
  EXPECT_FALSE(P("a*a").Matches("a"));
  EXPECT_TRUE(P("a*b*c").Matches("abc"));
  EXPECT_TRUE(P("a*b*c").Matches("aXbYbZc"));
  EXPECT_FALSE(P("a*b*c").Matches("acb"));
  EXPECT_TRUE(P("*ab*ab*").Matches("abab"));
  EXPECT_FALSE(P("*ab*ab*").Matches("aba"));
  EXPECT_TRUE(P("/Users/*/dir/doc.txt").Matches("/Users/me/dir/dir/doc.txt"));
}

TEST(WildcardMatch, EscapedStarAndBackslashAreLiteral) {
  EXPECT_TRUE(P("a\\*b").Matches("a*b"));
  EXPECT_FALSE(P("a\\*b").Matches("axb"));
  EXPECT_TRUE(P("a\\\\*").Matches("a\\anything"));
  EXPECT_FALSE(P("a\\\\*").Matches("aanything"));
  EXPECT_TRUE(P("*\\**").Matches("x*y"));
  EXPECT_FALSE(P("*\\**").Matches("xy"));
}

TEST(WildcardMatch, ByteWiseUtf8) {
  EXPECT_TRUE(P("caf\xc3\xa9*").Matches("caf\xc3\xa9 au lait"));
  EXPECT_FALSE(P("caf\xc3\xa9*").Matches("cafe au lait"));
  EXPECT_TRUE(P("*\xc3\xa9").Matches("\xc3\xa9"));
}

TEST(WildcardMatch, PathologicalInputStaysFast) {
  // A backtracking matcher is exponential here; leftmost segment matching is not.
  const WildcardPattern p = P("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
  const std::string value(100000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(p.Matches(value));
  EXPECT_TRUE(p.Matches(value + "b"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

// Every expectation of event-ruler's MachineComplexityEvaluatorTest (unquoted ByteMachine values).
TEST(WildcardComplexity, EventRulerEvaluatorExpectations) {
  struct Case {
    std::vector<std::string_view> values;
    int expected;
  };
  const std::vector<Case> cases = {
      {{"*"}, 1},
      {{"*", "ab*c"}, 3},
      {{"abc"}, 1},
      {{"*ab"}, 2},
      {{"*aa"}, 3},
      {{"a*b"}, 2},
      {{"aa*"}, 2},
      {{"a*bc"}, 2},
      {{"a*bb"}, 3},
      {{"a*bcb"}, 3},
      {{"a*bbb"}, 4},
      {{"*ab*ad"}, 4},
      {{"*ab*d"}, 3},
      {{"*aba*"}, 4},
      {{"a*b*bb"}, 5},
      {{"a*b*cb"}, 4},
      {{"a*b*cd"}, 3},
      {{"a*b*b"}, 4},
      {{"a*bb*"}, 4},
      {{"ab*b*"}, 3},
      {{"ab*c", "x*xx"}, 3},
      {{"*abc", "*abcde"}, 4},
      {{"a*bcd", "ab*cd"}, 4},
      {{"a*bc", "a*bcde"}, 4},
      {{"a*aaa", "aa*aa"}, 7},
      {{"a*bc", "abc*d"}, 4},
      {{"a*aaa", "aaa*a"}, 6},
      {{"a*aax", "aaa*x"}, 5},
      {{"a*bc", "abc*"}, 4},
      {{"a*aa", "aaa*"}, 5},
      {{"abc*", "abcde*"}, 3},
      {{"ab*cd", "ab*wx", "ab*yz"}, 6},
      {{"*ab*b*b*"}, 7},
      {{"*a*a*a*a*a*a*a*a*"}, 17},
      {{"*a*a*a*"}, 7},
      {{"1*2345"}, 2},
      {{"*123"}, 2},
      {{"1*2345", "1*2345", "1*2345"}, 2},  // duplicates: once
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Complexity(c.values, /*quoted=*/false), c.expected) << c.values.front();
  }
}

TEST(WildcardComplexity, QuotedAsInJsonRules) {
  EXPECT_EQ(Complexity({"*a*a*a*"}), 7);  // event-ruler's JSON-rule test value
  EXPECT_EQ(Complexity({"*"}), 2);        // '"' and '"*' both match the input '"'
  EXPECT_EQ(Complexity({"abc"}), 1);
  EXPECT_EQ(Complexity({""}), 1);
  EXPECT_EQ(WildcardComplexity({}), 0);
}

TEST(WildcardComplexity, AwsObservationsHoldWithTheDefaultLimit) {
  EXPECT_EQ(Complexity({"arn:aws:events:us-east-1:*:event-bus/*"}), 3);
  EXPECT_EQ(Complexity({"/Users/*/dir/dir/dir/dir/dir/doc.txt"}), 7);
  EXPECT_EQ(Complexity({"*:*:*:*:*:event-bus/*"}), 11);
  EXPECT_LE(WildcardComplexity({P("arn:aws:events:us-east-1:*:event-bus/*")}),
            kDefaultMaxWildcardComplexity);
  EXPECT_LE(WildcardComplexity({P("/Users/*/dir/dir/dir/dir/dir/doc.txt")}),
            kDefaultMaxWildcardComplexity);
  EXPECT_GT(WildcardComplexity({P("*:*:*:*:*:event-bus/*")}), kDefaultMaxWildcardComplexity);
  // The VERIFY probes named in wildcard.cpp.
  EXPECT_EQ(Complexity({"*a*a*a*a"}), 8);
  EXPECT_EQ(Complexity({"*a*a*a*a*"}), 9);
  EXPECT_EQ(Complexity({"*a*a*a*a*a"}), 10);
  EXPECT_EQ(Complexity({"*a*a*a*a*a*"}), 11);
}

TEST(WildcardComplexity, CapStopsEarly) {
  const std::vector<WildcardPattern> patterns = {P("*:*:*:*:*:event-bus/*")};
  EXPECT_EQ(WildcardComplexity(patterns, 5, true), 5);
  EXPECT_EQ(WildcardComplexity(patterns, 11, true), 11);
  EXPECT_EQ(WildcardComplexity(patterns, 12, true), 11);
}

TEST(WildcardComplexity, ExploderIsBounded) {
  // event-ruler#269: many overlapping multi-star values make the subset walk explode. The
  // evaluator must answer quickly, at the cap.
  std::vector<WildcardPattern> patterns;
  const std::string letters = "abcdefghijklmnopqrstuvwxyz";
  for (size_t i = 0; i < 60; ++i) {
    std::string value = "*";
    for (size_t k = 0; k < 6; ++k) {
      value += letters[(i * 7 + k * 3) % letters.size()];
      value += '*';
    }
    patterns.push_back(P(value));
  }
  const auto start = std::chrono::steady_clock::now();
  const int score = WildcardComplexity(patterns);
  EXPECT_GT(score, kDefaultMaxWildcardComplexity);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(WildcardComplexity, SharedPrefixesAddUp) {
  // A prefix shared by n values is live n times (event-ruler README: avoid common prefixes before
  // the first wildcard). In JSON rules every value starts with the same '"', so a field with n
  // wildcard values scores at least n: with the default limit, 11 values in one field are too
  // complex however simple each one is.
  std::vector<WildcardPattern> shared;
  for (int i = 0; i < 300; ++i) shared.push_back(P("svc-" + std::to_string(i) + "-*"));
  EXPECT_EQ(WildcardComplexity(shared, 100000, true), 300);  // input '"svc-'
  std::vector<WildcardPattern> distinct;
  for (char c = 'a'; c <= 'z'; ++c) distinct.push_back(P(std::string(1, c) + "-svc-*"));
  EXPECT_EQ(WildcardComplexity(distinct, 100000, true), 26);  // input '"'
  EXPECT_EQ(WildcardComplexity(distinct, 100000, false), 2);  // unquoted: 'a-svc-', 'a-svc-*'
  distinct.resize(10);
  EXPECT_EQ(WildcardComplexity(distinct), 10);
  distinct.push_back(P("z-svc-*"));
  EXPECT_EQ(WildcardComplexity(distinct), 11);
}

}  // namespace
}  // namespace trailwatch::pattern
