#!/usr/bin/env bash
# Builds the threaded C++ tests under ThreadSanitizer (preset tsan) and runs them: the
# determinism tests (every thread count), the runner and experiment tests and the precision
# loop, which run replications on TBB worker threads and share the progress and cancel flags.
#   scripts/tsan.sh [CTEST-REGEX]   (default: the threaded tests)
# oneTBB itself is not instrumented; scripts/tsan.supp lists the suppressions for its internals.
# Those also hide every race inside a oneTBB task, so this does not check the engine's threads
# (docs/reliability.md says why; it needs a oneTBB built with TSan, which Debian does not package).
set -euo pipefail
cd "$(dirname "$0")/.."
regex=${1:-determinism|[Rr]unner|[Ee]xperiment|[Pp]recision|[Cc]ancel|[Tt]hread}
cmake --preset tsan >/dev/null
cmake --build --preset tsan --target test_determinism test_experiment test_experiment_io test_crn test_model
ctest --preset tsan -R "$regex"
