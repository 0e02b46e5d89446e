"""Charts with matplotlib, fit for a slide by default: fan charts of a metric over replications,
differences from the baseline with intervals, and paired differences of key figures.

Labels come from the key-figure table (``cxsim.figures()``) and the metric table, never from
internal names: shares are shown in %, money with thousands separators and the scenario's
``finance.currency``, without matplotlib's offset notation; legends sit beside the data; the
palette is Okabe-Ito (colour-blind safe); intervention days are marked; with ``run.start_date``
the x axis shows calendar dates. Daily flows can be smoothed (``smooth="week"`` or ``"month"``).

Figures are created without pyplot, so they never pile up in pyplot's state and show exactly
once in Jupyter (as a cell's last value); save them with ``fig.savefig(...)``.
"""

from __future__ import annotations

import datetime as _dt
import math
import sys
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

from . import _core

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .results import Results

__all__ = ["fan_chart", "plot_metric", "plot_difference", "plot_comparison", "plot_dashboard", "new_figure",
           "axis_style", "COLOURS", "SMOOTHING"]

# Colour-blind-safe (Okabe-Ito), baseline first.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

# smooth= name -> days of the centred moving average.
SMOOTHING = {"week": 7, "month": 30}


def _show_figures_in_jupyter(figure_type: type) -> None:
    """In a Jupyter kernel, makes IPython show a Figure that is a cell's value as a PNG image
    (pyplot's inline backend does the same, but only once pyplot has drawn something)."""
    if "ipykernel" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    try:
        shell.display_formatter.formatters["image/png"].lookup_by_type(figure_type)
    except KeyError:
        from IPython.core.pylabtools import select_figure_formats

        select_figure_formats(shell, {"png"})


def new_figure(width: float = 9.0, height: float = 4.5, nrows: int = 1, ncols: int = 1, **kwargs: Any):
    """A Figure and its Axes (as plt.subplots, without pyplot)."""
    from matplotlib.figure import Figure

    _show_figures_in_jupyter(Figure)

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


# --- labels and units -------------------------------------------------------------------------


