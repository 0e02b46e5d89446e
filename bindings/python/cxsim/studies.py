"""Calibration, sensitivity and selection: the studies ``cxsim calibrate``, ``cxsim sensitivity``
and ``cxsim select`` run, from Python, on the same C++ code (docs/studies.md).

::

    import cxsim
    base = cxsim.Scenario.from_file("scenarios/baseline.toml").with_overrides(market__population=5000)

    fit = cxsim.calibrate(base, "targets.toml", replications=4)      # fit to a firm's figures
    fit.fit; fit.parameters; fit.scenario                             # tables and the fitted Scenario

    screen = cxsim.sensitivity(fit.scenario, {"purchase.price": (40, 60), "quality.defect_rate": (0.01, 0.1)},
                               metrics=["profit"], method="morris")
    screen.indices; screen.plot_tornado()

    results = cxsim.run(scenario_with_strategies, replications=10)
    choice = results.select("profit", indifference=10_000, constraints=["service_level>=0.8"])
    choice.selected, choice.probability_correct, choice.table
"""

from __future__ import annotations

import numbers
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core
from .scenario import Scenario

__all__ = ["calibrate", "sensitivity", "read_sensitivity", "select", "Calibration", "Sensitivity", "Selection"]


def _measures(metrics: Iterable[str]) -> list[tuple[str, int, int]]:
    return [(m, 0, 0) for m in metrics]


# --- calibration -------------------------------------------------------------------------------


@dataclass
class Calibration:
    """A finished calibration.

    Attributes:
        fit: one row per target: observed, sd, fitted (mean over replications), its 95% half-width, z.
        parameters: one row per free key: fitted value, standard error, 95% interval, identified.
        scenario: the input scenario with the fitted values set.
        objective: sum of z^2 at the fitted values; degrees_of_freedom: targets - free keys.
    """

    fit: pd.DataFrame
    parameters: pd.DataFrame
    scenario: Scenario
    objective: float
    degrees_of_freedom: int
    evaluations: int

    @property
    def unidentified(self) -> list[str]:
        """Free keys the targets do not pin down (see docs/studies.md)."""
        return list(self.parameters.index[~self.parameters["identified"]])


def calibrate(scenario: Scenario, targets: str | os.PathLike[str], *, replications: int | None = None,
              budget: int = 60, starts: int = 3, threads: int = 0) -> Calibration:
    """Fits the ``[[free]]`` keys of a targets file so the scenario reproduces its ``[[target]]``
    figures, as ``cxsim calibrate`` does (common random numbers, NLopt BOBYQA from ``starts`` starts,
    Gauss-Newton intervals). Raises :class:`cxsim.ScenarioError` for a bad targets file."""
    core = scenario._core
    target_specs, free_specs = _core.load_targets(os.fspath(targets), core)
    reps = int(replications or scenario.params["run.replications"])
    if reps < 2:
        raise ValueError("calibration needs at least 2 replications per candidate")
    keys = [f["key"] for f in free_specs]
    if len(target_specs) < len(keys):
        import warnings

        warnings.warn(f"{len(keys)} free keys and {len(target_specs)} targets: the targets cannot pin down every "
                      "key; add targets or fix keys from other evidence", stacklevel=2)
    measures = [(t["metric"], t["from_day"], t["to_day"]) for t in target_specs]
    horizon = scenario.params["run.horizon_days"]
    names = [f"{t['metric']} days {t['from_day']}-{t['to_day'] or horizon}" if t["from_day"]
             else f"{t['metric']} at day {t['to_day'] or horizon}" for t in target_specs]

    def evaluate(x: Sequence[float]) -> list[list[float]]:
        return _core.run_points(core, keys, [list(x)], measures, reps, 0, threads)[0]

    free = [(f["key"], f["min"], f["max"], f["start"]) for f in free_specs]
    _core.check_box(core, keys, [f["min"] for f in free_specs], [f["max"] for f in free_specs],
                    "the [[free]] ranges", os.fspath(targets))
    r = _core.calibrate([(n, t["value"], t["sd"]) for n, t in zip(names, target_specs)], free, evaluate,
                        starts, budget, threads)
    fit = pd.DataFrame({"observed": [t["value"] for t in target_specs], "sd": [t["sd"] for t in target_specs],
                        "fitted": [t["fitted"] for t in r["targets"]],
                        "half_width": [t["half_width"] for t in r["targets"]],
                        "z": [t["z"] for t in r["targets"]]}, index=pd.Index(names, name="target"))
    params = pd.DataFrame(r["parameters"], index=pd.Index(keys, name="key"))
    fitted = scenario.with_overrides(dict(zip(keys, r["best"])))
    return Calibration(fit, params, fitted, r["objective"], r["degrees_of_freedom"], r["evaluations"])


