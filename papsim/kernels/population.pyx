# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.population`: deaths, kidnappings, flight, humanitarian access.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.math cimport floor
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from numpy.random cimport bitgen_t
from papsim.kernels._common cimport (
    KERNELS_SOURCE_SHA256, _bitgen, _draw_poisson, _empty, _mat, _maximum, _minimum, _scratch, _sum, _vec,
    _zeros)

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {
    "population": "fff008baae86ac896dca1e84fb5eb696ed8ee9fa89e170bc1cc60213ac08c5d9",
    "combat": "07494e02e6c7c8a2e5fe648e06caded437dff476ec3843e34cf95532334763cd",
}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


def one_day(object rng, cnp.ndarray population not None, *, cnp.ndarray held not None,
            cnp.ndarray contested not None, cnp.ndarray patrolled not None, cnp.ndarray land not None,
            cnp.ndarray civilians_killed not None, cnp.ndarray violence not None, cnp.ndarray displaced not None,
            object rates):
    """A day of the population: Poisson deaths then kidnappings (cells with a positive mean, in cell order),
    then flight to the secure cells; ``population``, ``violence`` and ``displaced`` in place. Returns
    ``(deaths, kidnappings per cell, moved within the city, left the city, secure mask)``:
    :func:`papsim.mechanisms.population.one_day`."""
    cdef double* pop = <double*> _vec(population, cnp.NPY_DOUBLE, -1, True, "population")
    cdef Py_ssize_t n = cnp.PyArray_DIM(population, 0)
    cdef const cnp.npy_bool* gang = <const cnp.npy_bool*> _vec(held, cnp.NPY_BOOL, n, False, "held")
    cdef const cnp.npy_bool* cont = <const cnp.npy_bool*> _vec(contested, cnp.NPY_BOOL, n, False, "contested")
    cdef const double* patrol = <const double*> _vec(patrolled, cnp.NPY_DOUBLE, n, False, "patrolled")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef const double* civ = <const double*> _vec(civilians_killed, cnp.NPY_DOUBLE, n, False, "civilians_killed")
    cdef double* viol = <double*> _vec(violence, cnp.NPY_DOUBLE, n, True, "violence")
    cdef double* disp = <double*> _vec(displaced, cnp.NPY_DOUBLE, n, True, "displaced")
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef cnp.ndarray kidnaps = _zeros(n, cnp.NPY_DOUBLE)
    cdef cnp.ndarray secure = _empty(n, cnp.NPY_BOOL)
    cdef double* kid = <double*> cnp.PyArray_DATA(kidnaps)
    cdef cnp.npy_bool* safe = <cnp.npy_bool*> cnp.PyArray_DATA(secure)
    cdef double predation = rates.predation_per_million * 1e-6
    cdef double kidnapping = rates.kidnap_per_million * 1e-6
    cdef double border_rate = rates.border_rate, displaced_per_death = rates.displaced_per_death
    cdef double front_flight_rate = rates.front_flight_rate, out_share = rates.out_share
    cdef double lam, before, after, total, host_total, inside, dead
    cdef Py_ssize_t i
    cdef double* deaths = <double*> _scratch(3 * n, sizeof(double), False)
    cdef double* flee = deaths + n
    cdef double* host = deaths + 2 * n
    for i in range(n):  # killings by gangs, capped by the residents with the civilians killed today
        lam = predation * pop[i] * <double> gang[i] + border_rate * <double> cont[i]
        deaths[i] = _minimum(_draw_poisson(bitgen, lam) + civ[i], floor(pop[i]))
    for i in range(n):  # kidnappings (of the residents before today's deaths), deaths, who flees
        kid[i] = _draw_poisson(bitgen, kidnapping * pop[i] * <double> gang[i] * (1.0 - 0.5 * patrol[i]))
        dead = deaths[i]
        pop[i] -= dead
        viol[i] = 0.9 * viol[i] + dead
        safe[i] = not gang[i] and not cont[i] and on_land[i]
        flee[i] = _minimum(displaced_per_death * dead + front_flight_rate * pop[i] * <double> cont[i], pop[i])
        host[i] = pop[i] * <double> safe[i]
    total = _sum(flee, n)
    host_total = _sum(host, n)
    inside = total * (1.0 - out_share) if host_total > 0 else 0.0
    for i in range(n):  # the fleeing leave, the secure cells host those who stay in the city
        before = pop[i]
        after = before - flee[i]
        if inside > 0:
            after = after + inside * host[i] / host_total
        pop[i] = after
        disp[i] += _maximum(after - before, 0.0)
    dead = _sum(deaths, n)
    free(deaths)
    return dead, kidnaps, inside, total - inside, secure


def humanitarian_access(cnp.ndarray secure not None, cnp.ndarray anchors not None,
                        cnp.ndarray population not None) -> float:
    """Share of the people living in cells connected (8-neighbourhood) through ``secure`` ground to a secure
    anchor (2-D grids, flat anchor indices): :func:`papsim.mechanisms.population.humanitarian_access`."""
    cdef const cnp.npy_bool* open_ground = <const cnp.npy_bool*> _mat(secure, cnp.NPY_BOOL, -1, -1, "secure")
    cdef Py_ssize_t height = cnp.PyArray_DIM(secure, 0), width = cnp.PyArray_DIM(secure, 1)
    cdef Py_ssize_t n = height * width
    cdef const int64_t* anc = <const int64_t*> _vec(anchors, cnp.NPY_INT64, -1, False, "anchors")
    cdef const double* people = <const double*> _mat(population, cnp.NPY_DOUBLE, height, width, "population")
    cdef Py_ssize_t i, a, top = 0, row, col, r, c, j, count = 0
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
            row = stack[top] // width
            col = stack[top] % width
            for r in range(row - 1 if row > 0 else 0, row + 2 if row + 2 < height else height):
                for c in range(col - 1 if col > 0 else 0, col + 2 if col + 2 < width else width):
                    j = r * width + c
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
