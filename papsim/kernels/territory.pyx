# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.territory`: control, front lines, the day's change.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.math cimport exp
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from numpy.random cimport bitgen_t
from numpy.random.c_distributions cimport random_standard_uniform
from papsim.kernels._common cimport (
    KERNELS_SOURCE_SHA256, NO_GANG, _advance_into, _bitgen, _empty, _mat, _retreat, _scratch, _side_table, _sides,
    _tally, _vec, _zeros)

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"territory": "99e5cd87a901599f81094ca9738597eb05c4c5f73c41ae8b28792548ca16fc46",
           "fighters": "a3aecdcea3706d4161a525456cd310ea1d4250fb363d7d5b33144b6e49905547"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


def controller_fronts(cnp.ndarray controller not None, cnp.ndarray side_of not None,
                      cnp.ndarray nbr_land_t not None, cnp.ndarray land not None):
    """``(front, hostile)``: the front lines of every side and the gang cells facing a hostile gang, for the
    sides ``side_of[controller]`` (``side_of`` int16 or int64, no gang last); ``nbr_land_t`` is the
    neighbour table of shape ``(k, n)`` with neighbours off land replaced by the cell itself:
    :func:`papsim.mechanisms.territory.controller_fronts` (``territory.fronts`` of those sides)."""
    cdef const int64_t* ctrl = <const int64_t*> _vec(controller, cnp.NPY_INT64, -1, False, "controller")
    cdef Py_ssize_t n = cnp.PyArray_DIM(controller, 0)
    cdef const int64_t* nbr = <const int64_t*> _mat(nbr_land_t, cnp.NPY_INT64, -1, n, "nbr_land_t")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef const void* table = _side_table(side_of)
    cdef Py_ssize_t i, k, n_k = cnp.PyArray_DIM(nbr_land_t, 0)
    cdef cnp.ndarray front = _empty(n, cnp.NPY_BOOL)
    cdef cnp.ndarray hostile = _empty(n, cnp.NPY_BOOL)
    cdef cnp.npy_bool* fr = <cnp.npy_bool*> cnp.PyArray_DATA(front)
    cdef cnp.npy_bool* ho = <cnp.npy_bool*> cnp.PyArray_DATA(hostile)
    cdef int64_t* side = <int64_t*> _scratch(n, sizeof(int64_t), False)
    _sides(side_of, table, ctrl, n, side)
    for i in range(n):
        _front_at(i, side, nbr, n, n_k, on_land, fr, ho)
    free(side)
    return front, hostile


cdef inline void _front_at(Py_ssize_t i, const int64_t* side, const int64_t* nbr, Py_ssize_t n, Py_ssize_t n_k,
                           const cnp.npy_bool* on_land, cnp.npy_bool* fr, cnp.npy_bool* ho) noexcept nogil:
    """``front`` and ``hostile`` of cell ``i`` from the sides (``nbr``: the transposed table, ``(n_k, n)``)."""
    cdef int64_t s = side[i], other
    cdef bint differs = False, hostile_side = False
    cdef Py_ssize_t k
    for k in range(n_k):
        other = side[nbr[k * n + i]]
        differs |= other != s
        hostile_side |= (other != s) & (other != NO_GANG)
    fr[i] = on_land[i] & differs
    ho[i] = hostile_side & (s != NO_GANG)


cdef inline void _fronts_around(const int64_t* cells, Py_ssize_t count, const int64_t* side, const int64_t* nbr,
                                Py_ssize_t n, Py_ssize_t n_k, const cnp.npy_bool* on_land, cnp.npy_bool* fr,
                                cnp.npy_bool* ho) noexcept nogil:
    """:func:`_front_at` again for the ``cells`` and their neighbours (``territory.update_fronts``)."""
    cdef Py_ssize_t c, k
    for c in range(count):
        _front_at(cells[c], side, nbr, n, n_k, on_land, fr, ho)
        for k in range(n_k):
            _front_at(nbr[k * n + cells[c]], side, nbr, n, n_k, on_land, fr, ho)


