# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.economy`: a day of the groups' finances and ranks.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.math cimport floor
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from numpy.random cimport bitgen_t
from papsim.kernels._common cimport (
    KERNELS_SOURCE_SHA256, NO_GANG, _bitgen, _draw_poisson, _maximum, _min, _minimum, _scratch, _sum, _vec)

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {
    "economy": "1b9b064632d14b6f22c97abcf1618125a63449fe5a72a55c2ae92e7f86977b3e",
    "recruitment": "0c43302538a8dabba88f10872e9135ef00fcb48a9fb78b3169b25d04b682d437",
}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


def one_day(object rng, object gangs, object grid, *, cnp.ndarray controller not None,
            cnp.ndarray population not None, cnp.ndarray trust not None, cnp.ndarray kidnappings not None,
            double displaced_share, object prices):
    """A day of the groups' finances and ranks: revenue into ``cash``, recruits (every group's drawn first)
    and deserters, then weapons bought with the day's supply; the groups' cash, members and arms in place:
    :func:`papsim.mechanisms.economy.one_day`."""
    cdef cnp.ndarray road = grid.road, site_cells = grid.site_cells, fuel_sites = grid.fuel_sites
    cdef cnp.ndarray cash = gangs.cash, members = gangs.members, arms = gangs.arms
    cdef double trust_initial = prices.trust_initial, extortion = prices.extortion, toll = prices.toll
    cdef double blockade = prices.blockade, ransom = prices.ransom, recruitment_rate = prices.recruitment_rate
    cdef double recruit_cost = prices.recruit_cost, desertion_rate = prices.desertion_rate
    cdef double arms_per_day = prices.arms_per_day, embargo = prices.embargo, arms_price = prices.arms_price
    cdef const int64_t* ctrl = <const int64_t*> _vec(controller, cnp.NPY_INT64, -1, False, "controller")
    cdef Py_ssize_t n = cnp.PyArray_DIM(controller, 0)
    cdef const double* pop = <const double*> _vec(population, cnp.NPY_DOUBLE, n, False, "population")
    cdef const double* tru = <const double*> _vec(trust, cnp.NPY_DOUBLE, n, False, "trust")
    cdef const double* rd = <const double*> _vec(road, cnp.NPY_DOUBLE, n, False, "road")
    cdef const int64_t* sites = <const int64_t*> _vec(site_cells, cnp.NPY_INT64, -1, False, "site_cells")
    cdef Py_ssize_t n_sites = cnp.PyArray_DIM(site_cells, 0)
    cdef const cnp.npy_bool* fuel = <const cnp.npy_bool*> _vec(fuel_sites, cnp.NPY_BOOL, n_sites, False,
                                                               "fuel_sites")
    cdef const double* kid = <const double*> _vec(kidnappings, cnp.NPY_DOUBLE, n, False, "kidnappings")
    cdef double* money = <double*> _vec(cash, cnp.NPY_DOUBLE, -1, True, "cash")
    cdef Py_ssize_t g = cnp.PyArray_DIM(cash, 0)
    cdef double* mem = <double*> _vec(members, cnp.NPY_DOUBLE, g, True, "members")
    cdef double* arm = <double*> _vec(arms, cnp.NPY_DOUBLE, g, True, "arms")
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef Py_ssize_t i, k
    cdef int64_t c
    cdef bint fuel_blockaded = False
    cdef double hard, wanted, leaving, deserters, total_cash, offered, demand, share, bought
    cdef double* work = <double*> _scratch(5 * g, sizeof(double), True)
    cdef double* income = work
    cdef double* blockaded = work + g
    cdef double* territory_pop = work + 2 * g
    cdef double* territory_trust = work + 3 * g
    cdef double* recruits = work + 4 * g
    for i in range(n):  # each group's cells in order, as np.bincount adds (revenue, then its people and trust)
        c = ctrl[i]
        if c >= 0:
            income[c] += extortion * pop[i] + toll * rd[i] + ransom * kid[i]
            territory_pop[c] += pop[i]
            territory_trust[c] += tru[i] * pop[i]
    for k in range(n_sites):
        c = ctrl[sites[k]]
        if c != NO_GANG:
            fuel_blockaded = fuel_blockaded or fuel[k]
            if c >= 0:
                blockaded[c] += 1.0
    for k in range(g):
        money[k] += income[k] + blockade * blockaded[k]
    hard = _min(1.0, 0.5 + (0.3 if fuel_blockaded else 0.0) + displaced_share)  # recruitment.hardship
    for k in range(g):  # recruitment.recruits_expected, paid for
        wanted = _minimum(_minimum(recruitment_rate * mem[k] * hard
                                   * (1.0 - (territory_trust[k] / territory_pop[k] if territory_pop[k] > 0
                                             else trust_initial)),
                                   money[k] / recruit_cost), 0.01 * territory_pop[k])
        if wanted > 0:
            recruits[k] = _min(_draw_poisson(bitgen, wanted), floor(money[k] / recruit_cost))
    for k in range(g):
        money[k] -= recruits[k] * recruit_cost
    for k in range(g):  # recruitment.desertions_expected
        leaving = desertion_rate * mem[k]
        deserters = _draw_poisson(bitgen, leaving)
        mem[k] = _maximum(0.0, mem[k] + recruits[k] - deserters)
    total_cash = _sum(money, g)  # economy.buy_arms, sharing the supply in proportion to cash
    offered = arms_per_day * (1.0 - embargo)
    for k in range(g):
        demand = _maximum(mem[k] - arm[k], 0.0)
        share = money[k] / total_cash if total_cash > 0 else 0.0
        bought = _minimum(_minimum(demand, offered * share), money[k] / arms_price)
        arm[k] += bought
        money[k] = _maximum(0.0, money[k] - bought * arms_price)
    free(work)
