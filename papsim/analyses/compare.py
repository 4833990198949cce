"""Compare scenarios: R replicates of each on common random numbers, a table and figures.

``pap-sim compare SCENARIO... [--replicates R] [--days N] [--out DIR]`` runs every scenario with the same R
seeds (replicate k of every scenario starts from the same random stream) through the experiments engine,
into one store, then writes:

- ``tables/compare.csv``: per scenario and outcome, at 6, 12 and 24 months (day 180, 365, 730) and at the
  end, the median and the 90% interval (5th and 95th percentiles) over replicates;
- ``tables/differences.csv``: the paired difference of each scenario from the reference scenario
  (replicate by replicate, which common random numbers make meaningful), its median, 90% interval and the
  share of replicates in which the scenario does better;
- ``tables/compare.md``: the same as readable tables;
- ``figures/compare_bands.png`` (residents under gang control over time, one panel per scenario) and
  ``figures/compare_outcomes.png`` (medians and 90% intervals of the main outcomes).

Milestones (first day of decisive operations, of stabilisation, of transition, of fewer than half of the
residents under gang control, of election readiness) that a replicate never reaches count as "never"
(later than any day). Costs: ``mission_funds_spent_usd`` is what the mission's own funds paid;
``cost_full_usd`` is the full cost of the personnel deployed (``cost_per_person_month_usd`` per
person-month), including logistics a UN support office pays from assessed contributions and any bills left
unpaid. People freed from gang control are counted against the reference scenario (default ``no_mission``),
replicate by replicate: ``people_freed_vs_reference`` = the reference's residents under gang control at the
end minus the scenario's, and ``cost_per_person_freed_vs_reference_usd`` = the extra full cost divided by
it ("none freed" when it is not positive). The plain fall in residents under gang control from start to end
(``people_freed``) is also given, but it counts residents who fled or died.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import warnings
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from papsim.citymap import SITE_KINDS
from papsim.errors import InputError
from papsim.scenario import SCENARIO_DIR, load_scenario

HORIZONS = ((180, "6 months"), (365, "12 months"), (730, "24 months"))
DEFAULT_DAYS = 730
SERIES = ("gang_population_share", "deaths_civilian_cum", "mss_personnel", "humanitarian_access")
PHASES = ((1, "decisive"), (2, "stabilisation"), (3, "transition"))

# (output stem, label, kind): kind "state" = value at the horizon, "flow" = total from the start to the horizon
AT_HORIZON = (
    ("gang_population_share", "Residents under gang control (share)", "state"),
    ("gang_territory_share", "Cells under gang control (share)", "state"),
    ("deaths_civilian", "Civilians killed (cumulative)", "flow"),
    ("kidnappings", "Kidnappings (cumulative)", "flow"),
    ("displaced_total", "Displaced since the start (cumulative)", "state"),
    ("humanitarian_access", "Humanitarian access (share)", "state"),
    ("trust", "Trust in the mission (share)", "state"),
    ("mss_personnel", "Mission personnel deployed", "state"),
    ("cost_full_usd", "Full cost of the mission (USD, cumulative)", "cost"),
)
AT_END = (
    ("mission_funds_spent_usd", "Mission funds spent (USD)"),
    ("cost_full_usd", "Full cost incl. UN-paid logistics and unpaid bills (USD)"),
    ("residents_under_gang_control_end", "Residents under gang control at the end"),
    ("people_freed", "Fall in residents under gang control, start - end (includes flight and deaths)"),
    ("cost_per_person_freed_usd", "Full cost per unit of that fall (USD)"),
    ("people_freed_vs_reference", "People freed vs the reference: its residents under gang control - these"),
    ("cost_per_person_freed_vs_reference_usd", "Extra full cost per person freed vs the reference (USD)"),
    ("key_sites_closed_days", "Key-site closure days (all sites)"),
    *((f"closed_days_{kind}", f"Closure days: {kind.replace('_', ' ')}") for kind in SITE_KINDS),
)
MILESTONES = (
    ("days_to_decisive", "First day of decisive operations"),
    ("days_to_gang_pop_below_50", "First day with < 50% of residents under gang control"),
    ("days_to_stabilisation", "First day of stabilisation"),
    ("days_to_transition", "First day of transition"),
    ("election_ready_day", "First day election-ready (secure share held long enough)"),
)
# Outcomes where lower is better (for the "share of replicates better" column); others: higher is better.
LOWER_IS_BETTER = ("gang_population_share", "gang_territory_share", "deaths_civilian", "kidnappings",
                   "displaced_total", "cost", "closed_days", "key_sites_closed", "days_to", "election_ready_day")


# --------------------------------------------------------------------------------------------- the model
@lru_cache(maxsize=64)
def _scenario(path: str):
    return load_scenario(path)


def outcomes(result, days: int) -> tuple[dict[str, float], pd.DataFrame]:
    """Outcomes of one run for the comparison, and its daily series for the figures."""
    ts = result.timeseries
    p = result.scenario.params
    out: dict[str, float] = {}
    person_days = ts["mss_personnel"].to_numpy()[1:]
    daily_cost = person_days * p["cost_per_person_month_usd"] / 30.0
    cum_cost = np.r_[0.0, np.cumsum(daily_cost)]
    for h, _ in HORIZONS:
        if h > days:
            continue
        for stem, _, kind in AT_HORIZON:
            if kind == "state":
                out[f"{stem}_day{h}"] = float(ts[stem].iloc[h])
            elif kind == "flow":
                out[f"{stem}_day{h}"] = float(ts[stem].iloc[1:h + 1].sum())
            else:
                out[f"{stem}_day{h}"] = float(cum_cost[h])
    for stem, _, kind in AT_HORIZON:
        if kind == "state":
            out[f"{stem}_end"] = float(ts[stem].iloc[-1])
        elif kind == "flow":
            out[f"{stem}_end"] = float(ts[stem].iloc[1:].sum())
    out["mission_funds_spent_usd"] = float(ts["funds_spent"].iloc[-1])
    out["cost_full_usd"] = float(cum_cost[-1])
    gang_pop = ts["gang_population_share"] * ts["population_in_city"]
    freed = float(gang_pop.iloc[0] - gang_pop.iloc[-1])
    out["people_freed"] = freed
    out["residents_under_gang_control_end"] = float(gang_pop.iloc[-1])
    out["cost_per_person_freed_usd"] = out["cost_full_usd"] / freed if freed > 0 else math.nan
    sites = result.sites
    out["key_sites_closed_days"] = float(sites["days_closed"].sum())
    for kind in SITE_KINDS:
        out[f"closed_days_{kind}"] = float(sites.loc[sites["kind"] == kind, "days_closed"].sum())
    phase = ts["phase"].to_numpy()
    for level, name in PHASES:
        hit = np.flatnonzero(phase >= level)
        out[f"days_to_{name}"] = float(hit[0]) if len(hit) else math.nan
    below = np.flatnonzero(ts["gang_population_share"].to_numpy() < 0.5)
    out["days_to_gang_pop_below_50"] = float(below[0]) if len(below) else math.nan
    ready = result.summary.get("election_ready_day", math.nan)
    out["election_ready_day"] = float(ready) if ready is not None else math.nan
    daily = pd.DataFrame({
        "day": ts["day"],
        "gang_population_share": ts["gang_population_share"],
        "deaths_civilian_cum": ts["deaths_civilian"].cumsum(),
        "mss_personnel": ts["mss_personnel"],
        "humanitarian_access": ts["humanitarian_access"],
    })
    return out, daily


@dataclass(frozen=True)
class ComparisonModel:
    """The engine's model: factor ``scenario_index`` picks one of the scenario files; run for ``days``."""

    scenarios: tuple[str, ...]
    days: int

    def __call__(self, factors: dict[str, Any], seed: int):
        import papsim

        scenario = _scenario(self.scenarios[int(factors["scenario_index"])])
        result = papsim.run(scenario, seed=seed, days=self.days)
        return outcomes(result, self.days)


