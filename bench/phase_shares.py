#!/usr/bin/env python3
"""Splits the daily step's instructions by mechanism, from a callgrind profile.

The phases of the step are timed by the model itself (RunStats::step); inside phase 1, the
parallel pass over customers, the mechanisms (acquisition, purchases, touchpoints, ...) interleave
customer by customer, so they are measured by instruction counts instead: repeatable, and blind
to the machine's load. Build with every mechanism kept out of line, profile, attribute:

    cmake -S . -B build-prof -G Ninja -DCMAKE_BUILD_TYPE=Release -DCXSIM_BUILD_TESTS=OFF \\
          -DCMAKE_CXX_FLAGS=-DCXSIM_PROFILE_MECHANISMS
    cmake --build build-prof --target cxsim_bench
    valgrind --tool=callgrind --callgrind-out-file=cg.out \\
          build-prof/bench/cxsim_bench --population 100000 --days 365 --threads 1
    bench/phase_shares.py cg.out

A mechanism is charged its own instructions and those of the helpers it calls (random streams,
libm, distributions), but not those of other mechanisms it calls: purchase() calls touchpoints(),
which calls experience(); each gets its own part.
"""

import re
import sys
from collections import defaultdict

# Model member function -> mechanism (docs/model.md). Phases 3 and 4 run outside the
# customer pass and are listed apart.
MECHANISMS = {
    "run_chunk": "wake scan", "next_wake": "wake scan", "process_customer": "wake scan",
    "count_stocks": "metrics", "survey": "metrics",
    "process_prospect": "acquisition", "adopt": "acquisition",
    "purchase": "purchases",
    "touchpoints": "touchpoints", "notify": "touchpoints",
    "process_active": "contacts", "open_issue": "contacts", "resolve_issue": "contacts",
    "close_issue": "contacts", "emit_contact": "contacts",
    "experience": "experience", "decay_attitude": "experience", "issue_cost": "experience",
    "talk": "word of mouth", "tell": "word of mouth", "pick_listener": "word of mouth",
    "start_story": "word of mouth",
    "stays": "churn",
    "apply_contact": "phase 3: contact outcomes",
    "deliver": "phase 4: word-of-mouth delivery",
}
NAME = re.compile(r"cxsim::Model::(\w+)\(")


def parse(path):
    names = {}
    self_cost = defaultdict(int)
    call_cost = defaultdict(lambda: defaultdict(int))
    fn = callee = None
    after_calls = False

    def resolve(text):
        m = re.match(r"\((\d+)\)(?: (.*))?", text)
        if not m:
            return text
        if m.group(2) is not None:
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), m.group(1))

    with open(path) as f:
        for line in f:
            if line.startswith("fn="):
                fn = resolve(line[3:].rstrip("\n"))
            elif line.startswith("cfn="):
                callee = resolve(line[4:].rstrip("\n"))
            elif line.startswith("calls="):
                after_calls = True
            elif line[:1] in "0123456789+-*":
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if after_calls:
                    call_cost[fn][callee] += cost
                    after_calls = False
                else:
                    self_cost[fn] += cost
    return self_cost, call_cost


def mechanism_of(name):
    m = NAME.search(name or "")
    return MECHANISMS.get(m.group(1)) if m else None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    self_cost, call_cost = parse(sys.argv[1])
    by_mechanism = defaultdict(int)
    for fn in set(self_cost) | set(call_cost):
        mech = mechanism_of(fn)
        if mech is None:
            continue
        by_mechanism[mech] += self_cost[fn]
        for callee, cost in call_cost[fn].items():
            if mechanism_of(callee) is None:
                by_mechanism[mech] += cost
    phase1 = sum(v for k, v in by_mechanism.items() if not k.startswith("phase"))
    print(f"{'mechanism':34s} {'instructions':>15s} {'share of phase 1':>17s}")
    for mech, cost in sorted(by_mechanism.items(), key=lambda kv: (kv[0].startswith("phase"), -kv[1])):
        share = f"{cost / phase1:17.3f}" if not mech.startswith("phase") else " " * 17
        print(f"{mech:34s} {cost:15,d} {share}")
    print(f"{'phase 1 in all':34s} {phase1:15,d}")


if __name__ == "__main__":
    main()
