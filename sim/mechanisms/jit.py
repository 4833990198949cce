"""One configuration of Numba for every compiled kernel of the mechanisms.

Kernels are compiled on first use and cached on disk (``cache=True``: a later process loads them in
milliseconds). Division follows NumPy's rules (``error_model="numpy"``: no exceptions, inf and nan as in
array arithmetic); ``fastmath`` is off so that every sum and product is evaluated in the order written.
Random draws inside kernels go through the model's ``numpy.random.Generator``, which Numba drives with
NumPy's own algorithms: the same numbers and the same stream as the array calls they replace.
"""

from __future__ import annotations

import numba
import numpy as np

njit = numba.njit(cache=True, nogil=True, error_model="numpy")


@njit
def pairwise_sum(values: np.ndarray) -> float:
    """``values.sum()`` for a 1-D float array, with NumPy's pairwise summation (the same rounding).

    NumPy adds blocks of up to 128 values with eight interleaved partial sums and splits longer runs in
    halves (multiples of eight), starting from +0.0; kernels that sum what the NumPy code summed use this
    to give the same bits.
    """
    return 0.0 + _pairwise(values)


@njit
def _pairwise(values: np.ndarray) -> float:
    n = len(values)
    if n < 8:
        total = -0.0
        for i in range(n):
            total += values[i]
        return total
    if n <= 128:
        r = values[:8].copy()
        i = 8
        while i < n - n % 8:
            for k in range(8):
                r[k] += values[i + k]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            total += values[i]
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return _pairwise(values[:half]) + _pairwise(values[half:])


@njit
def poisson_where_positive(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """``rng.poisson(lam)`` as floats, drawn only where ``lam > 0``.

    NumPy's generator returns 0 for a zero mean without drawing, so these are the numbers and the stream
    of ``rng.poisson(lam)`` for non-negative means.
    """
    out = np.zeros(len(lam))
    for i in range(len(lam)):
        if lam[i] > 0:
            out[i] = rng.poisson(lam[i])
    return out
