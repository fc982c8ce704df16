// libFuzzer target: arbitrary bytes as an event, matched against patterns.
//
// Every input is used twice:
//  1. As a whole, as the event for a fixed PatternSet (built once) that uses every operator:
//     exact strings and numbers, literals, prefix/suffix with and without ignore-case,
//     equals-ignore-case (ASCII and non-ASCII), wildcard, every anything-but form, numeric ranges,
//     exists true/false, cidr v4/v6, $or, and paths through arrays of objects. It is matched both
//     through the copying Match(json) and the zero-copy padded Match(json, capacity); the two must
//     agree.
//  2. Split by FuzzedDataProvider: an integer from the end of the input gives the length of a
//     pattern at the front; the rest is the event. If the pattern compiles, the event is matched
//     against a set of that pattern alone.
//
// Run: make fuzz && build/fuzz/event_matcher_fuzz -max_total_time=60 /tmp/work fuzz/corpus/event_matcher
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "pattern/compiler.h"
#include "pattern/event_matcher.h"
#include "pattern/pattern_set.h"

namespace {

using trailwatch::pattern::CompilePattern;
using trailwatch::pattern::CompileResult;
using trailwatch::pattern::EventMatcher;
using trailwatch::pattern::PatternSet;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "event_matcher_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

// One pattern per operator form, plus a few combining them; names are for the reader of a crash.
constexpr std::pair<const char*, const char*> kPatterns[] = {
    {"exact-string", R"({"source":["aws.signin","aws.iam"],"detail":{"eventName":["ConsoleLogin"]}})"},
    {"exact-number", R"({"detail":{"n":[300,-0,0.1,12345678901234567,1e2]}})"},
    {"literals", R"({"detail":{"b":[true,false,null,""]}})"},
    {"exactly", R"({"detail":{"ip":[{"exactly":"10.0.0.1"},"2001:db8::1"]}})"},
    {"prefix", R"({"detail":{"eventSource":[{"prefix":"signin."},{"prefix":""}]}})"},
    {"prefix-ic", R"({"region":[{"prefix":{"equals-ignore-case":"US-"}}]})"},
    {"suffix", R"({"detail":{"key":[{"suffix":".png"},{"suffix":""}]}})"},
    {"suffix-ic", R"({"detail":{"key":[{"suffix":{"equals-ignore-case":".JPG"}}]}})"},
    {"eic-ascii", R"({"detail":{"userIdentity":{"type":[{"equals-ignore-case":"root"}]}}})"},
    {"eic-unicode", R"({"detail":{"s":[{"equals-ignore-case":"straße"},{"equals-ignore-case":"ǅ"},{"equals-ignore-case":"ÉTÉ"},{"equals-ignore-case":"İ"},{"equals-ignore-case":"😀"}]}})"},
    {"wildcard", R"({"detail":{"userIdentity":{"arn":[{"wildcard":"arn:aws:iam::*:role/*"},{"wildcard":"*"},{"wildcard":"a\\*b*\\\\"}]}}})"},
    {"anything-but-string", R"({"detail":{"eventType":[{"anything-but":"AwsServiceEvent"}]}})"},
    {"anything-but-list", R"({"detail":{"MFAUsed":[{"anything-but":["Yes","YES","yes"]}]}})"},
    {"anything-but-number", R"({"detail":{"n":[{"anything-but":[100,200.0,3e2]}]}})"},
    {"anything-but-prefix", R"({"detail":{"eventName":[{"anything-but":{"prefix":"Get"}}]}})"},
    {"anything-but-suffix", R"({"detail":{"key":[{"anything-but":{"suffix":[".tmp",".bak"]}}]}})"},
    {"anything-but-eic", R"({"detail":{"state":[{"anything-but":{"equals-ignore-case":["Stopped","ÉTÉ"]}}]}})"},
    {"anything-but-wildcard", R"({"detail":{"path":[{"anything-but":{"wildcard":["*/bin/*.jar",""]}}]}})"},
    {"numeric", R"({"detail":{"n":[{"numeric":[">",0,"<=",5]},{"numeric":["=",3.018e2]},{"numeric":["<",-1e300]},{"numeric":[">=",1e300]}]}})"},
    {"exists-true", R"({"detail":{"errorCode":[{"exists":true}]}})"},
    {"exists-false", R"({"detail":{"userIdentity":{"invokedBy":[{"exists":false}]}}})"},
    {"exists-mixed", R"({"detail":{"m":[{"anything-but":["x"]},{"exists":false}],"o":[{"exists":true},{"prefix":"X"},{"suffix":"Y"}]}})"},
    {"cidr-v4", R"({"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/8"},{"cidr":"192.0.2.0/24"},{"cidr":"0.0.0.0/0"}]}})"},
    {"cidr-v6", R"({"detail":{"sourceIPAddress":[{"cidr":"2001:db8:1234:1a00::/64"},{"cidr":"::/0"}]}})"},
    {"or", R"({"source":["aws.signin"],"$or":[{"detail":{"eventName":["ConsoleLogin"]}},{"detail":{"errorCode":[{"exists":true}]}},{"$or":[{"region":["us-east-1"]},{"account":[{"numeric":[">",0]}]}]}]})"},
    {"array-consistency", R"({"detail":{"requestParameters":{"ipPermissions":{"items":{"fromPort":[22],"ipRanges":{"items":{"cidrIp":["0.0.0.0/0"]}}}}}}})"},
    {"arrays-of-objects", R"({"employees":{"firstName":["Anna"],"lastName":[{"exists":false}]}})"},
    {"dotted-key", R"({"state.status":["on"],"state":{"status":{"status":["x"]}}})"},
    {"root-signin", R"({"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}})"},
};

std::shared_ptr<const PatternSet> BuildFixedSet() {
  std::vector<PatternSet::NamedPattern> patterns;
  for (const auto& [name, json] : kPatterns) {
    CompileResult compiled = CompilePattern(json);
    if (!compiled.ok()) Fail("fixed pattern does not compile", std::string(name) + ": " + compiled.error->reason);
    patterns.push_back({name, std::move(compiled.pattern)});
  }
  auto set = PatternSet::Build(std::move(patterns));
  if (!set.ok()) Fail("fixed set does not build", set.message());
  return *set;
}

// Matches `event` through both entry points; they must agree exactly.
void MatchBothWays(EventMatcher& matcher, std::string_view event) {
  auto copied = matcher.Match(event);
  std::vector<uint32_t> first;
  std::string first_error;
  if (copied.ok()) {
    first = **copied;
  } else {
    first_error = copied.message();
  }
  std::string padded(event);
  padded.resize(event.size() + simdjson::SIMDJSON_PADDING, '\0');
  auto in_place = matcher.Match(std::string_view(padded.data(), event.size()), padded.size());
  if (in_place.ok() != copied.ok()) Fail("copying and padded Match disagree on validity", std::string(event));
  if (in_place.ok() ? **in_place != first : in_place.message() != first_error) {
    Fail("copying and padded Match disagree", std::string(event));
  }
}

void MatchSplit(const uint8_t* data, size_t size) {
  FuzzedDataProvider provider(data, size);
  size_t pattern_size = provider.ConsumeIntegralInRange<size_t>(0, provider.remaining_bytes());
  std::string pattern = provider.ConsumeBytesAsString(pattern_size);
  std::string event = provider.ConsumeRemainingBytesAsString();
  CompileResult compiled = CompilePattern(pattern);
  if (!compiled.ok()) return;
  std::vector<PatternSet::NamedPattern> patterns;
  patterns.push_back({"split", std::move(compiled.pattern)});
  auto set = PatternSet::Build(std::move(patterns));
  if (!set.ok()) Fail("PatternSet::Build rejected a compiled pattern", set.message());
  EventMatcher matcher(*set);
  MatchBothWays(matcher, event);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::shared_ptr<const PatternSet> fixed_set = BuildFixedSet();
  // A fresh matcher per input: state carried between inputs would make crashes irreproducible.
  EventMatcher matcher(fixed_set);
  MatchBothWays(matcher, std::string_view(reinterpret_cast<const char*>(data), size));
  MatchSplit(data, size);
  return 0;
}