@dataclass(frozen=True)
class AxisStyle:
    """How one quantity is shown: a plain-language ``label``, the factor applied to values
    (``scale``: 100 for shares), the unit text of the axis (``unit``) and the tick format
    (``kind``: percent, money or number)."""

    label: str
    scale: float
    unit: str
    kind: str

    def axis_label(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


_UNIT_WORDS = {"s": "seconds", "people": "people", "contacts": "contacts", "orders": "orders", "points": "points",
               "issues": "issues", "answers": "answers", "hours": "hours", "attitude": "attitude score",
               "stories": "stories", "messages": "messages", "notifications": "notifications",
               "contacts/order": "contacts per order", "": ""}


def currency_of(results: "Results | None") -> str:
    """The scenario's ``finance.currency`` ("" when not set)."""
    if results is None:
        return ""
    return str(results.parameters.get("finance.currency", "") or "")


def _figure_for(metric: str) -> dict[str, Any] | None:
    for f in _core.builtin_figures():
        if f["metric"] == metric and not f["denominator"]:
            return f
    for f in _core.builtin_figures():
        if f["id"] == metric:
            return f
    return None


def plain_label(metric: str, description: str = "") -> str:
    """A metric's plain-language name: its key figure's label without the aggregation
    ("ASA (last 30 days)" -> "ASA"), else the first clause of its description."""
    f = _figure_for(metric)
    if f is not None:
        label = str(f["label"])
        cut = label.find(" (")
        return label[:cut] if cut > 0 else label
    if description:
        text = description.split(":")[0].split(" (")[0].strip()
        return text[:1].upper() + text[1:] if text else metric
    return metric.replace("_", " ")


def axis_style(unit: str, label: str, currency: str = "", cumulative: bool = False,
               difference: bool = False) -> AxisStyle:
    """The :class:`AxisStyle` of a quantity in ``unit`` (a metric or figure unit such as
    ``share``, ``currency/day``, ``s``)."""
    per = ""
    base = unit
    if "/" in unit:
        base, per = unit.split("/", 1)
    if cumulative and per == "day":
        per = ""
    money = currency or "currency"
    if base == "share":
        scale, shown, kind = 100.0, ("percentage points" if difference else "%"), "percent"
        if per == "month":
            shown += " per month"
        return AxisStyle(label, scale, shown, kind)
    if base == "currency":
        shown = money + (f" per {per}" if per else "")
        return AxisStyle(label, 1.0, shown, "money")
    words = _UNIT_WORDS.get(unit, _UNIT_WORDS.get(base, base))
    shown = words + (f" per {per}" if per and unit not in _UNIT_WORDS else "")
    if cumulative and not shown:
        shown = ""
    return AxisStyle(label, 1.0, shown, "number")


def metric_style(results: "Results", metric: str, cumulative: bool = False, difference: bool = False) -> AxisStyle:
    info = results.metrics[metric] if metric in results.metrics else None
    label = plain_label(metric, info.description if info else "")
    if cumulative:
        label = f"{label}, cumulative"
    return axis_style(info.unit if info else "", label, currency_of(results), cumulative, difference)


def _compact(x: float, signed: bool = False) -> str:
    """1234567 -> "1.2M", 150000 -> "150k", 1500 -> "1,500"; never an offset or "1e6"."""
    sign = "+" if signed and x > 0 else ""
    a = abs(x)
    if a >= 1e9:
        text = f"{x / 1e9:.3g}bn"
    elif a >= 1e6:
        text = f"{x / 1e6:.3g}M"
    elif a >= 1e4:
        text = f"{x / 1e3:.4g}k"
    elif a >= 1000 or x == int(x):
        text = f"{x:,.0f}"
    else:
        text = f"{x:.3g}"
    return sign + text


def format_axis(axis: Any, style: AxisStyle, signed: bool = False) -> None:
    """Tick labels of ``axis`` (ax.yaxis or ax.xaxis): % for shares, thousands separators and
    k/M for large numbers, no offset or scientific notation."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if style.kind == "percent":
        def fmt(x: float, _pos: Any) -> str:
            text = f"{x:.10g}" if abs(x - round(x)) > 1e-9 else f"{x:.0f}"
            return ("+" if signed and x > 0 else "") + text + ("%" if style.unit.startswith("%") else "")
    else:
        def fmt(x: float, _pos: Any) -> str:
            return _compact(x, signed)
    axis.set_major_formatter(FuncFormatter(fmt))
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))


# --- time axis --------------------------------------------------------------------------------


def start_date(results: "Results | None") -> _dt.date | None:
    """``run.start_date`` as a date (None when not set): the date of day 1."""
    text = "" if results is None else str(results.parameters.get("run.start_date", "") or "")
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        return None


def day_axis(results: "Results | None", days: int) -> np.ndarray:
    """The x values of days 1..days: day numbers, or calendar dates with ``run.start_date``."""
    start = start_date(results)
    if start is None:
        return np.arange(1, days + 1)
    return np.array([np.datetime64(start) + np.timedelta64(d, "D") for d in range(days)])


def _day_x(results: "Results | None", day: int) -> Any:
    """x position of day ``day`` (1-based, days elapsed)."""
    start = start_date(results)
    return day if start is None else np.datetime64(start) + np.timedelta64(day - 1, "D")


def _finish_time_axis(ax: "Axes", results: "Results | None") -> None:
    if start_date(results) is None:
        ax.set_xlabel("day")
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: f"{x:,.0f}"))
    else:
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
        ax.set_xlabel("")


def intervention_day(intervention: dict[str, Any]) -> int | None:
    """The first day (1-based) an intervention acts on: its ``day`` (0-based, as in scenario files)
    plus one; None when the stored value is not a whole number (a damaged or foreign file)."""
    value = intervention.get("day", 0)
    try:
        day = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return day + 1 if day == value else None


def mark_interventions(ax: "Axes", results: "Results | None", strategies: Sequence[str],
                       colours: dict[str, str] | None = None) -> list[int]:
    """Dashed vertical lines at the days the given strategies change something (their
    interventions), each in its strategy's colour (``colours``, default: by position in
    ``strategies``). Returns the days marked (1-based). Days outside the run (1 to its horizon)
    are not marked: nothing changes on the chart there."""
    if results is None:
        return []
    marked = []
    plans = {name: results._strategy(name) for name in strategies}
    order = list(strategies)
    for name, s in plans.items():
        colour = (colours or {}).get(name, COLOURS[order.index(name) % len(COLOURS)])
        for intervention in s.interventions:
            # An intervention on day d (0-based, as in scenario files) acts from day d + 1 on (1-based).
            day = intervention_day(intervention)
            if day is None or not 1 <= day <= results.days:
                continue
            ax.axvline(_day_x(results, day), color=colour, linestyle="--", linewidth=1.5, alpha=0.8)
            ax.annotate(f"{name}: day {day}", xy=(_day_x(results, day), 1.0), xycoords=("data", "axes fraction"),
                        xytext=(3, -3), textcoords="offset points", fontsize="x-small", color=colour,
                        va="top", rotation=90)
            marked.append(day)
    return marked


def _legend_beside(ax: "Axes", title: str | None = None) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    ax.legend(handles, labels, title=title, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
              fontsize="small", title_fontsize="small", frameon=False)


def smooth_values(values: np.ndarray, smooth: str | int | None) -> np.ndarray:
    """Each row's centred moving average over ``smooth`` ("week": 7 days, "month": 30, or a
    number of days); NaN days are skipped, the ends use the days available."""
    if smooth is None:
        return values
    window = SMOOTHING.get(smooth) if isinstance(smooth, str) else int(smooth)
    if window is None:
        raise ValueError(f"smooth={smooth!r}: use 'week', 'month', a number of days or None")
    frame = pd.DataFrame(np.asarray(values, dtype=float).T)
    return frame.rolling(window, center=True, min_periods=1).mean().to_numpy().T


# --- charts -----------------------------------------------------------------------------------


def fan_chart(ax: "Axes", values: np.ndarray, *, x: np.ndarray | None = None, colour: str = COLOURS[0],
              label: str | None = None, bands: Sequence[float] = (0.5, 0.9)) -> None:
    """Draws the median over rows of ``values`` [replication, day] and shaded central bands."""
    values = np.asarray(values, dtype=float)
    x = np.arange(1, values.shape[1] + 1) if x is None else x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN days (e.g. CSAT without answers)
        if values.shape[0] > 1:
            for i, share in enumerate(sorted(bands, reverse=True)):
                lo, hi = np.nanquantile(values, [(1 - share) / 2, (1 + share) / 2], axis=0)
                ax.fill_between(x, lo, hi, color=colour, alpha=0.12 + 0.12 * i, linewidth=0)
        median = np.nanmedian(values, axis=0)
    ax.plot(x, median, color=colour, linewidth=2.2, label=label)


def plot_metric(results: "Results", metric: str, strategies: Sequence[str], *, ax: Any = None,
                cumulative: bool = False, bands: Sequence[float] = (0.5, 0.9),
                title: str | None = None, smooth: str | int | None = None) -> "Figure":
    """Fan chart of one metric for the given strategies (see Results.plot)."""
    if ax is None:
        fig, axes = new_figure()
        ax = axes[0, 0]
    style = metric_style(results, metric, cumulative)
    for i, name in enumerate(strategies):
        values = results.series(metric, name)
        if cumulative:
            values = np.nancumsum(values, axis=1)
        values = smooth_values(values, smooth) * style.scale
        fan_chart(ax, values, x=day_axis(results, values.shape[1]), colour=COLOURS[i % len(COLOURS)],
                  label=name, bands=bands)
    mark_interventions(ax, results, strategies)
    _finish_time_axis(ax, results)
    ax.set_ylabel(style.unit)
    format_axis(ax.yaxis, style)
    smoothing = ""
    if smooth is not None:
        smoothing = f", {SMOOTHING[smooth] if isinstance(smooth, str) else int(smooth)}-day average"
    ax.set_title(title if title is not None else style.label + smoothing, loc="left")
    ax.grid(True, alpha=0.3)
    reps = results.replications
    note = f"median; {' and '.join(f'{b:.0%}' for b in bands)} of {reps} replications" if reps > 1 \
        else "one replication"
    _legend_beside(ax, note)
    return ax.figure


def plot_difference(results: "Results", metric: str, strategies: Sequence[str] | None = None, *,
                    baseline: str | None = None, ax: Any = None, cumulative: bool = False,
                    level: float = 0.95, smooth: str | int | None = None, title: str | None = None) -> "Figure":
    """Each strategy minus the baseline over time, paired by replication: the mean difference
    and its ``level`` Student t interval, day by day (a zero line for reference)."""
    from scipy import stats

    base = baseline or results.baseline
    names = [s for s in (strategies or results.strategies) if s != base]
    if ax is None:
        fig, axes = new_figure()
        ax = axes[0, 0]
    style = metric_style(results, metric, cumulative, difference=True)
    reference = results.series(metric, base)
    for name in names:
        values = results.series(metric, name) - reference
        if cumulative:
            values = np.nancumsum(values, axis=1)
        values = smooth_values(values, smooth) * style.scale
        colour = COLOURS[results.strategies.index(name) % len(COLOURS)]
        x = day_axis(results, values.shape[1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(values, axis=0)
            n = np.sum(~np.isnan(values), axis=0)
            if values.shape[0] > 1:
                sd = np.nanstd(values, axis=0, ddof=1)
                t = stats.t.ppf((1 + level) / 2, np.maximum(n - 1, 1))
                half = t * sd / np.sqrt(np.maximum(n, 1))
                ax.fill_between(x, mean - half, mean + half, color=colour, alpha=0.25, linewidth=0)
        ax.plot(x, mean, color=colour, linewidth=2.2, label=name)
    ax.axhline(0, color="0.3", linewidth=1)
    mark_interventions(ax, results, names,
                       {n: COLOURS[results.strategies.index(n) % len(COLOURS)] for n in names})
    _finish_time_axis(ax, results)
    ax.set_ylabel(style.unit)
    format_axis(ax.yaxis, style, signed=True)
    ax.set_title(title if title is not None else f"{style.label}: difference from {base}", loc="left")
    ax.grid(True, alpha=0.3)
    _legend_beside(ax, f"mean and {level:.0%} interval" if results.replications > 1 else None)
    return ax.figure


def plot_comparison(table: pd.DataFrame, *, level: float = 0.95, ax: Any = None, ncols: int = 3,
                    currency: str = "") -> "Figure":
    """One panel per key figure: each strategy's mean difference from the baseline with its
    confidence interval; solid markers where the interval excludes zero."""
    if table.empty:
        fig, axes = new_figure(6, 2)
        axes[0, 0].text(0.5, 0.5, "one strategy only: nothing to compare", ha="center", va="center")
        axes[0, 0].set_axis_off()
        return fig
    figures = list(dict.fromkeys(table.figure))
    strategies = list(dict.fromkeys(table.strategy))
    if ax is not None:
        if len(figures) != 1:
            raise ValueError("ax= draws one figure; pass figures=[name]")
        axes_list = [ax]
        fig = ax.figure
    else:
        ncols = min(ncols, len(figures))
        nrows = -(-len(figures) // ncols)
        fig, axes = new_figure(4.6 * ncols, 0.8 + (0.5 * len(strategies) + 1.4) * nrows, nrows, ncols)
        axes_list = list(axes.flat)
        for extra in axes_list[len(figures):]:
            extra.set_axis_off()
    y = np.arange(len(strategies))
    for panel, name in zip(axes_list, figures):
        rows = table[table.figure == name].set_index("strategy").reindex(strategies)
        unit = str(rows.unit.dropna().iloc[0]) if rows.unit.notna().any() else ""
        style = axis_style(unit, str(rows.label.dropna().iloc[0]) if rows.label.notna().any() else name,
                           currency, difference=True)
        k = style.scale
        diff = k * rows.difference.to_numpy(dtype=float)
        lo = diff - k * rows.ci_low.to_numpy(dtype=float)
        hi = k * rows.ci_high.to_numpy(dtype=float) - diff
        for i, strategy in enumerate(strategies):
            colour = COLOURS[(i + 1) % len(COLOURS)]
            value = rows.significant.iloc[i]
            significant = bool(value) if value == value else False
            err = None if np.isnan(lo[i]) else [[lo[i]], [hi[i]]]
            panel.errorbar(diff[i], y[i], xerr=err, fmt="o", color=colour, capsize=5, markersize=8,
                           markerfacecolor=colour if significant else "white", linewidth=2)
        panel.axvline(0, color="0.3", linewidth=1)
        panel.set_yticks(y, strategies)
        panel.invert_yaxis()
        panel.set_title(style.label, fontsize="medium", loc="left")
        panel.set_xlabel(f"difference ({style.unit})" if style.unit else "difference")
        format_axis(panel.xaxis, style, signed=True)
        panel.grid(True, axis="x", alpha=0.3)
    fig.suptitle(f"Difference from the baseline: mean and {level:.0%} interval (filled: excludes zero)",
                 fontsize="medium")
    return fig


def plot_dashboard(results: "Results", metrics: Sequence[str] = ("active_customers", "new_customers", "churned",
                                                                   "nps", "contacts", "profit"),
                   strategies: Sequence[str] | None = None, ncols: int = 2,
                   cumulative: Sequence[str] = ("profit",), smooth: str | int | None = "week") -> "Figure":
    """A grid of fan charts, one per metric (profit cumulative, other daily flows smoothed over
    a week by default)."""
    metrics = [m for m in metrics if m in results.metrics]
    nrows = -(-len(metrics) // ncols)
    fig, axes = new_figure(7.5 * ncols, 3.8 * nrows, nrows, ncols)
    for ax, metric in zip(axes.flat, metrics):
        is_flow = results.metrics[metric].kind == "flow" and metric not in cumulative
        plot_metric(results, metric, strategies or results.strategies, ax=ax, cumulative=metric in cumulative,
                    smooth=smooth if is_flow else None)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_axis_off()
    return fig
