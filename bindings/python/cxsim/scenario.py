"""Scenarios: read from TOML files or text, overridden from Python, validated like the CLI does."""

from __future__ import annotations

import json
import math
import numbers
import os
from typing import Any, Mapping

from . import _core

__all__ = ["Scenario"]


def _toml_value(key: str, value: Any) -> str:
    """A Python value as the TOML text `--set key=value` expects."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: JSON's escapes are valid TOML
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        return "[" + ", ".join(_toml_value(key, v) for v in items) + "]"
    raise TypeError(f"override {key!r}: cannot use a value of type {type(value).__name__}")


def _flatten(overrides: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in overrides.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.extend(_flatten(value, full + "."))
        else:
            out.append((full, value))
    return out


class Scenario:
    """A scenario: every parameter of a run, resolved and checked.

    Create one with :meth:`from_file` or :meth:`from_string`, change levers with
    :meth:`with_overrides` (a new Scenario; this one is unchanged), then pass it to
    :func:`cxsim.run`. ``str(scenario)`` is the resolved TOML (every key, defaults included),
    which :meth:`from_string` reads back to the same parameters.

    Errors (TOML syntax, unknown keys, wrong types, values out of range) raise
    :class:`cxsim.ScenarioError` with ``file``, ``line``, ``column`` and ``key``.
    """

    __slots__ = ("_core", "_overrides")

    def __init__(self, core: _core.Scenario, overrides: tuple[str, ...] = ()) -> None:
        """Internal: use :meth:`from_file`, :meth:`from_string` or :meth:`default`."""
        self._core = core
        self._overrides = overrides

    # --- construction -----------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "Scenario":
        """Reads and checks a scenario file (TOML), e.g. ``scenarios/baseline.toml``.

        Keys left out keep their defaults. A relative ``network.edge_list`` is resolved against
        the file's directory.

        Raises:
            ScenarioError: the file cannot be read, or is not a valid scenario (with file, line,
                column and key).
        """
        return cls(_core.Scenario.from_file(os.fspath(path)))

    @classmethod
    def from_string(cls, text: str, path: str = "<string>") -> "Scenario":
        """Reads and checks scenario text (TOML); ``path`` names it in error messages.

        Example::

            cxsim.Scenario.from_string('''
            [market]
            population = 20000
            [purchase]
            price = 45.0
            ''')
        """
        return cls(_core.Scenario.from_string(text, path))

    @classmethod
    def default(cls) -> "Scenario":
        """Every parameter at its built-in default (a 100,000-person market for two years)."""
        return cls.from_string("", "<default>")

    def with_overrides(self, overrides: Mapping[str, Any] | None = None, /, **kwargs: Any) -> "Scenario":
        """A copy with some parameters changed, as ``cxsim run --set key=value`` does.

        Keys are ``"section.name"`` as in :func:`cxsim.parameters` (``"purchase.price"``), or a
        nested dict per section (``{"purchase": {"price": 45}}``), or a segment key
        (``"segment.price-driven.price_sensitivity"``, ``"segment[0].share"``). Values are
        Python numbers, bools, strings or lists. Keyword arguments use ``__`` for the dot::

            scenario.with_overrides({"purchase.price": 45, "quality.defect_rate": 0.02})
            scenario.with_overrides(market__population=20_000)

        Raises:
            ScenarioError: an unknown key (the message lists the closest ones), a wrong type, a
                value out of range, or a failed cross-parameter check.
        """
        items = _flatten(dict(overrides or {}))
        items += [(k.replace("__", "."), v) for k, v in kwargs.items()]
        assignments = [f"{k}={_toml_value(k, v)}" for k, v in items]
        if not assignments:
            return self
        return Scenario(self._core.with_overrides(assignments), self._overrides + tuple(assignments))

    def with_strategies(self, strategies: Mapping[str, Mapping[str, Any]]) -> "Scenario":
        """A copy with more what-if strategies, as ``[[strategy]]`` tables in a scenario file.

        Each strategy is the baseline with some keys changed from day 0, and optionally
        interventions that change intervenable keys from a given day (0-based)::

            scenario.with_strategies({
                "faster service": {"description": "a second phone agent", "phone.agents": 2},
                "price cut on day 90": {"interventions": [{"day": 90, "purchase.price": 45.0}]},
            })

        :func:`cxsim.run` then runs the baseline and every strategy on the same random numbers,
        and ``results.compare()`` gives paired differences. Overrides given earlier with
        :meth:`with_overrides` still apply to the baseline and so to every strategy that does
        not set the key itself.

        Raises:
            ScenarioError: a bad name, key, value or day (the message names the key).
        """
        tables = []
        for name, spec in strategies.items():
            spec = dict(spec)
            lines = ["", "[[strategy]]", f"name = {json.dumps(str(name))}"]
            if "description" in spec:
                lines.append(f"description = {json.dumps(str(spec.pop('description')))}")
            interventions = spec.pop("interventions", [])
            lines += [f"{k} = {_toml_value(k, v)}" for k, v in _flatten(spec)]
            for intervention in interventions:
                intervention = dict(intervention)
                if "day" not in intervention:
                    raise ValueError(f"strategy {name!r}: an intervention needs a 'day'")
                lines += ["", "[[strategy.intervention]]", f"day = {int(intervention.pop('day'))}"]
                lines += [f"{k} = {_toml_value(k, v)}" for k, v in _flatten(intervention)]
            tables.append("\n".join(lines) + "\n")
        return self._with_text("".join(tables))

    def with_sweep(self, parameters: Mapping[str, Any], method: str = "grid", points: int | None = None) -> "Scenario":
        """A copy with a ``[sweep]``: one run per point, each the baseline with the point's values.

        ``method="grid"`` takes lists of values and runs every combination (the first parameter
        varies slowest); ``method="latin_hypercube"`` takes ``(min, max)`` ranges and ``points``
        runs::

            scenario.with_sweep({"purchase.price": [40, 45, 50, 55, 60]})
            scenario.with_sweep({"quality.defect_rate": (0.01, 0.06), "phone.agents": (1, 4)},
                                method="latin_hypercube", points=20)

        The points are named ``sweep-000``, ``sweep-001``, ... and their values are in
        ``results.plans`` and in the columns of ``results.summary_table()``.
        """
        lines = ["", "[sweep]", f"method = {json.dumps(method)}"]
        if points is not None:
            lines.append(f"points = {int(points)}")
        for key, spec in parameters.items():
            lines += ["", "[[sweep.parameter]]", f"key = {json.dumps(key)}"]
            if method == "grid":
                lines.append(f"values = {_toml_value(key, [float(v) for v in spec])}")
            else:
                low, high = spec
                lines += [f"min = {_toml_value(key, float(low))}", f"max = {_toml_value(key, float(high))}"]
        return self._with_text("\n".join(lines) + "\n")

    def _with_text(self, extra: str) -> "Scenario":
        text = self.text.rstrip("\n") + "\n" + extra
        # Errors then point past the end of the original file: say so in the name (the directory,
        # against which a relative network.edge_list resolves, stays the same).
        suffix = " (+ tables added from Python)"
        path = self.path if self.path.endswith(suffix) else self.path + suffix
        core = _core.Scenario.from_string(text, path)
        if self._overrides:
            core = core.with_overrides(list(self._overrides))
        core.plans()  # check the strategies and sweep now, not at run time
        return Scenario(core, self._overrides)

    # --- inspection ---------------------------------------------------------------------------

    def validate(self, threads: int | None = None) -> dict[str, float]:
        """Checks the scenario as ``cxsim validate`` does: every range and cross-parameter rule,
        the edge-list file if any, and that the run fits in memory.

        Returns the size estimate: ``customer_days``, ``memory_bytes``, ``threads`` and
        ``seconds_estimate``. Raises :class:`cxsim.ScenarioError` when something is wrong.
        """
        return dict(self._core.validate(threads or 0))

    @property
    def params(self) -> dict[str, Any]:
        """Every parameter as ``{"section.name": value}`` (a fresh dict; edit with
        :meth:`with_overrides`)."""
        return dict(self._core.params)

    @property
    def segments(self) -> list[dict[str, Any]]:
        """The customer segments, each a dict with ``name`` and its keys (share, expectation, ...)."""
        return list(self._core.segments)

    @property
    def path(self) -> str:
        """The file the scenario was read from (``"<string>"`` for text)."""
        return self._core.path

    @property
    def text(self) -> str:
        """The scenario text as read, verbatim (overrides not applied; see :attr:`overrides`)."""
        return self._core.text

    def plans(self) -> list[dict[str, Any]]:
        """The runs :func:`cxsim.run` will make: the baseline, each ``[[strategy]]`` and each
        ``[sweep]`` point, as dicts with name, kind, description, overrides (keys set from day 0),
        interventions (day and keys) and sweep_values. Checked as ``cxsim run`` checks them
        (raises :class:`cxsim.ScenarioError`)."""
        return [dict(p) for p in self._core.plans()]

    @property
    def strategies(self) -> list[str]:
        """Names of the runs the scenario declares, baseline first (see :meth:`plans`)."""
        return [p["name"] for p in self._core.plans()]

    @property
    def overrides(self) -> tuple[str, ...]:
        """The ``key=value`` assignments applied since the scenario was read, in order."""
        return self._overrides

    def __getitem__(self, key: str) -> Any:
        """One parameter's value: ``scenario["purchase.price"]``."""
        params = self._core.params
        if key not in params:
            raise KeyError(key)
        return params[key]

    def to_toml(self) -> str:
        """The resolved scenario as TOML: every key, defaults included."""
        return self._core.resolved_toml()

    def __str__(self) -> str:
        return self.to_toml()

    def __repr__(self) -> str:
        p = self._core.params
        extra = f", {len(self._overrides)} overrides" if self._overrides else ""
        return (f"<cxsim.Scenario {self.path!r}: population {p['market.population']:,}, "
                f"{p['run.horizon_days']} days, {p['run.replications']} replications, "
                f"seed {p['run.seed']}{extra}>")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self.to_toml() == other.to_toml()

    __hash__ = None  # type: ignore[assignment]
