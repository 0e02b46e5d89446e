#!/usr/bin/env bash
# Compares builds of a benchmark in a round robin: each round runs every build once, in turn, and
# the medians of a figure are printed per build. This VM's speed drifts by a third from one minute
# to the next, so builds timed one after the other compare different machines; within a round
# they run seconds apart.
#
#   bench/compare_builds.sh ROUNDS FIGURE "LABEL=BINARY" ... -- [benchmark arguments...]
#
# FIGURE is the key=value field to read from the benchmark's output (engine_seconds, seconds, ...).
# Example (docs/performance.md, section 1):
#   bench/compare_builds.sh 6 engine_seconds main=/tmp/wom_main new=build/release/bench/cxsim_bench_wom \
#     -- --population 1000000 --threads 2 --programs engine
set -euo pipefail
# shellcheck source=bench/median.sh
source "$(dirname "$0")/median.sh"
(($# >= 3)) || { sed -n '2,12p' "$0" >&2; exit 2; }
rounds=$1 figure=$2
shift 2
labels=() binaries=()
while (($#)) && [[ $1 != -- ]]; do
  [[ $1 == *=* ]] || { echo "compare_builds.sh: expected LABEL=BINARY, got '$1'" >&2; exit 2; }
  labels+=("${1%%=*}") binaries+=("${1#*=}")
  [[ -x ${1#*=} ]] || { echo "compare_builds.sh: ${1#*=} is not an executable" >&2; exit 2; }
  shift
done
(($#)) && shift  # the --
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "compare_builds.sh: ROUNDS must be a positive whole number" >&2; exit 2; }
declare -A values
for ((r = 1; r <= rounds; ++r)); do
  for k in "${!labels[@]}"; do
    v=$("${binaries[k]}" "$@" 2>&1 | grep -o "\b$figure=[0-9.e+-]*" | head -1 | cut -d= -f2 || true)
    [[ -n $v ]] || { echo "compare_builds.sh: ${binaries[k]} printed no $figure" >&2; exit 1; }
    values[$k]="${values[$k]:-} $v"
  done
done
for k in "${!labels[@]}"; do
  # shellcheck disable=SC2086  # the values are words
  echo "${labels[k]}: $figure median $(median_range "" ${values[$k]}) of $rounds:${values[$k]}"
done
