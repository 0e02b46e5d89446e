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
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import conftest
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


# --- sensitivity files (cxsim.read_sensitivity, `cxsim report FILE`, `--sensitivity FILE`) -------


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory, cxsim_exe: Path) -> Path:
    """A small genuine Morris sensitivity file: 2 keys, 2 metrics, 4 trajectories."""
    d = tmp_path_factory.mktemp("study")
    scenario = d / "s.toml"
    scenario.write_text("[run]\nseed = 3\nreplications = 2\nhorizon_days = 40\n[market]\npopulation = 500\n")
    subprocess.run([str(cxsim_exe), "sensitivity", str(scenario), "--vary", "purchase.price:40:60",
                    "--vary", "quality.defect_rate:0.01:0.1", "--metric", "profit", "--metric", "churn",
                    "--samples", "4", "--replications", "2", "-q", "-o", str(d / "study.h5")],
                   check=True, capture_output=True, timeout=300)
    return d / "study.h5"


def study_copy(study: Path, path: Path, change=None) -> Path:
    path.write_bytes(study.read_bytes())
    if change is not None:
        with conftest.edited(path) as f:
            change(f)
    return path


def replaced(name: str, data=None, **kwargs):
    """A change that puts ``data`` (a function of the old data) or a dataset made with ``kwargs``
    in place of ``name``."""
    def change(f: h5py.File) -> None:
        old = f[name][()]
        del f[name]
        if data is not None:
            f.create_dataset(name, data=data(old))
        else:
            f.create_dataset(name, **kwargs)
    return change


