# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.population`: deaths, kidnappings, flight, humanitarian access.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.math cimport floor
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from numpy.random cimport bitgen_t
from numpy.random.c_distributions cimport random_standard_uniform
from papsim.kernels._common cimport (
    KERNELS_SOURCE_SHA256, _bitgen, _empty, _mat, _maximum, _minimum, _poisson_summed, _scratch, _sum, _vec, _zeros)

cnp.import_array()

from papsim.mechanisms.quantiles import SUMMED_BELOW, poisson_count

# the NumPy module twinned, with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"population": "a6641a4809b39236c2e69975485b38eefa07a26083100d1d271e80ed98fed588",
           "quantiles": "d556d0ab7e81f40e17fc333d72472e2679e08aa75bf5e9f1d49dacb10b11870b"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


cdef double _SUMMED = SUMMED_BELOW


def one_day(object rng, cnp.ndarray population not None, *, cnp.ndarray held not None,
            cnp.ndarray pressure not None, cnp.ndarray contested not None, cnp.ndarray patrolled not None, cnp.ndarray land not None,
            cnp.ndarray civilians_killed not None, cnp.ndarray violence not None, cnp.ndarray displaced not None,
            object rates):
    """A day of the population: Poisson deaths then kidnappings (each cell its own uniform, drawn for every
    cell in cell order, inverted), then flight to the secure cells; ``population``, ``violence`` and ``displaced`` in place. Returns
    ``(deaths, deaths per cell, kidnappings per cell, moved within the city, left the city, secure mask)``:
    :func:`papsim.mechanisms.population.one_day`."""
    cdef double* pop = <double*> _vec(population, cnp.NPY_DOUBLE, -1, True, "population")
    cdef Py_ssize_t n = cnp.PyArray_DIM(population, 0)
    cdef const cnp.npy_bool* gang = <const cnp.npy_bool*> _vec(held, cnp.NPY_BOOL, n, False, "held")
    cdef const double* press = <const double*> _vec(pressure, cnp.NPY_DOUBLE, n, False, "pressure")
    cdef const cnp.npy_bool* cont = <const cnp.npy_bool*> _vec(contested, cnp.NPY_BOOL, n, False, "contested")
    cdef const double* patrol = <const double*> _vec(patrolled, cnp.NPY_DOUBLE, n, False, "patrolled")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef const double* civ = <const double*> _vec(civilians_killed, cnp.NPY_DOUBLE, n, False, "civilians_killed")
    cdef double* viol = <double*> _vec(violence, cnp.NPY_DOUBLE, n, True, "violence")
    cdef double* disp = <double*> _vec(displaced, cnp.NPY_DOUBLE, n, True, "displaced")
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef cnp.ndarray kidnaps = _empty(n, cnp.NPY_DOUBLE)
    cdef cnp.ndarray killed = _empty(n, cnp.NPY_DOUBLE)
    cdef cnp.ndarray secure = _empty(n, cnp.NPY_BOOL)
    cdef double* kid = <double*> cnp.PyArray_DATA(kidnaps)
    cdef cnp.npy_bool* safe = <cnp.npy_bool*> cnp.PyArray_DATA(secure)
    cdef double predation = rates.predation_per_million * 1e-6
    cdef double kidnapping = rates.kidnap_per_million * 1e-6
    cdef double border_rate = rates.border_rate, displaced_per_death = rates.displaced_per_death
    cdef double front_flight_rate = rates.front_flight_rate, out_share = rates.out_share
    cdef double lam, u, before, after, total, host_total, inside, dead
    cdef Py_ssize_t i
    cdef double* deaths = <double*> cnp.PyArray_DATA(killed)
    cdef double* flee = <double*> _scratch(2 * n, sizeof(double), False)
    cdef double* host = flee + n
    for i in range(n):  # the killings by gangs (by the fighters' pressure), each cell its own uniform
        lam = predation * pop[i] * press[i] + border_rate * <double> cont[i]
        u = random_standard_uniform(bitgen)
        deaths[i] = _poisson_summed(u, lam) if lam < _SUMMED else poisson_count(u, lam)
    for i in range(n):  # deaths capped by the residents with the civilians killed today; the means of
        dead = deaths[i] + civ[i]  # kidnappings (of the residents before the deaths)
        if not (dead == 0.0 and pop[i] >= 0.0):  # else the minimum is that +0.0: no floor to take
            dead = _minimum(dead, floor(pop[i]))
        deaths[i] = dead
        lam = kidnapping * pop[i] * <double> gang[i] * (1.0 - 0.5 * patrol[i])
        u = random_standard_uniform(bitgen)
        kid[i] = _poisson_summed(u, lam) if lam < _SUMMED else poisson_count(u, lam)
        pop[i] -= dead  # the dead leave; who flees
        viol[i] = 0.9 * viol[i] + dead
        safe[i] = not gang[i] and not cont[i] and on_land[i]
        if dead == 0.0 and not cont[i]:  # no death and no front: nobody flees (the rates are not negative)
            flee[i] = 0.0 if pop[i] >= 0.0 else pop[i]
        else:
            flee[i] = _minimum(displaced_per_death * dead + front_flight_rate * pop[i] * <double> cont[i], pop[i])
        host[i] = pop[i] * <double> safe[i]
    total = _sum(flee, n)
    host_total = _sum(host, n)
    inside = total * (1.0 - out_share) if host_total > 0 else 0.0
    for i in range(n):  # the fleeing leave, the secure cells host those who stay in the city
        before = pop[i]
        after = before - flee[i]
        if inside > 0:  # a cell hosting nobody gets + 0.0 (no division)
            after = after + (inside * host[i] / host_total if host[i] != 0.0 else 0.0)
        pop[i] = after
        disp[i] += _maximum(after - before, 0.0)
    dead = _sum(deaths, n)
    free(flee)
    return dead, killed, kidnaps, inside, total - inside, secure


