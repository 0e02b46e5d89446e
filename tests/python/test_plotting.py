"""Plots return matplotlib figures with what they promise on them."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

import cxsim
from cxsim.plotting import plot_dashboard


@pytest.fixture(scope="module")
def pair():
    import conftest

    base = cxsim.Scenario.from_string(conftest.SMALL)
    return cxsim.Results.combine({
        "baseline": cxsim.run(base, progress=False),
        "fewer defects": cxsim.run(base.with_overrides({"quality.defect_rate": 0.005}), progress=False),
    })


def test_fan_chart(pair):
    fig = pair.plot("active_customers")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) == 2  # one median per strategy
    assert len(ax.collections) == 4  # a 50% and a 90% band per strategy
    assert "people" in ax.get_ylabel()


def test_fan_chart_into_given_axes_and_cumulative(pair):
    fig = Figure()
    ax = fig.subplots()
    assert pair.plot("profit", "baseline", ax=ax, cumulative=True) is fig
    assert "cumulative" in ax.get_ylabel()


def test_comparison_chart(pair):
    fig = pair.plot_comparison(figures=["contacts", "profit"])
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert any("contacts" in t for t in titles) and any("profit" in t for t in titles)


def test_dashboard(pair):
    assert len(plot_dashboard(pair).axes) == 6
