// RequiredRecordLiterals: the literal each matcher kind requires (and the kinds that require none),
// how one condition per sub-pattern is chosen, $or and multi-pattern unions, and the safety
// property — every record a pattern matches holds one of its literals — on hand-made records for
// each matcher shape and on every sample event of the built-in rule packs.
#include "pattern/required_literals.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/cli_test_util.h"
#include "envelope/envelope.h"
#include "pattern/compiler.h"
#include "pattern/event_matcher.h"
#include "pattern/pattern_set.h"
#include "rules/rule_packs.h"

namespace trailwatch::pattern {
namespace {

using Literals = std::optional<std::vector<std::string>>;

CompiledPattern CompileWithDefaults(std::string_view json) {
  CompileResult result = CompilePattern(json);
  EXPECT_TRUE(result.ok()) << json << " -> " << result.error->reason;
  return result.pattern;
}

Literals Of(const std::vector<std::string>& jsons) {
  std::vector<CompiledPattern> compiled;
  for (const std::string& json : jsons) compiled.push_back(CompileWithDefaults(json));
  std::vector<const CompiledPattern*> pointers;
  for (const CompiledPattern& pattern : compiled) pointers.push_back(&pattern);
  return RequiredRecordLiterals(pointers);
}

Literals Of(const std::string& json) { return Of(std::vector<std::string>{json}); }

// `detail` wrapped as {"detail": ...}: the literals of one condition on detail.f.
Literals OfDetailF(const std::string& or_list) { return Of(R"({"detail":{"f":)" + or_list + "}}"); }

Literals One(const std::string& literal) { return std::vector<std::string>{literal}; }

bool HasEscape(std::string_view text) {
  return text.find("\\u") != std::string_view::npos || text.find("\\/") != std::string_view::npos;
}

bool ContainsOne(std::string_view text, const std::vector<std::string>& literals) {
  for (const std::string& literal : literals) {
    if (text.find(literal) != std::string_view::npos) return true;
  }
  return false;
}

TEST(RequiredLiterals, RootSigninNeedsTheRootToken) {
  EXPECT_EQ(
      Of(R"({"detail-type":["AWS Console Sign In via CloudTrail",)"
         R"("AWS Console Signin via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}})"),
      One("\"Root\""));
}

TEST(RequiredLiterals, ExactStringIsTheQuotedToken) {
  EXPECT_EQ(OfDetailF(R"(["ConsoleLogin"])"), One("\"ConsoleLogin\""));
  EXPECT_EQ(OfDetailF(R"(["ab"])"), One("\"ab\""));  // four bytes with its quotes
  EXPECT_EQ(OfDetailF(R"(["a"])"), std::nullopt);    // three: too common
  EXPECT_EQ(OfDetailF(R"([""])"), std::nullopt);
  EXPECT_EQ(OfDetailF(R"([{"exactly":"ConsoleLogin"}])"), One("\"ConsoleLogin\""));
  // Non-ASCII bytes are kept (a writer that escapes them uses \u, which callers treat apart).
  EXPECT_EQ(OfDetailF(R"(["caf\u00e9"])"), One("\"caf\xc3\xa9\""));
}

TEST(RequiredLiterals, ValuesThatJsonMustEscapeGiveNone) {
  EXPECT_EQ(OfDetailF(R"(["say \"hi\""])"), std::nullopt);
  EXPECT_EQ(OfDetailF(R"(["C:\\temp"])"), std::nullopt);
  EXPECT_EQ(OfDetailF(R"(["line\nbreak"])"), std::nullopt);
  EXPECT_EQ(OfDetailF(R"([{"prefix":"tab\there"}])"), std::nullopt);
  EXPECT_EQ(OfDetailF(R"([{"suffix":"x\"y"}])"), std::nullopt);
  // '/' is fine: its \/ spelling is an escape callers treat apart.
  EXPECT_EQ(OfDetailF(R"(["a/b/c"])"), One("\"a/b/c\""));
}