# --- sensitivity -------------------------------------------------------------------------------


@dataclass
class Sensitivity:
    """A sensitivity study: ``indices`` has one row per (metric, key) with mu*, its interval, mu
    and sigma (Morris) or S1 and ST with intervals (Sobol'); ``points``/``outputs`` are the design
    and the replication-mean outputs."""

    method: str
    keys: list[str]
    metrics: list[str]
    indices: pd.DataFrame
    points: pd.DataFrame
    outputs: pd.DataFrame
    attributes: dict[str, Any] = field(default_factory=dict)

    def _score(self) -> str:
        return "mu_star" if self.method == "morris" else "ST"

    def plot_tornado(self, metric: str | None = None, ax: Any = None) -> Any:
        """Horizontal bars of mu* (Morris) or the total index (Sobol') with their intervals,
        largest on top: the levers that matter for ``metric`` (default: the first)."""
        import matplotlib.pyplot as plt

        from .plotting import COLOURS, plain_label

        metric = self._metric(metric)
        score = self._score()
        d = self.indices.xs(metric, level="metric").sort_values(score)
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.45 * len(d) + 1.2))
        err = np.vstack([d[score] - d[score + "_low"], d[score + "_high"] - d[score]])
        ax.barh(d.index, d[score], xerr=np.clip(err, 0, None), color=COLOURS[0], capsize=3)
        ax.set_xlabel("change over the key's whole range (mu*)" if score == "mu_star"
                      else "share of the variance, with interactions (total index)")
        ax.set_title(f"{plain_label(metric)}: which levers matter")
        ax.grid(axis="x", alpha=0.3)
        return ax

    def _metric(self, metric: str | None) -> str:
        if metric is None:
            return self.metrics[0]
        if metric not in self.metrics:
            import difflib

            close = difflib.get_close_matches(metric, self.metrics, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise KeyError(f"no metric {metric!r} in this study (it has {', '.join(self.metrics)}){hint}")
        return metric

    def plot_indices(self, metric: str | None = None, ax: Any = None) -> Any:
        """Morris: mu* against sigma (interactions or non-linearity); Sobol': S1 and ST side by side."""
        import matplotlib.pyplot as plt

        from .plotting import COLOURS, plain_label

        metric = self._metric(metric)
        d = self.indices.xs(metric, level="metric")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        if self.method == "morris":
            ax.scatter(d["mu_star"], d["sigma"], color=COLOURS[0], s=40)
            for key, row in d.iterrows():
                ax.annotate(key, (row["mu_star"], row["sigma"]), fontsize=9, xytext=(4, 4),
                            textcoords="offset points")
            ax.set_xlabel("mean effect (mu*)")
            ax.set_ylabel("spread of the effect (sigma)")
            ax.grid(alpha=0.3)
        else:
            d = d.sort_values("ST")
            y = np.arange(len(d))
            ax.barh(y - 0.2, d["S1"], height=0.4, label="first order S1", color=COLOURS[0])
            ax.barh(y + 0.2, d["ST"], height=0.4, label="total ST", color=COLOURS[1])
            ax.set_yticks(y, d.index)
            ax.set_xlabel("share of the variance")
            from .plotting import _legend_beside

            _legend_beside(ax)
        ax.set_title(f"{plain_label(metric)}: " + ("effect and its spread" if self.method == "morris"
                                                    else "Sobol' indices"))
        return ax


def _indices_frame(method: str, keys: list[str], metrics: list[str], table: Mapping[str, np.ndarray]) -> pd.DataFrame:
    rows = []
    for i, m in enumerate(metrics):
        for j, k in enumerate(keys):
            rows.append({"metric": m, "key": k, **{name: float(v[i][j]) for name, v in table.items()}})
    return pd.DataFrame(rows).set_index(["metric", "key"])


def sensitivity(scenario: Scenario, vary: Mapping[str, tuple[float, float]], metrics: Sequence[str], *,
                method: str = "morris", samples: int | None = None, replications: int | None = None,
                threads: int = 0, bootstrap: int = 1000) -> Sensitivity:
    """Morris screening or Sobol' indices of ``metrics`` (figures or metric names) over the keys in
    ``vary`` ({key: (min, max)}), as ``cxsim sensitivity`` does: every point on the same
    replications (common random numbers), seeds from the scenario's ``run.seed``."""
    if method not in ("morris", "sobol"):
        raise ValueError(f"method must be 'morris' or 'sobol', not {method!r}")
    # What `cxsim sensitivity` refuses, refused here before any simulation (not replaced by defaults).
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = list(metrics)
    if not metrics or not all(isinstance(m, str) for m in metrics):
        raise _core.InputError(f"metrics: got {metrics!r}; allowed: one or more figure or metric names")
    fewest = 4 if method == "sobol" else 1
    for name, value, low in [("samples", samples, fewest), ("replications", replications, 1)]:
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low):
            raise _core.InputError(f"{name}: got {value!r}; allowed: a whole number of at least {low}"
                                   + (" (for sobol)" if name == "samples" and method == "sobol" else ""))
    core = scenario._core
    keys = list(vary)
    if not keys:
        raise _core.InputError("vary: no keys; give {key: (min, max)} for one or more keys")
    bounds = []
    for k in keys:
        pair = vary[k]
        if not isinstance(k, str) or isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2 \
                or not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in pair):
            raise _core.InputError(f"vary[{k!r}]: got {pair!r}; allowed: a (min, max) pair of numbers for a key name")
        bounds.append((float(pair[0]), float(pair[1])))
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    _core.check_box(core, keys, lo.tolist(), hi.tolist(), "the ranges in vary")  # and the corners, as the CLI
    reps = int(replications or scenario.params["run.replications"])
    seed = int(scenario.params["run.seed"])
    measures = _measures(metrics)
    design: list[list[float]] = []

    def evaluate(unit: list[list[float]]) -> list[list[float]]:
        x = lo + np.asarray(unit) * (hi - lo)
        design.extend(x.tolist())
        values = _core.run_points(core, keys, x.tolist(), measures, reps, 0, threads)
        return [[float(np.mean(v)) for v in point] for point in values]

    if method == "morris":
        r = _core.morris(len(keys), evaluate, samples or 20, 4, seed, bootstrap, 0.95)
        table = {"mu_star": [[x["mu_star"]["value"] for x in o] for o in r["indices"]],
                 "mu_star_low": [[x["mu_star"]["low"] for x in o] for o in r["indices"]],
                 "mu_star_high": [[x["mu_star"]["high"] for x in o] for o in r["indices"]],
                 "mu": [[x["mu"] for x in o] for o in r["indices"]],
                 "sigma": [[x["sigma"] for x in o] for o in r["indices"]]}
    else:
        r = _core.sobol(len(keys), evaluate, samples or 256, seed, bootstrap, 0.95)
        table = {name: [[x[part][field_] for x in o] for o in r["indices"]]
                 for name, part, field_ in [("S1", "first", "value"), ("S1_low", "first", "low"),
                                            ("S1_high", "first", "high"), ("ST", "total", "value"),
                                            ("ST_low", "total", "low"), ("ST_high", "total", "high")]}
    return Sensitivity(method, keys, list(metrics), _indices_frame(method, keys, list(metrics), table),
                       pd.DataFrame(design, columns=keys), pd.DataFrame(r["outputs"], columns=list(metrics)),
                       {"replications": reps, "seed": seed, "min": lo.tolist(), "max": hi.tolist(),
                        "samples": samples or (20 if method == "morris" else 256)})


