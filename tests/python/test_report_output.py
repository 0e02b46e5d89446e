"""Where `cxsim report` (`python3 -m cxsim report`) and `cxsim.report.write_report` may write, and
what bad input gives (docs/reports-and-charts.md, docs/reliability.md): a new path, or with
--force a report cxsim wrote; nothing else is replaced, the output is checked before anything is
rendered, a report is published complete or not at all, and every bad input ends in one line
`cxsim: error: ...` naming the file or option, exit status 2, never a traceback."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

import cxsim
import cxsim.report as rp
import conftest
from conftest import run_cli

SCENARIO = """\
# report output tests
[run]
seed = 3
replications = 2
horizon_days = 40
start_date = "2026-01-01"

[market]
population = 500

[[strategy]]
name = "cheaper"
purchase.price = 40.0

[[strategy]]
name = "hire on day 20"
[[strategy.intervention]]
day = 20
phone.agents = 3
"""


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, cxsim_exe: Path) -> Path:
    """A small genuine results file with three strategies, one of them an intervention."""
    d = tmp_path_factory.mktemp("made")
    (d / "s.toml").write_text(SCENARIO)
    subprocess.run([str(cxsim_exe), "run", str(d / "s.toml"), "-q", "-o", str(d / "res.h5")], check=True,
                   capture_output=True, timeout=300)
    return d / "res.h5"


@pytest.fixture()
def res(made: Path, tmp_path: Path) -> Path:
    """A copy of the results file in this test's directory."""
    path = tmp_path / "res.h5"
    path.write_bytes(made.read_bytes())
    return path


