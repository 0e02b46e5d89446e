"""Results.episodes() and Results.facts(): the episode record as a pandas frame with categorical
columns, readable with plain h5py too, and the published facts measured by the same C++ as
`cxsim facts`, for a run in memory and for its file."""

from __future__ import annotations

import json
import os
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest

import conftest
import cxsim

CATEGORICAL = ["segment", "touchpoint", "severity", "channel", "outcome", "next_order"]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    s = cxsim.Scenario.from_string(conftest.STRATEGIES).with_overrides(
        {"run.episodes": True, "run.horizon_days": 400, "run.replications": 2})
    path = tmp_path_factory.mktemp("episodes") / "e.h5"
    return cxsim.run(s, progress=False, output=path), path


def test_episodes_frame_in_memory_and_from_the_file(recorded):
    r, path = recorded
    df = r.episodes()
    assert len(df) > 100
    for name in CATEGORICAL:
        assert isinstance(df[name].dtype, pd.CategoricalDtype), name
    assert set(df["outcome"].cat.categories) >= {"resolved_first_contact", "resolved_later", "unresolved",
                                                 "abandoned", "given_up", "open_at_end"}
    assert list(df["next_order"].cat.categories) == ["stayed", "churned", "censored"]
    assert df["notified"].dtype == bool and df["contacted"].dtype == bool
    assert (df["contacted"] == (df["channel"] != "none")).all()
    assert ((df["days_to_resolution"] >= 0) == df["outcome"].astype(str).str.startswith("resolved")).all()
    assert set(df["replication"]) == {0, 1}
    assert df.attrs["sample"] == 1 and not df.attrs["truncated"]
    back = cxsim.load(path).episodes()
    pd.testing.assert_frame_equal(df, back)
    assert not cxsim.load(path).episodes("fewer defects").empty


def test_episodes_with_plain_h5py(recorded):
    r, path = recorded
    with h5py.File(path, "r") as f:
        g = f["strategies/baseline/episodes"]
        assert g.attrs["rows"] == len(r.episodes())
        codes = g["outcome"][()]
        labels = g["outcome"].attrs["categories"].split(",")
        assert np.array_equal(pd.Categorical.from_codes(codes, labels), r.episodes()["outcome"])
        assert g["outcome"].compression == "gzip"


def test_facts_match_the_command_line(recorded):
    r, path = recorded
    facts = r.facts()
    assert facts.attrs["has_episodes"]
    assert {"tarp_moderate_resolved_quickly", "retention_ratio_quick_vs_unresolved", "monthly_churn",
            "clv_change_5_points_less_defection"} <= set(facts.index)
    assert set(facts["status"]) <= {"inside", "outside", "no band", "not measurable"}
    from_file = cxsim.load(path).facts()
    pd.testing.assert_frame_equal(facts, from_file)
    out = subprocess.run([os.environ.get("CXSIM_EXE", str(conftest.ROOT / "build/release/sim/cxsim")), "facts",
                          str(path), "--format", "json"], capture_output=True, text=True, check=True)
    cli = {f["id"]: f for f in json.loads(out.stdout)["facts"]}
    for fact_id, row in facts.iterrows():
        value = cli[fact_id]["value"]
        assert (value is None and np.isnan(row["value"])) or value == row["value"], fact_id


def test_without_episodes(tmp_path):
    s = cxsim.Scenario.from_string(conftest.SMALL).with_overrides({"run.replications": 1})
    r = cxsim.run(s, progress=False, output=tmp_path / "plain.h5")
    with pytest.raises(ValueError, match="run.episodes"):
        r.episodes()
    with pytest.raises(ValueError, match="run.episodes"):
        cxsim.load(tmp_path / "plain.h5").episodes()
    facts = cxsim.load(tmp_path / "plain.h5").facts()
    assert not facts.attrs["has_episodes"]
    assert (facts.loc["tarp_severe_resolved", "status"]) == "needs run.episodes = true"
    assert facts.loc["contacts_per_order", "value"] > 0


@pytest.mark.parametrize("column, value", [("segment", 7), ("touchpoint", 200), ("channel", 9)])
def test_episode_code_outside_its_labels_is_a_damaged_file(recorded, tmp_path, column, value):
    """A code with no label (the file has 2 segments, this build 2 touchpoints) is refused by name
    (cxsim.ResultsError, and exit 2 from `cxsim facts`), not a raw pandas error or a silent row."""
    _, path = recorded
    damaged = tmp_path / "damaged.h5"
    damaged.write_bytes(path.read_bytes())
    with conftest.edited(damaged) as f:
        codes = f[f"strategies/baseline/episodes/{column}"]
        a = codes[()]
        a[0] = value
        codes[...] = a
    with pytest.raises(cxsim.ResultsError, match=f"episode column '{column}' holds {value}, outside"):
        cxsim.load(damaged).episodes()
    exe = os.environ.get("CXSIM_EXE", str(conftest.ROOT / "build/release/sim/cxsim"))
    # facts reads the record; info, the command that says whether a file is whole, checks it too.
    for command in ("facts", "info"):
        out = subprocess.run([exe, command, str(damaged)], capture_output=True, text=True)
        assert out.returncode == 2 and f"'{column}' holds {value}" in out.stderr, (command, out.stderr)
    whole = subprocess.run([exe, "info", str(path)], capture_output=True, text=True, check=True).stdout
    rows = len(cxsim.load(path).episodes())
    assert f"baseline: {rows} rows over 2 replications" in whole, whole


