#!/usr/bin/env bash
# The example what-if scenarios in scenarios/ show the effects docs/validation.md lists, judged by
# their intervals, not by numbers: an effect counts when the 95% interval of the paired difference
# from the baseline excludes zero in the expected direction. Also checks that docs/examples/ has a
# comparison of each example with the same strategies (scripts/update_examples.sh writes them).
# Usage: test_examples.sh CXSIM_BINARY SOURCE_DIR
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh" "$1" "$2"

# effect FILE.csv STRATEGY FIGURE up|down|zero
effect() {
  local row low high
  row=$(awk -F, -v s="$2" -v f="$3" '$1 == s && $2 == f' "$1")
  if [ -z "$row" ]; then bad "$1: no row for $2 $3"; return; fi
  low=$(echo "$row" | cut -d, -f10)
  high=$(echo "$row" | cut -d, -f11)
  case $4 in
    up) awk -v l="$low" 'BEGIN { exit !(l != "" && l > 0) }' ;;
    down) awk -v h="$high" 'BEGIN { exit !(h != "" && h < 0) }' ;;
    zero) awk -v l="$low" -v h="$high" 'BEGIN { exit !(l == 0 && h == 0) }' ;;
  esac && ok || bad "$1: $2 $3 should go $4; 95% interval [$low, $high]"
}

run_example() {
  "$CXSIM" run "$SRC/scenarios/$1.toml" -o "$1.h5" --quiet >/dev/null || { bad "cxsim run $1"; return 1; }
  "$CXSIM" compare "$1.h5" --format csv "${@:2}" > "$1.csv" || bad "cxsim compare $1"
  # The checked-in comparison covers the same strategies as a fresh one.
  local doc="$SRC/docs/examples/$1.md"
  if [ -f "$doc" ] && diff <(grep '^### ' "$doc") <("$CXSIM" compare "$1.h5" --format markdown | grep '^### ') >/dev/null; then
    ok
  else
    bad "$doc missing or stale: run scripts/update_examples.sh"
  fi
}

FIGURES=(--metric asa --metric abandoned --metric service_level --metric churned --metric retention
         --metric contacts --metric contacts_failure --metric issues)

# More agents -> shorter waits, fewer abandoned contacts, better service level, less churn.
if run_example service_speed "${FIGURES[@]}"; then
  for s in "phone+1" "phone+1-chat+1" "hire-day-90"; do
    effect service_speed.csv "$s" asa down
    effect service_speed.csv "$s" abandoned down
    effect service_speed.csv "$s" service_level up
    effect service_speed.csv "$s" churned down
    effect service_speed.csv "$s" retention up
  done
fi

# More defects -> more issues, more contacts about them (failure demand) and per order, and more
# churn; fewer -> the opposite. Total contacts are not judged: the customers more defects drive away
# stop asking questions (value demand falls by about as much as failure demand rises).
if run_example quality "${FIGURES[@]}" --metric contacts_per_order; then
  for f in issues contacts_failure contacts_per_order churned; do effect quality.csv double-defects $f up; done
  effect quality.csv double-defects retention down
  for f in issues contacts_failure churned; do
    effect quality.csv halve-defects $f down
    effect quality.csv fix-day-180 $f down
  done
  effect quality.csv halve-defects retention up
fi

# A price rise felt by customers used to the old price costs customers; a cut keeps some.
if run_example price "${FIGURES[@]}"; then
  effect price.csv "rise-5%-day-180" churned up
  effect price.csv "rise-10%-day-180" churned up
  effect price.csv "rise-10%-day-180" retention down
  effect price.csv "cut-10%-day-180" churned down
fi

# Proactive notification -> fewer failure contacts and less churn; a well-timed message (read
# 60% of the time) beats a badly timed one (25%).
if run_example proactive_cx "${FIGURES[@]}"; then
  for s in notify-preferred-hour notify-random-hour notify-from-day-120; do
    effect proactive_cx.csv "$s" contacts_failure down
    effect proactive_cx.csv "$s" churned down
    effect proactive_cx.csv "$s" retention up
  done
  "$CXSIM" compare proactive_cx.h5 --baseline notify-random-hour --format csv "${FIGURES[@]}" > timing.csv &&
    ok || bad "cxsim compare proactive_cx --baseline notify-random-hour"
  effect timing.csv notify-preferred-hour contacts_failure down
  effect timing.csv notify-preferred-hour churned down
fi

# The sweep: sweep-003 (3%, one agent) is the baseline again, so it differs by exactly zero;
# against it, more agents cut waits and more defects raise failure contacts.
if run_example sweep_quality_staffing "${FIGURES[@]}"; then
  for f in asa churned contacts_failure retention; do effect sweep_quality_staffing.csv sweep-003 $f zero; done
  effect sweep_quality_staffing.csv sweep-005 asa down
  effect sweep_quality_staffing.csv sweep-005 churned down
  effect sweep_quality_staffing.csv sweep-006 contacts_failure up
  effect sweep_quality_staffing.csv sweep-000 contacts_failure down
fi

finish examples
