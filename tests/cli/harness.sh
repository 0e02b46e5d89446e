# Shared by the command-line test scripts: sourced as `. harness.sh CXSIM_BINARY SOURCE_DIR`.
# Sets CXSIM and SRC, moves into a scratch directory removed on exit, and counts results with
# ok / bad (and expect CODE PATTERN -- command); `finish NAME` prints "NAME: N passed, N failed"
# and returns non-zero on a failure.
set -u
CXSIM=$1
SRC=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }
finish() {
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# expect CODE PATTERN -- command...: exit status CODE and PATTERN (grep -E) in stdout+stderr
expect() {
  local code=$1 pattern=$2
  shift 3
  local out status
  out=$("$@" 2>&1)
  status=$?
  if [ "$status" -ne "$code" ]; then
    bad "$* -> exit $status, expected $code; output: $(echo "$out" | head -5)"
  elif [ -n "$pattern" ] && ! echo "$out" | grep -Eq -- "$pattern"; then
    bad "$* -> output lacks /$pattern/: $(echo "$out" | head -5)"
  else
    ok
  fi
}
