"""The record's patterns of 2024 that the calibration reproduces, and the distance of a run from them.

Pattern-oriented modelling (Grimm et al. 2005): ten figures of 2024 at once (territory, killed, kidnapped,
displaced). Each pattern has an observed centre and an interval counted as "reproduced"; a pattern's error
is the deviation from the centre divided by the distance from the centre to the interval's bound on that
side (|e| <= 1: inside the interval); national figures are first multiplied by the parameter set's area
share. The distance is the root mean square of the errors.

The model starts on 1 January 2024, so the 2023 figures of the record (4,789 killed, 2,490 kidnapped) are
not compared: the 2024 figures only. Displacement figures are national stocks (IOM) compared with the
model's displacement flows over the same periods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from papsim.experiments.models import View

YEAR_START = dt.date(2024, 1, 1)
MARCH_END, JUNE_END = dt.date(2024, 3, 31), dt.date(2024, 6, 30)
WINDOW_END = dt.date(2024, 12, 31)  # the record's outcome figures run to the end of 2024
SHARE = "area_share_of_national_violence"  # the share of national figures that falls in the modelled area
# The daily columns a calibration run keeps: the panels of its figure (papsim/experiments/models.py names them).
DAILY = ("gang_territory_share", "killed_cum", "kidnappings_cum", "displaced_total")


@dataclass(frozen=True)
class Pattern:
    """An observed pattern: a model statistic, its observed centre and the interval counted as reproduced.

    ``national`` figures are multiplied by the area share before the comparison.
    """

    name: str
    statistic: str
    centre: float
    low: float
    high: float
    national: bool
    label: str
    source: str


PATTERNS: tuple[Pattern, ...] = (
    Pattern("territory_mar2024", "territory_2024_03", 0.80, 0.75, 0.85, False,
            "Gang share of the territory, end of Mar 2024",
            "record: ~80% of the capital under gang control, Mar 2024 (UN via AP) [V]; +-5 points (assumption)"),
    Pattern("territory_dec2024", "territory_2024_12", 0.87, 0.83, 0.95, False,
            "Gang share of the territory, end of 2024",
            "record: >85% of Port-au-Prince occupied, late 2024 (seed 002; UNICEF) [V]; 'nearly 80%' in Oct 2024 "
            "(HRW) [V]: sources differ, so the interval reaches down to 83% (assumption)"),
    Pattern("killed_q1_2024", "killed_2024_q1", 1.1 * 1660, 1660, 1.3 * 1660, True,
            "Killed, Q1 2024 (national >= 1,660)",
            "record: Q1 2024 >= 1,660 killed (OHCHR; quarterly detail, no mark given) -> a lower bound: "
            "interval [1.0, 1.3] x (assumption)"),
    Pattern("killed_h1_2024", "killed_2024_h1", 3661, 0.85 * 3661, 1.15 * 3661, True,
            "Killed, H1 2024 (national 3,661)",
            "record: H1 2024 3,661 killed (OHCHR) [V]; +-15% (assumption)"),
    Pattern("killed_2024", "killed_2024", 1.1 * 5601, 5601, 1.3 * 5601, True,
            "Killed, 2024 (national >= 5,601)",
            "record: 2024 >= 5,601 killed (OHCHR, 7 Jan 2025) [V] -> a lower bound: interval [1.0, 1.3] x "
            "(assumption)"),
    Pattern("kidnapped_h1_2024", "kidnapped_2024_h1", 893, 0.85 * 893, 1.15 * 893, True,
            "Kidnapped, H1 2024 (national 893)",
            "record: H1 2024 893 kidnapped (OHCHR) [V]; +-15% (assumption)"),
    Pattern("kidnapped_2024", "kidnapped_2024", 1494, 0.85 * 1494, 1.15 * 1494, True,
            "Kidnapped, 2024 (national 1,494)",
            "record: 2024 1,494 kidnapped (OHCHR, 7 Jan 2025) [V]; +-15% (assumption)"),
    Pattern("displaced_q1_2024", "displaced_2024_q1", 81_000, 0.0, 162_000, True,
            "Newly displaced, Jan-Mar 2024 (national 0-162,000)",
            "record: ~200,000 displaced Oct 2023 (seed 004) [V] and 362,000 in Mar 2024 (IOM via GI-TOC) [V]: "
            "the rise in Jan-Mar 2024 is at most 162,000 [D]"),
    Pattern("displaced_q2_2024", "displaced_2024_q2", 216_000, 0.75 * 216_000, 1.25 * 216_000, True,
            "Newly displaced, Apr-Jun 2024 (national 216,000)",
            "record: 362,000 -> 578,000 displaced Mar -> Jun 2024 (IOM via GI-TOC) [V] -> +216,000 [D]; +-25% "
            "(assumption: a stock compared with a flow)"),
    Pattern("displaced_h2_2024", "displaced_2024_h2", 1.5 * 122_000, 122_000, 3.0 * 122_000, True,
            "Newly displaced, Jul-Dec 2024 (national >= 122,000)",
            "record: 578,000 (Jun 2024, IOM) [V] -> >700,000 (late 2024, seed 002) [V] -> >= +122,000 [D]; a lower "
            "bound: interval [1, 3] x (assumption)"),
)
NOT_COMPARED = (
    ("2023: 4,789 killed, 2,490 kidnapped nationally (UN SG) [V]; Q3/Q4 2023 quarterly figures",
     "the model starts on 1 January 2024 (baseline), so no run covers 2023"),
    ("~200,000 displaced in Oct 2023 (seed 004) [V]",
     "before the start; used only to bound the Jan-Mar 2024 rise"),
    ("~2.7 million people under gang control, Oct 2024 (HRW) [V]",
     "a national figure larger than the model's whole population; not comparable"),
    ("48 HNP killed and 268 gang members killed / 654 arrested by the HNP in 2023 [V]",
     "2023 figures; they inform registry defaults (arrest_share) but are not compared"),
)
OPENING = YEAR_START - dt.timedelta(days=1)  # the record's periods open at the end of this day
# How each statistic is measured on a run: statistic -> (daily column, the day at whose end its period opens,
# or None for a value on a day; the day at whose end it closes).
MEASURED: dict[str, tuple[str, dt.date | None, dt.date]] = {
    "territory_2024_03": ("gang_territory_share", None, MARCH_END),
    "territory_2024_12": ("gang_territory_share", None, WINDOW_END),
    "killed_2024_q1": ("killed", OPENING, MARCH_END),
    "killed_2024_h1": ("killed", OPENING, JUNE_END),
    "killed_2024": ("killed", OPENING, WINDOW_END),
    "kidnapped_2024_h1": ("kidnappings", OPENING, JUNE_END),
    "kidnapped_2024": ("kidnappings", OPENING, WINDOW_END),
    "displaced_2024_q1": ("displaced_total", OPENING, MARCH_END),
    "displaced_2024_q2": ("displaced_total", MARCH_END, JUNE_END),
    "displaced_2024_h2": ("displaced_total", JUNE_END, WINDOW_END),
}
DRAWN_ON = {"killed": "killed_cum", "kidnappings": "kidnappings_cum"}  # flows are drawn as running totals


def row(start: dt.date, date: dt.date) -> int:
    """The row of a run's daily series (row ``d``: the state at the end of day ``d``) at the end of ``date``."""
    return (date - start).days + 1


