#!/usr/bin/env bash
# End-to-end tests of the cxsim command line: exit codes, messages, files.
# Usage: test_cli.sh CXSIM_BINARY SOURCE_DIR
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh" "$1" "$2"


no_file() { if [ -e "$1" ] || ls "$1".tmp* >/dev/null 2>&1; then bad "$1 (or a temporary) exists"; else ok; fi; }

SMALL=(--set market.population=2000 --set run.horizon_days=30)

expect 0 "^cxsim [0-9]" -- "$CXSIM" --version
expect 0 "run" -- "$CXSIM" --help
expect 2 "" -- "$CXSIM"
expect 2 "" -- "$CXSIM" run
expect 2 "frobnicate" -- "$CXSIM" frobnicate
expect 2 "--bogus" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" --bogus

# Missing and malformed scenario files.
expect 2 "missing\.toml" -- "$CXSIM" run missing.toml -o out.h5
no_file out.h5
printf '[market]\npopulation = = 3\n' > broken.toml
expect 2 "broken\.toml:2" -- "$CXSIM" run broken.toml -o out.h5
no_file out.h5
printf '[purchase]\npice = 45\n' > typo.toml
expect 2 "purchase\.price" -- "$CXSIM" run typo.toml -o out.h5
no_file out.h5
printf '[quality]\ndefect_rate = 1.5\n' > range.toml
expect 2 "range\.toml:2.*quality\.defect_rate.*\[0, 1\]" -- "$CXSIM" run range.toml -o out.h5
printf '[market]\npopulation = "many"\n' > type.toml
expect 2 "type\.toml:2.*market\.population" -- "$CXSIM" validate type.toml
expect 2 "purchase\.price" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" --set purchase.price=-3 -o out.h5
expect 2 "did you mean" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" --set purchase.pricee=3 -o out.h5
expect 2 "threads" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" --threads -1
no_file out.h5

# Bad staffing and queue settings: exit 2 naming the key, no results file.
expect 2 "phone\.agents.*\[0, 1000000\]" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" --set phone.agents=-1 -o staff.h5
expect 2 "phone\.agents" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" --set phone.agents=0 -o staff.h5
expect 2 "phone\.roster.*24" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" --set "phone.roster=[1, 2, 3]" -o staff.h5
expect 2 "patience_s" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" --set "segment[0].patience_s=0" -o staff.h5
expect 2 "close_hour" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" --set phone.open_hour=21 -o staff.h5
no_file staff.h5
expect 0 "fewest agents for 80% answered within 20 s: 14" -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 180
expect 0 "P\(abandon\)" -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 180 --patience 120
expect 2 "aht" -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 0
# Not-a-numbers and negative counts are refused, not read as "no patience" or "no agents".
expect 2 "'--patience': must be 0 \(none: Erlang C\) or a finite number of seconds above 0" -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 180 --patience nan
expect 2 "'--patience': must be 0 \(none: Erlang C\) or a finite number" -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 180 --patience inf
expect 2 "--patience: got ''; allowed: a number" -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 180 --patience ""
# Text that is not a decimal number is named with its option (CLI11 said "Could not convert", took
# '--aht' as the value of '--arrivals-per-hour=', read ' 100' but not '100 ', and '0x10' as 16);
# a refused value needs no "Run with --help" line.
expect 2 "^cxsim: error: --arrivals-per-hour: got '--aht'; allowed: a number$" -- "$CXSIM" erlang --arrivals-per-hour= --aht 240
for bad in " 100" "100 " 0x10 1e; do
  expect 2 "^cxsim: error: --arrivals-per-hour: got '$bad'; allowed: a number$" -- "$CXSIM" erlang --arrivals-per-hour "$bad" --aht 240
done
expect 2 "^cxsim: error: --indifference: got ' 5'; allowed: a number > 0$" -- "$CXSIM" select missing.h5 --indifference " 5"
[ "$("$CXSIM" erlang --arrivals-per-hour x --aht 240 2>&1 | wc -l)" = 1 ] && ok || bad "a refused value's error is not one line"
expect 2 "Run with --help for more information" -- "$CXSIM" erlang --arrivals-per-hour 1 --aht 240 --nosuch
expect 2 "--agents: got '-1'; allowed: a whole number from 0 to 10000000" -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 180 --agents -1
expect 2 "--agents: got '10000001'; allowed: a whole number from 0 to 10000000" -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 180 --agents 10000001
# Whole numbers are decimal: 020 is not octal 16, 0x14 not 20; 1e3 and inf say what is allowed.
for bad in 020 0x14 1e3 inf 20.0; do
  expect 2 "--agents: got '$bad'; allowed: a whole number from 0 to 10000000" -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 180 --agents "$bad"
