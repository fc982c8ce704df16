// libFuzzer target: arbitrary text as a rules file (ParseRules).
//
// The first non-blank character picks the reader: '{' goes to the JSON reader (simdjson), anything
// else to the YAML reader (yaml-cpp, then YAML -> JSON). Either must return rules or an error, never
// crash, hang, leak or let an exception escape. Rules that parse are checked (unique names) and
// each pattern text goes through CompilePattern, as `trailwatch match` does.
//
// Run: make fuzz && build/fuzz/rules_file_fuzz -max_total_time=60 /tmp/work fuzz/corpus/rules_file
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "pattern/compiler.h"
#include "rules/rules_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rules = trailwatch::rules::ParseRules(text, "fuzz.yaml");
  if (!rules.ok()) return 0;
  std::set<std::string> names;
  for (const auto& rule : *rules) {
    if (!names.insert(rule.name).second) {
      std::fprintf(stderr, "rules_file_fuzz: duplicate rule name accepted: %s\n", rule.name.c_str());
      std::abort();
    }
    (void)trailwatch::pattern::CompilePattern(rule.json);
  }
  return 0;
}
