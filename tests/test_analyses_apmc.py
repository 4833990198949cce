"""APMC (papsim/analyses/apmc.py) on a model with a known posterior: the mean of a Gaussian.

Observations y_1..y_n ~ N(mu, sigma^2) with sigma known, a uniform prior on mu far wider than the data's
information, and the sample mean (a sufficient statistic) as the summary: the exact posterior is
N(ybar, sigma^2 / n). As the tolerance falls, the ABC posterior must approach it.
"""

import numpy as np
import pandas as pd
import pytest

from papsim.analyses.apmc import apmc, weighted_quantile

YBAR, SE = 1.3, 0.5  # the observed mean and sigma / sqrt(n)
LOW, HIGH = np.array([-5.0]), np.array([5.0])
BUDGET = 6000


def _simulator(seed: int):
    rng = np.random.default_rng(seed)

    def simulate(generation: int, thetas: np.ndarray) -> pd.DataFrame:
        simulated_mean = thetas[:, 0] + SE * rng.standard_normal(len(thetas))  # the mean of n draws
        return pd.DataFrame({"mu": thetas[:, 0], "distance": np.abs(simulated_mean - YBAR)})

    return simulate


@pytest.fixture(scope="module")
def posterior():
    return apmc(_simulator(7), ["mu"], LOW, HIGH, budget_sets=BUDGET, particles=600, alpha=0.5,
                min_acceptance=0.05, rng=np.random.default_rng(11))


def test_the_posterior_is_the_known_gaussian(posterior):
    mu, w = posterior.kept["mu"].to_numpy(), posterior.kept["weight"].to_numpy()
    mean = float(w @ mu)
    sd = float(np.sqrt(w @ (mu - mean) ** 2))
    assert mean == pytest.approx(YBAR, abs=0.15)  # the prior's mean is 0 and its sd 2.9
    assert sd == pytest.approx(SE, rel=0.15)
    for q, z in ((0.05, -1.645), (0.5, 0.0), (0.95, 1.645)):
        assert weighted_quantile(mu, w, q) == pytest.approx(YBAR + z * SE, abs=0.25)


def test_the_tolerance_falls_and_the_budget_holds(posterior):
    eps = posterior.generations["epsilon"].to_numpy()
    assert (np.diff(eps) <= 1e-12).all() and eps[-1] < 0.1 * eps[0]
    assert posterior.generations["new_sets"].sum() == len(posterior.particles) <= BUDGET
    assert posterior.kept["weight"].sum() == pytest.approx(1.0)
    assert posterior.best["distance"] == posterior.kept["distance"].min()
    assert ((posterior.particles["mu"] >= LOW[0]) & (posterior.particles["mu"] <= HIGH[0])).all()


def test_weighted_quantile():
    values, weights = np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 2.0])
    assert weighted_quantile(values, weights, 0.25) == 1.0
    assert weighted_quantile(values, weights, 0.5) == 2.0
    assert weighted_quantile(values, weights, 0.9) == 3.0
