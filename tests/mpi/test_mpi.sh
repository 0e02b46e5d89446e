#!/usr/bin/env bash
# tests/mpi/test_mpi.sh CXSIM SOURCE_DIR WITH_MPI: ensembles across MPI ranks (docs/cluster.md).
# Runs small scenarios (10,000 people: a strategies file with customer columns, a sweep, a
# --precision comparison, and the series by segment with the episode record) once without MPI and with `mpirun --oversubscribe -n 1, 2, 4` (the rank
# counts of CXSIM_TEST_RANKS: 4 only under the sanitizers, CMakePresets.json), and checks
# that every dataset of every file equals the single-process file bit for bit
# (tests/golden/h5_identical.sh). Then checks that a failing rank ends the job with a clear error
# and no file, and that bad input under mpirun is reported once with exit status 2.
# Then the studies (sensitivity, calibrate, select) on several ranks against one process.
# Exits 77 (ctest: skipped, saying why) when cxsim was built without MPI (CXSIM_WITH_MPI=OFF).
. "$(dirname "$0")/mpi_harness.sh" "$1" "$2" "${3:-OFF}"

# name | scenario | options
cases=(
  "strategies|scenarios/service_speed.toml|--set market.population=10000 --set run.replications=3 --set run.save_customers=true"
  "sweep|scenarios/sweep_quality_staffing.toml|--set market.population=10000 --set run.replications=1"
  "precision|scenarios/price.toml|--set market.population=5000 --set run.replications=2 --precision 0.005 --max-replications 7"
  "segments_episodes|scenarios/quality.toml|--set market.population=5000 --set run.horizon_days=200 --set run.replications=3 --set output.by_segment=true --set run.episodes=true"
)
for case in "${cases[@]}"; do
  IFS='|' read -r name scenario options <<<"$case"
  # shellcheck disable=SC2086
  if "$CXSIM" run "$SRC/$scenario" $options --threads 2 -q -o "$name-single.h5" >/dev/null; then ok; else
    bad "$name: the single-process run failed"; continue
  fi
  for n in "${RANKS[@]}"; do
    # shellcheck disable=SC2086
    if ! "${MPIRUN[@]}" -n "$n" "$CXSIM" run "$SRC/$scenario" $options --threads 1 -q -o "$name-$n.h5" >out.txt 2>&1; then
      bad "$name: mpirun -n $n failed: $(tail -3 out.txt)"
      continue
    fi
    [[ $(grep -c '^results:' out.txt) == 1 ]] && ok || bad "$name: mpirun -n $n: expected one 'results:' line, got: $(cat out.txt)"
    if bash "$SRC/tests/golden/h5_identical.sh" "$name-single.h5" "$name-$n.h5"; then ok; else
      bad "$name: mpirun -n $n wrote a file that differs from the single-process file"
    fi
  done
done
# The customer columns came across too (the strategies case saves them).
h5ls -r "strategies-$MOST.h5" | grep -q customers && ok || bad "strategies: mpirun -n $MOST wrote no customer columns"
# And the series by segment and the episode tables (they go to rank 0 as the columns do).
h5ls -r "segments_episodes-$MOST.h5" | grep -q "episodes/outcome" && h5ls -r "segments_episodes-$MOST.h5" | grep -q "series_by_segment/churned" &&
  ok || bad "segments_episodes: mpirun -n $MOST wrote no episode table or series by segment"

# The studies across ranks (docs/cluster.md): the same answer as one process. Sensitivity: every
# dataset of its file; calibration: the calibrated scenario (but its "# Command:" line) and the fit
# table; selection with re-runs beyond the file's replications: the whole report.
small=(--set market.population=3000 --set run.horizon_days=120)
sens=(sensitivity "$SRC/scenarios/baseline.toml" "${small[@]}" --replications 2 --vary purchase.price:40:60
  --vary quality.defect_rate:0.01:0.06 --metric profit --metric churn --samples 3 -q)
