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
TWIN_OF = {"retaliation": "f6db554e100af18a887ff4c7548de362a416a6e0e23b93ce13aaaaaf58ded4a5"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


def update_intensity_near_events(cnp.ndarray intensity not None, cnp.ndarray events not None,
                                 cnp.ndarray nbr not None, cnp.ndarray nbr_valid not None, double jump,
                                 double decay):
    """A new array of yesterday's intensity decayed, plus ``jump`` per event in the cell and half as much per
    event next door, worked out in and next to the cells with events:
    :func:`papsim.mechanisms.retaliation.update_intensity_near_events`."""
    cdef const double* inten = <const double*> _vec(intensity, cnp.NPY_DOUBLE, -1, False, "intensity")
    cdef Py_ssize_t n = cnp.PyArray_DIM(intensity, 0)
    cdef const double* ev = <const double*> _vec(events, cnp.NPY_DOUBLE, n, False, "events")
    cdef const int64_t* nb = <const int64_t*> _mat(nbr, cnp.NPY_INT64, n, -1, "nbr")
    cdef Py_ssize_t i, k, n_k = cnp.PyArray_DIM(nbr, 1)
    cdef const double* valid = <const double*> _mat(nbr_valid, cnp.NPY_DOUBLE, n, n_k, "nbr_valid")
    cdef cnp.ndarray out = _empty(n, cnp.NPY_DOUBLE)
    cdef double* o = <double*> cnp.PyArray_DATA(out)
    cdef double* around = <double*> _scratch(n_k * sizeof(double) + n, 1, True)
    cdef cnp.npy_bool* near = <cnp.npy_bool*> (around + n_k)
    for i in range(n):
        o[i] = decay * inten[i]
    for i in range(n):
        if ev[i] != 0:
            near[i] = True
            for k in range(n_k):
                near[nb[i * n_k + k]] = True
    for i in range(n):
        if near[i]:
            for k in range(n_k):
                around[k] = ev[nb[i * n_k + k]] * valid[i * n_k + k]
            o[i] = decay * inten[i] + jump * (ev[i] + 0.5 * _sum(around, n_k))
    free(around)
    return out
