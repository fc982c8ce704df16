// Tests for the pull tokenizer behind the pattern compiler: token order (duplicates kept), token
// texts as Jackson prints them, strict JSON grammar, UTF-8 and escape handling, depth limit.
#include "pattern/pattern_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace trailwatch::pattern {
namespace {

// Renders every token as "<kind>:<text>" until the end; "ERROR" on malformed input.
std::vector<std::string> Tokens(std::string_view json, size_t max_depth = 1000) {
  PatternJsonReader reader(json, max_depth);
  std::vector<std::string> out;
  JsonToken token;
  while (true) {
    if (!reader.Next(&token)) {
      out.push_back("ERROR");
      return out;
    }
    switch (token.kind) {
      case JsonTokenKind::kEndOfInput:
        return out;
      case JsonTokenKind::kFieldName:
        out.push_back("name:" + token.text);
        break;
      case JsonTokenKind::kString:
        out.push_back("str:" + token.text);
        break;
      case JsonTokenKind::kNumber:
        out.push_back("num:" + token.text);
        break;
      default:
        out.push_back(std::string(token.JacksonText()));
        break;
    }
  }
}

bool Malformed(std::string_view json) {
  const std::vector<std::string> tokens = Tokens(json);
  return !tokens.empty() && tokens.back() == "ERROR";
}

using Strings = std::vector<std::string>;

TEST(PatternJsonTest, DeliversDuplicateKeysInDocumentOrder) {
  EXPECT_EQ(
      Tokens(R"({"a":[1],"a":{"b":"x"}})"),
      (Strings{"{", "name:a", "[", "num:1", "]", "name:a", "{", "name:b", "str:x", "}", "}"}));
}

TEST(PatternJsonTest, LiteralsNumbersAndWhitespace) {
  EXPECT_EQ(
      Tokens(" \n\t{ \"k\" : [ true , false , null , -0.5e+3 , 0 ] }\r\n"),
      (Strings{"{", "name:k", "[", "true", "false", "null", "num:-0.5e+3", "num:0", "]", "}"}));
}

TEST(PatternJsonTest, EmptyInputHasNoTokens) {
  EXPECT_EQ(Tokens(""), Strings{});
  EXPECT_EQ(Tokens("   "), Strings{});
}

TEST(PatternJsonTest, EmptyContainers) {
  EXPECT_EQ(Tokens("{}"), (Strings{"{", "}"}));
  EXPECT_EQ(Tokens("[]"), (Strings{"[", "]"}));
  EXPECT_EQ(Tokens("[[],{}]"), (Strings{"[", "[", "]", "{", "}", "]"}));
}

TEST(PatternJsonTest, JacksonTextOfEachTokenKind) {
  PatternJsonReader reader(R"([{"n":"v"},12.50,"s"])", 10);
  JsonToken t;
  std::vector<std::string> texts;
  while (reader.Next(&t) && t.kind != JsonTokenKind::kEndOfInput) {
    texts.emplace_back(t.JacksonText());
  }
  EXPECT_EQ(texts, (Strings{"[", "{", "n", "v", "}", "12.50", "s", "]"}));
}

TEST(PatternJsonTest, Escapes) {
  EXPECT_EQ(Tokens(R"(["\"\\\/\b\f\n\r\t"])"), (Strings{"[", "str:\"\\/\b\f\n\r\t", "]"}));
  EXPECT_EQ(Tokens(R"(["\u0041\u00e9\u20AC"])"), (Strings{"[", "str:A\xC3\xA9\xE2\x82\xAC", "]"}));
  // A surrogate pair becomes one 4-byte UTF-8 character (U+1F600).
  EXPECT_EQ(Tokens(R"(["\ud83d\ude00"])"), (Strings{"[", "str:\xF0\x9F\x98\x80", "]"}));
  // \u0000 is a legal character inside a string.
  EXPECT_EQ(Tokens(R"(["a\u0000b"])"), (Strings{"[", std::string("str:a\0b", 7), "]"}));
}

TEST(PatternJsonTest, RejectsBadEscapes) {
  EXPECT_TRUE(Malformed(R"(["\x"])"));
  EXPECT_TRUE(Malformed(R"(["\u12"])"));
  EXPECT_TRUE(Malformed(R"(["\u12G4"])"));
  EXPECT_TRUE(Malformed(R"(["\ud800"])"));        // lone high surrogate
  EXPECT_TRUE(Malformed(R"(["\ud800\u0041"])"));  // high surrogate + non-low
  EXPECT_TRUE(Malformed(R"(["\udc00"])"));        // lone low surrogate
  EXPECT_TRUE(Malformed("[\"abc\\"));
}

