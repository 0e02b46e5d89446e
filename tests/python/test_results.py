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
    row = df[(df.replication == 2) & (df.day == 100)].value.iloc[0]
    assert row == results.series("nps")[2, 100] or (math.isnan(row) and math.isnan(results.series("nps")[2, 100]))
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
    assert s.loc["retention", "unit"] == "share"
    assert 0 < s.loc["retention", "mean"] <= 1


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
