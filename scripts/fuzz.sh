#!/usr/bin/env bash
# Builds the libFuzzer harnesses (in the sanitize preset's tree, build/sanitize: clang, ASan + UBSan;
# build preset fuzz builds only them, and nothing when scripts/test.sh has built that tree) and
# fuzzes each of them.
#   scripts/fuzz.sh [SECONDS]   total fuzzing time, shared by the three harnesses (default 60;
#                               use hours for a long run, e.g. scripts/fuzz.sh 36000)
# The checked-in seed corpora (fuzz/corpus/<harness>) are copied to build/fuzz/work/, so long runs
# grow a private corpus there. A finding (crash, sanitizer report, leak, timeout, out-of-memory)
# is saved under build/fuzz/findings/ and makes the script fail: turn it into a regression test by
# copying the file to fuzz/regressions/ (every file there runs through every harness in
# `ctest --preset fuzz`, which this script also runs; `ctest --preset sanitize` too) and fixing the defect.
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-60}
harnesses=(scenario set results)
each=$(( total / ${#harnesses[@]} ))
(( each >= 1 )) || each=1

cmake --preset sanitize >/dev/null
cmake --build --preset fuzz
# The regression inputs and seed corpora first: every one must pass.
ctest --preset fuzz

status=0
for h in "${harnesses[@]}"; do
  work=build/fuzz/work/$h
  findings=build/fuzz/findings/$h
  mkdir -p "$work" "$findings"
  cp -n fuzz/corpus/"$h"/* "$work"/ 2>/dev/null || true
  max_len=65536
  [[ $h == results ]] && max_len=262144
  [[ $h == set ]] && max_len=4096
  echo "== fuzzing $h for ${each}s"
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan.supp UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      TMPDIR=$(mktemp -d) build/sanitize/fuzz/fuzz_"$h" "$work" -max_total_time="$each" -max_len="$max_len" \
      -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 2>"build/fuzz/$h.log"; then
    echo "FINDING in $h (see build/fuzz/$h.log and $findings/):"
    grep -E "ERROR|SUMMARY|==[0-9]+==" "build/fuzz/$h.log" | head -20
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build/fuzz/$h.log" | sed "s/^/   $h /"
  fi
done
exit $status
