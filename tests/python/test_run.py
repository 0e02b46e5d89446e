"""Running from Python: the same numbers as the CLI, bit for bit; threads, seeds, progress."""

from __future__ import annotations

import re

import numpy as np
import pytest

import cxsim
from conftest import run_cli


def test_run_matches_the_cli_bit_for_bit(cxsim_exe, small_toml, tmp_path):
    cli_file = tmp_path / "cli.h5"
    run_cli(cxsim_exe, "run", small_toml, "-o", cli_file, "--seed", 11, "--threads", 2, "-q")
    from_cli = cxsim.load(cli_file)
    here = cxsim.run(cxsim.Scenario.from_file(small_toml), seed=11, threads=1, progress=False)
    assert from_cli.strategies == here.strategies
    assert list(from_cli.metrics) == list(here.metrics)
    assert from_cli.replications == here.replications == 3
    for metric in here.metrics:
        a, b = here.series(metric), from_cli.series(metric)
        assert a.dtype == b.dtype == np.float64
        # bit-identical, NaN where NaN
        assert np.array_equal(a.view(np.uint64), b.view(np.uint64)), metric
    assert from_cli.parameters == here.parameters
    assert from_cli.attributes["seed"] == 11


def test_results_do_not_depend_on_threads_and_change_with_the_seed(small_toml):
    s = cxsim.Scenario.from_file(small_toml)
    one = cxsim.run(s, threads=1, progress=False)
    two = cxsim.run(s, threads=2, progress=False)
    other = cxsim.run(s, seed=8, threads=2, progress=False)
    assert np.array_equal(one.series("active_customers"), two.series("active_customers"))
    assert not np.array_equal(one.series("active_customers"), other.series("active_customers"))


def test_replications_and_path_argument(small_toml):
    r = cxsim.run(str(small_toml), replications=2, progress=False)
    assert r.series("orders").shape == (2, 120)
    assert r.attributes["replications"] == 2
    assert "replications=2" in r.attributes["command_line"]


def test_progress_callback_sees_the_run_finish(small_toml):
    calls = []
    cxsim.run(cxsim.Scenario.from_file(small_toml), progress=lambda done, total: calls.append((done, total)))
    assert calls, "progress was never called"
    done, total = calls[-1]
    assert total == 3000 * 120 * 3 and done == total


def test_the_progress_bar_names_the_strategy_and_replication(small_toml, capsys):
    """The bar cxsim.run draws on a terminal says which run it is on, as the CLI's does."""
    from cxsim._progress import ProgressBar

    s = cxsim.Scenario.from_file(small_toml).with_strategies({"fewer defects": {"quality.defect_rate": 0.01}})
    s = s.with_overrides({"market.population": 20000, "run.horizon_days": 365})
    bar = ProgressBar(replications=3, delay=0, interval=0)
    bar.display, bar.terminal = None, True
    seen = []

    def task(strategy, replication):
        seen.append((strategy, replication))
        bar.task(strategy, replication)

    cxsim._core.run(s._core, threads=1, progress=bar, task=task, poll_seconds=0.001)
    err = capsys.readouterr().err
    assert seen and {name for name, _ in seen} <= {"baseline", "fewer defects"}
    assert all(0 <= r < 3 for _, r in seen)
    assert re.search(r"(baseline|fewer defects), replication [123] of 3", err), err[-500:]
    assert "ETA" in err


def test_an_exception_in_the_progress_callback_stops_the_run(small_toml, tmp_path):
    def boom(done, total):
        raise RuntimeError("stop here")

    s = cxsim.Scenario.from_file(small_toml).with_overrides({"market.population": 50000, "run.horizon_days": 730})
    with pytest.raises(RuntimeError, match="stop here"):
        cxsim.run(s, progress=boom, output=tmp_path / "never.h5")
    assert [p.name for p in tmp_path.iterdir()] == ["small.toml"]


def test_output_writes_the_same_file_the_cli_reads(cxsim_exe, small_toml, tmp_path):
    out = tmp_path / "py.h5"
    r = cxsim.run(cxsim.Scenario.from_file(small_toml), progress=False, output=out)
    assert r.path == str(out)
    info = run_cli(cxsim_exe, "info", out).stdout
    assert "baseline" in info and "cxsim.run" in info


@pytest.mark.parametrize("threads", [-1, 1025, 100_000, 10**9])
def test_a_thread_count_out_of_range_is_refused_before_any_work(small_toml, threads):
    # The command line allows 0 to 1024; Python allowed anything: 100,000 threads crashed the
    # interpreter in calibrate (SIGSEGV) and sensitivity (abort), 10**9 raised MemoryError.
    scenario = cxsim.Scenario.from_file(small_toml)
    allowed = f"got {threads}; allowed: a whole number from 0 \\(all cores\\) to 1024"
    with pytest.raises(cxsim.InputError, match=allowed):
        cxsim.run(scenario, threads=threads)
    with pytest.raises(cxsim.InputError, match=allowed):
        scenario.validate(threads=threads)
    with pytest.raises(cxsim.InputError, match=allowed):
        cxsim.sensitivity(scenario, {"purchase.price": (40.0, 60.0)}, ["revenue"], samples=2,
                          replications=1, threads=threads)