TEST(RequiredLiterals, IpLiteralsMatchOtherSpellings) {
  EXPECT_EQ(OfDetailF(R"(["192.0.2.10"])"), std::nullopt);
  EXPECT_EQ(OfDetailF(R"(["2001:db8::1"])"), std::nullopt);
  // "exactly" compares text only, so its text is required.
  EXPECT_EQ(OfDetailF(R"([{"exactly":"192.0.2.10"}])"), One("\"192.0.2.10\""));
  // Not IP literals (a leading zero, a hostname): plain text.
  EXPECT_EQ(OfDetailF(R"(["192.0.2.010"])"), One("\"192.0.2.010\""));
  EXPECT_EQ(OfDetailF(R"(["delivery.logs.amazonaws.com"])"),
            One("\"delivery.logs.amazonaws.com\""));
}

TEST(RequiredLiterals, PrefixAndSuffixShapes) {
  EXPECT_EQ(OfDetailF(R"([{"prefix":"AccessDenied"}])"), One("\"AccessDenied"));
  EXPECT_EQ(OfDetailF(R"([{"suffix":"Operation"}])"), One("Operation\""));
  EXPECT_EQ(OfDetailF(R"([{"prefix":"ab"}])"), std::nullopt);  // "ab is three bytes
  EXPECT_EQ(OfDetailF(R"([{"suffix":"abc"}])"), One("abc\""));
  EXPECT_EQ(OfDetailF(R"([{"prefix":""}])"), std::nullopt);
  EXPECT_EQ(OfDetailF(R"([{"prefix":{"equals-ignore-case":"AccessDenied"}}])"), std::nullopt);
  EXPECT_EQ(OfDetailF(R"([{"suffix":{"equals-ignore-case":"Operation"}}])"), std::nullopt);
}

TEST(RequiredLiterals, WildcardShapes) {
  // Anchored ends carry the string's quote; the longest literal wins.
  EXPECT_EQ(OfDetailF(R"([{"wildcard":"arn:aws:iam::*:root"}])"), One("\"arn:aws:iam::"));
  EXPECT_EQ(OfDetailF(R"([{"wildcard":"*:user/admin"}])"), One(":user/admin\""));
  EXPECT_EQ(OfDetailF(R"([{"wildcard":"*Access*"}])"), One("Access"));
  EXPECT_EQ(OfDetailF(R"([{"wildcard":"ab*Denied*cd"}])"), One("Denied"));
  EXPECT_EQ(OfDetailF(R"([{"wildcard":"Root"}])"), One("\"Root\""));  // no star: the whole token
  EXPECT_EQ(OfDetailF(R"([{"wildcard":"abc*xyz"}])"), One("\"abc"));  // tie: the first
  EXPECT_EQ(OfDetailF(R"([{"wildcard":"*"}])"), std::nullopt);
  EXPECT_EQ(OfDetailF(R"([{"wildcard":"*a*b*"}])"), std::nullopt);  // segments too short
  // "\*" is a literal star (no JSON escape needed); "\\" a backslash (JSON escapes it).
  EXPECT_EQ(OfDetailF(R"([{"wildcard":"a\\*b*"}])"), One("\"a*b"));
  EXPECT_EQ(OfDetailF(R"([{"wildcard":"*C:\\\\temp*"}])"), std::nullopt);
  EXPECT_EQ(OfDetailF(R"([{"wildcard":"*C:\\\\temp*system32"}])"), One("system32\""));
}

