# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.combat`: a day's fighting and the Poisson draws of the mechanisms.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from numpy.random cimport bitgen_t
from papsim.kernels._common cimport (
    KERNELS_SOURCE_SHA256, _bitgen, _draw_poisson, _empty, _fight, _vec, _zeros)

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"combat": "07494e02e6c7c8a2e5fe648e06caded437dff476ec3843e34cf95532334763cd"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


def poisson_where_positive(object rng, cnp.ndarray lam not None):
    """``rng.poisson(lam)`` as floats, drawn only where ``lam > 0`` (NumPy draws nothing for a zero mean):
    :func:`papsim.mechanisms.combat.poisson_where_positive`."""
    cdef const double* mean = <const double*> _vec(lam, cnp.NPY_DOUBLE, -1, False, "lam")
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef Py_ssize_t i, n = cnp.PyArray_DIM(lam, 0)
    cdef cnp.ndarray out = _zeros(n, cnp.NPY_DOUBLE)
    cdef double* drawn = <double*> cnp.PyArray_DATA(out)
    for i in range(n):
        drawn[i] = _draw_poisson(bitgen, mean[i])
    return out


def engage(cnp.ndarray blue not None, cnp.ndarray red not None, cnp.ndarray a not None,
           cnp.ndarray b not None, object rng, double dt=1.0):
    """One day of fighting between 1-D arrays of forces: ``(blue losses, red losses)``, Poisson around the
    exact square-law losses and capped by strength, every blue loss drawn before the red ones:
    :func:`papsim.mechanisms.combat.engage`."""
    cdef const double* bl = <const double*> _vec(blue, cnp.NPY_DOUBLE, -1, False, "blue")
    cdef Py_ssize_t n = cnp.PyArray_DIM(blue, 0)
    cdef const double* rd = <const double*> _vec(red, cnp.NPY_DOUBLE, n, False, "red")
    cdef const double* aa = <const double*> _vec(a, cnp.NPY_DOUBLE, n, False, "a")
    cdef const double* bb = <const double*> _vec(b, cnp.NPY_DOUBLE, n, False, "b")
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef cnp.ndarray blue_loss = _empty(n, cnp.NPY_DOUBLE)
    cdef cnp.ndarray red_loss = _empty(n, cnp.NPY_DOUBLE)
    _fight(bitgen, n, bl, rd, aa, bb, dt, <double*> cnp.PyArray_DATA(blue_loss),
           <double*> cnp.PyArray_DATA(red_loss))
    return blue_loss, red_loss
