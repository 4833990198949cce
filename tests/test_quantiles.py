"""Counts from uniforms: the binomial quantile function against its distribution function."""

from __future__ import annotations

import math

import numpy as np

from papsim.mechanisms import quantiles

N = 40_000


def _close(share: float, p: float) -> bool:
    return abs(share - p) < 4 * math.sqrt(p * (1 - p) / N) + 1e-12


def test_the_binomial_count_follows_the_distribution_function():
    n, q = np.array([0, 1, 5, 5, 12]), 0.3
    assert quantiles.binomial(np.zeros(5), n, q).tolist() == [0, 0, 0, 0, 0]
    assert quantiles.binomial(np.full(5, 1.0), n, q).tolist() == n.tolist()
    k = quantiles.binomial(np.random.default_rng(2).random(N), np.full(N, 7), q)
    for j in range(8):
        assert _close((k <= j).mean(), sum(math.comb(7, i) * q**i * (1 - q) ** (7 - i) for i in range(j + 1)))
    assert quantiles.binomial(np.array([0.5]), np.array([4]), 1.0).tolist() == [4.0]


def test_a_count_is_monotone_in_its_uniform_and_many_trials_do_not_underflow():
    u = np.linspace(0.0, 0.999, 500)
    k = quantiles.binomial(u, np.full(500, 9), 0.4)
    assert (np.diff(k) >= 0).all() and k[0] == 0
    assert not quantiles.binomial(u, np.zeros(500), 0.4).any()
    big = quantiles.binomial(np.array([0.5]), np.array([5000]), 0.4)  # (1 - q)^n is 0 in doubles
    assert abs(big[0] - 2000) <= 1


def test_poisson_counts_invert_the_distribution_function_for_small_and_large_means():
    """Summed terms below SUMMED_BELOW, bisection above: both give scipy's quantiles (their u < F(k) and its
    F(k) >= u differ only on ties, which random uniforms do not hit)."""
    from papsim.mechanisms import quantiles
    from scipy import stats
    rng = np.random.default_rng(4)
    lam = np.concatenate((rng.uniform(0, 5, 200), rng.uniform(5, 60, 100), rng.uniform(650, 5000, 100)))
    u = rng.random(len(lam))
    got = quantiles.poisson(u, lam)
    assert np.array_equal(got, stats.poisson.ppf(u, lam))
    assert (lam >= quantiles.SUMMED_BELOW).sum() > 50  # the bisection was used
    assert quantiles.poisson(np.array([0.3, 0.99]), np.zeros(2)).tolist() == [0.0, 0.0]  # no mean, no event
