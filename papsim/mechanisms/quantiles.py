"""Counts from uniforms: the Poisson and binomial counts of given uniforms by their quantile functions.

A mechanism that draws one uniform per cell of the map every day, and turns the uniforms of the cells where
something happens into counts, keeps each cell's draw the same whatever happens elsewhere: scenarios run on
the same seed stay paired (common random numbers, :mod:`papsim.streams`), and the counts are worked out
for the few cells concerned only. The inverse transform: the count of a uniform ``u`` is the smallest ``k``
with ``F(k) >= u`` for the distribution function ``F`` (Devroye, *Non-Uniform Random Variate Generation*,
Springer, 1986, section 2.2): for the Poisson counts of small means by summing the terms of ``F`` one by one
(:func:`poisson`), for the binomial by bisection on ``F`` (``scipy.special.bdtr``, the regularised incomplete
beta function), so that many trials cost a few steps more, not a sum that underflows.
"""

from __future__ import annotations

import numpy as np
from scipy.special import bdtr, pdtr

PARAMETERS: tuple[str, ...] = ()  # a tool of the mechanisms: it reads no parameter


SUMMED_BELOW = 700.0
"""Means below which :func:`poisson` sums the distribution's terms (``exp(-lam)`` is a normal float); at and
above it, bisection on ``scipy.special.pdtr``."""


def poisson(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """The Poisson counts of means ``lam`` (non-negative, finite) of the uniforms ``u`` in [0, 1), as floats:
    per element the smallest ``k`` with ``u < F(k)``. Below :data:`SUMMED_BELOW`, ``F`` is summed term by term
    (``p_0 = exp(-lam)``, ``p_k = p_(k-1) lam / k``; an element stops when its term underflows); above, by
    :func:`poisson_by_bisection`. A mean of zero gives zero."""
    counts = np.zeros(len(lam))
    small = (lam < SUMMED_BELOW).nonzero()[0]
    term = np.exp(-lam[small])
    cdf = term.copy()
    left = (u[small] >= cdf).nonzero()[0]
    k = 0
    while len(left):
        k += 1
        term[left] *= lam[small[left]] / k
        cdf[left] += term[left]
        counts[small[left]] = k
        left = left[(u[small[left]] >= cdf[left]) & (term[left] > 0)]
    big = (lam >= SUMMED_BELOW).nonzero()[0]
    if len(big):
        counts[big] = poisson_by_bisection(u[big], lam[big])
    return counts


def poisson_count(u: float, lam: float) -> float:
    """:func:`poisson` of one uniform and one mean (the compiled twins call it for the rare large means)."""
    return float(poisson(np.array([u]), np.array([lam]))[0])


def poisson_by_bisection(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """:func:`poisson` for large means: the smallest ``k`` with ``u < pdtr(k, lam)`` by bisection between
    -1 (never) and ``lam + 40 sqrt(lam) + 40`` (where ``pdtr`` is 1 to the last bit)."""
    lo, hi = np.full(len(u), -1.0), np.ceil(lam + 40.0 * np.sqrt(lam) + 40.0)
    rows = np.flatnonzero(hi - lo > 1)
    while len(rows):
        mid = np.floor((lo[rows] + hi[rows]) / 2)
        ok = u[rows] < pdtr(mid, lam[rows])
        hi[rows[ok]], lo[rows[~ok]] = mid[ok], mid[~ok]
        rows = rows[hi[rows] - lo[rows] > 1]
    return hi


def binomial(u: np.ndarray, n: np.ndarray, q: float) -> np.ndarray:
    """The binomial counts of ``n`` (whole numbers) trials of probability ``q`` of the uniforms ``u`` in
    [0, 1), as floats: per element the smallest ``k`` in ``[0, n]`` with ``bdtr(k, n, q) >= u``, by bisection
    (``lo`` never qualifies, it starts at -1; ``hi`` always does, it starts at ``n``)."""
    whole = n.astype(np.int64)
    lo, hi = np.full(len(u), -1.0), whole.astype(float)
    rows = np.flatnonzero(hi - lo > 1)
    while len(rows):
        mid = np.floor((lo[rows] + hi[rows]) / 2)
        ok = bdtr(mid.astype(np.int64), whole[rows], q) >= u[rows]
        hi[rows[ok]], lo[rows[~ok]] = mid[ok], mid[~ok]
        rows = rows[hi[rows] - lo[rows] > 1]
    return hi
