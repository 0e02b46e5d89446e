#!/usr/bin/env bash
# End-to-end tests of `cxsim calibrate`, `cxsim sensitivity` and `cxsim select`: a calibration
# that recovers known values, resuming a killed calibration, screening that ranks a toy
# scenario's levers, selection with re-runs that equals selection on a bigger file, the same
# answers at 1 and 2 threads, and bad specifications rejected with exit 2 naming file, line, key.
# Usage: test_studies.sh CXSIM_BINARY SOURCE_DIR [errors]
# With `errors`, only the rejections of bad specifications run (cli_studies_errors: the sanitizer
# build runs them; the whole script, with its statistical recoveries, runs in Release as cli_studies).
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh" "$1" "$2"

check() { if eval "$1"; then ok; else bad "$2"; fi; }
ERRORS_ONLY=no
[ "${3:-}" = errors ] && ERRORS_ONLY=yes
full() { [ $ERRORS_ONLY = no ]; }

PY=/usr/bin/python3
BASE="$SRC/scenarios/baseline.toml"
SMALL=(--set market.population=3000 --set run.horizon_days=365)

# ---- calibrate: recover known values ------------------------------------------------------------
if full; then
# The "firm": the baseline with attitude_weight 0.8 and base_logit 3.0, another seed (so its
# figures carry noise the calibration has not seen), figures over days 91-365.
"$CXSIM" run "$BASE" "${SMALL[@]}" --replications 4 --seed 99 --set experience.attitude_weight=0.8 \
  --set churn.base_logit=3.0 -o truth.h5 -q >/dev/null || bad "truth run"
$PY "$SRC/tests/cli/make_targets.py" truth.h5 targets.toml 91 365 \
  monthly_churn_rate,mean_attitude,promoter_share,churned \
  experience.attitude_weight:0.2:1.5 churn.base_logit:2.0:4.5 || bad "make_targets"
CAL=(calibrate "$BASE" targets.toml "${SMALL[@]}" --replications 4 --budget 40 --starts 2 -q)
"$CXSIM" "${CAL[@]}" -o cal.toml --threads 2 > cal.txt 2>&1
expect 0 "" -- test -s cal.toml
check '[ ! -e cal.toml.progress ]' "the progress file is removed after success"
# Each fitted value within 3 standard errors of the truth (from the fit table) and identified.
$PY - cal.txt <<'PY' && ok || bad "calibration did not recover the known values: $(cat cal.txt)"
import re, sys
text = open(sys.argv[1]).read()
truth = {"experience.attitude_weight": 0.8, "churn.base_logit": 3.0}
for key, value in truth.items():
    m = re.search(re.escape(key) + r"\s+(\S+)\s+(\S+)\s+\[", text)
    fitted, se = float(m.group(1)), float(m.group(2))
    assert abs(fitted - value) < 3 * se, (key, fitted, se)
    assert se < 0.25, (key, se)