cat >targets.toml <<'TOML'
[[target]]
metric = "orders"
value = 3500
sd = 200
[[target]]
metric = "churned"
value = 120
sd = 20
[[free]]
key = "purchase.interval_days"
min = 30
max = 120
TOML
cal=(calibrate "$SRC/scenarios/baseline.toml" targets.toml "${small[@]}" --replications 2 --budget 8 --starts 2 -q)
"$CXSIM" run "$SRC/scenarios/service_speed.toml" --set market.population=3000 --set run.replications=3 -q -o sel.h5 >/dev/null
sel=(select sel.h5 --objective nps --indifference 2 --first-stage 3 --max-replications 12 -q)
"$CXSIM" "${sens[@]}" -o sens-single.h5 >sens-single.txt 2>&1 || bad "sensitivity: the single-process run failed"
"$CXSIM" "${cal[@]}" -o cal-single.toml >cal-single.txt 2>&1 || bad "calibrate: the single-process run failed"
"$CXSIM" "${sel[@]}" >sel-single.txt 2>&1 || bad "select: the single-process run failed"
grep -q "re-run beyond" sel-single.txt && ok || bad "select: the case should need re-runs: $(cat sel-single.txt)"
for n in "${SEVERAL[@]}"; do
  if "${MPIRUN[@]}" -n "$n" "$CXSIM" "${sens[@]}" --threads 1 -o "sens-$n.h5" >"sens-$n.txt" 2>&1; then
    diff <(grep -v '^results:' sens-single.txt) <(grep -v '^results:' "sens-$n.txt") >/dev/null && ok ||
      bad "sensitivity: mpirun -n $n printed another table: $(cat "sens-$n.txt")"
    same=1
    for d in points outputs min max indices/mu_star indices/mu_star_low indices/mu_star_high indices/mu indices/sigma; do
      h5diff -q sens-single.h5 "sens-$n.h5" "/$d" "/$d" >/dev/null || same=0
    done
    [[ $same == 1 ]] && ok || bad "sensitivity: mpirun -n $n wrote other indices than one process"
  else bad "sensitivity: mpirun -n $n failed: $(tail -3 "sens-$n.txt")"; fi
done
if "${MPIRUN[@]}" -n 2 "$CXSIM" "${cal[@]}" --threads 1 -o cal-2.toml >cal-2.txt 2>&1; then
  diff <(grep -v '^# Command' cal-single.toml) <(grep -v '^# Command' cal-2.toml) >/dev/null && ok ||
    bad "calibrate: mpirun -n 2 wrote another calibrated scenario"
  diff <(grep -v '^calibrated scenario' cal-single.txt) <(grep -v '^calibrated scenario' cal-2.txt) >/dev/null && ok ||
    bad "calibrate: mpirun -n 2 printed another fit: $(cat cal-2.txt)"
  [[ ! -e cal-2.toml.progress ]] && ok || bad "calibrate: mpirun -n 2 left its progress file"
else bad "calibrate: mpirun -n 2 failed: $(tail -3 cal-2.txt)"; fi
if "${MPIRUN[@]}" -n 2 "$CXSIM" "${sel[@]}" --threads 1 >sel-2.txt 2>&1; then
  diff sel-single.txt sel-2.txt >/dev/null && ok || bad "select: mpirun -n 2 chose differently: $(cat sel-2.txt)"
else bad "select: mpirun -n 2 failed: $(tail -3 sel-2.txt)"; fi
# A study's bad input under mpirun: one error, exit 2.
"${MPIRUN[@]}" -n 2 "$CXSIM" sensitivity "$SRC/scenarios/baseline.toml" --vary no.such_key:0:1 --metric profit -q \
  -o never.h5 >out.txt 2>&1
status=$?
[[ $status -ne 0 && $(grep -c 'cxsim: error:' out.txt) == 1 ]] && grep -q 'no.such_key' out.txt && ok ||
  bad "a study's bad input under mpirun: expected one error naming the key (status $status): $(cat out.txt)"
[[ ! -e never.h5 ]] && ok || bad "a study's bad input under mpirun: a file was written"

# A failing rank (a task made to fail through the test hook) ends the job: a clear error, a
# non-zero status, and no results file.
if CXSIM_MPI_TEST_FAIL_TASK=5 "${MPIRUN[@]}" -x CXSIM_MPI_TEST_FAIL_TASK -n 2 "$CXSIM" run "$SRC/scenarios/baseline.toml" \
    --set market.population=3000 --set run.replications=6 --set run.horizon_days=30 --threads 1 -q -o failed.h5 >out.txt 2>&1; then
  bad "a failing task: mpirun succeeded"
