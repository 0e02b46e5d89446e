#!/usr/bin/env bash
# Runs the engine benchmarks recorded in docs/performance.md (Release build required):
#   cmake --preset release && cmake --build --preset release --target cxsim_bench
#   bench/run_benchmarks.sh [build/release/bench/cxsim_bench]
# Each configuration runs in its own process so peak memory is its own.
set -euo pipefail
BENCH=${1:-build/release/bench/cxsim_bench}
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB, $(uname -m)"
for population in 100000 1000000; do
  for threads in 1 2; do
    "$BENCH" --population "$population" --threads "$threads"
  done
done