def read_sensitivity(path: str | os.PathLike[str]) -> Sensitivity:
    """Opens a file written by ``cxsim sensitivity`` (:class:`cxsim.ResultsError` when it is
    missing, not a regular file, not HDF5, not a complete sensitivity file, or holds what cxsim
    never writes: links, external storage, virtual datasets, shapes larger than the file,
    inconsistent sizes or values; docs/reliability.md)."""
    import stat

    path = os.fspath(path)
    try:
        # Before h5py opens it: a FIFO or device would block or never end.
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise _damaged(path, "", "not a regular file (a cxsim sensitivity file is an HDF5 file)")
        with open(path, "rb") as probe:
            if probe.read(8) != b"\x89HDF\r\n\x1a\n":
                raise _damaged(path, "", "not an HDF5 file (write one with cxsim sensitivity -o FILE.h5)")
        # HDF5 does not checksum its heaps of strings: checked (and against the digest cxsim wrote,
        # heaps_sha256) before h5py reads any text.
        _core.check_hdf5_heaps(path)
        return _read_sensitivity(path, info.st_size)
    except _core.InputError:
        raise
    except OSError as e:
        raise _damaged(path, "", f"cannot read: {e.strerror or e}") from None
    except (KeyError, ValueError, IndexError, TypeError, RuntimeError) as e:  # h5py on damaged files
        raise _damaged(path, "", f"not a complete cxsim sensitivity file ({e})") from None


