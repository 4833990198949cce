# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.retaliation`: the intensity update near the day's events.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from papsim.kernels._common cimport KERNELS_SOURCE_SHA256, _empty, _mat, _scratch, _sum, _vec

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"retaliation": "31c48f353a2e5bc99de2ce770f969259cb7fb9bd224332b4771e77c9bf6b8905"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


def update_intensity_near_events(cnp.ndarray intensity not None, cnp.ndarray events not None,
                                 cnp.ndarray nbr not None, cnp.ndarray nbr_valid not None, double jump,
                                 double decay, cnp.ndarray out=None):
    """Yesterday's intensity decayed, plus ``jump`` per event in the cell and half as much per event next
    door, worked out in and next to the cells with events, into ``out`` (a new array if None; may be
    ``intensity``): :func:`papsim.mechanisms.retaliation.update_intensity_near_events`."""
    cdef const double* inten = <const double*> _vec(intensity, cnp.NPY_DOUBLE, -1, False, "intensity")
    cdef Py_ssize_t n = cnp.PyArray_DIM(intensity, 0)
    cdef const double* ev = <const double*> _vec(events, cnp.NPY_DOUBLE, n, False, "events")
    cdef const int64_t* nb = <const int64_t*> _mat(nbr, cnp.NPY_INT64, n, -1, "nbr")
    cdef Py_ssize_t i, k, h, w, count = 0, n_k = cnp.PyArray_DIM(nbr, 1)
    cdef const double* valid = <const double*> _mat(nbr_valid, cnp.NPY_DOUBLE, n, n_k, "nbr_valid")
    cdef int64_t j, cell
    if out is None:
        out = _empty(n, cnp.NPY_DOUBLE)
    cdef double* o = <double*> _vec(out, cnp.NPY_DOUBLE, n, True, "out")
    cdef int64_t* hits = <int64_t*> _scratch(n, sizeof(int64_t), False)
    cdef double* around
    cdef cnp.npy_bool* seen
    for i in range(n):  # the decay everywhere (each cell read before it is written), and the cells with events
        o[i] = decay * inten[i]
        if ev[i] != 0:
            hits[count] = i
            count += 1
    if count:
        around = <double*> _scratch(n_k * sizeof(double) + n, 1, True)
        seen = <cnp.npy_bool*> (around + n_k)
        for h in range(count):  # each cell with an event and its neighbours, once: decayed plus the jumps
            cell = hits[h]
            for w in range(-1, n_k):  # the cell itself, then its neighbours
                j = cell if w < 0 else nb[cell * n_k + w]
                if seen[j]:
                    continue
                seen[j] = True
                for k in range(n_k):
                    around[k] = ev[nb[j * n_k + k]] * valid[j * n_k + k]
                o[j] = o[j] + jump * (ev[j] + 0.5 * _sum(around, n_k))
        free(around)
    free(hits)
    return out
