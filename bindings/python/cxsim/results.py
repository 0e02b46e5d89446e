"""Results of a run: daily series per strategy and replication, as NumPy arrays (views of the
C++ buffers, no copies) and tidy pandas frames, with summaries, comparisons, plots and saving."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .scenario import Scenario

__all__ = ["Results", "Metric", "load"]


@dataclass(frozen=True)
class Metric:
    """One daily metric: its name, unit, kind (stock, flow or ratio) and description."""

    name: str
    unit: str
    kind: str
    description: str


class MetricTable(dict):
    """``{name: Metric}`` in registry order; shows as a table in Jupyter."""

    def to_frame(self) -> pd.DataFrame:
        """The metrics as a DataFrame indexed by name."""
        return pd.DataFrame([vars(m) for m in self.values()]).set_index("name")

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()


class _Strategy:
    __slots__ = ("name", "kind", "description", "overrides", "interventions", "sweep_values", "replications",
                 "days", "series", "metrics", "customer_replications", "has_episodes", "series_by_segment")

    def __init__(self, d: Mapping[str, Any]) -> None:
        self.name: str = d["name"]
        self.kind: str = d.get("kind", "baseline")
        self.description: str = d.get("description", "")
        self.overrides: dict[str, str] = dict(d.get("overrides", {}))
        self.interventions: list[dict[str, Any]] = [dict(i) for i in d.get("interventions", [])]
        self.sweep_values: dict[str, float] = dict(d.get("sweep_values", {}))
        self.replications: int = int(d["replications"])
        self.days: int = int(d["days"])
        self.series: dict[str, np.ndarray] = {}
        for name, array in d["series"].items():
            array.setflags(write=False)  # views of shared buffers: copy() to modify
            self.series[name] = array
        self.metrics = MetricTable((m["name"], Metric(**m)) for m in d["metrics"])
        self.customer_replications = int(d.get("customer_replications", 0))
        self.has_episodes = bool(d.get("has_episodes", False))
        # output.by_segment: {metric: [replication, day, segment]}; empty without the split.
        self.series_by_segment: dict[str, np.ndarray] = {}
        for name, array in d.get("series_by_segment", {}).items():
            array.setflags(write=False)
            self.series_by_segment[name] = array


def _figures(figures: str | Iterable[str] | None) -> list[dict[str, Any]]:
    """Figure descriptions from the C++ registry: the key figures by default, else by id, column
    or any metric name."""
    if figures is None:
        return [f for f in _core.builtin_figures() if f["key"]]
    if isinstance(figures, str):
        figures = [figures]
    return [_core.find_figure(f) for f in figures]


def _figure_names(figures: str | Iterable[str] | None) -> list[str]:
    if figures is None:
        return []
    return [figures] if isinstance(figures, str) else list(figures)


def _did_you_mean(kind: str, name: str, known: Iterable[str]) -> str:
    """ "no metric 'asa'; did you mean 'asa_s'? (see ...)" as the CLI words it."""
    import difflib

    known = list(known)
    close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.5)
    if not close:
        close = [k for k in known if str(name).lower() in k.lower()][:3]
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"no {kind} {name!r}{hint}"


def _check_day(at_day: int | None, days: int) -> int:
    """at_day as the CLI takes --at-day: days elapsed, 1 to the horizon; None: the horizon."""
    if at_day is None:
        return 0
    if isinstance(at_day, bool) or not isinstance(at_day, (int, np.integer)) or not 1 <= int(at_day) <= days:
        raise _core.InputError(f"day {at_day!r} is outside the run; allowed: 1 to {days} (days elapsed, as "
                               "cxsim compare --at-day), or None for the horizon")
    return int(at_day)


def _interval(values: np.ndarray, level: float) -> tuple[float, float, int]:
    """(mean, half-width, n) of a Student t interval, NaNs skipped; the C++ implementation."""
    mean, half, n = _core.confidence_interval(np.asarray(values, dtype=float).tolist(), level)
    return mean, half, n


class Results:
    """The results of a run (from :func:`cxsim.run`) or of a results file (from :func:`cxsim.load`).

    Every metric is recorded daily for each strategy and replication:

    - :meth:`series` gives one metric as a NumPy array ``[replication, day]`` (a read-only view
      of the data, no copy);
    - :meth:`timeseries` gives tidy pandas rows (strategy, replication, day, metric, value, unit);
    - :meth:`summary` gives key figures (retention, NPS, profit, ...) with confidence intervals;
    - :meth:`compare` gives paired differences of each strategy against a baseline;
    - :meth:`plot` draws fan charts, :meth:`plot_comparison` difference charts;
    - :meth:`save` writes the HDF5 results file ``cxsim run`` writes.

    Attributes:
        strategies: strategy names, in file order (``["baseline"]`` for a single run).
        metrics: ``{name: Metric}`` with unit, kind and description of every metric.
        attributes: provenance (cxsim version, git SHA, seed, scenario text, timings, ...).
        parameters: the resolved parameters of the baseline, ``{"section.name": value}``.
        plans: what each strategy changes (kind, description, overrides, interventions).
        sweep_keys: the swept parameters, if the scenario has a ``[sweep]``.
        path: the file it was loaded from or last saved to (None otherwise).
    """

    def __init__(self, data: Mapping[str, Any], handle: Any = None, scenario: "Scenario | None" = None,
                 path: str | None = None) -> None:
        """Internal: use :func:`cxsim.run` or :func:`cxsim.load`."""
        self._handle = handle
        self._scenario = scenario
        self._scenario_problem: str | None = None  # why a file's stored scenario did not read
        self.path: str | None = path
        self.attributes: dict[str, Any] = dict(data["attributes"])
        self.parameters: dict[str, Any] = dict(data["parameters"])
        self.segments: list[dict[str, Any]] = [dict(s) for s in data["segments"]]
        self.sweep_keys: list[str] = list(data.get("sweep_keys", []))
        self._strategies: dict[str, _Strategy] = {}
        for s in data["strategies"]:
            strategy = _Strategy(s)
            self._strategies[strategy.name] = strategy
        if not self._strategies:
            raise ValueError("results without any strategy")

    @classmethod
    def _from_run(cls, handle: Any, scenario: "Scenario", command_line: str) -> "Results":
        results = cls(handle.to_dict(), handle=handle, scenario=scenario)
        results.attributes.update(command_line=command_line, scenario_path=scenario.path,
                                  scenario_text=scenario.text)
        return results

    @classmethod
    def combine(cls, parts: Mapping[str, "Results"]) -> "Results":
        """Several single-strategy results as one multi-strategy Results, named by the keys.

        For comparing separate runs of variants of a scenario: run each with the same seed and
        replications, so that replication r of every run uses the same random numbers for every
        customer the variant does not touch (common random numbers), then
        ``Results.combine({"baseline": a, "faster service": b}).compare()``. The first is the
        default baseline.

        Raises:
            ValueError: the parts differ in replications or days, or one has several strategies.
        """
        if not parts:
            raise ValueError("nothing to combine")
        first = next(iter(parts.values()))
        combined = cls.__new__(cls)
        combined._handle = None
        combined._scenario = None
        combined._scenario_problem = None
        combined.path = None
        combined.attributes = dict(first.attributes)
        combined.parameters = dict(first.parameters)
        combined.segments = list(first.segments)
        combined.sweep_keys = []
        combined._strategies = {}
        for name, part in parts.items():
            if len(part._strategies) != 1:
                raise ValueError(f"{name!r} has several strategies; combine single-strategy results")
            if (part.replications, part.days) != (first.replications, first.days):
                raise ValueError(f"{name!r} has {part.replications} replications x {part.days} days, the first "
                                 f"{first.replications} x {first.days}: paired comparisons need the same")
            if part.attributes.get("seed") != first.attributes.get("seed"):
                import warnings

                warnings.warn(f"{name!r} was run with another seed: its differences are not paired "
                              "(no common random numbers) and intervals will be wide", stacklevel=2)
            strategy = next(iter(part._strategies.values()))
            clone = _Strategy.__new__(_Strategy)
            for slot in _Strategy.__slots__:
                setattr(clone, slot, getattr(strategy, slot))
            clone.name = str(name)
            clone.customer_replications = 0
            combined._strategies[clone.name] = clone
        combined.attributes["strategies_from"] = {name: p.attributes.get("command_line", "") for name, p in parts.items()}
        return combined

    # --- what is in it ------------------------------------------------------------------------

    @property
    def strategies(self) -> list[str]:
        """Strategy names in file order."""
        return list(self._strategies)

    @property
    def baseline(self) -> str:
        """The default baseline: ``"baseline"`` if there is one, else the first strategy."""
        return "baseline" if "baseline" in self._strategies else next(iter(self._strategies))

    @property
    def metrics(self) -> MetricTable:
        """``{name: Metric}`` in registry order; ``.to_frame()`` for a table."""
        return self._strategies[self.baseline].metrics

    @property
    def replications(self) -> int:
        """Replications per strategy."""
        return self._strategies[self.baseline].replications

    @property
    def days(self) -> int:
        """Simulated days."""
        return self._strategies[self.baseline].days

    @property
    def scenario(self) -> "Scenario | None":
        """The Scenario that was run: for a loaded file, its scenario text with the recorded
        parameters (``--set`` overrides included); re-run or vary it with :func:`cxsim.run` and
        :meth:`Scenario.with_overrides`. None for combined results."""
        return self._scenario

    def _strategy(self, strategy: str | None) -> _Strategy:
        name = self.baseline if strategy is None else strategy
        try:
            return self._strategies[name]
        except KeyError:
            raise KeyError(f"{_did_you_mean('strategy', name, self._strategies)} (strategies: "
                           f"{', '.join(self._strategies)})") from None

    def _strategy_names(self, strategy: str | Sequence[str] | None) -> list[str]:
        if strategy is None:
            return self.strategies
        if isinstance(strategy, str):
            return [self._strategy(strategy).name]
        return [self._strategy(s).name for s in strategy]

    @property
    def segment_names(self) -> list[str]:
        """The customer segments' names, in scenario order (the ``segment`` labels of the split)."""
        return [str(s.get("name", i)) for i, s in enumerate(self.segments)]

    @property
    def has_segments(self) -> bool:
        """Whether every strategy has its series split by segment (``[output] by_segment = true``)."""
        return all(s.series_by_segment for s in self._strategies.values())

    def _require_segments(self) -> None:
        if not self.has_segments:
            raise _core.InputError("these results have no series by segment: re-run with [output] by_segment = "
                                   "true (or --set output.by_segment=true)")

    def _segment_index(self, segment: str) -> int:
        names = self.segment_names
        if segment not in names:
            raise KeyError(f"{_did_you_mean('segment', segment, names)} (segments: {', '.join(names)})")
        return names.index(segment)

    # --- data -----------------------------------------------------------------------------------

    def series(self, metric: str, strategy: str | None = None, *, by_segment: bool = False,
               segment: str | None = None) -> np.ndarray:
        """One metric as a float64 array ``[replication, day]`` (read-only, no copy).

        Args:
            metric: a metric name, e.g. ``"active_customers"``, ``"nps"``, ``"profit"`` (see
                :attr:`metrics`).
            strategy: which strategy (default: the baseline).
            by_segment: the metric split by customer segment, ``[replication, day, segment]``
                (segments in the order of :attr:`segment_names`); needs a run with
                ``[output] by_segment = true``. Flows and stocks are each segment's part of the
                total; ratios are over the segment's customers; contact-centre queue figures,
                ``service_cost``, ``profit`` and ``clv`` have no segment and are NaN.
            segment: one segment's series by name, ``[replication, day]`` (implies the split).

        Flows (``kind == "flow"``) are per day: ``series("revenue").sum(axis=1)`` is each
        replication's total. Missing values are NaN (e.g. ``csat`` on days without answers).
        """
        s = self._strategy(strategy)
        if by_segment or segment is not None:
            self._require_segments()
            try:
                split = s.series_by_segment[metric]
            except KeyError:
                raise KeyError(f"{_did_you_mean('metric', metric, s.series)} (see Results.metrics)") from None
            return split if segment is None else split[:, :, self._segment_index(segment)]
        try:
            return s.series[metric]
        except KeyError:
            raise KeyError(f"{_did_you_mean('metric', metric, s.series)} (see Results.metrics)") from None

    def timeseries(self, metric: str | Sequence[str] | None = None,
                   strategy: str | Sequence[str] | None = None, *, by_segment: bool = False) -> pd.DataFrame:
        """Daily values as a tidy DataFrame: strategy, replication, day, metric, value, unit
        (strategy, metric and unit categorical). Days run from 1 to :attr:`days`, as ``at_day``
        and ``cxsim compare --at-day`` count them (docs/reports-and-charts.md): day d is
        ``series(metric)[:, d - 1]``.

        Args:
            metric: one metric name, a list of them, or None for all.
            strategy: one strategy, a list, or None for all.

        With ``by_segment=True`` (a run with ``[output] by_segment = true``) there is a
        categorical ``segment`` column after ``day``, one row per segment (see :meth:`series`).

        Example::

            df = results.timeseries("nps")
            df.groupby(["strategy", "day"]).value.mean().unstack(0).plot()
        """
        names = self._strategy_names(strategy)
        metrics = self._metric_names(metric)
        if by_segment:
            return self._timeseries_by_segment(metrics, names)
        columns = ["strategy", "replication", "day", "metric", "value", "unit"]
        if not names or not metrics:
            return pd.DataFrame(columns=columns)
        blocks = [self.series(m, name) for name in names for m in metrics]
        reps, days = self.replications, self.days
        cell = reps * days
        n = len(blocks) * cell
        labels = self._tidy_labels(metrics, names, cell)
        return pd.DataFrame({
            "strategy": labels["strategy"],
            "replication": np.tile(np.repeat(np.arange(reps, dtype=np.int32), days), len(blocks)),
            "day": np.tile(np.arange(1, days + 1, dtype=np.int32), reps * len(blocks)),
            "metric": labels["metric"],
            "value": np.concatenate([b.reshape(-1) for b in blocks]) if n else np.empty(0),
            "unit": labels["unit"],
        }, columns=columns)

    def _tidy_labels(self, metrics: list[str], names: list[str], cell: int) -> dict[str, pd.Categorical]:
        """The strategy, metric and unit columns of a tidy frame whose values are the blocks
        series(metric, name) for each name, then each metric, each ``cell`` values long."""
        units = {m: self.metrics[m].unit if m in self.metrics else "" for m in metrics}
        unit_names = list(dict.fromkeys(units.values()))
        strategy_codes = np.repeat(np.arange(len(names), dtype=np.int16), len(metrics) * cell)
        metric_codes = np.tile(np.repeat(np.arange(len(metrics), dtype=np.int16), cell), len(names))
        unit_of_metric = np.array([unit_names.index(units[m]) for m in metrics], dtype=np.int16)
        return {"strategy": pd.Categorical.from_codes(strategy_codes, categories=names),
                "metric": pd.Categorical.from_codes(metric_codes, categories=metrics),
                "unit": pd.Categorical.from_codes(unit_of_metric[metric_codes], categories=unit_names)}

    def _timeseries_by_segment(self, metrics: list[str], names: list[str]) -> pd.DataFrame:
        self._require_segments()
        columns = ["strategy", "replication", "day", "segment", "metric", "value", "unit"]
        segments = self.segment_names
        reps, days, k = self.replications, self.days, len(segments)
        blocks = [self.series(m, name, by_segment=True) for name in names for m in metrics]
        if not blocks:
            return pd.DataFrame(columns=columns)
        cell = reps * days * k
        labels = self._tidy_labels(metrics, names, cell)
        return pd.DataFrame({
            "strategy": labels["strategy"],
            "replication": np.tile(np.repeat(np.arange(reps, dtype=np.int32), days * k), len(blocks)),
            "day": np.tile(np.repeat(np.arange(1, days + 1, dtype=np.int32), k), reps * len(blocks)),
            "segment": pd.Categorical.from_codes(np.tile(np.arange(k, dtype=np.int16), reps * days * len(blocks)),
                                                 categories=segments),
            "metric": labels["metric"],
            "value": np.concatenate([b.reshape(-1) for b in blocks]),
            "unit": labels["unit"],
        }, columns=columns)

    def _metric_names(self, metric: str | Sequence[str] | None) -> list[str]:
        if metric is None:
            return list(self.metrics)
        metrics = [metric] if isinstance(metric, str) else list(metric)
        for m in metrics:
            if m not in self._strategies[self.baseline].series:
                raise KeyError(f"{_did_you_mean('metric', m, self.metrics)} (see Results.metrics)")
        return metrics

    def monthly(self, metric: str | Sequence[str], strategy: str | Sequence[str] | None = None,
                partial: bool = False) -> pd.DataFrame:
        """Calendar-month values, one row per (strategy, replication, month): flows summed over
        the month, stocks and ratios averaged. Day 1 is ``run.start_date`` (when not set, 1
        January 2001, a year without 29 February). Months the run covers only in part (the first
        and last, unless the run starts on the 1st or ends on a month's last day) are left out
        unless ``partial=True``: a 9-day stub is not a collapse.

        Columns: strategy, replication, month (a ``pandas.Period``), days (days of the month in
        the run), metric, value.
        """
        names = self._strategy_names(strategy)
        metrics = self._metric_names(metric)
        start = np.datetime64(str(self.parameters.get("run.start_date") or "") or "2001-01-01", "D")
        dates = start + np.arange(self.days).astype("timedelta64[D]")
        months = dates.astype("datetime64[M]")
        labels, first, counts = np.unique(months, return_index=True, return_counts=True)
        full = ((labels + 1).astype("datetime64[D]") - labels.astype("datetime64[D]")).astype(int)
        keep = np.ones(len(labels), dtype=bool) if partial else counts == full
        frames = []
        for name in names:
            for m in metrics:
                values = self.series(m, name)
                flow = self.metrics[m].kind == "flow" if m in self.metrics else False
                with np.errstate(invalid="ignore"):
                    import warnings

                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", RuntimeWarning)
                        reduce = np.nansum if flow else np.nanmean
                        per_month = np.stack([reduce(values[:, f:f + c], axis=1) for f, c in zip(first, counts)],
                                             axis=1)
                for k in np.nonzero(keep)[0]:
                    frames.append(pd.DataFrame({
                        "strategy": name, "replication": np.arange(values.shape[0]),
                        "month": pd.Period(str(labels[k]), freq="M"), "days": int(counts[k]), "metric": m,
                        "value": per_month[:, k]}))
        if not frames:
            return pd.DataFrame(columns=["strategy", "replication", "month", "days", "metric", "value"])
        out = pd.concat(frames, ignore_index=True)
        for column in ("strategy", "metric"):
            out[column] = out[column].astype("category")
        return out

    def wide(self, metric: str | Sequence[str] | None = None,
             strategy: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Daily values with one column per metric, indexed by (strategy, replication, day):
        the wide view of :meth:`timeseries` (days 1 to :attr:`days`, as everywhere)."""
        names = self._strategy_names(strategy)
        metrics = self._metric_names(metric)
        reps, days = self.replications, self.days
        index = pd.MultiIndex.from_product(
            [pd.CategoricalIndex(names, categories=names), np.arange(reps), np.arange(1, days + 1)],
            names=["strategy", "replication", "day"])
        data = {m: np.concatenate([self.series(m, n).reshape(-1) for n in names]) for m in metrics}
        df = pd.DataFrame(data, index=index)
        df.attrs["units"] = {m: self.metrics[m].unit for m in metrics if m in self.metrics}
        return df

    def to_xarray(self, metric: str | Sequence[str] | None = None,
                  strategy: str | Sequence[str] | None = None, *, by_segment: bool = False) -> Any:
        """The daily series as an ``xarray.Dataset``: one variable per metric with dimensions
        strategy x replication x day (days 1 to :attr:`days`; a ``date`` coordinate too when
        ``run.start_date`` is set), each variable's ``unit``, ``kind`` and ``description`` in
        its attributes and the provenance in the dataset's. With ``by_segment=True`` a fourth
        dimension ``segment`` (labelled by :attr:`segment_names`) holds the split (see :meth:`series`)."""
        import xarray as xr

        names = self._strategy_names(strategy)
        metrics = self._metric_names(metric)
        coords: dict[str, Any] = {"strategy": names, "replication": np.arange(self.replications),
                                  "day": np.arange(1, self.days + 1)}
        start = self.parameters.get("run.start_date") or ""
        if start:
            coords["date"] = ("day", np.datetime64(str(start)) + np.arange(self.days).astype("timedelta64[D]"))
        dims: tuple[str, ...] = ("strategy", "replication", "day")
        if by_segment:
            self._require_segments()
            coords["segment"] = self.segment_names
            dims = dims + ("segment",)
        variables = {}
        for m in metrics:
            data = np.stack([self.series(m, n, by_segment=by_segment) for n in names])
            info = self.metrics.get(m)
            attrs = {"unit": info.unit, "kind": info.kind, "description": info.description} if info else {}
            variables[m] = (dims, data, attrs)
        attrs = {k: v for k, v in self.attributes.items() if isinstance(v, (str, int, float))}
        return xr.Dataset(variables, coords=coords, attrs=attrs)

    def _run_payload(self, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The strategies as _core's compare and summary functions take them (arrays, no copies)."""
        out = []
        for name in names or self.strategies:
            s = self._strategy(name)
            out.append({"name": s.name, "description": s.description, "sweep_values": s.sweep_values,
                        "series": s.series})
        return out

    def select(self, objective: str = "profit", *, indifference: float, maximize: bool = True,
               constraints: Sequence[str] = (), confidence: float = 0.95, first_stage: int = 10,
               max_replications: int = 200, rerun: bool = True, threads: int = 0) -> Any:
        """Which strategy is best on ``objective`` subject to ``constraints`` (``"service_level>=0.8"``),
        with probability at least ``confidence`` of a correct selection when the best is at least
        ``indifference`` better than the others: Bonferroni feasibility checks, then Kim and Nelson's
        (2001) KN on the paired replications (common random numbers), as ``cxsim select`` does.
        With ``rerun`` (and the scenario known) more replications are simulated where needed;
        otherwise the result says how many more it needs. Returns a :class:`cxsim.studies.Selection`."""
        from .studies import select

        return select(self, objective, indifference=indifference, maximize=maximize, constraints=constraints,
                      confidence=confidence, first_stage=first_stage, max_replications=max_replications,
                      rerun=rerun, threads=threads)

    def key_figures(self, strategy: str | None = None, figures: str | Iterable[str] | None = None,
                    at_day: int | None = None, *, segment: str | None = None) -> pd.DataFrame:
        """Key figures per replication: one row per replication, one column per figure.

        A figure is a final value (``retention``, ``clv``), a total (``revenue``, ``profit``) or an
        average over the last 30 days (``asa``, ``csat``): the definitions ``cxsim compare`` uses
        (``cxsim.figures()`` lists them). Any metric name works too (its total for flows, else its
        value at the day). ``at_day`` (days elapsed, 1 to :attr:`days`) takes them at that day
        instead of at the end of the horizon. ``segment`` reads the figures of one customer
        segment (a run with ``[output] by_segment = true``; see :meth:`series`).
        """
        s = self._strategy(strategy)
        source = s.series
        if segment is not None:
            self._require_segments()
            k = self._segment_index(segment)
            source = {m: a[:, :, k] for m, a in s.series_by_segment.items()}
        data = {}
        for f in _figures(figures):
            needed = {m: source[m] for m in (f["metric"], f["denominator"]) if m and m in source}
            if not needed:  # a file without this figure's metrics: NaN, as for a missing metric
                needed = {"_days": np.full((s.replications, s.days), np.nan)}
            data[f["id"]] = _core.figure_values(f["id"], needed, _check_day(at_day, s.days))
        return pd.DataFrame(data, index=pd.RangeIndex(s.replications, name="replication"))

    def summary(self, strategy: str | Sequence[str] | None = None, figures: str | Iterable[str] | None = None,
                level: float = 0.95, at_day: int | None = None, *, by_segment: bool = False) -> pd.DataFrame:
        """Key figures with confidence intervals over replications, one row per strategy and figure.

        Columns: strategy, figure, label, mean, ci_low, ci_high (Student t at ``level``), sd, n,
        unit, and ``text``, ``half_width_text`` and ``shown_unit``: the mean and half-width rounded
        and scaled exactly as ``cxsim run``, ``cxsim info``, ``cxsim compare`` and the report show
        them (shares in %; the key-figure table's formatting). With one replication the interval is
        NaN. Figures and ``at_day`` as in
        :meth:`key_figures` (default: the key figures ``cxsim compare`` shows). With
        ``by_segment=True`` (a run with ``[output] by_segment = true``) there is one row per
        strategy, segment and figure, and a categorical ``segment`` column after ``strategy``;
        figures without a segment (contact-centre queue figures, profit, CLV) are NaN there.
        """
        rows = []
        chosen = _figures(figures)
        _check_day(at_day, self.days)
        if by_segment:
            self._require_segments()
        segments: list[str | None] = list(self.segment_names) if by_segment else [None]
        for name in self._strategy_names(strategy):
            for segment in segments:
                values = self.key_figures(name, [f["id"] for f in chosen], at_day, segment=segment)
                for f in chosen:
                    v = values[f["id"]].to_numpy()
                    with np.errstate(invalid="ignore"):
                        mean, half, n = _interval(v, level)
                    text, half_text, shown_unit = _core.estimate_text(f["id"], [float(x) for x in v], level)
                    row = {"strategy": name, "figure": f["id"], "label": f["label"], "mean": mean,
                           "ci_low": mean - half, "ci_high": mean + half,
                           "sd": float(np.nanstd(v, ddof=1)) if n > 1 else np.nan, "n": n,
                           "unit": f["unit"], "text": text, "half_width_text": half_text,
                           "shown_unit": shown_unit}
                    if by_segment:
                        row["segment"] = segment
                    rows.append(row)
        columns = ["strategy", "figure", "label", "mean", "ci_low", "ci_high", "sd", "n", "unit", "text",
                   "half_width_text", "shown_unit"]
        if not by_segment:
            return pd.DataFrame(rows, columns=columns)
        out = pd.DataFrame(rows, columns=columns[:1] + ["segment"] + columns[1:])
        out["segment"] = pd.Categorical(out["segment"], categories=self.segment_names)
        return out

    def compare(self, baseline: str | None = None, figures: str | Iterable[str] | None = None,
                level: float = 0.95, at_day: int | None = None, format: str | None = None, *,
                segment: str | None = None) -> Any:
        """Each strategy against a baseline: mean paired difference with a confidence interval,
        computed by the same C++ code as ``cxsim compare`` (so the numbers are identical).

        Strategies share random numbers (common random numbers), so replication r of a strategy
        is paired with replication r of the baseline; the interval is Student t over the
        per-replication differences. A difference is ``significant`` when its interval excludes
        zero.

        Args:
            baseline: the strategy compared against (default: :attr:`baseline`).
            figures: key figure ids or metric names (default: the key figures: retention, churn,
                NPS, CSAT, ASA, service level, contacts, revenue, service cost, acquisition spend,
                profit, CLV).
            level: confidence level of the intervals.
            at_day: compare at this day (days elapsed, 1 to :attr:`days`) instead of at the end;
                flows are summed up to it.
            format: None for a DataFrame; ``"table"``, ``"markdown"``, ``"csv"`` or ``"json"`` for
                the text ``cxsim compare --format`` prints.
            segment: compare within one customer segment (a run with ``[output] by_segment =
                true``), as each block of ``cxsim compare --by-segment``.

        Returns:
            DataFrame with strategy, figure, label, baseline (its mean), value (the strategy's
            mean), difference, ci_low, ci_high, relative (difference / baseline), significant, n,
            unit, description (of the strategy), and difference_text, interval_text and
            difference_unit: the difference as ``cxsim compare`` prints it; or the text in the
            chosen format.

        Raises:
            ScenarioError: no such baseline, nothing to compare it with, or an unknown figure.
        """
        base = self.baseline if baseline is None else baseline  # C++ says which names exist
        payload = self._run_payload()
        if segment is not None:
            self._require_segments()
            k = self._segment_index(segment)
            for run in payload:
                run["series"] = {m: a[:, :, k] for m, a in self._strategy(run["name"]).series_by_segment.items()}
        out = _core.compare(payload, base, _figure_names(figures), _check_day(at_day, self.days), level,
                            format or "")
        if format:
            return out
        columns = ["strategy", "figure", "label", "baseline", "value", "difference", "ci_low", "ci_high",
                   "relative", "significant", "n", "unit", "description", "difference_text", "interval_text",
                   "difference_unit"]
        table = pd.DataFrame(out["rows"])
        if table.empty:
            return pd.DataFrame(columns=columns)
        table["ci_low"] = table.difference - table.half_width
        table["ci_high"] = table.difference + table.half_width
        with np.errstate(divide="ignore", invalid="ignore"):
            table["relative"] = table.difference / table.baseline.where(table.baseline != 0)
        table.attrs.update(baseline=out["baseline"], at_day=out["at_day"], level=out["level"])
        return table[columns]

    def summary_table(self) -> pd.DataFrame:
        """One row per (strategy, replication): swept parameters, then every built-in figure at
        the horizon, as the results file's ``/summary`` table (column names like
        ``retention_12m_final``, ``profit_total``, ``asa_s_last30``). Pivot it with pandas::

            results.summary_table().groupby("strategy").profit_total.mean()
        """
        t = _core.summary_table(self._run_payload())
        data: dict[str, Any] = {"strategy": t["strategy"], "replication": t["replication"]}
        data.update(t["sweep"])
        units = {}
        for figure, column in t["figures"]:
            data[figure["column"]] = column
            units[figure["column"]] = figure["unit"]
        df = pd.DataFrame(data)
        df.attrs["units"] = units
        return df

    @property
    def plans(self) -> pd.DataFrame:
        """What each strategy is, indexed by name: kind (baseline, strategy, sweep_point),
        description, overrides (keys set from day 0), interventions (day and keys), sweep values."""
        rows = [{"strategy": s.name, "kind": s.kind, "description": s.description, "overrides": s.overrides,
                 "interventions": s.interventions, "sweep_values": s.sweep_values}
                for s in self._strategies.values()]
        return pd.DataFrame(rows).set_index("strategy")

    def customers(self, replication: int = 0, strategy: str | None = None) -> pd.DataFrame:
        """Each customer's final state in one replication (only with ``run.save_customers = true``).

        One row per customer (indexed by id), one column per saved field; units and descriptions
        in ``df.attrs["units"]`` and ``df.attrs["descriptions"]``.
        """
        s = self._strategy(strategy)
        if self._handle is not None:
            columns = self._handle.customers(s.name, replication)
        elif self.path is not None and s.customer_replications > 0:
            reps = _core.read_customers(self.path, s.name)
            if not 0 <= replication < len(reps):
                raise IndexError(f"replication {replication}: the file has customers for {len(reps)}")
            columns = reps[replication]
        else:
            columns = {}
        if not columns:
            raise ValueError("no customer state saved; run with run.save_customers = true")
        df = pd.DataFrame({name: array for name, (array, _, _) in columns.items()})
        df.index.name = "customer"
        df.attrs["units"] = {name: unit for name, (_, unit, _) in columns.items()}
        df.attrs["descriptions"] = {name: desc for name, (_, _, desc) in columns.items()}
        return df

    def episodes(self, strategy: str | None = None) -> pd.DataFrame:
        """The episode record of one strategy (only with ``run.episodes = true``): one row per
        problem episode of the recorded customers, every replication (docs/results-format.md).

        Columns: replication, customer, segment, day_opened, touchpoint, severity, notified,
        contacted, contacts, channel, outcome, day_closed, days_to_resolution (-1: not resolved),
        attitude_before, attitude_after, next_order (stayed, churned or censored), next_order_day,
        stories_told, people_reached. segment, touchpoint, severity, channel, outcome and
        next_order are pandas categoricals; notified and contacted are booleans.
        ``df.attrs`` holds sample, max_rows, rows_dropped and truncated.

        Raises:
            ValueError: the run did not record episodes.
        """
        s = self._strategy(strategy)
        if self._handle is not None:
            data = self._handle.episodes(s.name)
        elif self.path is not None and s.has_episodes:
            data = _core.read_episodes(self.path, s.name)
        else:
            data = None
        if data is None:
            raise ValueError("no episode record; run with run.episodes = true (e.g. --set run.episodes=true)")
        columns = dict(data["columns"])
        for name, labels in data["categories"].items():
            columns[name] = pd.Categorical.from_codes(np.asarray(columns[name], dtype=np.int64), categories=labels)
        for name in ("notified", "contacted"):
            columns[name] = np.asarray(columns[name]).astype(bool)
        df = pd.DataFrame(columns)
        df.attrs.update(sample=int(data["sample"]), max_rows=int(data["max_rows"]),
                        rows_dropped=int(data["rows_dropped"]), truncated=int(data["rows_dropped"]) > 0)
        return df

    def facts(self, strategy: str | None = None) -> pd.DataFrame:
        """The published regularities of customer experience measured from one strategy, each
        beside its published band and source, as ``cxsim facts`` prints them (the same C++).

        One row per fact (indexed by id): fact, unit, value (mean over replications), ci_low and
        ci_high (95% Student t interval across replications), replications, band_low, band_high,
        band (text), status (inside, outside, no band, needs run.episodes = true, not measurable),
        source, note. Without an episode record the TARP and Forrester rows say
        "needs run.episodes = true" (``df.attrs["has_episodes"]`` is False).
        """
        s = self._strategy(strategy)
        if self._handle is not None:
            data = self._handle.facts(s.name)
        elif self.path is not None:
            data = _core.facts(self.path, s.name)
        else:
            raise ValueError("facts() needs a run or a results file (combined results have neither)")
        df = pd.DataFrame(list(data["facts"])).set_index("id")
        df.attrs["has_episodes"] = bool(data["has_episodes"])
        return df

    # --- plots ----------------------------------------------------------------------------------

    def plot(self, metric: str, strategy: str | Sequence[str] | None = None, *, ax: Any = None,
             cumulative: bool = False, bands: Sequence[float] = (0.5, 0.9), title: str | None = None,
             smooth: str | int | None = None) -> "Figure":
        """Fan chart of one metric over time: the median over replications and bands holding the
        central 50% and 90% of them, one colour per strategy.

        Args:
            metric: metric name (see :attr:`metrics`).
            strategy: one strategy, a list, or None for all.
            ax: a matplotlib Axes to draw into (default: a new figure).
            cumulative: plot running totals (useful for flows such as ``profit``).
            bands: central shares of replications to shade.
            title: the chart title (default: the metric's plain-language name from the
                key-figure table).
            smooth: ``"week"`` or ``"month"`` (or a number of days): a centred moving average of
                each replication before the bands, for noisy daily flows.

        Labels are plain language, shares in %, money in ``finance.currency`` with thousands
        separators, days 1 to :attr:`days` (calendar dates with ``run.start_date``); the days a
        strategy's interventions start are marked.

        Returns:
            matplotlib.figure.Figure (shown in Jupyter when it is a cell's last value).
        """
        from .plotting import plot_metric

        self.series(metric)  # a typo: KeyError with the closest names
        return plot_metric(self, metric, self._strategy_names(strategy), ax=ax, cumulative=cumulative,
                           bands=bands, title=title, smooth=smooth)

    def plot_difference(self, metric: str, strategy: str | Sequence[str] | None = None, *,
                        baseline: str | None = None, ax: Any = None, cumulative: bool = False,
                        level: float = 0.95, smooth: str | int | None = None) -> "Figure":
        """Each strategy minus the baseline over time, paired by replication: the mean
        difference and its ``level`` interval day by day (``cumulative=True`` for running totals
        of a flow, e.g. the profit a strategy has made or lost so far)."""
        from .plotting import plot_difference

        self.series(metric)
        base = self._strategy(baseline).name
        return plot_difference(self, metric, self._strategy_names(strategy), baseline=base, ax=ax,
                               cumulative=cumulative, level=level, smooth=smooth)

    def plot_comparison(self, baseline: str | None = None, figures: Iterable[str] | None = None, *,
                        level: float = 0.95, at_day: int | None = None, ax: Any = None) -> "Figure":
        """Paired differences against the baseline with their confidence intervals (error bars),
        one panel per key figure; significant differences are drawn solid.

        Returns:
            matplotlib.figure.Figure.
        """
        from .plotting import currency_of, plot_comparison

        return plot_comparison(self.compare(baseline, figures, level, at_day), level=level, ax=ax,
                               currency=currency_of(self))

    # --- files ----------------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> str:
        """Writes the results file (HDF5, docs/results-format.md) with the C++ writer, atomically:
        a complete file or none. Returns the path.

        Raises:
            ScenarioError: the directory does not exist or is not writable.
        """
        path = os.fspath(path)
        if self._handle is None and self.path is None:
            raise NotImplementedError("combined results come from several runs: save each run, or declare "
                                      "the strategies in the scenario ([[strategy]]) and run it once")
        if self._handle is not None:
            a = self.attributes
            self._handle.save(path, a["command_line"], a["scenario_path"], a["scenario_text"])
        elif self.path is not None:
            _core.copy_results(self.path, path)
        self.path = path
        return path

    def describe(self) -> str:
        """The text ``cxsim info`` prints (for results loaded from or saved to a file)."""
        if self.path is None:
            raise ValueError("describe() needs a file: save() first")
        return _core.describe_results(self.path)

    # --- display --------------------------------------------------------------------------------

    def __repr__(self) -> str:
        a = self.attributes
        where = f" from {self.path!r}" if self.path else ""
        return (f"<cxsim.Results{where}: strategies {', '.join(self.strategies)}; "
                f"{self.replications} replications x {self.days} days, population {a.get('population', '?'):,}, "
                f"seed {a.get('seed', '?')}>")

    def _repr_html_(self) -> str:
        table = self.summary()
        table = table.assign(mean=table["text"],
                             ci=[f"+/- {h}" if h else "" for h in table.half_width_text],
                             unit=table["shown_unit"])
        table = table[["strategy", "label", "mean", "ci", "unit"]]
        return f"<p>{html.escape(repr(self))}</p>" + table.to_html(index=False)


def load(path: str | os.PathLike[str]) -> Results:
    """Opens a results file written by ``cxsim run`` (or :meth:`Results.save`) as :class:`Results`.

    Raises:
        ResultsError: the file is missing, not HDF5, not a cxsim results file, of a newer format
            version, truncated or damaged (``error.file`` is the path).
    """
    path = os.fspath(path)
    data = _core.read_results(path)
    results = Results(data, path=path)
    results._scenario = _scenario_of(results)
    return results


def _scenario_of(results: Results) -> "Scenario | None":
    """The scenario a results file was run from: its text as read, with the resolved parameters
    the file records applied on top (so --set overrides are kept). None when the text is not in
    the file or no longer reads (a newer or older cxsim, or a damaged copy): a warning then says
    why, naming the results file (the copy in it is what failed, not the file on disk), and
    ``results._scenario_problem`` keeps it for what needs the scenario (re-runs)."""
    from .scenario import Scenario

    a = results.attributes
    text = a.get("scenario_text")
    if not text:
        return None
    copy_of = str(a.get("scenario_path") or "")
    name = f"{results.path} (its stored copy of {copy_of})" if copy_of else f"{results.path} (its stored scenario)"
    step = "reading the stored scenario"
    try:
        # Read as from its own path, so that what it names relative to its directory (an edge list)
        # resolves as when it ran; a problem is then said of the copy in the results file.
        scenario = Scenario.from_string(str(text), copy_of or name)
        current = scenario.params
        changed = {k: v for k, v in results.parameters.items() if k in current and current[k] != v}
        step = "applying the parameters the file records to the stored scenario"
        return scenario.with_overrides(changed) if changed else scenario
    except Exception as error:  # noqa: BLE001 - a scenario that no longer reads is not an error here
        import warnings

        detail = str(error).replace(" (after the --set overrides)", "")
        if copy_of and getattr(error, "file", None) == copy_of and getattr(error, "message", None):
            where = ":".join(str(x) for x in (name, getattr(error, "line", None), getattr(error, "column", None)) if x)
            key = f"'{error.key}': " if getattr(error, "key", None) else ""
            detail = f"{where}: {key}{error.message}".replace(" (after the --set overrides)", "")
        results._scenario_problem = (f"{results.path}: the scenario in the file does not read with this cxsim "
                                     f"({step}: {detail})")
        warnings.warn(f"{results._scenario_problem}; Results.scenario is None", stacklevel=3)
        return None
