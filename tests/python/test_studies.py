"""cxsim.calibrate, cxsim.sensitivity, Results.select: the C++ statistics from Python, on
analytic functions (through the same bindings) and on small simulations; the Python side agrees
with the CLI's files."""

from __future__ import annotations

import math
import subprocess

import numpy as np
import pytest

import cxsim
from cxsim import _core
from conftest import ROOT, SMALL, STRATEGIES


def ishigami(points):
    out = []
    for u in points:
        x = [-math.pi + 2 * math.pi * v for v in u]
        out.append([math.sin(x[0]) + 7 * math.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * math.sin(x[0])])
    return out


def test_sobol_indices_of_ishigami_through_the_bindings():
    r = _core.sobol(3, ishigami, samples=4096, seed=1, resamples=100)
    first = [x["first"]["value"] for x in r["indices"][0]]
    total = [x["total"]["value"] for x in r["indices"][0]]
    assert first == pytest.approx([0.3139, 0.4424, 0.0], abs=0.04)
    assert total == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.04)


def test_select_on_synthetic_strategies_with_a_known_best():
    rng = np.random.default_rng(3)
    means = [0.0, 0.5, 1.0]
    common = rng.normal(size=400)
    data = [[list(m + 0.8 * common + 0.6 * rng.normal(size=400))] for m in means]

    def sampler(systems, first, count):
        return [[data[s][0][first:first + count]] for s in systems]

    r = _core.select_best(3, 1, True, 0.3, 0.95, [], 10, 400, sampler, 0, True)
    assert r["finished"] and r["selected"] == 2 and r["probability_correct"] == 0.95


def test_calibrate_recovers_a_known_value_from_a_python_model():
    noise = np.random.default_rng(5).normal(size=(2, 10))

    def evaluate(x):
        return [list(2 * x[0] + 0.01 * noise[0]), list(x[0] ** 2 + 0.01 * noise[1])]

    r = _core.calibrate([("double", 1.2, 0.01), ("square", 0.36, 0.01)], [("a", 0.0, 1.0, 0.9)], evaluate,
                        starts=2, budget=60, threads=2)
    p = r["parameters"][0]
    assert abs(p["value"] - 0.6) < 3 * p["se"] and p["identified"]


@pytest.fixture(scope="module")
def small():
    return cxsim.Scenario.from_string(SMALL, "small.toml")


def test_sensitivity_ranks_price_first_for_profit(small):
    s = cxsim.sensitivity(small, {"purchase.price": (40, 60), "survey.nps_monthly_sample": (0.02, 0.1)},
                          ["profit"], samples=6, replications=2)
    mu = s.indices.xs("profit", level="metric")["mu_star"]
    assert mu["purchase.price"] > 0 and mu["survey.nps_monthly_sample"] == 0
    assert len(s.points) == 6 * 3
    s.plot_tornado()
    s.plot_indices()


def test_sensitivity_file_of_the_cli_reads_back(tmp_path, cxsim_exe):
    out = tmp_path / "s.h5"
    (tmp_path / "small.toml").write_text(SMALL)
    subprocess.run([cxsim_exe, "sensitivity", str(tmp_path / "small.toml"), "--vary", "purchase.price:40:60",
                    "--vary", "quality.defect_rate:0.01:0.1", "--metric", "profit", "--samples", "4", "-q",
                    "--replications", "2", "-o", str(out)], check=True, capture_output=True)
    s = cxsim.read_sensitivity(out)
    assert s.method == "morris" and s.keys == ["purchase.price", "quality.defect_rate"]
    assert s.indices.shape[0] == 2


def test_results_select_reruns_reproducibly(tmp_path):
    scenario = cxsim.Scenario.from_string(STRATEGIES, "strategies.toml")
    few = cxsim.run(scenario, replications=4, seed=7)
    many = cxsim.run(scenario, replications=40, seed=7)
    a = few.select("retention_cumulative", indifference=0.002, first_stage=4)
    b = many.select("retention_cumulative", indifference=0.002, first_stage=4, rerun=False)
    if b.finished:  # the 40-replication file was enough: the re-runs reproduced its replications
        assert a.selected == b.selected
        assert a.table["replications"].tolist() == b.table["replications"].tolist()
        assert np.allclose(a.table["mean"], b.table["mean"])
    assert a.finished and a.probability_correct == 0.95
    with pytest.raises(cxsim.InputError):
        few.select("retention_cumulative", indifference=0.002, constraints=["retention_cumulative>0.3"])
    # 12-month retention of a run shorter than a year has no value: refused by name, not ranked.
    with pytest.raises(cxsim.InputError, match="'retention' has no value at day"):
        few.select("retention", indifference=0.002)


