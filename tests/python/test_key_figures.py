"""One key-figure table, one set of numbers: the same results file gives the same key figures,
rounded the same way, through the run summary, `cxsim info`, `cxsim compare`, the Python module,
the report and docs/key-figures.md (all read sim/kpi/key_figures.cpp)."""

from __future__ import annotations

import json
import re

import pytest

import cxsim
from cxsim import _core

from conftest import run_cli


def _table(text: str) -> dict[str, dict[str, str]]:
    """The key-figure table in a text: {label: {strategy: "mean +/- hw"}}."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("key figure "))
    header = re.split(r"\s{2,}", lines[start].strip())
    strategies = header[2:]
    out = {}
    for line in lines[start + 1:]:
        if not line or line.startswith("("):
            break
        cells = re.split(r"\s{2,}", line.strip())
        out[cells[0]] = dict(zip(strategies, cells[2:]))
    return out


@pytest.fixture(scope="module")
def study(tmp_path_factory, cxsim_exe):
    from conftest import STRATEGIES
    tmp = tmp_path_factory.mktemp("kf")
    scenario = tmp / "s.toml"
    scenario.write_text(STRATEGIES)
    out = tmp / "s.h5"
    run = run_cli(cxsim_exe, "run", scenario, "-o", out, "--threads", "2")
    return out, run.stdout


def test_every_output_reads_one_table(study, cxsim_exe):
    path, run_stdout = study
    info = run_cli(cxsim_exe, "info", path).stdout
    from_run, from_info = _table(run_stdout), _table(info)
    results = cxsim.load(path)
    labels = [f["label"] for f in _core.builtin_figures() if f["key"]]
    assert list(from_run) == labels  # the table's key figures, in the table's order
    assert from_run == from_info
    assert set(next(iter(from_run.values()))) == set(results.strategies)

    # Python: the same text, from the same table and the same rounding.
    summary = results.summary()
    assert len(summary) == len(labels) * len(results.strategies)
    for r in summary.itertuples():
        expected = r.text + (f" +/- {r.half_width_text}" if r.half_width_text else "")
        assert from_info[r.label][r.strategy] == expected, (r.label, r.strategy)
    payload = results._run_payload()
    assert _core.key_figure_table(payload) in info

    # compare: the same means (bit for bit) and the same baseline text.
    js = json.loads(run_cli(cxsim_exe, "compare", path, "--format", "json").stdout)
    means = summary.set_index(["strategy", "figure"])["mean"]
    for s in js["strategies"]:
        for f in s["figures"]:
            if f["baseline_mean"] is not None:
                assert f["baseline_mean"] == means["baseline", f["id"]]
                assert f["strategy_mean"] == means[s["name"], f["id"]]
    table = run_cli(cxsim_exe, "compare", path).stdout
    for r in summary[summary.strategy == "baseline"].itertuples():
        row = next(line for line in table.splitlines() if line.strip().startswith(r.label + " "))
        assert f" {r.text} " in row, (row, r.text)

    # The report shows the same cells.
    from cxsim.report import render_report
    html = render_report(results)
    section = html[html.index('id="key-figures"'):]
    section = section[:section.index("</table>")]
    shown = [n for n in results.strategies if results.plans.kind[n] != "sweep_point"]  # sweeps: a matrix
    assert len(shown) >= 3
    for r in summary[summary.strategy.isin(shown)].itertuples():
        assert f'<td class="estimate">{r.text}' in section, (r.strategy, r.label, r.text)


def test_docs_are_the_table(root, cxsim_exe):
    generated = run_cli(cxsim_exe, "docs", "key-figures").stdout
    assert (root / "docs" / "key-figures.md").read_text() == generated, \
        "docs/key-figures.md is out of date: cxsim docs key-figures > docs/key-figures.md"
    for f in _core.builtin_figures():
        assert f"`{f['id']}`" in generated and f["definition"] in generated
        assert f["definition"], f"key figure {f['id']} has no definition"


def test_a_share_reads_in_percent():
    values = [0.801, 0.812, 0.79]
    text, half, unit = _core.estimate_text("retention", values)
    assert unit == "%"
    assert float(text) == pytest.approx(100 * sum(values) / 3, abs=0.5)
    assert float(half) > 0
