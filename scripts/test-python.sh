#!/usr/bin/env bash
# Builds the Python module with the release preset (CXSIM_BUILD_PYTHON=ON) and runs, with Debian's
# /usr/bin/python3, the Python tests (tests/python) and then every notebook in notebooks/
# (executed top to bottom by nbclient). Exits non-zero when anything fails, or when pytest
# collects no tests at all. scripts/test.sh calls this after the C++ tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=/usr/bin/python3

cmake --preset release -DCXSIM_BUILD_PYTHON=ON >/dev/null
cmake --build --preset release

# The build tree's package (build/release/python/cxsim: links to bindings/python/cxsim and _core).
export CXSIM_PYTHONPATH="$PWD/build/release/python"
export PYTHONPATH="$CXSIM_PYTHONPATH${PYTHONPATH:+:$PYTHONPATH}"
export CXSIM_EXE="$PWD/build/release/sim/cxsim"
export MPLBACKEND=Agg
mkdir -p test-artifacts
# Tests in parallel (pytest-xdist, python3-pytest-xdist) on up to 4 workers: each test has its own
# temporary directory. On CI's 2 cores this takes the Python stage from about 3 min to 2.
workers=()
if "$PYTHON" -c "import xdist" 2>/dev/null; then
  n=$(nproc 2>/dev/null || echo 1)
  if ((n > 4)); then n=4; fi
  if ((n > 1)); then workers=(-n "$n"); fi
fi

pytest_step() {  # name, then pytest arguments; exit status 5 (no tests collected) is a failure
  local name=$1 start=$SECONDS status=0
  shift
  echo "== $name"
  "$PYTHON" -m pytest -q -p no:cacheprovider ${workers[@]+"${workers[@]}"} "$@" || status=$?
  echo "== $name: $((SECONDS - start)) s"
  if [ "$status" -eq 5 ]; then
    echo "test-python: $name: no tests were collected" >&2
    return 1
  fi
  return "$status"
}

pytest_step "Python module tests" tests/python --ignore=tests/python/test_notebooks.py
pytest_step "Notebooks" tests/python/test_notebooks.py
