// Pattern-engine throughput (issue 2, item 6; results in docs/benchmarks.md, "Pattern matching").
//
// CityLots/<operator>: 200,000 generated city-lots features (~900 B, bench/corpus_generator.h)
//   held as JSON lines in one buffer and matched in place, one thread, against 5 rules of one
//   operator type in the spirit of event-ruler's CityLots2 benchmark. Parsing is included: every
//   iteration is one full pass of EventMatcher::Match over the corpus, as `trailwatch match` does.
// CloudTrail/rules:N: 50,000 generated CloudTrail events (~2 KB, EventBridge envelope) against N
//   generated exact-match rules (N = 1, 10, 100, 10,000); 10 vs 10,000 shows whether per-event
//   cost grows with the rule count.
// CloudTrail/unmatched-rules:N: the same rule shapes with values no event has (rule 0 aside), so
//   only the size of the lookup tables changes between N = 10 and N = 10,000.
//
// Before timing, each benchmark makes one untimed pass that counts matches per rule and fails
// (SkipWithError) if an event is rejected or a rule expected to match matched nothing, so a
// broken rule or corpus cannot silently measure nothing; every timed pass must reproduce the same
// total. Counters: events/s and time/event (seconds, on CPU time, i.e. per core),
// matches/event, bytes/event.
//
// Extra flags (handled before Google Benchmark's, then the program exits), used for the
// `trailwatch match` end-to-end measurement in bench/run-benchmarks.sh:
//   --write_citylots=PATH        write the 200,000 city-lots lines to PATH
//   --write_citylots_rules=PATH  write the 5 exact-match rules as a `trailwatch match` rules file
//   --write_cloudtrail=PATH      write the 50,000 CloudTrail lines to PATH (for inspection)
//   --cloudtrail_events=N        how many CloudTrail lines --write_cloudtrail writes (50,000)
//   --write_rules_dir=DIR        write every rule set as a `trailwatch match` rules file:
//                                DIR/<group>.json for each CityLotsRuleGroups() group and
//                                DIR/cloudtrail-20.json (GenerateCloudTrailRules(20)); used by
//                                bench/match-command.sh (issue 16)
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "corpus_generator.h"
#include "line_corpus.h"
#include "pattern/compiler.h"
#include "pattern/event_matcher.h"
#include "pattern/pattern_set.h"

