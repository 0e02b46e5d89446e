#!/usr/bin/env bash
# `pip install --no-build-isolation --no-deps .` of the checkout, offline, into a scratch virtual
# environment that sees Debian's numpy, pandas, h5py and matplotlib (--system-site-packages), and
# the installed package running a scenario. Never touches the user's site-packages or the checkout.
# Usage: test_pip.sh SOURCE_DIR [BUILD_DIR]
# With BUILD_DIR (ctest passes the release tree), setup.py configures its own tree as always but
# takes _core from BUILD_DIR (CXSIM_REUSE_BUILD) instead of compiling the engine a second time.
set -u
SRC=$(cd "$1" && pwd)
REUSE=${2:+$(cd "$2" && pwd)}
. "$SRC/tests/cli/harness.sh" /bin/false "$SRC"
# pip builds in the tree it is given (egg-info, build/pip): give it a scratch copy of the checkout
# without its build directories, so the test writes nothing into the source tree.
mkdir "$WORK/src" && tar -C "$SRC" --exclude=./build --exclude=./.git --exclude='*.egg-info' -cf - . |
  tar -C "$WORK/src" -xf - && ok || bad "copy of the checkout"
/usr/bin/python3 -m venv --system-site-packages "$WORK/venv" && ok || bad "python3 -m venv"
CXSIM_REUSE_BUILD=$REUSE CMAKE_BUILD_PARALLEL_LEVEL=2 "$WORK/venv/bin/python" -m pip install -q --no-build-isolation --no-deps --no-index \
  "$WORK/src" >"$WORK/pip.log" 2>&1 && ok || { bad "pip install"; tail -30 "$WORK/pip.log"; }
(cd "$WORK" && "$WORK/venv/bin/python" -s -c "
import cxsim
assert cxsim.__file__.startswith('$WORK/venv/'), cxsim.__file__
assert cxsim._core.__file__.startswith('$WORK/venv/'), cxsim._core.__file__
s = cxsim.Scenario.from_file('$SRC/scenarios/baseline.toml').with_overrides(
    {'market.population': 2000, 'run.horizon_days': 30})
r = cxsim.run(s, progress=False)
assert r.summary().shape[0] > 0
") && ok || bad "the pip-installed package"
# setup.py configured its own tree (build/pip of the scratch copy), reusing a build or not.
grep -q '^CXSIM_PYTHON_LINK_SOURCES:BOOL=OFF' "$WORK/src/build/pip/CMakeCache.txt" && ok ||
  bad "setup.py did not configure build/pip"
finish pip
