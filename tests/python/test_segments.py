"""Key figures by segment ([output] by_segment = true): the split in Python (series, tidy frames,
xarray, summaries), its consistency with the totals and the file, and the report's "Who leaves"."""

from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest

import cxsim
import conftest
from conftest import run_cli


STRATEGIES = {"fewer defects": {"quality.defect_rate": 0.005},
              "price 45 from day 30": {"interventions": [{"day": 30, "purchase.price": 45.0}]}}


@pytest.fixture(scope="module")
def split():
    base = cxsim.Scenario.from_string(conftest.SMALL).with_overrides({"output.by_segment": True})
    return cxsim.run(base.with_strategies(STRATEGIES), progress=False)


@pytest.fixture(scope="module")
def whole():
    base = cxsim.Scenario.from_string(conftest.SMALL)
    return cxsim.run(base.with_strategies(STRATEGIES), progress=False)


def test_the_split_changes_no_total(split, whole):
    assert split.has_segments and not whole.has_segments
    for name in whole.strategies:
        for metric in whole.metrics:
            np.testing.assert_array_equal(split.series(metric, name), whole.series(metric, name), err_msg=metric)


def test_series_by_segment_shape_names_and_sums(split):
    names = split.segment_names
    assert names == [s["name"] for s in split.segments] and len(names) == 2
    churned = split.series("churned", by_segment=True)
    assert churned.shape == (split.replications, split.days, len(names))
    # whole-number flows and stocks add up exactly; the segments really differ
    for metric in ("churned", "active_customers", "contacts", "wom_negative", "nps_responses"):
        np.testing.assert_array_equal(split.series(metric, by_segment=True).sum(axis=2), split.series(metric))
    assert churned.sum() > 0 and (churned.sum(axis=(0, 1)) > 0).all()
    np.testing.assert_array_equal(split.series("nps", segment=names[1]),
                                  split.series("nps", by_segment=True)[:, :, 1])
    # no segment for queue figures
    assert np.isnan(split.series("asa_s", by_segment=True)).all()
    assert np.isnan(split.series("profit", by_segment=True)).all()


def test_names_and_missing_split_errors(split, whole):
    with pytest.raises(KeyError, match="did you mean 'price-driven'"):
        split.series("nps", segment="price-drivn")
    with pytest.raises(KeyError, match="did you mean 'churned'"):
        split.series("chruned", by_segment=True)
    for call in (lambda: whole.series("nps", by_segment=True), lambda: whole.timeseries("nps", by_segment=True),
                 lambda: whole.to_xarray("nps", by_segment=True), lambda: whole.summary(by_segment=True)):
        with pytest.raises(cxsim.InputError, match=r"re-run with \[output\] by_segment = true"):
            call()


def test_tidy_frame_and_xarray_have_a_segment_dimension(split):
    df = split.timeseries(["churned", "nps"], by_segment=True)
    assert list(df.columns) == ["strategy", "replication", "day", "segment", "metric", "value", "unit"]
    assert isinstance(df.segment.dtype, pd.CategoricalDtype)
    assert list(df.segment.cat.categories) == split.segment_names
    assert len(df) == len(split.strategies) * 2 * split.replications * split.days * len(split.segment_names)
    row = df[(df.strategy == "fewer defects") & (df.replication == 1) & (df.day == 40) &
             (df.segment == split.segment_names[1]) & (df.metric == "churned")]
    assert row.value.item() == split.series("churned", "fewer defects", by_segment=True)[1, 39, 1]
    ds = split.to_xarray(["churned"], by_segment=True)
    assert ds.churned.dims == ("strategy", "replication", "day", "segment")
    assert list(ds.segment.values) == split.segment_names
    np.testing.assert_array_equal(ds.churned.sum("segment").sel(strategy="baseline").values,
                                  split.series("churned"))


def test_summary_by_segment_uses_the_key_figure_table(split):
    table = split.summary(figures=["churn", "nps", "asa"], by_segment=True)
    assert list(table.columns[:3]) == ["strategy", "segment", "figure"]
    assert len(table) == len(split.strategies) * 2 * 3
    one = table[(table.strategy == "baseline") & (table.figure == "churn")]
    for seg in split.segment_names:
        values = split.key_figures("baseline", "churn", segment=seg)["churn"].to_numpy()
        assert one[one.segment == seg]["mean"].item() == pytest.approx(np.nanmean(values))
    assert table[table.figure == "asa"]["mean"].isna().all()


def test_compare_within_a_segment_matches_the_cli(split, tmp_path, cxsim_exe, env):
    seg = split.segment_names[1]
    table = split.compare(figures=["churn", "nps"], segment=seg)
    assert set(table.strategy) == {"fewer defects", "price 45 from day 30"}
    one = table[(table.strategy == "fewer defects") & (table.figure == "churn")]
    values = split.key_figures("fewer defects", "churn", segment=seg)["churn"].to_numpy()
    assert one.value.item() == pytest.approx(np.nanmean(values))
    path = split.save(tmp_path / "cmp.h5")
    cli = run_cli(cxsim_exe, "compare", str(path), "--by-segment", "--metric", "churn", "--metric", "nps", env=env)
    block = cli.stdout.split(f"segment {seg}\n", 1)[1]
    assert split.compare(figures=["churn", "nps"], segment=seg, format="table") in block


def test_the_file_holds_the_split_and_cli_and_python_agree(split, tmp_path, cxsim_exe, env):
    path = split.save(tmp_path / "split.h5")
    with h5py.File(path) as f:
        group = f["strategies/baseline/series_by_segment"]
        assert group.attrs["segments"] == ",".join(split.segment_names)
        assert group["churned"].shape == (split.replications, split.days, 2)
        assert group["churned"].attrs["dimensions"] == "replication,day,segment"
    loaded = cxsim.load(path)
    np.testing.assert_array_equal(loaded.series("churned", by_segment=True), split.series("churned", by_segment=True))
    copy = cxsim.load(loaded.save(tmp_path / "copy.h5"))  # re-written by the C++ writer: the split kept
    for name in split.strategies:
        np.testing.assert_array_equal(copy.series("nps", name, by_segment=True), split.series("nps", name, by_segment=True))
    info = run_cli(cxsim_exe, "info", str(path), "--by-segment", env=env)
    assert info.returncode == 0, info.stderr
    text = cxsim._core.describe_segments(str(path))
    assert text == info.stdout
    # the figure cxsim info prints is the one Python's summary rounds the same way
    row = loaded.summary("baseline", figures="churn", by_segment=True)
    for seg, shown in zip(row.segment, row.text):
        assert shown in text, (seg, shown)


def test_report_has_who_leaves_only_with_the_split(split, whole, tmp_path):
    from cxsim.report import write_report
    from test_report import check_renders

    out = tmp_path / "segments.html"
    write_report(split, out)
    text = out.read_text()
    assert "<h2>Who leaves</h2>" in text and 'id="segment-figures"' in text and 'id="segment-chart"' in text
    for seg in split.segment_names:
        assert seg in text
    check_renders(out, tmp_path, "report-segments", expect_comparison=True, expect_segments=True)
    plain = tmp_path / "plain.html"
    write_report(whole, plain)
    assert "Who leaves" not in plain.read_text()
