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
    KERNELS_SOURCE_SHA256, NO_GANG, _bitgen, _empty, _mat, _scratch, _side_table, _sides, _vec, _zeros)

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"territory": "d2d795b00415ce1a2d20a989e6b4b9fc41c7bef8cf1352b8dd1dd72188decea7"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


cdef inline void _count_cells(const int64_t* controller, Py_ssize_t n, Py_ssize_t g, int64_t* counts) noexcept nogil:
    """The cells of each group into ``counts[:g]`` (``counts`` has room for ``4 * g``): four partial counts
    over every fourth cell, so that a run of one group's cells does not wait on a single counter."""
    cdef Py_ssize_t i, k
    cdef int64_t c
    for k in range(4 * g):
        counts[k] = 0
    for i in range(n):
        c = controller[i]
        if c != NO_GANG:
            counts[(i & 3) * g + c] += 1
    for k in range(g):
        counts[k] += counts[g + k] + counts[2 * g + k] + counts[3 * g + k]


cdef inline void _per_cell(const double* members, const int64_t* counts, Py_ssize_t g, double* per_cell) noexcept nogil:
    """Each group's members per cell it holds (0 for a group without cells): one division per group, the
    same quotient in each of its cells."""
    cdef Py_ssize_t k
    for k in range(g):
        per_cell[k] = members[k] / <double> counts[k] if counts[k] else 0.0


cdef int _cell_strength(const int64_t* controller, Py_ssize_t n, const double* members, Py_ssize_t g,
                        double* out) except -1:
    """Members per cell into ``out``: each group's members spread evenly over its cells."""
    cdef int64_t* counts = <int64_t*> _scratch(5 * g, sizeof(int64_t), False)
    cdef double* per_cell = <double*> (counts + 4 * g)  # int64 and double are as wide
    cdef Py_ssize_t i
    cdef int64_t c
    _count_cells(controller, n, g, counts)
    _per_cell(members, counts, g, per_cell)
    for i in range(n):
        c = controller[i]
        out[i] = per_cell[c] if c != NO_GANG else 0.0
    free(counts)
    return 0