def _damaged(path: str, where: str, problem: str) -> _core.ResultsError:
    """The package's error for an unreadable sensitivity file, naming the file and the object."""
    message = f"{where}: {problem}" if where else problem
    error = _core.ResultsError(f"{path}: {message}")
    error.message, error.file = message, path
    return error


_SENSITIVITY_INDICES = {"morris": ["mu_star", "mu_star_low", "mu_star_high", "mu", "sigma"],
                        "sobol": ["S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]}
# Means of absolute effects, standard deviations and sums of squares: never below 0. NaN is what
# cxsim writes when a metric has no value at some points (an empty window, no contacts), so it is
# kept; an infinity it never writes, nor a finite value beyond _LARGEST (no key's range, figure or
# index comes near it, and charts overflow on it).
_LARGEST = 1e300
_NON_NEGATIVE = {"mu_star", "mu_star_low", "mu_star_high", "sigma", "ST", "ST_low", "ST_high"}


def _member(path: str, group: Any, name: str) -> Any:
    """``group[name]`` only through a hard link: a soft, external or user-defined link is refused
    before h5py follows it, so a file cannot make the reader open another file or a FIFO."""
    import h5py

    where = f"{group.name.rstrip('/')}/{name}"
    try:
        link = group.get(name, getlink=True)
    except TypeError:  # h5py: "Unknown link type", a user-defined link
        link = "user-defined"
    if link is None:
        raise _damaged(path, where, "missing (not a complete cxsim sensitivity file)")
    if not isinstance(link, h5py.HardLink):
        kind = {h5py.SoftLink: "a soft", h5py.ExternalLink: "an external"}.get(type(link), "a user-defined")
        raise _damaged(path, where, f"{kind} link; cxsim writes only hard links and follows no other")
    return group[name]


def _dataset(path: str, group: Any, name: str, rank: int, text: bool, file_size: int) -> Any:
    """The data of ``group/name`` after checking, from its metadata alone, that cxsim could have
    written it: a dataset of ``rank`` dimensions holding text or numbers, stored in this file, and
    no larger than the file (or 2048 times it when compressed, deflate's ratio being about 1000)."""
    import h5py

    ds = _member(path, group, name)
    where = ds.name
    if not isinstance(ds, h5py.Dataset):
        raise _damaged(path, where, "not a dataset")
    if ds.is_virtual:
        raise _damaged(path, where, "a virtual dataset (its data would come from other files)")
    if ds.external:
        raise _damaged(path, where, "external storage (its data would come from another file)")
    if ds.shape is None or len(ds.shape) != rank:
        raise _damaged(path, where, f"shape {ds.shape}; expected {rank} dimension{'s' * (rank > 1)}")
    is_text = h5py.check_string_dtype(ds.dtype) is not None
    if text != is_text or (not text and ds.dtype.kind not in "fiu"):
        raise _damaged(path, where, f"of type {ds.dtype}; expected {'text' if text else 'numbers'}")
    size = ds.dtype.itemsize
    for n in ds.shape:  # Python integers: no overflow
        size *= n
    if size > file_size * (2048 if ds.compression else 1):
        raise _damaged(path, where, f"declares shape {ds.shape}, more than the file of {file_size:,} bytes holds")
    if text:
        try:
            return [v.decode() if isinstance(v, bytes) else str(v) for v in ds[()]]
        except UnicodeDecodeError:
            raise _damaged(path, where, "text that is not UTF-8 (cxsim writes names in UTF-8)") from None
    return np.asarray(ds[()], dtype=float)


def _read_sensitivity(path: str, file_size: int) -> Sensitivity:
    import h5py

    def text(v: Any) -> str:
        return v.decode() if isinstance(v, bytes) else str(v)

    def check(ok: Any, where: str, problem: str) -> None:
        if not ok:
            raise _damaged(path, where, problem)

    def not_huge(v: np.ndarray, where: str) -> None:
        with np.errstate(invalid="ignore"):
            check(not (np.abs(v) > _LARGEST).any(), where,
                  f"a value beyond {_LARGEST:g} in magnitude, which cxsim never writes")

    def whole(name: str, low: int | None) -> None:
        v = f.attrs[name]
        check(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)), f"attribute {name}",
              f"{_shown(v)}; expected a whole number")
        check(low is None or v >= low, f"attribute {name}", f"{v}; expected at least {low}")

    with h5py.File(path, "r") as f:
        check(text(f.attrs.get("format", "")) == "cxsim-sensitivity", "attribute format",
              "not a cxsim sensitivity file")
        check("format_version" in f.attrs, "attribute format_version", "missing")
        whole("format_version", None)
        check(f.attrs["format_version"] == 1, "attribute format_version",
              f"{f.attrs['format_version']}: a newer format than this cxsim reads (version 1); upgrade cxsim")
        method = f.attrs.get("method")
        check(isinstance(method, (str, bytes)) and text(method) in _SENSITIVITY_INDICES, "attribute method",
              f"{_shown(method)}; expected 'morris' or 'sobol'")
        method = text(method)
        if "level" in f.attrs:
            level = f.attrs["level"]
            check(isinstance(level, (float, np.floating)) and 0 < level < 1, "attribute level",
                  f"{_shown(level)}; expected a number in (0, 1)")
        for name, low in [("replications", 1), ("samples", 1), ("seed", None)]:
            if name in f.attrs:
                whole(name, low)
        for name in ("scenario_path", "scenario_text", "command_line"):
            if name in f.attrs:
                v = f.attrs[name]
                check(isinstance(v, (str, bytes)), f"attribute {name}", "expected text")
                try:  # h5py gives bytes that are not UTF-8 back as lone surrogates, which no page can hold
                    v.decode("utf-8") if isinstance(v, bytes) else v.encode("utf-8")
                except UnicodeError:
                    check(False, f"attribute {name}", "text that is not UTF-8 (cxsim writes UTF-8)")

        keys = _dataset(path, f, "keys", 1, True, file_size)
        metrics = _dataset(path, f, "metrics", 1, True, file_size)
        for where, names in [("/keys", keys), ("/metrics", metrics)]:
            check(names, where, "empty")
            check(all(names), where, "an empty name")
            check(len(set(names)) == len(names), where, "a name appears twice")
        k, m = len(keys), len(metrics)
        lo = _dataset(path, f, "min", 1, False, file_size)
        hi = _dataset(path, f, "max", 1, False, file_size)
        for where, v in [("/min", lo), ("/max", hi)]:
            check(v.shape == (k,), where, f"{v.shape[0]} values for {k} keys")
            check(np.isfinite(v).all(), where, "a value that is not a finite number")
            not_huge(v, where)
        check((lo < hi).all(), "/min", "a key's min is not below its max")
        points = _dataset(path, f, "points", 2, False, file_size)
        per = k + 1 if method == "morris" else k + 2  # points per trajectory or base row
        check(points.shape[1] == k, "/points", f"{points.shape[1]} columns for {k} keys")
        check(points.shape[0] > 0 and points.shape[0] % per == 0, "/points",
              f"{points.shape[0]} rows; {method} writes a multiple of {per} for {k} keys")
        if "samples" in f.attrs:
            check(points.shape[0] == f.attrs["samples"] * per, "/points",
                  f"{points.shape[0]} rows; {f.attrs['samples']} samples of {method} give {f.attrs['samples'] * per}")
        check(np.isfinite(points).all(), "/points", "a value that is not a finite number")
        not_huge(points, "/points")
        # Every point is drawn inside the box (min + u (max - min), u in [0, 1]: up to rounding).
        slack = 1e-9 * (hi - lo)
        check(((points >= lo - slack) & (points <= hi + slack)).all(), "/points",
              "a point outside /min../max, which cxsim never draws")
        outputs = _dataset(path, f, "outputs", 2, False, file_size)
        check(outputs.shape == (len(points), m), "/outputs",
              f"shape {outputs.shape}; expected {len(points)} points x {m} metrics, as /points and /metrics")
        check(not np.isinf(outputs).any(), "/outputs", "an infinite value")
        not_huge(outputs, "/outputs")
        group = _member(path, f, "indices")
        check(isinstance(group, h5py.Group), "/indices", "not a group")
        table = {}
        for name in _SENSITIVITY_INDICES[method]:  # only these: nothing else in the group is opened
            v = _dataset(path, group, name, 2, False, file_size)
            where = f"/indices/{name}"
            check(v.shape == (m, k), where, f"shape {v.shape}; expected {m} metrics x {k} keys")
            check(not np.isinf(v).any(), where, "an infinite value")
            not_huge(v, where)
            check(name not in _NON_NEGATIVE or not (v < 0).any(), where, "a negative value, which it cannot be")
            table[name] = v
        attrs = {a: (text(v) if isinstance(v, (bytes, str)) else v) for a, v in f.attrs.items()}
        attrs["min"] = lo.tolist()
        attrs["max"] = hi.tolist()
        return Sensitivity(method, keys, metrics, _indices_frame(method, keys, metrics, table),
                           pd.DataFrame(points, columns=keys), pd.DataFrame(outputs, columns=metrics), attrs)


