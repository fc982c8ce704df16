#!/usr/bin/env bash
# `trailwatch scan` vs `zcat | jq` on the same CloudTrail corpus, with the inflate-only rate of the
# same files as the practical ceiling (issue 3 item 5; results in docs/benchmarks.md).
#
#   bench/scan-vs-jq.sh BUILD_DIR [CORPUS_DIR]
#
#   BUILD_DIR   a Release build with trailwatch and inflate_files_bench
#               (cmake -S . -B build/rel -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build/rel)
#   CORPUS_DIR  default ${TMPDIR:-/tmp}/trailwatch-scan-corpus (SHAPE=large) or
#               ${TMPDIR:-/tmp}/trailwatch-scan-corpus-small (SHAPE=small). Generated with
#               `trailwatch generate --out CORPUS_DIR --size $SIZE --seed $SEED [--file-size ...]`
#               unless it already holds a corpus (CORPUS_DIR/AWSLogs and the report
#               CORPUS_DIR.generate.json): then it is reused as is.
#   env: SHAPE   large (default): 2 GB, heavy-tailed file sizes (a few KB to tens of MB; a few
#                big files hold half the bytes); goal 1000 MB/s and 30x jq.
#                small: 315 MB in ~1,750 files of 100-260 KB inflated, what real trails deliver
#                every 5 minutes (issue 16): one day of 2 accounts x 3 regions, ~290 files per
#                day folder; goal 2000 MB/s and 30x jq.
#                both: runs large, then small (CORPUS_DIR cannot be given).
#        SIZE (default 2GB large, 315MB small), FILE_SIZE (small: 100KB-260KB), ACCOUNTS,
#        REGIONS, DAYS (generator defaults 20, 8, 30 for large; 2, 3, 1 for small), SEED (1),
#        RUNS (hyperfine runs for scan and inflate, default 5), JQ_RUNS (default 3: jq is slow),
#        THREADS (scan and inflate threads, default all cores).
#
# Prerequisites: hyperfine, jq, zcat (gzip), find/xargs; `apt-get install -y hyperfine jq`.
#
# In one run, on the same files, with a warm page cache (every file is read once first):
#   (a) inflate_files_bench CORPUS   inflate every file (default engine) on all cores: the ceiling
#   (b) trailwatch scan CORPUS --output jsonl --quiet   the built-in root-signin rule
#   (c) find CORPUS -name '*.json.gz' -print0 | xargs -0 zcat | jq -c '<the same filter>'
# Each is timed by hyperfine (wall clock, median); MB/s is the corpus's uncompressed bytes (10^6)
# over the median; CPU s/GB is hyperfine's mean user + system time per 10^9 uncompressed bytes
# (on a shared machine the CPU time moves less than the wall time). Before timing, the number of root sign-ins found by (b) and (c) is checked
# against the generator's report, and `scan --strict` (every record parsed) must print the same
# rows as the default scan: a fast scan that finds something else is not a result.
set -euo pipefail

if [[ $# -lt 1 || ! -d "$1" ]]; then
  sed -n '2,35p' "$0" >&2
  exit 2
fi
shape=${SHAPE:-large}
case "$shape" in
  both)
    if [[ $# -gt 1 ]]; then
      echo "SHAPE=both takes no CORPUS_DIR" >&2
      exit 2
    fi
    SHAPE=large "$0" "$1"
    echo
    exec env SHAPE=small "$0" "$1"
    ;;
  large)
    default_corpus=${TMPDIR:-/tmp}/trailwatch-scan-corpus
    size=${SIZE:-2GB}
    file_size=""
    layout=(--accounts "${ACCOUNTS:-20}" --regions "${REGIONS:-8}" --days "${DAYS:-30}")
    goal_mb_s=1000
    ;;
  small)
    default_corpus=${TMPDIR:-/tmp}/trailwatch-scan-corpus-small
    size=${SIZE:-315MB}
    file_size=${FILE_SIZE:-100KB-260KB}
    layout=(--accounts "${ACCOUNTS:-2}" --regions "${REGIONS:-3}" --days "${DAYS:-1}")
    goal_mb_s=2000
    ;;
  *)
    echo "SHAPE must be large, small or both, not $shape" >&2
    exit 2
    ;;
