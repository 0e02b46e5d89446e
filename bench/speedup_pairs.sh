#!/usr/bin/env bash
# Speed-up from 1 to 2 threads of the full model, measured in pairs: each pair runs one thread
# pinned to CPU 0 (taskset), one thread unpinned and two threads, in alternating order, and the
# speed-up is the median of the per-pair ratios (with the range). A virtual machine's speed can
# drift by a third from one minute to the next, so medians of separate one-thread and two-thread
# runs would compare different machines; a pair's runs are seconds apart. Pinning shows how much
# of the spread comes from the scheduler moving a single thread between unequal vCPUs.
#
#   bench/speedup_pairs.sh [CXSIM_BENCH] [PAIRS] [cxsim_bench arguments...]
#
# Defaults: build/release/bench/cxsim_bench, 11 pairs, --population 100000. Example, this
# machine's ceiling (two independent replications, nothing shared between the threads):
#   bench/speedup_pairs.sh build/release/bench/cxsim_bench 7 --population 100000 --replications 2
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${1:-$ROOT/build/release/bench/cxsim_bench}
PAIRS=${2:-11}
shift $(($# < 2 ? $# : 2))
ARGS=("$@")
((${#ARGS[@]})) || ARGS=(--population 100000)
command -v taskset >/dev/null || { echo "speedup_pairs.sh: taskset (util-linux) is needed" >&2; exit 2; }
[[ -x $BENCH ]] || { echo "speedup_pairs.sh: $BENCH is not an executable benchmark" >&2; exit 2; }

seconds() { "$@" | grep -o ' seconds=[0-9.]*' | head -1 | cut -d= -f2; }
pinned=() free=()
for ((i = 1; i <= PAIRS; ++i)); do
  if ((i % 2)); then
    two=$(seconds "$BENCH" --threads 2 "${ARGS[@]}")
    one_pinned=$(seconds taskset -c 0 "$BENCH" --threads 1 "${ARGS[@]}")
    one_free=$(seconds "$BENCH" --threads 1 "${ARGS[@]}")
  else
    one_pinned=$(seconds taskset -c 0 "$BENCH" --threads 1 "${ARGS[@]}")
    one_free=$(seconds "$BENCH" --threads 1 "${ARGS[@]}")
    two=$(seconds "$BENCH" --threads 2 "${ARGS[@]}")
  fi
  echo "pair $i: 1 thread on cpu 0 ${one_pinned} s, 1 thread unpinned ${one_free} s, 2 threads ${two} s"
  pinned+=("$(awk -v a="$one_pinned" -v b="$two" 'BEGIN { print a / b }')")
  free+=("$(awk -v a="$one_free" -v b="$two" 'BEGIN { print a / b }')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2fx (%.2f-%.2f)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
echo "speed-up 1 -> 2 threads, median of $PAIRS pairs: against cpu 0 $(median "${pinned[@]}"), against unpinned $(median "${free[@]}")"