TEST(RequiredLiterals, ExistsNeedsTheKeyName) {
  // The key's closing quote only: event keys are split at '.', see EvenADottedKeyHoldsTheLiteral.
  EXPECT_EQ(Of(R"({"detail":{"userIdentity":{"invokedBy":[{"exists":true}]}}})"),
            One("invokedBy\""));
  EXPECT_EQ(Of(R"({"detail":{"userIdentity":{"arn":[{"exists":true}]}}})"), One("arn\""));
  EXPECT_EQ(Of(R"({"detail":{"ab":[{"exists":true}]}})"), std::nullopt);
  EXPECT_EQ(Of(R"({"detail":{"userIdentity":{"invokedBy":[{"exists":false}]}}})"), std::nullopt);
}

TEST(RequiredLiterals, MatchersWithoutFixedTextGiveNone) {
  for (const char* or_list :
       {R"([300])", R"([true])", R"([false])", R"([null])",
        R"([{"equals-ignore-case":"ConsoleLogin"}])", R"([{"anything-but":"ConsoleLogin"}])",
        R"([{"anything-but":{"prefix":"Console"}}])", R"([{"numeric":[">",0]}])",
        R"([{"cidr":"10.0.0.0/8"}])"}) {
    EXPECT_EQ(OfDetailF(or_list), std::nullopt) << or_list;
  }
}

TEST(RequiredLiterals, OneMatcherWithoutTextSpoilsItsCondition) {
  EXPECT_EQ(OfDetailF(R"(["ConsoleLogin",{"exists":false}])"), std::nullopt);
  EXPECT_EQ(OfDetailF(R"(["ConsoleLogin",{"prefix":"Check"}])"),
            (Literals{{"\"Check", "\"ConsoleLogin\""}}));
  // ... and another condition is chosen instead.
  EXPECT_EQ(Of(R"({"detail":{"eventName":["ConsoleLogin",{"exists":false}],)"
               R"("eventSource":["signin.amazonaws.com"]}})"),
            One("\"signin.amazonaws.com\""));
}

TEST(RequiredLiterals, HeaderConditionsGiveNone) {
  EXPECT_EQ(Of(R"({"source":["aws.signin"],"detail-type":["AWS Console Sign In via CloudTrail"],)"
               R"("account":["111122223333"],"region":["us-east-1"]})"),
            std::nullopt);
  EXPECT_EQ(Of(R"({"resources":["arn:aws:s3:::bucket"]})"), std::nullopt);
  // A key merely starting with "detail" is a header field too.
  EXPECT_EQ(Of(R"({"detail-type":["AWS API Call via CloudTrail"]})"), std::nullopt);
  EXPECT_EQ(Of(R"({"source":["aws.signin"],"detail":{"eventName":["ConsoleLogin"]}})"),
            One("\"ConsoleLogin\""));
}

TEST(RequiredLiterals, PrefersFewestLiteralsThenTheLongestShortest) {
  // One literal beats three, however short.
  EXPECT_EQ(Of(R"({"detail":{"eventName":["StopLogging","DeleteTrail","UpdateTrail"],)"
               R"("eventType":["AwsApiCall"]}})"),
            One("\"AwsApiCall\""));
  // Same count: the condition whose shortest literal is longer.
  EXPECT_EQ(Of(R"({"detail":{"eventName":["StopLogging","DeleteTrail"],)"
               R"("eventSource":["cloudtrail.amazonaws.com","kms.amazonaws.com"]}})"),
            (Literals{{"\"cloudtrail.amazonaws.com\"", "\"kms.amazonaws.com\""}}));
  // Duplicates in one OR-list count once.
  EXPECT_EQ(Of(R"({"detail":{"a":["Root","Root"],"b":["LongerValue"]}})"), One("\"LongerValue\""));
}