# --------------------------------------------------------------------------------------------- inputs
def resolve_scenario(text: str) -> Path:
    """A scenario given as a path, or as a name in scenarios/ (with or without .toml)."""
    path = Path(text)
    if path.is_file():
        return path.resolve()
    for candidate in (SCENARIO_DIR / text, SCENARIO_DIR / f"{text}.toml"):
        if candidate.is_file():
            return candidate.resolve()
    names = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.toml")))
    raise InputError(f"scenario '{text}' not found (neither a file nor a name in scenarios/: {names})")


def build_spec(names: list[str], paths: list[Path], replicates: int, days: int, seed: int):
    """The experiments-engine spec: one grid factor (the scenario), R replicates, common random numbers."""
    from papsim.experiments import Spec

    # The scenarios' resolved contents enter the description, so the spec hash (and --resume) sees any change.
    digest = hashlib.sha256()
    for path in paths:
        sc = _scenario.__wrapped__(str(path))
        digest.update(json.dumps({"params": sc.params, "start": str(sc.start_date),
                                  "arrivals": [(str(a.date), a.personnel) for a in sc.arrivals],
                                  "pledges": [(str(p.date), p.amount_usd) for p in sc.pledges]},
                                 sort_keys=True, default=str).encode())
    return Spec.from_dict({
        "name": "compare",
        "description": f"pap-sim compare {' '.join(names)} ({days} days; scenarios sha256 {digest.hexdigest()[:16]})",
        "model": "papsim.analyses.compare:ComparisonModel",
        "days": days,
        "replicates": replicates,
        "seed": seed,
        "common_random_numbers": True,
        "series": list(SERIES),
        "design": {"method": "grid"},
        "factors": {"scenario_index": {"values": list(range(len(paths))), "kind": "int"}},
        "analysis": {"methods": []},
    }, source="pap-sim compare")