done
expect 2 "--threads: got '01'; allowed: a whole number from 0 to 1024" -- "$CXSIM" run "$SRC/scenarios/price.toml" --threads 01 -o p.h5
# Erlang A at 10^5 Erlangs (closed forms and a bisection), at the largest staffing, and with a
# patience far below a second: answers, not minutes or memory exhaustion.
expect 0 "fewest agents for 80% answered within 20 s: [0-9]+" -- "$CXSIM" erlang --arrivals-per-hour 1.2e6 --aht 300 --patience 120
expect 0 "fewest agents for 80% answered within 20 s: 100000[0-9][0-9]" -- "$CXSIM" erlang --arrivals-per-hour 3.6e10 --aht 1 --patience 1e9
expect 0 "mean patience 0.001 s" -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 180 --patience 0.001
# A huge patience keeps the table's columns; --agents below the load still gets its rows.
expect 0 "^ +7 +1\.0000 +0\.0000 +3e\+307 " -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 180 --patience 1e308 --agents 7
expect 0 "^ +2 +1\.0000 +0\.0000 +inf +1\.000$" -- "$CXSIM" erlang --arrivals-per-hour 200 --aht 180 --agents 2
# The service level is rounded down: 11 agents give 0.799995 at 8.18 Erlangs, which must not read
# 0.8000 above the row marked as the fewest meeting 80%.
expect 0 "^ +11 +0\.2736 +0\.7999 " -- "$CXSIM" erlang --arrivals-per-hour 163.6 --aht 180
# A target with more decimals gets them: 47 agents meet 0.84265 (and read so), 46 do not.
expect 0 "^ +47 +[0-9.]+ +0\.8426[5-9] .*<- fewest meeting the target" -- "$CXSIM" erlang --arrivals-per-hour 313.3 --aht 461 --service-level 0.84265
expect 0 "fewest agents for 84\.265% answered within 20 s: 47" -- "$CXSIM" erlang --arrivals-per-hour 313.3 --aht 461 --service-level 0.84265
# Where contacts wait the service level is below 1, also where its computed value rounds up to 1.
# Every row of this table has contacts waiting (P(wait) 1e-13 to 1e-16, printed 0.0000), and 45
# and 47 agents computed SL 1.0: no row may print 1.0000, and the rows must be there.
check_no_full_sl() {
  "$CXSIM" erlang --arrivals-per-hour 1324.8827608895735 --aht 29.60627879083506 --patience 121.54574086936765 --agents 45 |
    awk 'NR > 2 && $1 ~ /^4[2-8]$/ { rows++; if ($3 == "1.0000") bad = 1 } END { exit bad || rows != 7 }'
}
check_no_full_sl && ok || bad "an SL of 1.0000 on a row where contacts wait"
# A load too small to compute is refused (it answered 0 agents).
expect 2 "'--arrivals-per-hour': with --aht 1e-300 s the load is 0 Erlangs: too small to compute" -- "$CXSIM" erlang --arrivals-per-hour 1e-300 --aht 1e-300
expect 2 "'--arrivals-per-hour': must be a finite number above 0" -- "$CXSIM" erlang --arrivals-per-hour inf --aht 180
# A load beyond the largest staffing names the option, not the library's argument.
expect 2 "'--arrivals-per-hour': with --aht 1e\+300 s the load is inf Erlangs; the calculator staffs at most 10000000 agents" -- \
  "$CXSIM" erlang --arrivals-per-hour 1e300 --aht 1e300
expect 2 "'--arrivals-per-hour': with --aht 1 s the load is 1e\+07 Erlangs; the calculator staffs at most 10000000 agents, so the load must be below that" -- \
  "$CXSIM" erlang --arrivals-per-hour 3.6e10 --aht 1
expect 2 "'--service-level': no staffing up to 10000000 agents reaches it" -- "$CXSIM" erlang --arrivals-per-hour 3.5999e10 --aht 1 --target 0 --service-level 0.9999
expect 2 "--precision: got 'nan'; allowed: a number > 0" -- "$CXSIM" run "$SRC/scenarios/price.toml" --precision nan -o p.h5
expect 2 "--seed: must not be empty" -- "$CXSIM" run "$SRC/scenarios/price.toml" --seed "" -o p.h5
# validate's run-time estimate counts each run's network and the results written, not only the
# customer-days (one day of 5 x 10^4 people: 0 s by customer-days alone).
printf '[run]\nreplications = 1\nhorizon_days = 1\n[market]\npopulation = 50000\n[network]\nkind = "watts_strogatz"\nmean_degree = 2000\n' >dense.toml
expect 0 "run time about [1-9][0-9] s" -- "$CXSIM" validate dense.toml
{ printf '[run]\nreplications = 1\nhorizon_days = 1\n[market]\npopulation = 10\n[network]\nmean_degree = 2\n'
  for i in $(seq 200); do printf '[[strategy]]\nname = "s%d"\npurchase.price = 45\n' "$i"; done; } >many.toml
