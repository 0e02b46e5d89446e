"""Running scenarios from Python."""

from __future__ import annotations

import os
from typing import Callable, Sequence, Union

from . import _core
from ._progress import ProgressBar
from .results import Results
from .scenario import Scenario

__all__ = ["run"]


def run(
    scenario: Union[Scenario, str, "os.PathLike[str]"],
    replications: int | None = None,
    threads: int | None = None,
    seed: int | None = None,
    progress: Union[bool, Callable[[int, int], object]] = True,
    output: Union[str, "os.PathLike[str]", None] = None,
    strategies: Sequence[str] | None = None,
    precision: float | None = None,
    max_replications: int = 100,
    precision_figures: Sequence[str] = (),
) -> Results:
    """Runs a scenario, with all its strategies and sweep points, and returns its :class:`Results`.

    Exactly what ``cxsim run`` does: the baseline, then every ``[[strategy]]`` of the scenario, then
    every ``[sweep]`` point, all on the same random numbers (common random numbers), so that
    ``results.compare()`` gives paired differences.

    Args:
        scenario: a :class:`Scenario`, or the path of a scenario file (TOML), e.g.
            ``"scenarios/baseline.toml"``.
        replications: independent replications (default: the scenario's ``run.replications``).
            Use 10 or more before reading differences between strategies.
        threads: worker threads (default: all cores). Results do not depend on it.
        seed: master seed (default: the scenario's ``run.seed``). The same scenario and seed
            give bit-identical results, here and with ``cxsim run``.
        progress: True shows a progress bar (in Jupyter, or on a terminal's stderr); False shows
            nothing; a callable ``progress(done, total)`` is called a few times a second with
            customer-days done and in all.
        output: also write the results file here (HDF5, as ``cxsim run -o``), only once the run
            has finished.
        strategies: run only these (names from ``scenario.strategies``, e.g.
            ``["baseline", "phone+1"]``); default: all of them.
        precision: add replications until the 95% interval of every strategy's difference from
            the baseline is within +/- this fraction of the baseline's value (0.01: 1%), as
            ``cxsim run --precision``; ``attributes["precision"]`` says what was reached.
        max_replications: the cap for ``precision``.
        precision_figures: the figures ``precision`` checks (default: profit and 12-month retention, or
            monthly churn for runs shorter than a year; profit alone up to 30 days).

    Returns:
        Results: daily series of every metric per replication, with summary, comparison,
        plotting and saving methods.

    The simulation runs with the GIL released, so other Python threads keep running. Ctrl-C (or
    interrupting the Jupyter kernel) stops it within a fraction of a second and raises
    ``KeyboardInterrupt``; nothing is returned and nothing is written.

    Raises:
        ScenarioError: the scenario cannot be run (bad values, an unreadable edge-list file).
        KeyboardInterrupt: the run was interrupted.

    Example::

        scenario = cxsim.Scenario.from_file("scenarios/baseline.toml")
        results = cxsim.run(scenario.with_overrides({"market.population": 20_000}),
                            replications=5, seed=42)
    """
    if not isinstance(scenario, Scenario):
        scenario = Scenario.from_file(scenario)
    call = [repr(scenario.path)]
    overrides: dict[str, int] = {}
    if replications is not None:
        overrides["run.replications"] = int(replications)
        call.append(f"replications={int(replications)}")
    if seed is not None:
        overrides["run.seed"] = int(seed)
        call.append(f"seed={int(seed)}")
    if threads is not None:
        call.append(f"threads={int(threads)}")
    if strategies is not None:
        strategies = [strategies] if isinstance(strategies, str) else list(strategies)
        call.append(f"strategies={strategies!r}")
    if precision:
        call.append(f"precision={float(precision)!r}, max_replications={int(max_replications)}")
    scenario = scenario.with_overrides(overrides)
    if scenario.overrides:
        call.insert(1, "overrides=[" + ", ".join(repr(a) for a in scenario.overrides) + "]")
    command_line = "python: cxsim.run(" + ", ".join(call) + ")"

    task = None
    if callable(progress):
        callback, bar = progress, None
    elif progress:
        bar = ProgressBar(replications=0 if precision else int(scenario.params["run.replications"]))
        callback = bar if bar.enabled else None
        task = bar.task if bar.enabled else None
    else:
        callback, bar = None, None
    try:
        data = _core.run(scenario._core, threads=int(threads or 0), progress=callback, strategies=strategies,
                         precision=float(precision or 0.0), max_replications=int(max_replications),
                         precision_figures=list(precision_figures), task=task)
    finally:
        if bar is not None:
            bar.close()
    results = Results._from_run(data, scenario, command_line)
    if output is not None:
        results.save(output)
    return results