TEST(RequiredLiterals, OrAndSeveralPatternsUnite) {
  EXPECT_EQ(Of(R"({"detail":{"$or":[{"responseElements":{"ConsoleLogin":["Failure"]}},)"
               R"({"errorMessage":["Failed authentication"]}]}})"),
            (Literals{{"\"Failed authentication\"", "\"Failure\""}}));
  // One $or branch without a literal spoils the whole set.
  EXPECT_EQ(
      Of(R"({"detail":{"$or":[{"eventName":["ConsoleLogin"]},{"errorCode":[{"exists":false}]}]}})"),
      std::nullopt);
  EXPECT_EQ(
      Of(std::vector<std::string>{R"({"detail":{"eventName":["StopLogging"]}})",
                                  R"({"detail":{"eventName":["DeleteTrail","StopLogging"]}})"}),
      (Literals{{"\"DeleteTrail\"", "\"StopLogging\""}}));
  EXPECT_EQ(Of(std::vector<std::string>{R"({"detail":{"eventName":["StopLogging"]}})",
                                        R"({"source":["aws.cloudtrail"]})"}),
            std::nullopt);
  EXPECT_EQ(Of(std::vector<std::string>{}), (Literals{std::vector<std::string>{}}));
}

TEST(RequiredLiterals, PatternSetKeepsTheLiteralsOfItsPatterns) {
  std::vector<PatternSet::NamedPattern> patterns;
  patterns.push_back(
      {"a", CompileWithDefaults(R"({"detail":{"userIdentity":{"type":["Root"]}}})")});
  patterns.push_back(
      {"b", CompileWithDefaults(R"({"detail":{"eventName":[{"prefix":"Delete"}]}})")});
  auto set = PatternSet::Build(std::move(patterns));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ((*set)->record_literals(), (Literals{{"\"Delete", "\"Root\""}}));

  std::vector<PatternSet::NamedPattern> unfiltered;
  unfiltered.push_back(
      {"a", CompileWithDefaults(R"({"detail":{"userIdentity":{"type":["Root"]}}})")});
  unfiltered.push_back({"c", CompileWithDefaults(R"({"source":["aws.signin"]})")});
  auto all = PatternSet::Build(std::move(unfiltered));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)->record_literals(), std::nullopt);
}

// --- The safety property -------------------------------------------------------------------

// Whether `record`, as the detail of an envelope, matches `pattern` alone.
bool MatchesAlone(std::string_view pattern, std::string_view record) {
  std::vector<PatternSet::NamedPattern> patterns;
  patterns.push_back({"p", CompileWithDefaults(pattern)});
  auto set = PatternSet::Build(std::move(patterns));
  EXPECT_TRUE(set.ok());
  EventMatcher matcher(*set);
  std::string event = R"({"version":"0","detail-type":"AWS API Call via CloudTrail",)"
                      R"("source":"aws.test","resources":[],"detail":)" +
                      std::string(record) + "}";
  auto ids = matcher.Match(event);
  EXPECT_TRUE(ids.ok()) << event;
  return ids.ok() && !(*ids)->empty();
}

TEST(RequiredLiterals, EvenADottedKeyHoldsTheLiteral) {
  // event-ruler flattens {"a.b": 1} and {"a": {"b": 1}} alike, so "b" need not follow a quote.
  const char* pattern = R"({"detail":{"a":{"bcd":[{"exists":true}]}}})";
  ASSERT_TRUE(MatchesAlone(pattern, R"({"a.bcd":1})"));
  EXPECT_EQ(Of(pattern), One("bcd\""));
  EXPECT_EQ(std::string_view(R"({"a.bcd":1})").find("\"bcd\""), std::string_view::npos);
}