def test_calibrate_from_python_rejects_bad_targets(tmp_path, small):
    bad = tmp_path / "t.toml"
    bad.write_text('[[target]]\nmetric = "nosuch"\nvalue = 1\nsd = 1\n[[free]]\nkey = "churn.base_logit"\nmin = 2\nmax = 4\n')
    with pytest.raises(cxsim.ScenarioError) as e:
        cxsim.calibrate(small, bad, replications=2)
    assert e.value.line == 2  # the metric's own line


@pytest.mark.parametrize("vary, words", [
    ({"phone.agents": (-5, 10)}, r"\[-5, 10\] is outside the key's allowed range"),
    ({"purchase.price": (float("-inf"), 10)}, r"\[-inf, 10\] is outside"),
    ({"purchase.price": (float("nan"), 10)}, r"min \(nan\) must be less than max"),
    ({"phone.agents": (1, 1.5)}, "an integer key's range runs from one whole number to another"),
    ({"run.seed": (1, 2)}, r"run\.\* keys cannot be varied"),
    # Each range valid alone, not together: every corner of the box is checked before simulating.
    ({"phone.open_hour": (0, 23)}, "the ranges in vary allow a scenario that is not valid: 'phone.close_hour'"),
])
def test_sensitivity_refuses_what_the_cli_refuses(small, vary, words):
    """The ranges are checked as `cxsim sensitivity --vary` checks them, before any simulation: the
    key's own range, whole numbers for an integer key, and the box's corners."""
    with pytest.raises(cxsim.ScenarioError, match=words):
        cxsim.sensitivity(small, vary, ["profit"], samples=2, replications=1, bootstrap=10)


def test_calibrate_from_python_refuses_free_ranges_invalid_together(tmp_path, small):
    targets = tmp_path / "cross.toml"
    targets.write_text('[[target]]\nmetric = "churn"\nvalue = 0.02\nsd = 0.005\n'
                       '[[target]]\nmetric = "revenue"\nvalue = 1e6\nsd = 1e5\n'
                       '[[free]]\nkey = "quality.severe_share"\nmin = 0.5\nmax = 1\n'
                       '[[free]]\nkey = "quality.moderate_share"\nmin = 0.5\nmax = 1\n')
    with pytest.raises(cxsim.ScenarioError, match="the \\[\\[free\\]\\] ranges allow a scenario that is not valid") as e:
        cxsim.calibrate(small, targets, replications=2, budget=4, starts=1)
    assert e.value.file == str(targets)


def test_targets_days_duplicates_and_too_few_targets(tmp_path, small):
    """A day written 31.0 is day 31 (as 2.0 is for an integer key of a scenario); the same figure
    over the same days twice is refused; fewer targets than free keys is said before fitting."""
    free = '[[free]]\nkey = "churn.base_logit"\nmin = 2\nmax = 4\n'
    target = '[[target]]\nmetric = "monthly_churn_rate"\nvalue = 0.02\nsd = 0.005\n'
    days = tmp_path / "days.toml"
    days.write_text(target + "from_day = 31.0\nto_day = 60.0\n" + free)
    targets, _ = _core.load_targets(str(days), small._core)
    assert (targets[0]["from_day"], targets[0]["to_day"]) == (31, 60)
    twice = tmp_path / "twice.toml"
    twice.write_text(target + target.replace("0.02", "0.03") + free)
    with pytest.raises(cxsim.ScenarioError, match="over the same days is already a target at line 1") as e:
        cxsim.calibrate(small, twice, replications=2)
    assert e.value.line == 5
    few = tmp_path / "few.toml"
    few.write_text(target + free + '[[free]]\nkey = "purchase.price"\nmin = 40\nmax = 60\n')
    with pytest.warns(UserWarning, match="2 free keys and 1 targets: the targets cannot pin down every key"):
        fit = cxsim.calibrate(small, few, replications=2, budget=6, starts=1)
    assert fit.degrees_of_freedom == -1


def test_a_segment_key_is_varied_as_set_varies_it(small):
    """A segment's number (here the price-driven segment's price sensitivity) is a study key: each
    point gives the same figures as a run with that value set by --set (Scenario.with_overrides)."""
    key = "segment.price-driven.price_sensitivity"
    values = _core.run_points(small._core, [key, "purchase.price"], [[3.0, 55.0], [12.0, 45.0]],
                              [("profit", 0, 0), ("active_customers", 0, 0)], 2, 0, 0)
    for (sensitivity, price), point in zip([(3.0, 55.0), (12.0, 45.0)], values):
        run = cxsim.run(small.with_overrides({key: sensitivity, "purchase.price": price}), replications=2)
        for figure, got in zip(["profit", "active_customers"], point):
            assert np.array_equal(run.key_figures(figures=figure)[figure].to_numpy(), np.array(got)), figure
    assert values[0] != values[1]
    s = cxsim.sensitivity(small, {key: (1.0, 15.0), "segment[0].expectation": (0.6, 0.9)}, ["profit"],
                          samples=2, replications=1, bootstrap=10)
    assert s.keys == [key, "segment[0].expectation"] and s.points[key].between(1.0, 15.0).all()
    with pytest.raises(cxsim.ScenarioError, match="shares sum to 1"):
        cxsim.sensitivity(small, {"segment[1].share": (0.2, 0.5)}, ["profit"], samples=2, replications=1)
    with pytest.raises(cxsim.ScenarioError, match="no segment is named 'nobody'"):
        cxsim.sensitivity(small, {"segment.nobody.expectation": (0.2, 0.5)}, ["profit"], samples=2, replications=1)