esac
build=$(cd "$1" && pwd)
corpus=${2:-$default_corpus}
corpus=${corpus%/}
seed=${SEED:-1}
runs=${RUNS:-5}
jq_runs=${JQ_RUNS:-3}
threads=${THREADS:-0}
trailwatch="$build/trailwatch"
inflate="$build/inflate_files_bench"

for tool in hyperfine jq zcat xargs; do
  if ! command -v "$tool" >/dev/null; then
    echo "missing prerequisite: $tool (apt-get install -y hyperfine jq gzip)" >&2
    exit 1
  fi
done
for binary in "$trailwatch" "$inflate"; do
  if [[ ! -x "$binary" ]]; then
    echo "missing $binary: build $build first" >&2
    exit 1
  fi
done

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "== machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
  "$(awk '/MemTotal/ { printf "%.0f GB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "== tools: $(hyperfine --version), jq $(jq --version), $(zcat --version | head -1)"
echo "== load before: $(load), $(date -u +%Y-%m-%dT%H:%M:%SZ), shape $shape"

# --- corpus ----------------------------------------------------------------------------------
report="$corpus.generate.json"
generate=("$trailwatch" generate --out "$corpus" --size "$size" --seed "$seed" "${layout[@]}")
if [[ -n "$file_size" ]]; then generate+=(--file-size "$file_size"); fi
if [[ -d "$corpus/AWSLogs" && -s "$report" ]]; then
  echo "== corpus: reusing $corpus (report $report)"
else
  if [[ -e "$corpus" ]] && [[ -n "$(ls -A "$corpus")" ]]; then
    echo "$corpus exists but holds no complete corpus (no $report): remove it first" >&2
    exit 1
  fi
  echo "== corpus: $(printf '%q ' "${generate[@]}")"
  "${generate[@]}" >"$report.tmp"
  mv "$report.tmp" "$report"
fi
cat "$report"
expected_roots=$(jq '.root_sign_ins' "$report")
uncompressed=$(jq '.uncompressed_bytes' "$report")
compressed=$(jq '.compressed_bytes' "$report")
files=$(jq '.files' "$report")
echo "   $files files, $(awk -v b="$uncompressed" 'BEGIN { printf "%.0f", b / 1e6 }') MB" \
  "uncompressed, $(awk -v b="$compressed" 'BEGIN { printf "%.0f", b / 1e6 }') MB gzip," \
  "$expected_roots root sign-ins"

# --- commands --------------------------------------------------------------------------------
q() { printf '%q' "$1"; }
filter='select(.Records) | .Records[] | select(.userIdentity.type == "Root" and .eventType == "AwsConsoleSignIn")'
thread_flag=""
if [[ "$threads" != 0 ]]; then thread_flag=" --threads $threads"; fi
inflate_cmd="$(q "$inflate") $(q "$corpus")$thread_flag"
scan_cmd="$(q "$trailwatch") scan $(q "$corpus") --output jsonl --quiet$thread_flag"
jq_cmd="find $(q "$corpus") -name '*.json.gz' -print0 | xargs -0 zcat | jq -c '$filter'"

