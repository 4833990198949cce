# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.posture`: the choice of targets and of the holds kept.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.math cimport fabs, isfinite
from libc.stdint cimport int64_t
from libc.stdlib cimport free, qsort
from papsim.kernels._common cimport KERNELS_SOURCE_SHA256, _empty, _scratch, _vec, _zeros

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"posture": "5ecc1325bae8ed4317762e9c85f124fad7e1692385887016fdec96fcc1646645"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


def choose_targets(cnp.ndarray score not None, Py_ssize_t n_ops, cnp.ndarray jitter not None):
    """Indices of the ``n_ops`` best finite scores, best first, keyed with a tie-breaking ``jitter`` of a
    millionth of the score's size (equal keys to the lower index): :func:`papsim.mechanisms.posture.choose_targets`."""
    cdef const double* sc = <const double*> _vec(score, cnp.NPY_DOUBLE, -1, False, "score")
    cdef Py_ssize_t n = cnp.PyArray_DIM(score, 0)
    cdef const double* jit = <const double*> _vec(jitter, cnp.NPY_DOUBLE, n, False, "jitter")
    if n_ops < 0:
        n_ops = 0
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
            key = s + jit[i] * 1e-6 * (fabs(s) + 1.0)
            if found == n_ops and (n_ops == 0 or key <= keys[found - 1]):
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
        for i in range(found):
            (<int64_t*> cnp.PyArray_DATA(out))[i] = best[i]
    finally:
        free(best)
    return out


cdef int _descending(const void* x, const void* y) noexcept nogil:
    """``qsort`` order of int64 values, largest first."""
    cdef int64_t a = (<const int64_t*> x)[0], b = (<const int64_t*> y)[0]
    return (a < b) - (a > b)


def keep_holds(cnp.ndarray held_until not None, int64_t day, Py_ssize_t capacity):
    """Mask of the holds the available units can keep: the ``capacity`` cells held after ``day`` with the
    most days left, the lower index first among equals: :func:`papsim.mechanisms.posture.keep_holds`."""
    cdef const int64_t* until = <const int64_t*> _vec(held_until, cnp.NPY_INT64, -1, False, "held_until")
    cdef Py_ssize_t i, n = cnp.PyArray_DIM(held_until, 0), count = 0, kept
    cdef int64_t threshold
    cdef cnp.ndarray keep = _zeros(n, cnp.NPY_BOOL)
    cdef cnp.npy_bool* kp = <cnp.npy_bool*> cnp.PyArray_DATA(keep)
    cdef int64_t* days
    for i in range(n):
        count += until[i] > day
    if capacity <= 0 or count == 0:
        return keep
    if count <= capacity:
        for i in range(n):
            kp[i] = until[i] > day
        return keep
    days = <int64_t*> _scratch(count, sizeof(int64_t), False)
    count = 0
    for i in range(n):
        if until[i] > day:
            days[count] = until[i]
            count += 1
    qsort(days, count, sizeof(int64_t), _descending)
    threshold = days[capacity - 1]  # the last end kept: all later ones, then the first listed ending then
    free(days)
    kept = 0
    for i in range(n):
        if until[i] > threshold:
            kp[i] = True
            kept += 1
    for i in range(n):
        if kept == capacity:
            break
        if until[i] == threshold:
            kp[i] = True
            kept += 1
    return keep