# --------------------------------------------------------------------------------------------- analysis
def _quantiles(values: pd.Series, never: bool) -> tuple[float, float, float, int]:
    """Median, 5th and 95th percentiles; with ``never`` NaN counts as 'later than anything' (inf)."""
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


def _outcome_rows(days: int) -> list[tuple[str, str, str, bool]]:
    """(column, outcome stem, horizon label, NaN-means-never) for every outcome in the table."""
    rows = []
    for stem, _, _ in AT_HORIZON:
        for h, label in HORIZONS:
            if h <= days:
                rows.append((f"{stem}_day{h}", stem, label, False))
    for stem, _ in AT_END:
        rows.append((stem, stem, f"end (day {days})", stem.startswith("cost_per_person_freed")))
    for stem, _ in MILESTONES:
        rows.append((stem, stem, "milestone", True))
    return rows


def summary_table(runs: pd.DataFrame, names: list[str], days: int, reference: int | None = None) -> pd.DataFrame:
    """Median and 90% interval of every outcome per scenario (tidy: one row per scenario and outcome).

    Outcomes counted against the reference are not defined for the reference itself (NaN)."""
    ok = runs[runs["status"] == "ok"]
    rows = []
    labels = {**{s: lab for s, lab, _ in AT_HORIZON}, **dict(AT_END), **dict(MILESTONES)}
    for i, name in enumerate(names):
        group = ok[ok["scenario_index"] == i]
        failed = int(((runs["scenario_index"] == i) & (runs["status"] != "ok")).sum())
        for column, stem, horizon, never in _outcome_rows(days):
            if column not in group:
                continue
            if i == reference and "vs_reference" in stem:
                med, lo, hi, finite = math.nan, math.nan, math.nan, 0
            else:
                med, lo, hi, finite = _quantiles(group[column], never)
            rows.append({"scenario": name, "outcome": stem, "label": labels[stem], "horizon": horizon,
                         "column": column, "median": med, "p05": lo, "p95": hi, "runs": len(group),
                         "failed": failed, "finite": finite})
    return pd.DataFrame(rows)


