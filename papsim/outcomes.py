"""What a run records each day, and the indicators derived from it.

Outputs are recorded as whole arrays per day (no per-agent reporters): :class:`Recorder` preallocates one
column per output and the model writes one row per day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from papsim.mechanisms.phases import first_run

# name, unit, description: the daily time series
OUTPUTS: tuple[tuple[str, str, str], ...] = (
    ("gang_territory_share", "share", "Inhabited cells under gang control"),
    ("gang_population_share", "share", "Residents living in gang-controlled cells"),
    ("contested_cells", "cells", "Cells on a front line (gang against gang or against the state)"),
    ("deaths_civilian", "persons/day", "Civilians killed by gangs or in operations"),
    ("deaths_civilian_operations", "persons/day", "Civilians killed in operations and attacks (part of the above)"),
    ("deaths_gang", "persons/day", "Gang members killed"),
    ("deaths_hnp", "persons/day", "HNP personnel killed"),
    ("deaths_mss", "persons/day", "MSS personnel killed"),
    ("arrests", "persons/day", "Gang members arrested and held"),
    ("detained", "persons", "Gang members in detention"),
    ("kidnappings", "persons/day", "People kidnapped"),
    ("displaced_total", "persons", "People displaced since the start (within or out of the city)"),
    ("displaced_out", "persons", "Displaced people who left the metro area"),
    ("population_in_city", "persons", "Residents alive in the metro area"),
    ("key_sites_held", "sites", "Key sites held by the state and open today"),
    ("schools_open_share", "share", "Share of school places (by population) in secure cells"),
    ("humanitarian_access", "share", "Residents reachable from the airport or the port over ground no gang holds"),
    ("secure_population_share", "share", "Residents in cells neither gang-held nor contested"),
    ("trust", "share", "Support for the mission and the state (population-weighted)"),
    ("mss_personnel", "persons", "MSS personnel deployed"),
    ("hnp_personnel", "persons", "HNP personnel on duty in the metro area"),
    ("operations", "ops/day", "Operations launched"),
    ("cells_cleared", "cells/day", "Gang cells cleared by operations"),
    ("cells_held", "cells", "Cleared cells being held"),
    ("gang_attacks", "attacks/day", "Gang attacks on key sites"),
    ("gang_members", "persons", "Armed gang members"),
    ("gang_arms", "weapons", "Weapons held by gangs"),
    ("gang_cash", "USD", "Cash held by gangs"),
    ("funds_received", "USD", "Money received by the mission, cumulative"),
    ("funds_spent", "USD", "Money spent by the mission, cumulative"),
    ("funds_balance", "USD", "Money in hand"),
    ("cost_unpaid", "USD", "Costs left unpaid, cumulative"),
    ("mss_readiness", "share", "Mean readiness of MSS units"),
    ("phase", "index", "Mission phase: 0 deployment, 1 decisive operations, 2 stabilisation, 3 transition"),
)
OUTPUT_NAMES = tuple(name for name, _, _ in OUTPUTS)
FLOW_OUTPUTS = ("deaths_civilian", "deaths_civilian_operations", "deaths_gang", "deaths_hnp", "deaths_mss",
                "arrests", "kidnappings", "operations", "cells_cleared", "gang_attacks")
HORIZONS = (180, 365, 730)


class Recorder:
    """Preallocated daily columns; row ``day`` holds the state at the end of that day (row 0: the start)."""

    def __init__(self, days: int):
        self.data = np.zeros((days + 1, len(OUTPUT_NAMES)))
        self.index = {name: i for i, name in enumerate(OUTPUT_NAMES)}

    def write(self, day: int, values: dict[str, float]) -> None:
        if tuple(values) == OUTPUT_NAMES:  # every output, in order: one assignment
            self.data[day] = tuple(values.values())
            return
        row = self.data[day]
        for name, value in values.items():
            row[self.index[name]] = value

    def frame(self, start_date) -> pd.DataFrame:
        df = pd.DataFrame(self.data, columns=list(OUTPUT_NAMES))
        df.insert(0, "day", np.arange(len(df)))
        df.insert(1, "date", pd.date_range(start_date, periods=len(df), freq="D"))
        return df


@dataclass(frozen=True)
class Indicators:
    """Thresholds of the derived indicators (from the scenario's parameters)."""

    election_secure_share: float
    election_days: int


def summarise(ts: pd.DataFrame, ind: Indicators, initial_population: float,
              site_closed_days: np.ndarray) -> dict[str, float | int | bool]:
    """Final values, totals, values at 6/12/24 months and derived indicators, as flat scalars (NaN if undefined)."""
    last = ts.iloc[-1]
    days = int(last["day"])
    out: dict[str, float | int | bool] = {"days": days}
    for name in OUTPUT_NAMES:
        if name not in FLOW_OUTPUTS:
            out[f"{name}_final"] = float(last[name])
    for name in FLOW_OUTPUTS:
        out[f"{name}_total"] = float(ts[name].iloc[1:].sum())
    for h in HORIZONS:
        if h <= days:
            row = ts.iloc[h]
            for name in ("gang_population_share", "gang_territory_share", "displaced_total", "trust",
                         "humanitarian_access", "mss_personnel", "funds_spent"):
                out[f"{name}_day{h}"] = float(row[name])
            for name in ("deaths_civilian", "kidnappings"):
                out[f"{name}_to_day{h}"] = float(ts[name].iloc[1:h + 1].sum())
    below = np.flatnonzero(ts["gang_population_share"].to_numpy() < 0.5)
    out["days_to_gang_pop_below_50"] = float(below[0]) if len(below) else math.nan
    gang_pop_start = float(ts["gang_population_share"].iloc[0] * ts["population_in_city"].iloc[0])
    gang_pop_end = float(last["gang_population_share"] * last["population_in_city"])
    freed = gang_pop_start - gang_pop_end
    out["people_freed"] = freed
    cost = float(last["funds_spent"])
    out["cost_total_usd"] = cost
    out["cost_per_person_freed_usd"] = cost / freed if freed > 0 else math.nan
    secure = ts["secure_population_share"].to_numpy()[1:] >= ind.election_secure_share
    first = first_run(secure, ind.election_days)
    out["election_ready"] = first is not None
    out["election_ready_day"] = float(first + 1) if first is not None else math.nan
    out["population_conservation_error"] = float(
        last["population_in_city"] + ts["deaths_civilian"].iloc[1:].sum() + last["displaced_out"] - initial_population)
    out["key_sites_closed_days_total"] = float(site_closed_days.sum())
    return out
