"""Hostile results files, generated here, against every reader: `cxsim info`, `cxsim compare` and
`cxsim.load` (docs/reliability.md). Each must refuse with exit status 2 / cxsim.ResultsError (or
read the file correctly): never a crash, a hang, MemoryError, KeyError, UnicodeDecodeError, or the
contents of another local file in the output."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

import cxsim

SECRET = "TOP-SECRET-MARKER-5f1c"


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory, cxsim_exe: Path) -> Path:
    """A small genuine results file with two strategies."""
    d = tmp_path_factory.mktemp("valid")
    scenario = d / "s.toml"
    scenario.write_text('[run]\nseed = 3\nreplications = 2\nhorizon_days = 30\n[market]\npopulation = 500\n'
                        '[[strategy]]\nname = "cheaper"\npurchase.price = 40.0\n')
    subprocess.run([str(cxsim_exe), "run", str(scenario), "-q", "-o", str(d / "valid.h5")], check=True,
                   capture_output=True, timeout=120)
    return d / "valid.h5"


def secret_file(d: Path) -> Path:
    path = d / "secret.bin"
    path.write_bytes((SECRET * 4000).encode())
    return path


def new_file(path: Path, libver: str = "latest") -> h5py.File:
    f = h5py.File(path, "w", libver=libver)
    f.attrs["format"] = "cxsim-results"
    f.attrs["format_version"] = np.int64(1)
    return f


def series_file(path: Path, make_series, libver: str = "latest") -> Path:
    with new_file(path, libver) as f:
        series = f.create_group("strategies").create_group("baseline").create_group("series")
        make_series(series, f)
    return path


def check_all_readers(exe: Path, path: Path, *, may_succeed: bool = False) -> None:
    """Every reader refuses `path` cleanly (or, when may_succeed, reads it)."""
    for command in (["info"], ["compare"]):
        r = subprocess.run([str(exe), *command, str(path)], capture_output=True, timeout=60)
        out = r.stdout + r.stderr
        assert r.returncode >= 0, f"{command} died of signal {-r.returncode} on {path.name}"
        allowed = {0, 2} if may_succeed else {2}
        assert r.returncode in allowed, (command, r.returncode, out[-2000:])
        assert SECRET.encode() not in out, f"{command} printed another file's contents"
        assert b"\x1b" not in out, f"{command} printed a raw escape character"
        if r.returncode == 2:
            assert b"error" in r.stderr
    try:
        results = cxsim.load(path)
    except cxsim.ResultsError as e:
        assert e.file == str(path)
        assert SECRET not in str(e)
    else:
        assert may_succeed, f"cxsim.load read {path.name}"
        for name in results.strategies:  # everything it hands out is usable
            for metric in results.metrics:
                if metric in results._strategy(name).series:
                    a = results.series(metric, name)
                    assert a.shape == (results.replications, results.days)
                    float(np.nansum(a))


def test_genuine_file_reads(valid: Path, cxsim_exe: Path) -> None:
    check_all_readers(cxsim_exe, valid, may_succeed=True)
    results = cxsim.load(valid)
    assert results.strategies == ["baseline", "cheaper"]


def test_old_unchecksummed_format_is_refused(tmp_path: Path, cxsim_exe: Path) -> None:
    path = series_file(tmp_path / "v0.h5", lambda s, f: s.create_dataset("retention", data=np.zeros((2, 3))),
                       libver="earliest")
    check_all_readers(cxsim_exe, path)


def test_huge_declared_shape(tmp_path: Path, cxsim_exe: Path) -> None:
    def make(s, f):
        s.create_dataset("retention", shape=(10**6, 10**6), dtype="f8", chunks=(1, 1024), compression="gzip")
    check_all_readers(cxsim_exe, series_file(tmp_path / "huge.h5", make))


def test_overflowing_dimensions(tmp_path: Path, cxsim_exe: Path) -> None:
    def make(s, f):
        # 2^31 x 2^31 elements of 8 bytes: 2^65 bytes, which overflows 64-bit arithmetic.
        s.create_dataset("retention", shape=(2**31, 2**31), dtype="f8", chunks=(1, 16))
    check_all_readers(cxsim_exe, series_file(tmp_path / "overflow.h5", make))


def test_zero_days_and_zero_replications(tmp_path: Path, cxsim_exe: Path) -> None:
    for shape in [(2, 0), (0, 5)]:
        path = series_file(tmp_path / f"zero{shape}.h5",
                           lambda s, f: s.create_dataset("retention", data=np.zeros(shape)))
        check_all_readers(cxsim_exe, path)


def test_external_storage_is_not_followed(tmp_path: Path, cxsim_exe: Path) -> None:
    secret = secret_file(tmp_path)
    def make(s, f):
        s.create_dataset("retention", shape=(10, 100), dtype="u1",
                         external=[(str(secret), 0, secret.stat().st_size)])
    check_all_readers(cxsim_exe, series_file(tmp_path / "external.h5", make))


def test_virtual_dataset_is_not_followed(tmp_path: Path, cxsim_exe: Path) -> None:
    source = tmp_path / "source.h5"
    with h5py.File(source, "w") as f:
        f["data"] = np.frombuffer((SECRET * 10).encode()[:200], dtype="u1").reshape(2, 100)
    def make(s, f):
        layout = h5py.VirtualLayout(shape=(2, 100), dtype="u1")
        layout[:] = h5py.VirtualSource(str(source), "data", shape=(2, 100))
        s.create_virtual_dataset("retention", layout)
    check_all_readers(cxsim_exe, series_file(tmp_path / "virtual.h5", make))


def test_external_and_soft_links_are_not_followed(tmp_path: Path, cxsim_exe: Path) -> None:
    other = tmp_path / "other.h5"
    with h5py.File(other, "w", libver="latest") as f:
        f["retention"] = np.frombuffer((SECRET * 10).encode()[:200], dtype="u1").astype("f8").reshape(2, 100)
    fifo = tmp_path / "fifo.h5"
    os.mkfifo(fifo)
    for name, link in [("elink", h5py.ExternalLink(str(other), "/retention")),
                       ("elink_fifo", h5py.ExternalLink(str(fifo), "/retention")),
                       ("soft", h5py.SoftLink("/strategies/baseline/series/x"))]:
        def make(s, f, link=link):
            s["x"] = np.zeros((2, 100))
            s["retention"] = link
        check_all_readers(cxsim_exe, series_file(tmp_path / f"{name}.h5", make))
    # a link in place of a whole group
    path = tmp_path / "group_link.h5"
    with new_file(path) as f:
        f["strategies"] = h5py.ExternalLink(str(fifo), "/strategies")
    check_all_readers(cxsim_exe, path)


def test_wrong_types_and_ranks(tmp_path: Path, cxsim_exe: Path) -> None:
    cases = {
        "strings": lambda s, f: s.create_dataset("retention", data=np.array([[b"a", b"b"]])),
        "rank3": lambda s, f: s.create_dataset("retention", data=np.zeros((2, 2, 2))),
        "compound": lambda s, f: s.create_dataset("retention", data=np.zeros((2, 2), dtype=[("a", "f8"), ("b", "i4")])),
        "group": lambda s, f: s.create_group("retention"),
    }
    for name, make in cases.items():
        check_all_readers(cxsim_exe, series_file(tmp_path / f"{name}.h5", make))
    path = tmp_path / "attr.h5"
    with new_file(path) as f:
        del f.attrs["format_version"]
        f.attrs["format_version"] = "one"
    check_all_readers(cxsim_exe, path)
    path = tmp_path / "hugeattr.h5"
    with new_file(path) as f:
        f.attrs.create("command_line", data=np.zeros(10**6, dtype="u1"))
        f.create_group("strategies").create_group("baseline").create_group("series")["retention"] = np.zeros((1, 2))
    check_all_readers(cxsim_exe, path, may_succeed=True)


def test_names_with_control_characters_and_invalid_utf8(tmp_path: Path, cxsim_exe: Path) -> None:
    path = tmp_path / "names.h5"
    with new_file(path) as f:
        f.attrs["command_line"] = np.bytes_(b"\x1b[31mred\xff\xfe")
        f.attrs["cxsim_version"] = "\x1b]0;title\x07"
        g = f.create_group("strategies").create_group("evil\x1b[2J\u009b")
        s = g.create_group("series")
        s["retention"] = np.ones((1, 3))
        s["unknown_metric_from_the_future"] = np.ones((1, 3))
        s["retention"].attrs["unit"] = b"\xff\xfe\x1b[1m"
    check_all_readers(cxsim_exe, path, may_succeed=True)
    results = cxsim.load(path)  # unknown metrics are kept as they are, invalid text replaced
    assert "unknown_metric_from_the_future" in results._strategy(results.strategies[0]).series
    assert results.key_figures(results.strategies[0]).shape[0] == 1
    path = tmp_path / "badname.h5"  # names that are not UTF-8: cxsim never writes them
    with new_file(path) as f:
        f.create_group("strategies").create_group(b"bad\xff").create_group("series")["retention"] = np.ones((1, 3))
    check_all_readers(cxsim_exe, path)


def test_key_figure_day_past_the_horizon(valid: Path) -> None:
    results = cxsim.load(valid)
    with pytest.raises(cxsim.InputError):
        results.key_figures("baseline", at_day=results.days + 1)
    with pytest.raises(cxsim.InputError):
        results.key_figures("baseline", at_day=-1)


def test_truncated_files(tmp_path: Path, valid: Path, cxsim_exe: Path) -> None:
    data = valid.read_bytes()
    for size in [0, 8, 100, 1000, len(data) // 2, len(data) - 1]:
        path = tmp_path / f"cut{size}.h5"
        path.write_bytes(data[:size])
        check_all_readers(cxsim_exe, path, may_succeed=size == len(data) - 1)


def test_random_byte_flips(tmp_path: Path, valid: Path, cxsim_exe: Path) -> None:
    """Flips bytes of a genuine file: every reader reports damage (or reads the file), never dies."""
    data = bytearray(valid.read_bytes())
    rng = random.Random(int(os.environ.get("CXSIM_FLIP_SEED", "2024")))
    trials = int(os.environ.get("CXSIM_FLIP_TRIALS", "60"))
    metadata_end = min(len(data), 8192)  # the superblock and first headers
    for trial in range(trials):
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            where = rng.randrange(metadata_end) if rng.random() < 0.6 else rng.randrange(len(data))
            flipped[where] ^= 1 << rng.randrange(8)
        path = tmp_path / f"flip{trial}.h5"
        path.write_bytes(bytes(flipped))
        check_all_readers(cxsim_exe, path, may_succeed=True)
        path.unlink()


def test_special_files_are_refused_without_blocking(tmp_path: Path, cxsim_exe: Path) -> None:
    fifo = tmp_path / "results.h5"
    os.mkfifo(fifo)
    check_all_readers(cxsim_exe, fifo)
    check_all_readers(cxsim_exe, tmp_path)  # a directory
    check_all_readers(cxsim_exe, tmp_path / "missing.h5")


def test_save_refuses_special_and_foreign_paths(tmp_path: Path, valid: Path) -> None:
    """Results.save writes a new path or over a results file (keeping its permissions), nothing else."""
    results = cxsim.load(valid)
    fifo = tmp_path / "fifo.h5"
    os.mkfifo(fifo)
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    link = tmp_path / "link.h5"
    link.symlink_to(notes)
    for target in (fifo, notes, link, tmp_path, tmp_path / "missing" / "x.h5"):
        with pytest.raises(cxsim.ResultsError):
            results.save(target)
    assert fifo.is_fifo() and notes.read_text() == "keep me" and link.is_symlink()
    copy = tmp_path / "copy.h5"
    results.save(copy)
    copy.chmod(0o640)
    results.save(copy)  # over a results file: allowed, permissions kept
    assert (copy.stat().st_mode & 0o777) == 0o640
    assert cxsim.load(copy).strategies == results.strategies
    assert not list(tmp_path.glob(".*cxsim-tmp-*"))
