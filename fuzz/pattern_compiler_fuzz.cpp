// libFuzzer target: arbitrary bytes as the text of an EventBridge event pattern.
//
// CompilePattern must return a result or a reason for every input, never crash, hang or leak. The
// input is compiled twice: with the default options (the 2048-character quota, as AWS), and with
// max_pattern_chars raised to 1 MiB so that the size limit does not hide parser bugs on long
// inputs. A pattern that compiles is checked against the CompiledPattern invariants
// (compiled_pattern.h), built into a PatternSet and matched against a few fixed events.
//
// Run: make fuzz && build/fuzz/pattern_compiler_fuzz -max_total_time=60 /tmp/work fuzz/corpus/pattern_compiler
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pattern/compiler.h"
#include "pattern/event_matcher.h"
#include "pattern/pattern_set.h"

namespace {

using trailwatch::pattern::CompiledPattern;
using trailwatch::pattern::CompileOptions;
using trailwatch::pattern::CompilePattern;
using trailwatch::pattern::CompileResult;
using trailwatch::pattern::EventMatcher;
using trailwatch::pattern::PatternSet;

// A broken invariant is a finding: print why and abort so libFuzzer saves the input.
[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "pattern_compiler_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Events that touch every matcher kind: strings, numbers, literals, null, IPs, arrays of objects,
// non-ASCII text and a CloudTrail sign-in envelope.
constexpr std::string_view kEvents[] = {
    R"({"version":"0","id":"e9412cf2","detail-type":"AWS Console Sign In via CloudTrail",)"
    R"("source":"aws.signin","account":"111122223333","time":"2022-11-10T16:24:34Z",)"
    R"("region":"us-east-1","resources":[],"detail":{"eventVersion":"1.05",)"
    R"("userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root",)"
    R"("accountId":"111122223333","accessKeyId":""},"eventName":"ConsoleLogin",)"
    R"("sourceIPAddress":"192.0.2.0","requestParameters":null,)"
    R"("responseElements":{"ConsoleLogin":"Success"},)"
    R"("additionalEventData":{"MFAUsed":"YES"},"eventType":"AwsConsoleSignIn"}})",
    R"({"a":1,"b":"x","c":[1,2.5,-0,3e2,"300",true,false,null],"d":{"e":[{"f":22,"g":"0.0.0.0/0"},)"
    R"({"f":443,"g":"10.0.0.7"}]},"ip":"2001:db8::1","s":"Stra\u00dfe \u01c5 \u00e9T\u00c9",)"
    R"("n":12345678901234567,"x":{"y":{"z":"arn:aws:iam::1:role/admin"}},"e":{},"l":[[],[{}]],)"
    R"("state.status":"on","state":{"status":"off"},"$or":"q","*":"**"})",
};

void CheckInvariants(const CompiledPattern& pattern, std::string_view input) {
  std::string text(input);
  if (pattern.alternatives.empty()) Fail("no alternatives", text);
  for (const auto& sub : pattern.alternatives) {
    for (size_t i = 0; i < sub.fields.size(); ++i) {
      if (sub.fields[i].matchers.empty()) Fail("empty OR-list", text);
      if (i > 0 && !(sub.fields[i - 1].path < sub.fields[i].path)) {
        Fail("field paths not sorted and unique", text);
      }
    }
  }
}

void MatchFixedEvents(CompiledPattern pattern) {
  std::vector<PatternSet::NamedPattern> patterns;
  patterns.push_back({"fuzz", std::move(pattern)});
  auto set = PatternSet::Build(std::move(patterns));
  // Build fails only on duplicate names (pattern_set.cpp), so any failure here is a finding.
  if (!set.ok()) Fail("PatternSet::Build rejected a compiled pattern", set.message());
  EventMatcher matcher(*set);
  for (std::string_view event : kEvents) {
    auto matched = matcher.Match(event);
    if (matched.ok() && (*matched)->size() > 1) Fail("more matches than patterns", "");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  CompileResult bounded = CompilePattern(input);

  CompileOptions large;
  large.max_pattern_chars = 1 << 20;
  CompileResult unbounded = CompilePattern(input, large);

  // Within the default quota the size limit cannot apply, so both runs must agree.
  if (size <= CompileOptions{}.max_pattern_chars) {
    if (bounded.ok() != unbounded.ok() ||
        (!bounded.ok() && bounded.error->reason != unbounded.error->reason)) {
      Fail("default and raised size limit disagree", std::string(input));
    }
  }

  if (unbounded.ok()) {
    CheckInvariants(unbounded.pattern, input);
    MatchFixedEvents(std::move(unbounded.pattern));
  }
  return 0;
}
