"""Analyses of a store: SALib sensitivity indices, noise share, convergence and the planner table.

Before any sensitivity analysis the outputs are checked to be complete, finite and in design order (SALib
returns all-zero indices on a single NaN without a word); replicates are averaged per design point and
the share of variance due to the model's own randomness is reported beside the indices.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from SALib.analyze import fast as fast_analyze
from SALib.analyze import morris as morris_analyze
from SALib.analyze import pawn as pawn_analyze
from SALib.analyze import sobol as sobol_analyze

from papsim.errors import InputError
from papsim.experiments import design as designs
from papsim.experiments.worker import RESERVED
from papsim.experiments.spec import Spec

CONVERGENCE_BOOTSTRAP = 200  # resamples per subset in the convergence check (the full design uses the spec's)


class AnalysisError(Exception):
    """The store's outputs cannot be analysed as asked; the message names the runs at fault."""


def output_names(spec: Spec, runs: pd.DataFrame) -> list[str]:
    """The outputs of interest: the spec's list, or every output column the runs have."""
    if spec.outputs:
        return list(spec.outputs)
    return stored_outputs(spec, runs)


def stored_outputs(spec: Spec, runs: pd.DataFrame) -> list[str]:
    """Every output column the runs have."""
    return [c for c in runs.columns if c not in RESERVED and c not in spec.factor_names]


def point_outputs(spec: Spec, design: pd.DataFrame, runs: pd.DataFrame, output: str,
                  complete: bool = True) -> tuple[pd.DataFrame, np.ndarray, float]:
    """Design points, the output averaged over each point's replicates, and the noise share of variance.

    With ``complete`` every run of the design must be present, successful and finite, or AnalysisError
    names the runs at fault; without it the points that are not complete are left out.
    """
    if output not in runs.columns:
        raise AnalysisError(f"output '{output}' is not in the store (outputs: {_some(stored_outputs(spec, runs))})")
    table = design[["run_id", "point", *spec.factor_names]].merge(
        runs[["run_id", "status", output]], on="run_id", how="left", validate="one_to_one")
    bad = table["status"].ne("ok") | ~np.isfinite(table[output].astype(float))
    if bad.any():
        if complete:
            ids = table.loc[bad, "run_id"].tolist()
            missing = int(table.loc[bad, "status"].isna().sum())
            raise AnalysisError(
                f"output '{output}': {len(ids)} of {len(table)} runs are missing ({missing}), failed or not "
                f"finite: run ids {_some(ids)}; this analysis needs every run of the design")
        table = table[~table["point"].isin(table.loc[bad, "point"])]
    if table.empty:
        raise AnalysisError(f"output '{output}': no complete design point to analyse")
    if not (table["run_id"].is_monotonic_increasing and table["point"].is_monotonic_increasing):
        raise AnalysisError(f"output '{output}': runs are not in design order")
    y = table[output].astype(float)
    grouped = y.groupby(table["point"])
    points = table.drop_duplicates("point")[spec.factor_names].reset_index(drop=True)
    return points, grouped.mean().to_numpy(), noise_share(y, table["point"])


def noise_share(y: pd.Series, point: pd.Series) -> float:
    """Mean variance between replicates of a point over the total variance (NaN without replicates)."""
    within = y.groupby(point).var(ddof=1).mean()
    total = y.var(ddof=1)
    return float(within / total) if total > 0 and not math.isnan(within) else math.nan


