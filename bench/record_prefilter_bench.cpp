// The scan's per-file JSON cost: RecordPrefilter (count the records, keep those holding a rule
// literal) against RecordReader (simdjson On-Demand: index the whole file, delimit every record),
// on the same generated CloudTrail log file, already inflated and in memory.
//
// Run:  cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTW_BENCH=ON
//       cmake --build build/bench --target record_prefilter_bench
//       ./build/bench/record_prefilter_bench --benchmark_repetitions=5
//           --benchmark_report_aggregates_only=true      (one command line)
// Rates are uncompressed bytes per second of CPU time; two file sizes: one that stays in the
// caches (256 KB) and one that does not (64 MB), as a large file inflated before the pass.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>

#include "cloudtrail/padded_buffer.h"
#include "cloudtrail/record_prefilter.h"
#include "cloudtrail/record_reader.h"
#include "corpus_generator.h"

namespace {

using trailwatch::cloudtrail::PaddedBuffer;

// A {"Records":[...]} file of about `bytes` bytes from the bench corpus generator's records.
PaddedBuffer LogFile(size_t bytes) {
  const std::string lines = trailwatch::bench::GenerateCloudTrailLines(bytes / 1500 + 1);
  std::string text = "{\"Records\":[";
  size_t start = 0;
  while (start < lines.size() && text.size() < bytes) {
    const size_t end = lines.find('\n', start);
    if (text.size() > 12) text += ',';
    text.append(lines, start, end - start);
    start = end + 1;
  }
  text += "]}";
  return PaddedBuffer::CopyOf(text).value();
}

void BM_Prefilter(benchmark::State& state) {
  const PaddedBuffer file = LogFile(static_cast<size_t>(state.range(0)));
  const trailwatch::cloudtrail::RecordPrefilter prefilter({"\"Root\""});
  trailwatch::cloudtrail::PrefilteredFile out;
  for (auto _ : state) {
    if (!prefilter.Find(file.view(), &out)) state.SkipWithError("not a canonical log file");
    benchmark::DoNotOptimize(out.records);
  }
  state.counters["records"] = static_cast<double>(out.records);
  state.counters["candidates"] = static_cast<double>(out.candidates.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.size()));
}
BENCHMARK(BM_Prefilter)->Arg(256 << 10)->Arg(64 << 20);

void BM_RecordReader(benchmark::State& state) {
  const PaddedBuffer file = LogFile(static_cast<size_t>(state.range(0)));
  trailwatch::cloudtrail::RecordReader reader;
  size_t records = 0;
  for (auto _ : state) {
    records = 0;
    auto read = reader.Read(
        file.padded_view(), "bench",
        [&](const trailwatch::cloudtrail::RawRecord&) { ++records; },
        [](const trailwatch::Error&) {});
    if (!read.ok()) state.SkipWithError(read.message().c_str());
  }
  state.counters["records"] = static_cast<double>(records);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.size()));
}
BENCHMARK(BM_RecordReader)->Arg(256 << 10)->Arg(64 << 20);

}  // namespace

BENCHMARK_MAIN();