def refresh_fronts(cnp.ndarray front not None, cnp.ndarray hostile not None, cnp.ndarray before not None,
                   cnp.ndarray controller not None, cnp.ndarray side_of not None, cnp.ndarray nbr_land_t not None,
                   cnp.ndarray land not None):
    """``front`` and ``hostile`` of ``before`` made those of ``controller``, in place, around the cells that
    changed; ``before`` becomes ``controller``: :func:`papsim.mechanisms.territory.refresh_fronts`."""
    cdef const int64_t* ctrl = <const int64_t*> _vec(controller, cnp.NPY_INT64, -1, False, "controller")
    cdef Py_ssize_t n = cnp.PyArray_DIM(controller, 0)
    cdef int64_t* old = <int64_t*> _vec(before, cnp.NPY_INT64, n, True, "before")
    cdef cnp.npy_bool* fr = <cnp.npy_bool*> _vec(front, cnp.NPY_BOOL, n, True, "front")
    cdef cnp.npy_bool* ho = <cnp.npy_bool*> _vec(hostile, cnp.NPY_BOOL, n, True, "hostile")
    cdef const int64_t* nbr = <const int64_t*> _mat(nbr_land_t, cnp.NPY_INT64, -1, n, "nbr_land_t")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef const void* table = _side_table(side_of)
    cdef Py_ssize_t i, count = 0, n_k = cnp.PyArray_DIM(nbr_land_t, 0)
    cdef int64_t* changed
    cdef int64_t* side
    for i in range(n):
        count += old[i] != ctrl[i]
    if count == 0:
        return
    changed = <int64_t*> _scratch(count + n, sizeof(int64_t), False)
    side = changed + count
    count = 0
    for i in range(n):
        if old[i] != ctrl[i]:
            changed[count] = i
            count += 1
            old[i] = ctrl[i]
    _sides(side_of, table, ctrl, n, side)
    _fronts_around(changed, count, side, nbr, n, n_k, on_land, fr, ho)
    free(changed)


cdef inline double _take_probability(double attacker, double defence, double rate) noexcept nogil:
    """Daily chance that an attacker takes a cell: ``1 - exp(-rate * a / (a + d))``."""
    cdef double total = attacker + defence
    return 1.0 - exp(-rate * (attacker / total if total > 0 else 0.0))


cdef inline void _hand_over(int64_t* controller, int64_t* side, cnp.ndarray side_of, const void* table,
                            const int64_t* cells, const int64_t* owners, Py_ssize_t taken) noexcept:
    """Give the ``taken`` cells to their new controllers, and their sides."""
    cdef Py_ssize_t k
    for k in range(taken):
        controller[cells[k]] = owners[k]
        _sides(side_of, table, &controller[cells[k]], 1, &side[cells[k]])


