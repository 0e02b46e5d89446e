#!/usr/bin/env bash
# Installs the build into a scratch prefix and uses it as a user would, then builds the Debian
# package and runs it unpacked (never installed into this machine):
#   1. `cmake --install` puts cxsim, the Python package with its compiled module, the example
#      scenarios and the docs under the prefix; the installed cxsim runs the baseline, writes a
#      report with the installed package, and the installed package imports and reads the results;
#   2. a tiny C++ project finds the installed copy with find_package(cxsim) and runs a scenario;
#   3. `cpack -G DEB` makes cxsim_*.deb; `dpkg-deb -x` unpacks it into a scratch directory, and the
#      unpacked cxsim and Python package run the baseline.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR
set -u
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
. "$SRC/tests/cli/harness.sh" "$BUILD/sim/cxsim" "$SRC"
PY=/usr/bin/python3
SMALL=(--set market.population=3000 --set run.horizon_days=60 --set run.replications=2 --quiet)

check_tree() {  # ROOT: a prefix holding bin/, share/, lib/python3/dist-packages
  local root=$1 name=$2
  [ -x "$root/bin/cxsim" ] && ok || bad "$name: no bin/cxsim"
  [ -f "$root/share/cxsim/scenarios/baseline.toml" ] && ok || bad "$name: no example scenarios"
  [ -f "$root/share/doc/cxsim/key-figures.md" ] && ok || bad "$name: no docs"
  ls "$root"/lib/python3/dist-packages/cxsim/_core*.so >/dev/null 2>&1 && ok || bad "$name: no compiled module"
  "$root/bin/cxsim" run "$root/share/cxsim/scenarios/baseline.toml" "${SMALL[@]}" -o "$WORK/$name.h5" >/dev/null &&
    [ -f "$WORK/$name.h5" ] && ok || bad "$name: cxsim run of the installed baseline"
  "$root/bin/cxsim" info "$WORK/$name.h5" | grep -q 'retention (12 months)' && ok || bad "$name: cxsim info"
  # The package imported from the prefix (not the checkout, not the build tree), reading the file.
  (cd "$WORK" && PYTHONPATH="$root/lib/python3/dist-packages" "$PY" -s -c "
import sys, cxsim
assert cxsim.__file__.startswith('$root/'), cxsim.__file__
r = cxsim.load('$WORK/$name.h5')
assert r.summary().shape[0] > 0
s = cxsim.Scenario.from_file('$root/share/cxsim/scenarios/baseline.toml').with_overrides(
    {'market.population': 2000, 'run.horizon_days': 30})
print(cxsim.run(s, progress=False).summary().shape)
") >/dev/null && ok || bad "$name: the installed Python package"
}

# 1. cmake --install
PREFIX=$WORK/prefix
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null && ok || bad "cmake --install"
check_tree "$PREFIX" install
"$PREFIX/bin/cxsim" report "$WORK/install.h5" -o "$WORK/install.html" >/dev/null 2>&1 &&
  grep -q 'id="key-figures"' "$WORK/install.html" && ok || bad "cxsim report from the install"

# 2. find_package(cxsim) from a consumer project
cmake -S "$SRC/tests/install/consumer" -B "$WORK/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$PREFIX" >"$WORK/consumer.log" 2>&1 &&
  cmake --build "$WORK/consumer" >>"$WORK/consumer.log" 2>&1 && ok ||
  { bad "the consumer project does not build against the install"; tail -20 "$WORK/consumer.log"; }
"$WORK/consumer/consumer" "$PREFIX/share/cxsim/scenarios/baseline.toml" | grep -q 'retention (12 months)' && ok ||
  bad "the consumer project's run"

# 3. the Debian package, unpacked
(cd "$BUILD" && cpack -G DEB -B "$WORK/deb" >"$WORK/cpack.log" 2>&1) && ok || { bad "cpack -G DEB"; tail -20 "$WORK/cpack.log"; }
DEB=$(ls "$WORK"/deb/cxsim_*.deb 2>/dev/null | head -1)
if [ -n "$DEB" ]; then
  dpkg-deb -I "$DEB" | grep -q 'Depends:.*python3-numpy' && ok || bad "the package does not depend on python3-numpy"
  dpkg-deb -x "$DEB" "$WORK/root" && ok || bad "dpkg-deb -x"
  check_tree "$WORK/root/usr" deb
else
  bad "no cxsim_*.deb made"
fi
finish install
