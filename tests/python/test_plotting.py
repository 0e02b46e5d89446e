"""Every default chart is fit for a slide: plain-language labels from the key-figure table (no
internal metric names), shares in %, money with thousands separators and the scenario's
currency, no offset or scientific notation, legends beside the data, intervention days marked,
calendar dates with run.start_date, smoothing of daily flows."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.figure import Figure

import cxsim
from cxsim.plotting import COLOURS, plot_dashboard, smooth_values

INTERNAL = re.compile(r"[a-z]+_[a-z_]+")  # metric names such as asa_s, monthly_churn_rate


@pytest.fixture(scope="module")
def studied():
    import conftest

    base = cxsim.Scenario.from_string(conftest.SMALL + '\n[finance]\ncurrency = "EUR"\n')
    return cxsim.run(base.with_strategies({
        "fewer defects": {"quality.defect_rate": 0.005},
        "price 45 from day 30": {"interventions": [{"day": 30, "purchase.price": 45.0}]},
    }), progress=False)


@pytest.fixture(scope="module")
def dated(studied):
    scenario = studied.scenario.with_overrides({"run.start_date": "2026-03-01", "run.replications": 2})
    return cxsim.run(scenario, progress=False)


def tick_texts(fig: Figure, axis: str = "y") -> list[str]:
    fig.canvas.draw()
    out = []
    for ax in fig.axes:
        a = ax.yaxis if axis == "y" else ax.xaxis
        out += [t.get_text() for t in a.get_ticklabels() if t.get_text()]
        offset = a.get_offset_text().get_text()
        assert not offset, f"offset notation {offset!r} on {ax.get_title()!r}"
    return out


def assert_slide_ready(fig: Figure) -> None:
    fig.canvas.draw()
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            continue
        for text in (ax.get_title(loc="left"), ax.get_title(), ax.get_ylabel(), ax.get_xlabel()):
            assert not INTERNAL.search(text), f"internal name in {text!r}"
        for t in ax.get_yticklabels() + ax.get_xticklabels():
            assert "e+" not in t.get_text() and "1e" not in t.get_text(), t.get_text()
            digits = t.get_text().replace("\u2212", "-").lstrip("+-")
            assert not re.fullmatch(r"\d{5,}", digits), f"no thousands separator: {t.get_text()!r}"
        legend = ax.get_legend()
        if legend is not None:
            box, area = legend.get_window_extent(), ax.get_window_extent()
            assert box.x0 >= area.x1 - 1, "the legend must sit beside the data, not on it"


@pytest.mark.parametrize("metric,unit_text", [
    ("retention_1m", "%"), ("monthly_churn_rate", "% per month"), ("asa_s", "seconds"),
    ("active_customers", "people"), ("nps", "points"), ("service_level", "%"),
])
def test_fan_chart_labels(studied, metric, unit_text):
    fig = studied.plot(metric)
    ax = fig.axes[0]
    assert ax.get_ylabel() == unit_text
    assert_slide_ready(fig)
    assert len(ax.lines) >= 3  # one median per strategy (+ the intervention marker)
    if unit_text.startswith("%"):
        values = [float(t.rstrip("%").replace("\u2212", "-")) for t in tick_texts(fig) if t.endswith("%")]
        assert values and max(values) > 1.5, "shares are shown in %, not on a 0-1 scale"


def test_titles_come_from_the_key_figure_table(studied):
    labels = {f["metric"]: f["label"] for f in cxsim._core.builtin_figures()}
    assert studied.plot("asa_s").axes[0].get_title(loc="left") == labels["asa_s"].split(" (")[0] == "ASA"
    assert studied.plot("monthly_churn_rate").axes[0].get_title(loc="left") == "monthly churn"
    # a metric without a key figure: its description's first clause
    assert studied.plot("contacts_value").axes[0].get_title(loc="left") == "Questions with nothing wrong"


def test_money_has_currency_separators_and_no_offset(studied):
    fig = studied.plot("profit", cumulative=True)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "EUR"
    assert ax.get_title(loc="left") == "profit, cumulative"
    ticks = tick_texts(fig)
    assert any(re.search(r"\d,\d{3}|\d+k|\d(\.\d+)?M", t) for t in ticks), ticks
    assert_slide_ready(fig)
    daily = studied.plot("revenue")
    assert daily.axes[0].get_ylabel() == "EUR per day"


def test_intervention_days_are_marked(studied):
    ax = studied.plot("active_customers").axes[0]
    marks = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(marks) == 1 and marks[0].get_xdata()[0] == 31  # day 30 (0-based) acts from day 31
    assert marks[0].get_color() == COLOURS[2]  # the strategy's own colour
    assert any("day 31" in t.get_text() for t in ax.texts)


def test_smoothing(studied):
    raw = studied.series("contacts")
    weekly = smooth_values(raw, "week")
    assert weekly.shape == raw.shape
    assert np.isclose(weekly[0, 10], raw[0, 7:14].mean())
    assert np.nanstd(np.diff(weekly[0])) < np.nanstd(np.diff(raw[0]))
    fig = studied.plot("contacts", smooth="month")
    assert fig.axes[0].get_title(loc="left") == "contacts, 30-day average"
    with pytest.raises(ValueError, match="week"):
        studied.plot("contacts", smooth="fortnight")


def test_calendar_dates_with_a_start_date(dated):
    fig = dated.plot("active_customers")
    labels = tick_texts(fig, "x")
    assert any(re.search(r"Mar|Apr|May|Jun|2026", t) for t in labels), labels
    assert fig.axes[0].get_xlabel() == ""
    numbered = dated.scenario.with_overrides({"run.start_date": ""})
    assert numbered["run.start_date"] == ""


def test_difference_chart_with_intervals(studied):
    fig = studied.plot_difference("profit", cumulative=True)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "profit, cumulative: difference from baseline"
    assert ax.get_ylabel() == "EUR"
    assert len(ax.collections) == 2  # an interval band per strategy
    assert any(t.startswith("+") for t in tick_texts(fig))  # signed ticks
    assert_slide_ready(fig)
    share = studied.plot_difference("retention_1m").axes[0]
    assert share.get_ylabel() == "percentage points"


def test_comparison_chart(studied):
    fig = studied.plot_comparison(figures=["contacts", "profit", "churn"])
    assert isinstance(fig, Figure)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert "contacts (total)" in titles and "profit (total)" in titles
    xlabels = [ax.get_xlabel() for ax in fig.axes]
    assert "difference (EUR)" in xlabels and "difference (percentage points)" in xlabels
    assert_slide_ready(fig)


def test_dashboard(studied):
    fig = plot_dashboard(studied)
    assert len(fig.axes) == 6
    assert_slide_ready(fig)


def test_fan_chart_into_given_axes(studied):
    fig = Figure()
    ax = fig.subplots()
    assert studied.plot("profit", "baseline", ax=ax, cumulative=True) is fig


def test_a_metric_typo_suggests_the_name(studied):
    with pytest.raises(KeyError, match="did you mean 'asa_s'"):
        studied.plot("asa")