def advance(object rng, object gangs, object grid, *, cnp.ndarray controller not None,
            cnp.ndarray strength not None, cnp.ndarray presence not None, cnp.ndarray cleared_on not None,
            double recent_after, cnp.ndarray held_until not None, cnp.ndarray front not None,
            cnp.ndarray hostile not None, object rates):
    """A day of territory: gangs expand into weakly defended cells of the front, then rivals contest the
    hostile borders (a uniform drawn for each cell that can change, in cell order), the fighters (``strength``)
    following; ``controller``, the fighters, the members, ``held_until``, ``front`` and ``hostile`` in place:
    :func:`papsim.mechanisms.territory.advance`."""
    cdef cnp.ndarray members = gangs.members, side_of = gangs.side_of
    cdef cnp.ndarray land = grid.land, nbr = grid.nbr, nbr_land_t = grid.nbr_land_t, nbr_distinct = grid.nbr_distinct
    cdef double expansion_rate = rates.expansion_rate, advance_share = rates.advance_share
    cdef double retake_multiplier = rates.retake_multiplier, contest_rate = rates.contest_rate
    cdef int64_t* ctrl = <int64_t*> _vec(controller, cnp.NPY_INT64, -1, True, "controller")
    cdef Py_ssize_t n = cnp.PyArray_DIM(controller, 0)
    cdef double* mem = <double*> _vec(members, cnp.NPY_DOUBLE, -1, True, "members")
    cdef Py_ssize_t g = cnp.PyArray_DIM(members, 0)
    cdef double* st = <double*> _vec(strength, cnp.NPY_DOUBLE, n, True, "strength")
    cdef const double* pres = <const double*> _vec(presence, cnp.NPY_DOUBLE, n, False, "presence")
    cdef const double* resist = <const double*> _vec(rates.resistance, cnp.NPY_DOUBLE, n, False, "resistance")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef const int64_t* nb = <const int64_t*> _mat(nbr, cnp.NPY_INT64, n, -1, "nbr")
    cdef Py_ssize_t n_k = cnp.PyArray_DIM(nbr, 1)
    cdef const cnp.npy_bool* distinct = <const cnp.npy_bool*> _mat(nbr_distinct, cnp.NPY_BOOL, n, n_k,
                                                                   "nbr_distinct")
    cdef const int64_t* nbt = <const int64_t*> _mat(nbr_land_t, cnp.NPY_INT64, -1, n, "nbr_land_t")
    cdef Py_ssize_t n_t = cnp.PyArray_DIM(nbr_land_t, 0)
    cdef const int64_t* cleared = <const int64_t*> _vec(cleared_on, cnp.NPY_INT64, n, False, "cleared_on")
    cdef int64_t* held = <int64_t*> _vec(held_until, cnp.NPY_INT64, n, True, "held_until")
    cdef cnp.npy_bool* fr = <cnp.npy_bool*> _vec(front, cnp.NPY_BOOL, n, True, "front")
    cdef cnp.npy_bool* ho = <cnp.npy_bool*> _vec(hostile, cnp.NPY_BOOL, n, True, "hostile")
    cdef const void* table = _side_table(side_of)
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef Py_ssize_t i, k, best, taken = 0
    cdef int64_t owner, source, j
    cdef double u, rate, att
    # cells taken, their new controllers, the cells they are taken from and their old controllers, applied
    # after each stage (every cell sees the stage's start), the sides of the cells and a stage's uniforms
    cdef int64_t* cells = <int64_t*> _scratch(6 * n, sizeof(int64_t), False)
    cdef int64_t* owners = cells + n
    cdef int64_t* sources = cells + 2 * n
    cdef int64_t* before = cells + 3 * n
    cdef int64_t* side = cells + 4 * n
    cdef double* uniforms = <double*> (cells + 5 * n)  # int64 and double are as wide
    try:
        _sides(side_of, table, ctrl, n, side)
        for i in range(n):  # one uniform per cell of the map, each cell its own
            uniforms[i] = random_standard_uniform(bitgen)
        for i in range(n):  # expansion into the cells of no gang on the front
            if ctrl[i] != NO_GANG or not on_land[i] or not fr[i]:
                continue
            best = 0  # the strongest neighbour, the first listed among equals
            for k in range(1, n_k):
                if st[nb[i * n_k + k]] > st[nb[i * n_k + best]]:
                    best = k
            source = nb[i * n_k + best]
            att = st[source]
            if not att > 0:
                continue
            u = uniforms[i]
            rate = expansion_rate * (retake_multiplier if cleared[i] > recent_after else 1.0)
            if u < _take_probability(att, resist[i] + pres[i], rate) and not pres[i] > 0:
                cells[taken] = i
                owners[taken] = ctrl[source]
                sources[taken] = source
                taken += 1
        _hand_over(ctrl, side, side_of, table, cells, owners, taken)
        _advance_into(st, cells, sources, owners, taken, ctrl, advance_share)
        _fronts_around(cells, taken, side, nbt, n, n_t, on_land, fr, ho)
        if contest_rate > 0:  # rival gangs take border cells from each other
            taken = 0
            for i in range(n):
                uniforms[i] = random_standard_uniform(bitgen)
            for i in range(n):
                if not ho[i]:
                    continue
                att = 0.0  # the strongest hostile neighbour, the first listed among equals
                source = nb[i * n_k]
                for k in range(n_k):
                    j = nb[i * n_k + k]
                    if side[j] != side[i] and side[j] != NO_GANG and on_land[j] and st[j] > att:
                        att = st[j]
                        source = j
                if not att > 0:
                    continue
                u = uniforms[i]
                if u < _take_probability(att, st[i], contest_rate):
                    cells[taken] = i
                    owners[taken] = ctrl[source]
                    sources[taken] = source
                    before[taken] = ctrl[i]
                    taken += 1
            _hand_over(ctrl, side, side_of, table, cells, owners, taken)
            _retreat(st, cells, before, taken, ctrl, nb, distinct, n_k)
            _advance_into(st, cells, sources, owners, taken, ctrl, advance_share)
            _fronts_around(cells, taken, side, nbt, n, n_t, on_land, fr, ho)
        for i in range(n):  # holds end in the cells gangs hold
            if ctrl[i] != NO_GANG:
                held[i] = -1
        _tally(ctrl, st, n, mem, g)
    finally:
        free(cells)


