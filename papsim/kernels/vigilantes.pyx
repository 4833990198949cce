# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.vigilantes`: a day of the brigades, their vigilance and killings.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.math cimport floor
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from numpy.random cimport bitgen_t
from numpy.random.c_distributions cimport random_standard_uniform
from papsim.kernels._common cimport (
    KERNELS_SOURCE_SHA256, _bitgen, _mat, _maximum, _minimum, _poisson_summed, _scratch, _sum, _vec, _zeros)

cnp.import_array()

import numpy as np
from papsim.mechanisms.quantiles import SUMMED_BELOW, binomial, poisson_count
from papsim.mechanisms.vigilantes import KILL_LOG, Outcome

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"vigilantes": "3b793f2e35f3bfc5d352636a23fea855fafa3aaf2c4aaa7c665143a7d5d0297d", "quantiles": "d556d0ab7e81f40e17fc333d72472e2679e08aa75bf5e9f1d49dacb10b11870b"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


cdef double _SUMMED = SUMMED_BELOW


cdef int64_t _charged(const int64_t* controller, const int64_t* around, const cnp.npy_bool* distinct) noexcept:
    """``vigilantes._charged`` of one cell: the group holding the most of its ``distinct`` neighbours
    (``around``: its row of the table) held by a gang, the first listed among equals, or -1 without one."""
    cdef int64_t best = -1, group
    cdef Py_ssize_t j, i, count, most = 0
    for j in range(8):
        group = controller[around[j]]
        if not (distinct[j] and group >= 0):
            continue
        count = 0
        for i in range(8):
            if distinct[i] and controller[around[i]] == group:
                count += 1
        if count > most:
            most = count
            best = group
    return best


