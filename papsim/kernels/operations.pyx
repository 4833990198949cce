# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.operations`: a day's raids, from the choice of targets on.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.math cimport fabs, floor, isfinite
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from numpy.random cimport bitgen_t
from numpy.random.c_distributions cimport binomial_t, random_binomial, random_standard_uniform
from papsim.kernels._common cimport (
    KERNELS_SOURCE_SHA256, NO_GANG, _bitgen, _draw_poisson, _empty, _keep_best, _mat, _max, _maximum, _min,
    _minimum, _retreat, _scratch, _sum, _tally, _vec, _wrap, _zeros)

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {
    "operations": "e7e290fdd5167581c09589a721abad2522e3bc2d82c42f226f15ebeb6805c472",
    "combat": "5a4361c763964c9b9c1a9f5d6a1f6c856f6a5b0d64f5e93ca5d9abcc289893fb",
    "posture": "103870b65d808a92b21e4dab22dd1cd28fcedd145390d3efb04192307d8b6f1b",
    "territory": "99e5cd87a901599f81094ca9738597eb05c4c5f73c41ae8b28792548ca16fc46",
    "fighters": "a3aecdcea3706d4161a525456cd310ea1d4250fb363d7d5b33144b6e49905547",
}
cdef enum:
    N_LOG = 12  # the columns of the raids' log (papsim.mechanisms.operations.RAID_LOG)
    RK_STEPS = 8  # papsim.mechanisms.combat.RK_STEPS

RULES = ("border", "population", "strength", "sites")  # posture.TARGET_RULES, in the order of the codes below
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


cdef cnp.ndarray _mat_zeros(Py_ssize_t rows, Py_ssize_t cols):
    """A new ``rows`` by ``cols`` array of zeros (float64)."""
    cdef cnp.npy_intp dims[2]
    dims[0], dims[1] = rows, cols
    return <cnp.ndarray> cnp.PyArray_ZEROS(2, dims, cnp.NPY_DOUBLE, 0)


cdef inline void _rates(double blue, double red, double residents, double a, double b, double aimed,
                        double* d) noexcept nogil:
    """``(dB/dt, dR/dt, dH/dt)`` of the intelligence-limited law (``combat._rates``), into ``d``."""
    cdef double people = red + residents
    cdef double on_red = red / people if people > 0 else 0.0
    cdef double on_residents = residents / people if people > 0 else 0.0
    cdef double fire = a * blue
    d[0] = -b * red
    d[1] = -fire * (aimed + (1.0 - aimed) * on_red)
    d[2] = fire * (1.0 - aimed) * on_residents


cdef inline void _intelligence_remaining(double blue, double red, double residents, double a, double b,
                                         double aimed, double* out) noexcept nogil:
    """``combat.intelligence_limited_remaining`` of one fight over one day: ``(blue left, red left, H)``."""
    cdef double h = 1.0 / RK_STEPS
    cdef double blue_t = blue, red_t = red, hit = 0.0
    cdef double k1[3]
    cdef double k2[3]
    cdef double k3[3]
    cdef double k4[3]
    cdef int step
    for step in range(RK_STEPS):
        _rates(blue_t, red_t, residents, a, b, aimed, k1)
        _rates(_maximum(0.0, blue_t + (h / 2.0) * k1[0]), _maximum(0.0, red_t + (h / 2.0) * k1[1]), residents, a,
               b, aimed, k2)
        _rates(_maximum(0.0, blue_t + (h / 2.0) * k2[0]), _maximum(0.0, red_t + (h / 2.0) * k2[1]), residents, a,
               b, aimed, k3)
        _rates(_maximum(0.0, blue_t + h * k3[0]), _maximum(0.0, red_t + h * k3[1]), residents, a, b, aimed, k4)
        blue_t = _maximum(0.0, blue_t + (h / 6.0) * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]))
        red_t = _maximum(0.0, red_t + (h / 6.0) * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]))
        hit = hit + (h / 6.0) * (k1[2] + 2.0 * k2[2] + 2.0 * k3[2] + k4[2])
    out[0] = _minimum(blue_t, blue)
    out[1] = _minimum(red_t, red)
    out[2] = hit


