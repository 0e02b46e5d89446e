#!/usr/bin/env bash
# Speed-up from 1 to 2 threads of the full model, measured in pairs: each pair runs one thread
# pinned to CPU 0 (taskset), one thread unpinned and two threads, in alternating order, and the
# speed-up is the median of the per-pair ratios (with the range). A virtual machine's speed can
# drift by a third from one minute to the next, so medians of separate one-thread and two-thread
# runs would compare different machines; a pair's runs are seconds apart. Pinning shows how much
# of the spread comes from the scheduler moving a single thread between unequal vCPUs; a run pinned to
# CPU 1 measures how unequal they are, and so what two threads could gain on this machine at most
# (1 + t0 / t1, 2 for equal CPUs) and which share of that they gained.
#
#   bench/speedup_pairs.sh [CXSIM_BENCH] [PAIRS] [cxsim_bench arguments...]
#
# Defaults: build/release/bench/cxsim_bench, 11 pairs, --population 100000. Example, this
# machine's ceiling (two independent replications, nothing shared between the threads):
#   bench/speedup_pairs.sh build/release/bench/cxsim_bench 7 --population 100000 --replications 2
set -euo pipefail
# shellcheck source=bench/median.sh
source "$(dirname "$0")/median.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${1:-$ROOT/build/release/bench/cxsim_bench}
PAIRS=${2:-11}
shift $(($# < 2 ? $# : 2))
ARGS=("$@")
((${#ARGS[@]})) || ARGS=(--population 100000)
command -v taskset >/dev/null || { echo "speedup_pairs.sh: taskset (util-linux) is needed" >&2; exit 2; }
[[ -x $BENCH ]] || { echo "speedup_pairs.sh: $BENCH is not an executable benchmark" >&2; exit 2; }

seconds() { "$@" | grep -o ' seconds=[0-9.]*' | head -1 | cut -d= -f2; }
pinned=() free=() slower=() ceiling=() share=()
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }
for ((i = 1; i <= PAIRS; ++i)); do
  if ((i % 2)); then
    two=$(seconds "$BENCH" --threads 2 "${ARGS[@]}")
    one_pinned=$(seconds taskset -c 0 "$BENCH" --threads 1 "${ARGS[@]}")
    one_free=$(seconds "$BENCH" --threads 1 "${ARGS[@]}")
    one_cpu1=$(seconds taskset -c 1 "$BENCH" --threads 1 "${ARGS[@]}")
  else
    one_cpu1=$(seconds taskset -c 1 "$BENCH" --threads 1 "${ARGS[@]}")
    one_pinned=$(seconds taskset -c 0 "$BENCH" --threads 1 "${ARGS[@]}")
    one_free=$(seconds "$BENCH" --threads 1 "${ARGS[@]}")
    two=$(seconds "$BENCH" --threads 2 "${ARGS[@]}")
  fi
  echo "pair $i: 1 thread on cpu 0 ${one_pinned} s, on cpu 1 ${one_cpu1} s, unpinned ${one_free} s; 2 threads ${two} s"
  pinned+=("$(ratio "$one_pinned" "$two")")
  free+=("$(ratio "$one_free" "$two")")
  slower+=("$(ratio "$one_cpu1" "$one_pinned")")
  # What two threads could gain on these two vCPUs (2 when they are equally fast), and the share of
  # it that they did gain: the code's scaling, apart from the machine's.
  ceiling+=("$(awk -v a="$one_pinned" -v b="$one_cpu1" 'BEGIN { print 1 + a / b }')")
  share+=("$(awk -v a="$one_pinned" -v b="$one_cpu1" -v c="$two" 'BEGIN { print (a / c) / (1 + a / b) }')")
done
echo "speed-up 1 -> 2 threads, median of $PAIRS pairs: against cpu 0 $(median_range x "${pinned[@]}"), against unpinned $(median_range x "${free[@]}")"
echo "one thread's time on cpu 1 / on cpu 0: $(median_range "" "${slower[@]}"); so two threads could gain at most $(median_range x "${ceiling[@]}") here, and gained $(median_range "" "${share[@]}") of that"