def _set_column(column, change):
    def apply(group):
        a = group[column][()]
        del group[column]
        group[column] = change(a)
    return apply


def _set_attr(name, value):
    return lambda group: group.attrs.__setitem__(name, value)


@pytest.mark.parametrize("damage, words", [
    # A code stored as a float was read through a conversion: 1.5 became 1 (chat).
    (_set_column("channel", lambda a: np.where(np.arange(len(a)) == 0, 1.5, a).astype("f4")),
     "episode column 'channel' is not uint8"),
    (_set_column("day_opened", lambda a: a.astype("i8")), "episode column 'day_opened' is not int32"),
    (_set_column("contacted", lambda a: np.where(np.arange(len(a)) == 0, 2, a).astype("u1")),
     "episode column 'contacted' holds 2"),
    (_set_column("contacted", lambda a: (1 - a).astype("u1")), "contacts"),
    (_set_column("customer", lambda a: np.where(np.arange(len(a)) == 0, 10**9, a).astype("i4")),
     "episode column 'customer' holds 1e+09"),
    (_set_column("day_opened", lambda a: np.where(np.arange(len(a)) == 0, 100000, a).astype("i4")),
     "episode column 'day_opened' holds 1e+05, outside [0, 400]"),
    (_set_attr("rows", 3), "rows 3, but columns of"),
    (_set_attr("replications", 3), "3 replications, the run's 2"),
    (_set_attr("sample", 0), "sample 0; run.episode_sample is 1 to 1000000"),
    (_set_attr("sample", 2), "only ids that are multiples of sample 2"),
    (_set_attr("max_rows", 1), "has more rows than max_rows 1"),
    (_set_attr("rows_dropped", 5), "truncated is false with 5 rows dropped"),
])
def test_episode_record_that_contradicts_itself_is_a_damaged_file(recorded, tmp_path, damage, words):
    """What info prints of a record and what episodes() returns must be what cxsim wrote: a code
    stored as a float, a flag that disagrees with its count, ids or days outside the run, group
    attributes that disagree with the columns were all read with exit 0."""
    _, path = recorded
    damaged = tmp_path / "damaged.h5"
    damaged.write_bytes(path.read_bytes())
    with conftest.edited(damaged) as f:
        group = f["strategies/baseline/episodes"]
        if (group["customer"][()] % 2).all() or not (group["customer"][()] % 2).any():
            pytest.skip("the record's ids are all odd or all even")
        damage(group)
    with pytest.raises(cxsim.ResultsError) as e:
        cxsim.load(damaged).episodes()
    assert words in str(e.value)
    out = subprocess.run([os.environ.get("CXSIM_EXE", str(conftest.ROOT / "build/release/sim/cxsim")), "info",
                          str(damaged)], capture_output=True, text=True)
    assert out.returncode == 2 and words in out.stderr, out.stderr


@pytest.mark.parametrize("date", ["garbage", "2026-02-30", "2026-1-5", "99999-01-01"])
def test_start_date_that_is_not_a_date_is_a_damaged_file(recorded, tmp_path, date):
    """monthly() and to_xarray() count days from run.start_date: a stored value that is not a date
    is refused when the file is opened, not a pandas parse error later."""
    _, path = recorded
    damaged = tmp_path / "date.h5"
    damaged.write_bytes(path.read_bytes())
    with conftest.edited(damaged) as f:
        f["parameters"].attrs["run.start_date"] = date
    with pytest.raises(cxsim.ResultsError, match="run.start_date.*where cxsim writes a date YYYY-MM-DD"):
        cxsim.load(damaged)


@pytest.mark.parametrize("change, words", [
    (lambda g: g["1"].attrs.__delitem__("name"), "/parameters/segments/1 has no name"),
    (lambda g: g["1"].attrs.__setitem__("name", ""), "/parameters/segments/1 has no name"),
    (lambda g: g["1"].attrs.__setitem__("name", g["0"].attrs["name"]), "as another segment is"),
])
def test_segment_names_label_codes_so_they_must_be_there_and_differ(recorded, tmp_path, change, words):
    """A segment without a name labelled its episodes ''; two of one name broke pandas."""
    _, path = recorded
    damaged = tmp_path / "names.h5"
    damaged.write_bytes(path.read_bytes())
    with conftest.edited(damaged) as f:
        change(f["parameters/segments"])
    with pytest.raises(cxsim.ResultsError, match=words):
        cxsim.load(damaged)


@pytest.mark.parametrize("date, ok", [("1900-01-01", True), ("2999-12-31", True), ("1899-12-31", False),
                                      ("9999-12-31", False), ("0001-01-01", False)])
def test_start_date_within_the_dates_charts_draw(date, ok):
    """A run from 9999-12-31 ran, and its report failed drawing dates past the year 9999."""
    scenario = cxsim.Scenario.from_string(conftest.SMALL)
    if ok:
        assert scenario.with_overrides({"run.start_date": date}).params["run.start_date"] == date
    else:
        with pytest.raises(cxsim.ScenarioError, match="from 1900-01-01 to 2999-12-31"):
            scenario.with_overrides({"run.start_date": date})
