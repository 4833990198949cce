# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.trust`: a day of trust.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from papsim.kernels._common cimport KERNELS_SOURCE_SHA256, _maximum, _minimum, _vec

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"trust": "1a9cee87d4161faec703867135e2d49b970bb6135f97eefdca695e4c522f97e1"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


def one_day(cnp.ndarray trust not None, cnp.ndarray presence not None, *, cnp.ndarray civilians_killed not None,
            cnp.ndarray population not None, cnp.ndarray land not None, double incidents, double passivity_index,
            object rates):
    """A day of trust on land, in place (0 off land): up with visible security (units present, at most one),
    down with civilians killed per 1,000 residents, misconduct and passivity, clipped to [0, 1]:
    :func:`papsim.mechanisms.trust.one_day`."""
    cdef double* tru = <double*> _vec(trust, cnp.NPY_DOUBLE, -1, True, "trust")
    cdef Py_ssize_t n = cnp.PyArray_DIM(trust, 0)
    cdef const double* pres = <const double*> _vec(presence, cnp.NPY_DOUBLE, n, False, "presence")
    cdef const double* civ = <const double*> _vec(civilians_killed, cnp.NPY_DOUBLE, n, False, "civilians_killed")
    cdef const double* pop = <const double*> _vec(population, cnp.NPY_DOUBLE, n, False, "population")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef double unit_size = rates.unit_size, gain = rates.gain, harm_loss = rates.harm_loss
    cdef double misconduct = rates.misconduct_loss * incidents
    cdef double passivity = rates.passivity_penalty * passivity_index
    cdef double visible, harm, change
    cdef Py_ssize_t i
    for i in range(n):
        visible = _minimum(1.0, pres[i] / unit_size)
        harm = civ[i] * 1000.0 / pop[i] if pop[i] > 0 else 0.0
        change = gain * visible * (1.0 - tru[i]) - harm_loss * harm - misconduct - passivity
        tru[i] = _minimum(_maximum(0.0, tru[i] + change), 1.0) if on_land[i] else 0.0
