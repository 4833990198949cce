"""Calibration: fit the uncertain parameters so that ``mss_as_deployed`` reproduces the 2024 record at once.

Pattern-oriented modelling (Grimm et al. 2005) by approximate Bayesian computation (ABC), with the adaptive
population Monte Carlo algorithm APMC of Lenormand, Jabot & Deffuant (2013, *Computational Statistics* 28):

1. Prior: independent uniforms over the registry ranges of the calibrated parameters (:data:`FACTORS`, and
   the share of national figures that falls in the modelled area, registry
   ``area_share_of_national_violence``, which only scales the national figures and costs no run).
2. Generation 0: ``particles`` parameter sets from a Latin hypercube over the prior. Each set is run
   ``replicates`` times with common random numbers (the same seeds for every set), through the experiments
   engine (one store per generation, resumable); its statistics are the replicate means of ten pattern
   statistics of 2024 (:data:`PATTERNS`).
3. Distance: each pattern has an observed centre and an interval counted as "reproduced"; a pattern's error
   is the deviation from the centre divided by the distance from the centre to the interval's bound on that
   side (|e| <= 1: inside the interval); national figures are first multiplied by the set's area share. The
   distance is the root mean square of the ten errors.
4. Each generation keeps the share ``alpha`` of the sets nearest so far (the tolerance epsilon is their
   largest distance), then draws ``(1 - alpha) x particles`` new sets from the kept ones (by weight), moved
   by a Gaussian kernel with twice their weighted covariance and redrawn until inside the prior's support,
   and weights them by prior / proposal density. It stops when the budget of runs is spent or fewer than
   ``min_acceptance`` of a generation's new sets fall within the previous tolerance.
5. The kept sets and their weights are the posterior sample; the kept set with the smallest distance is
   written as ``scenarios/calibrated.toml`` with the posterior median and 90% interval of every parameter.

The model starts on 1 January 2024, so the 2023 figures of the record (4,789 killed, 2,490 kidnapped) are
not compared: the calibration uses the 2024 figures only. Displacement figures are national stocks (IOM)
compared with the model's displacement flows over the same periods.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from papsim.errors import InputError
from papsim.registry import PARAMETERS
from papsim.scenario import SCENARIO_DIR, load_scenario

CALIBRATION_SCENARIO = SCENARIO_DIR / "mss_as_deployed.toml"
CALIBRATED = SCENARIO_DIR / "calibrated.toml"
DEFAULT_OUT = Path("results") / "calibration"
YEAR_START = dt.date(2024, 1, 1)
WINDOW_END = dt.date(2024, 12, 31)  # the record's outcome figures run to the end of 2024
SHARE = "area_share_of_national_violence"

# The factors fitted (uniform priors on their registry ranges), besides the area share.
FACTORS = (
    "initial_gang_territory_share",
    "gang_expansion_rate",
    "community_resistance",
    "gang_members_total",
    "predation_killing_rate",
    "border_killing_rate",
    "kidnap_rate",
    "displaced_per_death",
    "front_flight_rate",
)


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
SERIES = ("gang_territory_share", "killed", "kidnappings", "displaced_total")


# --------------------------------------------------------------------------------------------- the model
PARAMS = (*FACTORS, SHARE)  # the particle: the model's factors, then the area share


@lru_cache(maxsize=4)
def _scenario(path: str):
    return load_scenario(path)


def window_days(scenario) -> int:
    """Days to simulate from the scenario's start to the end of the calibration window (end of 2024)."""
    if scenario.start_date > YEAR_START:
        raise InputError(f"{scenario.path}: starts on {scenario.start_date}; the calibration needs a scenario "
                         f"that starts on or before {YEAR_START}")
    return scenario.day_of(WINDOW_END) + 1