TEST(RequiredLiterals, MatchedHandMadeRecordsHoldALiteral) {
  struct Case {
    const char* pattern;
    const char* record;
  };
  const Case cases[] = {
      {R"({"detail":{"f":["Root"]}})", R"({"f":"Root"})"},
      {R"({"detail":{"f":["Root"]}})", R"({"f":["x","Root"]})"},
      {R"({"detail":{"f":{"g":["Root"]}}})", R"({"f.g" : "Root"})"},
      {R"({"detail":{"f":[{"exactly":"10.0.0.1"}]}})", R"({"f":"10.0.0.1"})"},
      {R"({"detail":{"f":[{"prefix":"arn:aws"}]}})", R"({"f":"arn:aws:iam::1:root"})"},
      {R"({"detail":{"f":[{"suffix":"Operation"}]}})", R"({"f":"Client.UnauthorizedOperation"})"},
      {R"({"detail":{"f":[{"wildcard":"arn:*:root"}]}})", R"({"f":"arn:aws:iam::1:root"})"},
      {R"({"detail":{"f":[{"wildcard":"*Acce*ss*"}]}})", R"({"f":"NoAccessHere"})"},
      {R"({"detail":{"f":[{"wildcard":"*Access"}]}})", R"({"f":"Access"})"},
      {R"({"detail":{"f":[{"wildcard":"ab\\*c*"}]}})", R"({"f":"ab*cde"})"},
      {R"({"detail":{"f":[{"wildcard":"Root"}]}})", R"({"f":"Root"})"},
      {R"({"detail":{"flag":[{"exists":true}]}})", R"({"flag":null})"},
      {R"({"detail":{"flag":[{"exists":true}]}})", R"({"flag":[1,2]})"},
      {R"({"detail":{"x":{"flag":[{"exists":true}]}}})", R"({"x.flag":false})"},
      {R"({"detail":{"x":{"flag":[{"exists":true}]}}})", R"({"x":[{"flag":0}]})"},
      {R"({"detail":{"f":["ConsoleLogin",{"prefix":"Check"}]}})", R"({"f":"CheckMfa"})"},
      {R"({"detail":{"$or":[{"a":["Failure"]},{"b":["Denied"]}]}})", R"({"b":"Denied"})"},
      {R"({"detail":{"f":["caf\u00e9"]}})", "{\"f\":\"caf\xc3\xa9\"}"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.pattern) + " on " + c.record);
    ASSERT_TRUE(MatchesAlone(c.pattern, c.record));
    Literals literals = Of(c.pattern);
    ASSERT_TRUE(literals.has_value());
    EXPECT_TRUE(ContainsOne(c.record, *literals));
  }
  // With an escape the literal may be spelled otherwise: callers treat such records apart.
  ASSERT_TRUE(MatchesAlone(R"({"detail":{"f":["Root"]}})", R"({"f":"R\u006fot"})"));
  ASSERT_TRUE(MatchesAlone(R"({"detail":{"f":["a/b/c"]}})", R"({"f":"a\/b\/c"})"));
  EXPECT_TRUE(HasEscape(R"({"f":"R\u006fot"})"));
}

// One sample event of a pack fixture: the record's text exactly as the file spells it, and the
// envelope the pack test matches (the record minified, with the case's detail-type if it has one).
struct Sample {
  std::string name;
  std::string raw_record;
  std::string envelope;
  std::string detail;  // the envelope's detail text
};

std::vector<Sample> LoadSamples(const std::string& pack) {
  std::string text = testing::ReadFixture("packs/" + pack + ".cases.json");
  EXPECT_FALSE(text.empty()) << pack;
  std::vector<Sample> samples;

  // The raw text of each record, in order (On-Demand points into the document).
  simdjson::padded_string padded(text);
  simdjson::ondemand::parser raw_parser;
  simdjson::ondemand::document doc = raw_parser.iterate(padded);
  std::vector<std::string> raw;
  for (auto item : doc["cases"].get_array()) {
    simdjson::ondemand::object record = item.get_object()["record"].get_object();
    raw.emplace_back(std::string_view(record.raw_json()));
  }

  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(text);
  size_t i = 0;
  for (simdjson::dom::element item : root["cases"].get_array()) {
    Sample sample;
    sample.name = pack + ": " + std::string(std::string_view(item["name"].get_string()));
    sample.raw_record = i < raw.size() ? raw[i] : "";
    ++i;
    sample.detail = simdjson::minify(item["record"]);
    auto envelope = envelope::BuildEnvelope(sample.detail);
    EXPECT_TRUE(envelope.ok()) << sample.name << ": " << envelope.message();
    if (!envelope.ok()) continue;
    sample.envelope = envelope->json;
    std::string_view detail_type;
    if (item["detail_type"].get_string().get(detail_type) == simdjson::SUCCESS) {
      size_t at = sample.envelope.find(envelope->detail_type);
      EXPECT_NE(at, std::string::npos);
      sample.envelope.replace(at, envelope->detail_type.size(), detail_type);
    }
    samples.push_back(std::move(sample));
  }
  EXPECT_EQ(samples.size(), raw.size()) << pack;
  return samples;
}

