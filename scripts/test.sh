#!/usr/bin/env bash
# Sets up, builds and runs every test: the formatting check, the C++ tests (Release, then again under AddressSanitizer
# and UndefinedBehaviorSanitizer), the command line end to end with fault tests, a short fuzzing run
# of every libFuzzer harness, the Python module and the
# notebooks. Exits non-zero when anything fails. One clang build (preset sanitize) serves both the
# sanitizer tests and the fuzz harnesses, so the engine is compiled twice in all (Release, sanitize).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
# Each stage's header says how long the run has taken so far and how long the stage before took
# (CI keeps the whole under 30 min).
last=$SECONDS
stage() {
  echo "== $* [$((SECONDS - started)) s so far; the stage before: $((SECONDS - last)) s]"
  last=$SECONDS
}
bash scripts/install-deps.sh

stage "C++ formatting (clang-format, .clang-format)"
bash scripts/check-format.sh

stage "Release build and tests"
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release

stage "Sanitizer build (clang, ASan + UBSan; the tests and the fuzz harnesses) and tests"
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize
ctest --preset sanitize

stage "Fuzzing: scenario reader, --set parser, results reader (libFuzzer, 60 s in total)"
bash scripts/fuzz.sh "${CXSIM_FUZZ_SECONDS:-60}"

stage "ThreadSanitizer: the threaded tests (scripts/tsan.sh; about 3 min on 2 cores)"
bash scripts/tsan.sh

if [ -d bindings/python ] && [ -f bindings/CMakeLists.txt ]; then
  stage "Python module and notebooks"
  bash scripts/test-python.sh
fi
stage "All tests passed"
