# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.attacks`: the day's fights for attacked key sites.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from numpy.random cimport bitgen_t
from papsim.kernels._common cimport (
    KERNELS_SOURCE_SHA256, _bitgen, _draw_poisson, _fight, _maximum, _minimum, _scratch, _sum, _vec, _zeros)

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"attacks": "5c41300bb5090e6ba529391c110b8dd819e962532d81ebb4212a14bb316ae5bb", "combat": "5a4361c763964c9b9c1a9f5d6a1f6c856f6a5b0d64f5e93ca5d9abcc289893fb"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py

cdef enum:
    N_LOG = 10  # the columns of the fights' log (papsim.mechanisms.attacks.ASSAULT_LOG)


cdef inline Py_ssize_t _find(const int64_t* sorted_cells, Py_ssize_t n, int64_t cell) noexcept nogil:
    """The index of ``cell`` in the increasing ``sorted_cells``, or -1."""
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = lo + (hi - lo) // 2
        if sorted_cells[mid] < cell:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < n and sorted_cells[lo] == cell else -1


def assault(object rng, cnp.ndarray cells not None, cnp.ndarray attackers not None, cnp.ndarray strength not None,
            cnp.ndarray unit_cell not None, cnp.ndarray personnel not None, cnp.ndarray effectiveness not None,
            cnp.ndarray is_mss not None, cnp.ndarray members not None, cnp.ndarray arms not None,
            cnp.ndarray population not None, double mean_population, cnp.ndarray controller not None,
            cnp.ndarray held_until not None, cnp.ndarray events not None, object terms):
    """The day's fights for the attacked site cells: :func:`papsim.mechanisms.attacks.assault`."""
    cdef const int64_t* fought = <const int64_t*> _vec(cells, cnp.NPY_INT64, -1, False, "cells")
    cdef Py_ssize_t c, m = cnp.PyArray_DIM(cells, 0)
    cdef const int64_t* by = <const int64_t*> _vec(attackers, cnp.NPY_INT64, m, False, "attackers")
    cdef const double* st = <const double*> _vec(strength, cnp.NPY_DOUBLE, m, False, "strength")
    cdef const int64_t* post = <const int64_t*> _vec(unit_cell, cnp.NPY_INT64, -1, False, "unit_cell")
    cdef Py_ssize_t u, units = cnp.PyArray_DIM(unit_cell, 0)
    cdef const double* staff = <const double*> _vec(personnel, cnp.NPY_DOUBLE, units, False, "personnel")
    cdef const double* eff = <const double*> _vec(effectiveness, cnp.NPY_DOUBLE, units, False, "effectiveness")
    cdef const cnp.npy_bool* mss = <const cnp.npy_bool*> _vec(is_mss, cnp.NPY_BOOL, units, False, "is_mss")
    cdef const double* mem = <const double*> _vec(members, cnp.NPY_DOUBLE, -1, False, "members")
    cdef Py_ssize_t g = cnp.PyArray_DIM(members, 0)
    cdef const double* weapons = <const double*> _vec(arms, cnp.NPY_DOUBLE, g, False, "arms")
    cdef const double* pop = <const double*> _vec(population, cnp.NPY_DOUBLE, -1, False, "population")
    cdef Py_ssize_t n = cnp.PyArray_DIM(population, 0)
    cdef int64_t* ctrl = <int64_t*> _vec(controller, cnp.NPY_INT64, n, True, "controller")
    cdef int64_t* held = <int64_t*> _vec(held_until, cnp.NPY_INT64, n, True, "held_until")
    cdef double* ev = <double*> _vec(events, cnp.NPY_DOUBLE, n, True, "events")
    cdef double mass = terms.mass, security_lethality = terms.security_lethality
    cdef double gang_lethality = terms.gang_lethality, clear_ratio = terms.clear_ratio, harm_ratio = terms.harm_ratio
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef cnp.ndarray civilians = _zeros(n, cnp.NPY_DOUBLE)
    cdef double* civ = <double*> cnp.PyArray_DATA(civilians)
    cdef cnp.ndarray taken
    cdef int64_t* taken_cells
    cdef Py_ssize_t count = 0
    cdef double lost[2]
    cdef double harm, killed, share
    cdef cnp.npy_intp dims[2]
    dims[0], dims[1] = m, N_LOG
    cdef cnp.ndarray log = <cnp.ndarray> cnp.PyArray_ZEROS(2, dims, cnp.NPY_DOUBLE, 0)
    cdef double* row
    cdef double* rows = <double*> cnp.PyArray_DATA(log)
    # per fight: red, blue, blue's effectiveness, a, b, the losses; per unit its fight (-1: not at one)
    cdef double* red = <double*> _scratch(7 * m + units, sizeof(double), False)
    cdef double* blue = red + m
    cdef double* blue_eff = red + 2 * m
    cdef double* a = red + 3 * m
    cdef double* b = red + 4 * m
    cdef double* blue_loss = red + 5 * m
    cdef double* red_loss = red + 6 * m
    cdef int64_t* where = <int64_t*> (red + 7 * m)  # int64 and double are as wide
    try:
        for c in range(m):
            red[c] = mass * st[c]
            blue[c] = 0.0
            blue_eff[c] = 0.0
        for u in range(units):  # np.bincount's order: unit by unit
            where[u] = _find(fought, m, post[u])
            if where[u] >= 0:
                blue[where[u]] += staff[u]
                blue_eff[where[u]] += eff[u]
                rows[where[u] * N_LOG + 3] += staff[u] * (1.0 if mss[u] else 0.0)  # np.bincount's weights
        for c in range(m):
            a[c] = security_lethality * blue_eff[c] / _maximum(blue[c], 1e-9)
            b[c] = gang_lethality * _minimum(1.0, weapons[by[c]] / _maximum(mem[by[c]], 1e-9))
        _fight(bitgen, m, blue, red, a, b, 1.0, blue_loss, red_loss)
        lost[0] = 0.0
        lost[1] = 0.0
        for u in range(units):  # the losses per force, in all and per fight (log columns 6 and 7), unit by unit
            if where[u] >= 0:
                share = staff[u] * (blue_loss[where[u]] / _maximum(blue[where[u]], 1e-9))
                lost[1 if mss[u] else 0] += share
                rows[where[u] * N_LOG + (7 if mss[u] else 6)] += share
        for c in range(m):  # civilians: drawn where the expected harm is positive, fight by fight
            harm = harm_ratio * (blue_loss[c] + red_loss[c]) * (pop[fought[c]] / mean_population / 1.0) * 1.0
            civ[fought[c]] = _draw_poisson(bitgen, harm)
        for c in range(m):
            count += (blue[c] - blue_loss[c]) * clear_ratio <= (red[c] - red_loss[c])
        taken = _zeros(count, cnp.NPY_INT64)
        taken_cells = <int64_t*> cnp.PyArray_DATA(taken)
        count = 0
        for c in range(m):
            row = rows + c * N_LOG
            row[0], row[1], row[2], row[4], row[5] = <double> fought[c], <double> by[c], blue[c], red[c], red_loss[c]
            row[8] = civ[fought[c]]
            if (blue[c] - blue_loss[c]) * clear_ratio <= (red[c] - red_loss[c]):
                row[9] = 1.0
                taken_cells[count] = fought[c]
                count += 1
                ctrl[fought[c]] = by[c]
                held[fought[c]] = -1
            ev[fought[c]] += 1.0
        killed = _sum(red_loss, m)
    finally:
        free(red)
    return killed, lost[0], lost[1], civilians, taken, log
