"""The planner table: per combination of the planning factors, outcomes, the force actually deployed, the
cost per person freed against a reference option, and how well common random numbers paired the runs.

Cost per person freed (the same definition for ``pap-sim compare``): for each run, the extra cost against
the reference option's run on the same seed (``pair_on``: the replicate, with every other factor equal),
divided by the extra residents not under gang control at the horizon against that run. A run that frees
nobody (its difference is zero or negative) counts as "none freed": its ratio is infinite, so it pulls the
median up instead of vanishing as a NaN. Runs without a reference pair (a failed run, or one whose
reference run failed) are dropped and counted. A cell's ratio is its mean extra cost over its mean extra
residents freed (an incremental cost-effectiveness ratio); its median over runs is given beside it.

Targets are not deployments: a target of 1,000 personnel at 25% of funding deploys far fewer, so every
target factor (``DEPLOYED``) is shown with the force deployed at the horizon and averaged over the run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from papsim.experiments.analysis import success
from papsim.experiments.spec import Spec

# A target factor and the model output that says what was actually deployed.
DEPLOYED = {"mss_target_personnel": "mss_personnel"}
COST = "cost_full_usd"  # the full cost of the personnel deployed, whoever pays (mission funds or UN office)
UNDER = "residents_under_gang_control_end"
NONE_FREED = "none freed"
PER_RUN = ("people_freed_vs_reference", "extra_cost_vs_reference_usd", "cost_per_person_freed_vs_reference_usd")


# ---------------------------------------------------------------- pairing against a reference option
def paired_vs_reference(runs: pd.DataFrame, factors: Sequence[str], reference: dict[str, float],
                        pair_on: Sequence[str] = ("replicate",), cost: str = COST,
                        under: str = UNDER) -> pd.DataFrame:
    """Per run: residents freed, extra cost and cost per person freed against the reference option's run
    with the same ``pair_on`` values and the same other factors.

    Returns the runs with columns ``is_reference``, ``people_freed_vs_reference`` (the reference's
    ``under`` minus the run's), ``extra_cost_vs_reference_usd`` and ``cost_per_person_freed_vs_reference_usd``
    (extra cost / people freed; ``inf`` when none are freed; NaN for the reference itself and for runs
    without a successful pair). ``compare`` calls it with ``factors=["scenario_index"]``,
    ``reference={"scenario_index": i}``.
    """
    runs = runs.copy()
    is_ref = pd.Series(True, index=runs.index)
    for name, level in reference.items():
        is_ref &= runs[name].astype(float) == float(level)
    runs["is_reference"] = is_ref
    for column in PER_RUN:
        runs[column] = math.nan
    if not reference or cost not in runs or under not in runs:
        return runs
    key = [f for f in factors if f not in reference] + list(pair_on)
    ok = runs["status"] == "ok"
    ref = runs.loc[ok & is_ref, [*key, under, cost]].drop_duplicates(key)
    ref = ref.rename(columns={under: "_ref_under", cost: "_ref_cost"})
    merged = runs[key].reset_index().merge(ref, on=key, how="left").set_index("index").loc[runs.index]
    paired = ok & ~is_ref & merged["_ref_under"].notna()
    freed = merged["_ref_under"] - runs[under].astype(float)
    extra = runs[cost].astype(float) - merged["_ref_cost"]
    runs["people_freed_vs_reference"] = freed.where(paired)
    runs["extra_cost_vs_reference_usd"] = extra.where(paired)
    ratio = np.where(freed > 0, extra / freed.where(freed > 0), math.inf)
    runs["cost_per_person_freed_vs_reference_usd"] = pd.Series(ratio, index=runs.index).where(paired)
    return runs


def cost_per_person_freed(group: pd.DataFrame) -> dict[str, float | int | str]:
    """One cell's cost per person freed from ``paired_vs_reference`` rows: the ratio of means, the median
    over runs (none freed = infinite), and how many runs freed nobody or were dropped for want of a pair."""
    if group["is_reference"].all():
        return {"cost_per_person_freed_usd": math.nan, "cost_per_person_freed_median_usd": math.nan,
                "cost_per_person_freed_note": "reference", "runs_none_freed": 0, "runs_dropped_no_pair": 0}
    ratio = group["cost_per_person_freed_vs_reference_usd"].astype(float)
    paired = ratio.notna()
    freed = group.loc[paired, "people_freed_vs_reference"].astype(float)
    extra = group.loc[paired, "extra_cost_vs_reference_usd"].astype(float)
    out: dict[str, float | int | str] = {
        "people_freed_vs_reference_median": _quantile(freed, 0.5),
        "people_freed_vs_reference_p05": _quantile(freed, 0.05),
        "people_freed_vs_reference_p95": _quantile(freed, 0.95),
        "extra_cost_vs_reference_usd_median": _quantile(extra, 0.5),
        "runs_none_freed": int((freed <= 0).sum()),
        "runs_dropped_no_pair": int((~paired).sum()),
    }
    if not paired.any():
        out |= {"cost_per_person_freed_usd": math.nan, "cost_per_person_freed_median_usd": math.nan,
                "cost_per_person_freed_note": "no paired run"}
        return out
    mean_freed = float(freed.mean())
    cell = float(extra.mean()) / mean_freed if mean_freed > 0 else math.inf
    median = float(np.quantile(ratio[paired].to_numpy(), 0.5, method="inverted_cdf"))
    out |= {"cost_per_person_freed_usd": cell, "cost_per_person_freed_median_usd": median,
            "cost_per_person_freed_note": NONE_FREED if math.isinf(cell) else ""}
    return out


def pairing(a: Sequence[float], b: Sequence[float]) -> dict[str, float | int]:
    """How well two sets of runs on the same seeds are paired: the correlation of the paired outputs and
    the variance reduction it gives their difference, 1 - var(a - b) / (var(a) + var(b)) (0: no better
    than independent runs; 1: the difference has no noise left)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    out = {"pairs": int(len(a)), "pairing_correlation": math.nan, "pairing_variance_reduction": math.nan}
    if len(a) < 3:
        return out
    independent = a.var(ddof=1) + b.var(ddof=1)
    if independent > 0:
        out["pairing_variance_reduction"] = float(1 - np.var(a - b, ddof=1) / independent)
    if a.std() > 0 and b.std() > 0:
        out["pairing_correlation"] = float(np.corrcoef(a, b)[0, 1])
    return out


def pairing_table(spec: Spec, runs: pd.DataFrame, outputs: Sequence[str],
                  pair_on: Sequence[str] = ("replicate",)) -> pd.DataFrame:
    """Achieved pairing per output: every design point against the reference point of the same other
    factors (or, without a reference, against the first point), run by run on ``pair_on``. One row per
    output: median correlation and variance reduction over the point pairs, and how many there were."""
    reference = dict(spec.analysis.reference)
    ok = runs[runs["status"] == "ok"]
    factors = spec.factor_names
    if reference:
        others = [f for f in factors if f not in reference]
        is_ref = np.logical_and.reduce([ok[k].astype(float) == v for k, v in reference.items()])
    else:
        others, is_ref = [], (ok["point"] == ok["point"].min()).to_numpy()
    refs = ok[is_ref]
    rows = []
    for out in outputs:
        if out not in ok:
            continue
        stats = []
        for _, group in ok[~is_ref].groupby("point"):
            match = refs
            for f in others:
                match = match[match[f] == group[f].iloc[0]]
            both = group.merge(match[[*pair_on, out]], on=list(pair_on), suffixes=("", "_ref"))
            stats.append(pairing(both[out], both[f"{out}_ref"]))
        valid = [s for s in stats if not math.isnan(s["pairing_variance_reduction"])]
        rows.append({"output": out, "common_random_numbers": spec.common_random_numbers,
                     "point_pairs": len(valid),
                     "runs_per_pair": int(np.median([s["pairs"] for s in stats])) if stats else 0,
                     "pairing_correlation_median": _median([s["pairing_correlation"] for s in valid]),
                     "pairing_variance_reduction_median": _median([s["pairing_variance_reduction"] for s in valid])})
    return pd.DataFrame(rows, columns=["output", "common_random_numbers", "point_pairs", "runs_per_pair",
                                       "pairing_correlation_median", "pairing_variance_reduction_median"])


# ---------------------------------------------------------------- the force deployed
def deployed(spec: Spec, runs: pd.DataFrame, series: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per run, for every target factor of the spec: the force deployed at the horizon (the summary's
    ``_final`` value) and averaged over days 1..horizon (the summary's ``_mean``; in stores written before the
    summary carried it, from the stored daily series, NaN if not stored)."""
    out = runs[["run_id"]].copy()
    for factor, name in DEPLOYED.items():
        if factor not in spec.factor_names:
            continue
        final = f"{name}_final"
        out[f"{name}_at_horizon"] = runs[final].astype(float) if final in runs else math.nan
        mean = math.nan
        if f"{name}_mean" in runs:
            mean = runs[f"{name}_mean"].astype(float)
        elif series is not None and len(series) and name in set(series["variable"]):
            daily = series[(series["variable"] == name) & (series["day"] > 0)]
            mean = out["run_id"].map(daily.groupby("run_id")["value"].mean())
        out[f"{name}_mean"] = mean
    return out


def deployed_columns(spec: Spec) -> list[str]:
    """The deployed-force columns of the per-run table from ``deployed``."""
    return [f"{name}_{kind}" for factor, name in DEPLOYED.items() if factor in spec.factor_names
            for kind in ("at_horizon", "mean")]


# ---------------------------------------------------------------- the table
def planner_table(spec: Spec, runs: pd.DataFrame, outputs: Sequence[str],
                  series: pd.DataFrame | None = None, by: Sequence[str] | None = None) -> pd.DataFrame:
    """Per combination of the ``planner_by`` factors (or ``by``): runs and failures; the force deployed
    beside each target (median over runs, at the horizon and averaged over the run); median and 90%
    interval of each outcome; the probability of meeting each success criterion and all of them; cost
    per person freed against the reference option with the runs it dropped; and the achieved pairing of
    the people-freed difference."""
    by = list(by or spec.analysis.planner_by)
    force = deployed(spec, runs, series)
    runs = runs.drop(columns=[c for c in force.columns if c != "run_id" and c in runs])  # the summary's own
    runs = runs.merge(force, on="run_id", how="left")
    runs = paired_vs_reference(runs, spec.factor_names, dict(spec.analysis.reference))
    ok_mask = runs["status"] == "ok"
    criteria = {f"p_success_{i + 1}": success(runs[ok_mask], e) for i, e in enumerate(spec.analysis.success)}
    for name, mask in criteria.items():
        runs.loc[ok_mask, name] = mask.astype(float)
    if criteria:
        runs.loc[ok_mask, "p_success_all"] = pd.concat(list(criteria.values()), axis=1).all(axis=1).astype(float)
    rows = []
    for key, group in runs.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        good = group[group["status"] == "ok"]
        row = dict(zip(by, key))
        for column in deployed_columns(spec):
            row[f"{column}_median"] = _quantile(good[column], 0.5)
        row |= {"runs": len(group), "failed": int((group["status"] != "ok").sum())}
        for out in outputs:
            v = good[out].astype(float) if out in good else pd.Series(dtype=float)
            row |= {f"{out}_median": v.median(), f"{out}_p05": v.quantile(0.05), f"{out}_p95": v.quantile(0.95)}
        for name in [*criteria, *(["p_success_all"] if criteria else [])]:
            row[name] = good[name].mean()
        if spec.analysis.reference:
            row |= cost_per_person_freed(group)
            if not group["is_reference"].all():
                mine = good[good["people_freed_vs_reference"].notna()]
                ref_under = mine["people_freed_vs_reference"] + mine[UNDER].astype(float)
                row |= pairing(mine[UNDER], ref_under)
        rows.append(row)
    return pd.DataFrame(rows)


def criteria_table(spec: Spec, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The success criteria, their column names in the planner table and in how many runs each holds
    ("holds in 0 of 900 runs" is a result, not an error)."""
    names = [f"p_success_{i + 1}" for i in range(len(spec.analysis.success))]
    table = pd.DataFrame({"column": names, "criterion": list(spec.analysis.success)})
    if runs is not None:
        ok = runs[runs["status"] == "ok"]
        table["runs_meeting"] = [int(success(ok, e).sum()) for e in spec.analysis.success]
        table["runs"] = len(ok)
    return table


def _quantile(values: pd.Series, q: float) -> float:
    v = values.astype(float).to_numpy()
    v = v[~np.isnan(v)]
    return float(np.quantile(v, q, method="inverted_cdf")) if len(v) else math.nan


def _median(values: list[float]) -> float:
    return float(np.median(values)) if values else math.nan
