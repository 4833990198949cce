"""Analyses of a store: SALib sensitivity indices, noise, convergence and success criteria.

Before any sensitivity analysis the outputs are checked to be complete, finite and in design order (SALib
returns all-zero indices on a single NaN without a word); replicates are averaged per design point and
the share of variance due to the model's own randomness is reported beside the indices.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from SALib.analyze import delta as delta_analyze
from SALib.analyze import fast as fast_analyze
from SALib.analyze import rbd_fast as rbd_fast_analyze
from SALib.analyze import morris as morris_analyze
from SALib.analyze import pawn as pawn_analyze
from SALib.analyze import sobol as sobol_analyze

from papsim.experiments import criteria
from papsim.experiments import design as designs
from papsim.experiments.worker import RESERVED
from papsim.experiments.checks import RBD_FAST_M
from papsim.experiments.spec import Spec

CONVERGENCE_BOOTSTRAP = 200  # resamples per subset in the convergence check (the full design uses the spec's)
DELTA_BOOTSTRAP = 30  # SALib's delta takes ~0.1 s per resample on 400 points: its intervals use at most this


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


@dataclass(frozen=True)
class Noise:
    """How much of an output's variance is the model's own randomness, and what that does to the indices.

    ``single_run``: the share of one run's variance (it does not fall with more replicates);
    ``in_means``: the share left in the replicate means the indices are computed on (it falls as 1/R);
    ``replicates_needed``: replicates that bring ``in_means`` under ``threshold``; ``st_floor``: the total
    index an inert factor shows from that noise alone (Jansen's ST estimator adds the noise share of the
    means to every factor); ``dof``: degrees of freedom the noise estimate rests on (with common random
    numbers every point shares the same R seeds, so R - 1 however many points there are)."""

    single_run: float = math.nan
    in_means: float = math.nan
    replicates: int = 1
    replicates_needed: float = math.nan
    threshold: float = 0.05
    st_floor: float = math.nan
    dof: int = 0
    common_random_numbers: bool = False

    def columns(self) -> dict[str, float]:
        return {"noise_share_single_run": self.single_run, "noise_share_in_means": self.in_means,
                "replicates": self.replicates, "replicates_needed": self.replicates_needed,
                "noise_threshold": self.threshold, "st_noise_floor": self.st_floor, "noise_dof": self.dof,
                "common_random_numbers": self.common_random_numbers}


def point_outputs(spec: Spec, design: pd.DataFrame, runs: pd.DataFrame, output: str,
                  complete: bool = True) -> tuple[pd.DataFrame, np.ndarray, Noise]:
    """Design points, the output averaged over each point's replicates, and its noise (``Noise``).

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
    means = grouped.mean().to_numpy()
    return points, means, noise(y, table["point"], spec.replicates, spec.common_random_numbers,
                                spec.analysis.noise_threshold)


def noise_share(y: pd.Series, point: pd.Series) -> float:
    """Mean variance between replicates of a point over the total variance of single runs (NaN without
    replicates): the single-run share, which more replicates do not shrink."""
    within = y.groupby(point).var(ddof=1).mean()
    total = y.var(ddof=1)
    return float(within / total) if total > 0 and not math.isnan(within) else math.nan


def noise(y: pd.Series, point: pd.Series, replicates: int, crn: bool = False, threshold: float = 0.05) -> Noise:
    """The noise of an output: single-run share, share in the replicate means, replicates needed, ST floor."""
    within = float(y.groupby(point).var(ddof=1).mean())
    means = y.groupby(point).mean()
    points = len(means)
    if replicates < 2 or math.isnan(within) or points < 2:
        return Noise(replicates=replicates, threshold=threshold, common_random_numbers=crn)
    var_means = float(means.var(ddof=1))
    in_means = min(1.0, within / replicates / var_means) if var_means > 0 else 1.0
    between = max(var_means - within / replicates, 0.0)  # the factors' own share of the variance of means
    if within == 0:
        needed = 1.0
    elif between == 0:
        needed = math.inf
    else:
        needed = float(max(1, math.ceil(within * (1 - threshold) / (threshold * between))))
    dof = replicates - 1 if crn else points * (replicates - 1)
    return Noise(noise_share(y, point), in_means, replicates, needed, threshold, in_means, dof, crn)


