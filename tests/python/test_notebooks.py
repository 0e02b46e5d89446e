"""Every notebook in notebooks/ runs top to bottom in a fresh kernel of this Python
(/usr/bin/python3) and finds this checkout's cxsim; a cell that raises fails the test. The
notebooks are committed with their outputs cleared; executed copies go to
test-artifacts/notebooks/ for inspection."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import PACKAGE_DIR, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "notebooks"


def test_the_four_stories_are_there():
    names = [p.name for p in NOTEBOOKS]
    for prefix in ("01_quick_start", "02_compare_strategies", "03_staffing", "04_sensitivity",
                   "05_observed_figures_to_decision"):
        assert any(n.startswith(prefix) for n in names), f"missing notebook {prefix}: {names}"


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """A kernel spec named python3 that starts this very interpreter, first on JUPYTER_PATH."""
    jupyter = tmp_path_factory.mktemp("jupyter")
    spec = jupyter / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (cxsim tests)", "language": "python"}))
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "PYTHONPATH", "MPLBACKEND")}
    os.environ["JUPYTER_PATH"] = str(jupyter) + os.pathsep + (saved["JUPYTER_PATH"] or "")
    os.environ["PYTHONPATH"] = str(PACKAGE_DIR) + os.pathsep + (saved["PYTHONPATH"] or "")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, kernel_env):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # committed clean: outputs are produced here, not stored in git
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name}: outputs not cleared"
    client = NotebookClient(nb, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, ARTIFACTS / path.name)
    probe = [c for c in nb.cells if c.cell_type == "code"]
    assert probe, "a notebook without code"
