"""A self-contained HTML report of a results file for planning meetings: key figures with
intervals, each strategy against the baseline, and fan charts, in large type for a projector.
Charts are inline PNG images (base64), so the file needs no network and no other files.

    python3 -m cxsim report results.h5 -o report.html
    cxsim report results.h5 -o report.html          # the same, from the CLI
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from typing import TYPE_CHECKING, Sequence



from .results import Results, load

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["render_report", "write_report", "DEFAULT_CHARTS"]

# (metric, cumulative) drawn over time when the results have them.
DEFAULT_CHARTS: tuple[tuple[str, bool], ...] = (
    ("active_customers", False),
    ("nps", False),
    ("retention", False),
    ("contacts", False),
    ("asa_s", False),
    ("service_level", False),
    ("profit", True),
    ("new_customers", False),
)

_CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 22px;
       line-height: 1.4; color: #111; background: #fff; margin: 0 auto; padding: 24px 40px;
       max-width: 1500px; }
h1 { font-size: 40px; margin: 0 0 8px 0; }
h2 { font-size: 30px; margin: 40px 0 12px 0; border-bottom: 3px solid #0072B2; padding-bottom: 4px; }
p.meta { font-size: 18px; color: #444; margin: 4px 0; }
table { border-collapse: collapse; font-size: 20px; margin: 12px 0; }
th, td { padding: 8px 16px; border-bottom: 1px solid #ccc; text-align: right; }
th { background: #eef4fa; }
td.label, th.label { text-align: left; }
tr.significant td { font-weight: bold; }
figure { margin: 16px 0 28px 0; }
figure img { width: 100%; max-width: 1400px; height: auto; display: block; }
figcaption { font-size: 18px; color: #444; }
.note { font-size: 18px; color: #444; }
code { font-size: 17px; }
"""


