"""cxsim.erlang against the reference values of docs/validation.md."""

from __future__ import annotations

import pytest

from cxsim import erlang


def test_erlang_c_table():
    a = erlang.load(calls=100, period_s=1800, handle_s=180)
    assert a == pytest.approx(10)
    expected = {11: (0.6821, 0.3896, 122.78), 12: (0.4494, 0.6402, 40.44), 13: (0.2853, 0.7956, 17.12),
                14: (0.1741, 0.8884, 7.836)}
    for agents, (p_wait, sl, asa) in expected.items():
        c = erlang.erlang_c(a, agents, handle_s=180, target_s=20)
        assert c.p_wait == pytest.approx(p_wait, abs=1e-4)
        assert c.service_level == pytest.approx(sl, abs=1e-4)
        assert c.asa_s == pytest.approx(asa, rel=1e-3)
        assert erlang.asa(a, agents, 180) == pytest.approx(asa, rel=1e-3)
    assert erlang.staffing(a, handle_s=180, target_s=20, service_level=0.8) == 14


def test_erlang_a():
    a = erlang.erlang_a(10, 10, handle_s=180, patience_s=120, target_s=20)
    assert a.p_wait == pytest.approx(0.4969, abs=1e-3)
    assert a.p_abandon == pytest.approx(0.1375, abs=1e-3)
    assert a.mean_wait_s == pytest.approx(16.5, abs=0.1)
    assert a.p_abandon == pytest.approx(a.mean_wait_s / 120, rel=1e-9)
    assert erlang.staffing(10, 180, 20, 0.8, patience_s=120) <= 14
    table = erlang.table(10, range(11, 15), handle_s=180, patience_s=120)
    assert list(table.index) == [11, 12, 13, 14]
    assert table.service_level_c.is_monotonic_increasing


def test_bad_input_is_a_scenario_error():
    import cxsim

    with pytest.raises(cxsim.InputError):
        erlang.erlang_c(-1, 3, 180, 20)