def statistics(ts: pd.DataFrame, start: dt.date) -> dict[str, float]:
    """The pattern statistics of one run's daily series (row ``d`` is the state at the end of day ``d``)."""
    def end_of(date: dt.date) -> int:
        return (date - start).days + 1

    killed = (ts["deaths_civilian"] + ts["deaths_gang"] + ts["deaths_hnp"] + ts["deaths_mss"]).to_numpy()
    kidnapped = ts["kidnappings"].to_numpy()
    displaced = ts["displaced_total"].to_numpy()
    territory = ts["gang_territory_share"].to_numpy()
    y0 = end_of(YEAR_START) - 1
    mar, jun, dec = end_of(dt.date(2024, 3, 31)), end_of(dt.date(2024, 6, 30)), end_of(WINDOW_END)

    def flow(series: np.ndarray, a: int, b: int) -> float:
        return float(series[a + 1:b + 1].sum())

    return {
        "territory_2024_03": float(territory[mar]),
        "territory_2024_12": float(territory[dec]),
        "killed_2024_q1": flow(killed, y0, mar),
        "killed_2024_h1": flow(killed, y0, jun),
        "killed_2024": flow(killed, y0, dec),
        "kidnapped_2024_h1": flow(kidnapped, y0, jun),
        "kidnapped_2024": flow(kidnapped, y0, dec),
        "displaced_2024_q1": float(displaced[mar] - displaced[y0]),
        "displaced_2024_q2": float(displaced[jun] - displaced[mar]),
        "displaced_2024_h2": float(displaced[dec] - displaced[jun]),
    }


@dataclass(frozen=True)
class ParticleModel:
    """The engine's model: factor ``particle`` picks a parameter set (values of :data:`FACTORS`); the
    calibration scenario is run with it to the end of 2024. Returns the pattern statistics and the daily
    series the figure needs (cumulative since the start)."""

    scenario: str
    particles: tuple[tuple[float, ...], ...]

    def __call__(self, factors: dict[str, Any], seed: int):
        import papsim

        values = dict(zip(FACTORS, self.particles[int(factors["particle"])]))
        base = _scenario(self.scenario)
        result = papsim.run(base.replace(**values), seed=seed, days=window_days(base))
        ts = result.timeseries
        stats = statistics(ts, base.start_date)
        killed = ts["deaths_civilian"] + ts["deaths_gang"] + ts["deaths_hnp"] + ts["deaths_mss"]
        daily = pd.DataFrame({
            "day": ts["day"],
            "gang_territory_share": ts["gang_territory_share"],
            "killed": killed.cumsum(),
            "kidnappings": ts["kidnappings"].cumsum(),
            "displaced_total": ts["displaced_total"],
        })
        return stats, daily


# --------------------------------------------------------------------------------------------- distance
def bounds() -> tuple[np.ndarray, np.ndarray]:
    """Prior bounds (the registry ranges) of the particle's components."""
    return (np.array([PARAMETERS[n].low for n in PARAMS], float),
            np.array([PARAMETERS[n].high for n in PARAMS], float))


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


# --------------------------------------------------------------------------------------------- one generation
def _spec(generation: int, n: int, replicates: int, seed: int, thetas: np.ndarray, scenario: Path):
    import hashlib

    from papsim.experiments import Spec

    digest = hashlib.sha256(np.ascontiguousarray(thetas).tobytes()).hexdigest()[:16]
    return Spec.from_dict({
        "name": f"calibration-gen{generation:02d}",
        "description": f"APMC calibration of {scenario.name}, generation {generation} ({n} parameter sets, "
                       f"sha256 {digest}; papsim.analyses.calibration)",
        "model": "papsim.analyses.calibration:ParticleModel",
        "replicates": replicates,
        "seed": seed,
        "common_random_numbers": True,
        "series": "all",
        "design": {"method": "grid"},
        "factors": {"particle": {"values": list(range(n)), "kind": "int"}},
        "analysis": {"methods": []},
    }, source="pap-sim calibrate")


