#!/usr/bin/env bash
# One population across MPI ranks (`cxsim run --partition`, docs/cluster.md): strong scaling (a fixed
# population), weak scaling (a population proportional to the ranks), bytes sent between ranks per
# customer-day and the peak resident memory of each rank, for 1, 2 and 4 ranks, one thread a rank.
# The reference rows are the single process (no mpirun) on 1 and 2 threads. Release build with MPI:
#   bench/partition_scaling.sh [CXSIM] [STRONG_POPULATION] [WEAK_POPULATION_PER_RANK] [DAYS]
# Defaults: build/release/sim/cxsim, 1000000, 250000, 365. The baseline scenario, its staffing
# scaled with the population (agents x population / 100,000, as bench/cxsim_bench does), one
# replication. Prints one markdown table row per run, with the wall time and the CPU time of all
# ranks (user + system; a machine shared with other work moves the first more than the second).
# On a 2-core machine 4 ranks are oversubscribed (mpirun --oversubscribe): their times say what the
# exchanges cost when ranks wait for a core, not what 4 nodes would do. Waiting ranks yield their
# core (mpi_yield_when_idle; Open MPI spins otherwise when ranks <= cores, which on a loaded machine
# burns the time slice the other rank needs).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CXSIM=${1:-$ROOT/build/release/sim/cxsim}
STRONG=${2:-1000000}
WEAK=${3:-250000}
DAYS=${4:-365}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), git $(git -C "$ROOT" rev-parse --short HEAD)"
echo "| mode | population | ranks x threads | seconds | CPU seconds | customer-days/s | bytes/customer-day | peak RSS per rank (MB) |"
echo "|---|---|---|---|---|---|---|---|"

# run MODE POPULATION RANKS THREADS
run() {
  local mode=$1 n=$2 ranks=$3 threads=$4
  local agents=$(((n + 99999) / 100000))
  local args=("$ROOT/scenarios/baseline.toml" --set "market.population=$n" --set "run.horizon_days=$DAYS"
    --set run.replications=1 --set "phone.agents=$agents" --set "chat.agents=$agents"
    --set "email.agents=$agents" --threads "$threads" -o "$TMP/out.h5" --force)
  if [[ $ranks == 0 ]]; then
    /usr/bin/time -f "rss %M %U %S" -o "$TMP/rss.0" "$CXSIM" run "${args[@]}" >"$TMP/out.txt"
  else
    mpirun --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 -n "$ranks" bash -c '/usr/bin/time -f "rss %M %U %S" -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' \
      "$TMP/rss" "$CXSIM" run "${args[@]}" --partition >"$TMP/out.txt"
  fi
  local seconds rate bytes rss cpu
  seconds=$(awk '/customer-days in/{print $4}' "$TMP/out.txt")
  rate=$(awk '/customer-days in/{gsub(/\(/, "", $9); print $9}' "$TMP/out.txt")
  bytes=$(sed -n 's/.* \([0-9.e+-]*\) bytes per customer-day.*/\1/p' "$TMP/out.txt")
  rss=$(cat "$TMP"/rss.* | awk '{printf "%s%.0f", (NR > 1 ? ", " : ""), $2 / 1024}')
  cpu=$(cat "$TMP"/rss.* | awk '{s += $3 + $4} END {printf "%.1f", s}')
  rm -f "$TMP"/rss.*
  echo "| $mode | $n | $([[ $ranks == 0 ]] && echo "single process x $threads" || echo "$ranks x $threads") | $seconds | $cpu | $rate | ${bytes:--} | $rss |"
}

run strong "$STRONG" 0 1
run strong "$STRONG" 0 2
for r in 1 2 4; do run strong "$STRONG" "$r" 1; done
for r in 1 2 4; do run weak $((WEAK * r)) "$r" 1; done
