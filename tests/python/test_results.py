"""Results: arrays without copies, tidy frames, summaries, comparisons, files and their errors."""

from __future__ import annotations

import gc
import math

import numpy as np
import pandas as pd
import pytest

import cxsim


@pytest.fixture(scope="module")
def results():
    import conftest

    return cxsim.run(cxsim.Scenario.from_string(conftest.SMALL), progress=False)


def test_series_are_read_only_views_without_copies(results):
    a = results.series("active_customers")
    assert a.shape == (3, 120) and a.dtype == np.float64
    assert a.flags.c_contiguous and not a.flags.owndata and not a.flags.writeable
    assert type(a.base).__name__ == "PyCapsule"
    assert results.series("active_customers") is a  # the same view every time
    with pytest.raises(ValueError):
        a[0, 0] = 1


def test_arrays_outlive_their_results(small_toml):
    r = cxsim.run(cxsim.Scenario.from_file(small_toml), progress=False)
    a = r.series("revenue")
    expected = a.copy()
    del r
    gc.collect()
    _ = [np.ones(10000) for _ in range(100)]  # reuse freed memory, if any was freed
    assert np.array_equal(a, expected)


def test_timeseries_is_tidy(results):
    df = results.timeseries("nps")
    assert list(df.columns) == ["strategy", "replication", "day", "metric", "value", "unit"]
    assert len(df) == 3 * 120
    assert set(df.metric) == {"nps"} and set(df.unit) == {"points"}
    # days are numbered 1 to the horizon (days elapsed), as the CLI's --at-day: day 101 is index 100
    assert df.day.min() == 1 and df.day.max() == 120
    row = df[(df.replication == 2) & (df.day == 101)].value.iloc[0]
    assert row == results.series("nps")[2, 100] or (math.isnan(row) and math.isnan(results.series("nps")[2, 100]))
    for column in ("strategy", "metric", "unit"):
        assert isinstance(df[column].dtype, pd.CategoricalDtype), column
    everything = results.timeseries()
    assert len(everything) == 3 * 120 * len(results.metrics)


def test_metrics_describe_themselves(results):
    m = results.metrics["revenue"]
    assert (m.unit, m.kind) == ("currency/day", "flow")
    assert isinstance(results.metrics.to_frame(), pd.DataFrame)


def test_summary_matches_the_series(results):
    s = results.summary().set_index("figure")
    total_profit = results.series("profit").sum(axis=1)
    assert s.loc["profit", "mean"] == pytest.approx(total_profit.mean())
    assert s.loc["profit", "ci_low"] < s.loc["profit", "mean"] < s.loc["profit", "ci_high"]
    half = cxsim._core.t_quantile(0.95, 2) * total_profit.std(ddof=1) / math.sqrt(3)
    assert s.loc["profit", "ci_high"] - s.loc["profit", "mean"] == pytest.approx(half)
    assert s.loc["churn", "unit"] == "share"
    assert 0 < s.loc["churn", "mean"] < 1
    # 12-month retention needs a year: a 120-day run has none (NaN), not a made-up figure.
    assert s.loc["retention", "unit"] == "share" and math.isnan(s.loc["retention", "mean"])


def test_compare_gives_paired_differences(small_toml):
    base = cxsim.Scenario.from_file(small_toml)
    a = cxsim.run(base, progress=False)
    same = cxsim.run(base, progress=False)
    pricier = cxsim.run(base.with_overrides({"purchase.price": 60}), progress=False)
    both = cxsim.Results.combine({"today": a, "same": same, "price 60": pricier})
    assert both.strategies == ["today", "same", "price 60"] and both.baseline == "today"
    table = both.compare(figures=["revenue", "active_customers"]).set_index(["strategy", "figure"])
    # an identical strategy differs by exactly zero (common random numbers)
    assert table.loc[("same", "revenue"), "difference"] == 0
    assert table.loc[("same", "revenue"), "ci_high"] == 0
    diff = pricier.series("revenue").sum(axis=1) - a.series("revenue").sum(axis=1)
    row = table.loc[("price 60", "revenue")]
    assert row.difference == pytest.approx(diff.mean())
    half = cxsim._core.t_quantile(0.95, 2) * diff.std(ddof=1) / math.sqrt(3)
    assert row.ci_high - row.difference == pytest.approx(half)
    assert row.significant == bool(row.ci_low > 0 or row.ci_high < 0)
    assert both.compare(baseline="price 60").strategy.tolist().count("today") > 0


def test_load_errors_are_results_errors(tmp_path):
    with pytest.raises(cxsim.ResultsError) as info:
        cxsim.load(tmp_path / "missing.h5")
    assert info.value.file == str(tmp_path / "missing.h5")
    text = tmp_path / "text.h5"
    text.write_text("not hdf5")
    with pytest.raises(cxsim.ResultsError, match="not an HDF5 file"):
        cxsim.load(text)
    assert issubclass(cxsim.ResultsError, ValueError)


def test_truncated_file_is_an_error_not_a_crash(results, tmp_path):
    good = tmp_path / "good.h5"
    results.save(good)
    data = good.read_bytes()
    cut = tmp_path / "cut.h5"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(cxsim.ResultsError):
        cxsim.load(cut)


