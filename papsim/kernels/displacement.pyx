# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.displacement`: a day of the displaced's stocks in one pass per stage.

The same bits as the NumPy functions (papsim/kernels/__init__.py); no draws.
"""

cimport numpy as cnp
from libc.stdint cimport int64_t
from papsim.kernels._common cimport KERNELS_SOURCE_SHA256, _empty, _maximum, _sum, _vec

cnp.import_array()

from papsim.mechanisms.displacement import Stocks

# the NumPy module twinned, with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"displacement": "97b6cffa2ead2dfd6e18aafbe315a20d093e1feaeedd1fa7a019791132d38ffc"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py

DEF SITES = 0
DEF HOSTED = 1
DEF OUTSIDE = 2


cdef double* _rows(cnp.ndarray stock, Py_ssize_t rows, Py_ssize_t n, str name) except NULL:
    """The data of a ``(rows, n)`` float64 stock, checked as ``_vec`` checks a vector."""
    if cnp.PyArray_TYPE(stock) != cnp.NPY_DOUBLE or cnp.PyArray_NDIM(stock) != 2 \
            or cnp.PyArray_DIM(stock, 0) != rows or cnp.PyArray_DIM(stock, 1) != n:
        raise ValueError(f"{name}: expected a float64 array of shape ({rows}, {n})")
    if not cnp.PyArray_ISCARRAY_RO(stock):
        raise ValueError(f"{name}: expected a C-contiguous, aligned, native array")
    return <double*> cnp.PyArray_DATA(stock)


def one_day(object stocks, cnp.ndarray streak not None, *, cnp.ndarray before not None, cnp.ndarray after not None,
            cnp.ndarray deaths not None, cnp.ndarray hosted_gain not None, double left, cnp.ndarray secure not None,
            object rates):
    """The secure streak (in place), the day's arrivals, the present stocks within the residents, the
    returns: :func:`papsim.mechanisms.displacement.one_day`. Returns ``(new stocks, residents change per cell,
    people returned)``."""
    cdef Py_ssize_t n = cnp.PyArray_DIM(before, 0)
    cdef const double* old_origin = _rows(stocks.origin, 3, n, "origin")
    cdef const double* old_present = _rows(stocks.present, 2, n, "present")
    cdef int64_t* days = <int64_t*> _vec(streak, cnp.NPY_INT64, n, True, "streak")
    cdef const double* pop_before = <const double*> _vec(before, cnp.NPY_DOUBLE, n, False, "before")
    cdef const double* pop_after = <const double*> _vec(after, cnp.NPY_DOUBLE, n, False, "after")
    cdef const double* dead = <const double*> _vec(deaths, cnp.NPY_DOUBLE, n, False, "deaths")
    cdef const double* gain = <const double*> _vec(hosted_gain, cnp.NPY_DOUBLE, n, False, "hosted_gain")
    cdef const cnp.npy_bool* safe = <const cnp.npy_bool*> _vec(secure, cnp.NPY_BOOL, n, False, "secure")
    cdef double site_share = rates.site_share, after_days = rates.return_after_days, rate = rates.return_rate
    cdef cnp.npy_intp dims3[2]
    cdef cnp.npy_intp dims2[2]
    dims3[0], dims3[1], dims2[0], dims2[1] = 3, n, 2, n
    cdef cnp.ndarray origin_out = <cnp.ndarray> cnp.PyArray_EMPTY(2, dims3, cnp.NPY_DOUBLE, 0)
    cdef cnp.ndarray present_out = <cnp.ndarray> cnp.PyArray_EMPTY(2, dims2, cnp.NPY_DOUBLE, 0)
    cdef cnp.ndarray back_array = <cnp.ndarray> cnp.PyArray_EMPTY(2, dims3, cnp.NPY_DOUBLE, 0)
    cdef cnp.ndarray change_out = _empty(n, cnp.NPY_DOUBLE)
    cdef double* origin = <double*> cnp.PyArray_DATA(origin_out)
    cdef double* present = <double*> cnp.PyArray_DATA(present_out)
    cdef double* back = <double*> cnp.PyArray_DATA(back_array)
    cdef double* change = <double*> cnp.PyArray_DATA(change_out)
    cdef double* fled = back  # the day's flight, in the returns' room until they are worked out
    cdef double fled_total, hosted, total, factor, share, gone, pool, departures[2]
    cdef Py_ssize_t i, r
    for i in range(3 * n):
        origin[i] = old_origin[i]
    for i in range(2 * n):
        present[i] = old_present[i]
    for i in range(n):  # the secure streak; who fled each cell
        days[i] = days[i] + 1 if safe[i] else 0
        fled[i] = _maximum(pop_before[i] - dead[i] - pop_after[i], 0.0)
    if not 0.0 <= rate <= 1.0:  # as the reference's returns, after the streak
        raise ValueError(f"return_rate must be in [0, 1], got {rate}")
    fled_total = _sum(fled, n)
    if fled_total > 0:  # the arrivals, by origin and by place
        hosted = _sum(gain, n)  # the hosted total, and the total of the places' weights
        for i in range(n):
            share = fled[i] / fled_total
            origin[OUTSIDE * n + i] = origin[OUTSIDE * n + i] + left * share
        if hosted > 0:
            for i in range(n):
                share = fled[i] / fled_total
                origin[SITES * n + i] = origin[SITES * n + i] + hosted * site_share * share
                origin[HOSTED * n + i] = origin[HOSTED * n + i] + hosted * (1.0 - site_share) * share
                share = gain[i] / hosted
                present[SITES * n + i] = present[SITES * n + i] + hosted * site_share * share
                present[HOSTED * n + i] = present[HOSTED * n + i] + hosted * (1.0 - site_share) * share
    for i in range(n):  # the present within the residents; the returns called for
        total = 0.0 + present[SITES * n + i] + present[HOSTED * n + i]
        factor = pop_after[i] / total if total > pop_after[i] else 1.0
        factor = _maximum(factor, 0.0)
        present[SITES * n + i] = present[SITES * n + i] * factor
        present[HOSTED * n + i] = present[HOSTED * n + i] * factor
        share = rate if days[i] >= after_days else 0.0
        for r in range(3):
            back[r * n + i] = share * origin[r * n + i]
    for r in range(2):  # from each place in the city: at most its present stock goes home
        gone = _sum(back + r * n, n)
        pool = _sum(present + r * n, n)
        if gone > pool:
            factor = pool / gone
            for i in range(n):
                back[r * n + i] = back[r * n + i] * factor
            gone = pool
        departures[r] = gone / pool if gone > 0 else 0.0
    for i in range(n):
        for r in range(3):
            origin[r * n + i] = _maximum(origin[r * n + i] - back[r * n + i], 0.0)
        change[i] = (0.0 + back[SITES * n + i] + back[HOSTED * n + i] + back[OUTSIDE * n + i]) - (
            0.0 + departures[SITES] * present[SITES * n + i] + departures[HOSTED] * present[HOSTED * n + i])
        for r in range(2):
            present[r * n + i] = _maximum(present[r * n + i] - departures[r] * present[r * n + i], 0.0)
    return Stocks(origin_out, present_out), change_out, _sum(back, 3 * n)