def add_paired(runs: pd.DataFrame, reference: int) -> pd.DataFrame:
    """Per run, people freed and extra cost per person freed against the reference's run of the same replicate.

    With common random numbers replicate k of every scenario starts from the same state, so the pair's
    difference is the scenario's effect in that replicate (an incremental cost-effectiveness ratio)."""
    runs = runs.copy()
    ok = runs["status"] == "ok"
    needed = {"residents_under_gang_control_end", "cost_full_usd"}
    if not needed <= set(runs.columns):
        return runs
    ref = runs[ok & (runs["scenario_index"] == reference)].set_index("replicate")
    ref_pop = runs["replicate"].map(ref["residents_under_gang_control_end"])
    ref_cost = runs["replicate"].map(ref["cost_full_usd"])
    freed = ref_pop - runs["residents_under_gang_control_end"]
    extra = runs["cost_full_usd"] - ref_cost
    mine = runs["scenario_index"] != reference
    runs["people_freed_vs_reference"] = np.where(mine, freed, np.nan)
    runs["cost_per_person_freed_vs_reference_usd"] = np.where(mine & (freed > 0), extra / freed.where(freed > 0),
                                                              np.nan)
    return runs


def _lower_is_better(stem: str) -> bool:
    return any(stem.startswith(k) or k in stem for k in LOWER_IS_BETTER) and not stem.startswith("people_freed")


def differences(runs: pd.DataFrame, names: list[str], reference: int, days: int) -> pd.DataFrame:
    """Paired differences (scenario - reference, replicate by replicate) of the main outcomes."""
    ok = runs[runs["status"] == "ok"]
    ref = ok[ok["scenario_index"] == reference].set_index("replicate")
    rows = []
    columns = [(c, stem, hz) for c, stem, hz, never in _outcome_rows(days) if not never]
    for i, name in enumerate(names):
        if i == reference:
            continue
        mine = ok[ok["scenario_index"] == i].set_index("replicate")
        common = mine.index.intersection(ref.index)
        for column, stem, horizon in columns:
            if column not in mine:
                continue
            d = (mine.loc[common, column].astype(float) - ref.loc[common, column].astype(float)).to_numpy()
            d = d[np.isfinite(d)]
            if len(d) == 0:
                continue
            better = (d < 0) if _lower_is_better(stem) else (d > 0)
            rows.append({"scenario": name, "reference": names[reference], "outcome": stem, "horizon": horizon,
                         "column": column, "median_difference": float(np.median(d)),
                         "p05": float(np.quantile(d, 0.05)), "p95": float(np.quantile(d, 0.95)),
                         "share_better": float(better.mean()), "pairs": len(d)})
    return pd.DataFrame(rows)


