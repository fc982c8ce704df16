// Tests for CompilePattern: every EventBridge reason E01-E54 with its exact text, which error wins
// when several are present, every operator's accepted forms and compiled value, $or expansion,
// duplicate-key semantics, path order, and the size/$or/field/depth limits
// (docs/reference/event-patterns.md §1-§3).
#include "pattern/compiler.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <limits>
#include <string>
#include <variant>
#include <vector>

namespace trailwatch::pattern {
namespace {

// Options under which wildcard acceptance does not depend on the calibrated default threshold.
CompileOptions Lenient() {
  CompileOptions options;
  options.max_wildcard_complexity = INT_MAX;
  return options;
}

// The reason of a rejected pattern, or "<ok>".
std::string RejectReason(std::string_view json, const CompileOptions& options = Lenient()) {
  CompileResult result = CompilePattern(json, options);
  return result.ok() ? "<ok>" : result.error->reason;
}

CompiledPattern Compile(std::string_view json, const CompileOptions& options = Lenient()) {
  CompileResult result = CompilePattern(json, options);
  EXPECT_TRUE(result.ok()) << json << " -> " << result.error->reason;
  return result.pattern;
}

// The only sub-pattern's only field's matchers; fails the test if the shape differs.
std::vector<Matcher> Matchers(std::string_view json, const std::string& path = "f") {
  CompiledPattern pattern = Compile(json);
  if (pattern.alternatives.size() != 1 || pattern.alternatives[0].fields.size() != 1) {
    ADD_FAILURE() << json << ": expected one sub-pattern with one field";
    return {};
  }
  EXPECT_EQ(pattern.alternatives[0].fields[0].path, path);
  return pattern.alternatives[0].fields[0].matchers;
}

template <typename T>
T Only(std::string_view json) {
  std::vector<Matcher> matchers = Matchers(json);
  if (matchers.size() != 1 || !std::holds_alternative<T>(matchers[0])) {
    ADD_FAILURE() << json << ": expected exactly one matcher of the requested kind";
    return T{};
  }
  return std::get<T>(matchers[0]);
}

std::vector<std::string> Paths(const SubPattern& sub) {
  std::vector<std::string> paths;
  for (const FieldCondition& field : sub.fields) paths.push_back(field.path);
  return paths;
}

using Strings = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// The first user's pattern and the basic shape.

TEST(CompilerTest, FirstUserPattern) {
  CompiledPattern p = Compile(R"({"detail-type":["AWS Console Sign In via CloudTrail"],)"
                              R"("detail":{"userIdentity":{"type":["Root"]}}})",
                              CompileOptions{});
  ASSERT_EQ(p.alternatives.size(), 1u);
  const SubPattern& sub = p.alternatives[0];
  ASSERT_EQ(Paths(sub), (Strings{"detail-type", "detail.userIdentity.type"}));
  ASSERT_EQ(sub.fields[0].matchers.size(), 1u);
  const auto& type = std::get<ExactString>(sub.fields[0].matchers[0]);
  EXPECT_EQ(type.value, "AWS Console Sign In via CloudTrail");
  EXPECT_TRUE(type.ip_equivalent);
  ASSERT_EQ(sub.fields[1].matchers.size(), 1u);
  EXPECT_EQ(std::get<ExactString>(sub.fields[1].matchers[0]).value, "Root");
}

TEST(CompilerTest, PathsAreSortedByByteOrder) {
  CompiledPattern p =
      Compile(R"({"z":[1],"B":[1],"a":{"c":[1],"b":[1]},"a-b":[1],"\u00e9":[1],"_":[1]})");
  ASSERT_EQ(p.alternatives.size(), 1u);
  // '-' (0x2D) < '.' (0x2E) < 'B' < '_' < 'a' < 'z' < UTF-8 lead 0xC3.
  EXPECT_EQ(Paths(p.alternatives[0]), (Strings{"B", "_", "a-b", "a.b", "a.c", "z", "\xC3\xA9"}));
}

TEST(CompilerTest, DottedKeyEqualsNestedKeys) {
  CompiledPattern p = Compile(R"({"state.status":{"status":["x"]}})");
  EXPECT_EQ(Paths(p.alternatives[0]), (Strings{"state.status.status"}));
  // Both spellings land on the same path, so the later one wins (§1.2 S7 + S6).
  std::vector<Matcher> m = Matchers(R"({"a.b":["x"],"a":{"b":["y"]}})", "a.b");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(std::get<ExactString>(m[0]).value, "y");
}

TEST(CompilerTest, EmptyKeysFollowEventRulerPathJoin) {
  // event-ruler's Path.extendedName skips the separator when the prefix is "".
  EXPECT_EQ(Paths(Compile(R"({"":{"a":[1]}})").alternatives[0]), (Strings{"a"}));
  // Path.name() of ["", ""] is "." and extendedName("a") appends ".a".
  EXPECT_EQ(Paths(Compile(R"({"":{"":{"a":[1]}}})").alternatives[0]), (Strings{"..a"}));
  EXPECT_EQ(Paths(Compile(R"({"a":{"":[1]}})").alternatives[0]), (Strings{"a."}));
  EXPECT_EQ(Paths(Compile(R"({"":[1]})").alternatives[0]), (Strings{""}));
}

TEST(CompilerTest, DuplicateLeafLastWins) {
  std::vector<Matcher> m = Matchers(R"({"f":["first"],"f":["second","third"]})");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(std::get<ExactString>(m[0]).value, "second");
  EXPECT_EQ(std::get<ExactString>(m[1]).value, "third");
}

TEST(CompilerTest, DuplicateObjectsMergeFieldByField) {
  CompiledPattern p = Compile(R"({"d":{"a":[1],"b":[2]},"d":{"b":[3],"c":[4]}})");
  ASSERT_EQ(p.alternatives.size(), 1u);
  const SubPattern& sub = p.alternatives[0];
  ASSERT_EQ(Paths(sub), (Strings{"d.a", "d.b", "d.c"}));
  EXPECT_EQ(std::get<ExactNumber>(sub.fields[0].matchers[0]).number.text, "1");
  EXPECT_EQ(std::get<ExactNumber>(sub.fields[1].matchers[0]).number.text, "3");
  EXPECT_EQ(std::get<ExactNumber>(sub.fields[2].matchers[0]).number.text, "4");
}

TEST(CompilerTest, LeafMatchersKeepPatternOrder) {
  std::vector<Matcher> m =
      Matchers(R"({"f":["s",7,true,false,null,{"prefix":"p"},{"exists":true},"",-0]})");
  ASSERT_EQ(m.size(), 9u);
  EXPECT_EQ(std::get<ExactString>(m[0]).value, "s");
  EXPECT_EQ(std::get<ExactNumber>(m[1]).number.text, "7");
  EXPECT_EQ(std::get<Literal>(m[2]).kind, Literal::Kind::kTrue);
  EXPECT_EQ(std::get<Literal>(m[3]).kind, Literal::Kind::kFalse);
  EXPECT_EQ(std::get<Literal>(m[4]).kind, Literal::Kind::kNull);
  EXPECT_EQ(std::get<Prefix>(m[5]).value, "p");
  EXPECT_TRUE(std::get<Exists>(m[6]).present);
  EXPECT_EQ(std::get<ExactString>(m[7]).value, "");
  EXPECT_EQ(std::get<ExactNumber>(m[8]).number.text, "-0");
}

TEST(CompilerTest, StringsAreUnescapedAndNeverParsedAsJson) {
  EXPECT_EQ(Only<ExactString>(R"({"f":["{\"a\":1}"]})").value, "{\"a\":1}");
  EXPECT_EQ(Only<ExactString>(R"({"f":["caf\u00e9 \ud83d\ude00"]})").value,
            "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(Only<ExactString>(R"({"f":["null"]})").value, "null");
}

// ---------------------------------------------------------------------------------------------
// Numbers (§3.7).

TEST(CompilerTest, ExactNumbersKeepTextAndComparableValue) {
  ExactNumber n = Only<ExactNumber>(R"({"f":[3.0e2]})");
  EXPECT_EQ(n.number.text, "3.0e2");
  ASSERT_TRUE(n.number.value.has_value());
  EXPECT_EQ(*n.number.value, 300.0);

  n = Only<ExactNumber>(R"({"f":[123456789012]})");
  ASSERT_TRUE(n.number.value.has_value());
  EXPECT_EQ(*n.number.value, 123456789012.0);

  n = Only<ExactNumber>(R"({"f":[-0]})");
  ASSERT_TRUE(n.number.value.has_value());
  EXPECT_EQ(*n.number.value, 0.0);
  EXPECT_FALSE(std::signbit(*n.number.value));
}

TEST(CompilerTest, NonComparableNumbersMatchByTextOnly) {
  for (const char* text : {"12345678901234567", "0.30000000000000001", "1e400", "-1e400"}) {
    const std::string json = std::string(R"({"f":[)") + text + "]}";
    ExactNumber n = Only<ExactNumber>(json);
    EXPECT_EQ(n.number.text, text);
    EXPECT_FALSE(n.number.value.has_value()) << text;
  }
}

TEST(CompilerTest, HugeNumberLiteralIsKeptVerbatim) {
  CompileOptions options = Lenient();
  options.max_pattern_chars = 1 << 20;
  const std::string digits(5000, '7');
  CompiledPattern p = Compile(R"({"f":[)" + digits + "]}", options);
  const auto& n = std::get<ExactNumber>(p.alternatives[0].fields[0].matchers[0]);
  EXPECT_EQ(n.number.text, digits);
  EXPECT_FALSE(n.number.value.has_value());
}

TEST(CompilerTest, MalformedNumbersAreJsonErrors) {
  for (const char* bad : {R"({"f":[01]})", R"({"f":[+1]})", R"({"f":[.5]})", R"({"f":[1.]})",
                          R"({"f":[1e]})", R"({"f":[NaN]})", R"({"f":[Infinity]})", R"({"f":[-]})",
                          R"({"f":[0x1F]})", R"({"f":[{"numeric":["=",01]}]})"}) {
    CompileResult result = CompilePattern(bad, Lenient());
    EXPECT_FALSE(result.ok()) << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// Operators: accepted forms and compiled values (§2.1).

TEST(CompilerTest, ExactlyDisablesIpEquivalence) {
  ExactString s = Only<ExactString>(R"({"f":[{"exactly":"10.0.0.1"}]})");
  EXPECT_EQ(s.value, "10.0.0.1");
  EXPECT_FALSE(s.ip_equivalent);
  EXPECT_TRUE(Only<ExactString>(R"({"f":["10.0.0.1"]})").ip_equivalent);
}

TEST(CompilerTest, PrefixAndSuffixForms) {
  Prefix p = Only<Prefix>(R"({"f":[{"prefix":"us-"}]})");
  EXPECT_EQ(p.value, "us-");
  EXPECT_FALSE(p.ignore_case);
  p = Only<Prefix>(R"({"f":[{"prefix":{"equals-ignore-case":"EventB"}}]})");
  EXPECT_EQ(p.value, "EventB");
  EXPECT_TRUE(p.ignore_case);
  EXPECT_EQ(Only<Prefix>(R"({"f":[{"prefix":""}]})").value, "");

  Suffix s = Only<Suffix>(R"({"f":[{"suffix":".png"}]})");
  EXPECT_EQ(s.value, ".png");
  EXPECT_FALSE(s.ignore_case);
  s = Only<Suffix>(R"({"f":[{"suffix":{"equals-ignore-case":".PNG"}}]})");
  EXPECT_EQ(s.value, ".PNG");
  EXPECT_TRUE(s.ignore_case);
  EXPECT_EQ(Only<Suffix>(R"({"f":[{"suffix":""}]})").value, "");
}

TEST(CompilerTest, EqualsIgnoreCase) {
  EXPECT_EQ(Only<EqualsIgnoreCase>(R"({"f":[{"equals-ignore-case":"alice"}]})").value, "alice");
  EXPECT_EQ(Only<EqualsIgnoreCase>(R"({"f":[{"equals-ignore-case":""}]})").value, "");
}

TEST(CompilerTest, Wildcard) {
  Wildcard w = Only<Wildcard>(R"({"f":[{"wildcard":"arn:aws:iam::*:role/*"}]})");
  EXPECT_EQ(w.pattern.source(), "arn:aws:iam::*:role/*");
  EXPECT_TRUE(w.pattern.Matches("arn:aws:iam::123:role/admin"));
  w = Only<Wildcard>(R"({"f":[{"wildcard":"a\\*b"}]})");  // value a\*b: a literal star
  EXPECT_TRUE(w.pattern.Matches("a*b"));
  EXPECT_FALSE(w.pattern.Matches("axb"));
  EXPECT_TRUE(Only<Wildcard>(R"({"f":[{"wildcard":""}]})").pattern.Matches(""));
}

TEST(CompilerTest, AnythingButScalarsAndLists) {
  AnythingBut a = Only<AnythingBut>(R"({"f":[{"anything-but":"init"}]})");
  EXPECT_EQ(a.form, AnythingBut::Form::kValues);
  EXPECT_EQ(a.strings, (Strings{"init"}));
  EXPECT_TRUE(a.numbers.empty());

  a = Only<AnythingBut>(R"({"f":[{"anything-but":0}]})");
  EXPECT_TRUE(a.strings.empty());
  ASSERT_EQ(a.numbers.size(), 1u);
  EXPECT_EQ(a.numbers[0].text, "0");
  EXPECT_EQ(a.numbers[0].value, 0.0);

  a = Only<AnythingBut>(R"({"f":[{"anything-but":[100,200,2e2,1.5]}]})");
  ASSERT_EQ(a.numbers.size(), 3u);  // 2e2 == 200: a set, as in event-ruler
  EXPECT_EQ(a.numbers[0].value, 100.0);
  EXPECT_EQ(a.numbers[1].value, 200.0);
  EXPECT_EQ(a.numbers[2].text, "1.5");

  a = Only<AnythingBut>(R"({"f":[{"anything-but":["a","b","a",""]}]})");
  EXPECT_EQ(a.strings, (Strings{"a", "b", ""}));
}

TEST(CompilerTest, AnythingButObjectForms) {
  AnythingBut a = Only<AnythingBut>(R"({"f":[{"anything-but":{"prefix":"init"}}]})");
  EXPECT_EQ(a.form, AnythingBut::Form::kPrefix);
  EXPECT_EQ(a.strings, (Strings{"init"}));

  a = Only<AnythingBut>(R"({"f":[{"anything-but":{"suffix":["a","b"]}}]})");
  EXPECT_EQ(a.form, AnythingBut::Form::kSuffix);
  EXPECT_EQ(a.strings, (Strings{"a", "b"}));

  a = Only<AnythingBut>(R"({"f":[{"anything-but":{"equals-ignore-case":["Stopped",""]}}]})");
  EXPECT_EQ(a.form, AnythingBut::Form::kEqualsIgnoreCase);
  EXPECT_EQ(a.strings, (Strings{"Stopped", ""}));

  a = Only<AnythingBut>(R"({"f":[{"anything-but":{"wildcard":["*/bin/*.jar",""]}}]})");
  EXPECT_EQ(a.form, AnythingBut::Form::kWildcard);
  EXPECT_EQ(a.strings, (Strings{"*/bin/*.jar", ""}));
  ASSERT_EQ(a.wildcards.size(), 2u);
  EXPECT_TRUE(a.wildcards[0].Matches("/usr/bin/app.jar"));
  EXPECT_TRUE(a.wildcards[1].Matches(""));

  a = Only<AnythingBut>(R"({"f":[{"anything-but":{"wildcard":"x*"}}]})");
  ASSERT_EQ(a.wildcards.size(), 1u);
  EXPECT_EQ(a.wildcards[0].source(), "x*");

  // event-ruler accepts an empty set list for these forms (only the plain list needs a type).
  a = Only<AnythingBut>(R"({"f":[{"anything-but":{"prefix":[]}}]})");
  EXPECT_EQ(a.form, AnythingBut::Form::kPrefix);
  EXPECT_TRUE(a.strings.empty());
}

TEST(CompilerTest, NumericForms) {
  NumericRange r = Only<NumericRange>(R"({"f":[{"numeric":[">",0,"<=",5]}]})");
  EXPECT_EQ(r.low, 0.0);
  EXPECT_FALSE(r.low_inclusive);
  EXPECT_EQ(r.high, 5.0);
  EXPECT_TRUE(r.high_inclusive);

  r = Only<NumericRange>(R"({"f":[{"numeric":[">=",-1.5,"<",1e3]}]})");
  EXPECT_EQ(r.low, -1.5);
  EXPECT_TRUE(r.low_inclusive);
  EXPECT_EQ(r.high, 1000.0);
  EXPECT_FALSE(r.high_inclusive);

  r = Only<NumericRange>(R"({"f":[{"numeric":["=",3.018e2]}]})");
  EXPECT_EQ(r.low, 301.8);
  EXPECT_TRUE(r.low_inclusive);
  EXPECT_EQ(r.high, 301.8);
  EXPECT_TRUE(r.high_inclusive);

  r = Only<NumericRange>(R"({"f":[{"numeric":["<",10]}]})");
  EXPECT_FALSE(r.low.has_value());
  EXPECT_EQ(r.high, 10.0);
  EXPECT_FALSE(r.high_inclusive);

  r = Only<NumericRange>(R"({"f":[{"numeric":["<=",10]}]})");
  EXPECT_FALSE(r.low.has_value());
  EXPECT_TRUE(r.high_inclusive);

  r = Only<NumericRange>(R"({"f":[{"numeric":[">",10]}]})");
  EXPECT_EQ(r.low, 10.0);
  EXPECT_FALSE(r.low_inclusive);
  EXPECT_FALSE(r.high.has_value());

  r = Only<NumericRange>(R"({"f":[{"numeric":[">=",10]}]})");
  EXPECT_TRUE(r.low_inclusive);
  EXPECT_FALSE(r.high.has_value());

  // Bounds are full doubles (event-ruler 2.x), well beyond the old ±5e9.
  r = Only<NumericRange>(R"({"f":[{"numeric":[">",-1e300,"<",1e300]}]})");
  EXPECT_EQ(r.low, -1e300);
  EXPECT_EQ(r.high, 1e300);
}

TEST(CompilerTest, ExistsAndCidr) {
  EXPECT_TRUE(Only<Exists>(R"({"f":[{"exists":true}]})").present);
  EXPECT_FALSE(Only<Exists>(R"({"f":[{"exists":false}]})").present);

  Cidr c = Only<Cidr>(R"({"f":[{"cidr":"10.0.0.7/24"}]})");
  EXPECT_FALSE(c.block.base.v6);
  EXPECT_EQ(c.block.prefix_bits, 24);
  EXPECT_EQ(c.block.base.bytes[0], 10);
  EXPECT_EQ(c.block.base.bytes[3], 0);  // host bits masked

  c = Only<Cidr>(R"({"f":[{"cidr":"2001:db8:1234:1a00::/64"}]})");
  EXPECT_TRUE(c.block.base.v6);
  EXPECT_EQ(c.block.prefix_bits, 64);
}

TEST(CompilerTest, MixedLeafIsLegal) {
  std::vector<Matcher> m = Matchers(R"({"f":[{"exists":true},{"prefix":"X"},{"suffix":"Y"}]})");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<Exists>(m[0]));
  EXPECT_TRUE(std::holds_alternative<Prefix>(m[1]));
  EXPECT_TRUE(std::holds_alternative<Suffix>(m[2]));
}

// ---------------------------------------------------------------------------------------------
// $or (§3.11).

TEST(CompilerTest, OrExpandsIntoSubPatterns) {
  CompiledPattern p =
      Compile(R"({"source":["aws.cloudwatch"],"$or":[{"metricName":["CPU"]},)"
              R"({"metricType":["M"],"namespace":["AWS/EC2"]},{"scope":["Service"]}]})");
  ASSERT_EQ(p.alternatives.size(), 3u);
  EXPECT_EQ(Paths(p.alternatives[0]), (Strings{"metricName", "source"}));
  EXPECT_EQ(Paths(p.alternatives[1]), (Strings{"metricType", "namespace", "source"}));
  EXPECT_EQ(Paths(p.alternatives[2]), (Strings{"scope", "source"}));
}

TEST(CompilerTest, OrInsideObjectUsesCurrentPath) {
  CompiledPattern p =
      Compile(R"({"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},)"
              R"({"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}})");
  ASSERT_EQ(p.alternatives.size(), 3u);
  EXPECT_EQ(Paths(p.alternatives[0]), (Strings{"detail.c-count"}));
  EXPECT_EQ(Paths(p.alternatives[1]), (Strings{"detail.d-count"}));
  EXPECT_EQ(Paths(p.alternatives[2]), (Strings{"detail.x-limit"}));
}

TEST(CompilerTest, ParallelOrsMultiplyAndNestedOrsExpandInBranch) {
  CompiledPattern p =
      Compile(R"({"$or":[{"a":[1]},{"b":[1]}],"$or":[{"c":[1]},{"d":[1]},{"e":[1]}]})");
  ASSERT_EQ(p.alternatives.size(), 6u);
  EXPECT_EQ(Paths(p.alternatives[0]), (Strings{"a", "c"}));
  EXPECT_EQ(Paths(p.alternatives[1]), (Strings{"b", "c"}));
  EXPECT_EQ(Paths(p.alternatives[2]), (Strings{"a", "d"}));
  EXPECT_EQ(Paths(p.alternatives[5]), (Strings{"b", "e"}));

  p = Compile(R"({"$or":[{"a":[1],"$or":[{"b":[1]},{"c":[1]}]},{"d":[1]}]})");
  ASSERT_EQ(p.alternatives.size(), 3u);
  EXPECT_EQ(Paths(p.alternatives[0]), (Strings{"a", "b"}));
  EXPECT_EQ(Paths(p.alternatives[1]), (Strings{"a", "c"}));
  EXPECT_EQ(Paths(p.alternatives[2]), (Strings{"d"}));
}

TEST(CompilerTest, FieldsAfterOrApplyToEveryBranchAndLastWinsPerCombination) {
  CompiledPattern p = Compile(R"({"a":["x"],"$or":[{"a":["y"]},{"b":["z"]}],"c":["w"]})");
  ASSERT_EQ(p.alternatives.size(), 2u);
  EXPECT_EQ(Paths(p.alternatives[0]), (Strings{"a", "c"}));
  EXPECT_EQ(std::get<ExactString>(p.alternatives[0].fields[0].matchers[0]).value, "y");
  EXPECT_EQ(Paths(p.alternatives[1]), (Strings{"a", "b", "c"}));
  EXPECT_EQ(std::get<ExactString>(p.alternatives[1].fields[0].matchers[0]).value, "x");

  // A later plain field overrides the branch's value in every combination.
  p = Compile(R"({"$or":[{"a":["y"]},{"b":["z"]}],"a":["last"]})");
  ASSERT_EQ(p.alternatives.size(), 2u);
  EXPECT_EQ(std::get<ExactString>(p.alternatives[0].fields[0].matchers[0]).value, "last");
  EXPECT_EQ(Paths(p.alternatives[1]), (Strings{"a", "b"}));
  EXPECT_EQ(std::get<ExactString>(p.alternatives[1].fields[0].matchers[0]).value, "last");
}

TEST(CompilerTest, OrCapAllowsExactlyThousandCombinations) {
  std::string ten = R"({"k":[0]})";
  for (int i = 1; i < 10; ++i) ten += R"(,{"k":[)" + std::to_string(i) + "]}";
  const std::string json =
      R"({"a":{"$or":[)" + ten + R"(]},"b":{"$or":[)" + ten + R"(]},"c":{"$or":[)" + ten + "]}}";
  ASSERT_LT(json.size(), 2048u);
  CompiledPattern p = Compile(json);
  EXPECT_EQ(p.alternatives.size(), 1000u);
  EXPECT_EQ(Paths(p.alternatives[999]), (Strings{"a.k", "b.k", "c.k"}));
}

// ---------------------------------------------------------------------------------------------
// Every reason in the catalogue (§2.3), exact text.

TEST(CompilerErrorTest, E01FilterIsNotAnObject) {
  for (const char* json : {"", "  ", "[1]", "\"x\"", "5", "null", "true", "[{\"a\":[1]}]"}) {
    EXPECT_EQ(RejectReason(json), "Filter is not an object") << json;
  }
}

TEST(CompilerErrorTest, E02ScalarFieldValue) {
  EXPECT_EQ(RejectReason(R"({"int":5})"), R"("int" must be an object or an array)");
  EXPECT_EQ(RejectReason(R"({"a":{"b":"x"}})"), R"("b" must be an object or an array)");
  EXPECT_EQ(RejectReason(R"({"n":null})"), R"("n" must be an object or an array)");
  EXPECT_EQ(RejectReason(R"({"t":true})"), R"("t" must be an object or an array)");
  EXPECT_EQ(RejectReason(R"({"$or":[{"q":false},{"b":[1]}]})"),
            R"("q" must be an object or an array)");
}

TEST(CompilerErrorTest, E03EmptyArray) {
  EXPECT_EQ(RejectReason(R"({"a":[]})"), "Empty arrays are not allowed");
  EXPECT_EQ(RejectReason(R"({"a":{"b":[ ]}})"), "Empty arrays are not allowed");
}

TEST(CompilerErrorTest, E04EmptyObject) {
  EXPECT_EQ(RejectReason("{}"), "Empty objects are not allowed");
  EXPECT_EQ(RejectReason(R"({"a":{}})"), "Empty objects are not allowed");
  EXPECT_EQ(RejectReason(R"({"$or":[{},{"a":[1]}]})"), "Empty objects are not allowed");
  EXPECT_EQ(RejectReason(R"({"$or":[{"a":{}},{"b":[1]}]})"), "Empty objects are not allowed");
}

TEST(CompilerErrorTest, E05NestedArray) {
  EXPECT_EQ(RejectReason(R"({"a":[[1]]})"),
            "Match value must be String, number, true, false, or null");
  EXPECT_EQ(RejectReason(R"({"a":["x",[]]})"),
            "Match value must be String, number, true, false, or null");
}

TEST(CompilerErrorTest, E06EmptyOperatorObject) {
  EXPECT_EQ(RejectReason(R"({"a":[{}]})"), "Match expression name not found");
}

TEST(CompilerErrorTest, E07UnknownOperatorIsCaseSensitive) {
  EXPECT_EQ(RejectReason(R"({"a":[{"EXISTS":true}]})"), "Unrecognized match type EXISTS");
  EXPECT_EQ(RejectReason(R"({"a":[{"regex":"x"}]})"), "Unrecognized match type regex");
  EXPECT_EQ(RejectReason(R"({"a":[{"$or":[1]}]})"), "Unrecognized match type $or");
}

TEST(CompilerErrorTest, E08SecondKeyInOperator) {
  const std::string e08 = "Only one key allowed in match expression";
  EXPECT_EQ(RejectReason(R"({"a":[{"prefix":"a","suffix":"b"}]})"), e08);
  EXPECT_EQ(RejectReason(R"({"a":[{"suffix":"a","x":1}]})"), e08);
  EXPECT_EQ(RejectReason(R"({"a":[{"exactly":"a","x":1}]})"), e08);
  EXPECT_EQ(RejectReason(R"({"a":[{"exists":true,"x":1}]})"), e08);
  EXPECT_EQ(RejectReason(R"({"a":[{"cidr":"10.0.0.0/8","x":1}]})"), e08);
  EXPECT_EQ(RejectReason(R"({"a":[{"equals-ignore-case":"a","x":1}]})"), e08);
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":"a*","x":1}]})"), e08);
  EXPECT_EQ(RejectReason(R"({"a":[{"prefix":{"equals-ignore-case":"a","x":1}}]})"), e08);
  EXPECT_EQ(RejectReason(R"({"a":[{"prefix":{"equals-ignore-case":"a"},"x":1}]})"), e08);
  EXPECT_EQ(RejectReason(R"({"a":[{"suffix":{"equals-ignore-case":"a"},"x":1}]})"), e08);
}

TEST(CompilerErrorTest, E10PrefixNotString) {
  const std::string e10 = "prefix match pattern must be a string";
  EXPECT_EQ(RejectReason(R"({"a":[{"prefix":5}]})"), e10);
  EXPECT_EQ(RejectReason(R"({"a":[{"prefix":["x"]}]})"), e10);
  EXPECT_EQ(RejectReason(R"({"a":[{"prefix":null}]})"), e10);
  // cidr with a non-string value reuses the prefix text (event-ruler, sic).
  EXPECT_EQ(RejectReason(R"({"a":[{"cidr":5}]})"), e10);
  EXPECT_EQ(RejectReason(R"({"a":[{"cidr":["10.0.0.0/8"]}]})"), e10);
}

TEST(CompilerErrorTest, E11SuffixNotString) {
  EXPECT_EQ(RejectReason(R"({"a":[{"suffix":5}]})"), "suffix match pattern must be a string");
  EXPECT_EQ(RejectReason(R"({"a":[{"suffix":[".png"]}]})"),
            "suffix match pattern must be a string");
}

TEST(CompilerErrorTest, E12EqualsIgnoreCaseNotString) {
  const std::string e12 = "equals-ignore-case match pattern must be a string";
  EXPECT_EQ(RejectReason(R"({"a":[{"equals-ignore-case":5}]})"), e12);
  EXPECT_EQ(RejectReason(R"({"a":[{"equals-ignore-case":["x"]}]})"), e12);
  EXPECT_EQ(RejectReason(R"({"a":[{"equals-ignore-case":{"prefix":"x"}}]})"), e12);
  EXPECT_EQ(RejectReason(R"({"a":[{"prefix":{"equals-ignore-case":5}}]})"), e12);
  EXPECT_EQ(RejectReason(R"({"a":[{"suffix":{"equals-ignore-case":["x"]}}]})"), e12);
}

TEST(CompilerErrorTest, E13WildcardNotString) {
  const std::string e13 = "wildcard match pattern must be a string";
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":5}]})"), e13);
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":["a*"]}]})"), e13);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"wildcard":5}}]})"), e13);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"wildcard":["a*",null]}}]})"), e13);
}

TEST(CompilerErrorTest, E14ExactlyNotString) {
  EXPECT_EQ(RejectReason(R"({"a":[{"exactly":5}]})"), "exact match pattern must be a string");
  EXPECT_EQ(RejectReason(R"({"a":[{"exactly":["x"]}]})"), "exact match pattern must be a string");
}

TEST(CompilerErrorTest, E15E16PrefixObject) {
  EXPECT_EQ(RejectReason(R"({"a":[{"prefix":{}}]})"), "Prefix expression name not found");
  EXPECT_EQ(RejectReason(R"({"a":[{"prefix":{"wildcard":"x"}}]})"),
            "Unsupported prefix pattern: wildcard");
  EXPECT_EQ(RejectReason(R"({"a":[{"prefix":{"EQUALS-IGNORE-CASE":"x"}}]})"),
            "Unsupported prefix pattern: EQUALS-IGNORE-CASE");
}

TEST(CompilerErrorTest, E17E18SuffixObject) {
  EXPECT_EQ(RejectReason(R"({"a":[{"suffix":{}}]})"), "Suffix expression name not found");
  EXPECT_EQ(RejectReason(R"({"a":[{"suffix":{"prefix":"x"}}]})"),
            "Unsupported suffix pattern: prefix");
}

TEST(CompilerErrorTest, E19E20WildcardSyntax) {
  // Positions are the 0-based byte offset plus 1 (event-ruler prefixes a quote).
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":"a**b"}]})"),
            "Consecutive wildcard characters at pos 2");
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":"a\\xb"}]})"), "Invalid escape character at pos 2");
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":"abc\\"}]})"), "Invalid escape character at pos 4");
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"wildcard":"x**"}}]})"),
            "Consecutive wildcard characters at pos 2");
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"wildcard":["ok*","a\\x"]}}]})"),
            "Invalid escape character at pos 2");
}

TEST(CompilerErrorTest, E21WildcardTooComplex) {
  const std::string e21 =
      "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
      "sequences after a wildcard character";
  CompileOptions strict;
  strict.max_wildcard_complexity = 1;
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":"*:*:*:*:*:event-bus/*"}]})", strict), e21);
  // anything-but wildcard values of the same field count too.
  EXPECT_EQ(
      RejectReason(R"({"a":[{"anything-but":{"wildcard":["*:*:*:*:*:event-bus/*"]}}]})", strict),
      e21);
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":"*:*:*:*:*:event-bus/*"}]})", Lenient()), "<ok>");
  // No wildcard at all is never too complex.
  EXPECT_EQ(RejectReason(R"({"a":["*:*:*:*:*"]})", strict), "<ok>");
}

TEST(CompilerErrorTest, E21UsesCalibratedDefaultOnAwsExamples) {
  // AWS rejects the first and accepts the other two (§3.10).
  const std::string e21 =
      "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
      "sequences after a wildcard character";
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":"*:*:*:*:*:event-bus/*"}]})", CompileOptions{}), e21);
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]})",
                         CompileOptions{}),
            "<ok>");
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]})",
                         CompileOptions{}),
            "<ok>");
}

TEST(CompilerErrorTest, E22AnythingButValueType) {
  const std::string e22 = "Value of anything-but must be an array or single string/number value.";
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":null}]})"), e22);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":true}]})"), e22);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"prefix":{"equals-ignore-case":"x"}}}]})"), e22);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"suffix":{"equals-ignore-case":"x"}}}]})"), e22);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"prefix":null}}]})"), e22);
}

TEST(CompilerErrorTest, E23AnythingButListElement) {
  const std::string e23 = "Inside anything but list, start|null|boolean is not supported.";
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":[null]}]})"), e23);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":["x",true]}]})"), e23);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":["x",{"prefix":"y"}]}]})"), e23);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":[["x"]]}]})"), e23);
}

TEST(CompilerErrorTest, E24AnythingButMixedOrEmpty) {
  const std::string e24 =
      "Inside anything but list, either all values are number or string, mixed type is not "
      "supported";
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":["x",1]}]})"), e24);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":[1,"x"]}]})"), e24);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":[]}]})"), e24);
}

TEST(CompilerErrorTest, E25E26AnythingButObject) {
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{}}]})"),
            "Anything-But expression name not found");
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"exists":true}}]})"),
            "Unsupported anything-but pattern: exists");
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"numeric":[">",1]}}]})"),
            "Unsupported anything-but pattern: numeric");
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"cidr":"10.0.0.0/8"}}]})"),
            "Unsupported anything-but pattern: cidr");
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"anything-but":"x"}}]})"),
            "Unsupported anything-but pattern: anything-but");
}

TEST(CompilerErrorTest, E27EmptyPrefixOrSuffix) {
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"prefix":""}}]})"),
            "Null prefix/suffix not allowed");
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"suffix":["a",""]}}]})"),
            "Null prefix/suffix not allowed");
}

TEST(CompilerErrorTest, E28AnythingButPrefixSuffixNotString) {
  const std::string e28 = "prefix/suffix match pattern must be a string";
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"prefix":5}}]})"), e28);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"suffix":["a",5]}}]})"), e28);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"prefix":[null]}}]})"), e28);
}

TEST(CompilerErrorTest, E29AnythingButIgnoreCaseNotString) {
  const std::string e29 =
      "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.";
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"equals-ignore-case":5}}]})"), e29);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"equals-ignore-case":["a",false]}}]})"), e29);
}

TEST(CompilerErrorTest, E30TooManyElements) {
  const std::string e30 = "Too many elements in numeric expression";
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":"x","y":1}]})"), e30);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":["x"],"y":1}]})"), e30);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"prefix":"a","suffix":"b"}}]})"), e30);
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"prefix":"a"},"y":1}]})"), e30);
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",0],"y":1}]})"), e30);
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",0,"<",5],"y":1}]})"), e30);
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["=",5,"<",6]}]})"), e30);
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["<",5,6]}]})"), e30);
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["<=",5,">",1]}]})"), e30);
}

TEST(CompilerErrorTest, E31NumericNotArray) {
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":5}]})"), "Value of numeric must be an array.");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":{">":5}}]})"), "Value of numeric must be an array.");
}

TEST(CompilerErrorTest, E32InvalidMemberQuotesJacksonToken) {
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[]}]})"), "Invalid member in numeric match: ]");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[5,">"]}]})"), "Invalid member in numeric match: 5");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[1.50e3]}]})"),
            "Invalid member in numeric match: 1.50e3");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[{}]}]})"), "Invalid member in numeric match: {");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[[">"]]}]})"), "Invalid member in numeric match: [");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[true]}]})"), "Invalid member in numeric match: true");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[null]}]})"), "Invalid member in numeric match: null");
}

TEST(CompilerErrorTest, E33UnknownNumericOperator) {
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["!=",5]}]})"),
            "Unrecognized numeric range operator: !=");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["foo"]}]})"),
            "Unrecognized numeric range operator: foo");
}

TEST(CompilerErrorTest, E34E35NumericValues) {
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["=","5"]}]})"), "Value of equals must be numeric");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["="]}]})"), "Value of equals must be numeric");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",0,"<"]}]})"), "Value of < must be numeric");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">","0"]}]})"), "Value of > must be numeric");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">=",null]}]})"), "Value of >= must be numeric");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["<="]}]})"), "Value of <= must be numeric");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["<",[1]]}]})"), "Value of < must be numeric");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",0,"<=","5"]}]})"), "Value of <= must be numeric");
}

TEST(CompilerErrorTest, E36BadValueQuotesJacksonToken) {
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",0,5]}]})"), "Bad value in numeric range: 5");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",0,{"<":5}]}]})"),
            "Bad value in numeric range: {");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">=",0,null]}]})"),
            "Bad value in numeric range: null");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">=",0,["<"]]}]})"), "Bad value in numeric range: [");
}

TEST(CompilerErrorTest, E37BadRangeOperator) {
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",0,">",0]}]})"), "Bad numeric range operator: >");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">=",0,"=",5]}]})"), "Bad numeric range operator: =");
}

TEST(CompilerErrorTest, E38TooManyTerms) {
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",0,"<",5,"x"]}]})"),
            "Too many terms in numeric range expression");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",0,"<",5,6]}]})"),
            "Too many terms in numeric range expression");
}

TEST(CompilerErrorTest, E39BottomNotBelowTop) {
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",5,"<",5]}]})"), "Bottom must be less than top");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">=",10,"<=",1]}]})"),
            "Bottom must be less than top");
  // One-sided ranges are closed at ±Double.MAX_VALUE in event-ruler 2.x.
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",1.7976931348623157e308]}]})"),
            "Bottom must be less than top");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["<",-1.7976931348623157e308]}]})"),
            "Bottom must be less than top");
}

TEST(CompilerErrorTest, E40NotComparable) {
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["=",12345678901234567]}]})"),
            "Cannot compare number : 12345678901234567");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",1e400]}]})"), "Cannot compare number : 1e400");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":["<",-1e400]}]})"), "Cannot compare number : -1e400");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",0,"<",0.30000000000000001]}]})"),
            "Cannot compare number : 0.30000000000000001");
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":[1,0.30000000000000001]}]})"),
            "Cannot compare number : 0.30000000000000001");
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":1e400}]})"), "Cannot compare number : 1e400");
}

TEST(CompilerErrorTest, E41ExistsValue) {
  EXPECT_EQ(RejectReason(R"({"a":[{"exists":"true"}]})"),
            "exists match pattern must be either true or false.");
  EXPECT_EQ(RejectReason(R"({"a":[{"exists":null}]})"),
            "exists match pattern must be either true or false.");
  EXPECT_EQ(RejectReason(R"({"a":[{"exists":1}]})"),
            "exists match pattern must be either true or false.");
}

TEST(CompilerErrorTest, E42ToE48Cidr) {
  EXPECT_EQ(RejectReason(R"({"a":[{"cidr":"10.0.0.0"}]})"), "Malformed CIDR, one '/' required");
  EXPECT_EQ(RejectReason(R"({"a":[{"cidr":"10.0.0.0/x"}]})"),
            "Malformed CIDR, mask bits must be an integer");
  EXPECT_EQ(RejectReason(R"({"a":[{"cidr":"10.0.0.0/-1"}]})"),
            "Malformed CIDR, mask bits must not be negative");
  EXPECT_EQ(RejectReason(R"({"a":[{"cidr":"10.0.0.0/32"}]})"), "IPv4 mask bits must be < 32");
  EXPECT_EQ(RejectReason(R"({"a":[{"cidr":"2001:db8::/128"}]})"), "IPv6 mask bits must be < 128");
  EXPECT_EQ(RejectReason(R"({"a":[{"cidr":"xx.11.xx/24"}]})"), "Nonstandard IP address: xx.11.xx");
  EXPECT_EQ(RejectReason(R"({"a":[{"cidr":"999.1.1.1/24"}]})"), "Invalid IP address: 999.1.1.1");
}

TEST(CompilerErrorTest, E49ToE51OrShape) {
  EXPECT_EQ(RejectReason(R"({"$or":{"a":[1]}})"), "It must be an Array followed with $or.");
  EXPECT_EQ(RejectReason(R"({"$or":"x"})"), "It must be an Array followed with $or.");
  EXPECT_EQ(RejectReason(R"({"$or":[{"a":[1]},5]})"),
            "Only JSON object is allowed in array of $or relationship.");
  EXPECT_EQ(RejectReason(R"({"$or":[[{"a":[1]}],{"b":[1]}]})"),
            "Only JSON object is allowed in array of $or relationship.");
  EXPECT_EQ(RejectReason(R"({"$or":[{"a":[1]}]})"),
            "There must have at least 2 Objects in $or relationship.");
  EXPECT_EQ(RejectReason(R"({"$or":[]})"),
            "There must have at least 2 Objects in $or relationship.");
}

TEST(CompilerErrorTest, E52ReservedNamesInsideOr) {
  for (const char* name : {"exactly",
                           "equals-ignore-case",
                           "prefix",
                           "suffix",
                           "anything-but",
                           "exists",
                           "wildcard",
                           "numeric",
                           "cidr",
                           "=",
                           "<",
                           "<=",
                           ">",
                           ">=",
                           "regex",
                           "not-wildcard",
                           "not-equals-ignore-case",
                           "date-after",
                           "date-on-or-after",
                           "date-before",
                           "date-on-or-before",
                           "in-date-range",
                           "ip-address-in-range",
                           "ip-address-not-in-range"}) {
    const std::string json = std::string(R"({"$or":[{")") + name + R"(":[1]},{"b":[2]}]})";
    EXPECT_EQ(RejectReason(json),
              std::string(name) + " is Ruler reserved fieldName which cannot be used inside $or.");
  }
  // Also in nested objects inside a branch, and checked before the value is read.
  EXPECT_EQ(RejectReason(R"({"$or":[{"a":{"numeric":[1]}},{"b":[1]}]})"),
            "numeric is Ruler reserved fieldName which cannot be used inside $or.");
  EXPECT_EQ(RejectReason(R"({"$or":[{"b":[1]},{"prefix":5}]})"),
            "prefix is Ruler reserved fieldName which cannot be used inside $or.");
  // Outside $or these are ordinary field names.
  EXPECT_EQ(Paths(Compile(R"({"prefix":["x"],"numeric":{"exists":[1]}})").alternatives[0]),
            (Strings{"numeric.exists", "prefix"}));
}

TEST(CompilerErrorTest, E53TooManyOrCombinations) {
  std::string json = "{";
  for (int i = 0; i < 10; ++i) {
    if (i > 0) json += ",";
    json += R"("$or":[{"a":[1]},{"b":[2]}])";
  }
  json += "}";
  EXPECT_EQ(RejectReason(json), "Too many $or combinations: 1024 exceeds 1000");

  // The formula is the product of all $or lengths, also for nested $or (conservative).
  CompileOptions options = Lenient();
  options.max_or_combinations = 7;
  EXPECT_EQ(RejectReason(R"({"$or":[{"$or":[{"a":[1]},{"b":[1]}]},{"$or":[{"c":[1]},{"d":[1]}]}]})",
                         options),
            "Too many $or combinations: 8 exceeds 7");
  options.max_or_combinations = 8;
  EXPECT_EQ(
      Compile(R"({"$or":[{"$or":[{"a":[1]},{"b":[1]}]},{"$or":[{"c":[1]},{"d":[1]}]}]})", options)
          .alternatives.size(),
      4u);
}

TEST(CompilerErrorTest, E53OnHugeExpansionStaysCheap) {
  // 2^40 combinations must not be materialised before the cap is reported.
  CompileOptions options = Lenient();
  options.max_pattern_chars = 1 << 20;
  std::string json = "{";
  for (int i = 0; i < 40; ++i) {
    if (i > 0) json += ",";
    json += R"("$or":[{"a":[1]},{"b":[2]}])";
  }
  json += "}";
  EXPECT_EQ(RejectReason(json, options), "Too many $or combinations: 1099511627776 exceeds 1000");
}

TEST(CompilerErrorTest, E54PatternTooLong) {
  const std::string filler(2048 - 10, 'x');  // {"a":[""]} is 10 characters
  const std::string at_limit = R"({"a":[")" + filler + R"("]})";
  ASSERT_EQ(at_limit.size(), 2048u);
  EXPECT_EQ(RejectReason(at_limit), "<ok>");
  const std::string over = R"({"a":[")" + filler + R"(x"]})";
  EXPECT_EQ(RejectReason(over), "Event pattern exceeds 2048 characters");

  CompileOptions options = Lenient();
  options.max_pattern_chars = 4096;
  EXPECT_EQ(RejectReason(over, options), "<ok>");
  EXPECT_EQ(RejectReason(std::string(5000, ' ') + "{}", options),
            "Event pattern exceeds 4096 characters");
}

TEST(CompilerErrorTest, E54CountsUtf16UnitsLikeJava) {
  // 'é' is 2 bytes but 1 UTF-16 unit; '😀' is 4 bytes and 2 units.
  std::string e_acute;
  for (int i = 0; i < 2048 - 10; ++i) e_acute += "\xC3\xA9";
  EXPECT_EQ(RejectReason(R"({"a":[")" + e_acute + R"("]})"), "<ok>");
  EXPECT_EQ(RejectReason(R"({"a":[")" + e_acute + R"(x"]})"),
            "Event pattern exceeds 2048 characters");

  std::string emoji;
  for (int i = 0; i < (2048 - 10) / 2; ++i) emoji += "\xF0\x9F\x98\x80";
  EXPECT_EQ(RejectReason(R"({"a":[")" + emoji + R"("]})"), "<ok>");
  EXPECT_EQ(RejectReason(R"({"a":[")" + emoji + "\xF0\x9F\x98\x80" + R"("]})"),
            "Event pattern exceeds 2048 characters");
}

// ---------------------------------------------------------------------------------------------
// First error in document order wins (§1.1).

TEST(CompilerOrderTest, SemanticErrorBeforeLaterSyntaxError) {
  EXPECT_EQ(RejectReason(R"({"a":[],"b":@@@)"), "Empty arrays are not allowed");
  EXPECT_EQ(RejectReason(R"({"a":[{"prefix":5}], nonsense)"),
            "prefix match pattern must be a string");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",0,"<",5,6 garbage)"),
            "Too many terms in numeric range expression");
  EXPECT_EQ(RejectReason(R"({"f":5,)"), R"("f" must be an object or an array)");
  EXPECT_EQ(RejectReason("[ not json"), "Filter is not an object");
}

TEST(CompilerOrderTest, SyntaxErrorBeforeLaterSemanticError) {
  for (const char* json :
       {R"({"a":[1,],"b":[]})", R"({"a":[1] "b":[]})", R"({"a":[01],"b":[]})",
        R"({"a":["x"]})"
        "}",
        R"({"a":[{"numeric":[">",0,"<",5]})", "{", R"({"a")", R"({"a":[{"prefix":"x",}]})"}) {
    CompileResult result = CompilePattern(json, Lenient());
    ASSERT_FALSE(result.ok()) << json;
    EXPECT_NE(result.error->reason, "Empty arrays are not allowed") << json;
    EXPECT_NE(result.error->reason.find("JSON"), std::string::npos) << result.error->reason;
  }
}

TEST(CompilerOrderTest, EarlierFieldErrorWins) {
  EXPECT_EQ(RejectReason(R"({"a":[{"exists":1}],"b":[]})"),
            "exists match pattern must be either true or false.");
  EXPECT_EQ(RejectReason(R"({"b":[],"a":[{"exists":1}]})"), "Empty arrays are not allowed");
  // Operator value error before its extra key, cidr and wildcard errors before E08.
  EXPECT_EQ(RejectReason(R"({"a":[{"cidr":"10.0.0.0","x":1}]})"),
            "Malformed CIDR, one '/' required");
  EXPECT_EQ(RejectReason(R"({"a":[{"wildcard":"a**","x":1}]})"),
            "Consecutive wildcard characters at pos 2");
  // E33 is decided after the next token is read: a malformed one wins.
  EXPECT_NE(RejectReason(R"({"a":[{"numeric":["foo" @]}]})"),
            "Unrecognized numeric range operator: foo");
  // A bad anything-but wildcard value loses to a later non-string element in the same list,
  // because event-ruler validates the values after reading the whole list.
  EXPECT_EQ(RejectReason(R"({"a":[{"anything-but":{"wildcard":["a**",5]}}]})"),
            "wildcard match pattern must be a string");
  // Range checks run after the whole range is read.
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",1e400,"<",5,6]}]})"),
            "Too many terms in numeric range expression");
  EXPECT_EQ(RejectReason(R"({"a":[{"numeric":[">",1e400,"<",-1]}]})"),
            "Cannot compare number : 1e400");
}

TEST(CompilerOrderTest, SizeLimitIsCheckedFirst) {
  EXPECT_EQ(RejectReason(std::string("[").append(3000, ' ').append("]")),
            "Event pattern exceeds 2048 characters");
}

// ---------------------------------------------------------------------------------------------
// Limits and hostile input (§3.12).

TEST(CompilerLimitTest, FieldsPerSubPattern) {
  auto fields = [](int n) {
    std::string json = "{";
    for (int i = 0; i < n; ++i) {
      if (i > 0) json += ",";
      json += "\"f" + std::to_string(i) + "\":[1]";
    }
    return json + "}";
  };
  CompileOptions options = Lenient();
  options.max_pattern_chars = 1 << 20;
  EXPECT_EQ(Compile(fields(256), options).alternatives[0].fields.size(), 256u);
  EXPECT_EQ(RejectReason(fields(257), options), "Size of rule exceeds max value of 256");
  // A duplicate path is one field: last-wins collapses it before counting.
  std::string with_duplicate = fields(256);
  with_duplicate.insert(with_duplicate.size() - 1, R"(,"f0":[2])");
  EXPECT_EQ(RejectReason(with_duplicate, options), "<ok>");
}

TEST(CompilerLimitTest, DeepNestingIsAnErrorNotACrash) {
  CompileOptions options = Lenient();
  options.max_pattern_chars = 1 << 24;
  auto nested = [](size_t levels) {
    std::string json;
    for (size_t i = 0; i < levels; ++i) json += "{\"a\":";
    json += "[1]";
    for (size_t i = 0; i < levels; ++i) json += "}";
    return json;
  };
  // 999 objects plus the leaf array use exactly the 1000 levels allowed.
  CompiledPattern ok = Compile(nested(999), options);
  ASSERT_EQ(ok.alternatives[0].fields.size(), 1u);
  EXPECT_EQ(ok.alternatives[0].fields[0].path.size(), 999u * 2 - 1);

  for (size_t levels : {1000u, 1500u, 100000u}) {
    CompileResult result = CompilePattern(nested(levels), options);
    ASSERT_FALSE(result.ok()) << levels;
    EXPECT_NE(result.error->reason.find("nesting depth 1001"), std::string::npos)
        << result.error->reason;
  }
  // Deep arrays and deep $or nesting are bounded the same way.
  CompileResult arrays = CompilePattern("{\"a\":" + std::string(1 << 20, '['), options);
  ASSERT_FALSE(arrays.ok());
  EXPECT_EQ(arrays.error->reason, "Match value must be String, number, true, false, or null");
  std::string ors;
  for (int i = 0; i < 2000; ++i) ors += R"({"$or":[)";
  CompileResult deep_or = CompilePattern(ors, options);
  ASSERT_FALSE(deep_or.ok());
  EXPECT_NE(deep_or.error->reason.find("nesting depth"), std::string::npos);
}

TEST(CompilerLimitTest, MegabytePatternWhenSizeRaised) {
  CompileOptions options = Lenient();
  options.max_pattern_chars = 2 << 20;
  std::string json = R"({"detail":{"eventName":[)";
  const int kValues = 100000;
  for (int i = 0; i < kValues; ++i) {
    if (i > 0) json += ",";
    json += "\"Event" + std::to_string(i) + "\"";
  }
  json += "]}}";
  ASSERT_GT(json.size(), 1u << 20);
  CompiledPattern p = Compile(json, options);
  ASSERT_EQ(p.alternatives.size(), 1u);
  ASSERT_EQ(p.alternatives[0].fields.size(), 1u);
  EXPECT_EQ(p.alternatives[0].fields[0].path, "detail.eventName");
  ASSERT_EQ(p.alternatives[0].fields[0].matchers.size(), static_cast<size_t>(kValues));
  EXPECT_EQ(std::get<ExactString>(p.alternatives[0].fields[0].matchers.back()).value, "Event99999");
  EXPECT_EQ(RejectReason(json), "Event pattern exceeds 2048 characters");
}

TEST(CompilerLimitTest, InvalidUtf8IsRejected) {
  for (const std::string& json :
       {std::string("{\"a\":[\"\xFF\"]}"), std::string("{\"a\":[\"\xC0\xAF\"]}"),
        std::string("{\"a\":[\"\xED\xA0\x80\"]}"), std::string("{\"\xE2\x82\":[1]}"),
        std::string(R"({"a":["\ud800"]})"), std::string(R"({"a":["\udc00x"]})")}) {
    CompileResult result = CompilePattern(json, Lenient());
    ASSERT_FALSE(result.ok()) << json;
    EXPECT_NE(result.error->reason.find("JSON"), std::string::npos) << result.error->reason;
  }
  EXPECT_EQ(Only<ExactString>("{\"f\":[\"\xE2\x82\xAC\"]}").value, "\xE2\x82\xAC");
}

TEST(CompilerLimitTest, TrailingContentIsRejected) {
  EXPECT_FALSE(CompilePattern(R"({"a":[1]} {"b":[2]})").ok());
  EXPECT_FALSE(CompilePattern(R"({"a":[1]}})").ok());
  EXPECT_TRUE(CompilePattern("{\"a\":[1]} \n\t").ok());
}

TEST(CompilerLimitTest, MessageCarriesAwsPrefix) {
  CompileResult result = CompilePattern(R"({"a":[]})");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->Message(),
            "Event pattern is not valid. Reason: Empty arrays are not allowed");
}

}  // namespace
}  // namespace trailwatch::pattern
