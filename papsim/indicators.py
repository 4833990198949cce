"""Everything derived from a run's record, computed once: summaries, values at horizons, costs, milestones.

The run summary (``Result.summary``, ``summary.json``, one row of a sweep store) and every analysis read
these functions, so an indicator has one definition. Names, units and labels are in the catalogue
(``papsim/outcomes.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from papsim.citymap import SITE_KINDS
from papsim.mechanisms.phases import first_run
from papsim.outcomes import (AT_HORIZON, COMMUNE_BY_NAME, FLOW_SERIES, HORIZONS, MEAN_OVER_RUN, MILESTONE_PHASES,
                             SERIES_NAMES, commune_key, summary_key)

DAYS_PER_MONTH = 30.0  # the registry's monthly personnel cost is spread over 30-day months


def value_at(ts: pd.DataFrame | Mapping[str, np.ndarray], name: str, day: int) -> float:
    """Series ``name`` at the end of ``day``: its value (a state) or its total over days 1..day (a flow).
    ``ts`` is a run's record, or its columns as arrays (row ``d`` for day ``d``)."""
    values = np.asarray(ts[name])
    if name in FLOW_SERIES:
        return float(values[1:day + 1].sum())
    return float(values[day])


def residents_under_gang_control(ts: pd.DataFrame) -> pd.Series:
    """Residents living in gang-held cells, day by day."""
    return ts["gang_population_share"] * ts["population_in_city"]


def killed(ts: pd.DataFrame) -> pd.Series:
    """Everyone killed per day: civilians, gang members, HNP and MSS personnel."""
    return ts["deaths_civilian"] + ts["deaths_gang"] + ts["deaths_hnp"] + ts["deaths_mss"]


def full_cost(ts: pd.DataFrame, cost_per_person_month_usd: float) -> np.ndarray:
    """Cumulative full cost of the MSS personnel deployed (row ``d``: days 1..d), whoever pays it: the
    mission's funds, the UN support office's assessed contributions, or bills left unpaid."""
    daily = ts["mss_personnel"].to_numpy()[1:] * cost_per_person_month_usd / DAYS_PER_MONTH
    return np.r_[0.0, np.cumsum(daily)]


def first_day(mask: np.ndarray) -> float:
    """The first day (row) on which ``mask`` holds, or NaN if it never does."""
    hit = np.flatnonzero(mask)
    return float(hit[0]) if len(hit) else math.nan


def by_commune(communes: pd.DataFrame) -> dict[str, float]:
    """Each commune series at the end, per commune: its last value (a state) or its total over days 1.. (a flow)."""
    out = {}
    day = communes["day"].to_numpy()
    codes, commune = np.unique(communes["commune_code"].to_numpy(dtype=str), return_inverse=True)
    last, later = day == day.max(), day > 0
    for name, outcome in COMMUNE_BY_NAME.items():
        rows = last if outcome.aggregate == "state" else later
        totals = np.bincount(commune[rows], weights=communes[name].to_numpy()[rows], minlength=len(codes))
        out.update((commune_key(name, str(code)), float(value)) for code, value in zip(codes, totals))
    return out


def summarise(ts: pd.DataFrame, params: Mapping[str, object], initial_population: float,
              sites: pd.DataFrame, communes: pd.DataFrame) -> dict[str, float | int | bool]:
    """Final values, totals, values at 6/12/24 months, the communes' values at the end and the run's indicators,
    as flat scalars (NaN where undefined); ``sites`` has one row per key site with its ``kind`` and
    ``days_closed``; ``communes`` is the communes' record (``Result.communes``)."""
    last = ts.iloc[-1]
    days = int(last["day"])
    out: dict[str, float | int | bool] = {"days": days}
    columns = dict(zip(SERIES_NAMES, ts[list(SERIES_NAMES)].to_numpy().T))  # one conversion, not one per name
    for name in SERIES_NAMES:
        out[summary_key(name)] = value_at(columns, name, days)
    for h, _ in HORIZONS:
        if h <= days:
            for name in AT_HORIZON:
                out[summary_key(name, h)] = value_at(columns, name, h)
    for name in MEAN_OVER_RUN:
        out[f"{name}_mean"] = float(ts[name].iloc[1:].mean()) if days > 0 else float(ts[name].iloc[0])
    gang_share = ts["gang_population_share"].to_numpy()
    out["days_to_gang_pop_below_50"] = first_day(gang_share < 0.5)
    phase = ts["phase"].to_numpy()
    for level, name in MILESTONE_PHASES:
        out[f"days_to_{name}"] = first_day(phase >= level)
    under_gangs = residents_under_gang_control(ts)
    freed = float(under_gangs.iloc[0] - under_gangs.iloc[-1])
    out["people_freed"] = freed
    out["residents_under_gang_control_end"] = float(under_gangs.iloc[-1])
    cost = float(last["funds_spent"])
    out["cost_total_usd"] = cost
    out["cost_full_usd"] = float(full_cost(ts, float(params["cost_per_person_month_usd"]))[-1])
    out["cost_per_person_freed_usd"] = cost / freed if freed > 0 else math.nan
    secure = ts["secure_population_share"].to_numpy()[1:] >= float(params["election_secure_share"])
    first = first_run(secure, int(params["election_days"]))
    out["election_ready"] = first is not None
    out["election_ready_day"] = float(first + 1) if first is not None else math.nan
    out["population_conservation_error"] = float(
        last["population_in_city"] + ts["deaths_civilian"].iloc[1:].sum() + last["displaced_outside"]
        - initial_population)
    closed = sites["days_closed"].to_numpy(dtype=float)
    out["key_sites_closed_days_total"] = float(closed.sum())
    for kind in SITE_KINDS:
        out[f"closed_days_{kind}"] = float(closed[(sites["kind"] == kind).to_numpy()].sum())
    out.update(by_commune(communes))
    return out
