# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.operations`: a day's raids.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.math cimport floor
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from numpy.random cimport bitgen_t
from numpy.random.c_distributions cimport binomial_t, random_binomial
from papsim.kernels._common cimport (
    KERNELS_SOURCE_SHA256, _bitgen, _draw_poisson, _empty, _fight, _mat, _max, _maximum, _min, _scratch, _sum,
    _vec, _wrap)

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {
    "operations": "a096d3a7ffcc701980a9eadc22f82df1de578188fa532a9fe4bf2b93caed705e",
    "combat": "07494e02e6c7c8a2e5fe648e06caded437dff476ec3843e34cf95532334763cd",
}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


def raid(object rng, cnp.ndarray targets not None, cnp.ndarray raiders not None, object units, object gangs,
         object grid, *, cnp.ndarray strength not None, cnp.ndarray controller not None,
         cnp.ndarray trust not None, cnp.ndarray presence not None, cnp.ndarray population not None,
         object terms):
    """One operation in each of the distinct ``targets`` cells, raider ``r`` in operation ``r % n``; draws
    every operation's security losses, then gang losses, then arrests, then civilians killed. The units'
    morale, the groups' members and arms and ``presence`` in place. Returns ``(cleared, civilians killed)``
    per operation and ``(gang members killed, arrested, HNP losses, MSS losses)``:
    :func:`papsim.mechanisms.operations.raid`."""
    cdef cnp.ndarray personnel = units.personnel, effectiveness = units.effectiveness, is_mss = units.force
    cdef cnp.ndarray morale = units.morale
    cdef cnp.ndarray nbr = grid.nbr, nbr_valid = grid.nbr_valid
    cdef cnp.ndarray confront = gangs.confront, members = gangs.members, arms = gangs.arms
    cdef double area_km2 = grid.area_km2, mean_population = grid.mean_population
    cdef double lethality = terms.lethality, gang_lethality = terms.gang_lethality, caution = terms.caution
    cdef double reinforcement_share = terms.reinforcement_share
    cdef double low_profile_engagement = terms.low_profile_engagement, intel_weight = terms.intel_weight
    cdef double arrest_share = terms.arrest_share, free_detention = terms.free_detention
    cdef double harm_ratio = terms.harm_ratio, clear_ratio = terms.clear_ratio
    cdef const int64_t* tgt = <const int64_t*> _vec(targets, cnp.NPY_INT64, -1, False, "targets")
    cdef Py_ssize_t n = cnp.PyArray_DIM(targets, 0)
    cdef const int64_t* ids = <const int64_t*> _vec(raiders, cnp.NPY_INT64, -1, False, "raiders")
    cdef Py_ssize_t n_raiders = cnp.PyArray_DIM(raiders, 0)
    cdef const double* pers = <const double*> _vec(personnel, cnp.NPY_DOUBLE, -1, False, "personnel")
    cdef Py_ssize_t n_units = cnp.PyArray_DIM(personnel, 0)
    cdef const double* unit_eff = <const double*> _vec(effectiveness, cnp.NPY_DOUBLE, n_units, False,
                                                       "effectiveness")
    cdef const int64_t* mss = <const int64_t*> _vec(is_mss, cnp.NPY_INT64, n_units, False, "is_mss")
    cdef double* mor = <double*> _vec(morale, cnp.NPY_DOUBLE, n_units, True, "morale")
    cdef const double* st = <const double*> _vec(strength, cnp.NPY_DOUBLE, -1, False, "strength")
    cdef Py_ssize_t n_cells = cnp.PyArray_DIM(strength, 0)
    cdef const int64_t* ctrl = <const int64_t*> _vec(controller, cnp.NPY_INT64, n_cells, False, "controller")
    cdef const int64_t* nb = <const int64_t*> _mat(nbr, cnp.NPY_INT64, n_cells, -1, "nbr")
    cdef Py_ssize_t n_k = cnp.PyArray_DIM(nbr, 1)
    cdef const double* valid = <const double*> _mat(nbr_valid, cnp.NPY_DOUBLE, n_cells, n_k, "nbr_valid")
    cdef const cnp.npy_bool* conf = <const cnp.npy_bool*> _vec(confront, cnp.NPY_BOOL, -1, False, "confront")
    cdef Py_ssize_t g = cnp.PyArray_DIM(confront, 0)
    cdef double* mem = <double*> _vec(members, cnp.NPY_DOUBLE, g, True, "members")
    cdef double* arm = <double*> _vec(arms, cnp.NPY_DOUBLE, g, True, "arms")
    cdef const double* tru = <const double*> _vec(trust, cnp.NPY_DOUBLE, n_cells, False, "trust")
    cdef double* pres = <double*> _vec(presence, cnp.NPY_DOUBLE, n_cells, True, "presence")
    cdef const double* pop = <const double*> _vec(population, cnp.NPY_DOUBLE, n_cells, False, "population")
    if n == 0 and n_raiders > 0:
        raise ValueError("raiders without targets")
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef binomial_t binomial
    binomial.has_binomial = 0
    cdef cnp.ndarray cleared = _empty(n, cnp.NPY_BOOL)
    cdef cnp.ndarray civilians = _empty(n, cnp.NPY_DOUBLE)
    cdef cnp.npy_bool* clr = <cnp.npy_bool*> cnp.PyArray_DATA(cleared)
    cdef double* civ = <double*> cnp.PyArray_DATA(civilians)
    cdef double lethality_used = lethality * (1.0 - 0.3 * caution)  # combat.caution_lethality
    cdef double places, total, density, harm, armed, killed_total, arrested_total, hnp_total, mss_total
    cdef Py_ssize_t r, op, k
    cdef int64_t unit, cell, gang, j
    cdef double* work = <double*> _scratch(13 * n + g + n_k, sizeof(double), True)
    cdef double* persons = work
    cdef double* eff = work + n
    cdef double* mss_persons = work + 2 * n
    cdef double* engaged = work + 3 * n
    cdef double* a = work + 4 * n
    cdef double* b = work + 5 * n
    cdef double* blue_loss = work + 6 * n
    cdef double* red_loss = work + 7 * n
    cdef double* wanted = work + 8 * n
    cdef double* arrested = work + 9 * n
    cdef double* killed = work + 10 * n
    cdef double* mss_loss = work + 11 * n
    cdef double* hnp_loss = work + 12 * n
    cdef double* group_loss = work + 13 * n
    cdef double* around = group_loss + g
    for r in range(n_raiders):  # in raider order, as np.bincount adds
        op, unit = r % n, ids[r]
        persons[op] += pers[unit]
        eff[op] += unit_eff[unit]
        mss_persons[op] += pers[unit] * <double> mss[unit]
    for op in range(n):
        cell = tgt[op]
        gang = _wrap(ctrl[cell], g)
        for k in range(n_k):  # the group's members in the real neighbouring cells
            j = nb[cell * n_k + k]
            around[k] = st[j] * (1.0 if ctrl[j] == ctrl[cell] else 0.0) * valid[cell * n_k + k]
        engaged[op] = ((st[cell] + reinforcement_share * _sum(around, n_k))
                       * (1.0 if conf[gang] else low_profile_engagement))
        armed = _min(1.0, arm[gang] / _max(mem[gang], 1e-9))
        a[op] = (lethality_used * eff[op] / _max(persons[op], 1e-9)
                 * _maximum(0.1, 1.0 + intel_weight * (tru[cell] - 0.5)))  # combat.intelligence_factor
        b[op] = gang_lethality * armed
        pres[cell] += eff[op]
    _fight(bitgen, n, persons, engaged, a, b, 1.0, blue_loss, red_loss)
    for op in range(n):  # combat.split_arrests: arrests beyond the free places are released
        wanted[op] = <double> random_binomial(bitgen, arrest_share, <int64_t> red_loss[op], &binomial)
    total = _sum(wanted, n)
    places = _max(free_detention, 0.0)
    for op in range(n):
        arrested[op] = wanted[op] if total <= places else floor(wanted[op] * places / total)
        killed[op] = red_loss[op] - wanted[op]
        mss_loss[op] = blue_loss[op] * mss_persons[op] / _maximum(persons[op], 1e-9)
        hnp_loss[op] = blue_loss[op] - mss_loss[op]
    for op in range(n):
        cell = tgt[op]
        density = pop[cell] / area_km2 / (mean_population / area_km2)
        # combat.civilian_harm_expected, density relative to a reference density of 1
        harm = harm_ratio * (blue_loss[op] + red_loss[op]) * (density / 1.0) * (1.0 - 0.8 * caution)
        civ[op] = _draw_poisson(bitgen, harm)
        clr[op] = persons[op] - blue_loss[op] >= clear_ratio * (engaged[op] - red_loss[op])
        group_loss[_wrap(ctrl[cell], g)] += killed[op] + arrested[op]
    for k in range(g):
        mem[k] = _maximum(0.0, mem[k] - group_loss[k])
        arm[k] = _maximum(0.0, arm[k] - 0.5 * group_loss[k])
    for r in range(n_raiders):
        op, unit = r % n, ids[r]
        mor[unit] = _max(0.3, mor[unit] - 0.5 * (blue_loss[op] / _max(persons[op], 1e-9)))
    killed_total = _sum(killed, n)
    arrested_total = _sum(arrested, n)
    hnp_total = _sum(hnp_loss, n)
    mss_total = _sum(mss_loss, n)
    free(work)
    return cleared, civilians, killed_total, arrested_total, hnp_total, mss_total