# --- warm the page cache and check the answers -----------------------------------------------
echo "== warming the page cache"
find "$corpus" -type f -name '*.json.gz' -print0 | xargs -0 cat >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/scan-vs-jq.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "== checking: every command must agree with the generator ($expected_roots root sign-ins)"
echo "   $inflate_cmd"
bash -c "$inflate_cmd" >"$work/inflate.json"
inflated=$(jq '.uncompressed_bytes' "$work/inflate.json")
echo "   inflated $inflated bytes (generator: $uncompressed)"
echo "   $scan_cmd"
scan_status=0
bash -c "$scan_cmd" >"$work/scan.jsonl" || scan_status=$?
scan_roots=$(grep -c . "$work/scan.jsonl" || true)
echo "   scan: $scan_roots matches (exit $scan_status)"
strict_status=0
bash -c "$scan_cmd --strict" >"$work/strict.jsonl" || strict_status=$?
echo "   scan --strict: $(grep -c . "$work/strict.jsonl" || true) matches (exit $strict_status)"
echo "   $jq_cmd"
bash -c "$jq_cmd" >"$work/jq.jsonl"
jq_roots=$(grep -c . "$work/jq.jsonl" || true)
echo "   jq: $jq_roots matches"
ok=1
[[ "$inflated" == "$uncompressed" ]] || { echo "MISMATCH: inflated bytes" >&2; ok=0; }
[[ "$scan_status" == 0 ]] || { echo "MISMATCH: scan exited $scan_status" >&2; ok=0; }
[[ "$scan_roots" == "$expected_roots" ]] || { echo "MISMATCH: scan root sign-ins" >&2; ok=0; }
[[ "$strict_status" == 0 ]] || { echo "MISMATCH: scan --strict exited $strict_status" >&2; ok=0; }
cmp -s "$work/scan.jsonl" "$work/strict.jsonl" ||
  { echo "MISMATCH: scan --strict printed other rows than scan" >&2; ok=0; }
[[ "$jq_roots" == "$expected_roots" ]] || { echo "MISMATCH: jq root sign-ins" >&2; ok=0; }
if [[ $ok == 0 ]]; then
  echo "the commands disagree: no timing" >&2
  exit 1
fi
echo "   all agree"

# --- timing ----------------------------------------------------------------------------------
echo "== load before timing: $(load)"
hyperfine --warmup 1 --runs "$runs" --export-json "$work/inflate-time.json" -n inflate \
  "$inflate_cmd >/dev/null"
hyperfine --warmup 1 --runs "$runs" --export-json "$work/scan-time.json" -n scan \
  "$scan_cmd >/dev/null"
hyperfine --runs "$jq_runs" --export-json "$work/jq-time.json" -n "zcat | jq" \
  "$jq_cmd >/dev/null"
echo "== load after timing: $(load)"

median() { jq '.results[0].median' "$1"; }
cpu() { jq '.results[0].user + .results[0].system' "$1"; }
inflate_s=$(median "$work/inflate-time.json")
scan_s=$(median "$work/scan-time.json")
jq_s=$(median "$work/jq-time.json")
inflate_cpu=$(cpu "$work/inflate-time.json")
scan_cpu=$(cpu "$work/scan-time.json")
jq_cpu=$(cpu "$work/jq-time.json")
echo
echo "== results ($shape): $files files, $uncompressed bytes uncompressed ($compressed gzip), $(nproc) CPUs"
awk -v b="$uncompressed" -v i="$inflate_s" -v s="$scan_s" -v j="$jq_s" -v g="$goal_mb_s" \
  -v ic="$inflate_cpu" -v sc="$scan_cpu" -v jc="$jq_cpu" 'BEGIN {
  printf "%-34s %10s %16s %12s\n", "command", "median s", "uncompressed MB/s", "CPU s/GB"
  printf "%-34s %10.3f %16.1f %12.2f\n", "(a) inflate only (ceiling)", i, b / 1e6 / i, ic / (b / 1e9)
  printf "%-34s %10.3f %16.1f %12.2f\n", "(b) trailwatch scan", s, b / 1e6 / s, sc / (b / 1e9)
  printf "%-34s %10.3f %16.1f %12.2f\n", "(c) zcat | jq", j, b / 1e6 / j, jc / (b / 1e9)
  printf "scan / jq: %.1fx    scan / inflate ceiling: %.0f%%\n", j / s, 100 * i / s
  printf "goals: scan >= %d MB/s: %s (%.0f MB/s); scan >= 30x jq: %s (%.1fx)\n",
    g, (b / 1e6 / s >= g ? "met" : "MISSED"), b / 1e6 / s, (j / s >= 30 ? "met" : "MISSED"), j / s
}'