def run_generation(generation: int, thetas: np.ndarray, scenario: Path, replicates: int, seed: int, out: Path,
                   executor: str, workers: int | None, resume: bool, progress: bool) -> pd.DataFrame:
    """Run one generation's parameter sets through the engine; one row per set: parameters, replicate means
    of the statistics, errors, distance (infinite if a run failed)."""
    from papsim.experiments import sweep

    spec = _spec(generation, len(thetas), replicates, seed, thetas, scenario)
    model = ParticleModel(str(scenario), tuple(tuple(float(v) for v in row[:len(FACTORS)]) for row in thetas))
    report = sweep(spec, model, out / f"gen-{generation:02d}", executor=executor, workers=workers, resume=resume,
                   progress=progress)
    runs = report.store.runs()
    stats = [p.statistic for p in PATTERNS]
    table = pd.DataFrame(thetas, columns=list(PARAMS))
    table.insert(0, "particle", np.arange(len(thetas)))
    table.insert(0, "generation", generation)
    ok = runs[runs["status"] == "ok"]
    failed = runs.loc[runs["status"] != "ok", "particle"].astype(int)
    if ok.empty:
        first = runs["error"].iloc[0] if len(runs) else "no runs"
        raise RuntimeError(f"every calibration run of generation {generation} failed (first error: {first})")
    means = ok.groupby("particle")[stats].mean().reindex(range(len(thetas)))
    means.loc[means.index.isin(set(failed))] = np.nan
    table[stats] = means.to_numpy()
    table["runs_ok"] = ok.groupby("particle").size().reindex(range(len(thetas))).fillna(0).astype(int).to_numpy()
    err = errors(table, table[SHARE].to_numpy())
    for k, pat in enumerate(PATTERNS):
        table[f"e_{pat.name}"] = err[:, k]
    table["distance"] = distance(err)
    table["patterns_hit"] = (np.abs(err) <= 1.0).sum(axis=1)
    return table


