"""Type stubs of cxsim._core, the compiled half of cxsim (private: use the cxsim package)."""

from typing import Any, Callable, Sequence

import numpy as np


__version__: str
git_sha: str

class InputError(ValueError):
    """Bad input to cxsim; file, line, column and key where known, else None."""

    message: str
    file: str | None
    line: int | None
    column: int | None
    key: str | None

class ScenarioError(InputError):
    """A scenario (file, text or override) that cxsim cannot run."""

class ResultsError(InputError):
    """A results file that cannot be read."""

class Params:
    """Resolved scenario parameters (opaque)."""

    def to_dict(self) -> dict[str, Any]: ...
    def segments(self) -> list[dict[str, Any]]: ...

def parameter_specs() -> list[dict[str, Any]]:
    """The parameter registry: key, type, default, min, max, unit, intervenable, description,
    source, allowed."""

def segment_specs() -> list[dict[str, Any]]:
    """The keys of a [[segment]] table."""

def metric_specs() -> list[dict[str, str]]:
    """The metric registry: name, unit, kind, description."""

class Scenario:
    """A scenario as read: resolved parameters, source path and text."""

    path: str
    text: str
    @staticmethod
    def from_file(path: str) -> Scenario:
        """Reads and checks a scenario file. Raises ScenarioError."""
    @staticmethod
    def from_string(text: str, path: str = "<string>") -> Scenario:
        """Reads and checks scenario text. Raises ScenarioError."""
    def with_overrides(self, assignments: Sequence[str]) -> Scenario:
        """A copy with `key=value` assignments applied, as `--set`. Raises ScenarioError."""
    def validate(self, threads: int = 0) -> dict[str, float]:
        """Checks as `cxsim validate`; returns customer_days, memory_bytes, threads, seconds_estimate."""
    @property
    def params(self) -> dict[str, Any]: ...
    @property
    def segments(self) -> list[dict[str, Any]]: ...
    @property
    def params_value(self) -> Params: ...
    def resolved_toml(self) -> str: ...
    def plans(self) -> list[dict[str, Any]]:
        """The runs the scenario declares (baseline, strategies, sweep points). Raises ScenarioError."""

def scenarios_markdown() -> str:
    """The parameter reference (docs/scenarios.md)."""

class RunData:
    """A finished experiment held in C++ memory; its arrays view it without copies."""

    def to_dict(self) -> dict[str, Any]:
        """attributes, parameters, segments, sweep_keys, strategies (plan, replications, days,
        metrics, series)."""
    def customers(self, strategy: str, replication: int) -> dict[str, tuple[np.ndarray, str, str]]: ...
    def episodes(self, strategy: str) -> dict[str, Any] | None: ...
    def facts(self, strategy: str) -> dict[str, Any]: ...
    def save(self, path: str, command_line: str, scenario_path: str, scenario_text: str) -> None:
        """Writes the results file (every strategy, /summary) atomically with the C++ writer."""

def run(scenario: Scenario, threads: int = 0, progress: Callable[[int, int], Any] | None = None,
        poll_seconds: float = 0.1, strategies: Sequence[str] | None = None, precision: float = 0.0,
        max_replications: int = 100, precision_figures: Sequence[str] = ...) -> RunData:
    """Runs the scenario's experiment with the GIL released; Ctrl-C raises KeyboardInterrupt."""

def read_results(path: str) -> dict[str, Any]:
    """Reads a results file. Raises ResultsError."""

def read_customers(path: str, strategy: str = "baseline") -> list[dict[str, tuple[np.ndarray, str, str]]]: ...
def read_episodes(path: str, strategy: str = "baseline") -> dict[str, Any] | None: ...
def facts(path: str, strategy: str = "baseline") -> dict[str, Any]: ...
def describe_results(path: str) -> str: ...
def copy_results(source: str, destination: str) -> None:
    """Re-writes a results file (every strategy) with the C++ writer."""