def check_study_refused(path: Path, *words: str, results: Path, env: dict[str, str]) -> None:
    """`cxsim report FILE` and `cxsim report RESULTS --sensitivity FILE` refuse `path` with exit 2
    and one line naming it and ``words``, in bounded time, never showing another file's contents;
    a process each, so that a reader blocked on a FIFO fails the test instead of hanging it."""
    out = path.parent / "report.html"
    for args in ([path], [results, "--sensitivity", path]):
        r = subprocess.run([sys.executable, "-m", "cxsim", "report", *map(str, args), "-o", str(out)],
                           capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == 2, (args, r.returncode, r.stderr[-2000:])
        assert r.stderr.startswith("cxsim: error: ") and str(path) in r.stderr, r.stderr
        for word in words:
            assert word in r.stderr, (word, r.stderr)
        assert SECRET not in r.stdout + r.stderr
        assert not out.exists()


def test_genuine_study_reads(study: Path) -> None:
    s = cxsim.read_sensitivity(study)
    assert s.method == "morris" and s.keys == ["purchase.price", "quality.defect_rate"]
    assert s.points.shape == (12, 2) and s.outputs.shape == (12, 2) and s.indices.shape[0] == 4


def test_study_links_and_foreign_storage_are_not_followed(tmp_path: Path, study: Path, valid: Path,
                                                          env: dict[str, str]) -> None:
    """External links (to a file, to a FIFO), soft links, external storage and virtual datasets in
    a sensitivity file are refused before anything is read through them."""
    secret = secret_file(tmp_path)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w", libver="latest") as f:
        f["keys"] = np.array([SECRET.encode(), b"quality.defect_rate"], dtype=object)
        f["outputs"] = np.frombuffer(secret.read_bytes()[:192], dtype="f8").reshape(12, 2)
    fifo = tmp_path / "fifo.h5"
    os.mkfifo(fifo)

    def link(name: str, target):
        def change(f: h5py.File) -> None:
            del f[name]
            f[name] = target
        return change

    def virtual(f: h5py.File) -> None:
        del f["outputs"]
        layout = h5py.VirtualLayout(shape=(12, 2), dtype="f8")
        layout[:] = h5py.VirtualSource(str(other), "outputs", shape=(12, 2))
        f.create_virtual_dataset("outputs", layout)

    cases = {
        "keys_elink": (link("keys", h5py.ExternalLink(str(other), "/keys")), "/keys", "an external link"),
        "keys_elink_fifo": (link("keys", h5py.ExternalLink(str(fifo), "/keys")), "/keys", "an external link"),
        "indices_elink_fifo": (link("indices", h5py.ExternalLink(str(fifo), "/indices")), "/indices",
                               "an external link"),
        "sigma_elink_fifo": (link("indices/sigma", h5py.ExternalLink(str(fifo), "/x")), "/indices/sigma",
                             "an external link"),
        "keys_soft": (link("keys", h5py.SoftLink("/metrics")), "/keys", "a soft link"),
        "keys_soft_loop": (link("keys", h5py.SoftLink("/keys")), "/keys", "a soft link"),
        "outputs_external": (replaced("outputs", shape=(12, 2), dtype="f8", external=[(str(secret), 0, 192)]),
                             "/outputs", "external storage"),
        "outputs_virtual": (virtual, "/outputs", "virtual dataset"),
    }
    for name, (change, where, what) in cases.items():
        path = study_copy(study, tmp_path / f"{name}.h5", change)
        check_study_refused(path, where, what, results=valid, env=env)
        if "fifo" not in name:  # in this process too (a FIFO is left to the processes above)
            with pytest.raises(cxsim.ResultsError, match=what) as e:
                cxsim.read_sensitivity(path)
            assert e.value.file == str(path) and SECRET not in str(e.value)
    # The path itself: a FIFO, a directory, a missing file.
    for path in (fifo, tmp_path, tmp_path / "missing.h5"):
        with pytest.raises(cxsim.ResultsError):
            cxsim.read_sensitivity(path)


@pytest.mark.parametrize("grow, words", [(1 << 40, "object larger than its collection"),
                                         (16, "damaged global heap (variable-length strings)")])
def test_study_with_a_damaged_heap_of_strings_is_refused(tmp_path: Path, study: Path, valid: Path,
                                                         env: dict[str, str], grow: int, words: str) -> None:
    """A damaged size in the heap where HDF5 keeps a sensitivity file's strings (unchecksummed)
    crashed h5py's read with a segmentation fault; it is refused as read_results refuses it."""
    data = bytearray(study.read_bytes())
    heap = data.find(b"GCOL")
    assert heap > 0
    # The collection's header is 16 bytes; its first object's size is bytes 8-16 of the object.
    size = int.from_bytes(data[heap + 24:heap + 32], "little") + grow
    data[heap + 24:heap + 32] = size.to_bytes(8, "little")
    path = tmp_path / "heap.h5"
    path.write_bytes(bytes(data))
    read = subprocess.run([sys.executable, "-c", "import sys, cxsim\ntry:\n    cxsim.read_sensitivity(sys.argv[1])\n"
                           "except cxsim.ResultsError as e:\n    print(e)\n", str(path)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert read.returncode == 0 and read.stdout.startswith(f"{path}: damaged HDF5 file") and words in read.stdout, \
        (read.returncode, read.stdout, read.stderr[-2000:])
    check_study_refused(path, "damaged", words, results=valid, env=env)


@pytest.mark.parametrize("dataset", ["points", "outputs", "min"])
def test_study_values_carry_a_checksum(tmp_path: Path, study: Path, valid: Path, env: dict[str, str],
                                       dataset: str) -> None:
    """A damaged byte in a sensitivity file's numbers (a point, an output, a bound) was read as a
    value inside the box; each dataset now carries a Fletcher32 checksum that HDF5 verifies."""
    with h5py.File(study, "r") as f:
        assert f[dataset].fletcher32
        start = f[dataset].id.get_chunk_info(0).byte_offset
    data = bytearray(study.read_bytes())
    data[start + 5] ^= 0x10
    path = tmp_path / f"{dataset}-flipped.h5"
    path.write_bytes(bytes(data))
    with pytest.raises(cxsim.ResultsError, match="Fletcher32 checksum"):
        cxsim.read_sensitivity(path)
    check_study_refused(path, "Fletcher32 checksum", results=valid, env=env)


def test_results_values_carry_a_checksum(tmp_path: Path, valid: Path, cxsim_exe: Path) -> None:
    """Every dataset of a results file, small ones too, carries a checksum: a damaged byte in a
    series is refused by info and compare, not shown as a figure."""
    with h5py.File(valid, "r") as f:
        series = f["strategies/baseline/series/churned"]
        assert series.fletcher32
        start = series.id.get_chunk_info(0).byte_offset
        unchecked = []
        f.visititems(lambda name, o: unchecked.append(name) if isinstance(o, h5py.Dataset) and o.size
                     and not o.fletcher32 and not h5py.check_string_dtype(o.dtype) else None)
        assert not unchecked, unchecked
    data = bytearray(valid.read_bytes())
    data[start + 7] ^= 0x10
    path = tmp_path / "series-flipped.h5"
    path.write_bytes(bytes(data))
    for command in ("info", "compare"):
        r = subprocess.run([str(cxsim_exe), command, str(path)], capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and str(path) in r.stderr, (command, r.returncode, r.stderr)
    with pytest.raises(cxsim.ResultsError):
        cxsim.load(path)


def test_text_carries_a_checksum(tmp_path: Path, study: Path, valid: Path, env: dict[str, str],
                                 cxsim_exe: Path) -> None:
    """Text lives in HDF5's heaps, which carry no checksum: a changed letter of a metric's
    description or of the stored scenario was read as written (in 129 of 340 random damages of a
    sensitivity file). cxsim records the heaps' SHA-256 in a fixed-length root attribute."""
    for original in (study, valid):
        with h5py.File(original, "r") as f:
            recorded = f.attrs["heaps_sha256"]
        assert (recorded.decode() if isinstance(recorded, bytes) else recorded) == cxsim._core.check_hdf5_heaps(
            str(original))
    # One letter of the stored scenario's text (its own comment) in each file.
    for original, marker in ((study, b"[market]"), (valid, b"[market]")):
        data = bytearray(original.read_bytes())
        at = data.find(marker)
        assert at > 0
        data[at + 1] = ord("M")
        path = tmp_path / f"text-{original.name}"
        path.write_bytes(bytes(data))
        if original == study:
            with pytest.raises(cxsim.ResultsError, match="does not match the checksum written with it"):
                cxsim.read_sensitivity(path)
            check_study_refused(path, "heaps_sha256", results=valid, env=env)
        else:
            r = subprocess.run([str(cxsim_exe), "info", str(path)], capture_output=True, text=True, timeout=60)
            assert r.returncode == 2 and "heaps_sha256" in r.stderr, r.stderr
            with pytest.raises(cxsim.ResultsError, match="heaps_sha256"):
                cxsim.load(path)


def test_a_number_that_looks_like_a_heap_is_no_damage(tmp_path: Path, cxsim_exe: Path) -> None:
    """The seed 5575230279 is stored as the 8 bytes of a heap collection's signature ("GCOL" 1 0 0
    0); the raw scan took it for a damaged collection, so the file could not be read (nor, with the
    digest, written). A signature that is not a sound collection is skipped when the digest holds."""
    assert (5575230279).to_bytes(8, "little") == b"GCOL\x01\x00\x00\x00"
    scenario = tmp_path / "s.toml"
    scenario.write_text("[run]\nreplications = 2\nhorizon_days = 30\n[market]\npopulation = 300\n")
    results, study = tmp_path / "seed.h5", tmp_path / "seed-study.h5"
    for args in (["run", str(scenario), "-o", str(results)],
                 ["sensitivity", str(scenario), "--vary", "purchase.price:40:60", "--vary", "phone.agents:5:10",
                  "--metric", "profit", "--samples", "2", "-o", str(study)]):
        subprocess.run([str(cxsim_exe), *args, "--seed", "5575230279", "-q"], check=True, capture_output=True,
                       timeout=120)
    assert b"GCOL\x01\x00\x00\x00" in results.read_bytes()
    assert cxsim.load(results).attributes["seed"] == 5575230279
    assert cxsim.read_sensitivity(study).keys == ["purchase.price", "phone.agents"]
    r = subprocess.run([str(cxsim_exe), "info", str(results)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_study_text_that_is_not_utf8_is_refused(tmp_path: Path, study: Path, valid: Path,
                                                env: dict[str, str]) -> None:
    """One byte of the command line in the heap made invalid UTF-8: h5py reads it back with a lone
    surrogate, which the report could not write (exit 1, "internal error"). Refused by name (in a
    file without the checksum of its text, which would refuse it first)."""
    unsealed = tmp_path / "unsealed.h5"
    unsealed.write_bytes(study.read_bytes())
    with conftest.edited(unsealed):
        pass
    data = bytearray(unsealed.read_bytes())
    at = data.find(b"--vary")
    assert at > 0
    data[at + 2] = 0xE3
    path = tmp_path / "not-utf8.h5"
    path.write_bytes(bytes(data))
    with pytest.raises(cxsim.ResultsError, match="attribute command_line: text that is not UTF-8"):
        cxsim.read_sensitivity(path)
    check_study_refused(path, "attribute command_line", "not UTF-8", results=valid, env=env)


@pytest.mark.parametrize("index", [1, 999])
def test_heap_objects_must_be_numbered_in_order(tmp_path: Path, study: Path, valid: Path, env: dict[str, str],
                                                cxsim_exe: Path, index: int) -> None:
    """The second object of a heap given the first's index crashed HDF5 (a double free); one given an
    index no reference asks for made a reference read its neighbour's text (a key renamed
    'purchase.pri' in the report). Both files, a sensitivity file and a results file, are refused."""
    for original in (study, valid):
        data = bytearray(original.read_bytes())
        heap = data.find(b"GCOL")
        first = int.from_bytes(data[heap + 24:heap + 32], "little")
        second = heap + 16 + 16 + (first + 7) // 8 * 8
        assert int.from_bytes(data[second:second + 2], "little") == 2
        data[second:second + 2] = index.to_bytes(2, "little")
        path = tmp_path / f"index-{index}-{original.name}"
        path.write_bytes(bytes(data))
        words = ("damaged", "objects not numbered 1, 2, 3, ... in order")
        if original == study:
            check_study_refused(path, *words, results=valid, env=env)
        else:
            r = subprocess.run([str(cxsim_exe), "info", str(path)], capture_output=True,
                               text=True, timeout=60)
            assert r.returncode == 2 and all(w in r.stderr for w in words), (r.returncode, r.stderr)


@pytest.mark.parametrize("name, change, words", [
    ("version_99", lambda f: f.attrs.__setitem__("format_version", np.int64(99)),
     ("attribute format_version", "newer format")),
    ("version_missing", lambda f: f.attrs.__delitem__("format_version"), ("attribute format_version", "missing")),
    ("version_text", lambda f: f.attrs.__setitem__("format_version", "1"), ("attribute format_version",)),
    ("level_text", lambda f: f.attrs.__setitem__("level", "high"), ("attribute level", "(0, 1)")),
    ("level_2", lambda f: f.attrs.__setitem__("level", 2.0), ("attribute level", "(0, 1)")),
    ("level_nan", lambda f: f.attrs.__setitem__("level", np.nan), ("attribute level",)),
    ("replications_negative", lambda f: f.attrs.__setitem__("replications", np.int64(-1)),
     ("attribute replications",)),
    ("samples_text", lambda f: f.attrs.__setitem__("samples", "x"), ("attribute samples", "whole number")),
    ("method_unknown", lambda f: f.attrs.__setitem__("method", "fast"), ("attribute method",)),
    ("min_above_max", replaced("min", lambda d: d + 1000), ("/min", "not below its max")),
    ("min_nan", replaced("min", lambda d: np.full_like(d, np.nan)), ("/min", "finite")),
    ("max_inf", replaced("max", lambda d: np.full_like(d, np.inf)), ("/max", "finite")),
    ("min_short", replaced("min", lambda d: d[:1]), ("/min", "1 values for 2 keys")),
    ("keys_twice", replaced("keys", lambda d: np.array([d[0], d[0]], dtype=object)), ("/keys", "twice")),
    ("metric_empty", replaced("metrics", lambda d: np.array([b"", d[1]], dtype=object)), ("/metrics", "an empty name")),
    ("command_line_not_utf8", lambda f: f.attrs.__setitem__("command_line", np.bytes_(b"cxsim \xe3 sensitivity")),
     ("attribute command_line", "not UTF-8")),
    ("keys_numbers", replaced("keys", lambda d: np.array([1, 2])), ("/keys", "expected text")),
    ("points_nan", replaced("points", lambda d: np.full_like(d, np.nan)), ("/points", "finite")),
    ("points_outside", replaced("points", lambda d: d + 1e6), ("/points", "outside /min../max")),
    ("points_rows", replaced("points", lambda d: d[:5]), ("/points", "5 rows")),
    ("outputs_rows", replaced("outputs", lambda d: d[:3]), ("/outputs", "12 points x 2 metrics")),
    ("outputs_inf", replaced("outputs", lambda d: np.full_like(d, -np.inf)), ("/outputs", "infinite")),
    ("mu_star_negative", replaced("indices/mu_star", lambda d: -np.abs(d) - 1), ("/indices/mu_star", "negative")),
    ("sigma_negative", replaced("indices/sigma", lambda d: -np.abs(d) - 1), ("/indices/sigma", "negative")),
    ("mu_star_inf", replaced("indices/mu_star", lambda d: np.full_like(d, np.inf)), ("/indices/mu_star", "infinite")),
    ("mu_star_huge", replaced("indices/mu_star", lambda d: np.full_like(d, 1e308)), ("/indices/mu_star", "beyond 1e+300")),
    ("outputs_huge", replaced("outputs", lambda d: np.full_like(d, -1e301)), ("/outputs", "beyond 1e+300")),
    ("max_huge", replaced("max", lambda d: np.full_like(d, 1e308)), ("/max", "beyond 1e+300")),
    ("mu_star_rows", replaced("indices/mu_star", lambda d: np.vstack([d, d[:1]])), ("/indices/mu_star", "(3, 2)")),
    ("mu_star_1d", replaced("indices/mu_star", lambda d: d.ravel()), ("/indices/mu_star", "2 dimensions")),
    ("mu_star_huge_shape", replaced("indices/mu_star", shape=(10**5, 10**5), dtype="f8", chunks=(1, 1000)),
     ("/indices/mu_star", "more than the file")),
    ("outputs_overflowing_shape", replaced("outputs", shape=(2**31, 2**31), dtype="f8", chunks=(1, 16)),
     ("/outputs", "more than the file")),
    ("indices_dataset", lambda f: (f.__delitem__("indices"), f.create_dataset("indices", data=np.zeros(3))),
     ("/indices", "not a group")),
])
def test_inconsistent_study_is_refused(tmp_path: Path, study: Path, name: str, change, words) -> None:
    path = study_copy(study, tmp_path / f"{name}.h5", change)
    with pytest.raises(cxsim.ResultsError) as e:
        cxsim.read_sensitivity(path)
    assert str(e.value).startswith(f"{path}: ") and e.value.file == str(path)
    for word in words:
        assert word in str(e.value), (word, str(e.value))


def test_study_values_cxsim_writes_are_read(tmp_path: Path, study: Path) -> None:
    """NaN outputs (a metric without a value at some points) and the NaN indices they give are
    what cxsim writes: read as they are. Members cxsim does not write are not opened."""
    def change(f: h5py.File) -> None:
        outputs = f["outputs"][()]
        outputs[:3, 1] = np.nan
        f["outputs"][...] = outputs
        f["indices/mu_star"][...] = np.where(np.arange(4).reshape(2, 2) > 2, np.nan, f["indices/mu_star"][()])
        f["indices/extra"] = h5py.ExternalLink(str(other), "/extra")
        del f.attrs["level"]
    other = tmp_path / "other.h5"
    with h5py.File(other, "w", libver="latest") as f:
        f["extra"] = np.zeros((2, 2))
    s = cxsim.read_sensitivity(study_copy(study, tmp_path / "nan.h5", change))
    assert np.isnan(s.outputs.iloc[:3, 1]).all() and np.isnan(s.indices["mu_star"]).sum() == 1
    assert "extra" not in s.indices.columns


def test_stored_scenario_reads_its_relative_paths_from_its_directory(tmp_path: Path, cxsim_exe: Path) -> None:
    """A stored scenario naming an edge list beside it was read as if it lay beside the results
    file's description, so Results.scenario was None with a warning (and nothing could be re-run)."""
    scenario = conftest.ROOT / "scenarios" / "validation" / "edge_list.toml"
    results = tmp_path / "edges.h5"
    subprocess.run([str(cxsim_exe), "run", str(scenario), "-q", "-o", str(results)], check=True,
                   capture_output=True, timeout=120, cwd=tmp_path)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = cxsim.load(results)
    assert loaded.scenario is not None
    assert loaded.scenario.params["network.edge_list"] == str(scenario.parent / "small_edges.txt")


def test_damaged_stored_scenario_is_named_as_the_results_files(tmp_path: Path, valid: Path,
                                                                env: dict[str, str]) -> None:
    """A copy of the scenario in a results file that no longer reads (damaged, or from another
    version) is named as the results file's, not blamed on the scenario file on disk, and stops
    only what needs it: re-runs. The report (which selects from the file's replications) still
    writes; select with re-runs says why it cannot."""
    path = tmp_path / "stored.h5"
    shutil.copy(valid, path)
    with conftest.edited(path) as f:
        text = f.attrs["scenario_text"]
        text = text.decode() if isinstance(text, bytes) else str(text)
        f.attrs["scenario_text"] = text + "\n[purchase]\nprice = -5\n"
    with pytest.warns(UserWarning, match=r"stored\.h5 \(its stored copy of .*\):\d+:\d+: 'purchase\.price'"):
        results = cxsim.load(path)
    assert results.scenario is None
    with pytest.raises(cxsim.ResultsError, match="cannot be re-run; rerun=False") as e:
        results.select("profit", indifference=1.0, first_stage=2, max_replications=4)
    assert e.value.file == str(path)
    assert results.select("profit", indifference=1.0, first_stage=2, rerun=False).table.shape[0] == 2
    out = tmp_path / "report.html"
    r = subprocess.run([sys.executable, "-m", "cxsim", "report", str(path), "-o", str(out)], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0 and out.exists(), r.stderr[-2000:]
    assert "(after the --set overrides)" not in r.stderr and "stored copy" in r.stderr
