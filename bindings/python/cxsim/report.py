"""The report of a results file as a decision document for a planning meeting, self-contained
HTML (charts are inline PNG images, no network) or PDF (the HTML printed by headless Chromium):

1. the question (``[run] title`` and ``question``, else the scenario file's header comment);
2. the decision on one screen: the best strategy on the objective (profit by default) with its
   interval and how often it wins, and for each strategy the change in profit, retention and
   service cost, the service cost per extra customer kept, and the payback day;
3. what each strategy changes, exactly (keys, values, days);
4. key figures and the comparison with the baseline, bold only where a difference stays
   significant after Holm's correction for the number of comparisons (strategies x figures);
5. charts over time (differences with intervals, fan charts), intervention days marked;
   sweeps as a table and a heat map;
   who leaves: churn, cohort retention and NPS per customer segment and strategy, when the run
   has its series split by segment (``[output] by_segment = true``);
6. the assumptions that drive the result, the definition of every figure, provenance.

    cxsim report results.h5 -o report.html
    cxsim report results.h5 -o report.pdf            # needs chromium
    python3 -m cxsim report results.h5 -o report.html

A report is written only to a new path or, with ``--force`` (``replace=True`` in
:func:`write_report`), over a report cxsim wrote (:func:`is_cxsim_report`); see
:func:`check_report_output` and :func:`publish_report`.
"""

from __future__ import annotations

import base64
import errno
import html
import io
import math
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

from . import _core
from .plotting import intervention_day
from .results import Results, load

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["render_report", "render_sensitivity_report", "write_report", "decision", "default_indifference", "holm",
           "payback_day", "scenario_heading", "DEFAULT_CHARTS", "check_report_output", "default_report_path",
           "is_cxsim_report", "publish_report"]

# (metric, cumulative) drawn over time when the results have them.
DEFAULT_CHARTS: tuple[tuple[str, bool], ...] = (
    ("active_customers", False),
    ("monthly_churn_rate", False),
    ("nps", False),
    ("contacts", False),
    ("asa_s", False),
    ("service_level", False),
    ("new_customers", False),
)

# The executive summary's columns: figure ids of the key-figure table.
SUMMARY_FIGURES = ("profit", "retention", "service_cost")
SWEEP_FIGURES = ("retention", "nps", "profit")

_CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 22px;
       line-height: 1.4; color: #111; background: #fff; margin: 0 auto; padding: 24px 40px;
       max-width: 1500px; }
