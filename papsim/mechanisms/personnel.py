"""Personnel over time: HNP strength with attrition and academy classes; MSS arrivals towards a target.

Sources: HNP 13,196 at 31 Dec 2023 and 1,663 leaving in 2023 (record: UN SG [V]); classes of 796 cadets
and 739 graduates (record: BINUH; Haitian Times [V]); MSS dated arrivals June 2024-2025 and the 2,500 and
5,550 targets (record [V]); deployment as fast as funding and logistics allow (seed 002).
"""

from __future__ import annotations

import numpy as np


def hnp_strength_next(strength: float, day: int, attrition_per_year: float, cohort: float,
                      interval_days: int) -> float:
    """HNP strength tomorrow: daily attrition, plus an academy class every ``interval_days``."""
    graduates = cohort if day > 0 and day % interval_days == 0 else 0.0
    return strength * (1.0 - attrition_per_year / 365.0) + graduates


def scheduled_personnel(day: int, schedule_days: np.ndarray, schedule_personnel: np.ndarray) -> float:
    """Cumulative personnel the dated arrivals call for on ``day`` (0 before the first date)."""
    k = np.searchsorted(schedule_days, day, side="right")
    return float(schedule_personnel[k - 1]) if k > 0 else 0.0


def ramp_personnel(day: int, start_day: int, rate_per_30_days: float, target: float) -> float:
    """Personnel called for by a steady ramp-up from ``start_day`` to ``target``."""
    if day < start_day:
        return 0.0
    return float(min(target, rate_per_30_days / 30.0 * (day - start_day + 1)))


def fill_units(total: float, unit_size: int, n_units: int) -> np.ndarray:
    """Personnel of each unit when ``total`` people fill units of ``unit_size`` in order."""
    return np.clip(total - unit_size * np.arange(n_units), 0.0, unit_size)
