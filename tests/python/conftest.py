"""Shared fixtures of the Python tests: the checkout's package on sys.path, the CLI binary, and
small scenarios that run in a fraction of a second."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The build's package: its Python files (linked from bindings/python/cxsim) next to the compiled
# module. CXSIM_PYTHONPATH names another (an install's dist-packages, say).
PACKAGE_DIR = Path(os.environ.get("CXSIM_PYTHONPATH", ROOT / "build" / "release" / "python"))
sys.path.insert(0, str(PACKAGE_DIR))  # test this build's package, whatever else is installed

import matplotlib  # noqa: E402

matplotlib.use("Agg")

SMALL = """\
# a small market for quick tests
[run]
seed = 7
replications = 3
horizon_days = 120

[market]
population = 3000
"""


STRATEGIES = SMALL + """
[[strategy]]
name = "fewer defects"
description = "Half the defects"
quality.defect_rate = 0.015

[[strategy]]
name = "price up on day 60"
[[strategy.intervention]]
day = 60
purchase.price = 55.0

[sweep]
method = "grid"

[[sweep.parameter]]
key = "phone.agents"
values = [2, 3]
"""


@pytest.fixture()
def strategies_toml(tmp_path: Path) -> Path:
    path = tmp_path / "strategies.toml"
    path.write_text(STRATEGIES)
    return path


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cxsim_exe() -> Path:
    """The cxsim CLI of the release build (CXSIM_EXE overrides)."""
    exe = Path(os.environ.get("CXSIM_EXE", ROOT / "build" / "release" / "sim" / "cxsim"))
    if not exe.exists():
        pytest.fail(f"the cxsim CLI is not built at {exe}: run scripts/test-python.sh (or set CXSIM_EXE)")
    return exe


@pytest.fixture()
def small_toml(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path


@pytest.fixture()
def env() -> dict[str, str]:
    """Environment for subprocesses: this checkout's package first on PYTHONPATH."""
    e = dict(os.environ)
    e["PYTHONPATH"] = str(PACKAGE_DIR) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def run_cli(exe: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, env=env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"cxsim {' '.join(map(str, args))} exited {result.returncode}:\n{result.stderr}")
    return result


@contextlib.contextmanager
def edited(path):
    """``h5py.File(path, "r+")`` for a test that damages a cxsim file on purpose: the checksum of
    its text (root attribute heaps_sha256) is removed first, as in a file from before it, so that
    the reader's own checks of what was changed are the ones that speak."""
    import h5py

    with h5py.File(path, "r+") as f:
        if "heaps_sha256" in f.attrs:
            del f.attrs["heaps_sha256"]
        yield f
