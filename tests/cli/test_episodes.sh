#!/usr/bin/env bash
# The episode record and `cxsim facts` end to end: usage: test_episodes.sh CXSIM SOURCE_DIR.
# Recording episodes leaves every other dataset bit for bit (h5diff), with a strategy and saved
# customers; the table is there and readable; facts reports every fact and fails clearly (exit 2).
. "$(dirname "$0")/harness.sh" "$1" "$2"

sets=(--set market.population=4000 --set run.horizon_days=400 --set run.replications=2 --set run.save_customers=true)
"$CXSIM" run "$SRC/scenarios/service_speed.toml" --quiet --threads 2 "${sets[@]}" -o off.h5 >/dev/null || bad "run off"
"$CXSIM" run "$SRC/scenarios/service_speed.toml" --quiet --threads 2 "${sets[@]}" --set run.episodes=true -o on.h5 \
  >/dev/null || bad "run on"

# Every dataset of the run without the record is in the run with it, equal bit for bit.
datasets=$(h5ls -r off.h5/strategies | awk '$2 == "Dataset" {print $1}')
[ -n "$datasets" ] || bad "no datasets listed"
for d in $datasets; do
  h5diff -q on.h5 off.h5 "/strategies$d" "/strategies$d" >/dev/null && ok || bad "dataset /strategies$d differs"
done
h5diff -q on.h5 off.h5 /summary /summary >/dev/null && ok || bad "/summary differs"
# ... and the record is there for every strategy, compressed, with its attributes.
for s in $(h5ls on.h5/strategies | awk '{print $1}'); do
  h5ls "on.h5/strategies/$s/episodes/outcome" >/dev/null 2>&1 && ok || bad "no episodes in $s"
done
h5dump -p -d /strategies/baseline/episodes/outcome on.h5 | grep -q DEFLATE && ok || bad "episodes not compressed"
h5dump -a /strategies/baseline/episodes/truncated on.h5 | grep -q FALSE && ok || bad "truncated attribute"
expect 0 "" -- "$CXSIM" info on.h5

# The cap: a few rows kept, the rest counted, and the file says so.
"$CXSIM" run "$SRC/scenarios/baseline.toml" --quiet --set market.population=2000 --set run.horizon_days=120 \
  --set run.episodes=true --set run.episode_max_rows=5 -o capped.h5 >/dev/null || bad "run capped"
h5dump -a /strategies/baseline/episodes/note capped.h5 | grep -q TRUNCATED && ok || bad "cap note"
[ "$(h5ls capped.h5/strategies/baseline/episodes/customer | grep -o '{[0-9]*}')" = "{5}" ] && ok || bad "cap rows"

# facts: every fact, in every format.
expect 0 "Stayed at the next order after a severe problem: resolved quickly" -- "$CXSIM" facts on.h5
expect 0 "Reichheld & Sasser 1990" -- "$CXSIM" facts on.h5
expect 0 "^\| fact \| measured" -- "$CXSIM" facts on.h5 --format markdown
expect 0 "^tarp_moderate_did_not_complain,.*,share," -- "$CXSIM" facts on.h5 --format csv
expect 0 "\"id\": \"clv_change_5_points_less_defection\"" -- "$CXSIM" facts on.h5 --format json
"$CXSIM" facts on.h5 --format json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["facts"]) >= 15' \
  && ok || bad "facts JSON does not parse"
expect 0 "strategy phone\+1\," -- "$CXSIM" facts on.h5 --strategy phone+1
expect 0 "needs run.episodes = true" -- "$CXSIM" facts off.h5 --partial

# Bad input: exit 2 with a clear message.
expect 2 "no episode record.*run.episodes" -- "$CXSIM" facts off.h5
expect 2 "no such file" -- "$CXSIM" facts missing.h5
expect 2 "unknown format" -- "$CXSIM" facts on.h5 --format yaml
expect 2 "no strategy 'nope'" -- "$CXSIM" facts on.h5 --strategy nope
expect 2 "" -- "$CXSIM" facts on.h5 --no-such-option
expect 2 "" -- "$CXSIM" facts
echo "not hdf5" >text.h5
expect 2 "not an HDF5 file" -- "$CXSIM" facts text.h5
expect 2 "run.episode_sample" -- "$CXSIM" run "$SRC/scenarios/baseline.toml" --set run.episode_sample=0 -o x.h5
finish "cli episodes"
