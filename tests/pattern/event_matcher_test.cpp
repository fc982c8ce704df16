// Matching semantics of the whole engine (compiler + PatternSet + EventMatcher), case by case
// from docs/reference/event-patterns.md §3.
#include "pattern/event_matcher.h"

#include <gtest/gtest.h>

#include <thread>

#include "cli/cli_test_util.h"
#include "pattern/compiler.h"

namespace trailwatch::pattern {
namespace {

std::shared_ptr<const PatternSet> BuildSet(
    const std::vector<std::pair<std::string, std::string>>& rules) {
  std::vector<PatternSet::NamedPattern> patterns;
  for (const auto& [name, json] : rules) {
    CompileResult compiled = CompilePattern(json);
    EXPECT_TRUE(compiled.ok()) << json << ": " << (compiled.ok() ? "" : compiled.error->reason);
    if (!compiled.ok()) return nullptr;
    patterns.push_back({name, std::move(compiled.pattern)});
  }
  auto set = PatternSet::Build(std::move(patterns));
  EXPECT_TRUE(set.ok());
  return set.ok() ? *set : nullptr;
}

// True/false for a match; fails the test on an event error.
bool Matches(const std::string& pattern, const std::string& event) {
  auto set = BuildSet({{"p", pattern}});
  if (!set) return false;
  EventMatcher matcher(set);
  auto result = matcher.Match(event);
  EXPECT_TRUE(result.ok()) << event << ": " << (result.ok() ? "" : result.message());
  return result.ok() && !(*result)->empty();
}

// The EventBridge envelope around a CloudTrail record (docs/reference/formats.md §3.4), for sign-in
// records.
std::string SignInEnvelope(const std::string& record) {
  return R"({"version":"0","id":"x","detail-type":"AWS Console Sign In via CloudTrail",)"
         R"("source":"aws.signin","account":"111122223333","time":"2022-11-10T16:24:34Z",)"
         R"("region":"us-east-1","resources":[],"detail":)" +
         record + "}";
}

const char kFirstUserPattern[] =
    R"({"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}})";

TEST(EventMatcherTest, FirstUserPatternMatchesRootSignInsOnly) {
  EXPECT_TRUE(
      Matches(kFirstUserPattern,
              testing::ReadFixture(
                  "aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json")));
  for (const char* root : {"root-consolelogin-success-no-mfa.json", "root-consolelogin-success-mfa.json",
                           "root-consolelogin-failure.json"}) {
    EXPECT_TRUE(Matches(kFirstUserPattern, SignInEnvelope(testing::ReadFixture(
                                               std::string("aws/cloudtrail/") + root))))
        << root;
  }
  for (const char* user : {"iam-user-consolelogin-success-mfa.json", "iam-user-consolelogin-failure.json",
                           "iam-user-checkmfa-single-device-type.json"}) {
    EXPECT_FALSE(Matches(kFirstUserPattern, SignInEnvelope(testing::ReadFixture(
                                                std::string("aws/cloudtrail/") + user))))
        << user;
  }
}

TEST(EventMatcherTest, ExactStringsAreByteExact) {
  EXPECT_TRUE(Matches(R"({"a":["abc"]})", R"({"a":"abc"})"));
  EXPECT_FALSE(Matches(R"({"a":["abc"]})", R"({"a":"ABC"})"));
  EXPECT_FALSE(Matches(R"({"a":["abc"]})", R"({"a":"abcd"})"));
  EXPECT_TRUE(Matches(R"({"a":["caf\u00e9"]})", R"({"a":"café"})"));  // after unescaping
  EXPECT_FALSE(Matches(R"({"a":["300"]})", R"({"a":300})"));
}

TEST(EventMatcherTest, NullEmptyAndNullStringAreDistinct) {
  EXPECT_TRUE(Matches(R"({"a":[null]})", R"({"a":null})"));
  EXPECT_FALSE(Matches(R"({"a":[null]})", R"({"a":""})"));
  EXPECT_FALSE(Matches(R"({"a":[null]})", R"({"a":"null"})"));
  EXPECT_FALSE(Matches(R"({"a":[null]})", R"({})"));
  EXPECT_FALSE(Matches(R"({"a":[null]})", R"({"a":[]})"));
  EXPECT_TRUE(Matches(R"({"a":[""]})", R"({"a":""})"));
  EXPECT_FALSE(Matches(R"({"a":[""]})", R"({"a":null})"));
}