def cell_strength(cnp.ndarray controller not None, cnp.ndarray members not None):
    """Gang members per cell, each group's members spread evenly over its cells:
    :func:`papsim.mechanisms.territory.cell_strength`."""
    cdef const int64_t* ctrl = <const int64_t*> _vec(controller, cnp.NPY_INT64, -1, False, "controller")
    cdef const double* mem = <const double*> _vec(members, cnp.NPY_DOUBLE, -1, False, "members")
    cdef Py_ssize_t n = cnp.PyArray_DIM(controller, 0)
    cdef cnp.ndarray out = _empty(n, cnp.NPY_DOUBLE)
    _cell_strength(ctrl, n, mem, cnp.PyArray_DIM(members, 0), <double*> cnp.PyArray_DATA(out))
    return out


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
    hostile borders (a uniform drawn for each cell that can change, in cell order); ``controller``,
    ``held_until``, ``front`` and ``hostile`` in place; returns the strengths (``strength`` itself if control
    did not change): :func:`papsim.mechanisms.territory.advance`."""
    cdef cnp.ndarray members = gangs.members, side_of = gangs.side_of
    cdef cnp.ndarray land = grid.land, nbr = grid.nbr, nbr_land_t = grid.nbr_land_t
    cdef double expansion_rate = rates.expansion_rate
    cdef double retake_multiplier = rates.retake_multiplier, contest_rate = rates.contest_rate
    cdef int64_t* ctrl = <int64_t*> _vec(controller, cnp.NPY_INT64, -1, True, "controller")
    cdef Py_ssize_t n = cnp.PyArray_DIM(controller, 0)
    cdef const double* mem = <const double*> _vec(members, cnp.NPY_DOUBLE, -1, False, "members")
    cdef Py_ssize_t g = cnp.PyArray_DIM(members, 0)
    cdef const double* st = <const double*> _vec(strength, cnp.NPY_DOUBLE, n, False, "strength")
    cdef const double* pres = <const double*> _vec(presence, cnp.NPY_DOUBLE, n, False, "presence")
    cdef const double* resist = <const double*> _vec(rates.resistance, cnp.NPY_DOUBLE, n, False, "resistance")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef const int64_t* nb = <const int64_t*> _mat(nbr, cnp.NPY_INT64, n, -1, "nbr")
    cdef const int64_t* nbt = <const int64_t*> _mat(nbr_land_t, cnp.NPY_INT64, -1, n, "nbr_land_t")
    cdef Py_ssize_t n_k = cnp.PyArray_DIM(nbr, 1), n_t = cnp.PyArray_DIM(nbr_land_t, 0)
    cdef const int64_t* cleared = <const int64_t*> _vec(cleared_on, cnp.NPY_INT64, n, False, "cleared_on")
    cdef int64_t* held = <int64_t*> _vec(held_until, cnp.NPY_INT64, n, True, "held_until")
    cdef cnp.npy_bool* fr = <cnp.npy_bool*> _vec(front, cnp.NPY_BOOL, n, True, "front")
    cdef cnp.npy_bool* ho = <cnp.npy_bool*> _vec(hostile, cnp.NPY_BOOL, n, True, "hostile")
    cdef const void* table = _side_table(side_of)
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef double* out
    cdef Py_ssize_t i, k, best, taken = 0
    cdef int64_t owner, j, c
    cdef double u, rate, att, mine
    cdef bint changed, counted = False
    # cells taken and their new controllers, applied after each stage (every cell sees the stage's start), the
    # sides of the cells, and the cells of each group with its members per cell (counted once control changes:
    # the strength of a cell is then per_cell[its controller], and the strengths are written out once, at the end)
    cdef int64_t* cells = <int64_t*> _scratch(4 * n + 5 * g, sizeof(int64_t), False)
    cdef int64_t* owners = cells + n
    cdef int64_t* side = cells + 2 * n
    cdef int64_t* before = cells + 3 * n
    cdef int64_t* counts = cells + 4 * n
    cdef double* per_cell = <double*> (counts + 4 * g)  # int64 and double are as wide
    try:
        _sides(side_of, table, ctrl, n, side)
        for i in range(n):  # expansion into the cells of no gang on the front
            if ctrl[i] != NO_GANG or not on_land[i] or not fr[i]:
                continue
            best = 0  # the strongest neighbour, the first listed among equals
            for k in range(1, n_k):
                if st[nb[i * n_k + k]] > st[nb[i * n_k + best]]:
                    best = k
            att = st[nb[i * n_k + best]]
            if not att > 0:
                continue
            owner = ctrl[nb[i * n_k + best]]
            u = random_standard_uniform(bitgen)
            rate = expansion_rate * (retake_multiplier if cleared[i] > recent_after else 1.0)
            if u < _take_probability(att, resist[i] + pres[i], rate) and not pres[i] > 0:
                cells[taken] = i
                owners[taken] = owner
                taken += 1
        _hand_over(ctrl, side, side_of, table, cells, owners, taken)
        _fronts_around(cells, taken, side, nbt, n, n_t, on_land, fr, ho)
        changed = taken > 0
        if contest_rate > 0:  # rival gangs take border cells from each other
            if changed:  # the strengths of the new control: cell_strength
                _count_cells(ctrl, n, g, counts)
                _per_cell(mem, counts, g, per_cell)
                counted = True
            taken = 0
            for i in range(n):
                if not ho[i]:
                    continue
                att = 0.0  # the strongest hostile neighbour, the first listed among equals
                owner = ctrl[nb[i * n_k]]
                for k in range(n_k):
                    j = nb[i * n_k + k]
                    if side[j] != side[i] and side[j] != NO_GANG and on_land[j]:
                        mine = (per_cell[ctrl[j]] if ctrl[j] != NO_GANG else 0.0) if counted else st[j]
                        if mine > att:
                            att = mine
                            owner = ctrl[j]
                if not att > 0:
                    continue
                u = random_standard_uniform(bitgen)
                mine = (per_cell[ctrl[i]] if ctrl[i] != NO_GANG else 0.0) if counted else st[i]
                if u < _take_probability(att, mine, contest_rate):
                    cells[taken] = i
                    owners[taken] = owner
                    before[taken] = ctrl[i]
                    taken += 1
            _hand_over(ctrl, side, side_of, table, cells, owners, taken)
            _fronts_around(cells, taken, side, nbt, n, n_t, on_land, fr, ho)
            if counted:  # a cell changes hands between two groups
                for k in range(taken):
                    counts[before[k]] -= 1
                    counts[owners[k]] += 1
                _per_cell(mem, counts, g, per_cell)
            changed = changed or taken > 0
        if not changed:
            for i in range(n):  # holds end in the cells gangs hold
                if ctrl[i] != NO_GANG:
                    held[i] = -1
        else:  # and the strengths of the new control
            if not counted:
                _count_cells(ctrl, n, g, counts)
                _per_cell(mem, counts, g, per_cell)
            strength = _empty(n, cnp.NPY_DOUBLE)
            out = <double*> cnp.PyArray_DATA(strength)
            for i in range(n):
                c = ctrl[i]
                if c != NO_GANG:
                    held[i] = -1
                    out[i] = per_cell[c]
                else:
                    out[i] = 0.0
    finally:
        free(cells)
    return strength


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