def test_calibrate_fits_a_segment_key(tmp_path, small):
    targets = tmp_path / "seg.toml"
    targets.write_text('[[target]]\nmetric = "active_customers"\nvalue = 1800\nsd = 60\n'
                       '[[free]]\nkey = "segment[0].expectation"\nmin = 0.6\nmax = 0.95\n')
    fit = cxsim.calibrate(small, targets, replications=2, budget=8, starts=1)
    value = fit.parameters.loc["segment[0].expectation", "value"]
    assert 0.6 <= value <= 0.95
    assert fit.scenario.segments[0]["expectation"] == value


@pytest.mark.parametrize("kwargs, words", [
    # One key under two spellings: the second silently replaced the first (mu* = 0 for it).
    ({"vary": {"segment[1].expectation": (0.6, 0.9), "segment.price-driven.expectation": (0.1, 0.2)}},
     r"is given twice \(as 'segment\[1\]\.expectation' too\)"),
    ({"samples": 0}, "samples: got 0; allowed: a whole number of at least 1"),
    ({"samples": 2, "method": "sobol"}, r"samples: got 2; allowed: a whole number of at least 4 \(for sobol\)"),
    ({"replications": 0}, "replications: got 0"),
    ({"replications": -1}, "replications: got -1"),
    ({"metrics": []}, "metrics: got"),
    ({"vary": {}}, "vary: no keys"),
    ({"vary": {"purchase.price": (40,)}}, r"vary\['purchase.price'\]: got \(40,\); allowed: a \(min, max\) pair"),
    ({"vary": {"purchase.price": ("a", 60)}}, "a \\(min, max\\) pair of numbers"),
    ({"vary": {"purchase.price": None}}, "a \\(min, max\\) pair of numbers"),
    ({"vary": {"purchase.price": (40, 50, 60)}}, "a \\(min, max\\) pair of numbers"),
])
def test_sensitivity_arguments_are_checked_before_simulating(small, kwargs, words):
    args = {"vary": {"purchase.price": (40, 60)}, "metrics": ["profit"], "samples": 2, "replications": 1}
    args.update(kwargs)
    vary, metrics = args.pop("vary"), args.pop("metrics")
    with pytest.raises(cxsim.InputError, match=words):
        cxsim.sensitivity(small, vary, metrics, bootstrap=10, **args)


def test_a_segment_key_spelt_twice_in_a_targets_file_is_refused(tmp_path, small):
    targets = tmp_path / "twice.toml"
    targets.write_text('[[target]]\nmetric = "active_customers"\nvalue = 1800\nsd = 60\n'
                       '[[free]]\nkey = "segment[1].expectation"\nmin = 0.6\nmax = 0.9\n'
                       '[[free]]\nkey = "segment.price-driven.expectation"\nmin = 0.1\nmax = 0.2\n')
    with pytest.raises(cxsim.ScenarioError, match=r"is given twice \(perhaps spelt another way\)") as e:
        cxsim.calibrate(small, targets, replications=2)
    assert e.value.line == 10


def test_one_figure_under_two_names_is_one_target(tmp_path, small):
    """A key figure goes by its id and its column (profit, profit_total): as two targets at one day
    it counted twice in the fit, as one figure given twice does."""
    targets = tmp_path / "alias.toml"
    targets.write_text('[[target]]\nmetric = "profit"\nvalue = 1e5\nsd = 1e4\n'
                       '[[target]]\nmetric = "profit_total"\nvalue = 1e5\nsd = 1e4\n'
                       '[[free]]\nkey = "purchase.price"\nmin = 40\nmax = 60\n')
    with pytest.raises(cxsim.ScenarioError, match=r"'profit_total' over the same days is already a target at line 1 "
                                                  r"\(as 'profit', the same figure\)"):
        _core.load_targets(str(targets), small._core)
    other_day = tmp_path / "days.toml"
    other_day.write_text(targets.read_text().replace('metric = "profit_total"', 'metric = "profit_total"\nto_day = 60'))
    assert len(_core.load_targets(str(other_day), small._core)[0]) == 2
