#!/usr/bin/env bash
# Runs trailwatch's benchmarks and prints the medians (docs/benchmarks.md explains the numbers).
#
#   bench/run-benchmarks.sh BUILD_DIR [extra Google Benchmark flags, e.g. --benchmark_filter=CityLots]
#
# 1. Every BUILD_DIR/*_bench executable, 5 repetitions, aggregates only (median, mean, stddev,
#    cv); the JSON results go to BUILD_DIR/bench-results/<name>.json.
# 2. For pattern_bench: a summary of the medians (events/s, ns/event per benchmark) and the
#    10 vs 10,000 CloudTrail rules ratio.
# 3. `trailwatch match` end to end on the 200,000 generated city-lots lines with the 5 exact-match
#    rules (the files are written by pattern_bench to $TW_BENCH_DATA, default
#    ${TMPDIR:-/tmp}/trailwatch-bench): median of 5 runs with hyperfine, or with a `time` loop when
#    hyperfine is not installed. Skipped when extra flags are given.
#
# Results depend on machine load: the load average is printed before and after, so a run taken
# on a busy machine can be recognised (and repeated when it is quieter).
set -euo pipefail

if [[ $# -lt 1 || ! -d "$1" ]]; then
  echo "usage: $0 BUILD_DIR [benchmark flags]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
shift
extra=("$@")
results="$build/bench-results"
data="${TW_BENCH_DATA:-${TMPDIR:-/tmp}/trailwatch-bench}"
mkdir -p "$results" "$data"

echo "== machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"

shopt -s nullglob
benches=("$build"/*_bench)
if [[ ${#benches[@]} -eq 0 ]]; then
  echo "no *_bench executables in $build (configure with -DTW_BENCH=ON)" >&2
  exit 1
fi

for bench in "${benches[@]}"; do
  name=$(basename "$bench")
  echo
  echo "== $name"
  "$bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_out="$results/$name.json" --benchmark_out_format=json "${extra[@]}"
done

pattern_json="$results/pattern_bench.json"
if [[ -f "$pattern_json" ]] && command -v jq >/dev/null; then
  echo
  echo "== pattern_bench medians (CPU time, one thread)"
  jq -r '
    ["benchmark", "events/s", "ns/event", "matches/event"],
    (.benchmarks[] | select(.aggregate_name == "median")
      | [.run_name, (.["events/s"] | floor), (.["time/event"] * 1e9 * 10 | round / 10),
         (.["matches/event"] * 1e4 | round / 1e4)])
    | @tsv' "$pattern_json" | column -t -s $'\t'
  jq -r '
    [.benchmarks[] | select(.aggregate_name == "median")] as $m
    | ($m[] | select(.run_name == "CloudTrail/rules:10") | .["time/event"]) as $ten
    | ($m[] | select(.run_name == "CloudTrail/rules:10000") | .["time/event"]) as $tenk
    | "CloudTrail ns/event, 10,000 rules / 10 rules: \($tenk / $ten * 100 | round / 100)x"' \
    "$pattern_json" 2>/dev/null || true
fi

if [[ ${#extra[@]} -eq 0 && -x "$build/pattern_bench" && -x "$build/trailwatch" ]]; then
  echo
  echo "== trailwatch match, end to end (200,000 city-lots lines, 5 exact-match rules)"
  events="$data/citylots.jsonl"
  rules="$data/citylots-exact-rules.json"
  "$build/pattern_bench" --write_citylots="$events" --write_citylots_rules="$rules"
  match=("$build/trailwatch" match --rules "$rules" --events "$events")
  cmd=$(printf '%q ' "${match[@]}")
  echo "command: $cmd"
  "${match[@]}"  # once for the output (and to warm the page cache)
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 5 --export-json "$results/trailwatch_match.json" "$cmd"
    median=$(jq '.results[0].median' "$results/trailwatch_match.json")
  else
    times=()
    for _ in 1 2 3 4 5; do
      start=$(date +%s.%N)
      "${match[@]}" >/dev/null
      end=$(date +%s.%N)
      times+=("$(echo "$end - $start" | bc -l)")
    done
    median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p)
  fi
  lines=$(wc -l <"$events")
  awk -v s="$median" -v n="$lines" \
    'BEGIN { printf "median of 5 runs: %.3f s wall, %.0f events/s\n", s, n / s }'
fi

echo
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
