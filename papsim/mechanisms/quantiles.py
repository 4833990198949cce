"""Counts from uniforms: the binomial counts of given uniforms by their quantile function.

A mechanism that draws one uniform per cell of the map every day, and turns the uniforms of the cells where
something happens into counts, keeps each cell's draw the same whatever happens elsewhere: scenarios run on
the same seed stay paired (common random numbers, :mod:`papsim.streams`), and the counts are worked out
for the few cells concerned only. The inverse transform: the count of a uniform ``u`` is the smallest ``k``
with ``F(k) >= u`` for the distribution function ``F`` (Devroye, *Non-Uniform Random Variate Generation*,
Springer, 1986, section 2.2), found by bisection on ``F`` (``scipy.special.bdtr``, the regularised
incomplete beta function), so that many trials cost a few steps more, not a sum that underflows.
"""

from __future__ import annotations

import numpy as np
from scipy.special import bdtr

PARAMETERS: tuple[str, ...] = ()  # a tool of the mechanisms: it reads no parameter


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
