#!/usr/bin/env bash
# `trailwatch match` end to end, one row per rule kind (issue 16; results in docs/benchmarks.md,
# "`trailwatch match` per rule kind").
#
#   bench/match-command.sh BUILD_DIR
#
# Writes the corpora with BUILD_DIR/pattern_bench (200,000 city-lots features, 200,000 CloudTrail
# envelopes, one rules file per row; kept in CORPUS_DIR and reused), then runs
# `trailwatch match --rules R --events E` for every row, once untimed (warms the page cache) and
# RUNS times timed, for every thread setting in THREADS ("1" = --threads 1, "default" = no
# --threads option, i.e. one thread per core). Every run's output must give the same counts (the
# summary without "seconds") as the row's first run, whatever the thread setting, or the script
# fails. Prints the median wall and CPU (user + sys) time per row and setting and the events/s
# they give, with the event-ruler rate the issue implies and the ratio to it, per core (CPU time)
# and in elapsed time, and (with BASELINE) the issue's ratio scaled by the speed-up.
#
# Timing uses bash's `time` per run rather than hyperfine: every run's output is checked, and the
# CPU time is wanted per run (hyperfine 1.15 reports only the mean user/system time).
#
# Environment:
#   RUNS=5                        timed runs per row and setting (medians are reported)
#   THREADS="1 default"           thread settings to run
#   ROWS="exact prefix ..."       rows to run (default: the issue's nine)
#   CORPUS_DIR=/tmp/trailwatch-bench/match
#   TRAILWATCH=BUILD_DIR/trailwatch   binary under test
#   BASELINE=PATH                 also run this (older) binary, without --threads, as "before"
set -euo pipefail

build=${1:?usage: bench/match-command.sh BUILD_DIR}
runs=${RUNS:-5}
threads_list=${THREADS:-1 default}
rows=${ROWS:-exact prefix suffix equals-ignore-case wildcard anything-but numeric complex cloudtrail}
corpus=${CORPUS_DIR:-/tmp/trailwatch-bench/match}
trailwatch=${TRAILWATCH:-$build/trailwatch}
baseline=${BASELINE:-}

mkdir -p "$corpus"
if [[ ! -s $corpus/citylots.jsonl || ! -s $corpus/cloudtrail.jsonl || ! -s $corpus/cloudtrail-20.json ]]; then
  "$build/pattern_bench" --write_citylots="$corpus/citylots.jsonl" \
    --write_cloudtrail="$corpus/cloudtrail.jsonl" --cloudtrail_events=200000 \
    --write_rules_dir="$corpus"
fi

# The issue's measurements (trailwatch's old rate on its machine, events/s, and its ratio to
# event-ruler): event-ruler's rate there = rate / ratio. It gives rates for four rows only; its
# ratios are applied to this machine's speed-up over BASELINE for every row ("scaled").
declare -A issue_ratio=([exact]=12.2 [prefix]=11.6 [suffix]=12.8 [equals-ignore-case]=11.4
  [wildcard]=10.2 [anything-but]=3.1 [numeric]=3.8 [complex]=3.1 [cloudtrail]=3.5)
declare -A issue_rate=([exact]=970000 [anything-but]=720000 [numeric]=600000 [cloudtrail]=233000)