def builtin_figures() -> list[dict[str, Any]]:
    """The key figures: id, column, label, unit, how, metric, denominator, key."""

def find_figure(name: str) -> dict[str, Any]:
    """A figure by id or column, or any metric by name. Raises ScenarioError."""

def figure_values(figure: str, series: dict[str, np.ndarray], at_day: int = 0) -> np.ndarray:
    """One value per replication at the end of day at_day (days elapsed; 0: the horizon)."""

def compare(runs: list[dict[str, Any]], baseline: str = "baseline", figures: Sequence[str] = ...,
            at_day: int = 0, level: float = 0.95, format: str = "") -> dict[str, Any] | str:
    """Paired differences from the baseline (cxsim compare): a dict, or the text of a format."""

def summary_table(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The /summary table: strategy, replication, sweep columns, figures."""
def t_quantile(level: float, df: int) -> float:
    """The (1 + level)/2 quantile of Student's t with df degrees of freedom."""

def confidence_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, int]:
    """(mean, half_width, n) of the Student t interval; NaN values skipped."""

class ErlangC:
    p_wait: float
    service_level: float
    asa_s: float
    mean_queue: float
    occupancy: float

class ErlangA:
    p_wait: float
    p_abandon: float
    mean_wait_s: float
    service_level: float
    mean_queue: float
    occupancy: float

def erlang_b(load: float, agents: int) -> float: ...
def erlang_c(load: float, agents: int, handle_s: float, target_s: float) -> ErlangC: ...
def erlang_a(load: float, agents: int, handle_s: float, patience_s: float, target_s: float) -> ErlangA: ...
def erlang_c_staffing(load: float, handle_s: float, target_s: float, service_level: float) -> int: ...
def erlang_a_staffing(load: float, handle_s: float, patience_s: float, target_s: float,
                      service_level: float) -> int: ...

# --- studies (bind_studies.cpp; wrapped by cxsim.studies) ---
Measures = Sequence[tuple[str, int, int]]  # (metric, from_day, to_day); 0 = default

def run_points(scenario: Scenario, keys: Sequence[str], points: Sequence[Sequence[float]], measures: Measures,
               replications: int = 0, first: int = 0, threads: int = 0) -> list[list[list[float]]]:
    """values[point][measure][replication] of the baseline with `keys` set to each point (CRN)."""
def check_box(scenario: Scenario, keys: Sequence[str], min: Sequence[float], max: Sequence[float],
              box: str = "the ranges", file: str = "") -> None:
    """Raises ScenarioError unless every key can be varied over [min, max] and every corner is valid."""
def rerun_strategies(scenario: Scenario, names: Sequence[str], first: int, count: int, measures: Measures,
                     threads: int = 0) -> list[list[list[float]]]:
    """values[strategy][measure][replication] of replications [first, first + count)."""
def load_targets(path: str, scenario: Scenario) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]: ...
def morris(factors: int, evaluate: Callable[[list[list[float]]], list[list[float]]], trajectories: int = 20,
           levels: int = 4, seed: int = 1, resamples: int = 1000, level: float = 0.95) -> dict[str, Any]: ...
def sobol(factors: int, evaluate: Callable[[list[list[float]]], list[list[float]]], samples: int = 256,
          seed: int = 1, resamples: int = 1000, level: float = 0.95) -> dict[str, Any]: ...
def select_best(systems: int, measures: int, maximize: bool, indifference: float, confidence: float,
                constraints: Sequence[tuple[int, bool, float]], first_stage: int, max_replications: int,
                sampler: Callable[[list[int], int, int], list[list[list[float]]]], available: int,
                can_sample_more: bool) -> dict[str, Any]: ...
def calibrate(targets: Sequence[tuple[str, float, float]], free: Sequence[tuple[str, float, float, float]],
              evaluate: Callable[[list[float]], list[list[float]]], starts: int = 3, budget: int = 60,
              threads: int = 0) -> dict[str, Any]: ...
