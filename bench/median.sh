# shellcheck shell=bash
# Sourced by the benchmark scripts (compare_builds.sh, speedup_pairs.sh).
# median_range UNIT VALUES...: prints "median (lowest-highest)", each number followed by UNIT; the
# median of an even count is the mean of the middle two.
median_range() {
  local unit=$1
  shift
  printf '%s\n' "$@" | sort -g | awk -v u="$unit" '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.3g%s (%.3g%s-%.3g%s)", m, u, v[1], u, v[NR], u }'
}
