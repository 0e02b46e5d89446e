#!/usr/bin/env bash
# Fault tests of the command line (docs/reliability.md): special and unwritable output paths,
# replacement rules, signals at random moments (also during the write), concurrent writers,
# stale temporary files, hostile scenario inputs. Every special file is made in a temporary
# directory; nothing outside it is touched.
#   tests/cli/test_faults.sh CXSIM [TRIALS]
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/ended_within.sh"
CXSIM=$(realpath "$1")
TRIALS=${2:-${CXSIM_SIGNAL_TRIALS:-24}}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }

cat > small.toml <<'EOF'
[run]
seed = 1
replications = 2
horizon_days = 30
[market]
population = 500
EOF
# Big enough that a run lasts a few tenths of a second (the signal trials hit every phase).
cat > medium.toml <<'EOF'
[run]
seed = 2
replications = 4
horizon_days = 200
[market]
population = 20000
[[strategy]]
name = "cheaper"
purchase.price = 40.0
EOF

# expect STATUS MESSAGE-REGEX -- command...: the exit status and a stderr pattern
expect() {
  local want=$1 pattern=$2
  shift 3
  local out status cmd="$*"
  cmd=${cmd//$CXSIM/cxsim}
  cmd=${cmd:0:160}
  out=$(timeout 60 "$@" 2>&1 >/dev/null)
  status=$?
  if [[ $status != "$want" ]]; then fail "$cmd -> exit $status, wanted $want: ${out:0:300}"; return; fi
  if [[ -n $pattern ]] && ! grep -Eq "$pattern" <<<"$out"; then fail "$cmd -> message '${out:0:300}' lacks /$pattern/"; return; fi
  pass "$cmd -> $want"
}
no_temps() { # no temporary directories left in $1
  local left
  left=$(find "${1:-.}" -maxdepth 1 -name '.*cxsim-tmp-*' | head -1)
  [[ -z $left ]] || fail "temporary left behind: $left"
}

# --- output paths -----------------------------------------------------------------------------
mkfifo fifo.h5
expect 2 "special file" -- "$CXSIM" run small.toml -q -o fifo.h5
[[ -p fifo.h5 ]] || fail "the FIFO was replaced"
if [[ $(id -u) == 0 ]] && mknod null.h5 c 1 3 2>/dev/null; then
  expect 2 "special file" -- "$CXSIM" run small.toml -q -o null.h5 --force
  [[ -c null.h5 ]] || fail "the device node was replaced"
fi
echo "not results" > notes.txt
ln -s notes.txt link.h5
expect 2 "symbolic link" -- "$CXSIM" run small.toml -q -o link.h5 --force
[[ -L link.h5 && $(cat notes.txt) == "not results" ]] || fail "the symlink or its target changed"
ln -s /nonexistent/dangling dangling.h5
expect 2 "symbolic link" -- "$CXSIM" run small.toml -q -o dangling.h5
expect 2 "not a cxsim results file" -- "$CXSIM" run small.toml -q -o notes.txt --force
[[ $(cat notes.txt) == "not results" ]] || fail "a non-results file was replaced"
mkdir adir
expect 2 "directory" -- "$CXSIM" run small.toml -q -o adir
expect 2 "directory" -- "$CXSIM" run small.toml -q -o missing/out.h5
expect 2 "not a directory" -- "$CXSIM" run small.toml -q -o notes.txt/out.h5
# An unusable location is found before simulating: a run far too big to finish is refused at once.
expect 2 "directory" -- "$CXSIM" run medium.toml -q --set market.population=5000000 --set run.replications=50 -o missing/out.h5
if [[ $(id -u) != 0 ]]; then
  mkdir ro && chmod 555 ro
  expect 2 "cannot write" -- "$CXSIM" run small.toml -q -o ro/out.h5
fi

# --- replacement rules and default names ---------------------------------------------------------
"$CXSIM" run small.toml -q >/dev/null || fail "first default run"
"$CXSIM" run small.toml -q >/dev/null || fail "second default run"
[[ -f small.h5 && -f small-2.h5 ]] && pass "a second run writes small-2.h5, not over small.h5" || fail "default names: $(ls)"
expect 2 "exists already.*--force" -- "$CXSIM" run small.toml -q -o small.h5
chmod 640 small.h5
before=$(sha256sum small.h5)
"$CXSIM" run small.toml -q -o small.h5 --force --seed 9 >/dev/null || fail "--force over a results file"
[[ $(stat -c %a small.h5) == 640 ]] && pass "--force keeps the permissions (640)" || fail "permissions now $(stat -c %a small.h5)"
[[ $(sha256sum small.h5) != "$before" ]] || fail "--force did not replace the file"
"$CXSIM" info small.h5 >/dev/null || fail "the replaced file does not read"
no_temps .

# --- stale temporary files of killed runs -------------------------------------------------------
dead=999999
while kill -0 $dead 2>/dev/null; do dead=$((dead - 1)); done
mkdir ".out.h5.cxsim-tmp-$dead-AbCdEf" && echo partial > ".out.h5.cxsim-tmp-$dead-AbCdEf/out.h5"
mkdir ".out.h5.cxsim-tmp-$$-LiVe12"  # a live process (this shell): kept
"$CXSIM" run small.toml -q -o out.h5 >/dev/null || fail "run with stale temporaries"
[[ ! -e ".out.h5.cxsim-tmp-$dead-AbCdEf" ]] && pass "a dead run's temporary is removed" || fail "stale temporary kept"
[[ -d ".out.h5.cxsim-tmp-$$-LiVe12" ]] && pass "a live run's temporary is kept" || fail "a live run's temporary was removed"
rmdir ".out.h5.cxsim-tmp-$$-LiVe12"

# --- signals at random moments ------------------------------------------------------------------
"$CXSIM" run medium.toml -q -o target.h5 >/dev/null || fail "reference run"
cp target.h5 original.h5
TIMEFORMAT=%R
ref_time=$( { time "$CXSIM" run medium.toml -q -o timing.h5 >/dev/null 2>&1; } 2>&1 | tail -1)
rm -f timing.h5
echo "     a run takes ${ref_time}s; $TRIALS signal trials"
kills=0 finished=0
for ((t = 0; t < TRIALS; t++)); do
  sig=$([[ $((t % 2)) == 0 ]] && echo INT || echo TERM)
  want=$([[ $sig == INT ]] && echo 130 || echo 143)
  delay=$(awk -v s="$RANDOM" -v r="$ref_time" 'BEGIN { srand(s); printf "%.3f", rand() * r * 1.2 }')
  "$CXSIM" run medium.toml -q -o target.h5 --force --seed $((t + 10)) >/dev/null 2>err.txt &
  pid=$!
  sleep "$delay"
  kill -s "$sig" $pid 2>/dev/null
  wait $pid
  status=$?
  if [[ $status == 0 ]]; then
    finished=$((finished + 1))
    "$CXSIM" info target.h5 >/dev/null 2>&1 || fail "trial $t: exit 0 but the file does not read"
    cp target.h5 original.h5
  elif [[ $status == "$want" ]]; then
    kills=$((kills + 1))
    cmp -s target.h5 original.h5 || fail "trial $t: SIG$sig after ${delay}s changed the earlier file"
  else
    fail "trial $t: SIG$sig after ${delay}s -> exit $status (wanted $want or 0): $(head -c 300 err.txt)"
  fi
  no_temps .
done
echo "     $kills runs interrupted, $finished finished"
[[ $kills -gt 0 ]] || fail "no trial was interrupted"
# A signal during a long network build (Watts-Strogatz, 20,000 people at mean degree 2,000, every
# tie rewired: about a minute to build here) ends the run within seconds, not after the build.
"$CXSIM" run small.toml -q -o dense.h5 --set market.population=20000 --set network.mean_degree=2000 \
  --set network.rewiring=1.0 --set run.replications=1 >/dev/null 2>err.txt &
pid=$!
sleep 2
kill -s INT $pid 2>/dev/null
if ! ended_within $pid 200; then
  fail "SIGINT during a network build: still running 20 s later"
else
  [[ $ended_status == 130 && ! -e dense.h5 ]] && pass "SIGINT during a network build ends the run (130, no file)" ||
    fail "SIGINT during a network build -> exit $ended_status: $(head -c 300 err.txt)"
fi
no_temps .
# SIGKILL: an earlier file stays intact (a temporary may stay; the next run removes it).
for delay in 0.05 0.2 0.4; do
  "$CXSIM" run medium.toml -q -o target.h5 --force --seed 77 >/dev/null 2>&1 &
  pid=$!
  sleep $delay
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null
  if cmp -s target.h5 original.h5 || "$CXSIM" info target.h5 >/dev/null 2>&1; then :; else fail "SIGKILL after ${delay}s damaged the file"; fi
  cp target.h5 original.h5
done
"$CXSIM" run small.toml -q -o target.h5 --force >/dev/null || fail "run after SIGKILL"
no_temps .
pass "SIGKILL leaves a readable file; the next run removes the dead run's temporary"

# --- concurrent writers ---------------------------------------------------------------------------
for round in 1 2 3; do
  rm -f shared.h5
  pids=()
  for i in 1 2 3; do
    "$CXSIM" run small.toml -q -o shared.h5 --seed $((round * 10 + i)) >/dev/null 2>"conc$i.txt" &
    pids+=($!)
  done
  ok=0
  for i in 0 1 2; do
    wait "${pids[$i]}"
    s=$?
    if [[ $s == 0 ]]; then ok=$((ok + 1))
    elif [[ $s == 2 ]]; then grep -Eq "another process|exists already" "conc$((i + 1)).txt" || fail "unclear message: $(cat "conc$((i + 1)).txt")"
    else fail "concurrent writer exit $s"; fi
  done
  [[ $ok == 1 ]] || fail "round $round: $ok writers succeeded without --force (wanted exactly 1)"
  "$CXSIM" info shared.h5 >/dev/null || fail "round $round: the file does not read"
  pids=()
  for i in 1 2 3; do
    "$CXSIM" run small.toml -q -o shared.h5 --force --seed $((round * 10 + i)) >/dev/null 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail "round $round: a --force writer failed"; done
  "$CXSIM" info shared.h5 >/dev/null || fail "round $round: the --force file does not read"
done
no_temps .
pass "concurrent writers: one complete file and a clear message"

# --- hostile scenarios ------------------------------------------------------------------------
mkfifo scenario.toml
expect 2 "not a regular file" -- "$CXSIM" run scenario.toml -q -o x.h5
expect 2 "not a regular file" -- "$CXSIM" validate scenario.toml
/usr/bin/python3 - <<'EOF'
depth = 200000
open("deep.toml", "w").write("x = " + "[" * depth + "]" * depth + "\n")
open("deeptable.toml", "w").write("x = " + "{a=" * 50000 + "1" + "}" * 50000 + "\n")
open("dotted.toml", "w").write("a" + ".a" * 100000 + " = 1\n")
open("header.toml", "w").write("[" + "a." * 100000 + "a]\n")
open("segments.toml", "w").write("[market]\npopulation = 1000\n" +
    "".join(f'[[segment]]\nname = "s{i}"\nshare = {1/300}\n' for i in range(300)))
open("bigvalue.toml", "w").write("[run]\nseed = \"" + "x" * 3_000_000 + "\"\n")
open("huge.toml", "w").write("# " + "y" * 5_000_000 + "\n")
open("longkey.toml", "w").write("[run]\n" + "k" * 3_000_000 + " = 1\n")
open("escape.toml", "wb").write(b'[run]\n"\x1b]0;pwned\x07\x1b[2Jkey" = 1\n[market]\n"nul\\u0000key" = 2\n')
EOF
for f in deep deeptable dotted header; do expect 2 "nest|too many parts" -- "$CXSIM" validate $f.toml; done
expect 2 "at most 256" -- "$CXSIM" validate segments.toml
expect 2 "" -- "$CXSIM" validate bigvalue.toml
expect 2 "at most" -- "$CXSIM" validate huge.toml
expect 2 "unknown key" -- "$CXSIM" validate longkey.toml
for f in bigvalue longkey; do
  size=$("$CXSIM" validate $f.toml 2>&1 | wc -c)
  [[ $size -lt 5000 ]] && pass "$f: message of $size bytes" || fail "$f: message of $size bytes"
done
out=$("$CXSIM" validate escape.toml 2>&1)
if grep -q $'\x1b' <<<"$out"; then fail "an escape sequence reached the terminal: $out"; else pass "control characters escaped: ${out:0:120}"; fi
expect 2 "nest" -- "$CXSIM" validate small.toml --set "run.seed=$(printf '[%.0s' {1..5000})"
expect 2 "unknown key" -- "$CXSIM" validate small.toml --set "$(head -c 100000 /dev/zero | tr '\0' k)=1"

if [[ $failures -gt 0 ]]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all fault tests passed"