TEST(EventMatcherTest, BooleansMatchLiteralsOnly) {
  EXPECT_TRUE(Matches(R"({"a":[true]})", R"({"a":true})"));
  EXPECT_FALSE(Matches(R"({"a":[true]})", R"({"a":"true"})"));
  EXPECT_FALSE(Matches(R"({"a":[true]})", R"({"a":false})"));
  EXPECT_TRUE(Matches(R"({"a":[false]})", R"({"a":false})"));
}

TEST(EventMatcherTest, NumbersMatchNumerically) {
  EXPECT_TRUE(Matches(R"({"a":[300]})", R"({"a":300})"));
  EXPECT_TRUE(Matches(R"({"a":[300]})", R"({"a":300.0})"));
  EXPECT_TRUE(Matches(R"({"a":[300]})", R"({"a":3e2})"));
  EXPECT_TRUE(Matches(R"({"a":[3.0e2]})", R"({"a":300})"));
  EXPECT_FALSE(Matches(R"({"a":[300]})", R"({"a":"300"})"));
  EXPECT_FALSE(Matches(R"({"a":[300]})", R"({"a":301})"));
  EXPECT_TRUE(Matches(R"({"a":[0]})", R"({"a":-0})"));
  EXPECT_TRUE(Matches(R"({"a":[123456789012]})", R"({"a":123456789012})"));
  // Not comparable: only identical text matches.
  EXPECT_TRUE(Matches(R"({"a":[12345678901234567]})", R"({"a":12345678901234567})"));
  EXPECT_FALSE(Matches(R"({"a":[12345678901234567]})", R"({"a":12345678901234568})"));
  EXPECT_FALSE(Matches(R"({"a":[0.30000000000000001]})", R"({"a":0.3})"));
}

TEST(EventMatcherTest, PrefixAndSuffix) {
  EXPECT_TRUE(Matches(R"({"r":[{"prefix":"us-"}]})", R"({"r":"us-east-1"})"));
  EXPECT_FALSE(Matches(R"({"r":[{"prefix":"us-"}]})", R"({"r":"eu-west-1"})"));
  EXPECT_FALSE(Matches(R"({"r":[{"prefix":"us-"}]})", R"({"r":"US-east-1"})"));
  EXPECT_TRUE(Matches(R"({"r":[{"prefix":""}]})", R"({"r":"anything"})"));
  EXPECT_FALSE(Matches(R"({"r":[{"prefix":""}]})", R"({"r":5})"));
  EXPECT_TRUE(Matches(R"({"f":[{"suffix":".png"}]})", R"({"f":"a.png"})"));
  EXPECT_FALSE(Matches(R"({"f":[{"suffix":".png"}]})", R"({"f":"a.PNG"})"));
  EXPECT_TRUE(Matches(R"({"f":[{"suffix":""}]})", R"({"f":""})"));
  EXPECT_TRUE(Matches(R"({"f":[{"prefix":{"equals-ignore-case":"EventB"}}]})", R"({"f":"eventbridge"})"));
  EXPECT_TRUE(Matches(R"({"f":[{"suffix":{"equals-ignore-case":".PNG"}}]})", R"({"f":"a.png"})"));
  EXPECT_FALSE(Matches(R"({"f":[{"suffix":{"equals-ignore-case":".PNG"}}]})", R"({"f":"a.jpg"})"));
}

TEST(EventMatcherTest, EqualsIgnoreCase) {
  EXPECT_TRUE(Matches(R"({"n":[{"equals-ignore-case":"alice"}]})", R"({"n":"ALICE"})"));
  EXPECT_TRUE(Matches(R"({"n":[{"equals-ignore-case":"alice"}]})", R"({"n":"aLiCe"})"));
  EXPECT_FALSE(Matches(R"({"n":[{"equals-ignore-case":"alice"}]})", R"({"n":"alicex"})"));
  EXPECT_TRUE(Matches(R"({"n":[{"equals-ignore-case":""}]})", R"({"n":""})"));
  EXPECT_FALSE(Matches(R"({"n":[{"equals-ignore-case":""}]})", R"({"n":"a"})"));
  // Non-ASCII: only the pattern is expanded (event-ruler): ß matches ß and SS, not ss.
  EXPECT_TRUE(Matches(R"({"n":[{"equals-ignore-case":"straße"}]})", R"({"n":"STRASSE"})"));
  EXPECT_TRUE(Matches(R"({"n":[{"equals-ignore-case":"straße"}]})", R"({"n":"Straße"})"));
  EXPECT_FALSE(Matches(R"({"n":[{"equals-ignore-case":"straße"}]})", R"({"n":"strasse"})"));
}