expect 0 "run time about [1-9] s" -- "$CXSIM" validate many.toml
printf '[phone]\nagents = 0\n' > no-agents.toml
expect 2 "no-agents\.toml:2:1: 'phone\.agents': no agents at hour 8 .*allowed: 1 or more agents in every open hour" -- \
  "$CXSIM" validate no-agents.toml
# A seed beyond int64 is quoted as typed, not as 9223372036854775807.
expect 2 "'run.seed': expected a whole number in \[0, 9007199254740991\], got '99999999999999999999'" -- \
  "$CXSIM" run "$SRC/scenarios/price.toml" --seed 99999999999999999999 -o p.h5
expect 2 "'run.replications': .*allowed: a whole number in \[1, 100000\]" -- \
  "$CXSIM" validate "$SRC/scenarios/price.toml" --replications 1e30
expect 2 "--output: must not be empty" -- "$CXSIM" run "$SRC/scenarios/price.toml" -o ""
no_file p.h5

# A population that does not fit in memory is refused before anything is allocated.
expect 2 "memory.*market\.population|market\.population.*memory" -- \
  "$CXSIM" run "$SRC/scenarios/baseline.toml" --set market.population=200000000 --replications 8 -o big.h5
no_file big.h5
# validate --partition-ranks plans a run over several machines: each rank's share of a population
# that one machine cannot hold (a sixteenth of the customers, plus what building the network takes).
expect 0 "under mpirun -n 16 \.\.\. --partition: memory about [0-9.]+ GB on rank 0 .*, [0-9.]+ GB on each other rank" -- \
  "$CXSIM" validate "$SRC/scenarios/baseline.toml" --set market.population=200000000 --partition-ranks 16
expect 2 "partition-ranks" -- "$CXSIM" validate "$SRC/scenarios/baseline.toml" --partition-ranks 1

# A good run, its file, and info.
expect 0 "results: small\.h5" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" "${SMALL[@]}" -o small.h5 --seed 7
[ -s small.h5 ] && ok || bad "small.h5 not written"
expect 0 "results: q\.h5" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" "${SMALL[@]}" -o q.h5 --quiet
[ "$("$CXSIM" run "$SRC/scenarios/baseline.toml" "${SMALL[@]}" -o q.h5 --force --quiet | wc -l)" -eq 1 ] && ok || bad "--quiet printed more than the path"
expect 0 "active_customers" -- "$CXSIM" info small.h5
expect 0 "seed.*7" -- "$CXSIM" info small.h5
expect 2 "nothing\.h5" -- "$CXSIM" info nothing.h5
echo "not hdf5" > fake.h5
expect 2 "fake\.h5" -- "$CXSIM" info fake.h5
head -c 2000 small.h5 > truncated.h5
expect 2 "truncated\.h5" -- "$CXSIM" info truncated.h5

# Unwritable output location: exit 2, nothing left behind.
expect 2 "no/such/dir" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" "${SMALL[@]}" -o no/such/dir/out.h5

# Default output name: the scenario's name, here.
cp "$SRC/scenarios/baseline.toml" mine.toml
expect 0 "results: mine\.h5" -- "$CXSIM" run mine.toml "${SMALL[@]}" --quiet
[ -s mine.h5 ] && ok || bad "mine.h5 not written"