def _shown(value: Any) -> str:
    shown = repr(value.decode(errors="replace") if isinstance(value, bytes) else value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


# --- selection ---------------------------------------------------------------------------------


@dataclass
class Selection:
    """The outcome of :meth:`Results.select`: ``selected`` (None when no strategy is declared
    feasible; when ``finished`` is False, the best mean so far, with ``probability_correct`` 0 and
    ``more_replications_needed`` saying how many more would settle it), ``table`` (one row per
    strategy) and the procedure's figures in ``details``."""

    selected: str | None
    finished: bool
    probability_correct: float
    more_replications_needed: int
    table: pd.DataFrame
    details: dict[str, Any]


_CONSTRAINT = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(>=|<=)\s*([-+0-9.eE]+)\s*$")


def select(results: Any, objective: str = "profit", *, indifference: float, maximize: bool = True,
           constraints: Sequence[str] = (), confidence: float = 0.95, first_stage: int = 10,
           max_replications: int = 200, rerun: bool = True, threads: int = 0) -> Selection:
    """Kim-Nelson selection of the best strategy of ``results`` (see :meth:`Results.select`)."""
    names = results.strategies
    parsed = []
    for c in constraints:
        m = _CONSTRAINT.match(c)
        if not m:
            raise _core.InputError(f"constraint {c!r}: write FIGURE>=VALUE or FIGURE<=VALUE")
        parsed.append((m.group(1), m.group(2) == ">=", float(m.group(3))))
    figures = [objective] + [p[0] for p in parsed]
    available = results.replications
    data = [np.array([results.key_figures(n, f)[f].to_numpy() for f in figures]) for n in names]
    for j, f in enumerate(figures):
        if all(np.isnan(d[j]).all() for d in data):
            raise _core.InputError(f"{f!r} has no value at day {results.days} of these results: "
                                   f"{_core.find_figure(f)['definition']}")
    # Re-runs need the scenario the results came from (cxsim.load rebuilt it from the file's copy).
    scenario = results.scenario if rerun else None
    if rerun and scenario is None and results._scenario_problem and results.path:
        error = _core.ResultsError(f"{results._scenario_problem}: its strategies cannot be re-run; "
                                   "rerun=False selects from the file's replications")
        error.file = results.path
        raise error
    extra: dict[int, np.ndarray] = {}

    def sampler(systems: list[int], first: int, count: int) -> list[list[list[float]]]:
        out = []
        need = first + count
        if need > available:
            missing = [s for s in systems if s not in extra or extra[s].shape[1] < need - available]
            if missing:
                got = _core.rerun_strategies(scenario._core, [names[s] for s in missing], available,
                                             need - available + 8, [(f, 0, 0) for f in figures], threads)
                for s, values in zip(missing, got):
                    extra[s] = np.array(values)
        for s in systems:
            full = data[s] if s not in extra else np.hstack([data[s], extra[s]])
            out.append(full[:, first:first + count].tolist())
        return out

    can = bool(rerun and scenario is not None)
    r = _core.select_best(len(names), len(figures), maximize, indifference, confidence,
                          [(i + 1, p[1], p[2]) for i, p in enumerate(parsed)], first_stage, max_replications,
                          sampler, available, can)
    table = pd.DataFrame(r["systems"], index=pd.Index(names, name="strategy"))
    selected = names[r["selected"]] if r["selected"] >= 0 else None
    return Selection(selected, r["finished"],
                     r["probability_correct"], r["more_replications_needed"], table, r)
