"""Calibration: fit the uncertain parameters so that ``mss_as_deployed`` reproduces the 2024 record at once.

Pattern-oriented modelling (Grimm et al. 2005) by approximate Bayesian computation, with the adaptive
population Monte Carlo algorithm APMC (``papsim/analyses/apmc.py``) against the record's patterns and
distance (``papsim/analyses/patterns.py``):

1. Prior: independent uniforms over the registry ranges of the calibrated parameters (:data:`FACTORS`, and
   the share of national figures that falls in the modelled area, registry
   ``area_share_of_national_violence``, which only scales the national figures and costs no run).
2. Each parameter set is run ``replicates`` times with common random numbers (the same seeds for every
   set), through the experiments engine (one store per generation, resumable); its statistics are the
   replicate means of the pattern statistics, and its distance is measured on them.
3. The kept sets and their weights are the posterior sample; the kept set with the smallest distance is
   written as a scenario, ``calibrated.toml`` in the output folder, with the posterior median and 90%
   interval of every parameter and the model fingerprint it was made on (``papsim/provenance.py``); it
   replaces the shipped ``scenarios/calibrated.toml``, which every scenario inherits, only when asked.

Tables and figures are written by ``papsim/present/calibration_files.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from papsim import atomic
from papsim.analyses.apmc import Posterior, apmc, weighted_quantile
from papsim.analyses import predictive
from papsim.analyses.patterns import (DAILY, PATTERNS, SHARE, WINDOW_END, YEAR_START, at_days, distance, errors,
                                      statistics)
from papsim.errors import InputError
from papsim.experiments.engine import sweep
from papsim.experiments.models import PARAMETER_SET, WRAPPER, PapSim, View
from papsim.experiments.spec import Spec
from papsim.provenance import FINGERPRINTED, model_fingerprint, provenance
from papsim.registry import PARAMETERS
from papsim.scenario import SCENARIO_DIR, Scenario, load_scenario

CALIBRATION_SCENARIO = SCENARIO_DIR / "mss_as_deployed.toml"
CALIBRATED = SCENARIO_DIR / "calibrated.toml"  # the shipped calibration, which every scenario inherits
DEFAULT_OUT = Path("results") / "calibration"

# The factors fitted (uniform priors on their registry ranges), besides the area share.
FACTORS = (
    "initial_gang_territory_share",
    "gang_expansion_rate",
    "vigilante_max_per_cell",
    "gang_members_total",
    "predation_killing_rate",
    "border_killing_rate",
    "kidnap_rate",
    "displaced_per_death",
    "front_flight_rate",
)
PARAMS = (*FACTORS, SHARE)  # the particle: the model's factors, then the area share


def bounds() -> tuple[np.ndarray, np.ndarray]:
    """Prior bounds (the registry ranges) of the particle's components."""
    return (np.array([PARAMETERS[n].low for n in PARAMS], float),
            np.array([PARAMETERS[n].high for n in PARAMS], float))


def window_days(scenario: Scenario) -> int:
    """Days to simulate from the scenario's start to the end of the calibration window (end of 2024)."""
    if scenario.start_date > YEAR_START:
        raise InputError(f"{scenario.path}: starts on {scenario.start_date}; the calibration needs a scenario "
                         f"that starts on or before {YEAR_START}")
    return scenario.day_of(WINDOW_END) + 1


def model(scenario: Scenario, thetas: np.ndarray) -> PapSim:
    """The engine's model for a generation: factor ``parameter_set`` picks a row of ``thetas`` (values of
    :data:`FACTORS`; the area share costs no run); each run reports the values the pattern statistics need
    and the daily columns of the figure."""
    sets = tuple(tuple(zip(FACTORS, (float(v) for v in row[:len(FACTORS)]))) for row in thetas)
    return PapSim(str(scenario.path), window_days(scenario), parameter_sets=sets,
                  view=View(daily=DAILY, at=at_days(scenario.start_date)))


def _spec(generation: int, replicates: int, seed: int, thetas: np.ndarray, scenario: Path) -> Spec:
    """A generation's spec: one grid factor (the parameter set), replicates on common random numbers; the
    sets' digest enters the description, so --resume refuses a store of other sets."""
    n = len(thetas)
    digest = hashlib.sha256(np.ascontiguousarray(thetas).tobytes()).hexdigest()[:16]
    return Spec.from_dict({
        "name": f"calibration-gen{generation:02d}",
        "description": f"APMC calibration of {scenario.name}, generation {generation} ({n} parameter sets, "
                       f"sha256 {digest}; papsim.analyses.calibration)",
        "model": WRAPPER,
        "replicates": replicates,
        "seed": seed,
        "common_random_numbers": True,
        "series": "all",
        "design": {"method": "grid"},
        "factors": {PARAMETER_SET: {"values": list(range(n)), "kind": "int"}},
        "analysis": {"methods": []},
    }, source="pap-sim calibrate")