h1 { font-size: 40px; margin: 0 0 8px 0; }
h2 { font-size: 30px; margin: 40px 0 12px 0; border-bottom: 3px solid #0072B2; padding-bottom: 4px; }
h3 { font-size: 24px; margin: 20px 0 6px 0; }
p.question { font-size: 26px; margin: 8px 0 16px 0; }
p.meta { font-size: 18px; color: #444; margin: 4px 0; }
section#summary { background: #f3f7fb; border-left: 8px solid #0072B2; padding: 12px 24px; margin: 16px 0; }
p.decision { font-size: 28px; margin: 8px 0; }
table { border-collapse: collapse; font-size: 20px; margin: 12px 0; }
th, td { padding: 8px 14px; border-bottom: 1px solid #ccc; text-align: right; vertical-align: top; }
th { background: #eef4fa; }
td.label, th.label { text-align: left; }
td.significant { font-weight: bold; }
td.best { background: #e3f1e8; }
small { color: #444; }
td small { white-space: nowrap; }
dl#definitions dt { font-weight: bold; margin-top: 8px; }
dl#definitions dd { margin-left: 24px; }
ul.changes { margin: 4px 0 12px 0; }
figure { margin: 16px 0 28px 0; page-break-inside: avoid; break-inside: avoid; }
figure img { width: 100%; max-width: 1400px; height: auto; display: block; }
figcaption { font-size: 18px; color: #444; }
.note { font-size: 18px; color: #444; }
code { font-size: 17px; }
@media print {
  body { font-size: 12pt; padding: 0; max-width: none; }
  h1 { font-size: 22pt; } h2 { font-size: 16pt; page-break-after: avoid; } h3 { font-size: 13pt; }
  p.question, p.decision { font-size: 14pt; }
  table { font-size: 10pt; page-break-inside: avoid; } th, td { padding: 3px 8px; }
  .note, figcaption, p.meta { font-size: 9pt; } code { font-size: 9pt; }
}
"""


# --- the question -------------------------------------------------------------------------------


def scenario_heading(results: Results) -> tuple[str, str]:
    """(title, question): ``run.title`` and ``run.question`` when set, else from the scenario
    file's header comment: its first line is the title, the paragraph starting "Question:" (or
    else the next paragraph) the question."""
    p = results.parameters
    title = str(p.get("run.title", "") or "")
    question = str(p.get("run.question", "") or "")
    text = str(results.attributes.get("scenario_text", "") or "")
    header: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            header.append("")
            continue
        header.append(stripped.lstrip("#").strip())
    paragraphs = [" ".join(x for x in block.split("\n") if x).strip()
                  for block in "\n".join(header).split("\n\n")]
    paragraphs = [x for x in paragraphs if x]
    if not title and paragraphs:
        title = paragraphs[0]
    if not question and paragraphs:
        asked = [x for x in paragraphs if x.lower().startswith("question:")]
        if asked:
            question = asked[0][len("question:"):].strip()
        elif len(paragraphs) > 1:
            question = paragraphs[1]
    if not title:
        title = os.path.basename(str(results.attributes.get("scenario_path") or results.path or "results"))
    return title, question


# --- statistics of the decision -----------------------------------------------------------------


def holm(table: pd.DataFrame, level: float = 0.95) -> pd.Series:
    """Which differences stay significant at ``1 - level`` after Holm's step-down correction
    over every (strategy, figure) row of a :meth:`Results.compare` table (Holm 1979): the p-value
    of each paired t test (from its interval), sorted, the i-th smallest against
    alpha / (m - i + 1), stopping at the first that fails. Rows without an interval are never
    significant."""
    from scipy import stats

    alpha = 1.0 - level
    n = table.n.to_numpy(dtype=float)
    half = (table.ci_high - table.difference).to_numpy(dtype=float)
    diff = table.difference.to_numpy(dtype=float)
    p = np.full(len(table), np.nan)
    ok = (n > 1) & np.isfinite(half)
    t_crit = stats.t.ppf((1 + level) / 2, np.maximum(n - 1, 1))
    se = np.where(ok, half / t_crit, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.abs(diff) / se
    p[ok] = 2 * stats.t.sf(t[ok], n[ok] - 1)
    p[ok & (se == 0)] = np.where(diff[ok & (se == 0)] != 0, 0.0, 1.0)
    significant = np.zeros(len(table), dtype=bool)
    order = [i for i in np.argsort(np.where(np.isnan(p), np.inf, p)) if not np.isnan(p[i])]
    m = len(order)
    for rank, i in enumerate(order):
        if p[i] <= alpha / (m - rank):
            significant[i] = True
        else:
            break
    out = pd.Series(significant, index=table.index, name="significant_holm")
    out.attrs["p"] = p
    return out


def _t_half(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    from scipy import stats

    mean = np.mean(values, axis=0)
    n = values.shape[0]
    if n < 2:
        return mean, np.full_like(mean, np.nan)
    half = stats.t.ppf((1 + level) / 2, n - 1) * np.std(values, axis=0, ddof=1) / math.sqrt(n)
    return mean, half


def _first_day_staying_positive(x: np.ndarray) -> int | None:
    """1-based first day from which every later value is above zero (None if the last is not)."""
    positive = x > 0
    if len(x) == 0 or not positive[-1]:
        return None
    below = np.nonzero(~positive)[0]
    return 1 if len(below) == 0 else int(below[-1]) + 2


def payback_day(results: Results, strategy: str, baseline: str | None = None,
                level: float = 0.95) -> tuple[int | None, int | None]:
    """(day, sure day): the first day (1-based) from which the strategy's cumulative profit
    difference from the baseline (mean over paired replications) stays above zero to the
    horizon, and the first from which the lower end of its ``level`` interval does. None when it
    does not happen within the horizon."""
    base = baseline or results.baseline
    diff = np.cumsum(results.series("profit", strategy) - results.series("profit", base), axis=1)
    mean, half = _t_half(diff, level)
    sure = _first_day_staying_positive(mean - half) if np.all(np.isfinite(half)) else None
    return _first_day_staying_positive(mean), sure


@dataclass
class Decision:
    """The executive summary's content (see :func:`decision`)."""

    objective: str
    objective_label: str
    best: str
    best_row: pd.Series | None  # its compare row for the objective (None when the baseline is best)
    wins: int  # replications in which `best` has the highest objective
    replications: int
    rows: pd.DataFrame  # one row per strategy: texts for the summary table
    selected_by: str  # how the confidence was obtained
    selection: Any = None  # the cxsim.studies.Selection of Kim and Nelson's procedure, when it ran
    indifference: float = math.nan  # its indifference zone, in the objective's unit


def default_indifference(results: Results, objective: str, baseline: str | None = None) -> float:
    """The smallest difference in ``objective`` worth acting on when none is given: 1% of the
    baseline's mean (in absolute value), or 1 percentage point for a share."""
    figure = _core.find_figure(objective)
    if figure["unit"] == "share":
        return 0.01
    values = results.key_figures(baseline or results.baseline, [figure["id"]])[figure["id"]].to_numpy()
    scale = float(np.nanmean(np.abs(values))) if np.isfinite(values).any() else 0.0
    return 0.01 * scale if scale > 0 else 1.0


def decision(results: Results, objective: str = "profit", baseline: str | None = None,
             level: float = 0.95, indifference: float | None = None) -> Decision:
    """The best run on ``objective`` (a key figure id; higher is better) among the baseline, the
    strategies and sweep points, with the paired comparisons of the summary and the confidence of
    the choice from Kim and Nelson's procedure (:meth:`Results.select`, on the replications in the
    file: nothing is re-run) with the indifference zone ``indifference`` (default
    :func:`default_indifference`)."""
    level = check_level(level)
    base = baseline or results.baseline
    figure = _core.find_figure(objective)
    names = results.strategies
    per_rep = _objective_values(results, figure)
    means = np.nanmean(per_rep, axis=1)
    best_index = int(np.nanargmax(means))
    best = names[best_index]
    wins = int(np.sum(np.nanargmax(np.where(np.isnan(per_rep), -np.inf, per_rep), axis=0) == best_index))
    selected_by = "share of replications in which it has the highest value (common random numbers)"
    figures = [f for f in dict.fromkeys([figure["id"], *SUMMARY_FIGURES, "active_customers"])]
    table = results.compare(base, figures=figures, level=level) if len(names) > 1 else pd.DataFrame()
    currency = str(results.parameters.get("finance.currency", "") or "") or "currency"
    rows = []
    for name in names:
        if name == base:
            continue
        part = table[table.strategy == name].set_index("figure")
        row: dict[str, Any] = {"strategy": name}
        for f in SUMMARY_FIGURES:
            r = part.loc[f]
            row[f] = (r.difference_text, r.interval_text, bool(r.significant))
        row["retention_gain"] = float(part.loc["retention"].difference)
        kept = part.loc["active_customers"].difference
        cost = part.loc["service_cost"].difference
        if kept > 0 and cost > 0:
            row["cost_per_kept"] = f"{cost / kept:,.0f} {currency}"
        elif kept > 0:
            row["cost_per_kept"] = "none: service cost falls"
        else:
            row["cost_per_kept"] = "n/a: no extra customers"
        day, sure = payback_day(results, name, base, level)
        row["payback"] = ("not within the horizon" if day is None
                          else f"day {day:,}" + (f" (sure by day {sure:,})" if sure is not None and sure != day
                                                 else "" if sure is not None else " (not sure within the horizon)"))
        rows.append(row)
    best_row = None
    if best != base and not table.empty:
        best_row = table[(table.strategy == best) & (table.figure == figure["id"])].iloc[0]
    selection = None
    zone = (check_indifference(indifference) if indifference is not None
            else default_indifference(results, figure["id"], base))
    if len(names) > 1 and per_rep.shape[1] >= 2 and np.isfinite(per_rep).all():
        selection = results.select(figure["id"], indifference=zone, confidence=level,
                                   first_stage=min(10, per_rep.shape[1]), rerun=False)
    return Decision(figure["id"], str(figure["label"]), best, best_row, wins, per_rep.shape[1], pd.DataFrame(rows),
                    selected_by, selection, zone)


# --- HTML pieces --------------------------------------------------------------------------------


def _png(fig: "Figure") -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="chart" src="data:image/png;base64,{data}">'


def _summary_section(results: Results, d: Decision, base: str, level: float) -> str:
    e = html.escape
    parts = ['<section id="summary"><h2>Decision</h2>']
    if d.best == base or d.best_row is None:
        parts.append(f'<p class="decision">No strategy beats <b>{e(base)}</b> on {e(d.objective_label)}: keep it '
                     f"(highest mean in {d.wins} of {d.replications} replications).</p>")
    else:
        r = d.best_row
        sure = "" if r.significant else " &mdash; but its interval includes zero: not a clear winner"
        parts.append(f'<p class="decision">Best on {e(d.objective_label)}: <b>{e(d.best)}</b>, '
                     f"{e(r.difference_text)} {e(r.difference_unit)} against {e(base)} "
                     f"({level:.0%} interval {e(r.interval_text)}){sure}. It has the highest value in "
                     f"{d.wins} of {d.replications} replications.</p>")
        desc = results.plans.loc[d.best, "description"]
        if desc:
            parts.append(f'<p class="note">{e(d.best)}: {e(str(desc))}</p>')
    parts.append(_confidence_text(results, d, level))
    if not d.rows.empty and (d.rows.retention_gain > 0).any():
        kept = d.rows.loc[d.rows.retention_gain.idxmax()]
        text, interval, _ = kept["retention"]
        parts.append(f'<p class="note" id="most-kept">Most customers kept: <b>{e(kept.strategy)}</b>, retention '
                     f"{e(text)} pp {e(interval)}, at {e(kept.cost_per_kept)} of service cost per extra customer "
                     "kept.</p>")
    if not d.rows.empty:
        figures = {f["id"]: f for f in _core.builtin_figures()}
        money = str(results.parameters.get("finance.currency", "") or "") or "currency"

        def unit_of(f: str) -> str:
            unit = figures[f]["difference_unit"]
            return money if unit == "currency" else unit

        head = "".join(f"<th>{e(figures[f]['label'])}<br><small>change ({e(unit_of(f))})</small></th>"
                       for f in SUMMARY_FIGURES)
        rows = [f'<tr><th class="label">strategy</th>{head}<th>service cost per extra customer kept</th>'
                f"<th>payback (cumulative profit above {e(base)} from)</th></tr>"]
        for r in d.rows.itertuples():
            cells = ""
            for f in SUMMARY_FIGURES:
                text, interval, significant = getattr(r, f)
                cls = ' class="significant"' if significant else ""
                cells += f"<td{cls}>{e(text)}<br><small>{e(interval)}</small></td>"
            best = ' class="label best"' if r.strategy == d.best else ' class="label"'
            rows.append(f"<tr><td{best}>{e(r.strategy)}</td>{cells}<td>{e(r.cost_per_kept)}</td>"
                        f"<td>{e(r.payback)}</td></tr>")
        parts.append('<table id="decision">' + "".join(rows) + "</table>")
        parts.append(f'<p class="note">Changes against {e(base)} at the horizon, mean and {level:.0%} interval over '
                     "paired replications; bold: the interval excludes zero. Service cost per customer kept: the "
                     "extra service cost divided by the extra active customers at the end. Payback: the first day "
                     "from which the cumulative profit difference stays above zero (&ldquo;sure&rdquo;: its lower "
                     "interval end does too). Confidence of the choice: the " + e(d.selected_by) + ".</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _confidence_text(results: Results, d: Decision, level: float) -> str:
    """The confidence of the choice, from Kim and Nelson's procedure on the file's replications."""
    e = html.escape
    if d.selection is None:
        return ('<p class="note" id="confidence">Confidence of the choice: not computed (it needs two or more '
                f"strategies, two or more replications and a defined {e(d.objective_label)} in each).</p>")
    figure = _core.find_figure(d.objective)
    unit = figure["unit"]
    zone = (f"{100 * d.indifference:.2g} percentage points" if unit == "share"
            else f"{d.indifference:,.0f} {e(str(results.parameters.get('finance.currency', '') or 'currency'))}"
            if unit == "currency" else f"{d.indifference:.3g} {e(unit)}")
    sel = d.selection
    how = (f"Kim and Nelson's procedure on the paired replications, indifference zone {zone}: a strategy at least "
           "that much better than the others is chosen with at least this probability")
    command = (f"cxsim select {e(os.path.basename(results.path) if results.path else 'RESULTS.h5')} "
               f"--objective {e(d.objective)} --indifference {d.indifference:.6g} --confidence {level:g}")
    if sel.finished and sel.selected is not None:
        return (f'<p class="decision" id="confidence">Confidence of the choice: <b>{e(sel.selected)}</b> is the best '
                f"with probability at least {sel.probability_correct:.0%} ({how}).</p>")
    return (f'<p class="decision" id="confidence">Confidence of the choice: <b>not settled</b> with the '
            f"{d.replications} replications in the file; up to {sel.more_replications_needed:,} more per strategy "
            f"would settle it at {level:.0%} ({how}). <code>{command}</code> adds them.</p>")


def _value_text(key: str, value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _intervention_values(intervention: dict[str, Any]) -> dict[str, Any]:
    """{key: value} of an intervention ({"day", "values": {...}} from a run or a file)."""
    if isinstance(intervention.get("values"), dict):
        return dict(intervention["values"])
    return {k: v for k, v in intervention.items() if k != "day"}


def _strategies_section(results: Results, base: str) -> str:
    e = html.escape
    plans = results.plans
    params = results.parameters
    parts = ["<h2>The strategies</h2>", f'<p class="note">Every strategy is <b>{e(base)}</b> with the changes listed; '
             "days are counted 1 to the horizon as in every table and chart, so an intervention written "
             "<code>day = 90</code> acts from day 91 on.</p>"]
    for name in results.strategies:
        row = plans.loc[name]
        if row.kind == "sweep_point":
            continue
        desc = f": {e(str(row.description))}" if row.description else ""
        parts.append(f"<h3>{e(name)}</h3><p>{e(name)}{desc}</p>")
        items = []
        for key, value in row.overrides.items():
            if key in params and str(params[key]) == str(value):
                continue
            items.append(f"<li><code>{e(key)}</code> = {e(str(value))} from the start (day 1) "
                         f"(baseline {e(_value_text(key, params.get(key, '?')))})</li>")
        for intervention in row.interventions:
            day = intervention_day(intervention)
            when = (f"from day {day:,} (<code>day = {day - 1}</code> in the scenario" if day is not None
                    else f"from day {e(str(intervention.get('day')))} (not a day number")
            if day is not None and not 1 <= day <= results.days:
                when += f"; outside the {results.days:,} days of this run: no effect on its figures"
            for key, value in _intervention_values(intervention).items():
                items.append(f"<li><code>{e(key)}</code> = {e(str(value))} {when}; baseline "
                             f"{e(_value_text(key, params.get(key, '?')))})</li>")
        if name == base:
            items = items or ["<li>the reference: nothing changed</li>"]
        parts.append('<ul class="changes">' + ("".join(items) or "<li>no change</li>") + "</ul>")
    return "\n".join(parts)


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
        unit = html.escape(_money(results, shown_unit))
        rows.append(f'<tr><td class="label">{label}</td>{"".join(cells)}<td class="label">{unit}</td></tr>')
    return '<table id="key-figures">' + "".join(rows) + "</table>"


def segment_figures(results: Results) -> list[str]:
    """The figures of the "Who leaves" section: monthly churn, cohort retention (12 months when the
    run is longer than a year, else 1 month), NPS and customers lost."""
    retention = "retention_12m" if results.days > 365 else "retention_1m"
    return ["churn", retention, "nps", "churned"]


# Plain labels of the "Who leaves" figures that are metrics rather than rows of the key-figure table.
_SEGMENT_LABELS = {"retention_12m": "cohort retention, 12 months (end)",
                   "retention_1m": "cohort retention, 1 month (end)"}


def _segments_section(results: Results, level: float, strategies: list[str]) -> str:
    """Who leaves: the key figures of each customer segment, per strategy (table and chart)."""
    from .plotting import COLOURS, new_figure

    e = html.escape
    figures = segment_figures(results)
    summary = results.summary(strategies, figures=figures, level=level, by_segment=True)
    summary["label"] = [_SEGMENT_LABELS.get(f, label) for f, label in zip(summary.figure, summary.label)]
    segments = results.segment_names
    parts = ['<section id="segments"><h2>Who leaves</h2>',
             '<p class="note">The same figures for each customer segment (its own customers: churn and retention '
             f"of the segment's customers, NPS of its answers); mean over replications, &plusmn; the half-width of "
             f"its {level:.0%} interval. Segments as the scenario defines them.</p>"]
    head = "".join(f"<th>{e(str(seg))}</th>" for seg in segments)
    rows = [f'<tr><th class="label">strategy</th><th class="label">key figure</th>{head}'
            '<th class="label">unit</th></tr>']
    for name in strategies:
        for figure in figures:
            part = summary[(summary.strategy == name) & (summary.figure == figure)].set_index("segment")
            if part.empty:
                continue
            cells = []
            for seg in segments:
                r = part.loc[seg]
                ci = f"<br><small>&plusmn; {e(r.half_width_text)}</small>" if r.half_width_text else ""
                cells.append(f'<td class="estimate">{e(r.text)}{ci}</td>')
            label = e(str(part.label.iloc[0]))
            unit = e(_money(results, str(part.shown_unit.iloc[0])))
            rows.append(f'<tr><td class="label">{e(name)}</td><td class="label">{label}</td>{"".join(cells)}'
                        f'<td class="label">{unit}</td></tr>')
    parts.append('<table id="segment-figures">' + "".join(rows) + "</table>")

    # One panel per figure: a group of bars per segment, one bar per strategy, with its interval.
    shown = figures[:3]
    fig, axes = new_figure(15, 5.5, ncols=len(shown))
    width = 0.8 / max(1, len(strategies))
    x = np.arange(len(segments))
    for ax, figure in zip(axes[0], shown):
        part = summary[summary.figure == figure]
        scale = 100.0 if str(part.unit.iloc[0]) == "share" else 1.0
        for k, name in enumerate(strategies):
            rows_of = part[part.strategy == name].set_index("segment").reindex(segments)
            mean = rows_of["mean"].to_numpy(dtype=float) * scale
            half = (rows_of["ci_high"].to_numpy(dtype=float) - rows_of["mean"].to_numpy(dtype=float)) * scale
            ax.bar(x + (k - (len(strategies) - 1) / 2) * width, mean, width, label=name,
                   color=COLOURS[k % len(COLOURS)], yerr=np.where(np.isfinite(half), half, 0), capsize=3)
        ax.set_xticks(x, [str(s) for s in segments])
        ax.set_title(str(part.label.iloc[0]))
        ax.set_ylabel("%" if scale == 100.0 else str(part.shown_unit.iloc[0]))
        ax.axhline(0, color="#444", linewidth=0.8)
    if len(strategies) > 1:
        axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    parts.append(f'<figure id="segment-chart">{_png(fig)}<figcaption>{e(", ".join(str(f) for f in shown))} by '
                 f"segment: mean over replications and its {level:.0%} interval, one bar per strategy."
                 "</figcaption></figure></section>")
    return "\n".join(parts)


def _money(results: Results, unit: str) -> str:
    """A figure's unit with "currency" replaced by the scenario's finance.currency, if set."""
    currency = str(results.parameters.get("finance.currency", "") or "")
    return currency if unit == "currency" and currency else unit


def _comparison_table(table: pd.DataFrame, strategies: list[str], results: Results) -> str:
    """One row per figure, one column per strategy: the difference and its interval, bold where
    significant after Holm's correction (table.significant_holm)."""
    e = html.escape
    head = "".join(f"<th>{e(s)}</th>" for s in strategies)
    rows = [f'<tr><th class="label">key figure</th>{head}<th class="label">unit of the difference</th></tr>']
    for figure in dict.fromkeys(table.figure):
        part = table[table.figure == figure].set_index("strategy")
        cells = ""
        for s in strategies:
            if s not in part.index:
                cells += "<td>&ndash;</td>"
                continue
            r = part.loc[s]
            cls = ' class="significant"' if r.significant_holm else ""
            mark = " *" if r.significant_holm else ""
            cells += f"<td{cls}>{e(r.difference_text)}{mark}<br><small>{e(r.interval_text)}</small></td>"
        first = part.iloc[0]
        rows.append(f'<tr><td class="label">{e(str(first.label))}</td>{cells}'
                    f'<td class="label">{e(_money(results, str(first.difference_unit)))}</td></tr>')
    return '<table id="comparison">' + "".join(rows) + "</table>"


def _sweep_table(results: Results, table: pd.DataFrame) -> str:
    e = html.escape
    keys = results.sweep_keys
    head = "".join(f"<th>{e(k)}</th>" for k in keys)
    labels = {r.figure: r for r in table.itertuples()}
    for f in SWEEP_FIGURES:
        if f in labels:
            head += f"<th>{e(labels[f].label)}<br><small>difference ({e(labels[f].difference_unit)})</small></th>"
    rows = [f'<tr><th class="label">point</th>{head}</tr>']
    plans = results.plans
    for name in dict.fromkeys(table.strategy):
        values = plans.loc[name, "sweep_values"]
        cells = "".join(f"<td>{float(values.get(k, math.nan)):g}</td>" for k in keys)
        for f in SWEEP_FIGURES:
            part = table[(table.strategy == name) & (table.figure == f)]
            if part.empty:
                continue
            r = next(part.itertuples())
            cls = ' class="significant"' if r.significant_holm else ""
            mark = " *" if r.significant_holm else ""
            cells += f"<td{cls}>{e(r.difference_text)}{mark}<br><small>{e(r.interval_text)}</small></td>"
        rows.append(f'<tr><td class="label">{e(name)}</td>{cells}</tr>')
    return '<table id="sweep">' + "".join(rows) + "</table>"


def _sweep_chart(results: Results, table: pd.DataFrame, level: float) -> "Figure":
    """Two swept parameters on a grid: a heat map per figure of the difference from the
    baseline, each cell labelled; otherwise the difference against the first parameter."""
    from .plotting import COLOURS, axis_style, currency_of, format_axis, new_figure

    keys = results.sweep_keys
    plans = results.plans
    points = list(dict.fromkeys(table.strategy))
    figures = [f for f in SWEEP_FIGURES if f in set(table.figure)]
    fig, axes = new_figure(6.2 * len(figures), 5.0, 1, len(figures))
    values = {k: [float(plans.loc[p, "sweep_values"].get(k, math.nan)) for p in points] for k in keys}
    grid = len(keys) == 2 and len(set(zip(values[keys[0]], values[keys[1]]))) == \
        len(set(values[keys[0]])) * len(set(values[keys[1]])) == len(points)
    for ax, figure in zip(axes[0], figures):
        part = table[table.figure == figure].set_index("strategy").reindex(points)
        style = axis_style(str(part.unit.iloc[0]), str(part.label.iloc[0]), currency_of(results), difference=True)
        diff = style.scale * part.difference.to_numpy(dtype=float)
        if grid:
            xs, ys = sorted(set(values[keys[0]])), sorted(set(values[keys[1]]))
            z = np.full((len(ys), len(xs)), np.nan)
            for p, d in zip(range(len(points)), diff):
                z[ys.index(values[keys[1]][p]), xs.index(values[keys[0]][p])] = d
            limit = np.nanmax(np.abs(z)) or 1.0
            image = ax.imshow(z, cmap="RdBu", vmin=-limit, vmax=limit, origin="lower", aspect="auto")
            ax.set_xticks(range(len(xs)), [f"{x:g}" for x in xs])
            ax.set_yticks(range(len(ys)), [f"{y:g}" for y in ys])
            ax.set_xlabel(keys[0])
            ax.set_ylabel(keys[1])
            texts = dict(zip(points, part.difference_text))
            for k, p in enumerate(points):
                i, j = ys.index(values[keys[1]][k]), xs.index(values[keys[0]][k])
                ax.text(j, i, texts[p], ha="center", va="center", fontsize="small",
                        color="white" if abs(z[i, j]) > 0.6 * limit else "black")
            bar = fig.colorbar(image, ax=ax, shrink=0.85)
            bar.set_label(f"difference ({style.unit})")
            format_axis(bar.ax.yaxis, style, signed=True)
        else:
            x = np.array(values[keys[0]])
            half = style.scale * (part.ci_high - part.difference).to_numpy(dtype=float)
            order = np.argsort(x)
            ax.errorbar(x[order], diff[order], yerr=half[order], fmt="o-" if len(keys) == 1 else "o",
                        capsize=4, color=COLOURS[1])
            ax.axhline(0, color="0.3", linewidth=1)
            ax.set_xlabel(keys[0])
            ax.set_ylabel(f"difference ({style.unit})")
            format_axis(ax.yaxis, style, signed=True)
            ax.grid(alpha=0.3)
        ax.set_title(style.label, loc="left")
    return fig


def _assumptions_section(results: Results) -> str:
    """The keys the strategies touch (with their sources), then the other assumptions in the
    same sections of the scenario."""
    from .registry import parameters

    e = html.escape
    specs = parameters()
    plans = results.plans
    touched: dict[str, list[str]] = {}
    for name, row in plans.iterrows():
        keys = list(row.overrides) + [k for i in row.interventions for k in _intervention_values(i)]
        for key in keys:
            touched.setdefault(key, []).append(str(name))
    if not touched:
        return ""
    rows = ['<tr><th class="label">parameter</th><th>baseline value</th><th class="label">unit</th>'
            '<th class="label">source</th><th class="label">changed by</th></tr>']

    def row(key: str, by: str) -> str:
        spec = specs.loc[key] if key in specs.index else None
        source = str(spec.source) if spec is not None and spec.source else "not stated"
        unit = str(spec.unit) if spec is not None else ""
        desc = f"<br><small>{e(str(spec.description))}</small>" if spec is not None else ""
        return (f'<tr><td class="label"><code>{e(key)}</code>{desc}</td><td>{e(str(results.parameters.get(key, "?")))}</td>'
                f'<td class="label">{e(unit)}</td><td class="label">{e(source)}</td><td class="label">{e(by)}</td></tr>')

    for key, names in touched.items():
        shown = names if len(names) <= 3 else names[:3] + [f"{len(names) - 3} more"]
        rows.append(row(key, ", ".join(shown)))
    sections = {k.split(".")[0] for k in touched}
    others = [k for k in specs.index if k.split(".")[0] in sections and k not in touched
              and "assumption" in str(specs.loc[k].source).lower()]
    for key in others[:12]:
        rows.append(row(key, "&ndash; (an assumption in the same section)"))
    return ('<h2>Assumptions that drive the result</h2><p class="note">The parameters the strategies change, '
            "with their sources, then the other parameters of the same sections that rest on an assumption "
            "(plausible values nobody has measured for this model): the first candidates to vary in a "
            "sensitivity run.</p>" + '<table id="assumptions">' + "".join(rows) + "</table>")


def _sensitivity_section(sens: Any) -> str:
    """Which assumptions matter: a tornado chart and an index chart per metric of a sensitivity
    study (``cxsim sensitivity``), and the ranked table."""
    from .plotting import new_figure, plain_label
    from .registry import parameters

    e = html.escape
    specs = parameters()
    reps = sens.attributes.get("replications", "?")
    level = float(sens.attributes.get("level", 0.95) or 0.95)
    if sens.method == "morris":
        how = ("Morris elementary effects (Morris 1991): mu* is the mean absolute change of the figure when the key "
               "moves over its whole range, sigma the spread of those changes (large: interactions or curvature)")
        columns = [("mu_star", "mu*"), ("mu", "mu"), ("sigma", "sigma")]
    else:
        how = ("Sobol' indices (Saltelli et al. 2010; Jansen 1999): S1 is the share of the figure's variance due "
               "to the key alone, ST the share including its interactions")
        columns = [("S1", "S1"), ("ST", "ST")]
    score = sens._score()
    parts = ['<section id="sensitivity"><h2>Which assumptions matter</h2>',
             f'<p class="note">{e(how)}. {len(sens.keys)} keys over the ranges below, {len(sens.points):,} '
             f"simulations of {e(str(reps))} replications each (common random numbers). Bars: "
             f"{'mu*' if score == 'mu_star' else 'ST'} with its {level:.0%} bootstrap interval, largest on top.</p>"]
    for metric in sens.metrics:
        label = plain_label(metric)
        fig, axes = new_figure(15, max(3.5, 0.55 * len(sens.keys) + 1.8), ncols=2)
        sens.plot_tornado(metric, ax=axes[0, 0])
        sens.plot_indices(metric, ax=axes[0, 1])
        parts.append(f"<h3>{e(label)}</h3>")
        parts.append(f'<figure class="sensitivity">{_png(fig)}<figcaption>{e(label)}: tornado chart (left) and '
                     "index chart (right).</figcaption></figure>")
        d = sens.indices.xs(metric, level="metric").sort_values(score, ascending=False)
        head = "".join(f"<th>{e(name)}</th>" for _, name in columns)
        rows = [f'<tr><th>rank</th><th class="label">key</th>{head}<th class="label">range</th></tr>']
        for rank, (key, r) in enumerate(d.iterrows(), start=1):
            cells = ""
            for col, _ in columns:
                value = f"{r[col]:.3g}"
                if col + "_low" in r.index:
                    value += f"<br><small>[{r[col + '_low']:.3g}, {r[col + '_high']:.3g}]</small>"
                cells += f"<td>{value}</td>"
            desc = specs.loc[key].description if key in specs.index else ""
            j = sens.keys.index(key)
            lo, hi = sens.points[key].min(), sens.points[key].max()
            rng = (f"{sens.attributes['min'][j]:.4g} to {sens.attributes['max'][j]:.4g}"
                   if "min" in sens.attributes else f"{lo:.4g} to {hi:.4g}")
            rows.append(f'<tr><td>{rank}</td><td class="label"><code>{e(key)}</code><br><small>{e(str(desc))}'
                        f'</small></td>{cells}<td class="label">{e(rng)}</td></tr>')
        parts.append('<table class="sensitivity">' + "".join(rows) + "</table>")
    parts.append("</section>")
    return "\n".join(parts)


def render_sensitivity_report(sens: Any, title: str | None = None) -> str:
    """The report of a sensitivity file (``cxsim sensitivity -o FILE.h5``): which levers matter."""
    e = html.escape
    a = sens.attributes
    labels = ", ".join(_plain(m) for m in sens.metrics)
    title = title or f"Which levers matter for {labels}"
    parts = [f"{_html_head()}<title>{e(title)}</title><style>{_CSS}</style></head><body>", f"<h1>{e(title)}</h1>",
             f'<p class="question" id="question"><b>Question:</b> which of {len(sens.keys)} assumptions move '
             f"{e(labels)} most, over the ranges studied?</p>"]
    import matplotlib

    with matplotlib.rc_context({"font.size": 15, "axes.titlesize": 17, "axes.labelsize": 15,
                                "legend.fontsize": 13, "xtick.labelsize": 13, "ytick.labelsize": 13}):
        # The decision a screening supports: the levers ranked first for each metric.
        score = sens._score()
        tops = []
        for metric in sens.metrics:
            d = sens.indices.xs(metric, level="metric").sort_values(score, ascending=False)
            tops.append(f"<li>{e(_plain(metric))}: <b>{e(', '.join(d.index[:3]))}</b></li>")
        parts.append('<section id="summary"><h2>Decision</h2><p class="decision">The levers that matter most '
                     "(first three by " + ("mu*" if score == "mu_star" else "total index") + "):</p><ul>"
                     + "".join(tops) + '</ul><p class="note">Spend measurement and calibration effort on these; '
                     "the keys ranked last can stay at their defaults for this question.</p></section>")
        parts.append(_sensitivity_section(sens))
    parts.append(_definitions_section([m for m in sens.metrics]))
    parts.append(f'<h2>Provenance</h2><p class="note">Command: <code>{e(str(a.get("command_line", "")))}</code><br>'
                 f"Scenario: <code>{e(str(a.get('scenario_path', '')))}</code>; method {e(sens.method)}, "
                 f"{e(str(a.get('samples', '?')))} samples, seed {e(str(a.get('seed', '?')))}</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _plain(metric: str) -> str:
    from .plotting import plain_label

    return plain_label(metric)


def _definitions_section(figure_ids: Sequence[str]) -> str:
    e = html.escape
    items = []
    for f in _core.builtin_figures():
        if f["id"] in figure_ids:
            unit = f["display_unit"] or f["unit"]
            items.append(f'<dt id="figure-{e(f["id"])}">{e(f["label"])} ({e(unit)})</dt><dd>{e(f["definition"])}</dd>')
    return ('<h2>Definitions</h2><p class="note">From the key-figure table (<code>cxsim docs key-figures</code>).</p>'
            '<dl id="definitions">' + "".join(items) + "</dl>")


# --- the report ---------------------------------------------------------------------------------


def render_report(results: Results, title: str | None = None, baseline: str | None = None,
                  charts: Sequence[tuple[str, bool]] = DEFAULT_CHARTS, level: float = 0.95,
                  objective: str = "profit", indifference: float | None = None,
                  sensitivity: Any = None) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    import matplotlib

    from .plotting import new_figure, plot_comparison, plot_difference, plot_metric, currency_of

    e = html.escape
    a = results.attributes
    heading, question = scenario_heading(results)
    title = title or heading
    level = check_level(level)
    if indifference is not None:
        indifference = check_indifference(indifference)
    base = check_baseline(results, baseline)
    kinds = results.plans.kind
    main = [n for n in results.strategies if kinds[n] != "sweep_point"]
    points = [n for n in results.strategies if kinds[n] == "sweep_point"]
    parts = [f"{_html_head()}<title>{e(title)}</title><style>{_CSS}</style></head><body>", f"<h1>{e(title)}</h1>"]
    if question:
        parts.append(f'<p class="question" id="question"><b>Question:</b> {e(question)}</p>')
    parts.append(f'<p class="meta">{results.replications} replications &times; {results.days:,} days, '
                 f"population {int(a.get('population', 0) or 0):,}, seed {a.get('seed', '?')}; "
                 f"strategies: {e(', '.join(main))}"
                 + (f"; {len(points)} sweep points" if points else "") + "</p>")

    with matplotlib.rc_context({"font.size": 15, "axes.titlesize": 17, "axes.labelsize": 15,
                                "legend.fontsize": 13, "xtick.labelsize": 13, "ytick.labelsize": 13}):
        table = None
        if len(results.strategies) > 1:
            d = decision(results, objective, base, level, indifference)
            parts.append(_summary_section(results, d, base, level))
            table = results.compare(baseline=base, level=level)
            table["significant_holm"] = holm(table, level)
        else:
            parts.append('<section id="summary"><h2>Decision</h2><p class="decision">One run only: nothing to '
                         "choose between. Add strategies (<code>[[strategy]]</code>) to compare.</p></section>")

        parts.append(_strategies_section(results, base))

        parts.append("<h2>Key figures</h2>")
        parts.append(f'<p class="note">Mean over replications, &plusmn; the half-width of its {level:.0%} interval. '
                     "Totals are over the whole horizon; &ldquo;last 30 days&rdquo; figures are at its end. "
                     'Each figure is defined <a href="#definitions">below</a>.</p>')
        parts.append(_key_figure_table(results, level, main))

        others = [n for n in main if n != base]
        if table is not None and others:
            part = table[table.strategy.isin(others)]
            tests = len(table)
            parts.append(f"<h2>Each strategy against {e(base)}</h2>")
            parts.append('<p class="note">Paired differences (same customers, same random numbers), mean and '
                         f"{level:.0%} interval. Bold and *: significant after Holm's correction for the {tests} "
                         "comparisons in this report (strategies and sweep points &times; figures), so that "
                         "emphasis is not a matter of chance. Shares in %, their differences in percentage "
                         "points (pp).</p>")
            parts.append(_comparison_table(part, others, results))
            fig = plot_comparison(part, level=level, ncols=3, currency=currency_of(results))
            fig.set_size_inches(15, fig.get_size_inches()[1] * 1.3)
            parts.append(f"<figure>{_png(fig)}<figcaption>Difference from {e(base)}: mean and {level:.0%} "
                         "interval; filled: the interval excludes zero.</figcaption></figure>")
            fig, axes = new_figure(15, 5.5)
            plot_difference(results, "profit", others, baseline=base, ax=axes[0, 0], cumulative=True, level=level)
            parts.append(f"<figure>{_png(fig)}<figcaption>Cumulative profit difference from {e(base)}: where a "
                         "line crosses zero for good, the strategy has paid back.</figcaption></figure>")
        if table is not None and points:
            part = table[table.strategy.isin(points)]
            parts.append(f"<h2>Sweep over {e(', '.join(results.sweep_keys))}</h2>")
            parts.append(f'<p class="note">{len(points)} points, each {e(base)} with the values shown: the paired '
                         f"difference from {e(base)} with its {level:.0%} interval (bold and *: significant after "
                         "Holm's correction).</p>")
            parts.append(_sweep_table(results, part))
            parts.append(f"<figure>{_png(_sweep_chart(results, part, level))}<figcaption>Difference from "
                         f"{e(base)} at each point.</figcaption></figure>")

        if results.has_segments:
            parts.append(_segments_section(results, level, main[:8]))

        parts.append("<h2>Over time</h2>")
        parts.append('<p class="note">Median over replications (line) and the bands holding the central '
                     "50% and 90% of them; daily flows as 7-day averages; dashed lines: the days interventions "
                     "start.</p>")
        shown = main[:8]
        for metric, cumulative in charts:
            if metric not in results.metrics:
                continue
            fig, axes = new_figure(15, 5.5)
            flow = results.metrics[metric].kind == "flow" and not cumulative
            plot_metric(results, metric, shown, ax=axes[0, 0], cumulative=cumulative, smooth="week" if flow else None)
            info = results.metrics[metric]
            parts.append(f"<figure>{_png(fig)}<figcaption>{e(info.description)}.</figcaption></figure>")

    parts.append(_assumptions_section(results))
    if sensitivity is not None:
        with matplotlib.rc_context({"font.size": 15, "axes.titlesize": 17, "axes.labelsize": 15,
                                    "xtick.labelsize": 13, "ytick.labelsize": 13}):
            parts.append(_sensitivity_section(sensitivity))
    key_ids = [f["id"] for f in _core.builtin_figures() if f["key"]]
    parts.append(_definitions_section(list(dict.fromkeys(key_ids + ["active_customers"]))))
    command = e(str(a.get("command_line", "")))
    sha = e(str(a.get("scenario_sha256", "")))
    parts.append(f'<h2>Provenance</h2><p class="note">Command: <code>{command}</code><br>'
                 f"Scenario: <code>{e(str(a.get('scenario_path', '')))}</code> "
                 f"(SHA-256 <code>{sha[:16]}</code>)<br>cxsim {e(str(a.get('cxsim_version', '')))} "
                 f"({e(str(a.get('git_sha', '')))}), created {e(str(a.get('created_utc', '')))}<br>"
                 f"Random numbers: {e(str(a.get('rng_scheme', '')))}</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _is_sensitivity_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a ``cxsim sensitivity`` file (its root attribute ``format``). Only
    regular files are opened; anything else is left to :func:`load`, which names the problem."""
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as f:
            if f.read(8) != b"\x89HDF\r\n\x1a\n":
                return False
        _core.check_hdf5_heaps(os.fspath(path))  # a damaged heap of strings crashes h5py's read
        import h5py

        with h5py.File(os.fspath(path), "r") as f:
            v = f.attrs.get("format", b"")
            return (v.decode() if isinstance(v, bytes) else str(v)) == "cxsim-sensitivity"
    except Exception:  # h5py raises KeyError, OSError, ... on damaged files: load() names the problem
        return False


def chromium_executable() -> str | None:
    """The headless browser the PDF is printed with (``CXSIM_CHROMIUM`` or chromium on PATH)."""
    return os.environ.get("CXSIM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _print_pdf(html_path: str, pdf_path: str) -> None:
    browser = chromium_executable()
    if browser is None:
        raise _core.InputError("a PDF report needs chromium (apt-get install chromium); write .html instead")
    profile = tempfile.mkdtemp(prefix="cxsim-chromium-")
    try:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
               "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf_path}", "file://" + os.path.abspath(html_path)]
        # Its own process group: on an error, a timeout or an interruption the browser and every
        # helper process it started end with it.
        browser_process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            _, stderr = browser_process.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            stderr = "it did not finish within 300 s"
        finally:
            _end_process_group(browser_process)
    finally:
        for attempt in range(5):  # helpers killed a moment ago may still be ending
            shutil.rmtree(profile, ignore_errors=True)
            if not os.path.exists(profile):
                break
            time.sleep(0.2)
    if browser_process.returncode != 0 or not os.path.exists(pdf_path) or os.path.getsize(pdf_path) == 0:
        raise RuntimeError(f"chromium could not print the PDF: {(stderr or '')[-1000:]}")


def _end_process_group(process: subprocess.Popen) -> None:
    """Kills what is left of the process group ``process`` leads, and reaps it."""
    try:
        os.killpg(process.pid, 9)
    except OSError:
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL was sent
        pass


# --- options ------------------------------------------------------------------------------------


def check_level(level: Any, name: str = "level") -> float:
    """``level`` as a float when it is a confidence level, a finite number in (0, 1); else
    :class:`cxsim.InputError` naming ``name`` (``--level`` in the CLI) and what is allowed."""
    value = _number(level, name, "a number in (0, 1), e.g. 0.95")
    if not 0.0 < value < 1.0:
        raise _core.InputError(f"{name}: got {_shown_value(level)}; allowed: a number in (0, 1), e.g. 0.95")
    return value


def check_indifference(indifference: Any, name: str = "indifference") -> float:
    """``indifference`` as a float when it is a finite number above 0; else :class:`cxsim.InputError`."""
    allowed = "a number above 0, in the objective's unit (a share: 0.01 is one percentage point)"
    value = _number(indifference, name, allowed)
    if not value > 0:
        raise _core.InputError(f"{name}: got {_shown_value(indifference)}; allowed: {allowed}")
    return value


def check_baseline(results: Results, baseline: str | None, name: str = "baseline") -> str:
    """The strategy the others are compared with: ``baseline`` when the results have it (else
    :class:`cxsim.InputError` naming the results file and listing its strategies), or the file's
    baseline."""
    if not baseline:
        return results.baseline
    if baseline in results.strategies:
        return baseline
    names = results.strategies
    shown = ", ".join(repr(n) for n in names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
    where = f"{results.path}: " if results.path else ""
    raise _core.InputError(f"{where}{name}: no strategy {baseline!r} in these results; allowed: {shown}")


def check_objective(results: Results, objective: str, baseline: str | None = None, name: str = "objective") -> str:
    """The figure id of ``objective`` when it is a key figure or a metric the results have (else
    :class:`cxsim.InputError` saying what is allowed)."""
    key_ids = [f["id"] for f in _core.builtin_figures() if f["key"]]
    allowed = f"a key figure ({', '.join(key_ids)}) or a metric of the results file (cxsim info lists them)"
    try:
        figure = _core.find_figure(str(objective))
        results.key_figures(baseline or results.baseline, [figure["id"]])
    except (KeyError, ValueError) as e:  # InputError is a ValueError
        raise _core.InputError(f"{name}: got {_shown_value(objective)}; allowed: {allowed}") from e
    if len(results.strategies) > 1:  # one run makes no decision, so its objective is not used
        _objective_values(results, figure, name)
    return str(figure["id"])


def _objective_values(results: Results, figure: dict[str, Any], name: str = "objective") -> np.ndarray:
    """The objective per strategy and replication, or :class:`cxsim.InputError` when it has no value
    in any of them (12-month retention of a run shorter than a year, a damaged file): nothing to rank."""
    per_rep = np.stack([results.key_figures(n, [figure["id"]])[figure["id"]].to_numpy() for n in results.strategies])
    if np.isnan(per_rep).all():
        where = f"{results.path}: " if results.path else ""
        raise _core.InputError(f"{where}{name}: {figure['id']!r} has no value in this file (none at day "
                               f"{results.days:,}, the horizon, in any strategy or replication): "
                               f"{figure['definition']}")
    return per_rep


def _number(value: Any, name: str, allowed: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise _core.InputError(f"{name}: got {_shown_value(value)}; allowed: {allowed}")
    return number


def _shown_value(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --- where a report may be written ------------------------------------------------------------------
#
# The rules of `cxsim run` for results files (sim/io/output_path.cpp, docs/reliability.md), for
# reports: a new path, or (only when replacing is allowed) a regular file that is a report cxsim
# wrote. Never a symlink, directory, FIFO, socket, device, the results or sensitivity file being
# read, or any other file. The report is written in a private directory next to the target and
# published by a rename (a hard link when the target is new, so that nothing is replaced).

REPORT_SUFFIXES = (".html", ".htm", ".pdf")
_GENERATOR = "cxsim report"
_HTML_START = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="generator" content="'
_PDF_MARK = b"/CxsimReport (cxsim report"
_TEMP_MARKER = ".cxsim-tmp-"  # as the temporary directories of `cxsim run`
_STALE_SECONDS = 24 * 3600


def _html_head() -> str:
    """The start of every report: the generator tag :func:`is_cxsim_report` recognises."""
    return f'{_HTML_START}{_GENERATOR} {html.escape(str(_core.__version__))}">'


def is_cxsim_report(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a regular file (not a symlink) holding a report cxsim wrote: HTML that
    starts with cxsim's generator tag, or a PDF whose last update carries cxsim's marker."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            return False
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            return False
        start = (_HTML_START + _GENERATOR + " ").encode()
        head = os.pread(fd, len(start), 0)
        if head == start:
            return True
        if head.startswith(b"%PDF-"):
            n = min(now.st_size, 4096)
            tail = os.pread(fd, n, now.st_size - n)
            return _PDF_MARK in tail and tail.rstrip().endswith(b"%%EOF")
        return False
    except OSError:
        return False
    finally:
        os.close(fd)


@dataclass
class ReportTarget:
    """Where :func:`publish_report` writes, as :func:`check_report_output` accepted it."""

    path: str
    replace: bool  # an existing report cxsim wrote may be replaced
    exists: bool = False  # there is one to replace
    mode: int | None = None  # its permission bits, kept
    owner: tuple[int, int] | None = None  # its owner and group, kept when running as root
    protected: tuple[tuple[tuple[int, int], str], ...] = ()  # ((st_dev, st_ino), what it is): never written
    how_to_replace: str = "use --force"
    published: bool = False  # the rename is done

    @property
    def pdf(self) -> bool:
        return self.path.lower().endswith(".pdf")


def _refused(path: str, reason: str) -> _core.InputError:
    return _core.InputError(f"{path}: refusing to write: {reason}")


def _split(path: str) -> tuple[str, str]:
    directory, name = os.path.split(path)
    return directory or ".", name


def _check_existing(target: ReportTarget, st: os.stat_result) -> None:
    """Refuses an existing entry at target.path that must not be replaced."""
    path = target.path
    if stat.S_ISLNK(st.st_mode):
        raise _refused(path, "the output path is a symbolic link; cxsim writes a report only to a new path or over "
                             "a report it wrote (the link was left as it was)")
    if stat.S_ISDIR(st.st_mode):
        raise _refused(path, "the output path is a directory; give a file name (the directory was left as it was)")
    if not stat.S_ISREG(st.st_mode):
        raise _refused(path, "the output path is a special file (device, FIFO or socket), not a regular file; it "
                             "was left as it was")
    for identity, what in target.protected:
        if (st.st_dev, st.st_ino) == identity:
            raise _refused(path, f"the output path is {what}; choose another output path (it was left as it was)")
    if not is_cxsim_report(path):
        raise _core.InputError(f"{path}: refusing to replace a file that is not a report cxsim wrote (it was left "
                               "as it was); choose another output path")
    if not target.replace:
        raise _core.InputError(f"{path}: a report exists already; {target.how_to_replace} to replace a report "
                               "cxsim wrote, or choose another output path (it was left as it was)")


def _temp_prefix(name: str) -> str:
    return "." + name[:100] + _TEMP_MARKER


def _remove_temp_dir(parent_fd: int, name: str) -> None:
    """Removes a temporary directory of ours: the files in it (never following symlinks), then
    the directory. Errors are ignored."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent_fd)
    except OSError:
        return
    try:
        for inner in os.listdir(fd):
            try:
                if not stat.S_ISDIR(os.stat(inner, dir_fd=fd, follow_symlinks=False).st_mode):
                    os.unlink(inner, dir_fd=fd)
            except OSError:
                pass
    finally:
        os.close(fd)
    try:
        os.rmdir(name, dir_fd=parent_fd)
    except OSError:
        pass


def _with_directory(directory: str, action: Any) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        action(fd)
    finally:
        os.close(fd)


def _remove_stale_temps(directory: str, name: str) -> None:
    """Removes the temporary directories of dead writers of ``name`` (their process is gone, or
    older than a day): only this user's directories, never following symlinks."""
    prefix = _temp_prefix(name)

    def clean(fd: int) -> None:
        for entry in os.listdir(fd):
            if not entry.startswith(prefix):
                continue
            pid_text = entry[len(prefix):].split("-", 1)[0]
            if not pid_text.isdigit() or int(pid_text) <= 0:
                continue
            pid = int(pid_text)
            try:
                st = os.stat(entry, dir_fd=fd, follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
                continue
            try:
                os.kill(pid, 0)
                dead = False
            except ProcessLookupError:
                dead = True
            except OSError:
                dead = False
            if (dead and pid != os.getpid()) or time.time() - st.st_mtime > _STALE_SECONDS:
                _remove_temp_dir(fd, entry)

    _with_directory(directory, clean)


def check_report_output(path: str | os.PathLike[str], *, replace: bool = False,
                        protected: Sequence[tuple[str | os.PathLike[str] | None, str]] = (),
                        how_to_replace: str = "use --force") -> ReportTarget:
    """Checks, in milliseconds and before anything is rendered, that a report may be written at
    ``path``: a name ending in .html, .htm or .pdf, in a directory that exists and where a file
    can be created; nothing there, or (only with ``replace``) a regular file that is a report
    cxsim wrote (:func:`is_cxsim_report`). Symlinks (even dangling), directories, FIFOs, sockets,
    devices, the ``protected`` files ((path, what it is): the results and sensitivity files read)
    and any other file are refused with :class:`cxsim.InputError`, and left as they were."""
    path = os.fspath(path)
    if not path:
        raise _core.InputError("the output path is empty; give a file name ending in .html or .pdf")
    directory, name = _split(path)
    if name in ("", ".", ".."):
        raise _core.InputError(f"{path}: the output path names a directory; give a file name ending in .html or .pdf")
    target = ReportTarget(path, replace, how_to_replace=how_to_replace)
    idents = []
    for file, what in protected:
        if file is None:
            continue
        try:
            known = os.stat(file)
        except (OSError, ValueError):
            continue
        idents.append(((known.st_dev, known.st_ino), what))
    target.protected = tuple(idents)

    try:
        dir_st = os.stat(directory)
    except OSError as e:
        raise _core.InputError(f"{path}: cannot write the report: directory '{directory}': {e.strerror}") from None
    if not stat.S_ISDIR(dir_st.st_mode):
        raise _core.InputError(f"{path}: cannot write the report: '{directory}' is not a directory")
    try:
        st: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise _core.InputError(f"{path}: cannot write the report: {e.strerror}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        _check_existing(target, st)  # refuses: symlink, directory or special file
    suffix = os.path.splitext(name)[1]
    if suffix.lower() not in REPORT_SUFFIXES:
        raise _core.InputError(f"{path}: the output must end in .html, .htm or .pdf (got "
                               f"{repr(suffix) if suffix else 'no extension'}); nothing was written"
                               + ("; the file there was left as it was" if st is not None else ""))
    if st is not None:
        _check_existing(target, st)
        target.exists = True
        target.mode = stat.S_IMODE(st.st_mode)
        target.owner = (st.st_uid, st.st_gid)
    if target.pdf and chromium_executable() is None:
        raise _core.InputError(f"{path}: a PDF report needs chromium (apt-get install chromium); write .html instead")

    _remove_stale_temps(directory, name)
    # Writable? Create and remove a private directory: this covers permissions, read-only mounts
    # and root, which access(2) does not.
    try:
        probe = tempfile.mkdtemp(prefix=_temp_prefix(name) + f"{os.getpid()}-", dir=directory)
        os.rmdir(probe)
    except OSError as e:
        raise _core.InputError(f"{path}: cannot write the report in directory '{directory}': {e.strerror}") from None
    return target


def default_report_path(results_path: str | os.PathLike[str], suffix: str = ".html") -> str:
    """The report's name when none is given: the results file's stem with ``suffix`` in the
    current directory, or ``-2``, ``-3``, ... when that is taken (an existing file is never
    replaced)."""
    stem = os.path.splitext(os.path.basename(os.fspath(results_path).rstrip("/")))[0]
    if not stem or stem.startswith("."):
        stem = "report" + stem
    for n in range(1, 100000):
        candidate = stem + suffix if n == 1 else f"{stem}-{n}{suffix}"
        try:
            os.lstat(candidate)
        except FileNotFoundError:
            return candidate
        except OSError:
            continue
    raise _core.InputError(f"no free report name of the form {stem}-N{suffix} here; give one with -o")


def _write_new(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _pdf_text(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _mark_pdf(path: str, title: str) -> bool:
    """Appends to the PDF Chromium printed an incremental update (PDF 1.7, 7.5.6) whose document
    information carries the title and cxsim's marker. Returns False (the file unchanged) when
    the trailer is not the plain kind expected; such a PDF is never replaced later."""
    version = str(_core.__version__).replace("(", "").replace(")", "").replace("\\", "")
    with open(path, "r+b") as f:
        size = f.seek(0, os.SEEK_END)
        n = min(size, 4096)
        f.seek(size - n)
        tail = f.read(n)
        found = list(re.finditer(rb"trailer\s*<<(.*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$", tail, re.S))
        if not found or b"<<" in found[-1].group(1) or b"/Encrypt" in found[-1].group(1):
            return False
        trailer = found[-1].group(1)
        count = re.search(rb"/Size\s+(\d+)", trailer)
        root = re.search(rb"/Root\s+(\d+\s+\d+\s+R)", trailer)
        if not count or not root:
            return False
        number, prev = int(count.group(1)), int(found[-1].group(2))
        lead = b"" if tail.endswith(b"\n") else b"\n"
        start = size + len(lead)
        info = (f"{number} 0 obj\n<</Title {_pdf_text(title)}\n/Creator (cxsim report {version})\n"
                f"/Producer (Chromium, headless)\n/CxsimReport (cxsim report {version})>>\nendobj\n").encode()
        xref = (f"xref\n{number} 1\n{start:010d} 00000 n \ntrailer\n<</Size {number + 1}\n/Root "
                f"{root.group(1).decode()}\n/Info {number} 0 R\n/Prev {prev}>>\nstartxref\n{start + len(info)}\n"
                "%%EOF\n").encode()
        f.write(lead + info + xref)
    return True


def _link_new(file: str, target: ReportTarget) -> None:
    """Publishes ``file`` at a path that was free: a hard link, which never replaces anything."""
    try:
        os.link(file, target.path, follow_symlinks=False)
        return
    except FileExistsError:
        pass
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS, errno.EXDEV):
            raise
        # A file system without hard links: check once more and rename.
        if not os.path.lexists(target.path):
            os.rename(file, target.path)
            return
    raise _core.InputError(f"{target.path}: another process created this file while cxsim was writing the report; "
                           "it was left as it is and the report was not written")


def _commit(file: str, target: ReportTarget) -> None:
    fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if target.mode is not None:
            os.fchmod(fd, target.mode)  # a replaced report keeps its permission bits
        if target.owner is not None and os.geteuid() == 0:
            _ignore_errors(os.fchown, fd, *target.owner)  # and, for root, its owner
        os.fsync(fd)
    finally:
        os.close(fd)
    # The commit: the target must still be what check_report_output() accepted.
    try:
        st: os.stat_result | None = os.lstat(target.path)
    except FileNotFoundError:
        st = None
    if st is None:
        _link_new(file, target)
    else:
        try:
            _check_existing(target, st)
        except _core.InputError as e:
            if not target.exists:
                raise _core.InputError(f"{target.path}: another process created this file while cxsim was writing "
                                       f"the report; it was left as it is and the report was not written ({e})"
                                       ) from None
            raise
        os.replace(file, target.path)  # replaces the directory entry: never writes through a link
    target.published = True
    _with_directory(_split(target.path)[0], lambda d: _ignore_errors(os.fsync, d))


def _ignore_errors(action: Any, *args: Any) -> None:
    try:
        action(*args)
    except OSError:
        pass


def publish_report(text: str, target: ReportTarget) -> str:
    """Writes the report ``text`` (HTML; printed to PDF when the target ends in .pdf) in a private
    temporary directory ``.<name>.cxsim-tmp-<pid>-<random>/`` next to the target and renames it
    onto ``target.path`` (checked again right before): a complete report or nothing; the
    temporary directory is removed on any error or interruption. Returns the path."""
    directory, name = _split(target.path)
    try:
        temp = tempfile.mkdtemp(prefix=_temp_prefix(name) + f"{os.getpid()}-", dir=directory)
    except OSError as e:
        raise _core.InputError(f"{target.path}: cannot write the report in directory '{directory}': "
                               f"{e.strerror}") from None
    try:
        file = os.path.join(temp, name)
        if target.pdf:
            source = os.path.join(temp, "source.html")
            _write_new(source, text.encode("utf-8"))
            _print_pdf(source, file)
            match = re.search(r"<title>(.*?)</title>", text, re.S)
            _mark_pdf(file, html.unescape(match.group(1)) if match else "cxsim report")
        else:
            _write_new(file, text.encode("utf-8"))
        _commit(file, target)
    except OSError as e:
        raise _core.InputError(f"{target.path}: cannot write the report: {e.strerror or e}") from None
    finally:
        parent = os.path.dirname(temp)
        _with_directory(parent, lambda d: _remove_temp_dir(d, os.path.basename(temp)))
    return target.path


def write_report(results: Results | str | os.PathLike[str], output: str | os.PathLike[str],
                 title: str | None = None, baseline: str | None = None, level: float = 0.95,
                 objective: str = "profit", indifference: float | None = None,
                 sensitivity: Any = None, *, replace: bool = True) -> str:
    """Writes the report: one self-contained HTML file (inline PNG charts, no network needed),
    or a PDF when ``output`` ends in ``.pdf`` (the HTML printed by headless Chromium).

    Args:
        results: a :class:`Results`, a :class:`cxsim.studies.Sensitivity`, or the path of a
            results file.
        output: the file to write, ending in .html, .htm or .pdf: a new path, or a report cxsim
            wrote (replaced atomically: a complete file or none). Anything else there (another
            file, a symlink, a directory, a FIFO, the results file itself) raises
            :class:`cxsim.InputError` before anything is rendered, and is left as it was.
        title: the title (default: ``run.title``, else the scenario's first comment line).
        baseline: the strategy others are compared with (default: ``baseline`` or the first).
        level: confidence level of the intervals.
        objective: the key figure the decision maximises (default ``profit``).
        indifference: the smallest difference in ``objective`` worth acting on, for the
            confidence of the choice (default: 1% of the baseline's mean, 1 point for a share).
        sensitivity: a :class:`cxsim.studies.Sensitivity` or the path of a ``cxsim sensitivity``
            file: adds "Which assumptions matter" (tornado and index charts). When ``results``
            itself is a sensitivity file, the report is that study's.
        replace: whether an existing report cxsim wrote at ``output`` may be replaced (never any
            other file).

    Returns:
        The output path.
    """
    from .studies import Sensitivity, read_sensitivity

    level = check_level(level)
    if indifference is not None:
        indifference = check_indifference(indifference)
    protected: list[tuple[str | os.PathLike[str] | None, str]] = []
    if isinstance(results, (str, os.PathLike)):
        protected.append((results, "the results file being reported"))
    elif isinstance(results, Results) and results.path:
        protected.append((results.path, "the results file being reported"))
    if isinstance(sensitivity, (str, os.PathLike)):
        protected.append((sensitivity, "the sensitivity file being reported"))
    if isinstance(results, (str, os.PathLike)):
        results = read_sensitivity(results) if _is_sensitivity_file(results) else load(results)
    if isinstance(sensitivity, (str, os.PathLike)):
        sensitivity = read_sensitivity(sensitivity)
    if isinstance(results, Results):
        check_baseline(results, baseline)
        check_objective(results, objective, baseline)
    target = check_report_output(output, replace=replace, protected=protected, how_to_replace="pass replace=True")
    if isinstance(results, Sensitivity):
        text = render_sensitivity_report(results, title=title)
    else:
        text = render_report(results, title=title, baseline=baseline, level=level, objective=objective,
                             indifference=indifference, sensitivity=sensitivity)
    return publish_report(text, target)
