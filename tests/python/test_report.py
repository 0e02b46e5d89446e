"""The HTML report: written by Python and by `cxsim report`, self-contained, and rendered by
headless Chromium with its table and every chart visible. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cxsim
from conftest import ROOT, run_cli
from cxsim.report import is_cxsim_report, write_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"

# Injected into a copy of the report: after load, records what rendered into the DOM.
CHECK = """<script>
window.addEventListener("load", () => {
  const images = [...document.images].map(img => ({
    ok: img.complete && img.naturalWidth > 0 && img.naturalHeight > 0,
    width: img.getBoundingClientRect().width, height: img.getBoundingClientRect().height}));
  const tables = [...document.querySelectorAll("table")].map(t => ({
    id: t.id, rows: t.rows.length, height: t.getBoundingClientRect().height}));
  const box = document.getElementById("summary").getBoundingClientRect();
  const summary = {top: box.top, height: box.height};
  const definitions = document.querySelectorAll("#definitions dd").length;
  const pre = document.createElement("pre");
  pre.id = "render-check";
  pre.textContent = JSON.stringify({images, tables, summary, definitions});
  document.body.appendChild(pre);
});
</script>"""


def chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-extensions", "--disable-dev-shm-usage", f"--user-data-dir={tmp / 'chromium-profile'}",
           *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def check_renders(report: Path, tmp: Path, name: str, expect_comparison: bool, expect_sweep: bool = False,
                  expect_segments: bool = False) -> None:
    text = report.read_text()
    assert "http://" not in text and "https://" not in text, "the report must not need the network"
    probe = tmp / f"{name}-probe.html"
    probe.write_text(text.replace("</body>", CHECK + "</body>"))
    dom = chromium("--virtual-time-budget=10000", "--dump-dom", probe.as_uri(), tmp=tmp)
    match = re.search(r'<pre id="render-check">(.*?)</pre>', dom.stdout, re.S)
    assert match, f"chromium did not run the check:\n{dom.stderr[-2000:]}"
    result = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    images = result["images"]
    assert len(images) >= 5, images
    for i, img in enumerate(images):
        assert img["ok"] and img["width"] > 100 and img["height"] > 100, f"chart {i} did not render: {img}"
    tables = {t["id"]: t for t in result["tables"]}
    assert tables["key-figures"]["rows"] > 5 and tables["key-figures"]["height"] > 100
    assert result["summary"]["height"] > 80 and result["summary"]["top"] < 900, \
        "the decision must be on the first screen"
    assert result["definitions"] >= 12, "every key figure is defined"
    if expect_comparison:
        assert tables["comparison"]["rows"] > 5 and tables["comparison"]["height"] > 100
        assert tables["decision"]["rows"] >= 3
    if expect_sweep:
        assert tables["sweep"]["rows"] >= 3 and tables["sweep"]["height"] > 50
    if expect_segments:  # "Who leaves": a row per strategy and figure, and its chart among the images
        assert tables["segment-figures"]["rows"] >= 5 and tables["segment-figures"]["height"] > 100

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    chromium(f"--screenshot={shot}", "--window-size=1600,2000", "--hide-scrollbars", report.as_uri(), tmp=tmp)
    assert shot.exists(), "no screenshot"
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))[..., :3]
    ink = np.mean(np.any(pixels < 0.9, axis=-1))  # share of pixels that are not (near) white
    assert ink > 0.03, f"the screenshot looks blank ({ink:.1%} ink)"
    assert np.unique(pixels.reshape(-1, 3), axis=0).shape[0] > 50, "too few colours for charts"


@pytest.fixture(scope="module")
def strategies():
    import conftest

    base = cxsim.Scenario.from_string(conftest.SMALL)
    return cxsim.run(base.with_strategies({
        "fewer defects": {"quality.defect_rate": 0.005},
        "price 45 from day 30": {"interventions": [{"day": 30, "purchase.price": 45.0}]},
    }), progress=False)


def test_report_with_strategies_renders_in_chromium(strategies, tmp_path):
    out = tmp_path / "strategies.html"
    write_report(strategies, out, title="Planning meeting")
    text = out.read_text()
    assert "Planning meeting" in text and "fewer defects" in text and 'id="comparison"' in text
    # what each strategy changes, exactly
    assert "<code>quality.defect_rate</code> = 0.005 from the start (day 1)" in text
    assert "<code>purchase.price</code> = 45 from day 31" in text
    # the decision and the Holm-corrected emphasis are stated
    assert 'id="summary"' in text and ("Best on profit" in text or "No strategy beats" in text)
    assert "Holm" in text
    # every key figure defined, with the key-figure table's words
    for f in cxsim._core.builtin_figures():
        if f["key"]:
            assert html_escape(f["definition"]) in text, f["id"]
    check_renders(out, tmp_path, "report-strategies", expect_comparison=True)


def html_escape(text: str) -> str:
    import html

    return html.escape(text)


def test_holm_is_stricter_than_each_interval(strategies):
    from cxsim.report import holm

    table = strategies.compare()
    corrected = holm(table)
    assert not (corrected & ~table.significant).any(), "Holm never marks what the interval does not"
    p = corrected.attrs["p"]
    m = np.isfinite(p).sum()
    # Holm's first step is Bonferroni's: the smallest p must be below alpha / m to mark anything
    if corrected.any():
        assert np.nanmin(p) <= 0.05 / m
    bonferroni = p <= 0.05 / m
    assert (corrected | ~bonferroni).all(), "Holm marks at least what Bonferroni marks"


def test_payback_day(strategies):
    from cxsim.report import payback_day

    diff = np.cumsum(strategies.series("profit", "fewer defects") - strategies.series("profit"), axis=1).mean(axis=0)
    day, sure = payback_day(strategies, "fewer defects")
    if day is None:
        assert diff[-1] <= 0
    else:
        assert (diff[day - 1:] > 0).all() and (day == 1 or diff[day - 2] <= 0)
        assert sure is None or sure >= day


EXAMPLES = ["service_speed", "price", "quality", "proactive_cx", "sweep_quality_staffing"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_report_opens_with_its_question_and_decision(name, tmp_path):
    from cxsim.report import render_report, scenario_heading

    scenario = cxsim.Scenario.from_file(ROOT / "scenarios" / f"{name}.toml")
    small = scenario.with_overrides({"market.population": 2000, "run.replications": 2})
    results = cxsim.run(small, progress=False)
    title, question = scenario_heading(results)
    first_line = (ROOT / "scenarios" / f"{name}.toml").read_text().splitlines()[0].lstrip("# ").strip()
    assert title == (scenario["run.title"] or first_line)
    assert len(question) > 40
    text = render_report(results)
    h1 = text.index("<h1>")
    assert text.index('id="question"') > h1 and text.index('id="summary"') > text.index('id="question"')
    assert text.index('id="summary"') < text.index("<h2>The strategies</h2>") < text.index('id="key-figures"')
    assert re.search(r'<p class="decision">(Best on|No strategy beats)', text)


def test_report_as_pdf(strategies, tmp_path):
    out = tmp_path / "report.pdf"
    write_report(strategies, out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 50_000
    assert not list(tmp_path.glob(".*cxsim-tmp-*")), "no temporary files left behind"
    # cxsim's marker (in the document information): the PDF may be replaced by the next report
    assert b"/CxsimReport (cxsim report" in data[-3000:] and is_cxsim_report(out)


def test_python_m_cxsim_report_and_cxsim_report(cxsim_exe, strategies_toml, tmp_path, env):
    results = tmp_path / "strategies.h5"
    run_cli(cxsim_exe, "run", strategies_toml, "-o", results, "-q")
    by_python = tmp_path / "by-python.html"
    done = subprocess.run([sys.executable, "-m", "cxsim", "report", str(results), "-o", str(by_python)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert by_python.exists()
    by_cli = tmp_path / "by-cli.html"
    run_cli(cxsim_exe, "report", results, "-o", by_cli, "--title", "From the CLI", env=env)
    assert "From the CLI" in by_cli.read_text() and "sweep-001" in by_cli.read_text()
    check_renders(by_cli, tmp_path, "report-cli", expect_comparison=True, expect_sweep=True)


def test_report_of_a_bad_file_fails_cleanly(cxsim_exe, tmp_path, env):
    bad = tmp_path / "bad.h5"
    bad.write_text("nope")
    done = subprocess.run([sys.executable, "-m", "cxsim", "report", str(bad), "-o", str(tmp_path / "x.html")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "not an HDF5 file" in done.stderr
    assert not (tmp_path / "x.html").exists()
    cli = run_cli(cxsim_exe, "report", bad, "-o", tmp_path / "y.html", env=env, check=False)
    assert cli.returncode == 2 and "not an HDF5 file" in cli.stderr


def test_confidence_of_the_choice_is_kim_and_nelsons(strategies):
    """The summary states the confidence of the choice from Results.select on the file's
    replications: settled with the probability, or not settled with the replications it needs."""
    from cxsim.report import decision, render_report

    d = decision(strategies, "profit")
    direct = strategies.select("profit", indifference=d.indifference, first_stage=3, rerun=False)
    assert d.selection.finished == direct.finished and d.selection.selected == direct.selected
    text = render_report(strategies)
    assert 'id="confidence"' in text and "Kim and Nelson" in text
    if direct.finished:
        assert f"<b>{html_escape(direct.selected)}</b> is the best with probability at least 95%" in text
    else:
        assert f"up to {direct.more_replications_needed:,} more per strategy" in text
    # A wide indifference zone settles it on the first stage: the best mean is chosen.
    wide = render_report(strategies, indifference=1e12)
    best = strategies.summary(figures="profit").set_index("strategy")["mean"].idxmax()
    assert f"<b>{html_escape(best)}</b> is the best with probability at least 95%" in wide
    with pytest.raises(cxsim.InputError, match="indifference"):
        render_report(strategies, indifference=-1)


def sensitivity_file(cxsim_exe: Path, tmp_path: Path) -> Path:
    import conftest

    out = tmp_path / "levers.h5"
    (tmp_path / "small.toml").write_text(conftest.SMALL)
    run_cli(cxsim_exe, "sensitivity", tmp_path / "small.toml", "--vary", "purchase.price:40:60",
            "--vary", "survey.nps_monthly_sample:0.02:0.1", "--vary", "quality.defect_rate:0.01:0.06",
            "--metric", "profit", "--metric", "churn", "--samples", "4", "--replications", "2", "-q", "-o", out)
    return out


def test_sensitivity_report_and_section_render(cxsim_exe, strategies, tmp_path, env):
    levers = sensitivity_file(cxsim_exe, tmp_path)
    # The report of the study itself: its question, the levers ranked, a tornado and an index chart
    # per metric.
    alone = tmp_path / "levers.html"
    run_cli(cxsim_exe, "report", levers, "-o", alone, env=env)
    text = alone.read_text()
    assert 'id="question"' in text and 'id="summary"' in text and "Which assumptions matter" in text
    summary = text[text.index('id="summary"'):text.index("</section>")]
    assert "profit: <b>purchase.price" in summary  # price moves profit most; the survey sample not at all
    assert text.count('class="sensitivity"><img') == 2 and text.count('<table class="sensitivity">') == 2
    rows = re.findall(r"<tr><td>(\d)</td><td class=\"label\"><code>([a-z_.]+)</code>", text)
    assert rows[:3][0] == ("1", "purchase.price") and ("3", "survey.nps_monthly_sample") in rows[:3]
    # As a section of a run's decision report (--sensitivity).
    run_file = tmp_path / "run.h5"
    strategies.save(run_file)
    both = tmp_path / "with-levers.html"
    run_cli(cxsim_exe, "report", run_file, "--sensitivity", levers, "-o", both, env=env)
    text = both.read_text()
    assert text.index('id="summary"') < text.index('id="sensitivity"') < text.index('id="definitions"')
    check_renders(both, tmp_path, "report-sensitivity", expect_comparison=True)
    # A sensitivity file that is not there: exit 2, named, nothing written.
    bad = run_cli(cxsim_exe, "report", run_file, "--sensitivity", tmp_path / "none.h5", "-o",
                  tmp_path / "z.html", env=env, check=False)
    assert bad.returncode == 2 and "none.h5" in bad.stderr and not (tmp_path / "z.html").exists()