@dataclass(frozen=True)
class Runner:
    """How the calibration's runs are made: scenario (loaded from a file), replicates, seed, store folder
    and executor."""

    scenario: Scenario
    replicates: int
    seed: int
    out: Path
    executor: str
    workers: int | None
    resume: bool
    progress: bool

    def __call__(self, generation: int, thetas: np.ndarray) -> pd.DataFrame:
        """Run one generation's parameter sets through the engine; one row per set: parameters, replicate
        means of the statistics, errors, distance (infinite if a run failed), patterns hit."""
        spec = _spec(generation, self.replicates, self.seed, thetas, self.scenario.path)
        report = sweep(spec, model(self.scenario, thetas), self.out / f"gen-{generation:02d}",
                       executor=self.executor, workers=self.workers, resume=self.resume, progress=self.progress)
        runs = report.store.runs()
        table = pd.DataFrame(thetas, columns=list(PARAMS))
        table.insert(0, "particle", np.arange(len(thetas)))
        table.insert(0, "generation", generation)
        ok = runs[runs["status"] == "ok"]
        if ok.empty:
            first = runs["error"].iloc[0] if len(runs) else "no runs"
            raise RuntimeError(f"every calibration run of generation {generation} failed (first error: {first})")
        stats = pd.DataFrame(statistics(ok, self.scenario.start_date))
        stats[PARAMETER_SET] = ok[PARAMETER_SET].astype(int)
        means = stats.groupby(PARAMETER_SET).mean().reindex(range(len(thetas)))
        failed = set(runs.loc[runs["status"] != "ok", PARAMETER_SET].astype(int))
        means.loc[means.index.isin(failed)] = np.nan
        names = [p.statistic for p in PATTERNS]
        table[names] = means[names].to_numpy()
        table["runs_ok"] = ok.groupby(PARAMETER_SET).size().reindex(range(len(thetas))).fillna(0).astype(int).to_numpy()
        err = errors(table, table[SHARE].to_numpy())
        for k, pat in enumerate(PATTERNS):
            table[f"e_{pat.name}"] = err[:, k]
        table["distance"] = distance(err)
        table["patterns_hit"] = (np.abs(err) <= 1.0).sum(axis=1)
        return table


# --------------------------------------------------------------------------------------------- summaries
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


def write_calibrated(path: Path, post: Posterior, summary: pd.DataFrame, strict: int, meta: dict[str, Any]) -> None:
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
        f"#   Sets reproducing all {len(PATTERNS)} patterns at once: {strict} of {len(post.particles)}.",
        f"# Chosen set: the kept set with the smallest distance ({float(post.best['distance']):.3f}; "
        f"{int(post.best['patterns_hit'])} of {len(PATTERNS)} patterns inside their intervals).",
        f"# Model fingerprint (sha256 of the code of papsim/{{{', '.join(FINGERPRINTED)}}} without docstrings, and of "
        f"the map's data): {meta['fingerprint']}",
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


# --------------------------------------------------------------------------------------------- driver
@dataclass
class CalibrationResult:
    """A finished calibration: the posterior and its tables (``papsim/present/calibration_files.py`` writes
    them out with the figures and the provenance), where the stores and the calibrated scenario are, and
    whether it replaced the shipped calibration."""

    out: Path
    calibrated: Path
    shipped: bool
    start: dt.date
    posterior: Posterior
    summary: pd.DataFrame
    patterns: pd.DataFrame
    strict: int  # sets (of all simulated) that reproduce every pattern
    bands: pd.DataFrame  # prior and posterior predictive bands of the daily columns (predictive.bands)
    observed: pd.DataFrame  # the record's points on those columns (predictive.observed)
    meta: dict[str, Any]
    provenance: dict[str, Any]  # papsim.provenance.provenance of the calibrated scenario


def _check(budget: int, replicates: int, particles: int, alpha: float, min_acceptance: float, seed: int) -> None:
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


def calibrate(budget: int = 1600, replicates: int = 2, particles: int = 100, alpha: float = 0.5,
              min_acceptance: float = 0.05, out: str | Path = DEFAULT_OUT, calibrated: str | Path | None = None,
              scenario: str | Path = CALIBRATION_SCENARIO, seed: int = 20241231, executor: str = "processes",
              workers: int | None = None, resume: bool = False, progress: bool = True,
              update_shipped: bool = False) -> CalibrationResult:
    """Run the APMC calibration through the experiments engine (stores under ``out``) and write the chosen
    set as the scenario ``calibrated`` (default ``out/calibrated.toml``); with ``update_shipped`` it also
    replaces the shipped calibration (:data:`CALIBRATED`). Return the posterior and its tables.

    ``budget`` is the number of model runs allowed (parameter sets x replicates).
    """
    start_clock = time.perf_counter()
    _check(budget, replicates, particles, alpha, min_acceptance, seed)
    scenario_path = Path(scenario).resolve()
    base = load_scenario(scenario_path)
    window_days(base)
    block = provenance([base])
    out = Path(out)
    runner = Runner(base, replicates, seed, out, executor, workers, resume, progress)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xAB0C,)))
    low, high = bounds()
    post = apmc(runner, PARAMS, low, high, budget // replicates, particles, alpha, min_acceptance, rng)
    summary = posterior_summary(post)
    strict = int((post.particles["patterns_hit"] == len(PATTERNS)).sum())
    runs_ok = int(post.particles["runs_ok"].sum())
    runs = int(len(post.particles) * replicates)
    shown = f"scenarios/{scenario_path.name}" if scenario_path.parent == SCENARIO_DIR else str(scenario_path)
    meta = {"scenario": shown,
            "start": base.start_date, "particles": min(particles, budget // replicates), "alpha": alpha,
            "replicates": replicates, "runs": runs, "failed": runs - runs_ok, "budget": budget,
            "date": dt.date.today().isoformat(), "seed": seed, "wall_s": time.perf_counter() - start_clock,
            "workers": "1 process" if executor == "serial" else f"{workers or os.cpu_count()} {executor} worker(s)",
            "fingerprint": model_fingerprint()}
    calibrated = Path(calibrated) if calibrated is not None else out / "calibrated.toml"
    write_calibrated(calibrated, post, summary, strict, meta)
    if update_shipped and calibrated.resolve() != CALIBRATED.resolve():
        atomic.write_text(CALIBRATED, calibrated.read_text())
    drawn = predictive.bands(out, post, seed)
    return CalibrationResult(out, calibrated, update_shipped, base.start_date, post, summary, pattern_table(post),
                             strict, drawn, predictive.observed(drawn, base.start_date), meta, block)