assert "NOT IDENTIFIED" not in text
PY
grep -q "calibrated by cxsim calibrate" cal.toml && ok || bad "no comment in the calibrated scenario"
expect 0 "" -- "$CXSIM" validate cal.toml
# Same answer on one thread.
"$CXSIM" "${CAL[@]}" -o cal1.toml --threads 1 > cal1.txt 2>&1
check 'diff <(grep -v "^# Command" cal.toml) <(grep -v "^# Command" cal1.toml) >/dev/null' "calibration differs at 1 and 2 threads"
# A killed calibration resumes from its progress file and gives the same answer.
# Killed with SIGKILL once its progress file holds a few evaluations (polled, not timed, so the
# test means the same on a fast or a loaded machine).
"$CXSIM" "${CAL[@]}" -o cal2.toml --threads 2 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
  [ "$(wc -l < cal2.toml.progress 2>/dev/null || echo 0)" -ge 4 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.01
done
killed=no
kill -KILL "$pid" 2>/dev/null && killed=yes
wait "$pid" 2>/dev/null
check '[ $killed = yes ]' "the calibration finished before it could be killed (raise its budget)"
check '[ -s cal2.toml.progress ] && [ ! -e cal2.toml ]' "a killed calibration leaves its progress file and no output"
# A damaged progress file is refused naming the line, and left as it is: a value changed to nan,
# or a line with a value too few, silently moved the fit (the lines now carry checksums). A line cut
# short by the kill is dropped. A file that is not a progress file is not called another calibration's.
cp cal2.toml.progress kept.progress
for damage in 's/0x1\.[0-9a-f]*p-[0-9]*;/nan;/' 's/ [^ ;]*;/;/'; do
  sed "2$damage" kept.progress >cal3.toml.progress
  printf '0x1p-1 | 0x1' >>cal3.toml.progress  # a cut line
  cp cal3.toml.progress before.progress
  expect 2 "cal3\.toml\.progress:2: line 2 is damaged \((its checksum does not match|no checksum)\); remove the file to start the calibration over" -- \
    "$CXSIM" "${CAL[@]}" -o cal3.toml -q
  check 'cmp -s cal3.toml.progress before.progress && [ ! -e cal3.toml ]' "a refused progress file was changed or an output written"
done
printf 'my notes\n' >notes.progress
expect 2 "notes\.progress:1: is not a progress file of cxsim calibrate .*give --progress-file a path of its own" -- \
  "$CXSIM" "${CAL[@]}" -o cal3.toml -q --progress-file notes.progress
expect 2 "cal3\.toml: '--progress-file': is also the output \(-o\)" -- "$CXSIM" "${CAL[@]}" -o cal3.toml -q --progress-file cal3.toml
check '[ ! -e cal3.toml ]' "a progress file at the output's path"
printf '0x1p-1 | 0x1' >>cal2.toml.progress  # a line cut short: dropped, the rest resumed
"$CXSIM" "${CAL[@]}" -o cal2.toml --threads 2 -q > cal2.txt 2>&1 || bad "resumed calibration failed"
check 'diff <(grep -v "^# Command" cal.toml) <(grep -v "^# Command" cal2.toml) >/dev/null' "resumed calibration differs"
# A parameter the targets cannot see is reported as not identified.
cat > unseen.toml <<'T'
[[target]]
metric = "monthly_churn_rate"
from_day = 91
to_day = 365
value = 0.044
sd = 0.002
[[free]]
key = "churn.base_logit"
min = 2.0
max = 4.5
[[free]]
key = "phone.wage_per_hour"
min = 10
max = 40
T
expect 0 "NOT IDENTIFIED" -- "$CXSIM" calibrate "$BASE" unseen.toml "${SMALL[@]}" --replications 2 --budget 15 --starts 1 -q -o unseen-cal.toml
fi

# A segment's key is fitted and written into its own [[segment]] table (the second, price-driven),
# and the calibrated scenario runs to the fitted value.
if full; then
cat > seg-targets.toml <<'T'
[[target]]
metric = "monthly_churn_rate"
from_day = 91
to_day = 365
value = 0.02
sd = 0.004
[[free]]
key = "segment.price-driven.price_sensitivity"
min = 2.0
max = 16.0
T
expect 0 "segment\.price-driven\.price_sensitivity" -- "$CXSIM" calibrate "$BASE" seg-targets.toml "${SMALL[@]}" --replications 2 --budget 6 --starts 1 -q -o seg-cal.toml
fitted=$(grep -E '^price_sensitivity = [0-9.e+-]+  # calibrated by cxsim calibrate' seg-cal.toml | awk '{print $3}')
check '[ -n "$fitted" ] && [ "$(awk "/^name = \"price-driven\"/{p=1} p && /^price_sensitivity/{print NR; exit}" seg-cal.toml)" -gt "$(grep -n "^name = \"price-driven\"" seg-cal.toml | cut -d: -f1)" ]' \
  "the fitted price sensitivity is not in the price-driven [[segment]] table: $(grep -n price_sensitivity seg-cal.toml)"
expect 0 "" -- "$CXSIM" run seg-cal.toml "${SMALL[@]}" --replications 1 -q -o seg-cal.h5
# A scenario written with CRLF line ends comes back with CRLF throughout: the rewritten line, the
# added line (attitude_weight is taken out, so it is inserted) and the header.
grep -v '^attitude_weight = ' "$BASE" | sed 's/$/\r/' > crlf.toml
printf '%s\n' "$(cat seg-targets.toml)" '[[free]]' 'key = "experience.attitude_weight"' 'min = 0.3' 'max = 0.9' > crlf-targets.toml
expect 0 "" -- "$CXSIM" calibrate crlf.toml crlf-targets.toml "${SMALL[@]}" --replications 2 --budget 6 --starts 1 -q -o crlf-cal.toml
check '[ "$(grep -c $'"'"'\r$'"'"' crlf-cal.toml)" = "$(wc -l < crlf-cal.toml)" ] && grep -q "^attitude_weight = .*calibrated" crlf-cal.toml && grep -q "^price_sensitivity = .*calibrated" crlf-cal.toml' \
  "a CRLF scenario's calibrated copy mixes line ends: $(grep -vc $'\r$' crlf-cal.toml) lines without CR"
fi
# A scenario whose segments are the defaults has no [[segment]] table to write into: refused before
# any simulation.
printf '[run]\nreplications = 2\n' > default-segments.toml
printf '[[target]]\nmetric = "monthly_churn_rate"\nvalue = 0.02\nsd = 0.004\n[[free]]\nkey = "segment[1].expectation"\nmin = 0.6\nmax = 0.9\n' > seg-default.toml
expect 2 "seg-default\.toml:6:7: 'segment\[1\]\.expectation': cannot be written back into default-segments\.toml: the scenario's segments are the defaults" -- \
  "$CXSIM" calibrate default-segments.toml seg-default.toml "${SMALL[@]}" -q -o never.toml
check '[ ! -e never.toml.progress ]' "a calibration refused before its search left a progress file"
# A key of an inline table the scenario does not set has no line to go to: refused at its [[free]].
printf 'experience = { loss_aversion = 2.0 }\n[run]\nreplications = 2\n' > inline.toml
printf '[[target]]\nmetric = "monthly_churn_rate"\nvalue = 0.02\nsd = 0.004\n[[free]]\nkey = "experience.attitude_weight"\nmin = 0.3\nmax = 0.9\n' > inline-targets.toml
expect 2 "inline-targets\.toml:6:7: 'experience\.attitude_weight': cannot be written back into inline\.toml: \[experience\] is an inline table" -- \
  "$CXSIM" calibrate inline.toml inline-targets.toml "${SMALL[@]}" -q -o never.toml

# ---- calibrate: bad specifications -------------------------------------------------------------
bad_targets() {  # NAME PATTERN CONTENT
  printf '%s\n' "$3" > "$1.toml"
  expect 2 "$2" -- "$CXSIM" calibrate "$BASE" "$1.toml" "${SMALL[@]}" --replications 2 -o never.toml
}
T1='[[target]]
metric = "monthly_churn_rate"
value = 0.04
sd = 0.002'
F1='[[free]]
key = "churn.base_logit"
min = 2.0
max = 4.5'
# A day is a whole number; 31.0 is one (as 2.0 is for an integer key of a scenario), 31.5 is not.
bad_targets float_day "float_day\.toml:5:.*'target\.from_day': must be a whole day number, got the number 31\.5" "$T1
from_day = 31.5
$F1"
bad_targets whole_float_day_past "float_day_past\.toml:5:.*'target\.to_day': to_day 366 must be a day in \[1, 365\]" "$T1
to_day = 366.0
$F1"
# The largest integer is echoed as written (it was rounded to 9223372036854775808 on its way through a double).
bad_targets huge_day "huge_day\.toml:5:.*'target\.from_day': from_day 9223372036854775807 must be a day in \[1, 365\]" "$T1
from_day = 9223372036854775807
$F1"
# The same figure twice counted twice in the fit and its degrees of freedom (to_day 365 is the
# horizon, as no to_day is).
bad_targets duplicate_target "duplicate_target\.toml:5:1: 'target': 'monthly_churn_rate' over the same days is already a target at line 1" "$T1
[[target]]
metric = \"monthly_churn_rate\"
to_day = 365.0
value = 0.05
sd = 0.01
$F1"
bad_targets unknown_key "unknown_key\.toml:6.*churn\.base_logi[^t].*did you mean 'churn\.base_logit'" "$T1
[[free]]
key = \"churn.base_logi\"
min = 1
max = 2"
bad_targets not_real "not_real\.toml:6.*contacts\.max_contacts.*not a real" "$T1
[[free]]
key = \"contacts.max_contacts\"
min = 1
max = 2"
bad_targets min_max "min_max\.toml:6.*min \(3\) must be less than max" "$T1
[[free]]
key = \"churn.base_logit\"
min = 3
max = 3"
bad_targets metric "metric\.toml:2:.*'metric': 'nosuch': unknown" "[[target]]
metric = \"nosuch\"
value = 1
sd = 1
$F1"
bad_targets window "window\.toml:3.*target\.to_day.*to_day 900 must be a day in \[1, 365\]" "[[target]]
metric = \"monthly_churn_rate\"
to_day = 900
value = 1
sd = 1
$F1"
bad_targets day0 "day0\.toml:3.*from_day 0 must be a day in \[1, 365\]" "[[target]]
metric = \"monthly_churn_rate\"
from_day = 0
value = 1
sd = 1
$F1"
bad_targets figure_window "figure_window\.toml:2.*nosuch_series.*not a daily series" "[[target]]
metric = \"nosuch_series\"
from_day = 5
value = 1
sd = 1
$F1"
# A figure read before its series can have a value would be NaN in every simulation.
bad_targets too_early "too_early\.toml:3:.*'to_day': 'retention' has no value at day 100: it is not defined before day 365" "[[target]]
metric = \"retention\"
to_day = 100
value = 0.8
sd = 0.01
$F1"
bad_targets too_early_window "too_early_window\.toml:4.*'retention_1m' has no value at day 20: .*before day 30" "[[target]]
metric = \"retention_1m\"
from_day = 1
to_day = 20
value = 0.8
sd = 0.01
$F1"
bad_targets sd "sd\.toml:4.*sd must be > 0" "[[target]]
metric = \"monthly_churn_rate\"
value = 1
sd = 0
$F1"
bad_targets typo "typo\.toml:3.*target\.vaule.*allowed" "[[target]]
metric = \"monthly_churn_rate\"
vaule = 1
sd = 1
$F1"
bad_targets none "no \[\[free\]\]" "$T1"
# A targets file that is a FIFO is refused before it is opened (opening it would block).
mkfifo fifo.toml
expect 2 "fifo\.toml: not a regular file" -- "$CXSIM" calibrate "$BASE" fifo.toml "${SMALL[@]}" --replications 2 -o never.toml
# Free ranges each valid alone but not together (two shares above 1): exit 2 naming the targets
# file, no internal error, no progress file left.
printf '%s\n[[free]]\nkey = "quality.severe_share"\nmin = 0.5\nmax = 1\n[[free]]\nkey = "quality.moderate_share"\nmin = 0.5\nmax = 1\n' "$T1" > cross.toml
expect 2 "cross\.toml: the \[\[free\]\] ranges allow a scenario that is not valid: .*quality\.moderate_share" -- \
  "$CXSIM" calibrate "$BASE" cross.toml "${SMALL[@]}" --replications 2 --budget 5 --starts 1 -q -o never.toml
check '[ ! -e never.toml.progress ]' "a calibration refused for its free ranges left a progress file"
# Two fitted keys of a section the scenario does not have: one new [churn] table holds both.
printf '[run]\nreplications = 2\nhorizon_days = 60\n[market]\npopulation = 500\n' > nochurn.toml
printf '[[target]]\nmetric = "churned"\nfrom_day = 1\nto_day = 60\nvalue = 1.0\nsd = 0.5\n[[free]]\nkey = "churn.base_logit"\nmin = 3\nmax = 6\n[[free]]\nkey = "churn.attitude_weight"\nmin = 1\nmax = 3\n' > twokeys.toml
expect 0 "calibrated scenario: twokeys-fit\.toml" -- \
  "$CXSIM" calibrate nochurn.toml twokeys.toml --budget 5 --starts 1 -q -o twokeys-fit.toml
check '[ "$(grep -c "^\[churn\]" twokeys-fit.toml)" = 1 ] && grep -q "^base_logit = " twokeys-fit.toml && grep -q "^attitude_weight = " twokeys-fit.toml' \
  "two fitted keys of a new section"
check '[ ! -e never.toml ]' "a rejected calibration wrote its output"
expect 2 "missing\.toml" -- "$CXSIM" calibrate "$BASE" missing.toml --replications 2 -o never.toml
# A target without a value in the simulations (no survey answered by day 1) gave "fitted nan",
# exit 0 and the scenario unchanged; a value beyond any figure gave z^2 = inf. Neither leaves a
# progress file.
printf '[[target]]\nmetric = "nps"\nto_day = 1\nvalue = 10\nsd = 5\n%s\n' "$F1" >nps_day1.toml
expect 2 "nps_day1\.toml: target 'nps at day 1' has no value in the simulations .*give it a later day or a wider window" -- \
  "$CXSIM" calibrate "$BASE" nps_day1.toml --set market.population=300 --set run.horizon_days=30 --replications 2 \
  --budget 5 --starts 1 -q -o never.toml
printf '%s\n%s\n' "${T1/0.04/1e308}" "$F1" >huge_value.toml
expect 2 "huge_value\.toml:[0-9]+:9: 'target\.value': must be below 1e100 in size" -- \
  "$CXSIM" calibrate "$BASE" huge_value.toml "${SMALL[@]}" --replications 2 -q -o never.toml
printf '%s\n%s\n' "${T1/sd = 0.002/sd = 1e100}" "$F1" >huge_sd.toml
expect 2 "huge_sd\.toml:[0-9]+:6: 'target\.sd': sd must be > 0 \(the observed value's uncertainty\) and below 1e100" -- \
  "$CXSIM" calibrate "$BASE" huge_sd.toml "${SMALL[@]}" --replications 2 -q -o never.toml
check '[ ! -e never.toml ] && [ ! -e never.toml.progress ]' "a calibration without a fit left a file"

# ---- what the studies may replace: only a file of their own kind, and only with --force ---------
# Refused before any simulation, the file left as it was.
printf '%s\n%s\n' "$T1" "$F1" > fit.toml
TINY=(--set market.population=500 --set run.horizon_days=40)  # monthly churn has a value from day 31
echo "the user's notes" > notes.toml
expect 2 "notes\.toml.*not a scenario written by cxsim calibrate" -- \
  "$CXSIM" calibrate "$BASE" fit.toml "${TINY[@]}" --replications 2 --budget 5 --starts 1 --force -q -o notes.toml
check '[ "$(cat notes.toml)" = "the user'"'"'s notes" ]' "calibrate replaced a file it did not write"
check '[ ! -e notes.toml.progress ]' "a refused calibration left a progress file"
"$CXSIM" calibrate "$BASE" fit.toml "${TINY[@]}" --replications 2 --budget 5 --starts 1 -q -o fitted.toml >/dev/null \
  || bad "a small calibration failed"
cp fitted.toml fitted.before
expect 2 "fitted\.toml.*exists already; use --force" -- \
  "$CXSIM" calibrate "$BASE" fit.toml "${TINY[@]}" --replications 2 --budget 5 --starts 1 -q -o fitted.toml
check 'cmp -s fitted.toml fitted.before' "calibrate replaced its own output without --force"
expect 0 "" -- "$CXSIM" calibrate "$BASE" fit.toml "${TINY[@]}" --replications 2 --budget 5 --starts 1 -q --force -o fitted.toml
check 'head -1 fitted.toml | grep -q "^# Calibrated by cxsim calibrate from "' "the replaced calibrated scenario"
SMALL_SENS=(sensitivity "$BASE" "${TINY[@]}" --replications 1 --vary purchase.price:40:60 --metric profit --samples 2 -q)
echo "not results" > notes.h5
expect 2 "notes\.h5.*not a cxsim sensitivity file" -- "$CXSIM" "${SMALL_SENS[@]}" --force -o notes.h5
check '[ "$(cat notes.h5)" = "not results" ]' "sensitivity replaced a file it did not write"
"$CXSIM" run "$BASE" "${TINY[@]}" --replications 1 -q -o run.h5 >/dev/null || bad "a small run failed"
expect 2 "run\.h5.*not a cxsim sensitivity file" -- "$CXSIM" "${SMALL_SENS[@]}" --force -o run.h5
"$CXSIM" "${SMALL_SENS[@]}" -o screen.h5 >/dev/null || bad "a small screening failed"
expect 2 "screen\.h5.*exists already; use --force" -- "$CXSIM" "${SMALL_SENS[@]}" -o screen.h5
expect 0 "" -- "$CXSIM" "${SMALL_SENS[@]}" --force -o screen.h5
check '[ -z "$(ls -A | grep cxsim-tmp)" ]' "a study left a temporary file"

# ---- sensitivity ------------------------------------------------------------------------------
# A toy scenario whose answer is known: profit moves with the price (every order earns it) far
# more than with the e-mail staffing of a tiny market, and not at all with a survey's sample size.
SENS=(sensitivity "$BASE" --set market.population=2000 --set run.horizon_days=120 --replications 2
      --vary purchase.price:40:60 --vary survey.nps_monthly_sample:0.02:0.1 --vary quality.defect_rate:0.01:0.1
      --metric profit --metric nps --samples 8 -q)
if full; then
"$CXSIM" "${SENS[@]}" --threads 2 -o sens.h5 > sens.txt || bad "sensitivity run"
"$CXSIM" "${SENS[@]}" --threads 1 -o sens1.h5 > sens1.txt || bad "sensitivity run, 1 thread"
# SIGTERM ends a study with 143, as it ends a run (the studies had a handler of their own: 130).
. "$SRC/tests/cli/ended_within.sh"
"$CXSIM" sensitivity "$BASE" --set market.population=2000 --set run.horizon_days=120 --replications 2 \
  --vary purchase.price:40:60 --metric profit --samples 400 -q -o term.h5 >/dev/null 2>term.txt &
pid=$!
sleep 1
kill -s TERM $pid
if ended_within $pid 300; then
  check '[ $ended_status = 143 ] && [ ! -e term.h5 ]' "SIGTERM during sensitivity -> exit $ended_status: $(head -c 300 term.txt)"
else
  bad "SIGTERM during sensitivity: still running 30 s later"
fi
check 'diff <(grep -v results: sens.txt) <(grep -v results: sens1.txt) >/dev/null' "sensitivity differs at 1 and 2 threads"
$PY - sens.h5 <<'PY' && ok || bad "Morris did not rank the toy levers: $(cat sens.txt)"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["format"] == "cxsim-sensitivity" and f.attrs["method"] == "morris"
keys = [k.decode() if isinstance(k, bytes) else k for k in f["keys"][()]]
metrics = [m.decode() if isinstance(m, bytes) else m for m in f["metrics"][()]]
mu = f["indices/mu_star"][()]
profit = mu[metrics.index("profit")]
# Profit: price first; the survey sample size does not move profit at all.
assert np.argmax(profit) == keys.index("purchase.price"), profit
assert profit[keys.index("survey.nps_monthly_sample")] == 0, profit
assert f["points"].shape == (8 * 4, 3) and f["outputs"].shape == (32, 2)
low, high = f["indices/mu_star_low"][()], f["indices/mu_star_high"][()]
assert np.all(low <= mu + 1e-12) and np.all(mu <= high + 1e-12)
PY
"$CXSIM" sensitivity "$BASE" --set market.population=1000 --set run.horizon_days=60 --vary purchase.price:40:60 \
  --vary quality.defect_rate:0.01:0.1 --metric profit --method sobol --samples 16 -q -o sobol.h5 > sobol.txt \
  || bad "sobol run"
$PY - sobol.h5 <<'PY' && ok || bad "Sobol' file: $(cat sobol.txt)"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f.attrs["method"] == "sobol" and f["points"].shape == (16 * 4, 2)
for name in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"):
    assert f["indices/" + name].shape == (1, 2)
assert f["indices/ST"][0, 0] > f["indices/ST"][0, 1]  # price matters more for profit
PY
fi
expect 2 "churn\.base_logi.*did you mean .churn\.base_logit." -- "$CXSIM" sensitivity "$BASE" --vary churn.base_logi:1:2 --metric profit -o never.h5
expect 2 "network\.kind.*not a real" -- "$CXSIM" sensitivity "$BASE" --vary network.kind:1:2 --metric profit -o never.h5
expect 2 "min \(2\) must be less than max" -- "$CXSIM" sensitivity "$BASE" --vary churn.base_logit:2:1 --metric profit -o never.h5
expect 2 "KEY:MIN:MAX" -- "$CXSIM" sensitivity "$BASE" --vary churn.base_logit --metric profit -o never.h5
expect 2 "outside the key's allowed range" -- "$CXSIM" sensitivity "$BASE" --vary quality.defect_rate:0.5:2 --metric profit -o never.h5
expect 2 "error: --metric: 'nosuch': unknown figure" -- "$CXSIM" sensitivity "$BASE" --vary churn.base_logit:2:4 --metric nosuch -o never.h5
expect 2 "error: --metric: 'retention' has no value at day 100 \(the horizon, run.horizon_days\): it is not defined before day 365 of a run; allowed: a day of at least 365 in a run of at least 365 days" -- \
  "$CXSIM" sensitivity "$BASE" --set run.horizon_days=100 --vary churn.base_logit:2:4 --metric retention -o never.h5
expect 2 "" -- "$CXSIM" sensitivity "$BASE" --vary churn.base_logit:2:4 --metric profit --method anova -o never.h5
# A study whose models do not fit in what the machine has (faked: CXSIM_TEST_MEMORY_AVAILABLE).
expect 2 "market\.population.*the study needs about .* of memory but this machine has" -- \
  env CXSIM_TEST_MEMORY_AVAILABLE=10000000 "$CXSIM" sensitivity "$BASE" --set market.population=100000 \
  --set run.horizon_days=5 --replications 1 --samples 2 --vary purchase.price:40:60 --metric profit \
  --threads 2 -o never.h5
check '[ ! -e never.h5 ]' "a rejected study wrote its output"
# Models that fit, but not the daily series its runs hold at once: points in flight (4 here) times
# replications times 10 years of series, about 300 MB, where the machine has 100 MB. The advice
# names what lowers the series too.
expect 2 "market\.population.*the study needs about .* of memory but this machine has .*the replications or run\.horizon_days" -- \
  env CXSIM_TEST_MEMORY_AVAILABLE=100000000 "$CXSIM" sensitivity "$BASE" --set market.population=1000 \
  --set run.horizon_days=3650 --replications 30 --samples 2 --vary purchase.price:40:60 --metric profit \
  --threads 2 -o never.h5
check '[ ! -e never.h5 ]' "a rejected study wrote its output"
# The memory a study needs is that of the varied range's top: 10^5 customers fit in 100 MB,
# 2 x 10^7 do not.
expect 2 "the study needs about .* of memory but this machine has" -- \
  env CXSIM_TEST_MEMORY_AVAILABLE=100000000 "$CXSIM" sensitivity "$BASE" --set market.population=1000 \
  --set run.horizon_days=5 --replications 1 --samples 2 --vary market.population:1000:20000000 --metric profit \
  --threads 2 -o never.h5
check '[ ! -e never.h5 ]' "a rejected study wrote its output"

# A segment's share cannot move alone (the shares sum to 1); a segment the scenario lacks is named.
expect 2 "error: --vary: 'segment\[1\]\.share': the segments' shares sum to 1" -- \
  "$CXSIM" sensitivity "$BASE" "${SMALL[@]}" --replications 1 --samples 2 --vary 'segment[1].share:0.2:0.5' --metric profit -q -o never.h5
expect 2 "error: --vary: 'segment\.nobody\.expectation': no segment is named 'nobody'; the segments are 'experience-driven', 'price-driven'" -- \
  "$CXSIM" sensitivity "$BASE" "${SMALL[@]}" --replications 1 --samples 2 --vary segment.nobody.expectation:0.2:0.5 --metric profit -q -o never.h5
# Four fields: the key is not 'purchase.price:40' (an unknown key), the option's form is wrong.
expect 2 "error: .*--vary 'purchase\.price:40:50:60': write KEY:MIN:MAX" -- \
  "$CXSIM" sensitivity "$BASE" "${SMALL[@]}" --replications 1 --samples 2 --vary purchase.price:40:50:60 --metric profit -q -o never.h5
# One segment key spelt two ways: the second replaced the first, reported with mu* = 0.
expect 2 "error: --vary: 'segment\.price-driven\.expectation': is given twice \(as 'segment\[1\]\.expectation' too\)" -- \
  "$CXSIM" sensitivity "$BASE" "${SMALL[@]}" --replications 1 --samples 2 --vary 'segment[1].expectation:0.6:0.9' \
  --vary segment.price-driven.expectation:0.1:0.2 --metric profit -q -o never.h5
# A --vary box whose points break a rule between keys: named as the --vary ranges' fault.
expect 2 "error: --vary: the --vary ranges allow a scenario that is not valid: 'phone\.close_hour'" -- \
  "$CXSIM" sensitivity "$BASE" "${SMALL[@]}" --replications 1 --samples 2 --vary phone.open_hour:22:23 --metric profit -q -o never.h5
check '[ ! -e never.h5 ]' "a rejected study wrote its output"
# The box's corners are checked before any simulation: with 3 samples the points of 0:23 happened
# to miss an open hour after the close (20), and the same box was accepted, refused with 20.
expect 2 "error: --vary: the --vary ranges allow a scenario that is not valid: 'phone\.close_hour'" -- \
  "$CXSIM" sensitivity "$BASE" "${SMALL[@]}" --replications 1 --samples 3 --vary phone.open_hour:0:23 --metric profit -q -o never.h5
# An integer key's points are rounded: [1, 1.5] gave agents 1 almost everywhere and mu* = 0.
expect 2 "--vary: 'phone\.agents': \[1, 1\.5\]: an integer key's range runs from one whole number to another" -- \
  "$CXSIM" sensitivity "$BASE" "${SMALL[@]}" --replications 1 --samples 3 --vary phone.agents:1:1.5 --metric profit -q -o never.h5
check '[ ! -e never.h5 ]' "a rejected study wrote its output"

# ---- select ----------------------------------------------------------------------------------
PRICE=("$SRC/scenarios/price.toml" --set market.population=3000 --set run.horizon_days=365 -q)
if ! full; then  # a small file for the rejections below
"$CXSIM" run "$SRC/scenarios/price.toml" --set market.population=500 --set run.horizon_days=200 -q \
  --replications 2 -o price5.h5 >/dev/null || bad "price run (2, small)"
else
"$CXSIM" run "${PRICE[@]}" --replications 5 -o price5.h5 >/dev/null || bad "price run (5)"
"$CXSIM" run "${PRICE[@]}" --replications 30 -o price30.h5 >/dev/null || bad "price run (30)"
SEL=(--objective retention --indifference 0.002 --first-stage 5)
# The 5-replication file needs more: re-runs; they must be the replications a bigger run has.
"$CXSIM" select price5.h5 "${SEL[@]}" --threads 2 > sel5.txt; expect 0 "Selected: cut-10%-day-180\. With probability at least 0\.95" -- cat sel5.txt
grep -q "re-run" sel5.txt && ok || bad "no re-run reported"
"$CXSIM" select price5.h5 "${SEL[@]}" --threads 1 > sel5b.txt
check 'diff sel5.txt sel5b.txt >/dev/null' "select differs at 1 and 2 threads"
"$CXSIM" select price30.h5 "${SEL[@]}" --no-rerun > sel30.txt
check 'diff <(grep -v "^Procedure" sel5.txt) <(grep -v "^Procedure" sel30.txt) >/dev/null' "re-run replications differ from a bigger run's"
expect 0 "NOT FINISHED.*more replications" -- "$CXSIM" select price5.h5 "${SEL[@]}" --no-rerun
# Constraints: all feasible (then minimising picks the lowest retention), or none feasible.
expect 0 "Selected: rise-10%-day-180" -- "$CXSIM" select price30.h5 --objective retention --minimize --indifference 0.002 --constraint "retention>=0.5" --no-rerun
expect 0 "No strategy is declared feasible" -- "$CXSIM" select price30.h5 --objective profit --indifference 100 --constraint "retention>=0.99" --no-rerun
fi
expect 2 "nosuch" -- "$CXSIM" select price5.h5 --objective nosuch --indifference 1
expect 2 "FIGURE>=VALUE" -- "$CXSIM" select price5.h5 --objective profit --indifference 1 --constraint "retention>0.3"
expect 2 "" -- "$CXSIM" select price5.h5 --objective profit
expect 2 "not in the file" -- "$CXSIM" select price5.h5 --objective profit --indifference 1 --strategy nope
expect 2 "missing\.h5" -- "$CXSIM" select missing.h5 --objective profit --indifference 1
# Re-runs from --scenario are those from the stored scenario (they crashed: no runs were planned).
RERUN=(--objective profit --indifference 1 --first-stage 2 --max-replications 6 -q)
"$CXSIM" select price5.h5 "${RERUN[@]}" >stored.txt || bad "select with re-runs from the stored scenario (exit $?)"
"$CXSIM" select price5.h5 "${RERUN[@]}" --scenario "$SRC/scenarios/price.toml" >given.txt ||
  bad "select with re-runs from --scenario (exit $?)"
check 'grep -q "re-run" given.txt && diff stored.txt given.txt >/dev/null' "re-runs from --scenario differ"
# A strategy that --scenario changed since the file was written is refused, naming what changed:
# its re-runs would have been averaged with the file's replications of the old strategy.
sed 's/^purchase\.price = 55\.0/purchase.price = 56.0/' "$SRC/scenarios/price.toml" >changed.toml
expect 2 "changed\.toml: 'purchase\.price': strategy 'rise-10%-day-180' of --scenario is not the one the results file price5\.h5 recorded: 'purchase\.price' is 56 from day 180 here, 55 in the file" -- \
  "$CXSIM" select price5.h5 "${RERUN[@]}" --scenario changed.toml
sed 's/^day = 180/day = 150/' "$SRC/scenarios/price.toml" >moved.toml
expect 2 "moved\.toml: 'interventions': strategy 'rise-5%-day-180' of --scenario .*an intervention falls on day 150 here, on day 180 in the file" -- \
  "$CXSIM" select price5.h5 "${RERUN[@]}" --scenario moved.toml
# --scenario is the scenario to re-run from: with --no-rerun it would be read and ignored.
expect 2 "'--no-rerun': give --scenario \(the scenario to re-run from\) or --no-rerun \(no re-runs\), not both" -- \
  "$CXSIM" select price5.h5 "${RERUN[@]}" --scenario changed.toml --no-rerun
# A damaged stored parameter is named as the results file's, with what is allowed.
cp price5.h5 damaged.h5
"$PY" -c "import h5py; f = h5py.File('damaged.h5', 'r+'); f.attrs.pop('heaps_sha256', None); f['parameters'].attrs['acquisition.p_per_year'] = -5.0; f.close()"
expect 2 "damaged\.h5: 'acquisition\.p_per_year': cannot re-run from the scenario stored in this results file \(.*allowed: a number in \[0, 5\]\); give --scenario FILE or --no-rerun" -- \
  "$CXSIM" select damaged.h5 "${RERUN[@]}"
# A recorded value of the wrong type is a damaged file, not a value to compare: text '52.5' for a
# price, or day 180.5, matched the plan's 52.5 and day 180 (HDF5 turned 180.5 into 180).
cp price5.h5 textprice.h5 && cp price5.h5 halfday.h5 && cp price5.h5 textpop.h5
"$PY" -c "import h5py; f = h5py.File('textprice.h5', 'r+'); f.attrs.pop('heaps_sha256', None); f['strategies/rise-5%-day-180/interventions/0'].attrs['purchase.price'] = '52.5'; f.close()"
"$PY" -c "import h5py; f = h5py.File('halfday.h5', 'r+'); f.attrs.pop('heaps_sha256', None); f['strategies/rise-5%-day-180/interventions/0'].attrs['day'] = 180.5; f.close()"
"$PY" -c "import h5py; f = h5py.File('textpop.h5', 'r+'); f.attrs.pop('heaps_sha256', None); f['parameters'].attrs['market.population'] = 500.5; f.close()"
expect 2 "textprice\.h5: 'purchase\.price': strategy 'rise-5%-day-180', intervention 0: 'purchase\.price' holds text '52\.5', where cxsim writes a number \(a damaged file\)" -- \
  "$CXSIM" select textprice.h5 "${RERUN[@]}" --scenario "$SRC/scenarios/price.toml"
expect 2 "halfday\.h5: 'day': strategy 'rise-5%-day-180', intervention 0: attribute 'day' holds 180\.5, not a whole number" -- \
  "$CXSIM" select halfday.h5 "${RERUN[@]}" --scenario "$SRC/scenarios/price.toml"
expect 2 "textpop\.h5: 'market\.population': /parameters: 'market\.population' holds 500\.5, where cxsim writes a whole number" -- \
  "$CXSIM" info textpop.h5
# Strategies of different lengths, or root counts that are not the series', are a damaged file:
# compare differenced one replication against the others' mean under a header of their count, and
# info printed the root's numbers as they were (days -1, population 0).
cp price5.h5 onerep.h5 && cp price5.h5 rootreps.h5 && cp price5.h5 nopeople.h5
"$PY" -c "
import h5py
f = h5py.File('onerep.h5', 'r+'); f.attrs.pop('heaps_sha256', None); g = f['strategies/baseline/series']
for name in list(g):
    data, attrs = g[name][:1], dict(g[name].attrs)
    del g[name]
    g[name] = data
    g[name].attrs.update(attrs)
f.close()"
"$PY" -c "import h5py; f = h5py.File('rootreps.h5', 'r+'); f.attrs.pop('heaps_sha256', None); f.attrs['replications'] = 7; f.close()"
"$PY" -c "import h5py; f = h5py.File('nopeople.h5', 'r+'); f.attrs.pop('heaps_sha256', None); f.attrs['population'] = 0; f.close()"
expect 2 "onerep\.h5: damaged results file: strategy '.*' has [0-9]+ replications of [0-9]+ days, strategy 'baseline' 1 of" -- \
  "$CXSIM" compare onerep.h5
expect 2 "rootreps\.h5: 'replications': damaged results file: the root attribute 'replications' is 7, but the series hold [0-9]+ replications" -- \
  "$CXSIM" info rootreps.h5
expect 2 "nopeople\.h5: 'population': damaged results file: the root attribute 'population' is 0; allowed: a whole number from 1" -- \
  "$CXSIM" info nopeople.h5
# Without the stored parameters re-runs cannot repeat the file's replications; an infinite value in
# a series is a damaged file; a strategy given twice is not two strategies.
cp price5.h5 noparams.h5 && cp price5.h5 infinite.h5
"$PY" -c "import h5py; f = h5py.File('noparams.h5', 'r+'); f.attrs.pop('heaps_sha256', None); del f['parameters']; f.close()"
"$PY" -c "import h5py; f = h5py.File('infinite.h5', 'r+'); f.attrs.pop('heaps_sha256', None); f['strategies/baseline/series/profit'][0, -1] = float('inf'); f.close()"
expect 2 "noparams\.h5: '/parameters': the results file holds no stored parameters" -- "$CXSIM" select noparams.h5 "${RERUN[@]}"
expect 2 "infinite\.h5: 'profit': strategy 'baseline' has an infinite value \\(a damaged file\\) of 'profit'" -- "$CXSIM" select infinite.h5 "${RERUN[@]}"
expect 2 "'--strategy': --strategy 'baseline' is given twice" -- \
  "$CXSIM" select price5.h5 "${RERUN[@]}" --strategy baseline --strategy baseline
# A tiny indifference zone is never "selected" after the first stage (N overflowed an int).
expect 0 "NOT FINISHED: .* At most [0-9]{12,} more" -- "$CXSIM" select price5.h5 --indifference 1e-6 --no-rerun -q
# An unfinished selection marks no row SELECTED; its advice fits the options given; a first stage
# larger than the file's replications is said to be.
"$CXSIM" select price5.h5 --indifference 1e-6 --first-stage 50 --no-rerun -q >unfinished.txt
check '! grep -q SELECTED unfinished.txt && grep -q "best so far, still in contention" unfinished.txt' \
  "an unfinished selection's table"
check 'grep -q "allow re-runs (drop --no-rerun), or widen --indifference" unfinished.txt' "the advice with --no-rerun"
check 'grep -Eq "first stage [25] \(the file.s replications; --first-stage 50 is more than the file has\)" unfinished.txt' \
  "the first stage cut to the file's replications"
expect 0 "NOT FINISHED: .*finish the procedure: widen --indifference \(more than --max-replications allows, 100000, would be needed\)" -- \
  "$CXSIM" select price5.h5 --indifference 1e-6 --first-stage 2 --max-replications 3 -q
expect 0 "NOT FINISHED: .*finish the procedure: raise --max-replications \(to [0-9]+ at most\), or widen --indifference" -- \
  "$CXSIM" select price5.h5 --indifference 100 --first-stage 2 --max-replications 3 -q
# A cap below the file's replications limits only re-runs: every replication of the file is used,
# and the procedure line says so (the cap used to stop the procedure at 3 of the file's 5).
if full; then
"$CXSIM" select price5.h5 --indifference 100 --first-stage 2 --max-replications 3 -q >capped.txt
check 'grep -q "The results file has 5 replications, more than --max-replications 3: all of the file.s are used, and none is re-run" capped.txt && grep -Eq "^  baseline +5 " capped.txt && ! grep -q "re-run beyond" capped.txt' \
  "a cap below the file's replications"
fi
# The default first stage is cut to the file's replications without a note.
"$CXSIM" select price5.h5 --indifference 1e-6 --no-rerun -q >default.txt
check '! grep -q "is more than the file has" default.txt' "a note on the default first stage"
expect 2 "--scenario: must not be empty" -- "$CXSIM" select price5.h5 --indifference 1 --scenario ""
expect 2 "'--strategy': select needs at least two strategies; --strategy named 1" -- \
  "$CXSIM" select price5.h5 --indifference 1 --strategy baseline

finish test_studies
