"""Compare scenarios: R replicates of each on common random numbers, summarised as tables.

``compare(scenarios, replicates, days, out)`` runs every scenario with the same R seeds (replicate k of
every scenario starts from the same random stream) through the experiments engine, into one store, and
returns (``papsim/present/comparison_files.py`` writes them out):

- ``table``: per scenario and outcome, at 6, 12 and 24 months (day 180, 365, 730) and at the end, the
  median and the 90% interval (5th and 95th percentiles) over replicates;
- ``differences``: the paired difference of each scenario from the reference scenario (replicate by
  replicate, which common random numbers make meaningful), its median, 90% interval and the share of
  replicates in which the scenario does better (the catalogue's ``better``);
- ``bands``: residents under gang control over time, median and 90% band per scenario.

Every outcome is a key of the run summary (``papsim/indicators.py``; names, labels, kinds and directions
in ``papsim/outcomes.py``), except the full cost at the horizons, which the runs report through their
:class:`~papsim.experiments.models.View`, and the two counted against the reference scenario (default
``no_mission``), replicate by replicate: ``people_freed_vs_reference`` = the reference's residents under
gang control at the end minus the scenario's, and ``cost_per_person_freed_vs_reference_usd`` = the extra
full cost divided by it, the headline cost per person freed. Milestones a replicate never reaches count as
"never", and a cost per person freed where none were freed as "none freed": both later or dearer than any
value, and counted (``runs - finite``) in every cell.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from papsim.citymap import SITE_KINDS
from papsim.errors import InputError
from papsim.experiments.engine import sweep
from papsim.experiments.models import SCENARIO_INDEX, WRAPPER, PapSim, View
from papsim.experiments.planner import paired_vs_reference, pairing
from papsim.experiments.spec import Spec
from papsim.experiments.store import Store
from papsim.outcomes import BY_NAME, HORIZONS, SERIES_NAMES, summary_key
from papsim.scenario import Scenario, load_scenario, resolve_scenario

DEFAULT_DAYS = 730
SERIES = ("gang_population_share", "deaths_civilian_cum", "mss_personnel", "humanitarian_access")  # stored daily
AT_HORIZON = ("gang_population_share", "gang_territory_share", "deaths_civilian", "kidnappings", "displaced_total",
              "humanitarian_access", "trust", "mss_personnel", "cost_full_usd")
AT_END = ("cost_total_usd", "cost_full_usd", "residents_under_gang_control_end", "people_freed",
          "cost_per_person_freed_usd", "people_freed_vs_reference", "cost_per_person_freed_vs_reference_usd",
          "key_sites_closed_days_total", *(f"closed_days_{kind}" for kind in SITE_KINDS))
MILESTONES = ("days_to_decisive", "days_to_gang_pop_below_50", "days_to_stabilisation", "days_to_transition",
              "election_ready_day")
PER_PERSON_FREED = ("cost_per_person_freed_usd", "cost_per_person_freed_vs_reference_usd")  # NaN: none freed


def end_label(days: int) -> str:
    """The horizon label of the values at the end of a run of ``days``."""
    return f"end (day {days})"


def horizon_column(stem: str, day: int) -> str:
    """The run output of outcome ``stem`` at ``day``: the summary's key, or the view's (the full cost)."""
    return summary_key(stem, day) if stem in SERIES_NAMES else View.key(stem, day)


def model(paths: list[Path], days: int) -> PapSim:
    """The engine's model: factor ``scenario_index`` picks a scenario file, run for ``days``; each run
    reports its summary, the full cost at the horizons within ``days`` and the daily series of the figures."""
    at = tuple(("cost_full_usd", h) for h, _ in HORIZONS if h <= days)
    return PapSim(tuple(str(p) for p in paths), days, view=View(daily=SERIES, at=at))


# --------------------------------------------------------------------------------------------- inputs
def build_spec(scenarios: list[Scenario], replicates: int, days: int, seed: int) -> Spec:
    """The experiments-engine spec: one grid factor (the scenario), R replicates, common random numbers."""
    # The scenarios' resolved contents enter the description, so the spec hash (and --resume) sees any change.
    digest = hashlib.sha256()
    for sc in scenarios:
        digest.update(json.dumps({"params": sc.params, "start": str(sc.start_date),
                                  "arrivals": [(str(a.date), a.personnel) for a in sc.arrivals],
                                  "pledges": [(str(p.date), p.amount_usd) for p in sc.pledges]},
                                 sort_keys=True, default=str).encode())
    names = " ".join(sc.name for sc in scenarios)
    return Spec.from_dict({
        "name": "compare",
        "description": f"pap-sim compare {names} ({days} days; scenarios sha256 {digest.hexdigest()[:16]})",
        "model": WRAPPER,
        "days": days,
        "replicates": replicates,
        "seed": seed,
        "common_random_numbers": True,
        "series": list(SERIES),
        "design": {"method": "grid"},
        "factors": {SCENARIO_INDEX: {"values": list(range(len(scenarios))), "kind": "int"}},
        "analysis": {"methods": []},
    }, source="pap-sim compare")


# --------------------------------------------------------------------------------------------- tables
def _quantiles(values: pd.Series, never: bool) -> tuple[float, float, float, int]:
    """Median, 5th and 95th percentiles and the number of finite values; with ``never`` NaN counts as
    'later than anything' (inf), else NaN values are left out (and counted by the caller)."""
    v = values.astype(float).to_numpy()
    finite = int(np.isfinite(v).sum())
    if never:
        v = np.where(np.isnan(v), np.inf, v)
        if len(v) == 0:
            return math.nan, math.nan, math.nan, 0
        q = np.quantile(v, [0.5, 0.05, 0.95], method="inverted_cdf")
    else:
        v = v[np.isfinite(v)]
        if len(v) == 0:
            return math.nan, math.nan, math.nan, 0
        q = np.quantile(v, [0.5, 0.05, 0.95])
    return float(q[0]), float(q[1]), float(q[2]), finite


def outcome_rows(days: int) -> list[tuple[str, str, str, bool]]:
    """(run column, outcome, horizon label, NaN-means-never-or-none-freed) for every outcome in the table."""
    rows = [(horizon_column(stem, h), stem, label, False) for stem in AT_HORIZON for h, label in HORIZONS
            if h <= days]
    rows += [(stem, stem, end_label(days), stem in PER_PERSON_FREED) for stem in AT_END]
    rows += [(stem, stem, "milestone", True) for stem in MILESTONES]
    return rows


def summary_table(runs: pd.DataFrame, names: list[str], days: int, reference: int) -> pd.DataFrame:
    """Median and 90% interval of every outcome per scenario (tidy: one row per scenario and outcome), with
    the runs, the failed runs and the runs with a finite value (the others: 'never' or 'none freed').

    Outcomes counted against the reference are not defined for the reference itself (NaN)."""
    ok = runs[runs["status"] == "ok"]
    rows = []
    for i, name in enumerate(names):
        group = ok[ok[SCENARIO_INDEX] == i]
        failed = int(((runs[SCENARIO_INDEX] == i) & (runs["status"] != "ok")).sum())
        for column, stem, horizon, never in outcome_rows(days):
            if column not in group:
                continue
            if i == reference and "vs_reference" in stem:
                med, lo, hi, finite = math.nan, math.nan, math.nan, 0
            else:
                med, lo, hi, finite = _quantiles(group[column], never)
            rows.append({"scenario": name, "outcome": stem, "label": BY_NAME[stem].label, "horizon": horizon,
                         "column": column, "median": med, "p05": lo, "p95": hi, "runs": len(group),
                         "failed": failed, "finite": finite})
    return pd.DataFrame(rows)


def add_paired(runs: pd.DataFrame, reference: int) -> pd.DataFrame:
    """Per run, people freed and extra cost per person freed against the reference's run of the same replicate
    (:func:`papsim.experiments.planner.paired_vs_reference`, the planner table's definition): the extra full
    cost over the extra residents not under gang control at the end, ``inf`` when none are freed.

    With common random numbers replicate k of every scenario starts from the same state, so the pair's
    difference is the scenario's effect in that replicate (an incremental cost-effectiveness ratio)."""
    return paired_vs_reference(runs, [SCENARIO_INDEX], {SCENARIO_INDEX: reference}, cost="cost_full_usd",
                               under="residents_under_gang_control_end")


def differences(runs: pd.DataFrame, names: list[str], reference: int, days: int) -> pd.DataFrame:
    """Paired differences (scenario - reference, replicate by replicate) of the outcomes defined in every
    run; ``share_better`` by the catalogue's direction (NaN for an outcome without one); and how well common
    random numbers paired the two (:func:`papsim.experiments.planner.pairing`: the correlation of the paired
    outputs and the variance reduction of their difference), so a reader sees whether pairing helped."""
    ok = runs[runs["status"] == "ok"]
    ref = ok[ok[SCENARIO_INDEX] == reference].set_index("replicate")
    rows = []
    columns = [(c, stem, hz) for c, stem, hz, never in outcome_rows(days) if not never]
    for i, name in enumerate(names):
        if i == reference:
            continue
        mine = ok[ok[SCENARIO_INDEX] == i].set_index("replicate")
        common = mine.index.intersection(ref.index)
        for column, stem, horizon in columns:
            if column not in mine:
                continue
            d = (mine.loc[common, column].astype(float) - ref.loc[common, column].astype(float)).to_numpy()
            d = d[np.isfinite(d)]
            if len(d) == 0:
                continue
            better = {"lower": d < 0, "higher": d > 0}.get(BY_NAME[stem].better)
            paired = pairing(mine.loc[common, column], ref.loc[common, column])
            rows.append({"scenario": name, "reference": names[reference], "outcome": stem, "horizon": horizon,
                         "column": column, "median_difference": float(np.median(d)),
                         "p05": float(np.quantile(d, 0.05)), "p95": float(np.quantile(d, 0.95)),
                         "share_better": float(better.mean()) if better is not None else math.nan,
                         "pairs": len(d), "pairing_correlation": paired["pairing_correlation"],
                         "pairing_variance_reduction": paired["pairing_variance_reduction"]})
    return pd.DataFrame(rows)


def bands(store: Store, n_scenarios: int) -> pd.DataFrame:
    """Residents under gang control day by day: median, 5th and 95th percentiles over each scenario's runs."""
    series = store.series(["gang_population_share"]).merge(store.runs(columns=["run_id", SCENARIO_INDEX]),
                                                          on="run_id")
    frames = []
    for i in range(n_scenarios):
        grid = series[series[SCENARIO_INDEX] == i].pivot_table(index="run_id", columns="day", values="value")
        if grid.empty:
            continue
        v = grid.to_numpy()
        frames.append(pd.DataFrame({SCENARIO_INDEX: i, "day": grid.columns.to_numpy(), "median": np.median(v, axis=0),
                                    "p05": np.percentile(v, 5, axis=0), "p95": np.percentile(v, 95, axis=0)}))
    return pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame(columns=[SCENARIO_INDEX, "day", "median", "p05", "p95"])


# --------------------------------------------------------------------------------------------- driver
@dataclass
class Comparison:
    """A finished comparison: its store folder, scenarios and tables."""

    out: Path
    scenarios: pd.DataFrame  # scenario_index, scenario, file, description
    start: dt.date  # the earliest start date of the scenarios
    days: int
    replicates: int
    reference: int  # the scenario_index of the reference
    runs: pd.DataFrame  # every run, with the outcomes against the reference
    table: pd.DataFrame
    differences: pd.DataFrame
    bands: pd.DataFrame
    failed: int

    @property
    def names(self) -> list[str]:
        """The scenarios' names, in scenario_index order."""
        return list(self.scenarios["scenario"])


def _reference(names: list[str], reference: str | None) -> int:
    if reference is None:
        return names.index("no_mission") if "no_mission" in names else 0
    if reference not in names:
        raise InputError(f"--reference '{reference}' is not one of the scenarios: {', '.join(names)}")
    return names.index(reference)


def compare(scenarios: list[str], replicates: int = 20, days: int = DEFAULT_DAYS, out: str | Path | None = None,
            seed: int = 20240625, reference: str | None = None, executor: str = "processes",
            workers: int | None = None, resume: bool = False, progress: bool = True) -> Comparison:
    """Run every scenario ``replicates`` times on common random numbers into the store ``out`` (default
    results/compare) and return the comparison's tables."""
    if not scenarios:
        raise InputError("compare: give at least one scenario (a file or a name in the library)")
    if replicates < 1:
        raise InputError(f"--replicates = {replicates} is not allowed; expected an int >= 1")
    if not 1 <= days <= 3650:
        raise InputError(f"--days = {days} is not allowed; expected an int in [1, 3650]")
    paths = [resolve_scenario(s) for s in scenarios]
    loaded = [load_scenario(p) for p in paths]
    names = [sc.name for sc in loaded]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(f"compare: scenario '{dup}' is given twice (scenario names must differ)")
    starts = {sc.start_date for sc in loaded}
    if len(starts) > 1:
        warnings.warn(f"the scenarios start on different dates ({', '.join(sorted(map(str, starts)))}); "
                      "outcomes are compared by days from each start", UserWarning, stacklevel=2)
    ref = _reference(names, reference)
    out = Path(out) if out else Path("results") / "compare"
    report = sweep(build_spec(loaded, replicates, days, seed), model(paths, days), out, executor=executor,
                   workers=workers, resume=resume, progress=progress)
    runs = add_paired(report.store.runs(), ref)
    table = pd.DataFrame({SCENARIO_INDEX: range(len(names)), "scenario": names, "file": [str(p) for p in paths],
                          "description": [sc.description for sc in loaded]})
    return Comparison(out, table, min(starts), days, replicates, ref, runs, summary_table(runs, names, days, ref),
                      differences(runs, names, ref, days), bands(report.store, len(names)), report.failed)
