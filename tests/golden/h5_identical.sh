#!/usr/bin/env bash
# h5_identical.sh REFERENCE.h5 NEW.h5: exit 0 when every dataset under /strategies and /summary of
# the two results files is present in both and equal bit for bit (h5diff, no tolerance); otherwise
# prints the datasets that differ or are missing and exits 1. Provenance (root attributes: time,
# command line, timings) is not compared: it is not a result.
set -euo pipefail
ref=$1
new=$2
status=0
for group in /strategies /summary; do
  expected=$(h5ls -r "$ref$group" 2>/dev/null | awk '$2 == "Dataset" {print $1}' | sort)
  actual=$(h5ls -r "$new$group" 2>/dev/null | awk '$2 == "Dataset" {print $1}' | sort)
  if [[ "$expected" != "$actual" ]]; then
    echo "  $group: the datasets differ:"
    diff <(echo "$expected") <(echo "$actual") | grep '^[<>]' | sed 's/^</  only in reference:/; s/^>/  only in new run:/' | head -20
    status=1
    continue
  fi
  [[ -n "$expected" ]] || { echo "  $group: no datasets"; status=1; continue; }
  # -v lists each compared dataset followed by its count of differing elements; exit 1 on any difference.
  if ! report=$(h5diff -v "$ref" "$new" "$group" "$group" 2>&1); then
    awk '/^dataset: /{d=$0; getline; if ($1 != "0") print "  " d " (" $1 " values differ)"}' <<<"$report" | head -20
    grep -E 'not comparable|attribute' <<<"$report" | head -5 | sed 's/^/  /'
    status=1
  fi
done
exit $status
