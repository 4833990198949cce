# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.trust`: a day of trust.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from numpy.random cimport bitgen_t
from numpy.random.c_distributions cimport random_poisson
from papsim.kernels._common cimport KERNELS_SOURCE_SHA256, _bitgen, _maximum, _minimum, _vec

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"trust": "80bc8180c9846c1eb021189b659aaa03d08da9f32bfaa6c9b826de34e1b6aacc"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


# Generator.poisson's largest mean (numpy/random/_common.pyx: POISSON_LAM_MAX)
cdef double POISSON_LAM_MAX = <double> 0x7fffffffffffffff - (<double> 0x7fffffffffffffff) ** 0.5 * 10


def one_day(object rng, cnp.ndarray trust not None, cnp.ndarray presence not None, *,
            cnp.ndarray civilians_killed not None, cnp.ndarray population not None, cnp.ndarray land not None,
            double expected_incidents, double passivity_index, object rates):
    """A day of trust on land, in place (0 off land): today's misconduct incidents drawn first (one Poisson
    draw, as ``rng.poisson(expected_incidents)``), then up with visible security (units present, at most
    one), down with civilians killed per 1,000 residents, misconduct and passivity, clipped to [0, 1]:
    :func:`papsim.mechanisms.trust.one_day`."""
    cdef double* tru = <double*> _vec(trust, cnp.NPY_DOUBLE, -1, True, "trust")
    cdef Py_ssize_t n = cnp.PyArray_DIM(trust, 0)
    cdef const double* pres = <const double*> _vec(presence, cnp.NPY_DOUBLE, n, False, "presence")
    cdef const double* civ = <const double*> _vec(civilians_killed, cnp.NPY_DOUBLE, n, False, "civilians_killed")
    cdef const double* pop = <const double*> _vec(population, cnp.NPY_DOUBLE, n, False, "population")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef double unit_size = rates.unit_size, gain = rates.gain, harm_loss = rates.harm_loss
    cdef double misconduct_loss = rates.misconduct_loss, passivity_penalty = rates.passivity_penalty
    if not expected_incidents <= POISSON_LAM_MAX:  # Generator.poisson's checks, in its order
        raise ValueError("lam value too large")
    if not expected_incidents >= 0:
        raise ValueError("lam < 0 or lam contains NaNs")
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef double incidents = <double> random_poisson(bitgen, expected_incidents)
    cdef double misconduct = misconduct_loss * incidents
    cdef double passivity = passivity_penalty * passivity_index
    cdef double visible, harm, change
    cdef double unseen = _minimum(1.0, 0.0 / unit_size)  # the value of no presence: most cells, no division
    cdef Py_ssize_t i
    for i in range(n):
        visible = _minimum(1.0, pres[i] / unit_size) if pres[i] != 0 else unseen
        harm = civ[i] * 1000.0 / pop[i] if pop[i] > 0 and civ[i] != 0 else 0.0  # 0 killed: 0 per 1,000
        change = gain * visible * (1.0 - tru[i]) - harm_loss * harm - misconduct - passivity
        tru[i] = _minimum(_maximum(0.0, tru[i] + change), 1.0) if on_land[i] else 0.0
