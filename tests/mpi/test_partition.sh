#!/usr/bin/env bash
# tests/mpi/test_partition.sh CXSIM SOURCE_DIR WITH_MPI: one population across MPI ranks
# (`mpirun -n R cxsim run FILE --partition`, docs/cluster.md). Runs small scenarios once in a single
# process and with `mpirun --oversubscribe -n 1, 2, 4 ... --partition` (the rank counts of
# CXSIM_TEST_RANKS: 4 only under the sanitizers, CMakePresets.json), and checks that every dataset
# of every file equals the single-process file bit for bit (tests/golden/h5_identical.sh): a
# Watts-Strogatz baseline with customer columns and several chunks (8,192 customers) per rank,
# Erdos-Renyi and Barabasi-Albert networks (ties spread over all ranks), random mixing, a strategies
# file with an intervention, --precision on a population of one chunk (ranks 1-3 hold nobody), the
# daily series by segment (output.by_segment) with the episode record (run.episodes, capped), and
# an edge-list file (each rank reads its customers' ties only), and every story retold (a teller
# whose good story stops at a listener on another rank who knows it, before its bad story's turn). Then: a rank failing mid-run ends
# the job with one clear error and no file; --partition without mpirun runs in the process as usual.
# Exits 77 (ctest: skipped, saying why) when cxsim was built without MPI (CXSIM_WITH_MPI=OFF).
. "$(dirname "$0")/mpi_harness.sh" "$1" "$2" "${3:-OFF}"

# name | scenario | options
cases=(
  "watts_strogatz|scenarios/baseline.toml|--set market.population=70000 --set run.horizon_days=150 --set run.replications=1 --set run.save_customers=true"
  "erdos_renyi|scenarios/baseline.toml|--set market.population=30000 --set run.horizon_days=150 --set run.replications=1 --set network.kind=\\\"erdos_renyi\\\""
  "barabasi_albert|scenarios/baseline.toml|--set market.population=20000 --set run.horizon_days=60 --set run.replications=1 --set network.kind=\\\"barabasi_albert\\\""
  "complete|scenarios/baseline.toml|--set market.population=20000 --set run.horizon_days=100 --set run.replications=1 --set network.kind=\\\"complete\\\""
  "intervention|scenarios/proactive_cx.toml|--set market.population=20000 --set run.horizon_days=130 --set run.replications=1 --set run.save_customers=true"
  "precision|precision.toml|--precision 0.005 --max-replications 3"
  "by_segment|scenarios/baseline.toml|--set market.population=30000 --set run.horizon_days=200 --set run.replications=1 --set output.by_segment=true --set run.episodes=true --set run.episode_sample=2 --set run.episode_max_rows=1000"
  "retelling|scenarios/baseline.toml|--set market.population=10000 --set run.horizon_days=20 --set run.replications=1 --set network.kind=\\\"complete\\\" --set wom.retell_probability=1 --set wom.retell_audience_share=1"
  "edge_list|scenarios/baseline.toml|--set market.population=30000 --set run.horizon_days=100 --set run.replications=1 --set network.kind=\\\"edge_list\\\" --set network.edge_list=\\\"$PWD/ties.txt\\\""
)
# An edge-list file (each rank reads only its customers' ties): neighbours on a ring and far ties
# spread over every rank, some listed twice or reversed, a few self-loops.
awk 'BEGIN { n = 30000; for (i = 0; i < n; ++i) { print i, (i + 1) % n; print i, (i * 7919 + 13) % n;
             if (i % 5 == 0) print (i * 104729 + 7) % n ", " i; if (i % 7 == 0) print i, i } }' >ties.txt
# --precision needs strategies; the scenarios' strategies with interventions need longer runs.
cat >precision.toml <<'TOML'
[run]
seed = 3
replications = 2
horizon_days = 40
[market]
population = 5000
[[strategy]]
name = "phone+1"
phone.agents = 11
TOML
for case in "${cases[@]}"; do
  IFS='|' read -r name scenario options <<<"$case"
  [[ -e "$scenario" ]] || scenario="$SRC/$scenario"
  # shellcheck disable=SC2086
  if eval "\"$CXSIM\" run \"$scenario\" $options --threads 2 -q -o $name-single.h5" >/dev/null; then ok; else
    bad "$name: the single-process run failed"; continue
  fi
  for n in "${RANKS[@]}"; do
    # shellcheck disable=SC2086
    if ! eval "\"\${MPIRUN[@]}\" -n $n \"$CXSIM\" run \"$scenario\" $options --partition --threads 1 -o $name-$n.h5" >out.txt 2>&1; then
      bad "$name: mpirun -n $n --partition failed: $(tail -3 out.txt)"
      continue
    fi
    cp out.txt "$name-$n.out"
    [[ $(grep -c '^results:' out.txt) == 1 ]] && ok || bad "$name: mpirun -n $n: expected one 'results:' line, got: $(cat out.txt)"
    grep -q "^partition: $n ranks" out.txt && ok || bad "$name: mpirun -n $n: no partition report: $(cat out.txt)"
    if bash "$SRC/tests/golden/h5_identical.sh" "$name-single.h5" "$name-$n.h5"; then ok; else
      bad "$name: mpirun -n $n --partition wrote a file that differs from the single-process file"
    fi
  done
