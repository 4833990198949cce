# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.census`: the day's counts over the cells in one pass.

The same bits as the NumPy functions (papsim/kernels/__init__.py); no random draws.
"""

cimport numpy as cnp
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from papsim.kernels._common cimport KERNELS_SOURCE_SHA256, _pairwise, _scratch, _sum, _vec

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"census": "ae1d31bda9277684521ddeb7e5e6bb6791b0c27507d344c6a17cb2e704193b4a"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py

DEF ROWS = 6  # census.COMMUNE_ROWS


cdef inline double _segment(const double* values, Py_ssize_t start, Py_ssize_t stop) noexcept nogil:
    """``np.add.reduceat``'s sum of ``values[start:stop]``: the first value plus the pairwise sum of the rest
    (the first value alone where ``stop <= start + 1``)."""
    if stop <= start + 1:
        return values[start]
    return values[start] + _pairwise(values + start + 1, stop - start - 1)


def count(cnp.ndarray population not None, cnp.ndarray held not None, cnp.ndarray secure not None,
          cnp.ndarray contested not None, cnp.ndarray trust not None, cnp.ndarray held_until not None,
          int64_t today, cnp.ndarray urban not None, cnp.ndarray killed not None, cnp.ndarray displaced not None,
          cnp.ndarray commune_starts not None, cnp.ndarray unit_cell not None, cnp.ndarray unit_personnel not None,
          cnp.ndarray cell_commune not None):
    """The city's counts and the communes' table: :func:`papsim.mechanisms.census.count`."""
    cdef const double* pop = <const double*> _vec(population, cnp.NPY_DOUBLE, -1, False, "population")
    cdef Py_ssize_t n = cnp.PyArray_DIM(population, 0)
    cdef const cnp.npy_bool* gang = <const cnp.npy_bool*> _vec(held, cnp.NPY_BOOL, n, False, "held")
    cdef const cnp.npy_bool* safe = <const cnp.npy_bool*> _vec(secure, cnp.NPY_BOOL, n, False, "secure")
    cdef const cnp.npy_bool* cont = <const cnp.npy_bool*> _vec(contested, cnp.NPY_BOOL, n, False, "contested")
    cdef const double* tr = <const double*> _vec(trust, cnp.NPY_DOUBLE, n, False, "trust")
    cdef const int64_t* until = <const int64_t*> _vec(held_until, cnp.NPY_INT64, n, False, "held_until")
    cdef const cnp.npy_bool* town = <const cnp.npy_bool*> _vec(urban, cnp.NPY_BOOL, n, False, "urban")
    cdef const double* dead = <const double*> _vec(killed, cnp.NPY_DOUBLE, n, False, "killed")
    cdef const double* disp = <const double*> _vec(displaced, cnp.NPY_DOUBLE, n, False, "displaced")
    cdef const int64_t* starts = <const int64_t*> _vec(commune_starts, cnp.NPY_INT64, -1, False, "commune_starts")
    cdef Py_ssize_t m = cnp.PyArray_DIM(commune_starts, 0)
    cdef const int64_t* post = <const int64_t*> _vec(unit_cell, cnp.NPY_INT64, -1, False, "unit_cell")
    cdef Py_ssize_t u, units = cnp.PyArray_DIM(unit_cell, 0)
    cdef const double* staff = <const double*> _vec(unit_personnel, cnp.NPY_DOUBLE, units, False, "unit_personnel")
    cdef const int64_t* commune = <const int64_t*> _vec(cell_commune, cnp.NPY_INT64, n, False, "cell_commune")
    cdef cnp.npy_intp dims[2]
    dims[0] = ROWS
    dims[1] = m
    cdef cnp.ndarray table = <cnp.ndarray> cnp.PyArray_EMPTY(2, dims, cnp.NPY_DOUBLE, 0)
    cdef double* out = <double*> cnp.PyArray_DATA(table)
    cdef Py_ssize_t i, c, stop
    cdef int64_t contested_cells = 0, cells_held = 0
    cdef double* gang_urban = <double*> _scratch(4 * n, sizeof(double), False)
    cdef double* gang_residents = gang_urban + n
    cdef double* secure_residents = gang_urban + 2 * n
    cdef double* trust_residents = gang_urban + 3 * n
    cdef double residents, in_gang_cells, in_secure_cells, trusting
    try:
        for i in range(n):
            gang_urban[i] = 1.0 if gang[i] and town[i] else 0.0
            gang_residents[i] = pop[i] if gang[i] else 0.0
            secure_residents[i] = pop[i] if safe[i] else 0.0
            trust_residents[i] = tr[i] * pop[i]
            contested_cells += cont[i]
            cells_held += until[i] > today
        residents = _sum(pop, n)
        in_gang_cells = _sum(gang_residents, n)
        in_secure_cells = _sum(secure_residents, n)
        trusting = _sum(trust_residents, n)
        for c in range(m):
            stop = starts[c + 1] if c + 1 < m else n
            out[c] = _segment(gang_urban, starts[c], stop)
            out[m + c] = _segment(gang_residents, starts[c], stop)
            out[2 * m + c] = _segment(pop, starts[c], stop)
            out[3 * m + c] = _segment(dead, starts[c], stop)
            out[4 * m + c] = _segment(disp, starts[c], stop)
            out[5 * m + c] = 0.0
        for u in range(units):  # np.bincount's order: unit by unit
            if post[u] >= 0:
                out[5 * m + commune[post[u]]] += staff[u]
    finally:
        free(gang_urban)
    return (residents, in_gang_cells, in_secure_cells, trusting, <double> contested_cells, <double> cells_held,
            table)