def humanitarian_access(cnp.ndarray secure not None, cnp.ndarray nbr not None, cnp.ndarray anchors not None,
                        cnp.ndarray population not None) -> float:
    """Share of the people living in cells reached through ``secure`` cells from a secure anchor, by a flood
    fill over the neighbour table ``nbr`` ((n, 8) int64) from the secure ``anchors`` (cells):
    :func:`papsim.mechanisms.population.humanitarian_access`."""
    cdef const cnp.npy_bool* open_ground = <const cnp.npy_bool*> _vec(secure, cnp.NPY_BOOL, -1, False, "secure")
    cdef Py_ssize_t n = cnp.PyArray_DIM(secure, 0)
    cdef const int64_t* steps = <const int64_t*> _mat(nbr, cnp.NPY_INT64, n, 8, "nbr")
    cdef const int64_t* anc = <const int64_t*> _vec(anchors, cnp.NPY_INT64, -1, False, "anchors")
    cdef const double* people = <const double*> _vec(population, cnp.NPY_DOUBLE, n, False, "population")
    cdef Py_ssize_t i, k, a, j, top = 0, count = 0
    cdef double total, share = 0.0
    cdef int64_t* stack = <int64_t*> _scratch(n, sizeof(int64_t) + sizeof(double) + 1, False)
    cdef double* gathered = <double*> (stack + n)
    cdef cnp.npy_bool* reached = <cnp.npy_bool*> (gathered + n)
    for i in range(n):
        reached[i] = False
    for i in range(cnp.PyArray_DIM(anchors, 0)):
        a = anc[i]
        if open_ground[a] and not reached[a]:
            reached[a] = True
            stack[top] = a
            top += 1
    total = _sum(people, n) if top > 0 else 0.0  # no anchor is secure: nobody is reached
    if top > 0 and not total <= 0:
        while top > 0:  # flood fill from the secure anchors
            top -= 1
            a = stack[top]
            for k in range(8):
                j = steps[8 * a + k]
                if open_ground[j] and not reached[j]:
                    reached[j] = True
                    stack[top] = j
                    top += 1
        for i in range(n):  # the people reached, in cell order
            if reached[i]:
                gathered[count] = people[i]
                count += 1
        share = _sum(gathered, count) / total
    free(stack)
    return share