done
# The customer columns came across whole (gathered from the ranks to rank 0).
h5ls -r "watts_strogatz-$MOST.h5" | grep -q 'customers/.*status.*{70000}' && ok ||
  bad "watts_strogatz: mpirun -n $MOST --partition wrote no customer column of 70000: $(h5ls -r "watts_strogatz-$MOST.h5" | grep customers | head -3)"
# The rows by segment came across (summed over the ranks on rank 0), tellers asking other ranks
# included: the largest rank count's file has them, and they are the single process's (compared above).
h5ls -r "by_segment-$MOST.h5" | grep -q 'series_by_segment/wom_positive.*{1, 200, 2}' && ok ||
  bad "by_segment: mpirun -n $MOST --partition wrote no word of mouth by segment: $(h5ls -r "by_segment-$MOST.h5" | grep by_segment | head -3)"
# So did the episode record (gathered to rank 0 day by day), up to its cap of 1,000 rows.
h5ls -r "by_segment-$MOST.h5" | grep -q 'episodes/customer .*{1000}' && ok ||
  bad "by_segment: mpirun -n $MOST --partition wrote no capped episode record: $(h5ls -r "by_segment-$MOST.h5" | grep episodes | head -3)"
grep -q "story questions [1-9.0]" "by_segment-$MOST.out" && ! grep -q "story questions 0," "by_segment-$MOST.out" && ok ||
  bad "by_segment: no teller asked another rank: $(cat "by_segment-$MOST.out")"
# Words of mouth crossed ranks: the Erdos-Renyi run on the fewest ranks above 1 sent messages between them.
grep -q "messages [1-9.0]" "erdos_renyi-${SEVERAL[0]}.out" && ! grep -q "messages 0," "erdos_renyi-${SEVERAL[0]}.out" && ok ||
  bad "erdos_renyi: no messages crossed ranks: $(cat "erdos_renyi-${SEVERAL[0]}.out")"

# A rank failing mid-run (the test hook: rank 1 on day 5) ends the job: one clear error, a
# non-zero status, no results file and no temporary file.
if CXSIM_PARTITION_TEST_FAIL=1:5 "${MPIRUN[@]}" -x CXSIM_PARTITION_TEST_FAIL -n 2 "$CXSIM" run "$SRC/scenarios/baseline.toml" \
    --set market.population=20000 --set run.horizon_days=30 --partition --threads 1 -q -o failed.h5 >out.txt 2>&1; then
  bad "a failing rank: mpirun succeeded"
else ok; fi
grep -q 'on MPI rank 1 of 2: rank 1 failed on purpose on day 5' out.txt && ok ||
  bad "a failing rank: the error does not say what failed: $(cat out.txt)"