def at_days(start: dt.date) -> tuple[tuple[str, int], ...]:
    """The (daily column, day) values a run started on ``start`` reports for :func:`statistics`."""
    wanted = [(column, row(start, d)) for column, opens, closes in MEASURED.values()
              for d in (opens, closes) if d is not None]
    return tuple(dict.fromkeys(wanted))


def statistics(values: Mapping[str, Any], start: dt.date) -> dict[str, Any]:
    """The pattern statistics from a run's values at days (:class:`~papsim.experiments.models.View` names):
    a flow's total over its period or a state's change over it, or a state on a day. ``values`` is one
    run's outputs, or a table with one row per run (the statistics are then columns)."""
    out = {}
    for stat, (column, opens, closes) in MEASURED.items():
        value = values[View.key(column, row(start, closes))]
        out[stat] = value if opens is None else value - values[View.key(column, row(start, opens))]
    return out


def errors(stats: pd.DataFrame, shares: np.ndarray) -> np.ndarray:
    """Normalised errors, shape (sets, patterns): |e| <= 1 inside the pattern's interval.

    ``stats`` holds the model statistics (area figures); national patterns are scaled by ``shares``."""
    shares = np.asarray(shares, float)
    out = np.empty((len(stats), len(PATTERNS)))
    for k, pat in enumerate(PATTERNS):
        model = stats[pat.statistic].to_numpy(float)
        scale = shares if pat.national else np.ones(len(stats))
        centre, low, high = pat.centre * scale, pat.low * scale, pat.high * scale
        above = (model - centre) / np.maximum(high - centre, 1e-12)
        below = (model - centre) / np.maximum(centre - low, 1e-12)
        out[:, k] = np.where(model >= centre, above, below)
    return out


def distance(err: np.ndarray) -> np.ndarray:
    """Root mean square of the normalised errors (infinite for a set with a failed run)."""
    d = np.sqrt(np.mean(err ** 2, axis=1))
    return np.where(np.isfinite(d), d, np.inf)