events_of() { [[ $1 == cloudtrail ]] && echo "$corpus/cloudtrail.jsonl" || echo "$corpus/citylots.jsonl"; }
rules_of() { [[ $1 == cloudtrail ]] && echo "$corpus/cloudtrail-20.json" || echo "$corpus/$1.json"; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run ROW LABEL BINARY [ARGS...]: writes "median_wall median_cpu events" to $tmp/result (not
# run in a subshell, so that a count mismatch ends the script).
run() {
  local row=$1 label=$2 binary=$3
  shift 3
  local cmd=("$binary" match --rules "$(rules_of "$row")" --events "$(events_of "$row")" "$@")
  "${cmd[@]}" >"$tmp/out" 2>"$tmp/err"  # warm-up
  local counts
  counts=$(sed 's/, "seconds": [0-9.]*}$/}/' "$tmp/out")
  if [[ ! -f $tmp/$row.counts ]]; then
    echo "$counts" >"$tmp/$row.counts"
  elif [[ $counts != "$(cat "$tmp/$row.counts")" ]]; then
    echo "error: $row ($label): counts differ: $counts vs $(cat "$tmp/$row.counts")" >&2
    exit 1
  fi
  : >"$tmp/times"
  local TIMEFORMAT='%3R %3U %3S'
  for ((i = 0; i < runs; i++)); do
    { time "${cmd[@]}" >"$tmp/out" 2>"$tmp/err"; } 2>>"$tmp/times"
    if [[ $(sed 's/, "seconds": [0-9.]*}$/}/' "$tmp/out") != "$counts" ]]; then
      echo "error: $row ($label): run $i counts differ" >&2
      exit 1
    fi
  done
  local wall cpu events
  wall=$(awk '{print $1}' "$tmp/times" | median)
  cpu=$(awk '{print $2 + $3}' "$tmp/times" | median)
  events=$(jq '.events' <<<"$counts")
  echo "$wall $cpu $events" >"$tmp/result"
}

TIMEFORMAT='%3R %3U %3S'
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, RUNS=$runs"
echo "# $("$trailwatch" --version | tr '\n' ' ')"
# Process start-up (dynamic loading of ~50 shared libraries, rule compilation) is part of every
# row's time: measured alone on a one-event file, for the reader to net it out.
echo '{}' >"$tmp/one.jsonl"
: >"$tmp/startup"
for ((i = 0; i < runs; i++)); do
  { time "$trailwatch" match --rules "$(rules_of exact)" --events "$tmp/one.jsonl" >/dev/null; } \
    2>>"$tmp/startup"
done
echo "# start-up (one-event file): median wall $(awk '{print $1}' "$tmp/startup" | median) s," \
  "CPU $(awk '{print $2 + $3}' "$tmp/startup" | median) s"
printf '%-20s %-9s %8s %8s %13s %12s %12s %9s %10s %7s\n' row threads wall_s cpu_s \
  events/s_wall events/s_cpu event-ruler ratio_cpu ratio_wall scaled
declare -A before
for row in $rows; do
  settings=()
  [[ -n $baseline ]] && settings+=(before)
  for t in $threads_list; do settings+=("$t"); done
  for setting in "${settings[@]}"; do
    case $setting in
      before) run "$row" before "$baseline" ;;
      default) run "$row" default "$trailwatch" ;;
      *) run "$row" "$setting" "$trailwatch" --threads "$setting" ;;
    esac
    read -r wall cpu events <"$tmp/result"
    rate_wall=$(awk -v e="$events" -v s="$wall" 'BEGIN {printf "%d", e / s}')
    rate_cpu=$(awk -v e="$events" -v s="$cpu" 'BEGIN {printf "%d", e / s}')
    [[ $setting == before ]] && before[$row]=$rate_cpu
    # event-ruler's rate as the issue implies it (one thread, the issue's machine and corpora):
    # the issue's old rate over its ratio, for the rows it gives a rate for. ratio_cpu is per core
    # (events per CPU-second, the issue's "per core"), ratio_wall elapsed.
    ruler=- ratio_cpu=- ratio_wall=- scaled=-
    if [[ -n ${issue_rate[$row]:-} ]]; then
      ruler=$(awk -v r="${issue_rate[$row]}" -v q="${issue_ratio[$row]}" 'BEGIN {printf "%d", r / q}')
      ratio_cpu=$(awk -v a="$rate_cpu" -v b="$ruler" 'BEGIN {printf "%.1fx", a / b}')
      ratio_wall=$(awk -v a="$rate_wall" -v b="$ruler" 'BEGIN {printf "%.1fx", a / b}')
    fi
    # scaled: the issue's ratio times this machine's speed-up over BASELINE (per core), i.e. the
    # ratio on the issue's footing, for every row.
    if [[ -n ${before[$row]:-} ]]; then
      scaled=$(awk -v q="${issue_ratio[$row]}" -v a="$rate_cpu" -v b="${before[$row]}" \
        'BEGIN {printf "%.1fx", q * a / b}')
    fi
    printf '%-20s %-9s %8s %8s %13s %12s %12s %9s %10s %7s\n' "$row" "$setting" "$wall" "$cpu" \
      "$rate_wall" "$rate_cpu" "$ruler" "$ratio_cpu" "$ratio_wall" "$scaled"
  done
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
