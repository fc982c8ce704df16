// The floor under the pattern engine (issue 16): how fast simdjson On-Demand alone walks the same
// corpora that bench/pattern_bench.cpp matches, with no rules at all.
//
// SimdjsonFloor/<corpus>/touch-all: every value of every event is visited; strings are
//   unescaped and numbers parsed to double (get_double). This is what any engine must at least
//   pay when its rules read every field.
// SimdjsonFloor/<corpus>/numbers-raw: every value is visited, but numbers are only located
//   (raw_json_token), not parsed: the walk without number conversion.
// SimdjsonFloor/<corpus>/stage1-only: the document is indexed and the root object's keys iterated
//   (values skipped): the cost of simdjson's stage 1 plus skipping.
//
// Same corpora and generator seeds as pattern_bench (bench/corpus_generator.h), one thread,
// lines parsed in place from one padded buffer. Counter: events/s (CPU time).
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "corpus_generator.h"
#include "line_corpus.h"

namespace {

namespace od = simdjson::ondemand;

using trailwatch::bench::LineCorpus;

const LineCorpus& CityLots() {
  static const LineCorpus corpus(trailwatch::bench::GenerateCityLotsLines(200'000));
  return corpus;
}

const LineCorpus& CloudTrail() {
  static const LineCorpus corpus(trailwatch::bench::GenerateCloudTrailLines(50'000));
  return corpus;
}

enum class Mode { kTouchAll, kNumbersRaw, kStage1Only };

// Visits `value` and everything below it; returns false on a parse error.
bool Touch(od::value value, Mode mode, uint64_t* sink) {
  od::json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (value.get_object().get(object)) return false;
      for (auto field : object) {
        std::string_view key;
        if (field.unescaped_key().get(key)) return false;
        *sink += key.size();
        od::value child;
        if (field.value().get(child) || !Touch(child, mode, sink)) return false;
      }
      return true;
    }
    case od::json_type::array: {
      od::array array;
      if (value.get_array().get(array)) return false;
      for (auto element : array) {
        od::value child;
        if (element.get(child) || !Touch(child, mode, sink)) return false;
      }
      return true;
    }
    case od::json_type::string: {
      std::string_view text;
      if (value.get_string().get(text)) return false;
      *sink += text.size();
      return true;
    }
    case od::json_type::number: {
      if (mode == Mode::kNumbersRaw) {
        *sink += value.raw_json_token().size();
        return true;
      }
      double number = 0;
      if (value.get_double().get(number)) return false;
      *sink += static_cast<uint64_t>(number > 0);
      return true;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (value.get_bool().get(b)) return false;
      *sink += b;
      return true;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (value.is_null().get(is_null)) return false;
      *sink += is_null;
      return true;
    }
  }
  return false;
}

void RunFloor(benchmark::State& state, const LineCorpus& corpus, Mode mode) {
  od::parser parser;
  uint64_t sink = 0;
  for (auto _ : state) {
    for (const auto& [offset, length] : corpus.lines) {
      od::document doc;
      if (parser.iterate(corpus.buffer.data() + offset, length, corpus.buffer.size() - offset)
              .get(doc)) {
        state.SkipWithError("iterate failed");
        return;
      }
      od::object root;
      if (doc.get_object().get(root)) {
        state.SkipWithError("not an object");
        return;
      }
      for (auto field : root) {
        std::string_view key;
        if (field.unescaped_key().get(key)) {
          state.SkipWithError("bad key");
          return;
        }
        if (mode == Mode::kStage1Only) continue;
        od::value value;
        if (field.value().get(value) || !Touch(value, mode, &sink)) {
          state.SkipWithError("parse error");
          return;
        }
      }
    }
    benchmark::DoNotOptimize(sink);
  }
  const double events = static_cast<double>(state.iterations()) * corpus.lines.size();
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["time/event"] =
      benchmark::Counter(events, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void RegisterAll() {
  const std::pair<const char*, const LineCorpus& (*)()> corpora[] = {{"CityLots", &CityLots},
                                                                     {"CloudTrail", &CloudTrail}};
  const std::pair<const char*, Mode> modes[] = {{"touch-all", Mode::kTouchAll},
                                                {"numbers-raw", Mode::kNumbersRaw},
                                                {"stage1-only", Mode::kStage1Only}};
  for (const auto& [corpus_name, corpus] : corpora) {
    for (const auto& [mode_name, mode] : modes) {
      benchmark::RegisterBenchmark(
          (std::string("SimdjsonFloor/") + corpus_name + "/" + mode_name).c_str(),
          [corpus = corpus, mode = mode](benchmark::State& state) {
            RunFloor(state, corpus(), mode);
          })
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