else ok; fi
grep -q 'task 5 failed on purpose' out.txt && ok || bad "a failing task: the error does not say what failed: $(cat out.txt)"
[[ $(grep -c 'internal error' out.txt) == 1 ]] && ok || bad "a failing task: expected the error once (from rank 0): $(cat out.txt)"
[[ ! -e failed.h5 ]] && ok || bad "a failing task: a results file was written"
ls ./*.tmp* >/dev/null 2>&1 && bad "a failing task: a temporary file was left behind" || ok

# Bad input under mpirun: exit status 2 from every rank, the message once, no file.
"${MPIRUN[@]}" -n 2 "$CXSIM" run "$SRC/scenarios/baseline.toml" --set market.population=-5 -q -o bad.h5 >out.txt 2>&1
status=$?
[[ $status -ne 0 ]] && ok || bad "bad input under mpirun: status $status"
[[ $(grep -c 'cxsim: error:' out.txt) == 1 ]] && grep -q 'market.population' out.txt && ok ||
  bad "bad input under mpirun: expected one error naming market.population: $(cat out.txt)"
[[ ! -e bad.h5 ]] && ok || bad "bad input under mpirun: a results file was written"
# A wrong option or command: every rank parses it, rank 0 alone says so.
for wrong in "run $SRC/scenarios/baseline.toml --no-such-option" "frobnicate"; do
  # shellcheck disable=SC2086  # the words of $wrong are the arguments
  "${MPIRUN[@]}" -n 2 "$CXSIM" $wrong >out.txt 2>&1
  status=$?
  [[ $status -ne 0 && $(grep -c 'cxsim: error:' out.txt) == 1 ]] && ok ||
    bad "'cxsim $wrong' under mpirun: expected one 'cxsim: error:' line (status $status): $(cat out.txt)"
done

# Memory is checked for the ranks that share a machine together (CXSIM_TEST_MEMORY_AVAILABLE fakes
# what this machine has): two threads' models fit one process in 200 MB, but not two ranks of them.
mem=(--set market.population=500000 --set run.replications=2 --set run.horizon_days=10 --threads 2)
CXSIM_TEST_MEMORY_AVAILABLE=200000000 "$CXSIM" validate "$SRC/scenarios/baseline.toml" "${mem[@]}" >/dev/null 2>&1 &&
  ok || bad "memory: one process should fit in 200 MB"
CXSIM_TEST_MEMORY_AVAILABLE=200000000 "${MPIRUN[@]}" -x CXSIM_TEST_MEMORY_AVAILABLE -n 2 "$CXSIM" run \
  "$SRC/scenarios/baseline.toml" "${mem[@]}" -q -o big.h5 >out.txt 2>&1
status=$?
[[ $status -ne 0 && $(grep -c 'cxsim: error:' out.txt) == 1 ]] &&
  grep -q "the 2 MPI ranks on this machine need about .* together" out.txt && ok ||
  bad "memory: two ranks on a machine of 200 MB should be refused once, together (status $status): $(cat out.txt)"
[[ ! -e big.h5 ]] && ok || bad "memory: a refused run wrote a file"
# The studies too: one model a rank (13 MB at 10^5 customers) fits in 20 MB alone, not on two
# ranks of this machine.
sm=(sensitivity "$SRC/scenarios/baseline.toml" --set market.population=100000 --set run.horizon_days=5 --replications 1
  --vary purchase.price:40:60 --metric profit --samples 2 --threads 1 -q)
CXSIM_TEST_MEMORY_AVAILABLE=20000000 "$CXSIM" "${sm[@]}" -o sm-one.h5 >out.txt 2>&1 && ok ||
  bad "memory: a study of one model should fit in 20 MB: $(cat out.txt)"
CXSIM_TEST_MEMORY_AVAILABLE=20000000 "${MPIRUN[@]}" -x CXSIM_TEST_MEMORY_AVAILABLE -n 2 "$CXSIM" "${sm[@]}" \
  -o sm-two.h5 >out.txt 2>&1
status=$?
[[ $status -ne 0 && $(grep -c 'cxsim: error:' out.txt) == 1 ]] &&
  grep -q "the 2 MPI ranks on this machine need about .* together" out.txt && ok ||
  bad "memory: a study on two ranks of a 20 MB machine should be refused once (status $status): $(cat out.txt)"
[[ ! -e sm-two.h5 ]] && ok || bad "memory: a refused study wrote a file"
finish test_mpi
