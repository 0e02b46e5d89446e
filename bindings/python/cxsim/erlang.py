"""Analytic queueing formulas for one contact-centre channel: Erlang B, Erlang C (M/M/n) and
Erlang A (M/M/n+M, customers abandon after an exponential patience), and staffing for a
service-level target. The same C++ code validates cxsim's discrete-event queue (docs/validation.md) and backs ``cxsim erlang``.

Units: load in Erlangs (arrivals per second x mean handle time in seconds, see :func:`load`),
times in seconds. The service level is the share of all offered contacts answered within the
target; with abandonment, contacts that abandon count as not answered within the target.

Example (docs/validation.md: 100 calls per half hour, 180 s handle time)::

    from cxsim import erlang
    a = erlang.load(calls=100, period_s=1800, handle_s=180)        # 10 Erlangs
    erlang.erlang_c(a, agents=13, handle_s=180, target_s=20)       # service level 0.7956
    erlang.staffing(a, handle_s=180, target_s=20, service_level=0.8)   # 14 agents
    erlang.table(a, range(11, 16), handle_s=180, patience_s=120)   # a DataFrame
"""

from __future__ import annotations

import math
from typing import Iterable

import pandas as pd

from . import _core

ErlangC = _core.ErlangC
ErlangA = _core.ErlangA

__all__ = ["load", "erlang_b", "erlang_c", "erlang_a", "service_level", "asa", "staffing", "table",
           "ErlangC", "ErlangA"]


def load(calls: float, period_s: float, handle_s: float) -> float:
    """Offered load in Erlangs: ``calls`` arriving in ``period_s`` seconds, each taking
    ``handle_s`` seconds on average."""
    return calls / period_s * handle_s


def erlang_b(load: float, agents: int) -> float:
    """Erlang B: the probability an arrival is blocked when ``agents`` serve ``load`` Erlangs and
    there is no queue."""
    return _core.erlang_b(load, agents)


def erlang_c(load: float, agents: int, handle_s: float, target_s: float = 20.0) -> ErlangC:
    """Erlang C figures (infinite patience): ``p_wait``, ``service_level`` (answered within
    ``target_s``), ``asa_s``, ``mean_queue``, ``occupancy``. With ``agents <= load`` the queue
    grows without bound: p_wait 1, service level 0, ASA infinite."""
    return _core.erlang_c(load, agents, handle_s, target_s)


def erlang_a(load: float, agents: int, handle_s: float, patience_s: float, target_s: float = 20.0) -> ErlangA:
    """Erlang A figures (exponential patience of mean ``patience_s``): ``p_wait``, ``p_abandon``,
    ``mean_wait_s``, ``service_level``, ``mean_queue``, ``occupancy``. ``patience_s = inf`` gives
    Erlang C."""
    return _core.erlang_a(load, agents, handle_s, patience_s, target_s)


def service_level(load: float, agents: int, handle_s: float, target_s: float = 20.0,
                  patience_s: float | None = None) -> float:
    """Share of contacts answered within ``target_s``: Erlang C, or Erlang A with ``patience_s``."""
    if patience_s is None:
        return erlang_c(load, agents, handle_s, target_s).service_level
    return erlang_a(load, agents, handle_s, patience_s, target_s).service_level


def asa(load: float, agents: int, handle_s: float, patience_s: float | None = None) -> float:
    """Average speed of answer in seconds (mean wait over all arrivals): Erlang C, or Erlang A's
    mean wait with ``patience_s``."""
    if patience_s is None:
        return erlang_c(load, agents, handle_s, 0.0).asa_s
    return erlang_a(load, agents, handle_s, patience_s, 0.0).mean_wait_s


def staffing(load: float, handle_s: float, target_s: float = 20.0, service_level: float = 0.8,
             patience_s: float | None = None) -> int:
    """Fewest agents answering ``service_level`` of contacts within ``target_s``: Erlang C, or
    Erlang A with ``patience_s`` (abandonment lowers the need)."""
    if patience_s is None:
        return _core.erlang_c_staffing(load, handle_s, target_s, service_level)
    return _core.erlang_a_staffing(load, handle_s, patience_s, target_s, service_level)


def table(load: float, agents: Iterable[int], handle_s: float, target_s: float = 20.0,
          patience_s: float | None = None) -> pd.DataFrame:
    """Erlang C (and A with ``patience_s``) figures for several staffing levels, one row each."""
    rows = []
    for n in agents:
        c = erlang_c(load, int(n), handle_s, target_s)
        row = {"agents": int(n), "occupancy": c.occupancy, "p_wait_c": c.p_wait,
               "service_level_c": c.service_level, "asa_c_s": c.asa_s}
        if patience_s is not None and math.isfinite(patience_s):
            a = erlang_a(load, int(n), handle_s, patience_s, target_s)
            row.update(p_wait_a=a.p_wait, p_abandon_a=a.p_abandon, service_level_a=a.service_level,
                       mean_wait_a_s=a.mean_wait_s)
        rows.append(row)
    return pd.DataFrame(rows).set_index("agents")
