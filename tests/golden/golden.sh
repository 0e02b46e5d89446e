#!/usr/bin/env bash
# The golden baseline (docs/architecture.md, "Changing results on purpose").
#
#   tests/golden/golden.sh check  CXSIM   every case of cases.txt, run fresh, equals its reference
#   tests/golden/golden.sh accept CXSIM   rewrite references/ from fresh runs (a results change on
#                                         purpose: commit it with a message that says why)
#
# CXSIM is the cxsim binary (build/release/sim/cxsim). Runs go to a scratch directory; only
# `accept` writes, and only to tests/golden/references/.
set -euo pipefail
mode=${1:-}
CXSIM=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
REFS=$HERE/references
if [[ $mode != check && $mode != accept ]] || [[ -z $CXSIM ]]; then
  echo "usage: golden.sh check|accept CXSIM" >&2
  exit 2
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
while IFS='|' read -r name scenario sets threads; do
  [[ -z $name || $name == \#* ]] && continue
  args=()
  for s in $sets; do args+=(--set "$s"); done
  "$CXSIM" run "$ROOT/$scenario" -o "$TMP/$name.h5" --quiet --threads "$threads" "${args[@]}" >/dev/null
  if [[ $mode == accept ]]; then
    mkdir -p "$REFS"
    cp "$TMP/$name.h5" "$REFS/$name.h5.new" && mv "$REFS/$name.h5.new" "$REFS/$name.h5"
    echo "accepted  $name"
  elif [[ ! -f $REFS/$name.h5 ]]; then
    echo "MISSING   $name: no reference (tests/golden/golden.sh accept CXSIM writes it)"
    failed=$((failed + 1))
  elif report=$(bash "$HERE/h5_identical.sh" "$REFS/$name.h5" "$TMP/$name.h5"); then
    echo "identical $name"
    passed=$((passed + 1))
  else
    echo "DIFFERENT $name"
    echo "$report"
    failed=$((failed + 1))
  fi
done <"$HERE/cases.txt"
if [[ $mode == check ]]; then
  echo "golden: $passed passed, $failed failed"
  if [[ $failed -gt 0 ]]; then
    echo "A result changed. If on purpose: tests/golden/golden.sh accept $CXSIM, and say why in the commit." >&2
    exit 1
  fi
fi