def _number(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "&ndash;"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    return f"{x:.3g}"


def _scale(unit: str) -> tuple[float, str, str]:
    """Shares are shown as percentages and their differences as percentage points."""
    return (100.0, "%", "points") if unit == "share" else (1.0, unit, unit)


def _png(fig: "Figure") -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="chart" src="data:image/png;base64,{data}">'


def _key_figure_table(results: Results, level: float, strategies: list[str]) -> str:
    summary = results.summary(strategies, level=level)
    rows = []
    head = "".join(f"<th>{html.escape(s)}</th>" for s in strategies)
    rows.append(f'<tr><th class="label">key figure</th>{head}<th class="label">unit</th></tr>')
    for figure in dict.fromkeys(summary.figure):
        part = summary[summary.figure == figure].set_index("strategy")
        cells = []
        shown_unit = str(part.shown_unit.iloc[0])
        for s in strategies:
            r = part.loc[s]
            ci = f"<br><small>&plusmn; {html.escape(r.half_width_text)}</small>" if r.half_width_text else ""
            cells.append(f'<td class="estimate">{html.escape(r.text)}{ci}</td>')
        label = html.escape(str(part.label.iloc[0]))
        unit = html.escape(shown_unit)
        rows.append(f'<tr><td class="label">{label}</td>{"".join(cells)}<td class="label">{unit}</td></tr>')
    return '<table id="key-figures">' + "".join(rows) + "</table>"


def _comparison_table(table, level: float) -> str:
    rows = ['<tr><th class="label">strategy</th><th class="label">key figure</th><th>baseline</th>'
            f'<th>strategy</th><th>difference</th><th>{level:.0%} interval</th><th class="label">unit</th></tr>']
    for r in table.itertuples():
        k, unit, diff_unit = _scale(r.unit)
        cls = ' class="significant"' if r.significant else ""
        interval = (f"[{_number(k * r.ci_low)}, {_number(k * r.ci_high)}]" if not math.isnan(r.ci_low)
                    else "&ndash;")
        mark = " *" if r.significant else ""
        shown = unit if unit == diff_unit else f"{unit} (difference: {diff_unit})"
        rows.append(f'<tr{cls}><td class="label">{html.escape(r.strategy)}</td>'
                    f'<td class="label">{html.escape(r.label)}</td><td>{_number(k * r.baseline)}</td>'
                    f'<td>{_number(k * r.value)}</td><td>{_number(k * r.difference)}{mark}</td>'
                    f'<td>{interval}</td><td class="label">{html.escape(shown)}</td></tr>')
    return '<table id="comparison">' + "".join(rows) + "</table>"


SWEEP_FIGURES = ("retention", "nps", "profit")


def _sweep_table(results: Results, table, level: float) -> str:
    keys = results.sweep_keys
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    labels = {r.figure: r for r in table.itertuples()}
    for f in SWEEP_FIGURES:
        if f in labels:
            k, unit, diff_unit = _scale(labels[f].unit)
            head += f"<th>{html.escape(labels[f].label)}<br><small>difference [{level:.0%}] ({html.escape(diff_unit)})</small></th>"
    rows = [f'<tr><th class="label">point</th>{head}</tr>']
    plans = results.plans
    for name in dict.fromkeys(table.strategy):
        values = plans.loc[name, "sweep_values"]
        cells = "".join(f"<td>{_number(float(values.get(k, math.nan)))}</td>" for k in keys)
        for f in SWEEP_FIGURES:
            part = table[(table.strategy == name) & (table.figure == f)]
            if part.empty:
                continue
            r = next(part.itertuples())
            k, _, _ = _scale(r.unit)
            mark = " *" if r.significant else ""
            cells += (f"<td>{_number(k * r.value)}<br><small>{_number(k * r.difference)}{mark} "
                      f"[{_number(k * r.ci_low)}, {_number(k * r.ci_high)}]</small></td>")
        rows.append(f'<tr><td class="label">{html.escape(name)}</td>{cells}</tr>')
    return '<table id="sweep">' + "".join(rows) + "</table>"


def _sweep_chart(results: Results, level: float) -> "Figure":
    """Each sweep figure against the first swept parameter, one line per value of the second."""
    from .plotting import COLOURS, new_figure

    summary = results.summary([n for n in results.strategies if results.plans.loc[n, "kind"] == "sweep_point"],
                              figures=list(SWEEP_FIGURES), level=level)
    plans = results.plans
    keys = results.sweep_keys
    for i, key in enumerate(keys[:2]):
        summary[f"k{i}"] = [plans.loc[n, "sweep_values"].get(key, math.nan) for n in summary.strategy]
    fig, axes = new_figure(5.2 * len(SWEEP_FIGURES), 4.6, 1, len(SWEEP_FIGURES))
    for ax, figure in zip(axes[0], SWEEP_FIGURES):
        part = summary[summary.figure == figure]
        if part.empty:
            ax.set_axis_off()
            continue
        k, unit, _ = _scale(str(part.unit.iloc[0]))
        groups = part.groupby("k1") if len(keys) > 1 else [(None, part)]
        for j, (second, g) in enumerate(groups):
            g = g.sort_values("k0")
            ax.errorbar(g.k0, k * g["mean"], yerr=k * (g.ci_high - g["mean"]), fmt="o-", capsize=4,
                        color=COLOURS[j % len(COLOURS)], label=None if second is None else f"{keys[1]} = {second:g}")
        ax.set_xlabel(keys[0])
        ax.set_title(f"{part.label.iloc[0]} [{unit}]")
        ax.grid(alpha=0.3)
        if len(keys) > 1:
            ax.legend(fontsize="small")
    return fig


def render_report(results: Results, title: str | None = None, baseline: str | None = None,
                  charts: Sequence[tuple[str, bool]] = DEFAULT_CHARTS, level: float = 0.95) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    import matplotlib

    from .plotting import new_figure, plot_comparison, plot_metric

    a = results.attributes
    name = os.path.basename(str(a.get("scenario_path") or results.path or "results"))
    title = title or f"cxsim: {name}"
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             f'<p class="meta">{results.replications} replications &times; {results.days} days, '
             f"population {_number(float(a.get('population', math.nan)))}, seed {a.get('seed', '?')}; "
             f"strategies: {html.escape(', '.join(results.strategies))}</p>",
             f'<p class="meta">cxsim {html.escape(str(a.get("cxsim_version", "")))} '
             f'({html.escape(str(a.get("git_sha", "")))}), created {html.escape(str(a.get("created_utc", "")))}</p>']

    with matplotlib.rc_context({"font.size": 15, "axes.titlesize": 17, "axes.labelsize": 15,
                                "legend.fontsize": 13, "xtick.labelsize": 13, "ytick.labelsize": 13}):
        parts.append("<h2>Key figures</h2>")
        parts.append(f'<p class="note">Mean over replications, {level:.0%} interval below. '
                     "Totals are over the whole horizon; &ldquo;last 30 days&rdquo; figures are at its end.</p>")
        kinds = results.plans.kind
        main = [n for n in results.strategies if kinds[n] != "sweep_point"]
        points = [n for n in results.strategies if kinds[n] == "sweep_point"]
        parts.append(_key_figure_table(results, level, main))

        base = baseline or results.baseline
        table = results.compare(baseline=base, level=level) if len(results.strategies) > 1 else None
        if table is not None and len(main) > 1:
            strategies_table = table[table.strategy.isin(main)]
            parts.append(f"<h2>Strategies against {html.escape(base)}</h2>")
            parts.append('<p class="note">Paired differences (same customers, same random numbers), '
                         f"mean and {level:.0%} interval; * and bold: the interval excludes zero. "
                         "Shares are in %, their differences in percentage points.</p>")
            parts.append(_comparison_table(strategies_table, level))
            fig = plot_comparison(strategies_table, level=level, ncols=2)
            fig.set_size_inches(14, fig.get_size_inches()[1] * 1.5)
            parts.append(f"<figure>{_png(fig)}<figcaption>Difference from {html.escape(base)}.</figcaption></figure>")
        if table is not None and points:
            parts.append(f"<h2>Sweep over {html.escape(', '.join(results.sweep_keys))}</h2>")
            parts.append(f'<p class="note">{len(points)} points, each the baseline with the values shown: '
                         f"mean, and below it the paired difference from {html.escape(base)} with its "
                         f"{level:.0%} interval.</p>")
            parts.append(_sweep_table(results, table[table.strategy.isin(points)], level))
            parts.append(f"<figure>{_png(_sweep_chart(results, level))}<figcaption>Mean and {level:.0%} "
                         "interval at each point.</figcaption></figure>")

        parts.append("<h2>Over time</h2>")
        parts.append('<p class="note">Median over replications (line) and the bands holding the central '
                     "50% and 90% of them.</p>")
        for metric, cumulative in charts:
            if metric not in results.metrics:
                continue
            fig, axes = new_figure(14, 5.5)
            plot_metric(results, metric, main[:8], ax=axes[0, 0], cumulative=cumulative)
            info = results.metrics[metric]
            caption = f"{metric}{' (cumulative)' if cumulative else ''}: {info.description} [{info.unit}]"
            parts.append(f"<figure>{_png(fig)}<figcaption>{html.escape(caption)}</figcaption></figure>")

    command = html.escape(str(a.get("command_line", "")))
    sha = html.escape(str(a.get("scenario_sha256", "")))
    parts.append(f'<h2>Provenance</h2><p class="note">Command: <code>{command}</code><br>'
                 f"Scenario: <code>{html.escape(str(a.get('scenario_path', '')))}</code> "
                 f"(SHA-256 <code>{sha[:16]}</code>)<br>Random numbers: {html.escape(str(a.get('rng_scheme', '')))}</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(results: Results | str | os.PathLike[str], output: str | os.PathLike[str],
                 title: str | None = None, baseline: str | None = None, level: float = 0.95) -> str:
    """Writes one self-contained HTML file (inline PNG charts, no network needed) with the key
    figures of every strategy, each strategy against the baseline, and fan charts over time.

    Args:
        results: a :class:`Results`, or the path of a results file.
        output: the HTML file to write (replaced atomically).
        title: the page title (default: from the scenario's file name).
        baseline: the strategy others are compared with (default: ``baseline`` or the first).
        level: confidence level of the intervals.

    Returns:
        The output path.
    """
    if not isinstance(results, Results):
        results = load(results)
    text = render_report(results, title=title, baseline=baseline, level=level)
    output = os.fspath(output)
    tmp = f"{output}.tmp.{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return output