[[ $(grep -c 'cxsim: internal error' out.txt) == 1 ]] && ok || bad "a failing rank: expected the error once: $(cat out.txt)"
[[ ! -e failed.h5 ]] && ok || bad "a failing rank: a results file was written"
ls ./*.tmp* >/dev/null 2>&1 && bad "a failing rank: a temporary file was left behind" || ok

# Bad input under mpirun --partition: exit status 2, the message once, no file.
"${MPIRUN[@]}" -n 2 "$CXSIM" run "$SRC/scenarios/baseline.toml" --set network.mean_degree=7 --partition -q -o bad.h5 >out.txt 2>&1
status=$?
[[ $status -ne 0 ]] && ok || bad "bad input under mpirun --partition: status $status"
[[ $(grep -c 'cxsim: error:' out.txt) == 1 ]] && grep -q 'network.mean_degree' out.txt && ok ||
  bad "bad input under mpirun --partition: expected one error naming network.mean_degree: $(cat out.txt)"
[[ ! -e bad.h5 ]] && ok || bad "bad input under mpirun --partition: a results file was written"

# Without mpirun, --partition runs in the process: the same file.
if "$CXSIM" run "$SRC/scenarios/baseline.toml" --set market.population=20000 --set run.horizon_days=100 \
    --set run.replications=1 --set network.kind=\"complete\" --partition --threads 2 -q -o alone.h5 >/dev/null; then ok; else
  bad "--partition without mpirun failed"
fi
bash "$SRC/tests/golden/h5_identical.sh" complete-single.h5 alone.h5 && ok || bad "--partition without mpirun: a different file"

# Memory: under --partition each rank holds its block of customers, so the ranks on this machine
# (CXSIM_TEST_MEMORY_AVAILABLE fakes what it has) need about one model's memory together where one
# process with two threads needs two (10^5 customers: 27 MB, against about 15 MB).
mem=(--set market.population=100000 --set run.replications=2 --set run.horizon_days=10)
CXSIM_TEST_MEMORY_AVAILABLE=20000000 "$CXSIM" validate "$SRC/scenarios/baseline.toml" "${mem[@]}" --threads 2 >out.txt 2>&1
grep -q "the run needs about .* of memory but this machine has" out.txt && ok ||
  bad "memory: one process with two threads should not fit in 20 MB: $(cat out.txt)"
if CXSIM_TEST_MEMORY_AVAILABLE=20000000 "${MPIRUN[@]}" -x CXSIM_TEST_MEMORY_AVAILABLE -n 2 "$CXSIM" run \
    "$SRC/scenarios/baseline.toml" "${mem[@]}" --partition --threads 1 -q -o mem.h5 >out.txt 2>&1; then ok; else
  bad "memory: two ranks with half the customers each should fit in 20 MB: $(cat out.txt)"
fi
CXSIM_TEST_MEMORY_AVAILABLE=8000000 "${MPIRUN[@]}" -x CXSIM_TEST_MEMORY_AVAILABLE -n 2 "$CXSIM" run \
  "$SRC/scenarios/baseline.toml" "${mem[@]}" --partition --threads 1 -q -o small.h5 >out.txt 2>&1
status=$?
[[ $status -ne 0 && $(grep -c 'cxsim: error:' out.txt) == 1 ]] &&
  grep -q "the 2 MPI ranks on this machine need about .*more machines" out.txt && ok ||
  bad "memory: two ranks on a machine of 8 MB should be refused once (status $status): $(cat out.txt)"
[[ ! -e small.h5 ]] && ok || bad "memory: a refused run wrote a file"

# A signal to the ranks (as Slurm's scancel --signal=INT delivers it) during a long network build
# (Watts-Strogatz, 20,000 people at mean degree 2,000, every tie rewired: about 50 s on two ranks
# here) ends the job within seconds, not after the build: every rank stops, no file is written.
printf '[run]\nseed = 1\nreplications = 1\nhorizon_days = 30\n[market]\npopulation = 500\n' >dense.toml
"${MPIRUN[@]}" -n 2 "$CXSIM" run dense.toml --partition -q -o dense.h5 --set market.population=20000 \
  --set network.mean_degree=2000 --set network.rewiring=1.0 >out.txt 2>&1 &
job=$!
ranks=
for ((tries = 0; tries < 100; ++tries)); do  # the ranks are mpirun's children (or grandchildren)
  ranks=$(for p in $(pgrep -P "$job"; for c in $(pgrep -P "$job"); do pgrep -P "$c"; done); do
    [[ $(cat /proc/"$p"/comm 2>/dev/null) == cxsim ]] && echo "$p"
  done)
  (($(wc -w <<<"$ranks") == 2)) && break
  sleep 0.2
done
sleep 2  # into the build: the signal handlers are set, the network is being built
[[ -n $ranks ]] && ok || bad "signal during a partitioned network build: no rank found under mpirun (pid $job)"
# shellcheck disable=SC2086
kill -s INT $ranks 2>/dev/null
. "$SRC/tests/cli/ended_within.sh"
if ! ended_within $job 200 TERM; then
  bad "SIGINT during a partitioned network build: still running 20 s later"
else
  [[ $ended_status == 130 && ! -e dense.h5 ]] && grep -q "interrupted; no results written" out.txt && ok ||
    bad "SIGINT during a partitioned network build -> exit $ended_status: $(head -c 300 out.txt)"
fi
finish test_partition
