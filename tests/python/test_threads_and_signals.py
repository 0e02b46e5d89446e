"""The GIL is released while simulating, and Ctrl-C stops a run cleanly with nothing written."""

from __future__ import annotations

import _thread
import threading
import time

import pytest

import cxsim

# A run of several seconds: long enough for a second thread and a timer to act during it.
LONG = {"market.population": 200_000, "run.horizon_days": 3650, "run.replications": 2}


def test_a_second_python_thread_keeps_running_during_a_simulation(small_toml):
    scenario = cxsim.Scenario.from_file(small_toml).with_overrides(
        {"market.population": 60_000, "run.horizon_days": 730, "run.replications": 2})
    counts = {"during": 0}
    stop = threading.Event()
    running = threading.Event()

    def count():
        while not stop.is_set():
            if running.is_set():
                counts["during"] += 1
            time.sleep(0.001)

    thread = threading.Thread(target=count)
    thread.start()
    try:
        running.set()
        start = time.monotonic()
        cxsim.run(scenario, threads=1, progress=False)
        elapsed = time.monotonic() - start
        running.clear()
    finally:
        stop.set()
        thread.join()
    # a thread starved by a held GIL would count a handful of times (at most once per 5 ms switch
    # interval of the poll loop); a free one about once per millisecond
    assert elapsed > 0.2, "the run is too short to tell"
    assert counts["during"] > 0.3 * elapsed / 0.0011, (counts, elapsed)


def test_ctrl_c_interrupts_a_run_and_nothing_is_written(small_toml, tmp_path):
    scenario = cxsim.Scenario.from_file(small_toml).with_overrides(LONG)
    out = tmp_path / "interrupted.h5"
    timer = threading.Timer(0.5, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            cxsim.run(scenario, threads=2, progress=False, output=out)
    finally:
        timer.cancel()
    elapsed = time.monotonic() - start
    assert elapsed < 5, f"took {elapsed:.1f} s to stop"
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "small.toml"]  # no temporary file either
    # and the module still works afterwards
    assert cxsim.run(cxsim.Scenario.from_file(small_toml), progress=False).replications == 3
