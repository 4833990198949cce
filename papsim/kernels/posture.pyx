# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.posture`: the choice of targets and of the holds kept, the
staffing of the units and their places.

The same bits and the same random stream as the NumPy functions (papsim/kernels/__init__.py).
"""

cimport numpy as cnp
from libc.math cimport fabs, isfinite
from libc.stdint cimport INT64_MAX, int64_t, uint64_t
from libc.stdlib cimport free as release, qsort  # "free" is keep_holds's mask
from libc.string cimport memcpy
from numpy.random cimport bitgen_t
from numpy.random.c_distributions cimport random_standard_uniform
from papsim.kernels._common cimport (
    KERNELS_SOURCE_SHA256, _bitgen, _empty, _keep_best, _maximum, _minimum, _scratch, _vec, _zeros)

cnp.import_array()

# the NumPy modules twinned, each with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {
    "posture": "103870b65d808a92b21e4dab22dd1cd28fcedd145390d3efb04192307d8b6f1b",
    "combat": "5a4361c763964c9b9c1a9f5d6a1f6c856f6a5b0d64f5e93ca5d9abcc289893fb",  # staff reproduces combat.effectiveness
    "personnel": "257759043c05b5e5c4687a065f1eb648b534c648810541aba0249b46c320dfb1",  # and personnel.fill
}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py

cdef extern from *:
    int __builtin_ctzll(unsigned long long x) nogil  # GCC and Clang: the trailing zero bits of x != 0


cdef inline uint64_t _nonzero_bytes(uint64_t x) noexcept nogil:
    """1 in the low bit of each byte of ``x`` that is not zero, 0 elsewhere."""
    x |= x >> 4
    x |= x >> 2
    x |= x >> 1
    return x & 0x0101010101010101ULL


cdef enum:  # unit roles (papsim.mechanisms.posture)
    STATIC = 1
    PATROL = 2
    HOLD = 3
    RESERVE = 5


cdef Py_ssize_t _choose(bitgen_t* bitgen, const double* sc, Py_ssize_t n, Py_ssize_t n_ops, int64_t* best,
                       double* keys) noexcept nogil:
    """The indices of the ``n_ops > 0`` best keys of ``sc`` into ``best``, best first (their keys in ``keys``;
    both of room for ``min(n_ops, n)``), one uniform per finite score in order: how many were found."""
    cdef Py_ssize_t i, found = 0
    cdef double s
    for i in range(n):  # the best keys so far, sorted, in a buffer
        s = sc[i]
        if isfinite(s):
            found = _keep_best(s + random_standard_uniform(bitgen) * 1e-6 * (fabs(s) + 1.0), i, best, keys, found,
                               n_ops)
    return found


def choose_targets(cnp.ndarray score not None, Py_ssize_t n_ops, object rng):
    """Indices of the ``n_ops`` best finite scores, best first, keyed with a tie-breaking jitter of a
    millionth of the score's size, one uniform per finite score in cell order and none if ``n_ops <= 0``
    (equal keys to the lower index): :func:`papsim.mechanisms.posture.choose_targets`."""
    cdef const double* sc = <const double*> _vec(score, cnp.NPY_DOUBLE, -1, False, "score")
    cdef Py_ssize_t n = cnp.PyArray_DIM(score, 0)
    if n_ops <= 0:
        return _empty(0, cnp.NPY_INT64)
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef Py_ssize_t found, room = n_ops if n_ops < n else n
    cdef int64_t* best = <int64_t*> _scratch(room, sizeof(int64_t) + sizeof(double), False)
    cdef cnp.ndarray out
    try:
        found = _choose(bitgen, sc, n, n_ops, best, <double*> (best + room))
        out = _empty(found, cnp.NPY_INT64)
        memcpy(cnp.PyArray_DATA(out), best, found * sizeof(int64_t))
    finally:
        release(best)
    return out


cdef int _descending(const void* x, const void* y) noexcept nogil:
    """``qsort`` order of int64 values, largest first."""
    cdef int64_t a = (<const int64_t*> x)[0], b = (<const int64_t*> y)[0]
    return (a < b) - (a > b)


def keep_holds(cnp.ndarray held_until not None, int64_t day, Py_ssize_t capacity, cnp.ndarray free not None):
    """The cells of the holds kept, in order: of the cells held after ``day``, the ``capacity`` with the most
    days left (the lower index first among equals), where ``free``; every other hold lapses (``held_until``
    set to ``day``, in place): :func:`papsim.mechanisms.posture.keep_holds`."""
    cdef int64_t* until = <int64_t*> _vec(held_until, cnp.NPY_INT64, -1, True, "held_until")
    cdef Py_ssize_t n = cnp.PyArray_DIM(held_until, 0)
    cdef const cnp.npy_bool* manned = <const cnp.npy_bool*> _vec(free, cnp.NPY_BOOL, n, False, "free")
    cdef Py_ssize_t i, c, count = 0, kept = 0, ties = 0
    cdef int64_t threshold = INT64_MAX  # chosen: the holds ending after it, then the first ``ties`` ending on it
    cdef int64_t cell, end
    cdef bint chosen
    cdef int64_t* held = <int64_t*> _scratch(n, sizeof(int64_t), False)
    cdef int64_t* days
    cdef cnp.ndarray out
    i = 0
    while i + 8 <= n:  # eight cells at a time, most of them not held
        if ((until[i] > day) | (until[i + 1] > day) | (until[i + 2] > day) | (until[i + 3] > day)
                | (until[i + 4] > day) | (until[i + 5] > day) | (until[i + 6] > day) | (until[i + 7] > day)):
            for c in range(i, i + 8):
                held[count] = c
                count += until[c] > day
        i += 8
    for i in range(i, n):
        held[count] = i
        count += until[i] > day
    if count <= capacity:
        threshold = day  # every hold chosen
    elif capacity > 0:  # the last end chosen: all later ones, then the first listed ending then
        days = <int64_t*> _scratch(count, sizeof(int64_t), False)
        for c in range(count):
            days[c] = until[held[c]]
        qsort(days, count, sizeof(int64_t), _descending)
        threshold = days[capacity - 1]
        release(days)
        ties = capacity
        for c in range(count):
            ties -= until[held[c]] > threshold
    for c in range(count):  # the chosen holds in free cells, compacted in place; the others lapse
        cell = held[c]
        end = until[cell]
        chosen = end > threshold or (end == threshold and ties > 0)
        ties -= end == threshold
        if chosen and manned[cell]:
            held[kept] = cell
            kept += 1
        else:
            until[cell] = day
    out = _empty(kept, cnp.NPY_INT64)
    memcpy(cnp.PyArray_DATA(out), held, kept * sizeof(int64_t))
    release(held)
    return out


cdef inline void _span(Py_ssize_t start, Py_ssize_t stop, Py_ssize_t length, Py_ssize_t* a, Py_ssize_t* b) noexcept:
    """The bounds ``[a, b)`` of the slice ``[start:stop]`` of a sequence of ``length``, as Python takes them."""
    if start < 0:
        start = start + length if start + length > 0 else 0
    elif start > length:
        start = length
    if stop < 0:
        stop = stop + length if stop + length > 0 else 0
    elif stop > length:
        stop = length
    a[0] = start
    b[0] = stop if stop > start else start


cdef inline Py_ssize_t _ids(int64_t* out, Py_ssize_t first, Py_ssize_t start, Py_ssize_t stop,
                            Py_ssize_t length) noexcept:
    """The unit ids ``first + i`` for ``i`` in the slice ``[start:stop]`` of ``length`` ids into ``out``: how many."""
    cdef Py_ssize_t a, b, i
    _span(start, stop, length, &a, &b)
    for i in range(a, b):
        out[i - a] = first + i
    return b - a


def staff(object units, double hnp, double mss, double unit_size):
    """Fill the units with today's personnel in order and set their effectiveness (personnel times training,
    equipment, readiness and morale), in place; returns the (HNP, MSS) units with anyone in them:
    :func:`papsim.mechanisms.posture.staff`."""
    cdef cnp.ndarray personnel_a = units.personnel, offset_a = units.fill_offset
    cdef Py_ssize_t n = cnp.PyArray_DIM(personnel_a, 0) if cnp.PyArray_NDIM(personnel_a) == 1 else -1
    cdef double* people = <double*> _vec(personnel_a, cnp.NPY_DOUBLE, -1, True, "personnel")
    cdef double* eff = <double*> _vec(units.effectiveness, cnp.NPY_DOUBLE, n, True, "effectiveness")
    cdef const cnp.npy_bool* is_mss = <const cnp.npy_bool*> _vec(units.is_mss, cnp.NPY_BOOL, n, False, "is_mss")
    cdef const double* training = <const double*> _vec(units.training, cnp.NPY_DOUBLE, n, False, "training")
    cdef const double* equipment = <const double*> _vec(units.equipment, cnp.NPY_DOUBLE, n, False, "equipment")
    cdef const double* readiness = <const double*> _vec(units.readiness, cnp.NPY_DOUBLE, n, False, "readiness")
    cdef const double* morale = <const double*> _vec(units.morale, cnp.NPY_DOUBLE, n, False, "morale")
    cdef bint float_offset = cnp.PyArray_TYPE(offset_a) == cnp.NPY_DOUBLE
    cdef const void* offset = _vec(offset_a, cnp.NPY_DOUBLE if float_offset else cnp.NPY_INT64, n, False,
                                   "fill_offset")
    cdef Py_ssize_t i, a, b, nh = units.n_hnp, active_hnp = 0, active_mss = 0
    cdef double ahead, x
    for i in range(n):
        ahead = (<const double*> offset)[i] if float_offset else <double> (<const int64_t*> offset)[i]
        x = _minimum(_maximum(0.0, (mss if is_mss[i] else hnp) - ahead), unit_size)
        people[i] = x
        eff[i] = x * (training[i] * equipment[i] * readiness[i] * morale[i])
    _span(0, nh, n, &a, &b)  # personnel[:nh] and personnel[nh:]
    for i in range(n):
        if people[i] != 0:
            if i < b:
                active_hnp += 1
            else:
                active_mss += 1
    return active_hnp, active_mss


def place(object units, Py_ssize_t active_hnp, Py_ssize_t active_mss, Py_ssize_t static_hnp,
          Py_ssize_t static_mss, Py_ssize_t patrol_hnp, Py_ssize_t joint_mss, cnp.ndarray static_cells not None,
          cnp.ndarray hold_cells not None, cnp.ndarray free not None, cnp.ndarray frontier not None,
          cnp.ndarray population not None, object rng):
    """Roles and places of the staffed units: static guards, holds, patrols of the most populous public front
    cells (one uniform per candidate cell in cell order, none without patrols), the rest in reserve;
    ``units.role`` and ``units.cell`` in place. Returns (presence per cell, the units free for operations,
    1.0 in patrolled cells): :func:`papsim.mechanisms.posture.place`."""
    cdef cnp.ndarray eff_a = units.effectiveness
    cdef Py_ssize_t n_units = cnp.PyArray_DIM(eff_a, 0) if cnp.PyArray_NDIM(eff_a) == 1 else -1
    cdef const double* eff = <const double*> _vec(eff_a, cnp.NPY_DOUBLE, -1, False, "effectiveness")
    cdef int64_t* role = <int64_t*> _vec(units.role, cnp.NPY_INT64, n_units, True, "role")
    cdef int64_t* cell = <int64_t*> _vec(units.cell, cnp.NPY_INT64, n_units, True, "cell")
    cdef Py_ssize_t n = cnp.PyArray_DIM(free, 0) if cnp.PyArray_NDIM(free) == 1 else -1
    cdef const cnp.npy_bool* unheld = <const cnp.npy_bool*> _vec(free, cnp.NPY_BOOL, -1, False, "free")
    cdef const cnp.npy_bool* front = <const cnp.npy_bool*> _vec(frontier, cnp.NPY_BOOL, n, False, "frontier")
    cdef const double* people = <const double*> _vec(population, cnp.NPY_DOUBLE, n, False, "population")
    cdef const int64_t* posts = <const int64_t*> _vec(static_cells, cnp.NPY_INT64, -1, False, "static_cells")
    cdef const int64_t* holds = <const int64_t*> _vec(hold_cells, cnp.NPY_INT64, -1, False, "hold_cells")
    cdef Py_ssize_t nh = units.n_hnp, n_posts = cnp.PyArray_DIM(static_cells, 0)
    cdef Py_ssize_t n_holds = cnp.PyArray_DIM(hold_cells, 0)
    cdef Py_ssize_t i, c, a, b, length, hnp_end, mss_start, n_ids = nh + active_mss
    cdef Py_ssize_t s1, p0, p1, c0, c1, n_static, n_patrol, room, n_cand = 0, found = 0
    cdef uint64_t word, other
    cdef int64_t* by_role
    cdef int64_t* cand
    cdef int64_t* best
    cdef double* scratch
    cdef cnp.ndarray presence_a, patrolled_a, raiders_a
    cdef double* presence
    cdef double* patrolled
    # the active units: HNP ids[:active_hnp], MSS ids[nh:] of ids = arange(nh + active_mss)
    if n_ids < 0:
        n_ids = 0
    _span(0, active_hnp, n_ids, &a, &hnp_end)
    _span(nh, n_ids, n_ids, &mss_start, &b)
    cdef Py_ssize_t n_hnp_ids = hnp_end, n_mss_ids = n_ids - mss_start
    # the six slices (up to three times the ids where slices overlap), then as many patrol cells
    by_role = <int64_t*> _scratch(6 * (n_hnp_ids + n_mss_ids), sizeof(int64_t), False)
    try:
        length = _ids(by_role, 0, 0, static_hnp, n_hnp_ids)
        length += _ids(by_role + length, mss_start, 0, static_mss, n_mss_ids)
        length += _ids(by_role + length, 0, static_hnp, static_hnp + patrol_hnp, n_hnp_ids)
        length += _ids(by_role + length, mss_start, static_mss, joint_mss, n_mss_ids)
        length += _ids(by_role + length, 0, static_hnp + patrol_hnp, n_hnp_ids, n_hnp_ids)
        length += _ids(by_role + length, mss_start, joint_mss, n_mss_ids, n_mss_ids)
        n_static = static_hnp + static_mss
        n_patrol = patrol_hnp + joint_mss - static_mss
        _span(0, n_static, length, &a, &s1)  # static by_role[:s1]
        _span(n_static, n_static + n_patrol, length, &p0, &p1)  # patrols by_role[p0:p1]
        _span(n_static + n_patrol, length, length, &c0, &c1)  # raid-capable by_role[c0:]
        if n_posts != s1:
            raise ValueError(f"static_cells: expected {s1} cells (one per static unit), got {n_posts}")
        if n_holds > c1 - c0:
            raise ValueError(f"hold_cells: {n_holds} holds for {c1 - c0} raid-capable units")
        for i in range(n_units):
            role[i] = 0
            cell[i] = -1
        presence_a = _zeros(n, cnp.NPY_DOUBLE)
        presence = <double*> cnp.PyArray_DATA(presence_a)
        for i in range(s1):  # static guards, added in order (np.bincount)
            role[by_role[i]] = STATIC
        for i in range(s1):
            cell[by_role[i]] = posts[i]
        for i in range(s1):
            presence[posts[i]] += eff[by_role[i]]
        for i in range(n_holds):  # holders: the first raid-capable units
            role[by_role[c0 + i]] = HOLD
        for i in range(n_holds):
            cell[by_role[c0 + i]] = holds[i]
        scratch = <double*> _scratch(n_holds, sizeof(double), False)  # presence[hold_cells] += ...: all read first
        for i in range(n_holds):
            scratch[i] = presence[holds[i]] + eff[by_role[c0 + i]]
        for i in range(n_holds):
            presence[holds[i]] = scratch[i]
        release(scratch)
        patrolled_a = _zeros(n, cnp.NPY_DOUBLE)
        patrolled = <double*> cnp.PyArray_DATA(patrolled_a)
        if p1 > p0:  # patrols: the public front cells nobody is in (population[public]), best first
            cand = <int64_t*> _scratch(n, sizeof(int64_t), False)
            try:
                c = 0
                while c + 8 <= n:  # eight cells at a time: one bit per front cell no gang holds
                    memcpy(&word, front + c, 8)
                    memcpy(&other, unheld + c, 8)
                    word = _nonzero_bytes(word) & _nonzero_bytes(other)
                    while word:
                        i = c + (__builtin_ctzll(word) >> 3)
                        cand[n_cand] = i
                        n_cand += presence[i] == 0
                        word &= word - 1
                    c += 8
                for c in range(c, n):
                    cand[n_cand] = c
                    n_cand += (front[c] != 0) & (unheld[c] != 0) & (presence[c] == 0)
                room = p1 - p0 if p1 - p0 < n_cand else n_cand
                scratch = <double*> _scratch(n_cand + room, sizeof(double) + sizeof(int64_t), False)
                for i in range(n_cand):
                    scratch[i] = people[cand[i]]
                best = <int64_t*> (scratch + n_cand)
                found = _choose(_bitgen(rng), scratch, n_cand, p1 - p0, best, <double*> (best + room))
                for i in range(found):  # the chosen cells, best first, after the units
                    by_role[length + i] = cand[best[i]]
                release(scratch)
            finally:
                release(cand)
        for i in range(p0, p1):
            role[by_role[i]] = RESERVE
        for i in range(found):
            role[by_role[p0 + i]] = PATROL
        for i in range(found):
            cell[by_role[p0 + i]] = by_role[length + i]
        for i in range(found):  # distinct cells
            presence[by_role[length + i]] += eff[by_role[p0 + i]]
            patrolled[by_role[length + i]] = 1.0
        raiders_a = _empty(c1 - c0 - n_holds, cnp.NPY_INT64)
        memcpy(cnp.PyArray_DATA(raiders_a), by_role + c0 + n_holds, (c1 - c0 - n_holds) * sizeof(int64_t))
        for i in range(c0 + n_holds, c1):
            role[by_role[i]] = RESERVE
    finally:
        release(by_role)
    return presence_a, raiders_a, patrolled_a
