"""cxsim: agent-based customer-experience simulation from Python.

Simulate how service speed, quality and price move loyalty, word of mouth and money, then
explore the results with NumPy, pandas and matplotlib::

    import cxsim

    scenario = cxsim.Scenario.from_file("scenarios/baseline.toml")
    results = cxsim.run(scenario.with_overrides({"market.population": 20_000}),
                        replications=5, seed=1)
    results.summary()                      # key figures with 95% intervals
    results.plot("active_customers")       # fan chart over replications
    results.timeseries("nps")              # tidy pandas DataFrame
    results.save("baseline.h5")            # the same HDF5 file `cxsim run` writes

    cxsim.load("baseline.h5")              # a file written by the CLI, as the same Results

Main entry points: :class:`Scenario`, :func:`run`, :func:`load`, :class:`Results`,
:func:`parameters`, :func:`metrics` and :func:`figures` (the registries), :mod:`cxsim.erlang` (queueing formulas),
``python3 -m cxsim report results.h5 -o report.html`` (an HTML report for planning meetings).
Errors in scenarios raise :class:`ScenarioError` (a ``ValueError`` with ``file``, ``line``,
``column`` and ``key``); unreadable results files raise :class:`ResultsError`.
"""

from __future__ import annotations

try:
    from . import _core
except ImportError as _error:  # pragma: no cover - depends on the installation
    raise ImportError(
        "cxsim's compiled module (_core) is missing or was built for another Python. Build it with "
        "`cmake --preset release && cmake --build --preset release` and use Debian's "
        f"/usr/bin/python3 (this is {__import__('sys').executable}). Cause: {_error}"
    ) from _error

from ._core import InputError, ResultsError, ScenarioError
from .registry import figures, metrics, parameters
from .results import Results, load
from .runner import run
from .scenario import Scenario
from .studies import calibrate, read_sensitivity, sensitivity
from . import erlang

__version__: str = _core.__version__
__git_sha__: str = _core.git_sha

__all__ = [
    "Scenario",
    "run",
    "load",
    "Results",
    "parameters",
    "metrics",
    "figures",
    "calibrate",
    "sensitivity",
    "read_sensitivity",
    "erlang",
    "InputError",
    "ScenarioError",
    "ResultsError",
    "__version__",
]
