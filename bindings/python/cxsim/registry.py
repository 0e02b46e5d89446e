"""The parameter and metric registries, as pandas tables (the same declarations the TOML reader,
the CLI and docs/scenarios.md use)."""

from __future__ import annotations

import pandas as pd

from . import _core


def parameters() -> pd.DataFrame:
    """Every scenario parameter, one row each, indexed by key (``"purchase.price"``).

    Columns: type, default, min, max, unit, intervenable (a strategy's intervention may change it
    mid-run), description, source, allowed. Use it to find what to pass to
    :meth:`Scenario.with_overrides`::

        cxsim.parameters().filter(like="quality.", axis=0)
    """
    return pd.DataFrame(_core.parameter_specs()).set_index("key")


def segment_parameters() -> pd.DataFrame:
    """The keys of a customer segment (``[[segment]]`` tables), one row each."""
    return pd.DataFrame(_core.segment_specs()).set_index("key")


def metrics() -> pd.DataFrame:
    """Every daily metric a run records, indexed by name: unit, kind, description.

    kind is ``stock`` (a level at the end of the day), ``flow`` (an amount per day: sum it over
    days) or ``ratio`` (a share or average; its window is in the description).
    """
    return pd.DataFrame(_core.metric_specs()).set_index("name")


def figures() -> pd.DataFrame:
    """The key figures ``cxsim compare``, :meth:`Results.summary` and :meth:`Results.compare` use,
    indexed by id: label, unit, how (final, total, window_mean, window_ratio), metric,
    denominator, column (its name in the results file's /summary table), key (shown by default).
    Any metric name also works as a figure (its total for flows, else its value at the day)."""
    return pd.DataFrame(_core.builtin_figures()).set_index("id")
