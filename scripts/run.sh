#!/usr/bin/env bash
# Sets up (installs missing Debian packages), builds cxsim (Release) and runs the default
# scenario, printing a KPI summary and the results path. Extra arguments go to `cxsim run`,
# e.g. scripts/run.sh --replications 5 --threads 2
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target cxsim
mkdir -p results
# --force: a re-run replaces results/baseline.h5 only when it is a cxsim results file (an earlier
# run's); anything else at that path is refused.
exec build/release/sim/cxsim run scenarios/baseline.toml -o results/baseline.h5 --force "$@"
