#!/usr/bin/env python3
"""The default model reproduces the published CX regularities (issue 11, item 5).

Runs scenarios/baseline.toml as a new user would (its population and horizon, with the episode
record on), measures every fact with `cxsim facts`, and checks each fact that has a published band:

* a fact measured per replication passes when the band is not rejected: its confidence interval
  over the R replications, widened for the number of facts tested at once (Bonferroni, family-wise
  error 5%), meets the band. The interval comes from the replications' spread (Student t with
  R - 1 degrees of freedom), so the tolerance follows from the replication count;
* a fact computed from the parameters (good touchpoints to offset a failure) and the TARP order
  (on the means) must hold as they are.

Facts that docs/validation.md explains as out of reach with the other bands met are listed in
KNOWN_TENSIONS: they are reported, not failed. Usage:
    check_facts.py CXSIM SCENARIO [--replications R] [--population N]
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

# Facts the defaults cannot bring inside their band without pushing another out
# (docs/validation.md, "Stylised facts"): id -> why.
KNOWN_TENSIONS = {
    "retention_ratio_quick_vs_unresolved": (
        "with TARP's levels met, quick resolution keeps 1.6-1.8x as many as no resolution over all "
        "problems (mild ones are mostly silent and kept) and about 3x over moderate and severe ones; "
        "Forrester's 2.4x does not say which problems it counts"),
    "tarp_severe_resolved_quickly": (
        "one recovery curve for all severities: a quick fix of a severe problem keeps about 91%, "
        "TARP says 82%; a steeper curve drops both 'resolved' (later) cells below their bands"),
}


def t_density(x, df):
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    return c * (1 + x * x / df) ** (-(df + 1) / 2)


def t_cdf(x, df, steps=4000):
    """P(T <= x) for x >= 0, by Simpson's rule on [0, x]."""
    h = x / steps
    total = t_density(0, df) + t_density(x, df)
    for k in range(1, steps):
        total += (4 if k % 2 else 2) * t_density(k * h, df)
    return 0.5 + total * h / 3


def t_quantile(p, df):
    lo, hi = 0.0, 1000.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cxsim")
    ap.add_argument("scenario")
    ap.add_argument("--replications", type=int, default=8)
    ap.add_argument("--population", type=int, default=0, help="0: the scenario's")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "baseline.h5")
        cmd = [args.cxsim, "run", args.scenario, "--set", "run.episodes=true",
               "--set", f"run.replications={args.replications}", "--threads", str(args.threads),
               "-o", out, "--quiet"]
        if args.population:
            cmd += ["--set", f"market.population={args.population}"]
        subprocess.run(cmd, check=True)
        text = subprocess.run([args.cxsim, "facts", out, "--format", "json"], check=True,
                              capture_output=True, text=True).stdout
    facts = json.loads(text)["facts"]

    banded = [f for f in facts if f["band_low"] is not None or f["band_high"] is not None]
    sampled = [f for f in banded if f["replications"] > 1 and f["ci_low"] is not None]
    if len(banded) < 15 or len(sampled) < 10:
        print(f"FAIL: expected the full fact table, got {len(banded)} banded facts", file=sys.stderr)
        return 1
    r = args.replications
    t95 = t_quantile(0.975, r - 1)
    t_family = t_quantile(1 - 0.05 / (2 * len(sampled)), r - 1)

    failures = []
    for f in banded:
        lo = -math.inf if f["band_low"] is None else f["band_low"]
        hi = math.inf if f["band_high"] is None else f["band_high"]
        v = f["value"]
        if v is None or (isinstance(v, float) and math.isnan(v)):
            verdict, ok = "not measured", False
        elif f in sampled:
            half = (f["ci_high"] - v) * t_family / t95  # the same spread, the family-wise quantile
            ok = v + half >= lo and v - half <= hi
            verdict = f"{v:.4g} [{v - half:.4g}, {v + half:.4g}]"
        else:
            ok = lo <= v <= hi
            verdict = f"{v:.4g}"
        known = f["id"] in KNOWN_TENSIONS
        status = "ok" if ok else ("known tension" if known else "OUTSIDE")
        print(f"{status:13} {f['id']:40} {verdict:34} band {f['band']}")
        if not ok and not known:
            failures.append(f["id"])
        if known:
            print(f"{'':13} why: {KNOWN_TENSIONS[f['id']]}")
    print(f"{len(banded)} facts with a band, {len(sampled)} measured over {r} replications "
          f"(interval t = {t_family:.2f} for a family-wise 5%)")
    if failures:
        print("FAIL: outside their band: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
