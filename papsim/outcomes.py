"""The catalogue of outcomes: every output a run records or derives, with its unit, kind and label.

It plays for outputs the part the registry plays for parameters: the recorder, the summaries
(``papsim/indicators.py``), comparisons, reports, plots, the app and the ODD tables all read it, so an output
is added or relabelled here once.

- ``SERIES``: what the model records each day (one column of the time series each); ``aggregate`` says how
  a series is summarised over days: ``state`` (the value on a day: final, or at a horizon) or ``flow``
  (a count per day, summed from the start).
- ``INDICATORS``: what is derived once per run from its record (costs, milestones, people freed); their
  names are the summary's own keys.
- ``COMMUNE_SERIES``: what the model records each day for each of the map's communes (``communes.csv`` of
  a run, one row per day and commune); the summary carries each at the end as
  ``<name>_<commune P-code>_final`` or ``_total`` (e.g. ``commune_gang_population_share_HT0111_final``).
- Summary keys of series are ``<name>_final`` (state) or ``<name>_total`` (flow), and at horizon ``h``
  ``<name>_day<h>`` (state) or ``<name>_to_day<h>`` (flow).

``kind`` is one of ``share`` (0-1, shown as a percentage), ``count`` (persons, cells, events), ``money``
(USD), ``days`` (a day number or a duration; a milestone never reached is NaN, shown as "never"), ``flag``
(true/false) and ``index`` (a category code). ``better`` says which direction is an improvement (``lower``,
``higher`` or ``None``), for "share of replicates better" columns. The kind is also the format: the one
formatter (``papsim/present/format.py``) turns a value and its kind into text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from papsim.events import PERPETRATORS
from papsim.mechanisms import census

from papsim.citymap import SITE_KINDS

KINDS = ("share", "count", "money", "days", "flag", "index")
HORIZONS: tuple[tuple[int, str], ...] = ((180, "6 months"), (365, "12 months"), (730, "24 months"))


@dataclass(frozen=True)
class Outcome:
    """One output: name, unit, kind, label and how it is summarised and compared."""

    name: str
    unit: str
    kind: str
    label: str
    aggregate: str = "state"  # series: "state" or "flow"; indicators: "run"
    better: str | None = None


def _series(name: str, unit: str, kind: str, label: str, aggregate: str = "state", better: str | None = None):
    return Outcome(name, unit, kind, label, aggregate, better)


SERIES: tuple[Outcome, ...] = (
    _series("gang_territory_share", "share", "share", "Built-up capital's cells under gang control", better="lower"),
    _series("gang_population_share", "share", "share", "Residents living in gang-controlled cells", better="lower"),
    _series("contested_cells", "cells", "count", "Cells on a front line (gang against gang or against the state)",
            better="lower"),
    _series("deaths_civilian", "persons/day", "count", "Civilians killed by gangs or in operations", "flow", "lower"),
    _series("injured_civilian", "persons/day", "count",
            "Civilians wounded (injured_per_killed per civilian killed, by the same causes)", "flow", "lower"),
    _series("deaths_civilian_operations", "persons/day", "count",
            "Civilians killed in operations, attacks and drone strikes (part of the above)", "flow", "lower"),
    _series("deaths_gang", "persons/day", "count", "Gang members killed", "flow"),
    _series("deaths_hnp", "persons/day", "count", "HNP personnel killed", "flow", "lower"),
    _series("deaths_mss", "persons/day", "count", "MSS personnel killed", "flow", "lower"),
    _series("deaths_by_gangs", "persons/day", "count", "Killed by gangs: residents, HNP and MSS personnel", "flow",
            "lower"),
    _series("deaths_by_security", "persons/day", "count",
            "Killed by the security forces: gang members, and residents in operations and drone strikes", "flow",
            "lower"),
    _series("deaths_by_vigilantes", "persons/day", "count",
            "Killed by vigilantes (self-defence brigades): gang members and suspects among residents", "flow",
            "lower"),
    _series("executions", "persons/day", "count",
            "Captives summarily executed by the security forces (part of the gang members killed)", "flow", "lower"),
    _series("arrests", "persons/day", "count", "Gang members arrested and held", "flow"),
    _series("detained", "persons", "count", "Gang members in detention"),
    _series("kidnappings", "persons/day", "count", "People kidnapped", "flow", "lower"),
    _series("displaced_total", "persons", "count", "People displaced since the start (within or out of the city)",
            better="lower"),
    _series("displaced_out", "persons", "count", "People who fled out of the metro area since the start",
            better="lower"),
    _series("displaced_in_sites", "persons", "count", "Displaced people in displacement sites in the city today",
            better="lower"),
    _series("displaced_hosted", "persons", "count", "Displaced people with host families in the city today",
            better="lower"),
    _series("displaced_outside", "persons", "count", "Displaced people outside the metro area today",
            better="lower"),
    _series("displaced_returned", "persons", "count", "Displaced people who went home, since the start",
            better="higher"),
    _series("population_in_city", "persons", "count", "Residents alive in the metro area"),
    _series("key_sites_held", "sites", "count", "Key sites held by the state and open today", better="higher"),
    _series("schools_open_share", "share", "share", "Share of school places (by population) in secure cells",
            better="higher"),
    _series("humanitarian_access", "share", "share",
            "Residents reachable from the airport or the port over ground no gang holds", better="higher"),
    _series("secure_population_share", "share", "share", "Residents in cells neither gang-held nor contested",
            better="higher"),
    _series("trust", "share", "share", "Support for the mission and the state (population-weighted)", better="higher"),
    _series("mss_personnel", "persons", "count", "MSS personnel deployed"),
    _series("hnp_personnel", "persons", "count", "HNP personnel on duty in the metro area"),
    _series("hnp_capacity", "share", "share", "Share of the HNP on duty that the units can field (operational "
            "capacity)", better="higher"),
    _series("operations", "ops/day", "count", "Operations launched", "flow"),
    _series("cells_cleared", "cells/day", "count", "Gang cells cleared by operations", "flow"),
    _series("cells_held", "cells", "count", "Cleared cells being held"),
    _series("gang_attacks", "attacks/day", "count", "Gang attacks on key sites and held cells", "flow", "lower"),
    _series("drone_strikes", "strikes/day", "count", "Armed-drone strikes on gang-held cells", "flow"),
    _series("vigilantes", "persons", "count", "Armed residents in self-defence brigades (fighter-equivalents)"),
    _series("gang_members", "persons", "count", "Armed gang members", better="lower"),
    _series("gang_arms", "weapons", "count", "Weapons held by gangs", better="lower"),
    _series("gang_cash", "USD", "money", "Cash held by gangs", better="lower"),
    _series("funds_received", "USD", "money", "Money received by the mission, cumulative"),
    _series("funds_spent", "USD", "money", "Money spent by the mission, cumulative", better="lower"),
    _series("funds_balance", "USD", "money", "Money in hand"),
    _series("cost_unpaid", "USD", "money", "Costs left unpaid, cumulative", better="lower"),
    _series("mss_readiness", "share", "share", "Mean readiness of MSS units", better="higher"),
    _series("phase", "index", "index",
            "Mission phase: 0 deployment, 1 decisive operations, 2 stabilisation, 3 transition"),
)

COMMUNE_SERIES: tuple[Outcome, ...] = (
    _series("commune_gang_territory_share", "share", "share", "Built-up cells of the commune under gang control",
            better="lower"),
    _series("commune_gang_population_share", "share", "share", "Residents of the commune in gang-controlled cells",
            better="lower"),
    _series("commune_civilians_killed", "persons/day", "count", "Civilians killed in the commune", "flow", "lower"),
    _series("commune_deaths_by_security", "persons/day", "count",
            "Killed in the commune by the security forces (gang members and residents)", "flow", "lower"),
    _series("commune_deaths_by_vigilantes", "persons/day", "count",
            "Killed in the commune by vigilantes (gang members and suspects)", "flow", "lower"),
    _series("commune_deaths_by_gangs", "persons/day", "count",
            "Killed in the commune by gangs (residents, HNP and MSS personnel)", "flow", "lower"),
    _series("commune_displaced_hosted", "persons", "count", "Displaced people the commune hosts"),
    _series("commune_security_personnel", "persons", "count", "HNP and MSS personnel placed in the commune"),
)
COMMUNE_SERIES_NAMES: tuple[str, ...] = tuple(o.name for o in COMMUNE_SERIES)

MILESTONE_PHASES: tuple[tuple[int, str], ...] = ((1, "decisive"), (2, "stabilisation"), (3, "transition"))


def _indicator(name: str, unit: str, kind: str, label: str, better: str | None = None) -> Outcome:
    return Outcome(name, unit, kind, label, "run", better)


INDICATORS: tuple[Outcome, ...] = (
    _indicator("days", "days", "days", "Days simulated"),
    _indicator("people_freed", "persons", "count",
               "Fall in residents under gang control, start to end (includes flight and deaths)", "higher"),
    _indicator("residents_under_gang_control_end", "persons", "count", "Residents under gang control at the end",
               "lower"),
    _indicator("cost_total_usd", "USD", "money", "Mission funds spent", "lower"),
    _indicator("cost_full_usd", "USD", "money", "Full cost of the personnel deployed, incl. UN-paid logistics and "
               "unpaid bills", "lower"),
    _indicator("cost_per_person_freed_usd", "USD/person", "money", "Mission funds spent per unit of that fall",
               "lower"),
    # Counted against a reference scenario on the same seeds (``pap-sim compare``), not by a run alone:
    _indicator("people_freed_vs_reference", "persons", "count", "People freed vs the reference: its residents "
               "under gang control at the end minus these", "higher"),
    _indicator("cost_per_person_freed_vs_reference_usd", "USD/person", "money", "Extra full cost per person "
               "freed, both against the reference", "lower"),
    _indicator("days_to_gang_pop_below_50", "days", "days",
               "First day with fewer than half of the residents under gang control", "lower"),
    *(_indicator(f"days_to_{name}", "days", "days", f"First day of {name} {'operations' if level == 1 else ''}".strip(),
                 "lower") for level, name in MILESTONE_PHASES),
    _indicator("election_ready", "", "flag", "Secure enough for elections at some point"),
    _indicator("election_ready_day", "days", "days", "First day election-ready (secure share held long enough)",
               "lower"),
    _indicator("population_conservation_error", "persons", "count",
               "Residents at the end + civilians killed + left the city - residents at the start (should be 0)"),
    _indicator("key_sites_closed_days_total", "site-days", "count", "Key-site closure days (all sites)", "lower"),
    *(_indicator(f"closed_days_{kind}", "site-days", "count", f"Closure days: {kind.replace('_', ' ')}", "lower")
      for kind in SITE_KINDS),
)

SERIES_NAMES: tuple[str, ...] = tuple(o.name for o in SERIES)
FLOW_SERIES: tuple[str, ...] = tuple(o.name for o in SERIES if o.aggregate == "flow")
BY_NAME: dict[str, Outcome] = {o.name: o for o in (*SERIES, *INDICATORS)}
COMMUNE_BY_NAME: dict[str, Outcome] = {o.name: o for o in COMMUNE_SERIES}

# What every view of one run or of a comparison shows first (run summary, report, figures, app, compare).
HEADLINE: tuple[str, ...] = ("gang_population_share", "gang_territory_share", "deaths_civilian", "kidnappings",
                             "displaced_total", "humanitarian_access", "trust", "mss_personnel", "hnp_personnel",
                             "funds_spent")
# The series whose mean over days 1..end the summary carries (``<name>_mean``): a force is not its target.
MEAN_OVER_RUN: tuple[str, ...] = ("mss_personnel", "hnp_personnel")
# The series that summaries carry at each horizon.
AT_HORIZON: tuple[str, ...] = ("gang_population_share", "gang_territory_share", "displaced_total", "trust",
                               "humanitarian_access", "mss_personnel", "funds_spent", "deaths_civilian",
                               "kidnappings")


def summary_key(name: str, horizon: int | None = None) -> str:
    """The summary key of series ``name`` at the end (``horizon`` None) or at day ``horizon``."""
    flow = BY_NAME[name].aggregate == "flow"
    if horizon is None:
        return f"{name}_total" if flow else f"{name}_final"
    return f"{name}_to_day{horizon}" if flow else f"{name}_day{horizon}"


def commune_key(name: str, code: str) -> str:
    """The summary key of commune series ``name`` for the commune with P-code ``code``, at the end."""
    return f"{name}_{code}_{'total' if COMMUNE_BY_NAME[name].aggregate == 'flow' else 'final'}"


def outcome_of(key: str) -> Outcome:
    """The catalogue entry behind a summary key (``trust_day365`` -> ``trust``,
    ``commune_civilians_killed_HT0111_total`` -> ``commune_civilians_killed``), or KeyError."""
    if key in BY_NAME:
        return BY_NAME[key]
    stem, _, suffix = key.rpartition("_")
    name, _, code = stem.rpartition("_")
    if suffix in ("final", "total") and name in COMMUNE_BY_NAME and code.startswith("HT"):
        return COMMUNE_BY_NAME[name]
    for suffix in ("_final", "_total", "_mean"):
        if key.endswith(suffix) and key[: -len(suffix)] in BY_NAME:
            return BY_NAME[key[: -len(suffix)]]
    stem, sep, day = key.rpartition("_day")
    if sep and day.isdigit():
        stem = stem.removesuffix("_to")
        if stem in BY_NAME:
            return BY_NAME[stem]
    raise KeyError(key)


class Recorder:
    """Preallocated daily columns; row ``day`` holds the state at the end of that day (row 0: the start)."""

    def __init__(self, days: int):
        self.data = np.zeros((days + 1, len(SERIES_NAMES)))
        self.index = {name: i for i, name in enumerate(SERIES_NAMES)}

    def write(self, day: int, values: dict[str, float]) -> None:
        if tuple(values) == SERIES_NAMES:  # every output, in order: one assignment
            self.data[day] = tuple(values.values())
            return
        row = self.data[day]
        for name, value in values.items():
            row[self.index[name]] = value

    def frame(self, start_date) -> pd.DataFrame:
        """The record as a table: ``day``, ``date`` and one column per series."""
        n = len(self.data)
        head = pd.DataFrame({"day": np.arange(n), "date": pd.date_range(start_date, periods=n, freq="D")})
        return pd.concat([head, pd.DataFrame(self.data, columns=list(SERIES_NAMES))], axis=1)


class CommuneRecorder:
    """Preallocated daily census of each commune (the table of :func:`papsim.mechanisms.census.count`, rows
    ``census.COMMUNE_ROWS``), row ``day`` as in :class:`Recorder`; the ``COMMUNE_SERIES`` are worked out from
    it for every day at once (:meth:`series`)."""

    def __init__(self, days: int, codes: tuple[str, ...], names: tuple[str, ...], urban_cells: np.ndarray):
        self.codes, self.names, self.urban_cells = codes, names, urban_cells
        self.data = np.zeros((days + 1, len(census.COMMUNE_ROWS), len(codes)))
        self.culprits = np.zeros((days + 1, len(PERPETRATORS), len(codes)))

    def write(self, day: int, table: np.ndarray, culprits: np.ndarray) -> None:
        """The census of ``day``: one row per ``census.COMMUNE_ROWS``, one column per commune; and the day's
        deaths by who caused them, one row per ``events.PERPETRATORS``."""
        self.data[day] = table
        self.culprits[day] = culprits

    def series(self) -> dict[str, np.ndarray]:
        """Each of ``COMMUNE_SERIES`` as an array (days + 1, communes)."""
        rows = dict(zip(census.COMMUNE_ROWS, self.data.transpose(1, 0, 2)))
        residents = rows["residents"]
        return {"commune_gang_territory_share": rows["gang_held_urban_cells"] / self.urban_cells,
                "commune_gang_population_share": np.divide(rows["gang_held_residents"], residents,
                                                           out=np.zeros_like(residents), where=residents > 0),
                "commune_civilians_killed": rows["killed"],
                **{f"commune_deaths_by_{who}": deaths for who, deaths in zip(PERPETRATORS,
                                                                            self.culprits.transpose(1, 0, 2))},
                "commune_displaced_hosted": rows["displaced"],
                "commune_security_personnel": rows["security_personnel"]}

    def frame(self, start_date) -> pd.DataFrame:
        """One row per day and commune: ``day``, ``date``, ``commune_code``, ``commune`` and the series."""
        days, _, n = self.data.shape
        head = pd.DataFrame({"day": np.repeat(np.arange(days), n),
                             "date": np.repeat(pd.date_range(start_date, periods=days, freq="D"), n),
                             "commune_code": np.tile(self.codes, days), "commune": np.tile(self.names, days)})
        series = self.series()
        values = pd.DataFrame({name: series[name].ravel() for name in COMMUNE_SERIES_NAMES})
        return pd.concat([head, values], axis=1)