def _fmt(value: float, stem: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "none freed" if stem.startswith("cost_per_person_freed") else "never"
    if stem.endswith("share") or stem in ("humanitarian_access", "trust"):
        return f"{value:.1%}"
    if "per_person" in stem:
        return f"${value:,.0f}"
    if "usd" in stem:
        return f"${value / 1e6:,.1f}M"
    return f"{value:,.0f}"


def _cell(median: float, p05: float, p95: float, stem: str) -> str:
    return f"{_fmt(median, stem)} [{_fmt(p05, stem)}, {_fmt(p95, stem)}]"


def markdown(table: pd.DataFrame, diffs: pd.DataFrame, names: list[str], replicates: int, days: int,
             start: str) -> str:
    """The comparison as markdown tables: one per outcome group, cells 'median [p05, p95]'."""
    lines = ["# Scenario comparison", "",
             f"{len(names)} scenarios x {replicates} replicates on common random numbers, {days} days from {start}. "
             "Cells: median [90% interval] over replicates. A stylised model: compare scenarios with each other, "
             "do not read the numbers as forecasts.", ""]
    for stem, label, _ in AT_HORIZON:
        part = table[table["outcome"] == stem]
        if part.empty:
            continue
        horizons = list(dict.fromkeys(part["horizon"]))
        lines += [f"## {label}", "", "| scenario | " + " | ".join(horizons) + " |",
                  "|---|" + "---|" * len(horizons)]
        for name in names:
            cells = [_cell(r.median, r.p05, r.p95, stem) for r in part[part["scenario"] == name].itertuples()]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    groups = (("Cost, people freed and key sites (end of the run)", [s for s, _ in AT_END]),
              ("Time to milestones (days from the start; 'never' = not within the run)", [s for s, _ in MILESTONES]))
    for title, stems in groups:
        part = table[table["outcome"].isin(stems) & ~table["horizon"].str.endswith("months")]
        stems = [s for s in stems if s in set(part["outcome"])]
        lines += [f"## {title}", "", "| scenario | " + " | ".join(stems) + " |", "|---|" + "---|" * len(stems)]
        for name in names:
            mine = part[part["scenario"] == name].set_index("outcome")
            cells = [_cell(*(float(mine.loc[s, c]) for c in ("median", "p05", "p95")), s) if s in mine.index
                     else "n/a" for s in stems]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    if not diffs.empty:
        ref = diffs["reference"].iloc[0]
        last = [h for h in diffs["horizon"].unique() if h.endswith("months")]
        horizon = last[-1] if last else diffs["horizon"].iloc[-1]
        part = diffs[diffs["horizon"].isin([horizon])]
        stems = [s for s, _, _ in AT_HORIZON if s in set(part["outcome"])]
        lines += [f"## Paired differences from {ref} at {horizon}", "",
                  "Median [90% interval] of (scenario - reference), replicate by replicate; in brackets after it, "
                  "the share of replicates in which the scenario does better.", "",
                  "| scenario | " + " | ".join(stems) + " |", "|---|" + "---|" * len(stems)]
        for name in names:
            mine = part[part["scenario"] == name].set_index("outcome")
            if mine.empty:
                continue
            cells = []
            for s in stems:
                if s not in mine.index:
                    cells.append("n/a")
                    continue
                r = mine.loc[s]
                cells.append(f"{_signed(r.median_difference, s)} [{_signed(r.p05, s)}, {_signed(r.p95, s)}] "
                             f"({r.share_better:.0%})")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _signed(value: float, stem: str) -> str:
    text = _fmt(abs(value), stem)
    return ("+" if value >= 0 else "-") + text


# --------------------------------------------------------------------------------------------- figures
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def bands_figure(store, names: list[str], start: dt.date, path: Path, reference: int) -> Path:
    """Residents under gang control over time: median and 90% band per scenario, reference dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = store.series(["gang_population_share"])
    runs = store.runs(columns=["run_id", "scenario_index"])
    series = series.merge(runs, on="run_id")
    n = len(names)
    cols = min(4, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.6 * rows), sharex=True, sharey=True,
                             constrained_layout=True, squeeze=False)
    bands = {}
    for i in range(n):
        grid = series[series["scenario_index"] == i].pivot_table(index="run_id", columns="day", values="value")
        if grid.empty:
            continue
        v = grid.to_numpy()
        bands[i] = (grid.columns.to_numpy(), np.median(v, axis=0), np.percentile(v, 5, axis=0),
                    np.percentile(v, 95, axis=0))
    for i, ax in enumerate(axes.ravel()):
        if i >= n:
            ax.set_visible(False)
            continue
        if i in bands:
            day, med, lo, hi = bands[i]
            x = pd.Timestamp(start) + pd.to_timedelta(day, unit="D")
            ax.fill_between(x, lo, hi, color=COLOURS[0], alpha=0.3)
            ax.plot(x, med, color=COLOURS[0], lw=1.5)
            if reference in bands and i != reference:
                rd, rm, _, _ = bands[reference]
                ax.plot(pd.Timestamp(start) + pd.to_timedelta(rd, unit="D"), rm, color="#555555", ls="--", lw=1)
        ax.set_title(names[i], fontsize=9)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    fig.suptitle(f"Residents under gang control: median and 90% of replicates (dashed: {names[reference]} median)",
                 fontsize=10)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def outcomes_figure(table: pd.DataFrame, names: list[str], days: int, path: Path) -> Path:
    """Medians and 90% intervals of the main outcomes at the last horizon, one panel per outcome."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    h = max((d for d, _ in HORIZONS if d <= days), default=None)
    horizon = dict(HORIZONS).get(h)
    panels = [("gang_population_share", horizon), ("deaths_civilian", horizon), ("displaced_total", horizon),
              ("cost_full_usd", f"end (day {days})"), ("cost_per_person_freed_vs_reference_usd", f"end (day {days})"),
              ("key_sites_closed_days", f"end (day {days})")]
    if horizon is None:
        panels = [(s, f"end (day {days})") for s, _ in AT_END[:6]]
    fig, axes = plt.subplots(2, 3, figsize=(13, 2.0 + 0.32 * len(names) * 2), constrained_layout=True)
    y = np.arange(len(names))
    for ax, (stem, hz) in zip(axes.ravel(), panels):
        part = table[(table["outcome"] == stem) & (table["horizon"] == hz)].set_index("scenario").reindex(names)
        med, lo, hi = (part[c].to_numpy(float) for c in ("median", "p05", "p95"))
        finite = np.isfinite(med)
        lo_f = np.where(np.isfinite(lo), lo, med)
        hi_f = np.where(np.isfinite(hi), hi, med)  # an open upper end ('never') is drawn as no bar
        ax.errorbar(med[finite], y[finite], xerr=[np.clip(med[finite] - lo_f[finite], 0, None),
                                                  np.clip(hi_f[finite] - med[finite], 0, None)],
                    fmt="o", color=COLOURS[0], capsize=3, ms=4)
        for yi in y[~finite]:
            ax.text(0.02, yi, "n/a, never or none", transform=ax.get_yaxis_transform(), va="center", fontsize=7)
        ax.set_yticks(y, names if ax in axes[:, 0] else [""] * len(names), fontsize=8)
        ax.invert_yaxis()
        label = next((lab for s, lab, _ in AT_HORIZON if s == stem), dict(AT_END).get(stem, stem))
        ax.set_title(f"{label}\n{hz}", fontsize=9)
        ax.grid(alpha=0.3)
        if "per_person" in stem:
            ax.xaxis.set_major_formatter(lambda v, _: f"${v:,.0f}")
        elif "usd" in stem:
            ax.xaxis.set_major_formatter(lambda v, _: f"${v / 1e6:,.0f}M")
    fig.suptitle("Median and 90% interval over replicates", fontsize=10)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------------------------- driver
@dataclass
class Comparison:
    out: Path
    names: list[str]
    table: pd.DataFrame
    differences: pd.DataFrame
    files: list[Path]
    failed: int


def compare(scenarios: list[str], replicates: int = 20, days: int = DEFAULT_DAYS, out: str | Path | None = None,
            seed: int = 20240625, reference: str | None = None, executor: str = "processes",
            workers: int | None = None, resume: bool = False, progress: bool = True) -> Comparison:
    """Run every scenario ``replicates`` times on common random numbers and write the comparison."""
    from papsim.experiments import sweep

    if not scenarios:
        raise InputError("compare: give at least one scenario (a file or a name in scenarios/)")
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
    if reference is None:
        ref = names.index("no_mission") if "no_mission" in names else 0
    else:
        if reference not in names:
            raise InputError(f"--reference '{reference}' is not one of the scenarios: {', '.join(names)}")
        ref = names.index(reference)
    out = Path(out) if out else Path("results") / "compare"
    spec = build_spec(names, paths, replicates, days, seed)
    report = sweep(spec, ComparisonModel(tuple(str(p) for p in paths), days), out, executor=executor,
                   workers=workers, resume=resume, progress=progress)
    store = report.store
    runs = add_paired(store.runs(), ref)
    table = summary_table(runs, names, days, ref)
    diffs = differences(runs, names, ref, days)
    tables, figures = out / "tables", out / "figures"
    tables.mkdir(parents=True, exist_ok=True)
    files = [tables / "compare.csv", tables / "differences.csv", tables / "compare.md"]
    table.to_csv(files[0], index=False)
    diffs.to_csv(files[1], index=False)
    start = min(starts)
    files[2].write_text(markdown(table, diffs, names, replicates, days, str(start)))
    (tables / "scenarios.csv").write_text(pd.DataFrame({
        "scenario_index": range(len(names)), "scenario": names, "file": [str(p) for p in paths],
        "description": [sc.description for sc in loaded]}).to_csv(index=False))
    files.append(tables / "scenarios.csv")
    if (runs["status"] == "ok").any():
        files.append(bands_figure(store, names, start, figures / "compare_bands.png", ref))
        files.append(outcomes_figure(table, names, days, figures / "compare_outcomes.png"))
    return Comparison(out, names, table, diffs, files, report.failed)
