#!/usr/bin/env python3
"""Writes a calibration targets file from a results file: the firm's "observed" figures are the
window means of daily series in a run with known parameter values (used by test_studies.sh and
the studies notebook to check that `cxsim calibrate` recovers those values).

usage: make_targets.py RESULTS.h5 OUT.toml FROM_DAY TO_DAY METRIC[,METRIC...] FREE_KEY:MIN:MAX ...
The sd of each target is the spread between the run's replications (at least 1% of the value).
"""
import sys

import h5py
import numpy as np


def main() -> None:
    results, out, first, last, metrics = sys.argv[1:6]
    free = sys.argv[6:]
    first, last = int(first), int(last)
    lines = [f"# Targets from {results}, days {first}-{last} (written by tests/cli/make_targets.py)\n"]
    with h5py.File(results, "r") as f:
        series = f["strategies/baseline/series"]
        for metric in metrics.split(","):
            block = np.asarray(series[metric])[:, first - 1:last]  # [replication, day]
            per_rep = np.nanmean(block, axis=1)
            value = float(np.mean(per_rep))
            sd = max(float(np.std(per_rep, ddof=1)) if len(per_rep) > 1 else 0.0, 0.01 * abs(value), 1e-6)
            lines.append(f'[[target]]\nmetric = "{metric}"\nfrom_day = {first}\nto_day = {last}\n'
                         f"value = {value!r}\nsd = {sd!r}\n")
    for spec in free:
        key, low, high = spec.split(":")
        lines.append(f'[[free]]\nkey = "{key}"\nmin = {float(low)!r}\nmax = {float(high)!r}\n')
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


if __name__ == "__main__":
    main()