def sobol(spec: Spec, y: np.ndarray, bootstrap: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sobol' S1 and ST (and S2 if designed) with bootstrap confidence intervals."""
    second = spec.design.second_order
    si = sobol_analyze.analyze(designs.problem(spec), y, calc_second_order=second,
                               num_resamples=bootstrap or spec.analysis.bootstrap,
                               conf_level=spec.analysis.conf_level, seed=designs.sampler_seed(spec))
    first = pd.DataFrame({"factor": spec.factor_names, "S1": si["S1"], "S1_conf": si["S1_conf"],
                          "ST": si["ST"], "ST_conf": si["ST_conf"]})
    pairs = []
    if second:
        names = spec.factor_names
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                pairs.append({"factor_i": names[i], "factor_j": names[j],
                              "S2": si["S2"][i, j], "S2_conf": si["S2_conf"][i, j]})
    return first, pd.DataFrame(pairs, columns=["factor_i", "factor_j", "S2", "S2_conf"])


def morris(spec: Spec, x: pd.DataFrame, y: np.ndarray, bootstrap: int | None = None) -> pd.DataFrame:
    """Morris elementary effects: mu, mu* (with confidence interval) and sigma, per factor."""
    si = morris_analyze.analyze(designs.problem(spec), x.to_numpy(dtype=float), y,
                                num_resamples=bootstrap or spec.analysis.bootstrap,
                                conf_level=spec.analysis.conf_level, num_levels=spec.design.levels,
                                seed=designs.sampler_seed(spec))
    return pd.DataFrame({"factor": spec.factor_names, "mu": si["mu"], "mu_star": si["mu_star"],
                         "mu_star_conf": si["mu_star_conf"], "sigma": si["sigma"]})


def efast(spec: Spec, y: np.ndarray) -> pd.DataFrame:
    """eFAST first-order and total indices with confidence intervals."""
    si = fast_analyze.analyze(designs.problem(spec), y, M=spec.design.interference,
                              num_resamples=spec.analysis.bootstrap, conf_level=spec.analysis.conf_level,
                              seed=designs.sampler_seed(spec))
    return pd.DataFrame({"factor": spec.factor_names, "S1": si["S1"], "S1_conf": si["S1_conf"],
                         "ST": si["ST"], "ST_conf": si["ST_conf"]})


def pawn(spec: Spec, x: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    """PAWN (distribution-based, given data): statistics of the KS distance per factor; works on any design."""
    si = pawn_analyze.analyze(designs.problem(spec), x.to_numpy(dtype=float), y, S=spec.analysis.pawn_slices,
                              seed=designs.sampler_seed(spec))
    return pd.DataFrame({"factor": spec.factor_names, "median": si["median"], "mean": si["mean"],
                         "minimum": si["minimum"], "maximum": si["maximum"], "CV": si["CV"]})


def indices(method: str, spec: Spec, x: pd.DataFrame, y: np.ndarray, bootstrap: int | None = None) -> pd.DataFrame:
    """One method's main index table."""
    if method == "sobol":
        return sobol(spec, y, bootstrap)[0]
    if method == "morris":
        return morris(spec, x, y, bootstrap)
    if method == "efast":
        return efast(spec, y)
    return pawn(spec, x, y)


MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "pawn": "median"}


def convergence(method: str, spec: Spec, x: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    """The method's indices recomputed on growing leading subsets of the design (eFAST has none).

    Subsets are whole blocks of the design: base samples for Sobol' (powers of two, so the scrambled
    sequence stays balanced), trajectories for Morris, points for the given-data methods.
    """
    d = len(spec.factors)
    if method == "sobol":
        block, total = (2 * d + 2 if spec.design.second_order else d + 2), spec.design.n
        sizes = [n for n in (2**k for k in range(2, 31)) if total // 64 <= n <= total]
    elif method == "morris":
        block, total = d + 1, spec.design.n
        sizes = sorted({max(2, total * k // 8) for k in (1, 2, 4, 8)})
    else:
        block, total = 1, len(y)
        sizes = sorted({max(10, total * k // 8) for k in (1, 2, 4, 8)} & set(range(10, total + 1)))
    rows = []
    for n in sizes:
        part = indices(method, spec, x.iloc[: n * block], y[: n * block], CONVERGENCE_BOOTSTRAP)
        conf = MAIN_INDEX[method] + "_conf"
        for r in part.itertuples(index=False):
            rows.append({"size": n, "points": n * block, "factor": r.factor,
                         "index": MAIN_INDEX[method], "value": getattr(r, MAIN_INDEX[method]),
                         "conf": getattr(r, conf, math.nan)})
    return pd.DataFrame(rows, columns=["size", "points", "factor", "index", "value", "conf"]).astype(
        {"size": int, "points": int, "value": float, "conf": float})


def success(table: pd.DataFrame, expression: str) -> pd.Series:
    """Which rows meet a success expression such as 'gang_population_share_day365 < 0.5' (NaN: not met)."""
    try:
        result = table.eval(expression)
    except Exception as exc:  # noqa: BLE001 - any parse or name error is the user's expression
        columns = [c for c in table.columns if c not in RESERVED]
        raise InputError(f"--success: cannot evaluate '{expression}' ({type(exc).__name__}: {exc}); "
                         f"columns: {_some(columns)}") from None
    if not isinstance(result, pd.Series) or len(result) != len(table):
        raise InputError(f"--success: '{expression}' does not give one true/false value per run")
    return result.fillna(0).astype(bool)


def planner_table(spec: Spec, runs: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    """Per combination of the ``planner_by`` factors: runs, failures, median and 90% interval of each
    outcome, and the probability of meeting each success criterion and all of them."""
    by = list(spec.analysis.planner_by)
    ok = runs[runs["status"] == "ok"].copy()
    criteria = {f"p_success_{i + 1}": success(ok, e) for i, e in enumerate(spec.analysis.success)}
    for name, mask in criteria.items():
        ok[name] = mask.astype(float)
    if criteria:
        ok["p_success_all"] = pd.concat(list(criteria.values()), axis=1).all(axis=1).astype(float)
    rows = []
    for key, group in runs.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        good = ok.loc[ok.index.intersection(group.index)]
        row = dict(zip(by, key)) | {"runs": len(group), "failed": int((group["status"] != "ok").sum())}
        for out in outputs:
            v = good[out].astype(float) if out in good else pd.Series(dtype=float)
            row |= {f"{out}_median": v.median(), f"{out}_p05": v.quantile(0.05), f"{out}_p95": v.quantile(0.95)}
        for name in [*criteria, *(["p_success_all"] if criteria else [])]:
            row[name] = good[name].mean()
        rows.append(row)
    return pd.DataFrame(rows)


def criteria_table(spec: Spec) -> pd.DataFrame:
    """The success criteria and the column names they have in the planner table."""
    names = [f"p_success_{i + 1}" for i in range(len(spec.analysis.success))]
    return pd.DataFrame({"column": names, "criterion": list(spec.analysis.success)})


def _some(items: list, k: int = 10) -> str:
    shown = ", ".join(str(i) for i in items[:k])
    return shown + (f", ... ({len(items)} in all)" if len(items) > k else "")
