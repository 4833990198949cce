"""Adaptive population Monte Carlo ABC (Lenormand, Jabot & Deffuant 2013, *Computational Statistics* 28).

Approximate Bayesian computation under a uniform prior on a box, for any simulator that gives each
parameter set a distance to the observations:

1. Generation 0: ``particles`` sets from a Latin hypercube over the prior.
2. Each generation keeps the share ``alpha`` of the sets nearest so far (the tolerance epsilon is their
   largest distance), then draws ``(1 - alpha) x particles`` new sets from the kept ones (by weight), moved
   by a Gaussian kernel with twice their weighted covariance and redrawn until inside the prior's support,
   and weights them by prior / proposal density.
3. It stops when the budget of sets is spent or fewer than ``min_acceptance`` of a generation's new sets
   fall within the previous tolerance. The kept sets and their weights are the posterior sample.

Nothing here knows the model: ``papsim/analyses/calibration.py`` runs it, ``papsim/analyses/patterns.py``
measures the distance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# simulate(generation, thetas) -> one row per set (in order): at least a "distance" column
Simulator = Callable[[int, np.ndarray], pd.DataFrame]


@dataclass
class Posterior:
    """The outcome of an APMC run."""

    particles: pd.DataFrame  # every set simulated, all generations
    kept: pd.DataFrame  # the posterior sample (the last generation's kept sets), with normalised weights
    best: pd.Series  # the kept set with the smallest distance
    epsilon: float  # the final tolerance
    generations: pd.DataFrame  # per generation: new sets, tolerance, acceptance rate

    @property
    def acceptance_rate(self) -> float:
        """Share of the last generation's new sets that fell within the previous tolerance."""
        last = self.generations["acceptance_rate"].dropna()
        return float(last.iloc[-1]) if len(last) else math.nan


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` under ``weights`` (the smallest value whose weight share reaches q)."""
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w) / w.sum()
    return float(v[min(np.searchsorted(cum, q), len(v) - 1)])


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


def apmc(simulate: Simulator, names: Sequence[str], low: np.ndarray, high: np.ndarray, budget_sets: int,
         particles: int, alpha: float, min_acceptance: float, rng: np.random.Generator) -> Posterior:
    """APMC over the parameters ``names`` with independent uniform priors on [low, high].

    ``simulate(generation, thetas)`` returns a table with one row per set (in order) holding the set's
    ``distance``; its parameter columns are ``names``. At most ``budget_sets`` sets are simulated.
    """
    from scipy.stats import qmc

    names = list(names)
    log_prior = -float(np.sum(np.log(high - low)))  # uniform prior density
    n = min(particles, budget_sets)
    n_alpha = max(1, int(round(alpha * n)))
    n_new = n - n_alpha
    thetas = low + qmc.LatinHypercube(d=len(names), seed=rng).random(n) * (high - low)
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
        x = kept[names].to_numpy(float)
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
    return Posterior(pd.concat(every, ignore_index=True), kept, kept.iloc[0], epsilon, pd.DataFrame(history))