namespace {

using trailwatch::bench::NamedRule;
using trailwatch::pattern::CompilePattern;
using trailwatch::pattern::CompileResult;
using trailwatch::pattern::EventMatcher;
using trailwatch::pattern::PatternSet;

constexpr size_t kCityLotsEvents = 200'000;
constexpr size_t kCloudTrailEvents = 50'000;

using trailwatch::bench::LineCorpus;

const LineCorpus& CityLots() {
  static const LineCorpus corpus(trailwatch::bench::GenerateCityLotsLines(kCityLotsEvents));
  return corpus;
}

const LineCorpus& CloudTrail() {
  static const LineCorpus corpus(trailwatch::bench::GenerateCloudTrailLines(kCloudTrailEvents));
  return corpus;
}

// 5 rules per operator type over the city-lots fields, after event-ruler's CityLots2 rule sets
// (Benchmarks.java), adapted to this corpus's vocabulary so that every rule matches something.
struct RuleGroup {
  const char* name;
  std::vector<std::string> patterns;
};

const std::vector<RuleGroup>& CityLotsRuleGroups() {
  static const std::vector<RuleGroup> groups = {
      {"exact",
       {R"({"properties":{"MAPBLKLOT":["0001001"]}})",
        R"({"properties":{"MAPBLKLOT":["1430005"]}})",
        R"({"properties":{"MAPBLKLOT":["2607007"]}})",
        R"({"properties":{"MAPBLKLOT":["3745002"]}})",
        R"({"properties":{"MAPBLKLOT":["5000008"]}})"}},
      {"prefix",
       {R"({"properties":{"STREET":[{"prefix":"AC"}]}})",
        R"({"properties":{"STREET":[{"prefix":"BL"}]}})",
        R"({"properties":{"STREET":[{"prefix":"DR"}]}})",
        R"({"properties":{"STREET":[{"prefix":"FU"}]}})",
        R"({"properties":{"STREET":[{"prefix":"RH"}]}})"}},
      {"prefix-equals-ignore-case",
       {R"({"properties":{"STREET":[{"prefix":{"equals-ignore-case":"ac"}}]}})",
        R"({"properties":{"STREET":[{"prefix":{"equals-ignore-case":"bL"}}]}})",
        R"({"properties":{"STREET":[{"prefix":{"equals-ignore-case":"Dr"}}]}})",
        R"({"properties":{"STREET":[{"prefix":{"equals-ignore-case":"fu"}}]}})",
        R"({"properties":{"STREET":[{"prefix":{"equals-ignore-case":"rH"}}]}})"}},
      {"suffix",
       {R"({"properties":{"STREET":[{"suffix":"ON"}]}})",
        R"({"properties":{"STREET":[{"suffix":"KE"}]}})",
        R"({"properties":{"STREET":[{"suffix":"MM"}]}})",
        R"({"properties":{"STREET":[{"suffix":"ING"}]}})",
        R"({"properties":{"STREET":[{"suffix":"RO"}]}})"}},
      {"suffix-equals-ignore-case",
       {R"({"properties":{"STREET":[{"suffix":{"equals-ignore-case":"on"}}]}})",
        R"({"properties":{"STREET":[{"suffix":{"equals-ignore-case":"Ke"}}]}})",
        R"({"properties":{"STREET":[{"suffix":{"equals-ignore-case":"mM"}}]}})",
        R"({"properties":{"STREET":[{"suffix":{"equals-ignore-case":"ing"}}]}})",
        R"({"properties":{"STREET":[{"suffix":{"equals-ignore-case":"Ro"}}]}})"}},
      {"equals-ignore-case",
       {R"({"properties":{"STREET":[{"equals-ignore-case":"jefferson"}]}})",
        R"({"properties":{"STREET":[{"equals-ignore-case":"bEaCh"}]}})",
        R"({"properties":{"STREET":[{"equals-ignore-case":"HyDe"}]}})",
        R"({"properties":{"STREET":[{"equals-ignore-case":"CHESTNUT"}]}})",
        R"({"properties":{"ST_TYPE":[{"equals-ignore-case":"st"}]}})"}},
      {"wildcard",
       {R"({"properties":{"MAPBLKLOT":[{"wildcard":"143*"}]}})",
        R"({"properties":{"MAPBLKLOT":[{"wildcard":"2*0*1*7"}]}})",
        R"({"properties":{"MAPBLKLOT":[{"wildcard":"*008"}]}})",
        R"({"properties":{"MAPBLKLOT":[{"wildcard":"3*5*2"}]}})",
        R"({"properties":{"STREET":[{"wildcard":"*VAN N*S"}]}})"}},
      {"anything-but",
       {R"({"properties":{"STREET":[{"anything-but":["FULTON"]}]}})",
        R"({"properties":{"STREET":[{"anything-but":["MASON"]}]}})",
        R"({"properties":{"ST_TYPE":[{"anything-but":["ST"]}]}})",
        R"({"geometry":{"type":[{"anything-but":["Polygon"]}]}})",
        R"({"properties":{"FROM_ST":[{"anything-but":["441"]}]}})"}},
      {"numeric",
       {R"({"geometry":{"coordinates":[{"numeric":[">",-122.42,"<=",-122.41]}]}})",
        R"({"geometry":{"coordinates":[{"numeric":["<",-122.5]}]}})",
        R"({"geometry":{"coordinates":[{"numeric":[">=",37.8]}]}})",
        R"({"geometry":{"coordinates":[{"numeric":[">",37.75,"<",37.76]}]}})",
        R"({"geometry":{"type":["MultiPolygon"],"coordinates":[{"numeric":["=",0]}]}})"}},
      {"complex",  // several fields, numeric over array leaves, $or
       {R"({"properties":{"ST_TYPE":["AVE"]},"geometry":{"type":["Polygon"],)"
        R"("coordinates":[{"numeric":[">",-122.45,"<",-122.44]}]}})",
        R"({"$or":[{"properties":{"STREET":["MARKET"]}},)"
        R"({"geometry":{"coordinates":[{"numeric":["<",-122.505]}]}}]})",
        R"({"properties":{"ODD_EVEN":["O"],"STREET":[{"prefix":"S"}]},)"
        R"("geometry":{"coordinates":[{"numeric":[">=",37.78,"<",37.79]}]}})",
        R"({"$or":[{"properties":{"ST_TYPE":["BLVD"]}},)"
        R"({"properties":{"STREET":[{"suffix":"TH"}]},"geometry":{"type":["MultiPolygon"]}}]})",
        R"({"geometry":{"coordinates":[{"numeric":[">",-122.43,"<",-122.42]},)"
        R"({"numeric":[">",37.77,"<",37.78]}]}})"}},
  };
  return groups;
}

std::vector<NamedRule> Named(const std::string& prefix, const std::vector<std::string>& texts) {
  std::vector<NamedRule> rules;
  for (size_t i = 0; i < texts.size(); ++i) {
    rules.push_back({prefix + "-" + std::to_string(i), texts[i]});
  }
  return rules;
}

// Compiles and builds the set; on failure returns nullptr and sets *error.
std::shared_ptr<const PatternSet> BuildSet(const std::vector<NamedRule>& rules,
                                           std::string* error) {
  std::vector<PatternSet::NamedPattern> patterns;
  for (const NamedRule& rule : rules) {
    CompileResult compiled = CompilePattern(rule.pattern);
    if (!compiled.ok()) {
      *error = rule.name + ": " + compiled.error->Message();
      return nullptr;
    }
    patterns.push_back({rule.name, std::move(compiled.pattern)});
  }
  auto set = PatternSet::Build(std::move(patterns));
  if (!set.ok()) {
    *error = set.message();
    return nullptr;
  }
  return *set;
}

// One pass over the corpus. Returns the number of (event, rule) matches; counts per rule and
// rejected events when asked.
uint64_t MatchAll(EventMatcher& matcher, const LineCorpus& corpus, std::vector<uint64_t>* per_rule,
                  uint64_t* invalid) {
  uint64_t matches = 0;
  for (size_t i = 0; i < corpus.lines.size(); ++i) {
    auto ids = matcher.Match(corpus.line(i), corpus.capacity(i));
    if (!ids.ok()) {
      if (invalid) ++*invalid;
      continue;
    }
    matches += (*ids)->size();
    if (per_rule) {
      for (uint32_t id : **ids) ++(*per_rule)[id];
    }
  }
  return matches;
}

enum class Expect { kEveryRuleMatches, kFirstRuleMatches };

void RunCorpus(benchmark::State& state, const LineCorpus& corpus,
               const std::vector<NamedRule>& rules, Expect expect) {
  std::string error;
  std::shared_ptr<const PatternSet> set = BuildSet(rules, &error);
  if (!set) {
    state.SkipWithError(error.c_str());
    return;
  }
  EventMatcher matcher(set);

  // Untimed verification pass.
  std::vector<uint64_t> per_rule(set->size(), 0);
  uint64_t invalid = 0;
  const uint64_t expected = MatchAll(matcher, corpus, &per_rule, &invalid);
  if (invalid != 0) {
    error = std::to_string(invalid) + " generated events were rejected by the matcher";
    state.SkipWithError(error.c_str());
    return;
  }
  size_t must_match = expect == Expect::kEveryRuleMatches ? per_rule.size() : 1;
  for (size_t id = 0; id < must_match; ++id) {
    if (per_rule[id] == 0) {
      error = "rule " + set->name(static_cast<uint32_t>(id)) + " matched no event";
      state.SkipWithError(error.c_str());
      return;
    }
  }
  if (expected == 0) {
    state.SkipWithError("no rule matched any event");
    return;
  }

  for (auto _ : state) {
    uint64_t matches = MatchAll(matcher, corpus, nullptr, nullptr);
    benchmark::DoNotOptimize(matches);
    if (matches != expected) {
      state.SkipWithError("match count differs between passes");
      break;
    }
  }

  const double events = static_cast<double>(state.iterations()) * corpus.lines.size();
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  // The inverted rate: CPU seconds per event (the console shows it as e.g. "417ns").
  state.counters["time/event"] =
      benchmark::Counter(events, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["matches/event"] = static_cast<double>(expected) / corpus.lines.size();
  state.counters["bytes/event"] = static_cast<double>(corpus.text_bytes) / corpus.lines.size();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(corpus.text_bytes));
}

void RegisterAll() {
  std::vector<NamedRule> all;
  for (const RuleGroup& group : CityLotsRuleGroups()) {
    std::vector<NamedRule> rules = Named(group.name, group.patterns);
    all.insert(all.end(), rules.begin(), rules.end());
    benchmark::RegisterBenchmark((std::string("CityLots/") + group.name).c_str(),
                                 [rules](benchmark::State& state) {
                                   RunCorpus(state, CityLots(), rules, Expect::kEveryRuleMatches);
                                 })
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("CityLots/all-50-rules", [all](benchmark::State& state) {
    RunCorpus(state, CityLots(), all, Expect::kEveryRuleMatches);
  })->Unit(benchmark::kMillisecond);

  for (int64_t count : {1, 10, 100, 10'000}) {
    benchmark::RegisterBenchmark(
        ("CloudTrail/rules:" + std::to_string(count)).c_str(),
        [count](benchmark::State& state) {
          // Rule 0 is the root sign-in rule, which must find the corpus's rare root sign-ins.
          RunCorpus(state, CloudTrail(),
                    trailwatch::bench::GenerateCloudTrailRules(static_cast<size_t>(count)),
                    Expect::kFirstRuleMatches);
        })
        ->Unit(benchmark::kMillisecond);
  }
  for (int64_t count : {10, 10'000}) {
    benchmark::RegisterBenchmark(
        ("CloudTrail/unmatched-rules:" + std::to_string(count)).c_str(),
        [count](benchmark::State& state) {
          RunCorpus(state, CloudTrail(),
                    trailwatch::bench::GenerateCloudTrailRules(static_cast<size_t>(count), 99,
                                                               /*unmatched=*/true),
                    Expect::kFirstRuleMatches);
        })
        ->Unit(benchmark::kMillisecond);
  }
}

bool WriteFile(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) {
    std::cerr << "error: cannot write " << path << "\n";
    return false;
  }
  std::cerr << "wrote " << path << " (" << text.size() << " bytes)\n";
  return true;
}

// A `trailwatch match` rules file: a JSON object of rule name to pattern, one rule a line.
std::string RulesFileText(const std::vector<NamedRule>& rules) {
  std::string text = "{\n";
  for (size_t i = 0; i < rules.size(); ++i) {
    text.append("  \"").append(rules[i].name).append("\": ").append(rules[i].pattern);
    text.append(i + 1 < rules.size() ? ",\n" : "\n");
  }
  text.append("}\n");
  return text;
}

// Handles the --write_* flags. Returns -1 if none was given.
int WriteRequestedFiles(int argc, char** argv) {
  std::string corpus_path, rules_path, cloudtrail_path, rules_dir;
  size_t cloudtrail_events = kCloudTrailEvents;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--write_citylots=")) corpus_path = arg.substr(17);
    if (arg.starts_with("--write_citylots_rules=")) rules_path = arg.substr(23);
    if (arg.starts_with("--write_cloudtrail=")) cloudtrail_path = arg.substr(19);
    if (arg.starts_with("--write_rules_dir=")) rules_dir = arg.substr(18);
    if (arg.starts_with("--cloudtrail_events=")) {
      cloudtrail_events = std::strtoull(std::string(arg.substr(20)).c_str(), nullptr, 10);
    }
  }
  if (corpus_path.empty() && rules_path.empty() && cloudtrail_path.empty() && rules_dir.empty()) {
    return -1;
  }
  if (!cloudtrail_path.empty()) {
    std::string lines = trailwatch::bench::GenerateCloudTrailLines(cloudtrail_events);
    if (!WriteFile(cloudtrail_path, lines)) return 1;
  }
  if (!corpus_path.empty()) {
    const LineCorpus& corpus = CityLots();
    if (!WriteFile(corpus_path, std::string_view(corpus.buffer).substr(0, corpus.text_bytes))) {
      return 1;
    }
  }
  if (!rules_path.empty()) {
    const RuleGroup& exact = CityLotsRuleGroups().front();
    if (!WriteFile(rules_path, RulesFileText(Named(exact.name, exact.patterns)))) return 1;
  }
  if (!rules_dir.empty()) {
    for (const RuleGroup& group : CityLotsRuleGroups()) {
      if (!WriteFile(rules_dir + "/" + group.name + ".json",
                     RulesFileText(Named(group.name, group.patterns)))) {
        return 1;
      }
    }
    if (!WriteFile(rules_dir + "/cloudtrail-20.json",
                   RulesFileText(trailwatch::bench::GenerateCloudTrailRules(20)))) {
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (int written = WriteRequestedFiles(argc, argv); written >= 0) return written;
  RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