TEST(PatternJsonTest, AcceptsValidUtf8) {
  EXPECT_EQ(Tokens("[\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"]"),
            (Strings{"[", "str:\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", "]"}));
}

TEST(PatternJsonTest, RejectsInvalidUtf8) {
  EXPECT_TRUE(Malformed("[\"\xFF\"]"));              // never valid
  EXPECT_TRUE(Malformed("[\"\x80\"]"));              // stray continuation
  EXPECT_TRUE(Malformed("[\"\xC0\xAF\"]"));          // overlong '/'
  EXPECT_TRUE(Malformed("[\"\xE0\x80\xAF\"]"));      // overlong 3-byte
  EXPECT_TRUE(Malformed("[\"\xED\xA0\x80\"]"));      // encoded surrogate
  EXPECT_TRUE(Malformed("[\"\xF4\x90\x80\x80\"]"));  // above U+10FFFF
  EXPECT_TRUE(Malformed("[\"\xE2\x82\"]"));          // truncated
  EXPECT_TRUE(Malformed("[\"\xC3\""));               // truncated at end of input
  EXPECT_TRUE(Malformed("[\xC3\xA9]"));              // non-ASCII outside a string
}

TEST(PatternJsonTest, RejectsControlCharactersInStrings) {
  EXPECT_TRUE(Malformed("[\"a\nb\"]"));
  EXPECT_TRUE(Malformed(std::string("[\"a\0b\"]", 7)));
}

TEST(PatternJsonTest, NumberGrammarIsStrict) {
  for (const char* bad : {"[01]", "[-]", "[+1]", "[.5]", "[1.]", "[1e]", "[1e+]", "[NaN]",
                          "[Infinity]", "[-Infinity]", "[0x10]", "[1.5.2]", "[1a]", "[--1]"}) {
    EXPECT_TRUE(Malformed(bad)) << bad;
  }
  EXPECT_EQ(Tokens("[-0,0.0,1E5,1e-5,123456789012345678901234567890]"),
            (Strings{"[", "num:-0", "num:0.0", "num:1E5", "num:1e-5",
                     "num:123456789012345678901234567890", "]"}));
}

TEST(PatternJsonTest, RejectsStructuralErrors) {
  for (const char* bad : {"{",
                          "[",
                          "{\"a\"}",
                          "{\"a\":}",
                          "{\"a\" 1}",
                          "{a:1}",
                          "{'a':1}",
                          "[1,]",
                          "{\"a\":1,}",
                          "[1 2]",
                          "{\"a\":1 \"b\":2}",
                          "]",
                          "}",
                          "[1}",
                          "{\"a\":1]",
                          "[tru]",
                          "[truex]",
                          "[nul]",
                          "[\"abc",
                          "{\"a\":[1]} x",
                          "{} {}",
                          "[,1]",
                          "/* c */ {}"}) {
    EXPECT_TRUE(Malformed(bad)) << bad;
  }
}

TEST(PatternJsonTest, TrailingWhitespaceIsFine) {
  EXPECT_EQ(Tokens("{} \n "), (Strings{"{", "}"}));
}

TEST(PatternJsonTest, DepthLimitIsEnforcedWithoutRecursion) {
  EXPECT_EQ(Tokens("[[[]]]", 3), (Strings{"[", "[", "[", "]", "]", "]"}));
  EXPECT_TRUE(Malformed(std::string(4, '[') + std::string(4, ']')) == false);
  const std::vector<std::string> deep = Tokens("[[[[]]]]", 3);
  ASSERT_EQ(deep.size(), 4u);
  EXPECT_EQ(deep.back(), "ERROR");

  // A megabyte of '[' fails at the limit and does not touch the stack.
  std::string huge(1 << 20, '[');
  PatternJsonReader reader(huge, 1000);
  JsonToken token;
  size_t opened = 0;
  while (reader.Next(&token)) ++opened;
  EXPECT_EQ(opened, 1000u);
  EXPECT_NE(reader.error().find("nesting depth 1001"), std::string::npos) << reader.error();
}

TEST(PatternJsonTest, ErrorIsStickyAndNamesTheOffset) {
  PatternJsonReader reader("[1,,2]", 10);
  JsonToken token;
  ASSERT_TRUE(reader.Next(&token));
  ASSERT_TRUE(reader.Next(&token));
  EXPECT_FALSE(reader.Next(&token));
  EXPECT_NE(reader.error().find("byte 3"), std::string::npos) << reader.error();
  EXPECT_FALSE(reader.Next(&token));
}

}  // namespace
}  // namespace trailwatch::pattern