@pytest.fixture()
def no_render(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replaces the (slow) rendering with a stub; the list records each call, so a test can show
    that a refusal came before any rendering."""
    calls: list[str] = []

    def stub(*args, **kwargs) -> str:
        calls.append("rendered")
        return rp._html_head() + "<title>stub</title></head><body>stub report</body></html>\n"

    monkeypatch.setattr(rp, "render_report", stub)
    monkeypatch.setattr(rp, "render_sensitivity_report", stub)
    return calls


def cli(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str, str]:
    """`python3 -m cxsim report ARGS` in this process (so that the rendering can be stubbed)."""
    from cxsim.__main__ import main

    code = main(["report", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def report(env: dict[str, str], *args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python3 -m cxsim report ARGS` as a process."""
    return subprocess.run([sys.executable, "-m", "cxsim", "report", *map(str, args)], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


def one_error(stderr: str, *words: str) -> str:
    """The single `cxsim: error:` line of stderr, which must contain each of ``words``."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cxsim: error: "), stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def no_temporaries(directory: Path) -> None:
    left = [p.name for p in directory.iterdir() if ".cxsim-tmp-" in p.name]
    assert not left, f"temporary files left: {left}"


# --- refused targets --------------------------------------------------------------------------


def test_a_user_file_is_left_byte_identical(res, tmp_path, capsys, no_render):
    notes = tmp_path / "notes.html"
    notes.write_bytes(b"<p>my notes</p>\n\x00binary too")
    before = notes.read_bytes()
    for force in ([], ["--force"]):
        code, out, err = cli(capsys, res, "-o", notes, *force)
        assert code == 2 and out == ""
        one_error(err, str(notes), "not a report cxsim wrote", "left as it was")
    assert notes.read_bytes() == before and not no_render
    no_temporaries(tmp_path)


def test_other_hdf5_and_scenario_files_are_refused(res, tmp_path, capsys, no_render):
    foreign = tmp_path / "data.html"  # an HDF5 file that is not a report, named like one
    with h5py.File(foreign, "w") as f:
        f["x"] = np.arange(3)
    scenario = tmp_path / "s.toml"
    scenario.write_text(SCENARIO)
    saved = {p: p.read_bytes() for p in (foreign, scenario)}
    code, _, err = cli(capsys, res, "-o", foreign, "--force")
    assert code == 2
    one_error(err, str(foreign), "not a report cxsim wrote")
    code, _, err = cli(capsys, res, "-o", scenario, "--force")
    assert code == 2
    one_error(err, str(scenario), ".html, .htm or .pdf")
    assert {p: p.read_bytes() for p in saved} == saved and not no_render


def test_the_results_file_itself_is_refused(res, tmp_path, capsys, no_render):
    before = res.read_bytes()
    code, _, err = cli(capsys, res, "-o", res, "--force")
    assert code == 2
    one_error(err, str(res))
    # The same file under a report's name (a hard link): still the results being reported.
    linked = tmp_path / "res.html"
    os.link(res, linked)
    code, _, err = cli(capsys, linked, "-o", linked, "--force")
    assert code == 2
    one_error(err, str(linked), "the results file being reported", "left as it was")
    assert res.read_bytes() == before and not no_render


def test_the_sensitivity_file_is_protected(res, tmp_path):
    study = tmp_path / "levers.html"  # check_report_output is what the CLI and write_report call
    study.write_bytes(rp._html_head().encode() + b"</head></html>")  # even one that looks like a report
    with pytest.raises(cxsim.InputError, match="the --sensitivity file"):
        rp.check_report_output(study, replace=True, protected=[(res, "the results file being reported"),
                                                              (study, "the --sensitivity file")])


def test_symlinks_are_refused_and_left_pointing_where_they_did(res, tmp_path, capsys, no_render):
    notes = tmp_path / "notes.html"
    notes.write_text("mine\n")
    link = tmp_path / "link.html"
    link.symlink_to("notes.html")
    dangling = tmp_path / "dangling.html"
    dangling.symlink_to("nowhere.html")
    own = tmp_path / "own.html"  # even a link to a report cxsim wrote
    code, _, _ = cli(capsys, res, "-o", own)
    assert code == 0
    to_own = tmp_path / "to-own.html"
    to_own.symlink_to("own.html")
    for path in (link, dangling, to_own):
        code, _, err = cli(capsys, res, "-o", path, "--force")
        assert code == 2
        one_error(err, str(path), "symbolic link", "left as it was")
    assert os.readlink(link) == "notes.html" and notes.read_text() == "mine\n"
    assert os.readlink(dangling) == "nowhere.html" and not (tmp_path / "nowhere.html").exists()
    assert os.readlink(to_own) == "own.html"
    assert no_render == ["rendered"]  # only the report written to own.html
    no_temporaries(tmp_path)


def test_fifo_socket_and_directory_are_refused_without_blocking(res, tmp_path, env):
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock.html"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    directory = tmp_path / "out.html"
    directory.mkdir()
    (directory / "inside.txt").write_text("kept")
    try:
        for path, words in ((fifo, ("special file", "left as it was")), (sock_path, ("special file",)),
                            (directory, ("directory", "left as it was"))):
            done = report(env, res, "-o", path, "--force")  # a FIFO opened for writing would block here
            assert done.returncode == 2
            one_error(done.stderr, str(path), *words)
    finally:
        sock.close()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and stat.S_ISSOCK(os.lstat(sock_path).st_mode)
    assert sorted(p.name for p in directory.iterdir()) == ["inside.txt"]
    no_temporaries(tmp_path)


@pytest.mark.parametrize("output, words", [
    ("nodir/r.html", ("nodir/r.html", "directory 'nodir'", "No such file")),
    ("out.x/", ("names a directory",)),
    (".", ("names a directory",)),
    ("r.txt", (".html, .htm or .pdf", "'.txt'")),
    ("", ("empty",)),
])
def test_bad_output_paths_are_refused_before_rendering(res, tmp_path, capsys, no_render, monkeypatch, output, words):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, res, "-o", output)
    assert code == 2
    one_error(err, *words)
    assert not no_render and not (tmp_path / "nodir").exists()


def test_missing_directory_is_refused_at_once(res, tmp_path, env):
    start = time.monotonic()
    done = report(env, res, "-o", tmp_path / "missing" / "r.html")
    assert done.returncode == 2
    one_error(done.stderr, "missing", "No such file or directory")
    assert time.monotonic() - start < 60 and not (tmp_path / "missing").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_directory_is_refused(res, tmp_path, capsys, no_render):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = cli(capsys, res, "-o", locked / "r.html")
    finally:
        locked.chmod(0o700)
    assert code == 2
    one_error(err, "cannot write the report in directory")
    assert not no_render


# --- names, --force and the commit ------------------------------------------------------------


def test_default_name_never_replaces_and_force_replaces_own_report(res, tmp_path, env):
    """Real rendering, through `python3 -m cxsim report`: res.html, then res-2.html; --force
    replaces a report cxsim wrote, keeping its permission bits."""
    first = report(env, res, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "report: res.html"
    second = report(env, res, cwd=tmp_path)
    assert second.returncode == 0 and second.stdout.strip() == "report: res-2.html"
    own = tmp_path / "res.html"
    assert rp.is_cxsim_report(own) and rp.is_cxsim_report(tmp_path / "res-2.html")
    assert 'name="generator" content="cxsim report' in own.read_text()[:300]
    own.chmod(0o640)
    again = report(env, res, "-o", own, cwd=tmp_path)
    assert again.returncode == 2
    one_error(again.stderr, "res.html", "exists already", "use --force")
    forced = report(env, res, "-o", own, "--force", "--title", "Replaced by force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "Replaced by force" in own.read_text() and stat.S_IMODE(own.stat().st_mode) == 0o640
    no_temporaries(tmp_path)


def test_default_name_skips_links_and_other_files(res, tmp_path, capsys, no_render, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "res.html").write_text("a user's file")
    (tmp_path / "res-2.html").symlink_to("nowhere")
    code, out, _ = cli(capsys, res, "--force")  # --force never makes the default name replace
    assert code == 0 and out.strip() == "report: res-3.html"
    assert (tmp_path / "res.html").read_text() == "a user's file"
    assert os.readlink(tmp_path / "res-2.html") == "nowhere"


def test_a_file_created_while_rendering_is_not_replaced(res, tmp_path, capsys, monkeypatch):
    target = tmp_path / "r.html"

    def render_and_race(*args, **kwargs) -> str:
        target.write_text("another process was faster")
        return rp._html_head() + "<title>t</title></head><body></body></html>\n"

    monkeypatch.setattr(rp, "render_report", render_and_race)
    code, _, err = cli(capsys, res, "-o", target)
    assert code == 2
    one_error(err, str(target), "another process created this file")
    assert target.read_text() == "another process was faster"
    no_temporaries(tmp_path)


def test_interrupted_write_leaves_nothing(res, tmp_path, env):
    """SIGTERM while the report is being written: exit 143, no report, no temporary file."""
    marker = tmp_path / "writing"
    code = f"""
import sys, time
import cxsim.report as rp
rp.render_report = lambda *a, **k: rp._html_head() + "<title>t</title></head><body>" + "x" * 100000
def slow(path, data):
    with open(path, "wb") as f:
        f.write(data[:1000])
        f.flush()
        open({str(marker)!r}, "w").close()
        time.sleep(60)
rp._write_new = slow
from cxsim.__main__ import main
sys.exit(main(["report", {str(res)!r}, "-o", {str(tmp_path / "r.html")!r}]))
"""
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), proc.stderr.read() if proc.poll() is not None else "never started writing"
    assert any(".cxsim-tmp-" in p.name for p in tmp_path.iterdir()), "writes go to a temporary directory"
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert "interrupted; no report written" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "r.html").exists()
    no_temporaries(tmp_path)


def test_stale_temporaries_of_dead_writers_are_removed(res, tmp_path, capsys, no_render):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".r.html.cxsim-tmp-{dead.pid}-abc"
    stale.mkdir()
    (stale / "r.html").write_text("half")
    alive = tmp_path / f".r.html.cxsim-tmp-{os.getpid()}-def"  # a live writer's is kept
    alive.mkdir()
    code, _, _ = cli(capsys, res, "-o", tmp_path / "r.html")
    assert code == 0 and not stale.exists() and alive.exists()


def test_write_report_api_follows_the_same_rules(res, tmp_path, no_render):
    from cxsim.report import write_report

    out = tmp_path / "api.html"
    assert write_report(str(res), out) == str(out)
    assert rp.is_cxsim_report(out)
    write_report(str(res), out)  # a notebook re-running its cell replaces its own report
    with pytest.raises(cxsim.InputError, match="exists already; pass replace=True"):
        write_report(str(res), out, replace=False)
    user = tmp_path / "user.html"
    user.write_text("keep")
    with pytest.raises(cxsim.InputError, match="not a report cxsim wrote"):
        write_report(str(res), user)
    with pytest.raises(cxsim.InputError, match="results file being reported"):
        os.link(res, tmp_path / "same.html")
        write_report(str(tmp_path / "same.html"), tmp_path / "same.html")
    with pytest.raises(cxsim.InputError, match="level: got 2"):
        write_report(str(res), tmp_path / "x.html", level=2)
    assert user.read_text() == "keep" and not (tmp_path / "x.html").exists()
    no_temporaries(tmp_path)


def test_pdf_marker_is_recognised(tmp_path):
    """A PDF is replaced only when it carries cxsim's marker (an incremental update of its
    document information); other PDFs are refused."""
    body = (b"%PDF-1.4\n1 0 obj\n<</Type /Catalog /Pages 2 0 R>>\nendobj\n"
            b"2 0 obj\n<</Type /Pages /Kids [] /Count 0>>\nendobj\n")
    xref_at = len(body)
    offsets = [body.index(b"1 0 obj"), body.index(b"2 0 obj")]
    xref = b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf = body + xref + b"trailer\n<</Size 3\n/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref_at
    other = tmp_path / "other.pdf"
    other.write_bytes(pdf)
    assert not rp.is_cxsim_report(other)
    ours = tmp_path / "ours.pdf"
    ours.write_bytes(pdf)
    assert rp._mark_pdf(str(ours), "Ünïcode title") and rp.is_cxsim_report(ours)
    data = ours.read_bytes()
    assert data.startswith(pdf) and data.rstrip().endswith(b"%%EOF") and b"/Prev %d" % xref_at in data
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[start:].startswith(b"xref\n3 1\n")  # the new cross-reference section is where it says
    info_at = int(data[start:].split(b"\n")[2].split()[0])
    assert data[info_at:].startswith(b"3 0 obj\n<</Title <FEFF")
    if rp.chromium_executable():  # needs chromium for a PDF target
        with pytest.raises(cxsim.InputError, match="not a report cxsim wrote"):
            rp.check_report_output(other, replace=True)
        assert rp.check_report_output(ours, replace=True).exists


# --- bad options and bad input files ----------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["--level", "2"], ("--level: got '2'", "allowed: a number in (0, 1)")),
    (["--level", "nan"], ("--level: got 'nan'", "allowed: a number in (0, 1)")),
    (["--level", "0"], ("--level: got '0'", "allowed: a number in (0, 1)")),
    (["--level", "abc"], ("--level: got 'abc'", "allowed: a number in (0, 1)")),
    (["--indifference", "abc"], ("--indifference: got 'abc'", "allowed: a number above 0")),
    (["--indifference", "-1"], ("--indifference: got '-1'", "allowed: a number above 0")),
    (["--indifference", "inf"], ("--indifference: got 'inf'",)),
    (["--baseline", "nope"], ("res.h5", "--baseline", "'nope'", "'baseline', 'cheaper', 'hire on day 20'")),
    (["--objective", "nope"], ("--objective: got 'nope'", "profit")),
    # 12-month retention of a 40-day run has no value in any strategy: nothing to rank
    (["--objective", "retention"], ("res.h5", "--objective", "'retention' has no value in this file",
                                    "day 40", "not defined for runs shorter than 365 days")),
    (["--no-such-option"], ("unrecognized arguments: --no-such-option",)),
    (["--level"], ("--level", "expected one argument")),
])
def test_bad_options_give_one_line_and_exit_2(res, tmp_path, env, args, words):
    out = tmp_path / "r.html"
    done = report(env, res, "-o", out, *args)
    assert done.returncode == 2, done.stderr
    line = one_error(done.stderr, *words)
    assert "boost" not in line.lower() and "usage:" not in done.stderr
    assert not out.exists()
    no_temporaries(tmp_path)


def test_bad_level_through_the_cli(res, tmp_path, env, cxsim_exe):
    done = run_cli(cxsim_exe, "report", res, "-o", tmp_path / "r.html", "--level", "2", env=env, check=False)
    assert done.returncode == 2
    one_error(done.stderr, "--level: got '2'")
    user = tmp_path / "notes.html"
    user.write_text("keep")
    done = run_cli(cxsim_exe, "report", res, "-o", user, env=env, check=False)
    assert done.returncode == 2 and user.read_text() == "keep"
    one_error(done.stderr, "notes.html", "not a report cxsim wrote")
    helptext = run_cli(cxsim_exe, "report", "--help", env=env, check=False).stdout
    if "--force" in helptext:  # a CLI built with the forwarded --force
        own = tmp_path / "own.html"
        run_cli(cxsim_exe, "report", res, "-o", own, env=env)
        assert run_cli(cxsim_exe, "report", res, "-o", own, env=env, check=False).returncode == 2
        run_cli(cxsim_exe, "report", res, "-o", own, "--force", env=env)


def damaged_root(res: Path, tmp_path: Path) -> Path:
    """The results file with a bit flipped in its root group's object header (checksummed)."""
    data = bytearray(res.read_bytes())
    assert data[:8] == b"\x89HDF\r\n\x1a\n" and data[8] >= 2
    root = int.from_bytes(data[36:44], "little")  # superblock v2/3: the root object header address
    data[root + 12] ^= 0x10
    path = tmp_path / "damaged.h5"
    path.write_bytes(bytes(data))
    return path


def test_damaged_and_foreign_files_are_named(res, tmp_path, env):
    not_hdf5 = tmp_path / "text.h5"
    not_hdf5.write_text("nope")
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(res.read_bytes()[:5000])
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w", libver="latest") as f:
        f["x"] = np.arange(3)
    directory = tmp_path / "dir.h5"
    directory.mkdir()
    for path in (damaged_root(res, tmp_path), not_hdf5, truncated, foreign, directory, tmp_path / "missing.h5"):
        out = tmp_path / "r.html"
        done = report(env, path, "-o", out)
        assert done.returncode == 2, (path.name, done.stderr)
        one_error(done.stderr, str(path))
        assert not out.exists()
    bad_study = report(env, res, "--sensitivity", damaged_root(res, tmp_path), "-o", tmp_path / "s.html")
    assert bad_study.returncode == 2
    one_error(bad_study.stderr, "damaged.h5")
    no_temporaries(tmp_path)


def test_objective_without_a_value_is_named(res, tmp_path, env, cxsim_exe):
    """A file whose series are all NaN (damaged, or edited) gives its objective no value to rank:
    refused with exit 2 naming the file and the figure, through Python and the CLI alike."""
    with conftest.edited(res) as f:
        for strategy in f["strategies"].values():
            for series in strategy["series"].values():
                series[...] = np.nan
    out = tmp_path / "r.html"
    done = report(env, res, "-o", out)
    assert done.returncode == 2, done.stderr
    one_error(done.stderr, "res.h5", "--objective", "'profit' has no value in this file")
    done = run_cli(cxsim_exe, "report", res, "-o", out, env=env, check=False)
    assert done.returncode == 2 and "'profit' has no value in this file" in done.stderr, done.stderr
    assert not out.exists()
    results = cxsim.load(res)
    with pytest.raises(cxsim.InputError, match="'profit' has no value in this file"):
        rp.render_report(results)
    with pytest.raises(cxsim.InputError, match="'retention' has no value in this file"):
        rp.decision(cxsim.load(res), "retention")


def test_huge_intervention_day_does_not_crash(res, tmp_path, env):
    """A stored intervention day of 10^12 (far past the horizon, with calendar dates on): the
    report says so instead of failing to draw the day."""
    with conftest.edited(res) as f:
        f["strategies/hire on day 20/interventions/0"].attrs["day"] = np.int64(10**12)
    out = tmp_path / "r.html"
    done = report(env, res, "-o", out)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    text = out.read_text()
    assert "from day 1,000,000,000,001" in text and "outside the 40 days of this run" in text