# validate: every shipped scenario, with an estimate.
for f in "$SRC"/scenarios/*.toml "$SRC"/scenarios/validation/*.toml; do
  expect 0 "estimate" -- "$CXSIM" validate "$f"
done

# The parameter reference in docs/ is the generated one.
if "$CXSIM" docs scenarios | diff -q - "$SRC/docs/scenarios.md" >/dev/null; then ok; else
  bad "docs/scenarios.md is stale: regenerate with 'cxsim docs scenarios > docs/scenarios.md'"
fi

# Strategies, interventions and sweeps: bad input names the file, line and key (exit 2).
HEAD_TOML='[run]
horizon_days = 30
replications = 3
[market]
population = 2000
'
printf '%s[[strategy]]\nname = "a"\npurchase.pice = 45\n' "$HEAD_TOML" > s_unknown.toml
expect 2 "s_unknown\.toml:8.*purchase\.pice.*did you mean 'purchase\.price'" -- "$CXSIM" run s_unknown.toml -o out.h5
no_file out.h5
printf '%s[[strategy]]\nname = "a"\n[[strategy.intervention]]\nday = 10\nmarket.population = 5000\n' "$HEAD_TOML" > s_fixed.toml
expect 2 "s_fixed\.toml:10.*market\.population.*intervenable" -- "$CXSIM" validate s_fixed.toml
printf '%s[[strategy]]\nname = "a"\n[[strategy.intervention]]\nday = 45\npurchase.price = 55\n' "$HEAD_TOML" > s_late.toml
expect 2 "s_late\.toml:9.*day 45.*horizon_days is 30" -- "$CXSIM" run s_late.toml -o out.h5
expect 0 "valid" -- "$CXSIM" validate s_late.toml --set run.horizon_days=60
# A --set override can repair a combination the file gets wrong: the checks between keys come
# after the overrides (10 people cannot have 10 ties each; 4 they can).
printf '[run]\nhorizon_days = 30\n[market]\npopulation = 10\n' > p10.toml
expect 2 "p10\.toml.*network\.mean_degree.*must be below market\.population \(10\)" -- "$CXSIM" validate p10.toml
expect 0 "valid" -- "$CXSIM" validate p10.toml --set network.mean_degree=4
expect 2 "must be below market\.population \(10\) \(with the --set overrides\)" -- \
  "$CXSIM" validate p10.toml --set network.mean_degree=12
# A long bad value is cut in the message, so that what is allowed survives the message's own cut.
{ printf '[run]\nhorizon_days = 30\n[market]\npopulation = 500\n[finance]\ncurrency = "'; printf 'E%.0s' $(seq 3000); printf '"\n'; } > long_currency.toml
expect 2 "long_currency\.toml:6.*'E{80}\.\.\.' is too long for a currency; allowed: up to 16 bytes" -- "$CXSIM" validate long_currency.toml
# An edge list that is a directory is said to be one, not "not found".
mkdir -p ties.d
printf '[run]\nhorizon_days = 30\n[market]\npopulation = 100\n[network]\nkind = "edge_list"\nedge_list = "ties.d"\n' > ties_dir.toml
expect 2 "ties_dir\.toml:7.*network\.edge_list.*is not a regular file" -- "$CXSIM" validate ties_dir.toml
# A day written as a float beyond int64 is out of range before any conversion (which would be
# undefined behaviour), and said as written.
printf '%s[[strategy]]\nname = "a"\n[[strategy.intervention]]\nday = 9.3e18\npurchase.price = 55\n' "$HEAD_TOML" > s_huge.toml
expect 2 "s_huge\.toml:9.*day 9\.3e\+18 is outside the run" -- "$CXSIM" validate s_huge.toml
printf '%s[sweep]\nmethod = "grid"\n' "$HEAD_TOML" > s_empty.toml
expect 2 "s_empty\.toml:6.*empty sweep" -- "$CXSIM" run s_empty.toml -o out.h5
printf '%s[sweep]\n[[sweep.parameter]]\nkey = "quality.defect_rat"\nvalues = [0.01]\n' "$HEAD_TOML" > s_sweepkey.toml
expect 2 "s_sweepkey\.toml:8.*quality\.defect_rate" -- "$CXSIM" run s_sweepkey.toml -o out.h5
printf '%s[[strategy]]\nname = "a"\n[[strategy]]\nname = "a"\n' "$HEAD_TOML" > s_twice.toml
expect 2 "s_twice\.toml:9.*two strategies are named 'a'" -- "$CXSIM" run s_twice.toml -o out.h5
no_file out.h5

# A small experiment: runs, prints the comparison, writes every strategy and the summary.
{
  printf '%s' "$HEAD_TOML"
  cat <<'EOF'
[[strategy]]
name = "dearer"
description = "price up from day 10"
[[strategy.intervention]]
day = 10
purchase.price = 60

[[strategy]]
name = "same"

[sweep]
[[sweep.parameter]]
key = "quality.defect_rate"
values = [0.01, 0.06]
EOF
} > exp.toml
expect 0 "runs, each with 3 replications" -- "$CXSIM" validate exp.toml
expect 0 "dearer: price up from day 10" -- "$CXSIM" run exp.toml -o exp.h5
expect 0 "strategies.*baseline, dearer, same, sweep-000, sweep-001" -- "$CXSIM" info exp.h5
expect 0 "revenue \(total\)" -- "$CXSIM" compare exp.h5
expect 0 "^### dearer" -- "$CXSIM" compare exp.h5 --format markdown
expect 0 "^dearer,profit,profit_total,currency,20,3," -- "$CXSIM" compare exp.h5 --format csv --metric profit --at-day 20
expect 0 '"name": "sweep-001"' -- "$CXSIM" compare exp.h5 --format json
# a sweep is one table, a row per point (its swept value, then the differences); strategies keep blocks
expect 0 "^  sweep-000 +0\.01 " -- "$CXSIM" compare exp.h5
expect 0 "^  point +quality\.defect_rate +retention +monthly churn" -- "$CXSIM" compare exp.h5
[ "$("$CXSIM" compare exp.h5 | grep -c 'sweep-00')" = 2 ] && ok || bad "one line per sweep point"
for sub in run validate info report erlang compare docs; do
  expect 0 "Examples?:" -- "$CXSIM" $sub --help
done
expect 2 "run.start_date.*YYYY-MM-DD" -- "$CXSIM" validate exp.toml --set run.start_date=2026-02-30
expect 0 "vs 'dearer'" -- "$CXSIM" compare exp.h5 --baseline dearer
# A strategy identical to the baseline differs by exactly zero (common random numbers).
"$CXSIM" compare exp.h5 --format csv | awk -F, '$1 == "same" && $9 != "" && ($9 != 0 || $12 != 0) { bad = 1 } END { exit bad }' && ok || bad "strategy 'same' differs from the baseline"
expect 2 "exp\.h5.*--baseline today.*'baseline', 'dearer', 'same', 'sweep-000', 'sweep-001'" -- "$CXSIM" compare exp.h5 --baseline today
expect 2 "happiness.*retention" -- "$CXSIM" compare exp.h5 --metric happiness
expect 2 "--at-day.*1 to 30" -- "$CXSIM" compare exp.h5 --at-day 31
expect 2 "table, markdown, csv, json" -- "$CXSIM" compare exp.h5 --format html
expect 2 "nothing to compare" -- "$CXSIM" compare small.h5
expect 2 "nothing\.h5" -- "$CXSIM" compare nothing.h5

# Key figures by segment: only with [output] by_segment = true, else exit 2 saying how to get them.
expect 2 "exp\.h5.*output\.by_segment.*re-run with \[output\] by_segment = true" -- "$CXSIM" info exp.h5 --by-segment
expect 2 "exp\.h5.*re-run with \[output\] by_segment = true" -- "$CXSIM" compare exp.h5 --by-segment
expect 0 "results: seg\.h5" -- "$CXSIM" run exp.toml -o seg.h5 --set output.by_segment=true
expect 0 "key figures by segment, strategy dearer" -- "$CXSIM" info seg.h5 --by-segment
expect 0 "^key figure +unit +experience-driven +price-driven" -- "$CXSIM" info seg.h5 --by-segment
expect 0 "^ASA \(last 30 days\) +s +n/a +n/a" -- "$CXSIM" info seg.h5 --by-segment
expect 0 "^segment price-driven" -- "$CXSIM" compare seg.h5 --by-segment --metric churn
expect 0 "^## segment experience-driven" -- "$CXSIM" compare seg.h5 --by-segment --format markdown
expect 2 "--by-segment.*table or markdown" -- "$CXSIM" compare seg.h5 --by-segment --format csv
# The split changes no total: every dataset of the file without it is bit-identical in the file with it.
if command -v h5diff >/dev/null; then
  for g in /summary /strategies/baseline/series /strategies/dearer/series /strategies/sweep-001/series; do
    h5diff -q exp.h5 seg.h5 "$g" "$g" >/dev/null && ok || bad "$g differs with output.by_segment"
  done
fi

# --precision adds replications until the intervals are narrow enough, or the cap.
expect 0 "precision: (target reached|cap reached).*replications" -- "$CXSIM" run exp.toml -o prec.h5 --precision 0.05 --max-replications 8
expect 0 "precision: cap reached.* 4 replications" -- "$CXSIM" run exp.toml -o prec.h5 --force --precision 1e-9 --max-replications 4
expect 2 "no \[\[strategy\]\] or \[sweep\]" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" "${SMALL[@]}" --precision 0.01 -o prec2.h5
no_file prec2.h5

# Ctrl-C during a run: exit 130, no results file.
"$CXSIM" run "$SRC/scenarios/baseline.toml" --set market.population=2000000 --set run.horizon_days=3650 -o int.h5 --quiet >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
status=$?
[ $status -eq 130 ] && ok || bad "interrupted run exited $status, expected 130"
no_file int.h5

finish cli