def raid(object rng, cnp.ndarray raiders not None, object units, object gangs, object grid, *, Py_ssize_t n_ops,
         int64_t today, int64_t hold, cnp.ndarray controller not None, cnp.ndarray strength not None,
         cnp.ndarray frontier not None, cnp.ndarray population not None, cnp.ndarray trust not None,
         cnp.ndarray reprisals not None, cnp.ndarray presence not None, cnp.ndarray held_until not None,
         cnp.ndarray cleared_on not None, cnp.ndarray events not None, object terms):
    """The day's raids on the fighters per cell (``strength``, in place): up to ``n_ops`` targets among the
    gang cells by ``terms.target_rule`` (one uniform per gang cell with a finite score, none if
    ``n_ops <= 0``), ``units_per_operation`` raiders each (raider ``r`` to target ``r % n``), the fights
    (every operation's security losses drawn, then gang losses, arrests, civilians killed), the fighters lost
    where they fought, then the cells cleared (their fighters falling back), the events and the members. Returns ``(operations, cells cleared, civilians
    killed per cell, gang members killed, arrested, HNP losses, MSS losses)``:
    :func:`papsim.mechanisms.operations.raid`."""
    cdef cnp.ndarray personnel = units.personnel, effectiveness = units.effectiveness, is_mss = units.force
    cdef cnp.ndarray morale = units.morale, role = units.role, unit_cell = units.cell
    cdef cnp.ndarray nbr = grid.nbr, nbr_valid = grid.nbr_valid, site_distance = grid.site_distance
    cdef cnp.ndarray nbr_distinct = grid.nbr_distinct
    cdef cnp.ndarray confront = gangs.confront, members = gangs.members, arms = gangs.arms
    cdef double area_km2 = grid.area_km2, mean_population = grid.mean_population
    cdef object rule = terms.target_rule
    cdef Py_ssize_t per_op = terms.units_per_operation
    cdef double lethality = terms.lethality, gang_lethality = terms.gang_lethality, caution = terms.caution
    cdef double intelligence_base = terms.intelligence_base
    cdef double reinforcement_share = terms.reinforcement_share
    cdef double low_profile_engagement = terms.low_profile_engagement, intel_weight = terms.intel_weight
    cdef double arrest_share = terms.arrest_share, free_detention = terms.free_detention
    cdef double harm_ratio = terms.harm_ratio, clear_ratio = terms.clear_ratio
    cdef int code
    if rule not in RULES:
        raise ValueError(f"unknown target rule {rule!r}; expected one of {RULES}")
    code = RULES.index(rule)
    cdef const int64_t* ids = <const int64_t*> _vec(raiders, cnp.NPY_INT64, -1, False, "raiders")
    cdef Py_ssize_t n_raiders = cnp.PyArray_DIM(raiders, 0)
    cdef const double* pers = <const double*> _vec(personnel, cnp.NPY_DOUBLE, -1, False, "personnel")
    cdef Py_ssize_t n_units = cnp.PyArray_DIM(personnel, 0)
    cdef const double* unit_eff = <const double*> _vec(effectiveness, cnp.NPY_DOUBLE, n_units, False,
                                                       "effectiveness")
    cdef const int64_t* mss = <const int64_t*> _vec(is_mss, cnp.NPY_INT64, n_units, False, "is_mss")
    cdef double* mor = <double*> _vec(morale, cnp.NPY_DOUBLE, n_units, True, "morale")
    cdef int64_t* rol = <int64_t*> _vec(role, cnp.NPY_INT64, n_units, True, "role")
    cdef int64_t* post = <int64_t*> _vec(unit_cell, cnp.NPY_INT64, n_units, True, "cell")
    cdef int64_t* ctrl = <int64_t*> _vec(controller, cnp.NPY_INT64, -1, True, "controller")
    cdef Py_ssize_t n_cells = cnp.PyArray_DIM(controller, 0)
    cdef double* st = <double*> _vec(strength, cnp.NPY_DOUBLE, n_cells, True, "strength")
    cdef const cnp.npy_bool* fr = <const cnp.npy_bool*> _vec(frontier, cnp.NPY_BOOL, n_cells, False, "frontier")
    cdef const double* dist = <const double*> _vec(site_distance, cnp.NPY_DOUBLE, n_cells, False, "site_distance")
    cdef const int64_t* nb = <const int64_t*> _mat(nbr, cnp.NPY_INT64, n_cells, -1, "nbr")
    cdef Py_ssize_t n_k = cnp.PyArray_DIM(nbr, 1)
    cdef const double* valid = <const double*> _mat(nbr_valid, cnp.NPY_DOUBLE, n_cells, n_k, "nbr_valid")
    cdef const cnp.npy_bool* distinct = <const cnp.npy_bool*> _mat(nbr_distinct, cnp.NPY_BOOL, n_cells, n_k,
                                                                   "nbr_distinct")
    cdef const cnp.npy_bool* conf = <const cnp.npy_bool*> _vec(confront, cnp.NPY_BOOL, -1, False, "confront")
    cdef Py_ssize_t g = cnp.PyArray_DIM(confront, 0)
    cdef double* mem = <double*> _vec(members, cnp.NPY_DOUBLE, g, True, "members")
    cdef double* arm = <double*> _vec(arms, cnp.NPY_DOUBLE, g, True, "arms")
    cdef const double* tru = <const double*> _vec(trust, cnp.NPY_DOUBLE, n_cells, False, "trust")
    cdef const double* rep = <const double*> _vec(reprisals, cnp.NPY_DOUBLE, n_cells, False, "reprisals")
    cdef double* pres = <double*> _vec(presence, cnp.NPY_DOUBLE, n_cells, True, "presence")
    cdef const double* pop = <const double*> _vec(population, cnp.NPY_DOUBLE, n_cells, False, "population")
    cdef int64_t* held = <int64_t*> _vec(held_until, cnp.NPY_INT64, n_cells, True, "held_until")
    cdef int64_t* cleared_day = <int64_t*> _vec(cleared_on, cnp.NPY_INT64, n_cells, True, "cleared_on")
    cdef double* ev = <double*> _vec(events, cnp.NPY_DOUBLE, n_cells, True, "events")
    cdef cnp.ndarray civilians = _zeros(n_cells, cnp.NPY_DOUBLE)
    cdef double* civ_cell = <double*> cnp.PyArray_DATA(civilians)
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef Py_ssize_t i, j, room, found = 0, n = 0, n_r, n_done = 0, gang_cells = 0
    cdef int64_t c
    cdef double s
    cdef int64_t* best = NULL
    cdef double* keys = NULL
    try:
        for i in range(n_cells):
            if ctrl[i] != NO_GANG:
                gang_cells += 1
        room = n_ops if n_ops < gang_cells else gang_cells
        if room > 0:
            best = <int64_t*> _scratch(room, sizeof(int64_t) + sizeof(double), False)
            keys = <double*> (best + room)
        for i in range(n_cells):  # the strengths, and the best keys so far, sorted (posture.choose_targets)
            c = ctrl[i]
            if room <= 0 or c < 0:
                continue
            if code == 0:  # posture.target_scores
                s = (1e6 if fr[i] else 0.0) + pop[i]
            elif code == 1:
                s = pop[i]
            elif code == 2:
                s = st[i]
            else:
                s = -dist[i]
            if not isfinite(s):
                continue
            found = _keep_best(s + random_standard_uniform(bitgen) * 1e-6 * (fabs(s) + 1.0), i, best, keys, found,
                               room)
        n = found
        if n == 0:
            return 0, 0, civilians, 0.0, 0.0, 0.0, 0.0, _mat_zeros(0, N_LOG)
        n_r = n * per_op  # raiders[: n * units_per_operation]
        if n_r < 0:
            n_r = n_raiders + n_r if n_raiders + n_r > 0 else 0
        if n_r > n_raiders:
            n_r = n_raiders
        for i in range(n_r):
            rol[ids[i]] = 4  # posture.OPERATION
            post[ids[i]] = best[i % n]
        log = _mat_zeros(n, N_LOG)
        result = _operations(bitgen, best, n, ids, n_r, pers, unit_eff, mss, mor, st, ctrl, n_cells, nb, n_k, valid,
                             distinct, conf, g,
                             mem, arm, tru, rep, pres, pop, area_km2, mean_population, lethality,
                             intelligence_base, gang_lethality,
                             caution, reinforcement_share, low_profile_engagement, intel_weight, arrest_share,
                             free_detention, harm_ratio, clear_ratio, civ_cell, today, hold, held,
                             cleared_day, ev, <double*> cnp.PyArray_DATA(log), &n_done)
        return (n, n_done, civilians) + result + (log,)
    finally:
        free(best)