def contested_cells(cnp.ndarray front not None, cnp.ndarray gang_front not None, cnp.ndarray presence not None,
                    cnp.ndarray land not None, cnp.ndarray nbr not None):
    """Cells fought over: gang-against-gang fronts, and front cells with security presence in or next to
    them: :func:`papsim.mechanisms.territory.contested_cells`."""
    cdef const double* pres = <const double*> _vec(presence, cnp.NPY_DOUBLE, -1, False, "presence")
    cdef Py_ssize_t n = cnp.PyArray_DIM(presence, 0)
    cdef const cnp.npy_bool* fr = <const cnp.npy_bool*> _vec(front, cnp.NPY_BOOL, n, False, "front")
    cdef const cnp.npy_bool* gf = <const cnp.npy_bool*> _vec(gang_front, cnp.NPY_BOOL, n, False, "gang_front")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef const int64_t* nb = <const int64_t*> _mat(nbr, cnp.NPY_INT64, n, -1, "nbr")
    cdef Py_ssize_t i, k, n_k = cnp.PyArray_DIM(nbr, 1)
    cdef cnp.ndarray out = _empty(n, cnp.NPY_BOOL)
    cdef cnp.npy_bool* near = <cnp.npy_bool*> cnp.PyArray_DATA(out)
    for i in range(n):
        near[i] = pres[i] > 0
    for i in range(n):
        if pres[i] > 0 and on_land[i]:
            for k in range(n_k):
                near[nb[i * n_k + k]] = True
    for i in range(n):
        near[i] = gf[i] | (fr[i] & near[i])
    return out


def strongest_attacker(cnp.ndarray strength not None, cnp.ndarray controller not None,
                       cnp.ndarray attacks not None, cnp.ndarray nbr_rows not None):
    """``(strength, controller)`` of the strongest cell of a group that ``attacks`` among each row of
    ``nbr_rows`` (the first listed among equals): :func:`papsim.mechanisms.territory.strongest_attacker`."""
    cdef const double* st = <const double*> _vec(strength, cnp.NPY_DOUBLE, -1, False, "strength")
    cdef Py_ssize_t n = cnp.PyArray_DIM(strength, 0)
    cdef const int64_t* ctrl = <const int64_t*> _vec(controller, cnp.NPY_INT64, n, False, "controller")
    cdef const cnp.npy_bool* att_of = <const cnp.npy_bool*> _vec(attacks, cnp.NPY_BOOL, -1, False, "attacks")
    cdef const int64_t* nb = <const int64_t*> _mat(nbr_rows, cnp.NPY_INT64, -1, -1, "nbr_rows")
    cdef Py_ssize_t r, k, n_r = cnp.PyArray_DIM(nbr_rows, 0), n_k = cnp.PyArray_DIM(nbr_rows, 1)
    cdef int64_t j, c
    cdef double best, value
    cdef cnp.ndarray att = _zeros(n_r, cnp.NPY_DOUBLE)
    cdef cnp.ndarray owner = _zeros(n_r, cnp.NPY_INT64)
    cdef double* a = <double*> cnp.PyArray_DATA(att)
    cdef int64_t* o = <int64_t*> cnp.PyArray_DATA(owner)
    for r in range(n_r):
        best = -1.0
        for k in range(n_k):
            j = nb[r * n_k + k]
            c = ctrl[j]
            value = st[j] * (1.0 if c != NO_GANG and att_of[c] else 0.0)
            if value > best:
                best = value
                a[r] = value
                o[r] = c
    return att, owner
