#!/usr/bin/env bash
# Runs every benchmark docs/performance.md records, one configuration per process (so that each
# peak resident set is its own), and prints their lines. Release build required:
#   cmake --preset release && cmake --build --preset release
#   bench/run_benchmarks.sh [BENCH_DIR] [quick]
# BENCH_DIR defaults to build/release/bench; `quick` skips the 10^7-customer runs (about 3 minutes
# instead of about 10 on 2 cores). The figures depend on the machine and on what else runs on
# it: each program prints the load average it started with.
set -euo pipefail
BIN=${1:-build/release/bench}
QUICK=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB, $(uname -m), git $(git -C "$ROOT" rev-parse --short HEAD)"

echo "## memory bandwidth"
"$BIN/cxsim_bench_stream"

echo "## full model: the baseline, staffing scaled with the population"
populations="100000 1000000"
[[ $QUICK == quick ]] || populations="$populations 10000000"
for n in $populations; do
  for t in 1 2; do "$BIN/cxsim_bench" --population "$n" --threads "$t" | grep -v '^#'; done
done

echo "## memory per social tie: mean degree 10 and 40 at 10^6 (30 days)"
for k in 10 40; do
  "$BIN/cxsim_bench" --population 1000000 --days 30 --set network.mean_degree=$k --threads 2 | grep '^engine'
done

echo "## output: HDF5 results of the baseline, 1 and 10 replications"
for r in 1 10; do
  "$BIN/cxsim_bench" --replications "$r" --threads 2 --output "$TMP/out.h5" | grep -E '^(engine|output)'
done

echo "## word-of-mouth kernel: engine vs hand-written loops"
"$BIN/cxsim_bench_wom" --population 100000,1000000 --threads 1,2

echo "## contact centre alone"
"$BIN/cxsim_bench_queue" --contacts 1000,10000,100000,1000000 --threads 1,2

echo "## scaling"
"$BIN/cxsim_bench_scaling"