TEST(EventMatcherTest, Wildcard) {
  const char* pattern = R"({"arn":[{"wildcard":"arn:aws:iam::*:role/*"}]})";
  EXPECT_TRUE(Matches(pattern, R"({"arn":"arn:aws:iam::111122223333:role/admin"})"));
  EXPECT_FALSE(Matches(pattern, R"({"arn":"arn:aws:iam::111122223333:user/admin"})"));
  EXPECT_TRUE(Matches(R"({"a":[{"wildcard":"*"}]})", R"({"a":""})"));
  EXPECT_TRUE(Matches(R"({"a":[{"wildcard":""}]})", R"({"a":""})"));
  EXPECT_FALSE(Matches(R"({"a":[{"wildcard":""}]})", R"({"a":"x"})"));
  EXPECT_TRUE(Matches(R"({"a":[{"wildcard":"a\\*b"}]})", R"({"a":"a*b"})"));
  EXPECT_FALSE(Matches(R"({"a":[{"wildcard":"a\\*b"}]})", R"({"a":"axb"})"));
  EXPECT_FALSE(Matches(R"({"a":[{"wildcard":"*"}]})", R"({"a":5})"));
}

TEST(EventMatcherTest, AnythingButNeverMatchesMissingFields) {
  const char* pattern = R"({"state":[{"anything-but":"init"}]})";
  EXPECT_TRUE(Matches(pattern, R"({"state":"running"})"));
  EXPECT_FALSE(Matches(pattern, R"({"state":"init"})"));
  EXPECT_FALSE(Matches(pattern, R"({})"));
  EXPECT_FALSE(Matches(pattern, R"({"state":[]})"));
  EXPECT_FALSE(Matches(pattern, R"({"state":{"a":1}})"));
  EXPECT_TRUE(Matches(pattern, R"({"state":null})"));
  EXPECT_TRUE(Matches(pattern, R"({"state":true})"));
  EXPECT_TRUE(Matches(pattern, R"({"state":5})"));
  EXPECT_TRUE(Matches(pattern, R"({"state":["init","other"]})"));  // any element may match
  EXPECT_FALSE(Matches(pattern, R"({"state":["init"]})"));
}

TEST(EventMatcherTest, AnythingButNumbersCompareNumerically) {
  const char* pattern = R"({"x":[{"anything-but":[100,200]}]})";
  EXPECT_FALSE(Matches(pattern, R"({"x":100})"));
  EXPECT_FALSE(Matches(pattern, R"({"x":100.0})"));
  EXPECT_FALSE(Matches(pattern, R"({"x":2e2})"));
  EXPECT_TRUE(Matches(pattern, R"({"x":300})"));
  EXPECT_TRUE(Matches(pattern, R"({"x":"100"})"));
  EXPECT_TRUE(Matches(R"({"x":[{"anything-but":0}]})", R"({"x":1})"));
}

TEST(EventMatcherTest, AnythingButForms) {
  EXPECT_FALSE(Matches(R"({"s":[{"anything-but":{"prefix":"init"}}]})", R"({"s":"initializing"})"));
  EXPECT_TRUE(Matches(R"({"s":[{"anything-but":{"prefix":"init"}}]})", R"({"s":"running"})"));
  EXPECT_TRUE(Matches(R"({"s":[{"anything-but":{"prefix":"init"}}]})", R"({"s":42})"));
  EXPECT_FALSE(Matches(R"({"s":[{"anything-but":{"suffix":["a","b"]}}]})", R"({"s":"xb"})"));
  EXPECT_TRUE(Matches(R"({"s":[{"anything-but":{"suffix":["a","b"]}}]})", R"({"s":"xc"})"));
  EXPECT_FALSE(Matches(R"({"s":[{"anything-but":{"equals-ignore-case":["Stopped"]}}]})", R"({"s":"STOPPED"})"));
  EXPECT_TRUE(Matches(R"({"s":[{"anything-but":{"equals-ignore-case":["Stopped"]}}]})", R"({"s":"running"})"));
  EXPECT_FALSE(Matches(R"({"s":[{"anything-but":{"wildcard":["*/bin/*.jar"]}}]})", R"({"s":"/usr/bin/x.jar"})"));
  EXPECT_TRUE(Matches(R"({"s":[{"anything-but":{"wildcard":["*/bin/*.jar"]}}]})", R"({"s":"/usr/lib/x.jar"})"));
  EXPECT_TRUE(Matches(R"({"s":[{"anything-but":{"wildcard":"*.jar"}}]})", R"({"s":null})"));
  EXPECT_FALSE(Matches(R"({"s":[{"anything-but":{"wildcard":"*.jar"}}]})", R"({})"));
}

TEST(EventMatcherTest, NumericRanges) {
  const char* pattern = R"({"n":[{"numeric":[">",0,"<=",5]}]})";
  EXPECT_FALSE(Matches(pattern, R"({"n":0})"));
  EXPECT_TRUE(Matches(pattern, R"({"n":0.0001})"));
  EXPECT_TRUE(Matches(pattern, R"({"n":5})"));
  EXPECT_FALSE(Matches(pattern, R"({"n":5.0000001})"));
  EXPECT_FALSE(Matches(pattern, R"({"n":"3"})"));
  EXPECT_FALSE(Matches(pattern, R"({"n":null})"));
  EXPECT_TRUE(Matches(R"({"n":[{"numeric":["=",3.018e2]}]})", R"({"n":301.8})"));
  EXPECT_TRUE(Matches(R"({"n":[{"numeric":["<",10]}]})", R"({"n":-1e300})"));
  EXPECT_TRUE(Matches(R"({"n":[{"numeric":[">=",1e308]}]})", R"({"n":1.7976931348623157e308})"));
  EXPECT_TRUE(Matches(R"({"n":[{"numeric":["<",-1e308]}]})", R"({"n":-1.7976931348623157e308})"));
  EXPECT_TRUE(Matches(R"({"n":[{"numeric":[">",5e9]}]})", R"({"n":123456789012})"));
  EXPECT_FALSE(Matches(R"({"n":[{"numeric":[">",0]}]})", R"({"n":true})"));
  // Not comparable: ranges never match it.
  EXPECT_FALSE(Matches(R"({"n":[{"numeric":[">",0]}]})", R"({"n":12345678901234567})"));
}

TEST(EventMatcherTest, ExistsFollowsTheSpecTable) {
  const char* yes = R"({"a":{"b":[{"exists":true}]}})";
  const char* no = R"({"a":{"b":[{"exists":false}]}})";
  for (const char* present : {R"({"a":{"b":"x"}})", R"({"a":{"b":""}})", R"({"a":{"b":0}})",
                              R"({"a":{"b":false}})", R"({"a":{"b":["x"]}})", R"({"a":{"b":null}})"}) {
    EXPECT_TRUE(Matches(yes, present)) << present;
    EXPECT_FALSE(Matches(no, present)) << present;
  }
  for (const char* absent : {R"({"a":{"b":{"c":1}}})", R"({"a":{"b":{}}})", R"({"a":{"b":[]}})",
                             R"({"a":{"b":[{}]}})", R"({"a":{"b":[[]]}})", R"({"a":{}})", R"({})",
                             R"({"a":5})", R"({"a":"b"})"}) {
    EXPECT_FALSE(Matches(yes, absent)) << absent;
    EXPECT_TRUE(Matches(no, absent)) << absent;
  }
  // anything-but or absent: matches when the parent object is absent (AWS).
  EXPECT_TRUE(Matches(R"({"a":{"b":[{"anything-but":["x"]},{"exists":false}]}})", R"({"c":1})"));
  EXPECT_TRUE(Matches(R"({"a":{"b":[{"anything-but":["x"]},{"exists":false}]}})", R"({"a":{"b":"y"}})"));
  EXPECT_FALSE(Matches(R"({"a":{"b":[{"anything-but":["x"]},{"exists":false}]}})", R"({"a":{"b":"x"}})"));
}

TEST(EventMatcherTest, Cidr) {
  EXPECT_TRUE(Matches(R"({"ip":[{"cidr":"10.0.0.0/24"}]})", R"({"ip":"10.0.0.255"})"));
  EXPECT_FALSE(Matches(R"({"ip":[{"cidr":"10.0.0.0/24"}]})", R"({"ip":"10.0.1.0"})"));
  EXPECT_FALSE(Matches(R"({"ip":[{"cidr":"10.0.0.0/24"}]})", R"({"ip":"AWS Internal"})"));
  EXPECT_FALSE(Matches(R"({"ip":[{"cidr":"10.0.0.0/24"}]})", R"({"ip":167772161})"));
  EXPECT_TRUE(Matches(R"({"ip":[{"cidr":"2001:db8:1234:1a00::/64"}]})",
                      R"({"ip":"2001:0db8:1234:1a00:0000:0000:0000:0001"})"));
  EXPECT_FALSE(Matches(R"({"ip":[{"cidr":"2001:db8:1234:1a00::/64"}]})", R"({"ip":"10.0.0.1"})"));
  EXPECT_TRUE(Matches(R"({"ip":[{"cidr":"10.0.0.77/24"}]})", R"({"ip":"10.0.0.1"})"));  // host bits
}

TEST(EventMatcherTest, IpLiteralExactStringsMatchAnySpelling) {
  EXPECT_TRUE(Matches(R"({"ip":["2001:db8::1"]})", R"({"ip":"2001:0db8:0:0:0:0:0:1"})"));
  EXPECT_FALSE(Matches(R"({"ip":[{"exactly":"2001:db8::1"}]})", R"({"ip":"2001:0db8:0:0:0:0:0:1"})"));
  EXPECT_TRUE(Matches(R"({"ip":[{"exactly":"2001:db8::1"}]})", R"({"ip":"2001:db8::1"})"));
}

TEST(EventMatcherTest, OrCombinesSubPatterns) {
  const char* pattern =
      R"({"source":["aws.signin"],"$or":[{"detail":{"a":["1"]}},{"detail":{"b":["2"]}}]})";
  EXPECT_TRUE(Matches(pattern, R"({"source":"aws.signin","detail":{"a":"1"}})"));
  EXPECT_TRUE(Matches(pattern, R"({"source":"aws.signin","detail":{"b":"2"}})"));
  EXPECT_FALSE(Matches(pattern, R"({"source":"aws.iam","detail":{"b":"2"}})"));
  EXPECT_FALSE(Matches(pattern, R"({"source":"aws.signin","detail":{"b":"1"}})"));
}

TEST(EventMatcherTest, ArraysMatchAnyElementAtAnyDepth) {
  const char* pattern = R"({"employees":{"firstName":["Anna"]}})";
  EXPECT_TRUE(Matches(pattern, R"({"employees":[{"firstName":"John"},{"firstName":"Anna"}]})"));
  EXPECT_TRUE(Matches(pattern, R"({"employees":[[{"firstName":"John"}],[{"firstName":"Anna"}]]})"));
  EXPECT_FALSE(Matches(pattern, R"({"employees":[{"firstName":"John"}]})"));
  EXPECT_TRUE(Matches(R"({"r":["b"]})", R"({"r":["a","b","c"]})"));
}

TEST(EventMatcherTest, FieldsOfOneRuleComeFromOneArrayElement) {
  // §3.4: AuthorizeSecurityGroupIngress with two permissions; port 22 is not open to the world.
  const char* event =
      R"({"detail":{"ipPermissions":{"items":[{"fromPort":22,"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}},)"
      R"({"fromPort":443,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}})";
  EXPECT_FALSE(Matches(
      R"({"detail":{"ipPermissions":{"items":{"fromPort":[22],"ipRanges":{"items":{"cidrIp":["0.0.0.0/0"]}}}}}})",
      event));
  EXPECT_TRUE(Matches(
      R"({"detail":{"ipPermissions":{"items":{"fromPort":[443],"ipRanges":{"items":{"cidrIp":["0.0.0.0/0"]}}}}}})",
      event));
  // Fields outside the array combine freely with either element.
  EXPECT_TRUE(Matches(R"({"x":["1"],"arr":{"a":["2"]}})", R"({"x":"1","arr":[{"a":"1"},{"a":"2"}]})"));
}

TEST(EventMatcherTest, ScalarArrayElementsCarryNoMembershipOfTheirArray) {
  // event-ruler's Event.traverseArray: only object/array elements record their index, so a scalar
  // element combines with a sibling object element of the same array.
  const char* pattern = R"({"a":["s"],"a":{"b":["t"]}})";
  EXPECT_TRUE(Matches(pattern, R"({"a":["s",{"b":"t"}]})"));
  // Object elements still must agree with each other.
  EXPECT_FALSE(Matches(R"({"a":{"x":["1"],"y":["2"]}})", R"({"a":[{"x":"1"},{"y":"2"}]})"));
}

TEST(EventMatcherTest, ExistsFalseInArraysFollowsPathOrder) {
  // "a.x" sorts before "a.y": exists:false on a.y is checked against the element bound for a.x.
  const char* pattern = R"({"a":{"x":["1"],"y":[{"exists":false}]}})";
  EXPECT_TRUE(Matches(pattern, R"({"a":[{"x":"1"},{"x":"2","y":"z"}]})"));
  EXPECT_FALSE(Matches(pattern, R"({"a":[{"x":"1","y":"z"}]})"));
  // When the exists:false path sorts first, it must be absent from the whole event.
  const char* first = R"({"a":{"b":[{"exists":false}],"x":["1"]}})";
  EXPECT_FALSE(Matches(first, R"({"a":[{"x":"1"},{"b":"z"}]})"));
  EXPECT_TRUE(Matches(first, R"({"a":[{"x":"1"},{"c":"z"}]})"));
}

TEST(EventMatcherTest, DottedKeysAreJoinedPaths) {
  EXPECT_TRUE(Matches(R"({"state.status":["on"]})", R"({"state":{"status":"on"}})"));
  EXPECT_TRUE(Matches(R"({"state":{"status":["on"]}})", R"({"state.status":"on"})"));
  EXPECT_TRUE(Matches(R"({"a":{"b":{"c":["1"]}}})", R"({"a":{"b.c":"1"}})"));
  EXPECT_FALSE(Matches(R"({"state.status":{"status":["on"]}})", R"({"state":{"status":"on"}})"));
}

TEST(EventMatcherTest, DottedKeysWithEmptySegmentsAndManySiblings) {
  // "a..b" is the path a, "", b: every split of it in the event reaches the same field.
  const std::string pattern = R"({"a":{"":{"b":["1"]}}})";
  EXPECT_TRUE(Matches(pattern, R"({"a..b":"1"})"));
  EXPECT_TRUE(Matches(pattern, R"({"a.":{"b":"1"}})"));
  EXPECT_TRUE(Matches(pattern, R"({"a":{".b":"1"}})"));
  EXPECT_TRUE(Matches(pattern, R"({"a":{"":{"b":"1"}}})"));
  EXPECT_FALSE(Matches(pattern, R"({"a.b":"1"})"));
  // A node with more than 8 children is looked up through its hash index.
  std::vector<std::pair<std::string, std::string>> rules;
  for (int i = 0; i < 12; ++i) {
    // append(), not operator+ on literals: GCC 12's -Wstringop-overflow false positive.
    std::string name;
    name.append("k").append(std::to_string(i));
    std::string pattern_text;
    pattern_text.append(R"({")").append(name).append(R"(":{"z":{"y":["1"]}}})");
    rules.emplace_back(name, pattern_text);
  }
  auto set = BuildSet(rules);
  ASSERT_TRUE(set);
  EventMatcher matcher(set);
  for (const char* event : {R"({"k7.z.y":"1"})", R"({"k7":{"z.y":"1"}})", R"({"k7.z":{"y":"1"}})"}) {
    auto result = matcher.Match(event);
    ASSERT_TRUE(result.ok()) << event;
    EXPECT_EQ(**result, std::vector<uint32_t>{7}) << event;
  }
  auto none = matcher.Match(R"({"k7.q.y":"1","k12.z.y":"1","k7z.y":"1"})");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)->empty());
}

TEST(EventMatcherTest, DuplicateKeysLastWins) {
  EXPECT_TRUE(Matches(R"({"location":["a"],"location":["b"]})", R"({"location":"b"})"));
  EXPECT_FALSE(Matches(R"({"location":["a"],"location":["b"]})", R"({"location":"a"})"));
  EXPECT_TRUE(Matches(R"({"d":{"a":[1]},"d":{"b":[2]}})", R"({"d":{"a":1,"b":2}})"));
  EXPECT_FALSE(Matches(R"({"d":{"a":[1]},"d":{"b":[2]}})", R"({"d":{"a":1}})"));
}

TEST(EventMatcherTest, ReportsEveryMatchingRuleOnce) {
  auto set = BuildSet({{"by-source", R"({"source":["aws.signin"]})"},
                       {"by-name", R"({"detail":{"eventName":["ConsoleLogin"]}})"},
                       {"both", R"({"source":["aws.signin"],"detail":{"eventName":["ConsoleLogin"]}})"},
                       {"or", R"({"$or":[{"source":["aws.signin"]},{"detail":{"eventName":["ConsoleLogin"]}}]})"},
                       {"other", R"({"source":["aws.iam"]})"}});
  ASSERT_TRUE(set);
  EventMatcher matcher(set);
  auto result = matcher.Match(R"({"source":"aws.signin","detail":{"eventName":"ConsoleLogin"}})");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(**result, (std::vector<uint32_t>{0, 1, 2, 3}));
}

TEST(EventMatcherTest, TenThousandExactRules) {
  std::vector<std::pair<std::string, std::string>> rules;
  for (int i = 0; i < 10000; ++i) {
    // Appended rather than concatenated: GCC 12 warns falsely (-Wstringop-overflow) on the inlined
    // concatenation.
    std::string name = "r";
    name += std::to_string(i);
    std::string pattern = R"({"source":["aws.ec2"],"detail":{"eventName":["Name)";
    pattern.append(std::to_string(i)).append(R"("]}})");
    rules.push_back({std::move(name), std::move(pattern)});
  }
  auto set = BuildSet(rules);
  ASSERT_TRUE(set);
  EventMatcher matcher(set);
  auto result = matcher.Match(R"({"source":"aws.ec2","detail":{"eventName":"Name4242"}})");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(**result, (std::vector<uint32_t>{4242}));
  // Steps follow path order ("detail.eventName" < "source"): each rule is its own chain of two
  // states after the start state, and the event still takes one lookup per step.
  EXPECT_EQ(set->state_count(), 1u + 2u * 10000u);
}

TEST(EventMatcherTest, RejectsInvalidEvents) {
  auto set = BuildSet({{"p", R"({"a":["x"]})"}});
  ASSERT_TRUE(set);
  EventMatcher matcher(set);
  EXPECT_FALSE(matcher.Match("[1,2]").ok());
  EXPECT_FALSE(matcher.Match("\"a\"").ok());
  EXPECT_FALSE(matcher.Match("{\"a\":").ok());
  EXPECT_FALSE(matcher.Match("not json").ok());
  EXPECT_FALSE(matcher.Match("{\"a\":\"x\"} {\"a\":\"x\"}").ok());
  EXPECT_FALSE(matcher.Match("{\"a\":\"\xff\"}").ok());  // invalid UTF-8
  EXPECT_FALSE(matcher.Match("{\"a\":-}").ok());
  EXPECT_FALSE(matcher.Match("").ok());
  EXPECT_TRUE(matcher.Match("{\"a\":\"x\"}  \n").ok());
}

TEST(EventMatcherTest, DeepEventsAreRejectedNotCrashed) {
  auto set = BuildSet({{"p", R"({"a":["x"]})"}});
  ASSERT_TRUE(set);
  EventMatcher matcher(set);
  // Appended rather than concatenated: GCC 12 warns falsely (-Wstringop-overflow) on the inlined
  // concatenation.
  std::string deep = "{\"a\":";
  deep.append(5000, '[').append("\"x\"").append(5000, ']').append("}");
  auto result = matcher.Match(deep);
  EXPECT_FALSE(result.ok());
  std::string ok_depth = "{\"a\":";
  ok_depth.append(100, '[').append("\"x\"").append(100, ']').append("}");
  auto fine = matcher.Match(ok_depth);
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ((*fine)->size(), 1u);
}

TEST(EventMatcherTest, HugeArraysStayBounded) {
  // 100,000 elements alternating {"a":1} and {"b":1}: a consistent pair never exists.
  std::string event = "{\"arr\":[";
  for (int i = 0; i < 100000; ++i) {
    if (i) event += ',';
    event += (i % 2) ? "{\"b\":1}" : "{\"a\":1}";
  }
  event += "]}";
  auto set = BuildSet({{"p", R"({"arr":{"a":[1],"b":[1]}})"}, {"q", R"({"arr":{"a":[1]}})"}});
  ASSERT_TRUE(set);
  EventMatcher matcher(set);
  auto result = matcher.Match(event);
  // Either a defined error (budget) or the right answer, never a hang.
  if (result.ok()) {
    EXPECT_EQ(**result, (std::vector<uint32_t>{1}));
  } else {
    EXPECT_NE(result.message().find("too complex"), std::string::npos);
  }
}

TEST(EventMatcherTest, OneSetManyThreads) {
  auto set = BuildSet({{"root", kFirstUserPattern}});
  ASSERT_TRUE(set);
  std::string root =
      SignInEnvelope(testing::ReadFixture("aws/cloudtrail/root-consolelogin-success-no-mfa.json"));
  std::string user =
      SignInEnvelope(testing::ReadFixture("aws/cloudtrail/iam-user-consolelogin-success-mfa.json"));
  std::vector<std::thread> threads;
  std::vector<int> counts(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      EventMatcher matcher(set);
      for (int i = 0; i < 2000; ++i) {
        auto r = matcher.Match(i % 2 ? user : root);
        if (r.ok() && !(*r)->empty()) ++counts[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int c : counts) EXPECT_EQ(c, 1000);
}

}  // namespace
}  // namespace trailwatch::pattern

namespace trailwatch::pattern {
namespace {

TEST(EventMatcherTest, MatchRecordEqualsMatchingTheBuiltEnvelope) {
  auto set = BuildSet({{"first-user", kFirstUserPattern},
                       {"by-id", R"({"id":[{"prefix":"x"}]})"},
                       {"version", R"({"version":["0"]})"},
                       {"resources-absent", R"({"resources":[{"exists":false}]})"},
                       {"region-and-detail", R"({"region":["us-east-1"],"detail":{"eventName":["ConsoleLogin"]}})"},
                       {"mfa", R"({"detail":{"additionalEventData":{"MFAUsed":[{"equals-ignore-case":"yes"}]}}})"},
                       {"account", R"({"account":["111122223333"],"source":[{"prefix":"aws.si"}]})"}});
  ASSERT_TRUE(set);
  EventMatcher whole(set);
  EventMatcher split(set);
  for (const char* name : {"root-consolelogin-success-no-mfa.json", "root-consolelogin-success-mfa.json",
                           "iam-user-consolelogin-failure.json", "root-enablemfadevice.json"}) {
    std::string record = testing::ReadFixture(std::string("aws/cloudtrail/") + name);
    std::string envelope = SignInEnvelope(record);
    HeaderField header[] = {{"version", "0"}, {"id", "x"},
                            {"detail-type", "AWS Console Sign In via CloudTrail"},
                            {"source", "aws.signin"}, {"account", "111122223333"},
                            {"time", "2022-11-10T16:24:34Z"}, {"region", "us-east-1"}};
    auto expected = whole.Match(envelope);
    ASSERT_TRUE(expected.ok()) << name;
    std::vector<uint32_t> expected_ids = **expected;
    auto actual = split.MatchRecord(record, 0, header);
    ASSERT_TRUE(actual.ok()) << name << ": " << actual.message();
    EXPECT_EQ(**actual, expected_ids) << name;
    EXPECT_FALSE(expected_ids.empty()) << name;
  }
  // A rule set that never reads "detail" does not need the record to be valid JSON at all.
  auto header_only = BuildSet({{"region", R"({"region":["us-east-1"]})"}});
  EventMatcher matcher(header_only);
  HeaderField header[] = {{"region", "us-east-1"}};
  auto result = matcher.MatchRecord("not json", 0, header);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)->size(), 1u);
  // An invalid record is an error when a rule reads it.
  EventMatcher reader(set);
  EXPECT_FALSE(reader.MatchRecord("{\"eventName\":", 0, header).ok());
}

}  // namespace
}  // namespace trailwatch::pattern