# --------------------------------------------------------------------------------------------- APMC
def _weighted_cov(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    w = w / w.sum()
    mean = w @ x
    d = x - mean
    return (d * w[:, None]).T @ d


def _log_kernel_mixture(new: np.ndarray, old: np.ndarray, w_old: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """log sum_j w_j N(new_i; old_j, cov) for every new_i (w normalised)."""
    from scipy.special import logsumexp
    from scipy.stats import multivariate_normal

    w = w_old / w_old.sum()
    logs = np.stack([multivariate_normal(mean=o, cov=cov, allow_singular=True).logpdf(new).reshape(len(new))
                     for o in old], axis=1)
    return logsumexp(logs + np.log(w)[None, :], axis=1)


def _propose(rng: np.random.Generator, kept: np.ndarray, weights: np.ndarray, cov: np.ndarray, n: int,
             low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """n new sets: a kept set drawn by weight, moved by N(0, cov), redrawn until inside the prior's support."""
    out = np.empty((n, kept.shape[1]))
    p = weights / weights.sum()
    for i in range(n):
        for _ in range(1000):
            cand = rng.multivariate_normal(kept[rng.choice(len(kept), p=p)], cov, method="eigh")
            if np.all(cand >= low) and np.all(cand <= high):
                break
        else:  # pragma: no cover - a kernel far wider than the prior: keep the last draw, clipped
            cand = np.clip(cand, low, high)
        out[i] = cand
    return out


@dataclass
class Posterior:
    """The outcome of the calibration."""

    particles: pd.DataFrame  # every set simulated, all generations
    kept: pd.DataFrame  # the posterior sample (the last generation's kept sets), with normalised weights
    best: pd.Series  # the kept set with the smallest distance
    epsilon: float  # the final tolerance
    generations: pd.DataFrame  # per generation: new sets, tolerance, acceptance rate
    strict: int  # sets (of all simulated) that reproduce every pattern

    @property
    def acceptance_rate(self) -> float:
        """Share of the last generation's new sets that fell within the previous tolerance."""
        last = self.generations["acceptance_rate"].dropna()
        return float(last.iloc[-1]) if len(last) else math.nan


def apmc(simulate, budget_sets: int, particles: int, alpha: float, min_acceptance: float,
         rng: np.random.Generator) -> Posterior:
    """Adaptive population Monte Carlo ABC (Lenormand et al. 2013) over :data:`PARAMS`.

    ``simulate(generation, thetas)`` returns the table of :func:`run_generation` for those sets.
    """
    from scipy.stats import qmc

    low, high = bounds()
    log_prior = -float(np.sum(np.log(high - low)))  # uniform prior density
    n = min(particles, budget_sets)
    n_alpha = max(1, int(round(alpha * n)))
    n_new = n - n_alpha
    thetas = low + qmc.LatinHypercube(d=len(PARAMS), seed=rng).random(n) * (high - low)
    table = simulate(0, thetas)
    table["weight"] = 1.0
    every = [table]
    kept = table.nsmallest(n_alpha, "distance").copy()
    epsilon = float(kept["distance"].max())
    history = [{"generation": 0, "new_sets": n, "epsilon": epsilon, "acceptance_rate": math.nan,
                "kept": len(kept)}]
    used, generation = n, 0
    while n_new > 0 and used + n_new <= budget_sets:
        generation += 1
        x = kept[list(PARAMS)].to_numpy(float)
        w = kept["weight"].to_numpy(float)
        cov = 2.0 * _weighted_cov(x, w)
        cov += np.diag((1e-6 * (high - low)) ** 2)  # never singular
        if len(kept) < 2:
            cov = np.diag((0.1 * (high - low)) ** 2)
        new_thetas = _propose(rng, x, w, cov, n_new, low, high)
        new = simulate(generation, new_thetas)
        new["weight"] = np.exp(log_prior - _log_kernel_mixture(new_thetas, x, w, cov))
        accepted = float((new["distance"] < epsilon).mean())
        every.append(new)
        merged = pd.concat([kept, new], ignore_index=True)
        kept = merged.nsmallest(n_alpha, "distance").copy()
        epsilon = float(kept["distance"].max())
        used += n_new
        history.append({"generation": generation, "new_sets": n_new, "epsilon": epsilon,
                        "acceptance_rate": accepted, "kept": len(kept)})
        if accepted < min_acceptance:
            break
    kept["weight"] = kept["weight"] / kept["weight"].sum()
    kept = kept.sort_values("distance").reset_index(drop=True)
    particles_table = pd.concat(every, ignore_index=True)
    strict = int((particles_table["patterns_hit"] == len(PATTERNS)).sum())
    return Posterior(particles_table, kept, kept.iloc[0], epsilon, pd.DataFrame(history), strict)


# --------------------------------------------------------------------------------------------- summaries
def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w) / w.sum()
    return float(v[min(np.searchsorted(cum, q), len(v) - 1)])


def posterior_summary(post: Posterior) -> pd.DataFrame:
    """Prior range, weighted posterior median and 90% interval, and the chosen value of every parameter."""
    rows = []
    w = post.kept["weight"].to_numpy()
    for name in PARAMS:
        p = PARAMETERS[name]
        v = post.kept[name].to_numpy(float)
        p05, med, p95 = (weighted_quantile(v, w, q) for q in (0.05, 0.5, 0.95))
        rows.append({"parameter": name, "prior_low": p.low, "prior_high": p.high, "registry_default": p.default,
                     "posterior_median": med, "posterior_p05": p05, "posterior_p95": p95,
                     "chosen": _typed(name, post.best[name]),
                     "posterior_width_share_of_prior": (p95 - p05) / (p.high - p.low)})
    return pd.DataFrame(rows)


def pattern_table(post: Posterior) -> pd.DataFrame:
    """Every pattern in national-equivalent units (model area figure / the set's area share): the observed
    interval, the chosen set's value, the weighted posterior predictive 90% interval, and hits."""
    rows = []
    w = post.kept["weight"].to_numpy()
    for pat in PATTERNS:
        shares = post.kept[SHARE].to_numpy(float) if pat.national else 1.0
        pred = post.kept[pat.statistic].to_numpy(float) / shares
        chosen = float(post.best[pat.statistic]) / (float(post.best[SHARE]) if pat.national else 1.0)
        e = post.kept[f"e_{pat.name}"].to_numpy(float)
        rows.append({"pattern": pat.name, "label": pat.label, "observed_centre": pat.centre,
                     "observed_low": pat.low, "observed_high": pat.high, "chosen": chosen,
                     "chosen_hit": bool(abs(float(post.best[f"e_{pat.name}"])) <= 1.0),
                     "posterior_median": weighted_quantile(pred, w, 0.5),
                     "posterior_p05": weighted_quantile(pred, w, 0.05),
                     "posterior_p95": weighted_quantile(pred, w, 0.95),
                     "posterior_hit_share": float(np.sum(w * (np.abs(e) <= 1.0))),
                     "national": pat.national, "source": pat.source})
    return pd.DataFrame(rows)


def _typed(name: str, value: Any) -> Any:
    p = PARAMETERS[name]
    return int(round(float(value))) if p.kind == "int" else float(value)


def _fmt(name: str, value: float) -> str:
    p = PARAMETERS[name]
    if p.kind == "int":
        return str(int(round(value)))
    return f"{value:.6g}"


def write_calibrated(path: Path, post: Posterior, summary: pd.DataFrame, meta: dict[str, Any]) -> None:
    """Write the chosen parameter set as a scenario file with a header stating how it was obtained."""
    gens = post.generations
    lines = [
        "# Calibrated parameters: written by `pap-sim calibrate` (papsim/analyses/calibration.py); do not edit by hand.",
        "#",
        "# Method: approximate Bayesian computation, adaptive population Monte Carlo (APMC, Lenormand et al. 2013),",
        f"#   pattern-oriented: {len(PATTERNS)} patterns of 2024 at once; scenario {meta['scenario']} run from",
        f"#   {meta['start']} to {WINDOW_END}; uniform priors on the registry ranges of {len(PARAMS)} parameters;",
        f"#   {meta['particles']} sets per generation (Latin hypercube first), alpha = {meta['alpha']}, "
        f"{len(gens)} generations; each set run {meta['replicates']} times on common random numbers.",
        f"# Budget: {meta['runs']} runs ({meta['failed']} failed) of {meta['budget']} allowed; date: {meta['date']}; "
        f"root seed {meta['seed']}; wall time {meta['wall_s']:.0f} s with {meta['workers']}.",
        "# Distance: root mean square over the patterns of the normalised error (replicate mean - observed",
        "#   centre) / (distance from the centre to the pattern's interval bound on that side); |error| <= 1 =",
        "#   reproduced; national figures times the set's area_share_of_national_violence.",
        f"# Acceptance: final tolerance epsilon = {post.epsilon:.3f}; acceptance rate of the last generation's new "
        f"sets = {post.acceptance_rate:.1%}",
        f"#   (tolerances by generation: {', '.join(f'{e:.2f}' for e in gens['epsilon'])}); posterior: "
        f"{len(post.kept)} weighted sets of {len(post.particles)} simulated.",
        f"#   Sets reproducing all {len(PATTERNS)} patterns at once: {post.strict} of {len(post.particles)}.",
        f"# Chosen set: the kept set with the smallest distance ({float(post.best['distance']):.3f}; "
        f"{int(post.best['patterns_hit'])} of {len(PATTERNS)} patterns inside their intervals).",
        f"# Model fingerprint (sha256 of papsim/model.py, papsim/mechanisms/*.py, papsim/registry.py, the map): "
        f"{meta['fingerprint']}",
        "# Patterns and results: docs/validation.md. Scenarios inherit these values through baseline.toml.",
        "",
        "[scenario]",
        'name = "calibrated"',
        'description = "Calibrated parameters (state on 1 Jan 2024); run alone it is the HNP without a mission."',
        "start_date = 2024-01-01",
        "days = 366",
        "",
        "[parameters]",
    ]
    width = max(len(n) for n in summary["parameter"])
    for row in summary.itertuples(index=False):
        value = _fmt(row.parameter, row.chosen)
        note = (f"# posterior median {_fmt(row.parameter, row.posterior_median)}, 90% "
                f"[{_fmt(row.parameter, row.posterior_p05)}, {_fmt(row.parameter, row.posterior_p95)}]; "
                f"prior [{row.prior_low:g}, {row.prior_high:g}]")
        lines.append(f"{row.parameter:<{width}} = {value:<11} {note}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------------------------- figures
def _series_by_set(out: Path, generations: list[int]) -> dict[tuple[int, int], list[np.ndarray]]:
    """Daily series of every run, by (generation, particle): arrays of shape (variables, days)."""
    from papsim.experiments import Store

    found: dict[tuple[int, int], list[np.ndarray]] = {}
    for g in generations:
        store = Store(out / f"gen-{g:02d}")
        series = store.series(list(SERIES))
        if series.empty:
            continue
        runs = store.runs(columns=["run_id", "particle", "status"])
        wide = series.pivot_table(index=["run_id", "day"], columns="variable", values="value")
        particle_of = runs.set_index("run_id")["particle"]
        for run_id, block in wide.groupby(level=0):
            arr = block[list(SERIES)].to_numpy().T
            found.setdefault((g, int(particle_of[run_id])), []).append(arr)
    return found


def bands_figure(out: Path, post: Posterior, start: dt.date, path: Path, seed: int) -> Path:
    """Model bands (prior predictive and posterior predictive, 5-95%) against the observed points of 2024."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gens = sorted(post.particles["generation"].unique())
    series = _series_by_set(out, [int(g) for g in gens])
    share = post.particles.set_index(["generation", "particle"])[SHARE]
    national = np.array([v != "gang_territory_share" for v in SERIES])

    def scaled(key) -> list[np.ndarray]:
        s = float(share[key])
        return [np.where(national[:, None], a / s, a) for a in series.get(key, [])]

    prior = [a for key in series if key[0] == 0 for a in scaled(key)]
    rng = np.random.default_rng(seed)
    keys = list(zip(post.kept["generation"].astype(int), post.kept["particle"].astype(int)))
    draws = rng.choice(len(keys), size=min(400, 20 * len(keys)), p=post.kept["weight"].to_numpy())
    posterior = [a for i in draws for a in scaled(keys[i])]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), constrained_layout=True)
    titles = ("Gang share of the territory", "Killed since 1 Jan 2024 (national equivalent)",
              "Kidnapped since 1 Jan 2024 (national equivalent)", "Displaced since 1 Jan 2024 (national equivalent)")
    for k, (ax, var, title) in enumerate(zip(axes.ravel(), SERIES, titles)):
        post_arr = np.array([a[k] for a in posterior]) if posterior else None
        if prior:
            arr = np.array([a[k] for a in prior])
            x = pd.Timestamp(start) + pd.to_timedelta(np.arange(arr.shape[1]), unit="D")
            ax.fill_between(x, np.percentile(arr, 5, axis=0), np.percentile(arr, 95, axis=0), color="#BBBBBB",
                            alpha=0.5, label="prior predictive 5-95% (generation 0)")
        if post_arr is not None:
            x = pd.Timestamp(start) + pd.to_timedelta(np.arange(post_arr.shape[1]), unit="D")
            ax.fill_between(x, np.percentile(post_arr, 5, axis=0), np.percentile(post_arr, 95, axis=0),
                            color="#0072B2", alpha=0.35, label="posterior predictive 5-95%")
            ax.plot(x, np.median(post_arr, axis=0), color="#0072B2", lw=1.5, label="posterior median")
        _observed(ax, var, start, post_arr)
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="lower right")
    fig.suptitle("Calibration of mss_as_deployed against the 2024 record (orange: observed intervals)", fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def _observed(ax, var: str, start: dt.date, post: np.ndarray | None) -> None:
    """Observed points and their intervals on a panel (national units)."""
    def end_row(date: dt.date) -> int:
        return (date - start).days + 1

    by_stat = {p.statistic: p for p in PATTERNS}
    mar, jun = dt.date(2024, 3, 31), dt.date(2024, 6, 30)
    points: list[tuple[dt.date, Pattern, float]] = []
    if var == "gang_territory_share":
        points = [(mar, by_stat["territory_2024_03"], 0.0), (WINDOW_END, by_stat["territory_2024_12"], 0.0)]
    elif var == "killed":
        points = [(mar, by_stat["killed_2024_q1"], 0.0), (jun, by_stat["killed_2024_h1"], 0.0),
                  (WINDOW_END, by_stat["killed_2024"], 0.0)]
    elif var == "kidnappings":
        points = [(jun, by_stat["kidnapped_2024_h1"], 0.0), (WINDOW_END, by_stat["kidnapped_2024"], 0.0)]
    elif var == "displaced_total":
        def anchor(date: dt.date) -> float:  # increments, anchored on the posterior median at the period's start
            row = end_row(date)
            return float(np.median(post[:, row])) if post is not None and row < post.shape[1] else 0.0
        points = [(mar, by_stat["displaced_2024_q1"], 0.0), (jun, by_stat["displaced_2024_q2"], anchor(mar)),
                  (WINDOW_END, by_stat["displaced_2024_h2"], anchor(jun))]
    for date, pat, base in points:
        c, lo, hi = base + pat.centre, base + pat.low, base + pat.high
        ax.errorbar([pd.Timestamp(date)], [c], yerr=[[c - lo], [hi - c]], fmt="o", color="#D55E00", capsize=4,
                    ms=5, zorder=5)


def posterior_figure(post: Posterior, path: Path) -> Path:
    """Weighted marginal posterior histograms of the calibrated parameters over their prior ranges."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 4, figsize=(13, 8), constrained_layout=True)
    for ax in axes.ravel()[len(PARAMS):]:
        ax.set_visible(False)
    for ax, name in zip(axes.ravel(), PARAMS):
        p = PARAMETERS[name]
        ax.hist(post.kept[name].astype(float), bins=15, range=(p.low, p.high), weights=post.kept["weight"],
                color="#0072B2", alpha=0.7)
        ax.axvline(float(post.best[name]), color="#D55E00", lw=2, label="chosen")
        ax.axvline(float(p.default), color="#555555", ls="--", lw=1, label="registry default")
        ax.set_xlim(p.low, p.high)
        ax.set_title(name, fontsize=9)
    axes[0, 0].legend(fontsize=7)
    fig.suptitle(f"APMC posterior ({len(post.kept)} weighted sets; x axis = prior range)", fontsize=11)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------------------------- driver
@dataclass
class CalibrationResult:
    out: Path
    calibrated: Path
    posterior: Posterior
    summary: pd.DataFrame
    patterns: pd.DataFrame
    meta: dict[str, Any]


def model_fingerprint() -> str:
    """A digest of the code and data the calibration depends on: when it changes, calibrate again."""
    import hashlib

    root = Path(__file__).resolve().parent.parent
    files = [root / "model.py", root / "registry.py", *sorted((root / "mechanisms").glob("*.py")),
             SCENARIO_DIR / "map" / "city.toml"]
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def calibrate(budget: int = 1600, replicates: int = 2, particles: int = 100, alpha: float = 0.5,
              min_acceptance: float = 0.05, out: str | Path = DEFAULT_OUT, calibrated: str | Path = CALIBRATED,
              scenario: str | Path = CALIBRATION_SCENARIO, seed: int = 20241231, executor: str = "processes",
              workers: int | None = None, resume: bool = False, progress: bool = True) -> CalibrationResult:
    """Run the APMC calibration through the experiments engine and write its results.

    ``budget`` is the number of model runs allowed (parameter sets x replicates).
    """
    import os
    import time

    start_clock = time.perf_counter()
    if replicates < 1:
        raise InputError(f"--replicates = {replicates} is not allowed; expected an int >= 1")
    if budget // replicates < 2:
        raise InputError(f"--budget = {budget} is not allowed with --replicates {replicates}; expected at least "
                         f"{2 * replicates} runs (two parameter sets)")
    if particles < 2:
        raise InputError(f"--particles = {particles} is not allowed; expected an int >= 2")
    if not 0 < alpha < 1:
        raise InputError(f"--alpha = {alpha} is not allowed; expected a share in (0, 1)")
    if not 0 <= min_acceptance <= 1:
        raise InputError(f"--min-acceptance = {min_acceptance} is not allowed; expected a share in [0, 1]")
    if seed < 0:
        raise InputError(f"--seed = {seed} is not allowed; expected an int >= 0")
    scenario_path = Path(scenario).resolve()
    base = load_scenario(scenario_path)
    window_days(base)
    out = Path(out)

    def simulate(generation: int, thetas: np.ndarray) -> pd.DataFrame:
        return run_generation(generation, thetas, scenario_path, replicates, seed, out, executor, workers, resume,
                              progress)

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xAB0C,)))
    post = apmc(simulate, budget // replicates, particles, alpha, min_acceptance, rng)
    summary = posterior_summary(post)
    patterns = pattern_table(post)
    runs_ok = int(post.particles["runs_ok"].sum())
    runs = int(len(post.particles) * replicates)
    shown = f"scenarios/{scenario_path.name}" if scenario_path.parent == SCENARIO_DIR else str(scenario_path)
    meta = {"scenario": shown,
            "start": base.start_date, "particles": min(particles, budget // replicates), "alpha": alpha,
            "replicates": replicates, "runs": runs, "failed": runs - runs_ok, "budget": budget,
            "date": dt.date.today().isoformat(), "seed": seed, "wall_s": time.perf_counter() - start_clock,
            "workers": "1 process" if executor == "serial" else f"{workers or os.cpu_count()} {executor} worker(s)",
            "fingerprint": model_fingerprint()}
    tables, figures = out / "tables", out / "figures"
    tables.mkdir(parents=True, exist_ok=True)
    figures.mkdir(parents=True, exist_ok=True)
    post.particles.to_csv(tables / "calibration_particles.csv", index=False)
    post.kept.to_csv(tables / "posterior_sample.csv", index=False)
    post.generations.to_csv(tables / "calibration_generations.csv", index=False)
    summary.to_csv(tables / "posterior_summary.csv", index=False)
    patterns.to_csv(tables / "calibration_patterns.csv", index=False)
    bands_figure(out, post, base.start_date, figures / "calibration_bands.png", seed)
    posterior_figure(post, figures / "posterior.png")
    calibrated = Path(calibrated)
    write_calibrated(calibrated, post, summary, meta)
    (out / "calibration.json").write_text(json.dumps(
        {"kind": "calibration", "method": "APMC (Lenormand et al. 2013)", "calibrated_file": str(calibrated),
         **{k: str(v) if isinstance(v, dt.date) else v for k, v in meta.items()},
         "epsilon": post.epsilon, "acceptance_rate_last_generation": post.acceptance_rate,
         "sets_simulated": len(post.particles), "sets_reproducing_all_patterns": post.strict,
         "best_parameters": {r.parameter: r.chosen for r in summary.itertuples()}}, indent=2, default=str))
    return CalibrationResult(out, calibrated, post, summary, patterns, meta)
