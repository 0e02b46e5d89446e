#!/usr/bin/env bash
# Builds the threaded C++ tests under ThreadSanitizer (preset tsan) and runs them: the
# determinism tests (every thread count), the runner and experiment tests and the precision
# loop, which run replications on TBB worker threads and share the progress and cancel flags.
#   scripts/tsan.sh [CTEST-REGEX]   (default: the threaded tests)
# oneTBB is not built with TSan, so the engine's parallel loops tell TSan their fork and join
# (sim/core/fork_join.hpp) and scripts/tsan.supp silences races whose top frame is oneTBB's own
# code. First, tests/tsan/canary.cpp shows that this set-up works here: the engine's pattern of
# sharing data between loops must run without a report, and a race inside a loop must be reported.
set -euo pipefail
cd "$(dirname "$0")/.."
regex=${1:-determinism|[Rr]unner|[Ee]xperiment|[Pp]recision|[Cc]ancel|[Tt]hread}
cmake --preset tsan >/dev/null
cmake --build --preset tsan --target test_determinism test_experiment test_experiment_io test_crn test_model tsan_canary
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp"
canary=build/tsan/tests/tsan_canary
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "$canary" clean >"$log" 2>&1; then
  cat "$log"
  echo "tsan.sh: FAILED: TSan reports a race where the engine's loops have none (tests/tsan/canary.cpp clean)" >&2
  exit 1
fi
if "$canary" race >"$log" 2>&1 || ! grep -q 'ThreadSanitizer: data race.*canary.cpp' "$log"; then
  cat "$log"
  echo "tsan.sh: FAILED: TSan missed the race of tests/tsan/canary.cpp: it would miss the engine's too" >&2
  exit 1
fi
echo "tsan.sh: the canary's race is reported and its clean run is not: TSan sees the engine's loops"
ctest --preset tsan -R "$regex"