// For every pack rule with literals and every sample event of every pack that the rule matches,
// the record's text holds one of them — as written in the fixture and as minified for matching.
TEST(RequiredLiterals, EveryPackSampleARuleMatchesHoldsOneOfItsLiterals) {
  std::vector<Sample> samples;
  for (const rules::RulePack& pack : rules::RulePacks()) {
    std::vector<Sample> loaded = LoadSamples(std::string(pack.name));
    samples.insert(samples.end(), loaded.begin(), loaded.end());
  }
  ASSERT_FALSE(samples.empty());

  size_t rules_with_literals = 0;
  for (const rules::RulePack& pack : rules::RulePacks()) {
    for (const rules::PackRule& rule : pack.rules) {
      SCOPED_TRACE(std::string(rule.name));
      std::vector<PatternSet::NamedPattern> patterns;
      patterns.push_back({std::string(rule.name), CompileWithDefaults(rule.pattern_json)});
      auto set = PatternSet::Build(std::move(patterns));
      ASSERT_TRUE(set.ok());
      const Literals& literals = (*set)->record_literals();
      if (!literals) continue;
      ++rules_with_literals;
      EXPECT_FALSE(literals->empty());
      EventMatcher matcher(*set);
      size_t checked = 0;
      for (const Sample& sample : samples) {
        auto ids = matcher.Match(sample.envelope);
        ASSERT_TRUE(ids.ok()) << sample.name << ": " << ids.message();
        if ((*ids)->empty()) continue;
        if (!HasEscape(sample.raw_record)) {
          EXPECT_TRUE(ContainsOne(sample.raw_record, *literals)) << sample.name;
          ++checked;
        }
        if (!HasEscape(sample.detail)) {
          EXPECT_TRUE(ContainsOne(sample.detail, *literals)) << sample.name;
        }
      }
      // Every pack rule has a sample it must match (rule_packs_test.cpp), without escapes.
      EXPECT_GE(checked, 1u);
    }
  }
  EXPECT_GE(rules_with_literals, 1u);
}

// The same over each pack as one PatternSet, as `scan` builds it.
TEST(RequiredLiterals, EveryPackSampleAPackMatchesHoldsOneOfThePackLiterals) {
  for (const rules::RulePack& pack : rules::RulePacks()) {
    SCOPED_TRACE(std::string(pack.name));
    std::vector<PatternSet::NamedPattern> patterns;
    for (const rules::PackRule& rule : pack.rules) {
      patterns.push_back({std::string(rule.name), CompileWithDefaults(rule.pattern_json)});
    }
    auto set = PatternSet::Build(std::move(patterns));
    ASSERT_TRUE(set.ok());
    const Literals& literals = (*set)->record_literals();
    if (!literals) continue;
    EventMatcher matcher(*set);
    for (const Sample& sample : LoadSamples(std::string(pack.name))) {
      auto ids = matcher.Match(sample.envelope);
      ASSERT_TRUE(ids.ok()) << sample.name;
      if ((*ids)->empty() || HasEscape(sample.raw_record)) continue;
      EXPECT_TRUE(ContainsOne(sample.raw_record, *literals)) << sample.name;
    }
  }
}

}  // namespace
}  // namespace trailwatch::pattern
