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
