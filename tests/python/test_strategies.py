"""Strategies, interventions and sweeps from Python: the same runs, numbers and comparisons as
`cxsim run` and `cxsim compare`, and results files that round-trip."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import cxsim
from conftest import SMALL, STRATEGIES, run_cli

NAMES = ["baseline", "fewer defects", "price up on day 60", "sweep-000", "sweep-001"]


@pytest.fixture(scope="module")
def cli_file(tmp_path_factory, cxsim_exe):
    d = tmp_path_factory.mktemp("cli")
    (d / "strategies.toml").write_text(STRATEGIES)
    run_cli(cxsim_exe, "run", d / "strategies.toml", "-o", d / "cli.h5", "--threads", 2, "-q")
    return d / "cli.h5"


@pytest.fixture(scope="module")
def here():
    return cxsim.run(cxsim.Scenario.from_string(STRATEGIES), threads=1, progress=False)


def test_scenario_lists_its_runs():
    s = cxsim.Scenario.from_string(STRATEGIES)
    assert s.strategies == NAMES
    plans = {p["name"]: p for p in s.plans()}
    assert plans["fewer defects"]["overrides"] == {"quality.defect_rate": "0.015"}
    assert plans["price up on day 60"]["interventions"][0]["day"] == 60
    assert plans["sweep-001"]["sweep_values"] == {"phone.agents": 3.0}


def test_every_strategy_is_bit_identical_to_the_cli(cli_file, here):
    cli = cxsim.load(cli_file)
    assert cli.strategies == here.strategies == NAMES
    for name in NAMES:
        for metric in here.metrics:
            a, b = here.series(metric, name), cli.series(metric, name)
            assert np.array_equal(a.view(np.uint64), b.view(np.uint64)), (name, metric)
    assert cli.sweep_keys == here.sweep_keys == ["phone.agents"]
    assert cli.plans.loc["fewer defects", "description"] == "Half the defects"


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_compare_prints_exactly_what_cxsim_compare_prints(cxsim_exe, cli_file, here, fmt):
    expected = run_cli(cxsim_exe, "compare", cli_file, "--format", fmt).stdout
    assert cxsim.load(cli_file).compare(format=fmt) == expected
    assert here.compare(format=fmt) == expected  # the run in memory too
    other = run_cli(cxsim_exe, "compare", cli_file, "--format", fmt, "--baseline", "fewer defects",
                    "--metric", "profit", "--metric", "nps", "--at-day", 90).stdout
    assert here.compare(baseline="fewer defects", figures=["profit", "nps"], at_day=90, format=fmt) == other


def test_compare_frame_matches_the_numbers(here):
    table = here.compare().set_index(["strategy", "figure"])
    row = table.loc[("fewer defects", "profit")]
    b = here.series("profit").sum(axis=1)
    v = here.series("profit", "fewer defects").sum(axis=1)
    assert row.difference == pytest.approx((v - b).mean())
    half = cxsim._core.t_quantile(0.95, len(b) - 1) * np.std(v - b, ddof=1) / np.sqrt(len(b))
    assert row.ci_high - row.difference == pytest.approx(half)
    assert row.significant == bool(row.ci_low > 0 or row.ci_high < 0)
    with pytest.raises(cxsim.ScenarioError, match="baseline"):
        here.compare(baseline="nope")


def test_summary_table_is_the_files(cli_file, here):
    table = here.summary_table()
    with h5py.File(cli_file, "r") as f:
        summary = f["summary"]
        assert list(summary["strategy"].asstr()[()]) == list(table.strategy)
        for column in summary:
            if column != "strategy":
                assert np.array_equal(summary[column][()], table[column].to_numpy(), equal_nan=True), column


def test_multi_strategy_save_and_resave(here, tmp_path, cxsim_exe):
    first = tmp_path / "first.h5"
    here.save(first)
    loaded = cxsim.load(first)
    second = tmp_path / "second.h5"
    loaded.save(second)  # rebuilt from the file through the C++ writer
    again = cxsim.load(second)
    assert again.strategies == NAMES
    for name in NAMES:
        assert np.array_equal(again.series("nps", name), here.series("nps", name), equal_nan=True)
    assert again.plans.equals(loaded.plans)
    assert run_cli(cxsim_exe, "compare", second, "--format", "csv").stdout == here.compare(format="csv")


def test_strategies_declared_from_python_and_run_subsets():
    base = cxsim.Scenario.from_string(SMALL).with_overrides({"run.replications": 2})
    s = base.with_strategies({
        "faster": {"description": "two phone agents", "phone": {"agents": 2}},
        "price cut on day 30": {"interventions": [{"day": 30, "purchase.price": 45.0}]},
    }).with_sweep({"purchase.price": [45, 55]})
    assert s.strategies == ["baseline", "faster", "price cut on day 30", "sweep-000", "sweep-001"]
    assert s["run.replications"] == 2  # earlier overrides still apply
    r = cxsim.run(s, strategies=["baseline", "price cut on day 30"], progress=False)
    assert r.strategies == ["baseline", "price cut on day 30"]
    before = r.series("revenue", "price cut on day 30")[:, :30]
    assert np.array_equal(before, r.series("revenue")[:, :30])  # identical until the intervention
    with pytest.raises(cxsim.ScenarioError, match="no strategy"):
        cxsim.run(s, strategies=["nope"], progress=False)
    with pytest.raises(cxsim.ScenarioError) as info:
        base.with_strategies({"bad": {"purchase.prize": 3}})
    assert info.value.key == "purchase.prize" and info.value.line
    with pytest.raises(cxsim.ScenarioError):
        base.with_strategies({"late": {"interventions": [{"day": 500, "purchase.price": 45.0}]}})


def test_precision_adds_replications(tmp_path):
    s = cxsim.Scenario.from_string(SMALL).with_strategies({"fewer defects": {"quality.defect_rate": 0.015}})
    r = cxsim.run(s, precision=1e-6, max_replications=5, progress=False)
    assert r.replications == 5  # an unreachable target stops at the cap
    assert "5" in r.attributes["precision"]