def mark_noise_floor(table: pd.DataFrame, level: Noise, index: str = "ST") -> pd.DataFrame:
    """The noise columns beside an index table, and which indices cannot be told from the noise floor
    (``below_noise_floor``: the lower end of the index's interval is at or below the floor)."""
    table = table.assign(**level.columns())
    if index in table:
        low = table[index] - table.get(f"{index}_conf", 0.0).fillna(0.0)
        table["below_noise_floor"] = (low <= level.st_floor) if math.isfinite(level.st_floor) else False
    return table


# ---------------------------------------------------------------- the indices
def index_names(spec: Spec) -> list[str]:
    """Names of the Sobol' indices: the groups if the spec has any, else the factors (spec order)."""
    return spec.groups or spec.factor_names


def _sobol_one(spec: Spec, y: np.ndarray, bootstrap: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    second = spec.design.second_order
    si = sobol_analyze.analyze(designs.problem(spec), y, calc_second_order=second, num_resamples=bootstrap,
                               conf_level=spec.analysis.conf_level, seed=seed)
    names = index_names(spec)
    first = pd.DataFrame({"factor": names, "S1": si["S1"], "S1_conf": si["S1_conf"],
                          "ST": si["ST"], "ST_conf": si["ST_conf"]})
    pairs = []
    if second:
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                pairs.append({"factor_i": names[i], "factor_j": names[j],
                              "S2": si["S2"][i, j], "S2_conf": si["S2_conf"][i, j]})
    return first, pd.DataFrame(pairs, columns=["factor_i", "factor_j", "S2", "S2_conf"])


def scrambles(spec: Spec, y: np.ndarray) -> list[np.ndarray]:
    """The outputs of each independent scramble of a Sobol' design (one array per scramble)."""
    k = spec.design.scrambles if spec.design.method == "sobol" else 1
    if len(y) % k:
        raise AnalysisError(f"{len(y)} points do not split into {k} scrambles")
    return list(np.asarray(y).reshape(k, -1))


def _rqmc(tables: list[pd.DataFrame], keys: list[str], values: list[str], conf_level: float) -> pd.DataFrame:
    """The mean over independent scrambles, with a t interval from their spread (the ``_conf`` columns)."""
    k = len(tables)
    stacked = pd.concat([t.assign(scramble=i) for i, t in enumerate(tables)], ignore_index=True)
    grouped = stacked.groupby(keys, sort=False)
    out = grouped[values].mean()
    sd = grouped[values].std(ddof=1)
    half = stats.t.ppf((1 + conf_level) / 2, k - 1) * sd / math.sqrt(k)
    for v in values:
        out[f"{v}_conf"] = half[v]
        out[f"{v}_sd"] = sd[v]
    out = out.reset_index()
    out["scrambles"] = k
    return out[[*keys, *(c for v in values for c in (v, f"{v}_conf", f"{v}_sd")), "scrambles"]]


def sobol(spec: Spec, y: np.ndarray, bootstrap: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sobol' S1 and ST (and S2 if designed), of factors or of groups, in the spec's order.

    One scramble: bootstrap confidence intervals. Several independent scrambles: the mean of their
    estimates with a t interval from their spread (randomised quasi-Monte Carlo), which also shows an
    unlucky scramble that a bootstrap of one sequence cannot."""
    bootstrap = bootstrap or spec.analysis.bootstrap
    parts = scrambles(spec, y)
    if len(parts) == 1:
        first, pairs = _sobol_one(spec, parts[0], bootstrap, designs.sampler_seed(spec))
        first["scrambles"] = 1
    else:
        results = [_sobol_one(spec, part, min(bootstrap, CONVERGENCE_BOOTSTRAP), designs.sampler_seed(spec, k))
                   for k, part in enumerate(parts)]
        level = spec.analysis.conf_level
        first = _rqmc([r[0] for r in results], ["factor"], ["S1", "ST"], level)
        pairs = (_rqmc([r[1] for r in results], ["factor_i", "factor_j"], ["S2"], level)
                 if spec.design.second_order else results[0][1])
    if spec.groups:
        members = {g: ", ".join(f.name for f in spec.factors if (f.group or f.name) == g) for g in spec.groups}
        first["factors"] = first["factor"].map(members)
    return first, pairs


def sobol_by_scramble(spec: Spec, y: np.ndarray) -> pd.DataFrame:
    """S1 and ST of each scramble on its own (one row per scramble and factor)."""
    rows = [_sobol_one(spec, part, CONVERGENCE_BOOTSTRAP, designs.sampler_seed(spec, k))[0].assign(scramble=k)
            for k, part in enumerate(scrambles(spec, y))]
    return pd.concat(rows, ignore_index=True)


def morris(spec: Spec, x: pd.DataFrame, y: np.ndarray, bootstrap: int | None = None) -> pd.DataFrame:
    """Morris elementary effects: mu, mu* (with confidence interval) and sigma, per factor."""
    si = morris_analyze.analyze(designs.problem(spec, groups=False), x.to_numpy(dtype=float), y,
                                num_resamples=bootstrap or spec.analysis.bootstrap,
                                conf_level=spec.analysis.conf_level, num_levels=spec.design.levels,
                                seed=designs.sampler_seed(spec))
    return pd.DataFrame({"factor": spec.factor_names, "mu": si["mu"], "mu_star": si["mu_star"],
                         "mu_star_conf": si["mu_star_conf"], "sigma": si["sigma"]})


def efast(spec: Spec, y: np.ndarray, bootstrap: int | None = None) -> pd.DataFrame:
    """eFAST first-order and total indices with confidence intervals."""
    si = fast_analyze.analyze(designs.problem(spec, groups=False), y, M=spec.design.interference,
                              num_resamples=bootstrap or spec.analysis.bootstrap,
                              conf_level=spec.analysis.conf_level, seed=designs.sampler_seed(spec))
    return pd.DataFrame({"factor": spec.factor_names, "S1": si["S1"], "S1_conf": si["S1_conf"],
                         "ST": si["ST"], "ST_conf": si["ST_conf"]})


def pawn(spec: Spec, x: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    """PAWN (distribution-based, given data): statistics of the KS distance per factor; works on any design."""
    si = pawn_analyze.analyze(designs.problem(spec, groups=False), x.to_numpy(dtype=float), y,
                              S=spec.analysis.pawn_slices, seed=designs.sampler_seed(spec))
    return pd.DataFrame({"factor": spec.factor_names, "median": si["median"], "mean": si["mean"],
                         "minimum": si["minimum"], "maximum": si["maximum"], "CV": si["CV"]})


def delta(spec: Spec, x: pd.DataFrame, y: np.ndarray, bootstrap: int | None = None) -> pd.DataFrame:
    """Borgonovo's delta (moment-independent) and a given-data S1, per factor; works on any design."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = delta_analyze.analyze(designs.problem(spec, groups=False), x.to_numpy(dtype=float), y,
                                   num_resamples=min(bootstrap or spec.analysis.bootstrap, DELTA_BOOTSTRAP),
                                   conf_level=spec.analysis.conf_level, seed=designs.sampler_seed(spec),
                                   method="all")
    return pd.DataFrame({"factor": spec.factor_names, "delta": si["delta_raw"], "delta_conf": si["delta_raw_conf"],
                         "S1": si["S1"], "S1_conf": si["S1_conf"]})


def rbd_fast(spec: Spec, x: pd.DataFrame, y: np.ndarray, bootstrap: int | None = None) -> pd.DataFrame:
    """RBD-FAST first-order indices from given data (any design), per factor."""
    si = rbd_fast_analyze.analyze(designs.problem(spec, groups=False), x.to_numpy(dtype=float), y, M=RBD_FAST_M,
                                  num_resamples=bootstrap or spec.analysis.bootstrap,
                                  conf_level=spec.analysis.conf_level, seed=designs.sampler_seed(spec))
    return pd.DataFrame({"factor": spec.factor_names, "S1": si["S1"], "S1_conf": si["S1_conf"]})


def indices(method: str, spec: Spec, x: pd.DataFrame, y: np.ndarray, bootstrap: int | None = None) -> pd.DataFrame:
    """One method's main index table."""
    if method == "sobol":
        return sobol(spec, y, bootstrap)[0]
    if method == "morris":
        return morris(spec, x, y, bootstrap)
    if method == "efast":
        return efast(spec, y, bootstrap)
    if method == "delta":
        return delta(spec, x, y, bootstrap)
    if method == "rbd_fast":
        return rbd_fast(spec, x, y, bootstrap)
    return pawn(spec, x, y)


MAIN_INDEX = {"sobol": "ST", "efast": "ST", "morris": "mu_star", "pawn": "median", "delta": "delta",
              "rbd_fast": "S1"}
CONVERGENCE_COLUMNS = ["size", "points", "factor", "index", "value", "conf", "spread", "scrambles"]


def convergence_sizes(method: str, spec: Spec, points: int) -> tuple[int, list[int]]:
    """Rows per block and the subset sizes (in blocks) of the convergence check; fewer than two: no check."""
    if method == "sobol":
        total = spec.design.n
        return designs.block(spec), [n for n in (2**k for k in range(2, 31)) if total // 64 <= n <= total]
    if method == "morris":
        total = spec.design.n
        return len(spec.factors) + 1, sorted({max(2, total * k // 8) for k in (1, 2, 4, 8)})
    return 1, sorted({max(10, points * k // 8) for k in (1, 2, 4, 8)} & set(range(10, points + 1)))


def convergence(method: str, spec: Spec, x: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    """The method's main index recomputed on growing leading subsets of the design (eFAST has none).

    Subsets are whole blocks: base samples for Sobol' (powers of two, so the scrambled sequence stays
    balanced), trajectories for Morris, points for the given-data methods. With several Sobol' scrambles
    each size is computed on every scramble: ``value`` is their mean, ``conf`` the t interval from their
    spread and ``spread`` their standard deviation, so convergence is judged on independent sequences.
    """
    parts = scrambles(spec, y) if method == "sobol" else [np.asarray(y)]
    xs = np.array_split(np.arange(len(y)), len(parts))
    block, sizes = convergence_sizes(method, spec, len(parts[0]))
    index = MAIN_INDEX[method]
    rows = []
    for n in sizes:
        tables = []
        for k, (part, rows_k) in enumerate(zip(parts, xs)):
            xk = x.iloc[rows_k[: n * block]]
            if method == "sobol":
                t = _sobol_one(spec, part[: n * block], CONVERGENCE_BOOTSTRAP, designs.sampler_seed(spec, k))[0]
            else:
                t = indices(method, spec, xk, part[: n * block], 10 if method == "delta" else CONVERGENCE_BOOTSTRAP)
            tables.append(t)
        if len(tables) > 1:
            merged = _rqmc([t[["factor", index]] for t in tables], ["factor"], [index], spec.analysis.conf_level)
            for r in merged.itertuples(index=False):
                rows.append({"size": n, "points": n * block, "factor": r.factor, "index": index,
                             "value": getattr(r, index), "conf": getattr(r, f"{index}_conf"),
                             "spread": getattr(r, f"{index}_sd"), "scrambles": len(tables)})
        else:
            for r in tables[0].itertuples(index=False):
                rows.append({"size": n, "points": n * block, "factor": r.factor, "index": index,
                             "value": getattr(r, index), "conf": getattr(r, f"{index}_conf", math.nan),
                             "spread": math.nan, "scrambles": 1})
    return pd.DataFrame(rows, columns=CONVERGENCE_COLUMNS).astype(
        {"size": int, "points": int, "value": float, "conf": float, "spread": float, "scrambles": int})


def success(table: pd.DataFrame, expression: str) -> pd.Series:
    """Which rows meet a success criterion such as 'gang_population_share_day365 < 0.5' (NaN: not met).

    The criterion is parsed by :mod:`papsim.experiments.criteria` (comparisons of names with numbers,
    and/or/not), never evaluated as code."""
    columns = [c for c in table.columns if c not in RESERVED]
    return pd.Series(criteria.evaluate(expression, table[columns]), index=table.index)


def _some(items: list, k: int = 10) -> str:
    shown = ", ".join(str(i) for i in items[:k])
    return shown + (f", ... ({len(items)} in all)" if len(items) > k else "")
