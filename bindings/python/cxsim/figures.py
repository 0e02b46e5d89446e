"""Key figures: one number per replication (a final value, a total over the horizon, or an
average over the last 30 days), as `cxsim run` prints them. Summaries and comparisons of
strategies are built on these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

__all__ = ["KeyFigure", "KEY_FIGURES", "WINDOW_DAYS"]

WINDOW_DAYS = 30

Series = Callable[[str], np.ndarray]  # metric name -> [replication, day]


@dataclass(frozen=True)
class KeyFigure:
    """How one key figure is computed from the daily series."""

    name: str
    label: str
    metrics: tuple[str, ...]
    how: str  # "final", "total", "window_mean" or "window_ratio" (first metric / second)
    scale: float = 1.0
    unit: str = ""

    def values(self, series: Series, at_day: int | None = None) -> np.ndarray:
        """One value per replication, at the end of the horizon or at day ``at_day`` (0-based)."""
        arrays = [series(m) for m in self.metrics]
        end = arrays[0].shape[1] if at_day is None else int(at_day) + 1
        if not 0 < end <= arrays[0].shape[1]:
            raise ValueError(f"at_day {at_day} is outside the horizon (0 to {arrays[0].shape[1] - 1})")
        start = max(0, end - WINDOW_DAYS)
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.how == "final":
                v = arrays[0][:, end - 1]
            elif self.how == "total":
                v = arrays[0][:, :end].sum(axis=1)
            elif self.how == "window_mean":
                window = arrays[0][:, start:end]
                counts = np.sum(~np.isnan(window), axis=1)
                v = np.where(counts > 0, np.nansum(window, axis=1) / np.maximum(counts, 1), np.nan)
            elif self.how == "window_ratio":
                num = arrays[0][:, start:end].sum(axis=1)
                den = arrays[1][:, start:end].sum(axis=1)
                v = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
            else:  # pragma: no cover - a table error
                raise ValueError(self.how)
        return np.asarray(v, dtype=float) * self.scale

    def available(self, metrics: Mapping[str, object]) -> bool:
        return all(m in metrics for m in self.metrics)


KEY_FIGURES: tuple[KeyFigure, ...] = (
    KeyFigure("active_customers", "active customers (end)", ("active_customers",), "final", 1, "people"),
    KeyFigure("retention", "retention (end)", ("retention",), "final", 100, "%"),
    KeyFigure("monthly_churn", "monthly churn (last 30 days)", ("monthly_churn_rate",), "final", 100, "%"),
    KeyFigure("nps", "NPS (last 30 days)", ("nps",), "final", 1, "points"),
    KeyFigure("csat", "CSAT (last 30 days)", ("csat_satisfied", "csat_responses"), "window_ratio", 100, "%"),
    KeyFigure("asa", "ASA (last 30 days)", ("asa_s",), "window_mean", 1, "s"),
    KeyFigure("service_level", "service level (last 30 days)", ("service_level",), "window_mean", 100, "%"),
    KeyFigure("abandonment", "abandonment (last 30 days)", ("abandonment_rate",), "window_mean", 100, "%"),
    KeyFigure("contacts_per_day", "contacts per day (last 30 days)", ("contacts",), "window_mean", 1, "contacts/day"),
    KeyFigure("contacts_per_order", "contacts per order (last 30 days)", ("contacts_per_order",), "final", 1, "contacts/order"),
    KeyFigure("revenue", "revenue (total)", ("revenue",), "total", 1, "currency"),
    KeyFigure("service_cost", "service cost (total)", ("service_cost",), "total", 1, "currency"),
    KeyFigure("acquisition_spend", "acquisition spend (total)", ("acquisition_spend",), "total", 1, "currency"),
    KeyFigure("profit", "profit (total)", ("profit",), "total", 1, "currency"),
    KeyFigure("clv", "CLV (end)", ("clv",), "final", 1, "currency"),
)