def one_day(object rng, cnp.ndarray vigilance not None, *, cnp.ndarray controller not None,
            cnp.ndarray nbr not None, cnp.ndarray valid not None, cnp.ndarray border not None,
            cnp.ndarray violence not None, cnp.ndarray presence not None, cnp.ndarray land not None,
            cnp.ndarray population not None, cnp.ndarray strength not None, cnp.ndarray members not None,
            object rates):
    """Vigilance reset in gang-held cells, relaxed towards its target (in place), then the killings: Poisson
    from one uniform per cell of the map, split from a second (both drawn only if a cell has a positive mean;
    the split's bisection, for the cells that kill, by the reference's own function):
    :func:`papsim.mechanisms.vigilantes.one_day`."""
    cdef double* vig = <double*> _vec(vigilance, cnp.NPY_DOUBLE, -1, True, "vigilance")
    cdef Py_ssize_t n = cnp.PyArray_DIM(vigilance, 0)
    cdef const int64_t* ctrl = <const int64_t*> _vec(controller, cnp.NPY_INT64, n, False, "controller")
    cdef const int64_t* steps = <const int64_t*> _mat(nbr, cnp.NPY_INT64, n, 8, "nbr")
    cdef const cnp.npy_bool* distinct = <const cnp.npy_bool*> _mat(valid, cnp.NPY_BOOL, n, 8, "valid")
    cdef const cnp.npy_bool* front = <const cnp.npy_bool*> _vec(border, cnp.NPY_BOOL, n, False, "border")
    cdef const double* viol = <const double*> _vec(violence, cnp.NPY_DOUBLE, n, False, "violence")
    cdef const double* pres = <const double*> _vec(presence, cnp.NPY_DOUBLE, n, False, "presence")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef const double* pop = <const double*> _vec(population, cnp.NPY_DOUBLE, n, False, "population")
    cdef const double* fighters = <const double*> _vec(strength, cnp.NPY_DOUBLE, n, False, "strength")
    cdef const double* mem = <const double*> _vec(members, cnp.NPY_DOUBLE, -1, False, "members")
    cdef Py_ssize_t n_groups = cnp.PyArray_DIM(members, 0)
    cdef double max_per_cell = rates.max_per_cell, violence_scale = rates.violence_scale
    cdef double protection = rates.protection_scale, rate = rates.killing_rate
    cdef double decay = np.exp(-1.0 / rates.response_days)  # relax's factor for one day, by NumPy
    cdef cnp.ndarray residents = _zeros(n, cnp.NPY_DOUBLE)
    cdef cnp.ndarray lost = _zeros(n_groups, cnp.NPY_DOUBLE)
    cdef double* killed = <double*> cnp.PyArray_DATA(residents)
    cdef double* out_lost = <double*> cnp.PyArray_DATA(lost)
    cdef double threat, level, around[8]
    cdef Py_ssize_t i, j, m = 0, h = 0, kept = 0
    cdef int64_t g
    cdef bint any_mean = False
    cdef bitgen_t* bitgen
    cdef cnp.ndarray u_hit, kills_hit, split, log
    cdef double* gang
    cdef double* row
    cdef int64_t* cells = <int64_t*> _scratch(n, 2 * sizeof(int64_t) + 6 * sizeof(double), False)
    cdef int64_t* group = cells + n
    cdef double* lam = <double*> (group + n)
    cdef double* kills = lam + n
    cdef double* u_kill = kills + n
    cdef double* u_split = u_kill + n
    cdef double* total = u_split + n
    cdef double* scale = total + n
    try:
        for i in range(n):  # the reset, the target and one day's relaxation; the brigades' cells and means
            if ctrl[i] >= 0:
                vig[i] = 0.0
            threat = <double> front[i] * (1.0 + viol[i] / violence_scale)
            level = max_per_cell * threat / (1.0 + threat) * (protection / (protection + pres[i]))
            if not (on_land[i] and pop[i] > 0 and ctrl[i] < 0):
                level = 0.0
            vig[i] = level + (vig[i] - level) * decay
            if vig[i] > 0:
                for j in range(8):
                    if distinct[8 * i + j] and ctrl[steps[8 * i + j]] >= 0:
                        around[j] = fighters[steps[8 * i + j]]
                    else:
                        around[j] = 0.0
                cells[m] = i
                lam[m] = rate * vig[i] * _sum(around, 8)
                any_mean = any_mean or lam[m] > 0
                m += 1
        if not any_mean:
            return Outcome(residents, lost, np.zeros((0, len(KILL_LOG))))
        bitgen = _bitgen(rng)
        for i in range(n):  # one uniform per cell of the map, then a second, as the reference draws them
            u_kill[i] = random_standard_uniform(bitgen)
        for i in range(n):
            u_split[i] = random_standard_uniform(bitgen)
        for j in range(m):
            kills[j] = (_poisson_summed(u_kill[cells[j]], lam[j]) if lam[j] < _SUMMED
                        else poisson_count(u_kill[cells[j]], lam[j]))
            if kills[j] > 0:
                h += 1
        u_hit, kills_hit = _zeros(h, cnp.NPY_DOUBLE), _zeros(h, cnp.NPY_DOUBLE)
        h = 0
        for j in range(m):
            if kills[j] > 0:
                (<double*> cnp.PyArray_DATA(u_hit))[h] = u_split[cells[j]]
                (<double*> cnp.PyArray_DATA(kills_hit))[h] = kills[j]
                h += 1
        split = binomial(u_hit, kills_hit, rates.gang_share)  # a count of zero splits into zeros
        gang = <double*> _vec(split, cnp.NPY_DOUBLE, h, True, "split")
        h = 0
        for j in range(m):  # the residents killed; the charged group of each cell that kills
            i = cells[j]
            if kills[j] > 0:
                killed[i] = _minimum(kills[j] - gang[h], floor(_maximum(pop[i], 0.0)))
                cells[h] = i
                group[h] = _charged(ctrl, steps + 8 * i, distinct + 8 * i)
                h += 1
            else:
                killed[i] = _minimum(0.0, floor(_maximum(pop[i], 0.0)))
        if h == 0:
            return Outcome(residents, lost, np.zeros((0, len(KILL_LOG))))
        for g in range(n_groups):
            total[g] = 0.0
        for j in range(h):
            total[group[j]] += gang[j]
        for g in range(n_groups):  # a group's gang kills at most its members
            scale[g] = _maximum(mem[g], 0.0) / total[g] if total[g] > _maximum(mem[g], 0.0) else 1.0
        for j in range(h):
            gang[j] = gang[j] * scale[group[j]]
            out_lost[group[j]] += gang[j]
            if killed[cells[j]] > 0 or gang[j] > 0:
                kept += 1
        log = np.empty((kept, len(KILL_LOG)))
        row = <double*> cnp.PyArray_DATA(log)
        for j in range(h):
            if killed[cells[j]] > 0 or gang[j] > 0:
                row[0], row[1], row[2], row[3] = <double> cells[j], <double> group[j], killed[cells[j]], gang[j]
                row += 4
        return Outcome(residents, lost, log)
    finally:
        free(cells)