def test_save_and_load_round_trip(results, tmp_path):
    path = tmp_path / "r.h5"
    results.save(path)
    back = cxsim.load(path)
    for metric in results.metrics:
        assert np.array_equal(back.series(metric), results.series(metric), equal_nan=True)
    assert back.attributes["scenario_text"] == results.attributes["scenario_text"]
    again = tmp_path / "again.h5"
    back.save(again)  # a loaded file re-written by the C++ writer
    assert np.array_equal(cxsim.load(again).series("profit"), results.series("profit"))
    with pytest.raises(cxsim.ResultsError):
        results.save(tmp_path / "no" / "such" / "dir.h5")


def test_customers_when_saved(tmp_path):
    import conftest

    s = cxsim.Scenario.from_string(conftest.SMALL).with_overrides({"run.save_customers": True,
                                                                   "run.replications": 1})
    r = cxsim.run(s, progress=False, output=tmp_path / "c.h5")
    df = r.customers(0)
    assert len(df) == 3000 and df.attrs["units"]
    assert cxsim.load(tmp_path / "c.h5").customers(0).equals(df)


def test_load_keeps_the_scenario_with_its_overrides(small_toml, tmp_path):
    scenario = cxsim.Scenario.from_file(small_toml).with_overrides({"purchase.price": 47.5})
    path = cxsim.run(scenario, progress=False).save(tmp_path / "r.h5")
    back = cxsim.load(path)
    assert back.scenario is not None and back.scenario["purchase.price"] == 47.5
    assert back.scenario.params == scenario.params
    again = cxsim.run(back.scenario, progress=False)  # re-run a loaded result: the same numbers
    assert np.array_equal(again.series("profit"), back.series("profit"))
    varied = back.scenario.with_overrides({"purchase.price": 50})
    assert varied["purchase.price"] == 50


def test_name_lookups_suggest_the_closest(results):
    with pytest.raises(KeyError, match="did you mean 'asa_s'"):
        results.series("asa")
    with pytest.raises(KeyError, match="did you mean 'baseline'"):
        results.series("nps", "baseline2")
    with pytest.raises(KeyError, match="did you mean 'monthly_churn_rate'"):
        results.timeseries("monthly_churn")
    with pytest.raises(cxsim.InputError, match="nps"):  # figure ids: the C++ table's suggestion
        results.summary(figures=["npss"])


@pytest.mark.parametrize("day", [0, -1, 121, 1.5, True])
def test_day_checks_match_the_cli(results, day):
    with pytest.raises(cxsim.InputError, match="allowed: 1 to 120"):
        results.summary(at_day=day)
    with pytest.raises(cxsim.InputError, match="allowed: 1 to 120"):
        results.key_figures(at_day=day)


def test_at_day_is_days_elapsed(results):
    first = results.key_figures(figures=["profit"], at_day=1).profit.to_numpy()
    assert np.array_equal(first, results.series("profit")[:, 0])
    horizon = results.key_figures(figures=["profit"], at_day=120).profit.to_numpy()
    assert np.array_equal(horizon, results.key_figures(figures=["profit"]).profit.to_numpy())


def test_wide_view_and_xarray(results):
    wide = results.wide(["nps", "profit"])
    assert list(wide.columns) == ["nps", "profit"]
    assert wide.index.names == ["strategy", "replication", "day"]
    assert wide.loc[("baseline", 2, 101), "profit"] == results.series("profit")[2, 100]
    assert wide.attrs["units"]["profit"] == "currency/day"
    ds = results.to_xarray(["profit", "retention_1m"])
    assert ds.profit.dims == ("strategy", "replication", "day")
    assert ds.profit.shape == (1, 3, 120)
    assert list(ds.day.values[:2]) == [1, 2] and ds.profit.attrs["unit"] == "currency/day"
    assert float(ds.profit.sel(strategy="baseline", replication=2, day=101)) == results.series("profit")[2, 100]
    assert ds.attrs["seed"] == 7


def test_tidy_frames_are_compact(results):
    everything = results.timeseries()
    per_row = everything.memory_usage(deep=True).sum() / len(everything)
    assert per_row < 24, f"{per_row:.1f} bytes per row: categorical columns expected"


def test_calendar_months_leave_out_partial_ones(results):
    # 120 days from 1 January 2001: January to April complete (31 + 28 + 31 + 30 = 120 days)
    months = results.monthly("contacts")
    assert [str(m) for m in dict.fromkeys(months.month)] == ["2001-01", "2001-02", "2001-03", "2001-04"]
    jan = months[(months.month == pd.Period("2001-01", "M"))].set_index("replication").value
    assert np.allclose(jan.to_numpy(), results.series("contacts")[:, :31].sum(axis=1))
    dated = cxsim.run(results.scenario.with_overrides({"run.start_date": "2026-01-20", "run.replications": 1}),
                      progress=False)
    months = dated.monthly("active_customers")
    assert [str(m) for m in dict.fromkeys(months.month)] == ["2026-02", "2026-03", "2026-04"]
    assert len(set(dated.monthly("active_customers", partial=True).month)) == 5
