# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.posture`: the choice of targets and of the holds kept.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.math cimport fabs, isfinite
from libc.stdint cimport INT64_MAX, int64_t
from libc.stdlib cimport free as release, qsort  # "free" is keep_holds's mask
from libc.string cimport memcpy
from numpy.random cimport bitgen_t
from numpy.random.c_distributions cimport random_standard_uniform
from papsim.kernels._common cimport KERNELS_SOURCE_SHA256, _bitgen, _empty, _scratch, _vec

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"posture": "e7082c4f1111f1964f70d187e6d55829073225059b5bfd6b0c5aca1563c76eb6"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


def choose_targets(cnp.ndarray score not None, Py_ssize_t n_ops, object rng):
    """Indices of the ``n_ops`` best finite scores, best first, keyed with a tie-breaking jitter of a
    millionth of the score's size, one uniform per finite score in cell order and none if ``n_ops <= 0``
    (equal keys to the lower index): :func:`papsim.mechanisms.posture.choose_targets`."""
    cdef const double* sc = <const double*> _vec(score, cnp.NPY_DOUBLE, -1, False, "score")
    cdef Py_ssize_t n = cnp.PyArray_DIM(score, 0)
    if n_ops <= 0:
        return _empty(0, cnp.NPY_INT64)
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef Py_ssize_t i, j, found = 0, room = n_ops if n_ops < n else n
    cdef double s, key
    cdef int64_t* best = <int64_t*> _scratch(room, sizeof(int64_t) + sizeof(double), False)
    cdef double* keys = <double*> (best + room)
    cdef cnp.ndarray out
    try:
        for i in range(n):  # the best keys so far, sorted, in a buffer
            s = sc[i]
            if not isfinite(s):
                continue
            key = s + random_standard_uniform(bitgen) * 1e-6 * (fabs(s) + 1.0)
            if found == n_ops and key <= keys[found - 1]:
                continue
            j = found if found < n_ops else n_ops - 1  # the new key goes in at j or above
            while j > 0 and keys[j - 1] < key:
                keys[j] = keys[j - 1]
                best[j] = best[j - 1]
                j -= 1
            keys[j] = key
            best[j] = i
            found = found + 1 if found < n_ops else n_ops
        out = _empty(found, cnp.NPY_INT64)
        memcpy(cnp.PyArray_DATA(out), best, found * sizeof(int64_t))
    finally:
        release(best)
    return out


cdef int _descending(const void* x, const void* y) noexcept nogil:
    """``qsort`` order of int64 values, largest first."""
    cdef int64_t a = (<const int64_t*> x)[0], b = (<const int64_t*> y)[0]
    return (a < b) - (a > b)


def keep_holds(cnp.ndarray held_until not None, int64_t day, Py_ssize_t capacity, cnp.ndarray free not None):
    """The cells of the holds kept, in order: of the cells held after ``day``, the ``capacity`` with the most
    days left (the lower index first among equals), where ``free``; every other hold lapses (``held_until``
    set to ``day``, in place): :func:`papsim.mechanisms.posture.keep_holds`."""
    cdef int64_t* until = <int64_t*> _vec(held_until, cnp.NPY_INT64, -1, True, "held_until")
    cdef Py_ssize_t n = cnp.PyArray_DIM(held_until, 0)
    cdef const cnp.npy_bool* manned = <const cnp.npy_bool*> _vec(free, cnp.NPY_BOOL, n, False, "free")
    cdef Py_ssize_t i, c, count = 0, kept = 0, ties = 0
    cdef int64_t threshold = INT64_MAX  # chosen: the holds ending after it, then the first ``ties`` ending on it
    cdef int64_t cell, end
    cdef bint chosen
    cdef int64_t* held = <int64_t*> _scratch(n, sizeof(int64_t), False)
    cdef int64_t* days
    cdef cnp.ndarray out
    for i in range(n):
        if until[i] > day:
            held[count] = i
            count += 1
    if count <= capacity:
        threshold = day  # every hold chosen
    elif capacity > 0:  # the last end chosen: all later ones, then the first listed ending then
        days = <int64_t*> _scratch(count, sizeof(int64_t), False)
        for c in range(count):
            days[c] = until[held[c]]
        qsort(days, count, sizeof(int64_t), _descending)
        threshold = days[capacity - 1]
        release(days)
        ties = capacity
        for c in range(count):
            ties -= until[held[c]] > threshold
    for c in range(count):  # the chosen holds in free cells, compacted in place; the others lapse
        cell = held[c]
        end = until[cell]
        chosen = end > threshold or (end == threshold and ties > 0)
        ties -= end == threshold
        if chosen and manned[cell]:
            held[kept] = cell
            kept += 1
        else:
            until[cell] = day
    out = _empty(kept, cnp.NPY_INT64)
    memcpy(cnp.PyArray_DATA(out), held, kept * sizeof(int64_t))
    release(held)
    return out
