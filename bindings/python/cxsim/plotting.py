"""Charts with matplotlib: fan charts of a metric over replications, and paired differences of
strategies with error bars. Figures are created without pyplot, so they never pile up in
pyplot's state and show exactly once in Jupyter (as a cell's last value); save them with
``fig.savefig(...)``."""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .results import Results

__all__ = ["fan_chart", "plot_metric", "plot_comparison", "plot_dashboard", "new_figure"]

# Colour-blind-safe (Okabe-Ito), baseline first.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


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


def fan_chart(ax: "Axes", values: np.ndarray, *, x: np.ndarray | None = None, colour: str = COLOURS[0],
              label: str | None = None, bands: Sequence[float] = (0.5, 0.9)) -> None:
    """Draws the median over rows of ``values`` [replication, day] and shaded central bands."""
    values = np.asarray(values, dtype=float)
    x = np.arange(values.shape[1]) if x is None else x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN days (e.g. CSAT without answers)
        if values.shape[0] > 1:
            for i, share in enumerate(sorted(bands, reverse=True)):
                lo, hi = np.nanquantile(values, [(1 - share) / 2, (1 + share) / 2], axis=0)
                ax.fill_between(x, lo, hi, color=colour, alpha=0.15 + 0.15 * i, linewidth=0)
        median = np.nanmedian(values, axis=0)
    ax.plot(x, median, color=colour, linewidth=2, label=label)


def plot_metric(results: "Results", metric: str, strategies: Sequence[str], *, ax: Any = None,
                cumulative: bool = False, bands: Sequence[float] = (0.5, 0.9),
                title: str | None = None) -> "Figure":
    """Fan chart of one metric for the given strategies (see Results.plot)."""
    if ax is None:
        fig, axes = new_figure()
        ax = axes[0, 0]
    info = results.metrics[metric] if metric in results.metrics else None
    for i, name in enumerate(strategies):
        values = results.series(metric, name)
        if cumulative:
            values = np.nancumsum(values, axis=1)
        fan_chart(ax, values, colour=COLOURS[i % len(COLOURS)], label=name, bands=bands)
    unit = info.unit if info else ""
    if cumulative and unit.endswith("/day"):
        unit = unit[: -len("/day")]
    ax.set_xlabel("day")
    ax.set_ylabel(f"{metric}{' (cumulative)' if cumulative else ''} [{unit}]" if unit else metric)
    ax.set_title(title if title is not None else (info.description if info else metric))
    ax.grid(True, alpha=0.3)
    reps = results.replications
    note = f"median and {', '.join(f'{b:.0%}' for b in bands)} bands over {reps} replications" if reps > 1 \
        else "one replication"
    ax.legend(title=note, fontsize="small", title_fontsize="small", loc="best")
    return ax.figure


def plot_comparison(table: pd.DataFrame, *, level: float = 0.95, ax: Any = None, ncols: int = 3) -> "Figure":
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
        k, unit = (100.0, "points") if unit == "share" else (1.0, unit)  # shares: percentage points
        diff = k * rows.difference.to_numpy(dtype=float)
        lo = diff - k * rows.ci_low.to_numpy(dtype=float)
        hi = k * rows.ci_high.to_numpy(dtype=float) - diff
        for i, strategy in enumerate(strategies):
            colour = COLOURS[(i + 1) % len(COLOURS)]
            significant = bool(rows.significant.iloc[i]) if rows.significant.iloc[i] == rows.significant.iloc[i] else False
            err = None if np.isnan(lo[i]) else [[lo[i]], [hi[i]]]
            panel.errorbar(diff[i], y[i], xerr=err, fmt="o", color=colour, capsize=5, markersize=8,
                           markerfacecolor=colour if significant else "white", linewidth=2)
        panel.axvline(0, color="0.3", linewidth=1)
        panel.set_yticks(y, strategies)
        panel.invert_yaxis()
        panel.set_title(str(rows.label.iloc[0]) if len(rows) else name, fontsize="medium")
        panel.set_xlabel(f"difference [{unit}]" if unit else "difference")
        panel.grid(True, axis="x", alpha=0.3)
    fig.suptitle(f"Difference from the baseline, mean and {level:.0%} interval (filled: excludes zero)",
                 fontsize="medium")
    return fig


def plot_dashboard(results: "Results", metrics: Sequence[str] = ("active_customers", "new_customers", "churned",
                                                                   "nps", "contacts", "profit"),
                   strategies: Sequence[str] | None = None, ncols: int = 2,
                   cumulative: Sequence[str] = ("profit",)) -> "Figure":
    """A grid of fan charts, one per metric (profit cumulative by default)."""
    metrics = [m for m in metrics if m in results.metrics]
    nrows = -(-len(metrics) // ncols)
    fig, axes = new_figure(6.5 * ncols, 3.6 * nrows, nrows, ncols)
    for ax, metric in zip(axes.flat, metrics):
        plot_metric(results, metric, strategies or results.strategies, ax=ax, cumulative=metric in cumulative)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_axis_off()
    return fig
