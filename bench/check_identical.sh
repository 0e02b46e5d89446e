#!/usr/bin/env bash
# Checks that an optimised engine gives bit-identical results to a reference build (e.g. the
# commit before an optimisation): runs each scenario below with both `cxsim` binaries and compares
# every dataset of the results (daily series and final customer state) with h5diff, exactly.
#
#   bench/check_identical.sh REFERENCE_CXSIM NEW_CXSIM [SCENARIO_ROOT]
#
# SCENARIO_ROOT (default: this checkout) holds scenarios/: give the reference's checkout when the
# scenario files gained keys the reference does not know. NEW_SETS="key=value ..." passes further
# overrides to the new build only (e.g. to switch off a mechanism the reference lacks).
#
# A reference build: git worktree add --detach /tmp/cxsim-ref <commit> && cmake -S /tmp/cxsim-ref
#   -B /tmp/cxsim-ref/build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build ... --target cxsim
set -euo pipefail
REF=$1
NEW=$2
ROOT=${3:-$(cd "$(dirname "$0")/.." && pwd)}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# name | scenario | overrides (space separated) | threads
CASES=(
  "baseline|scenarios/baseline.toml|run.save_customers=true|2"
  "baseline_reps|scenarios/baseline.toml|run.replications=3 market.population=20000|2"
  "programmes|scenarios/baseline.toml|proactive.enabled=true contact_centre.routing=skills_based contact_centre.omnichannel_context=true market.population=30000 run.save_customers=true|1"
  "price_rise|scenarios/baseline.toml|purchase.price=60 market.population=30000 run.save_customers=true|2"
  "queue_variants|scenarios/baseline.toml|phone.patience=lognormal chat.patience=lognormal phone.agents=2 chat.retry_probability=0.6 phone.handle_time=exponential market.population=50000|2"
  "long_memory|scenarios/baseline.toml|experience.memory_days=5 run.horizon_days=1500 market.population=20000 run.save_customers=true|2"
  "bass_complete|scenarios/validation/bass_complete.toml|run.save_customers=true|2"
  "bass_ws|scenarios/validation/bass_complete.toml|network.kind=watts_strogatz network.weak_tie_share=0|2"
  "watts_strogatz|scenarios/validation/watts_strogatz.toml|run.save_customers=true|2"
  "barabasi_albert|scenarios/validation/barabasi_albert.toml|run.save_customers=true|2"
  "erdos_renyi|scenarios/validation/erdos_renyi.toml||1"
  "ring|scenarios/validation/ring.toml||2"
  "edge_list|scenarios/validation/edge_list.toml|run.save_customers=true|2"
  "by_segment|scenarios/baseline.toml|output.by_segment=true run.horizon_days=800 market.population=30000 run.save_customers=true|2"
  # 1,300-1,450 phone contacts a day: the queues' radix arrival sort (from 256 a day) runs.
  "contact_heavy|scenarios/baseline.toml|market.population=200000 run.horizon_days=90 contacts.value_demand_per_year=30 run.save_customers=true|2"
)

status=0
for case in "${CASES[@]}"; do
  IFS='|' read -r name scenario sets threads <<<"$case"
  args=()
  for s in $sets; do args+=(--set "$s"); done
  "$REF" run "$ROOT/$scenario" -o "$TMP/$name.ref.h5" --quiet --threads "$threads" "${args[@]}" >/dev/null
  new_args=("${args[@]}")
  for s in ${NEW_SETS:-}; do new_args+=(--set "$s"); done
  "$NEW" run "$ROOT/$scenario" -o "$TMP/$name.new.h5" --quiet --threads "$threads" "${new_args[@]}" >/dev/null
  # Data only: the two builds may write different attributes (format changes are not results).
  report=$(h5diff -v "$TMP/$name.ref.h5" "$TMP/$name.new.h5" /strategies /strategies || true)
  compared=$(grep -c '^dataset: ' <<<"$report" || true)
  expected=$(h5ls -r "$TMP/$name.ref.h5/strategies" | grep -c Dataset || true)
  differing=$(awk '/^dataset: /{d=$0; getline; if ($1 != "0") print d}' <<<"$report")
  if [[ -z $differing && $compared -eq $expected && $compared -gt 0 ]]; then
    echo "identical  $name ($compared datasets)"
  else
    echo "DIFFERENT  $name ($compared of $expected datasets compared)"
    head -20 <<<"$differing"
    status=1
  fi
done
exit $status