cdef tuple _operations(bitgen_t* bitgen, const int64_t* tgt, Py_ssize_t n, const int64_t* ids, Py_ssize_t n_raiders,
                       const double* pers, const double* unit_eff, const int64_t* mss, double* mor, double* st,
                       int64_t* ctrl, Py_ssize_t n_cells, const int64_t* nb, Py_ssize_t n_k, const double* valid,
                       const cnp.npy_bool* distinct, const cnp.npy_bool* conf, Py_ssize_t g, double* mem, double* arm, const double* tru,
                       const double* rep, double* pres, const double* pop, double area_km2,
                       double mean_population, double lethality, double intelligence_base, double gang_lethality,
                       double caution, double reinforcement_share,
                       double low_profile_engagement, double intel_weight, double arrest_share,
                       double free_detention, double harm_ratio, double clear_ratio, double* civ_cell,
                       int64_t today, int64_t hold, int64_t* held, int64_t* cleared_day,
                       double* ev, double* log, Py_ssize_t* n_done):
    """The fights of the ``n`` operations (:func:`papsim.mechanisms.operations.fight`, the fighters lost
    leaving the target and its supporting neighbours: ``fighters.remove``), then the cells cleared (their
    fighters falling back: ``fighters.retreat``), the civilians killed per cell, the events, the ``log``'s
    rows (``RAID_LOG``, ``n`` by ``N_LOG``) and the groups' members (``fighters.tally``). Returns ``(gang
    members killed, arrested, HNP losses, MSS losses)``."""
    cdef double lethality_used = lethality * (1.0 - 0.3 * caution)  # combat.caution_lethality
    cdef double* row
    cdef double places, total, density, harm, armed, killed_total, arrested_total, hnp_total, mss_total
    cdef Py_ssize_t r, op, k
    cdef int64_t unit, cell, gang, j
    cdef binomial_t binomial
    binomial.has_binomial = 0
    cdef double* work = <double*> _scratch(21 * n + g + n * n_k + n_cells, sizeof(double), True)
    cdef double* aimed = work + 15 * n
    cdef double* hit = work + 16 * n
    cdef double left[3]
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
    cdef double* civ = work + 13 * n
    cdef cnp.npy_bool* clr = <cnp.npy_bool*> (work + 14 * n)
    cdef double* present = work + 17 * n  # the fighters who can join each fight
    cdef double* group_loss = work + 18 * n
    cdef double* helpers = group_loss + g  # n by n_k: each neighbour's fighters who join
    cdef double* lost = helpers + n * n_k  # per cell: the fighters lost there
    cdef double* parts = lost + n_cells  # per operation: the share of its fighters lost
    cdef int64_t* done = <int64_t*> (parts + n)  # the cells cleared and the groups that lost them
    cdef int64_t* losers = done + n
    for r in range(n_raiders):  # in raider order, as np.bincount adds
        op, unit = r % n, ids[r]
        persons[op] += pers[unit]
        eff[op] += unit_eff[unit]
        mss_persons[op] += pers[unit] * <double> mss[unit]
    for op in range(n):
        cell = tgt[op]
        gang = _wrap(ctrl[cell], g)
        for k in range(n_k):  # the group's fighters in the real neighbouring cells who join
            j = nb[cell * n_k + k]
            helpers[op * n_k + k] = reinforcement_share * (st[j] * (1.0 if ctrl[j] == ctrl[cell] else 0.0)
                                                           * valid[cell * n_k + k])
        present[op] = st[cell] + _sum(helpers + op * n_k, n_k)
        engaged[op] = present[op] * (1.0 if conf[gang] else low_profile_engagement)
        armed = _min(1.0, arm[gang] / _max(mem[gang], 1e-9))
        a[op] = lethality_used * eff[op] / _max(persons[op], 1e-9)
        aimed[op] = _minimum(1.0, intelligence_base * _maximum(0.0, 1.0 + intel_weight * (tru[cell] - 0.5))
                             / (1.0 + rep[cell]))  # combat.aimed_share
        b[op] = gang_lethality * armed
        pres[cell] += eff[op]
    for op in range(n):  # combat.engage_with_intelligence: the expected losses, then every blue, every red draw
        _intelligence_remaining(persons[op], engaged[op], pop[tgt[op]], a[op], b[op], aimed[op], left)
        blue_loss[op], red_loss[op], hit[op] = left[0], left[1], left[2]
    for op in range(n):
        blue_loss[op] = _min(_draw_poisson(bitgen, persons[op] - blue_loss[op]), floor(persons[op]))
    for op in range(n):
        red_loss[op] = _min(_draw_poisson(bitgen, engaged[op] - red_loss[op]), floor(engaged[op]))
    for op in range(n):  # combat.split_arrests: arrests beyond the free places are released
        wanted[op] = <double> random_binomial(bitgen, arrest_share, <int64_t> red_loss[op], &binomial)
    total = _sum(wanted, n)
    places = _max(free_detention, 0.0)
    for op in range(n):
        arrested[op] = wanted[op] if total <= places else floor(wanted[op] * places / total)
        killed[op] = red_loss[op] - wanted[op]
        mss_loss[op] = blue_loss[op] * mss_persons[op] / _maximum(persons[op], 1e-9)
        hnp_loss[op] = blue_loss[op] - mss_loss[op]
    for op in range(n):  # fighters.remove: the target's share first, then its neighbours'
        parts[op] = (killed[op] + arrested[op]) / present[op] if present[op] > 0 else 0.0
        lost[tgt[op]] += parts[op] * st[tgt[op]]
    for op in range(n):
        for k in range(n_k):
            lost[nb[tgt[op] * n_k + k]] += parts[op] * helpers[op * n_k + k]
    for k in range(n_cells):
        st[k] = _maximum(st[k] - lost[k], 0.0)
    for op in range(n):
        cell = tgt[op]
        density = pop[cell] / area_km2 / (mean_population / area_km2)
        # combat.civilian_harm_expected, density relative to a reference density of 1
        harm = harm_ratio * hit[op] * (density / 1.0) * (1.0 - 0.8 * caution)
        civ[op] = _draw_poisson(bitgen, harm)
        clr[op] = persons[op] - blue_loss[op] >= clear_ratio * (engaged[op] - red_loss[op])
        group_loss[_wrap(ctrl[cell], g)] += killed[op] + arrested[op]
    for k in range(g):
        arm[k] = _maximum(0.0, arm[k] - 0.5 * group_loss[k])
    for r in range(n_raiders):
        op, unit = r % n, ids[r]
        mor[unit] = _max(0.3, mor[unit] - 0.5 * (blue_loss[op] / _max(persons[op], 1e-9)))
    for op in range(n):  # the cells cleared lose their gang and are held; one event per operation
        cell = tgt[op]
        row = log + op * N_LOG
        row[0], row[1], row[2], row[3] = <double> cell, <double> ctrl[cell], persons[op], mss_persons[op]
        row[4], row[5], row[6], row[7] = engaged[op], aimed[op], killed[op], arrested[op]
        row[8], row[9], row[10], row[11] = hnp_loss[op], mss_loss[op], civ[op], 1.0 if clr[op] else 0.0
        civ_cell[cell] = civ[op]
        if clr[op]:
            done[n_done[0]] = cell
            losers[n_done[0]] = ctrl[cell]
            ctrl[cell] = NO_GANG
            held[cell] = today + hold
            cleared_day[cell] = today
            n_done[0] += 1
        ev[cell] += 1.0
    killed_total = _sum(killed, n)
    arrested_total = _sum(arrested, n)
    hnp_total = _sum(hnp_loss, n)
    mss_total = _sum(mss_loss, n)
    try:
        _retreat(st, done, losers, n_done[0], ctrl, nb, distinct, n_k)
        _tally(ctrl, st, n_cells, mem, g)
    finally:
        free(work)
    return killed_total, arrested_total, hnp_total, mss_total
