# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled kernels of the day: the functions of :mod:`papsim.kernels` with the same numbers.

Each function here gives bit for bit what its NumPy counterpart gives (``papsim.kernels.NUMPY``), from the
same arguments and the same generator state, and leaves the generator in the same state: random draws
call NumPy's own algorithms (``numpy/random/c_distributions.pxd``) on the model's bit generator, in the
order the NumPy code draws them, and sums of arrays use NumPy's pairwise summation (:func:`pairwise_sum`).
``tests/test_kernels.py`` checks every function against its counterpart.

Arrays are taken as they are, without copies or conversions: each must be C-contiguous, aligned, in native
byte order and of the expected dtype (float64; int64 for indices, day numbers and controllers, ``side_of``
int16 or int64; NumPy bool for masks), or a ``TypeError``/``ValueError`` says which is not. Arrays documented "in place" are changed in
place and must be writable. Index values (controllers, neighbour tables, cells, units) are trusted as in the
NumPy code's own arrays: they must be valid, they are not checked.
"""

import numpy as np

cimport numpy as cnp
from cpython.pycapsule cimport PyCapsule_GetPointer
from libc.math cimport INFINITY, cosh, exp, fabs, floor, isfinite, sinh, sqrt
from libc.stdint cimport int16_t, int64_t
from libc.stdlib cimport calloc, free, malloc, qsort
from numpy.random cimport bitgen_t
from numpy.random.c_distributions cimport binomial_t, random_binomial, random_poisson, random_standard_uniform

cnp.import_array()

cdef extern from *:
    """
    #ifndef KERNELS_SOURCE_SHA256
    #define KERNELS_SOURCE_SHA256 ""
    #endif
    """
    const char* KERNELS_SOURCE_SHA256

# the SHA-256 of this file when it was built (setup.py), so that papsim.kernels can tell a stale build
SOURCE_SHA256 = KERNELS_SOURCE_SHA256.decode()

cdef enum:
    NO_GANG = -1  # the controller of a cell no gang holds

# a take probability never exceeds its rate by more than rounding (1 - exp(-x) <= x): a draw at or above
# rate + this slack cannot take or flip a cell, so those cells need no further work (the same results)
cdef double _DRAW_SLACK = 1e-12


cdef bitgen_t* _bitgen(object rng) except NULL:
    """The C state of a ``numpy.random.Generator``'s bit generator."""
    return <bitgen_t*> PyCapsule_GetPointer(rng.bit_generator.capsule, "BitGenerator")


cdef inline double _draw_poisson(bitgen_t* bitgen, double lam) noexcept nogil:
    """``rng.poisson(lam)`` as a float; nothing drawn unless ``lam > 0``."""
    return <double> random_poisson(bitgen, lam) if lam > 0 else 0.0


cdef double _pairwise(const double* values, Py_ssize_t n) noexcept nogil:
    """NumPy's pairwise summation (``pairwise_sum_DOUBLE``): blocks of up to 128 values with eight partial
    sums, longer runs split in halves at multiples of eight."""
    cdef double r[8]
    cdef double total
    cdef Py_ssize_t i, k, half
    if n < 8:
        total = -0.0
        for i in range(n):
            total += values[i]
        return total
    if n <= 128:
        for k in range(8):
            r[k] = values[k]
        i = 8
        while i < n - n % 8:
            for k in range(8):
                r[k] += values[i + k]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            total += values[i]
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return _pairwise(values, half) + _pairwise(values + half, n - half)


cdef inline double _sum(const double* values, Py_ssize_t n) noexcept nogil:
    """``ndarray.sum()`` of ``n`` contiguous doubles, to the last bit."""
    return 0.0 + _pairwise(values, n)


# --- NumPy's and Python's minimum and maximum of two floats, NaN and signed zeros included ----------------
cdef inline double _maximum(double a, double b) noexcept nogil:
    """``np.maximum(a, b)``: a NaN wins (the first one), else ``a`` unless ``b`` is greater."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a >= b else b


cdef inline double _minimum(double a, double b) noexcept nogil:
    """``np.minimum(a, b)``: a NaN wins (the first one), else ``a`` unless ``b`` is smaller."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a <= b else b


cdef inline double _max(double a, double b) noexcept nogil:
    """The builtin ``max(a, b)``: ``b`` only if it is greater."""
    return b if b > a else a


cdef inline double _min(double a, double b) noexcept nogil:
    """The builtin ``min(a, b)``: ``b`` only if it is smaller."""
    return b if b < a else a


# --- arrays in and out ----------------------------------------------------------------------------------
cdef void* _vec(cnp.ndarray a, int typenum, Py_ssize_t n, bint writable, str name) except? NULL:
    """The data of a 1-D array of type ``typenum`` and length ``n`` (any if ``n < 0``), checked as the
    module docstring says (``writable`` for arrays changed in place)."""
    if cnp.PyArray_TYPE(a) != typenum:
        raise TypeError(f"{name}: expected dtype {np.dtype(cnp.PyArray_DescrFromType(typenum))}, "
                        f"got {a.dtype}")
    if cnp.PyArray_NDIM(a) != 1 or (n >= 0 and cnp.PyArray_DIM(a, 0) != n):
        raise ValueError(f"{name}: expected 1-D of length {n if n >= 0 else 'n'}, got shape {np.shape(a)}")
    if not (cnp.PyArray_ISCARRAY(a) if writable else cnp.PyArray_ISCARRAY_RO(a)):
        raise ValueError(f"{name}: expected a C-contiguous, aligned, native{', writable' if writable else ''} array")
    return cnp.PyArray_DATA(a)


cdef void* _mat(cnp.ndarray a, int typenum, Py_ssize_t rows, Py_ssize_t cols, str name) except? NULL:
    """The data of a 2-D read-only array of type ``typenum`` and shape ``(rows, cols)`` (any where negative),
    checked as :func:`_vec`."""
    if cnp.PyArray_TYPE(a) != typenum:
        raise TypeError(f"{name}: expected dtype {np.dtype(cnp.PyArray_DescrFromType(typenum))}, "
                        f"got {a.dtype}")
    if (cnp.PyArray_NDIM(a) != 2 or (rows >= 0 and cnp.PyArray_DIM(a, 0) != rows)
            or (cols >= 0 and cnp.PyArray_DIM(a, 1) != cols)):
        raise ValueError(f"{name}: expected 2-D of shape ({rows if rows >= 0 else 'any'}, "
                         f"{cols if cols >= 0 else 'any'}), got shape {np.shape(a)}")
    if not cnp.PyArray_ISCARRAY_RO(a):
        raise ValueError(f"{name}: expected a C-contiguous, aligned, native array")
    return cnp.PyArray_DATA(a)


cdef inline cnp.ndarray _zeros(Py_ssize_t n, int typenum):
    """A new 1-D array of ``n`` zeros."""
    cdef cnp.npy_intp dims = n
    return <cnp.ndarray> cnp.PyArray_ZEROS(1, &dims, typenum, 0)


cdef inline cnp.ndarray _empty(Py_ssize_t n, int typenum):
    """A new 1-D array of ``n`` values to be set."""
    cdef cnp.npy_intp dims = n
    return <cnp.ndarray> cnp.PyArray_EMPTY(1, &dims, typenum, 0)


cdef void* _scratch(Py_ssize_t count, size_t size, bint zero) except NULL:
    """Working memory for ``count`` values of ``size`` bytes (zeroed if ``zero``); ``free`` it."""
    cdef size_t total = <size_t> (count if count > 0 else 1) * size
    cdef void* p = calloc(total, 1) if zero else malloc(total)
    if p == NULL:
        raise MemoryError()
    return p


cdef inline Py_ssize_t _wrap(int64_t index, Py_ssize_t n) noexcept nogil:
    """A negative index counted from the end, as NumPy's indexing does (``side_of[-1]`` for no gang)."""
    return <Py_ssize_t> (index + n if index < 0 else index)


cdef const void* _side_table(cnp.ndarray side_of) except? NULL:
    """The data of ``side_of`` (the side of each controller, no gang last: int16 or int64), checked."""
    cdef int typenum = cnp.PyArray_TYPE(side_of)
    if typenum != cnp.NPY_INT16 and typenum != cnp.NPY_INT64:
        raise TypeError(f"side_of: expected an int16 or int64 array, got {side_of.dtype}")
    return _vec(side_of, typenum, -1, False, "side_of")


cdef void _sides(cnp.ndarray side_of, const void* table, const int64_t* controller, Py_ssize_t n,
                 int64_t* out) noexcept:
    """``side_of[controller]`` into ``out``; ``table`` is :func:`_side_table` of ``side_of``."""
    cdef Py_ssize_t i, m = cnp.PyArray_DIM(side_of, 0)
    if cnp.PyArray_TYPE(side_of) == cnp.NPY_INT16:
        for i in range(n):
            out[i] = (<const int16_t*> table)[_wrap(controller[i], m)]
    else:
        for i in range(n):
            out[i] = (<const int64_t*> table)[_wrap(controller[i], m)]


# --- the kernels ----------------------------------------------------------------------------------------
def pairwise_sum(cnp.ndarray values not None) -> float:
    """``values.sum()`` of a 1-D float array, to the last bit (NumPy's pairwise summation)."""
    cdef const double* v = <const double*> _vec(values, cnp.NPY_DOUBLE, -1, False, "values")
    return _sum(v, cnp.PyArray_DIM(values, 0))


def poisson_where_positive(object rng, cnp.ndarray lam not None):
    """``rng.poisson(lam)`` as floats, drawn only where ``lam > 0`` (NumPy draws nothing for a zero mean):
    :func:`papsim.mechanisms.combat.poisson_where_positive`."""
    cdef const double* mean = <const double*> _vec(lam, cnp.NPY_DOUBLE, -1, False, "lam")
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef Py_ssize_t i, n = cnp.PyArray_DIM(lam, 0)
    cdef cnp.ndarray out = _zeros(n, cnp.NPY_DOUBLE)
    cdef double* drawn = <double*> cnp.PyArray_DATA(out)
    for i in range(n):
        drawn[i] = _draw_poisson(bitgen, mean[i])
    return out


cdef int _cell_strength(const int64_t* controller, Py_ssize_t n, const double* members, Py_ssize_t g,
                        double* out) except -1:
    """Members per cell into ``out``: each group's members spread evenly over its cells."""
    cdef int64_t* counts = <int64_t*> _scratch(g, sizeof(int64_t) + sizeof(double), True)
    cdef double* per_cell = <double*> (counts + g)
    cdef Py_ssize_t i, k
    cdef int64_t c
    for i in range(n):
        c = controller[i]
        if c != NO_GANG:
            counts[c] += 1
    for k in range(g):  # one division per group: the same quotient in each of its cells
        if counts[k]:
            per_cell[k] = members[k] / <double> counts[k]
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
    cdef int64_t s, other
    cdef bint differs, hostile_side
    cdef cnp.ndarray front = _empty(n, cnp.NPY_BOOL)
    cdef cnp.ndarray hostile = _empty(n, cnp.NPY_BOOL)
    cdef cnp.npy_bool* fr = <cnp.npy_bool*> cnp.PyArray_DATA(front)
    cdef cnp.npy_bool* ho = <cnp.npy_bool*> cnp.PyArray_DATA(hostile)
    cdef int64_t* side = <int64_t*> _scratch(n, sizeof(int64_t), False)
    _sides(side_of, table, ctrl, n, side)
    for i in range(n):
        s = side[i]
        differs = hostile_side = False
        for k in range(n_k):
            other = side[nbr[k * n + i]]
            differs |= other != s
            hostile_side |= (other != s) & (other != NO_GANG)
        fr[i] = on_land[i] & differs
        ho[i] = hostile_side & (s != NO_GANG)
    free(side)
    return front, hostile


cdef inline double _take_probability(double attacker, double defence, double rate) noexcept nogil:
    """Daily chance that an attacker takes a cell: ``1 - exp(-rate * a / (a + d))``."""
    cdef double total = attacker + defence
    return 1.0 - exp(-rate * (attacker / total if total > 0 else 0.0))


cdef inline bint _hand_over(int64_t* controller, const int64_t* cells, const int64_t* owners,
                            Py_ssize_t taken) noexcept nogil:
    """Give the ``taken`` cells to their new controllers; whether any changed hands."""
    cdef Py_ssize_t k
    for k in range(taken):
        controller[cells[k]] = owners[k]
    return taken > 0


def advance(object rng, cnp.ndarray controller not None, cnp.ndarray members not None,
            cnp.ndarray strength not None, cnp.ndarray presence not None, double community_resistance,
            cnp.ndarray land not None, cnp.ndarray nbr not None, double expansion_rate, double retake_multiplier,
            cnp.ndarray cleared_on not None, double recent_after, cnp.ndarray confront not None,
            cnp.ndarray side_of not None, double contest_rate, cnp.ndarray held_until not None):
    """A day of territory: gangs expand into weakly defended cells, then rivals contest borders (a uniform
    drawn per cell for each stage); ``controller`` and ``held_until`` in place; returns the strengths
    (``strength`` itself if control did not change): :func:`papsim.mechanisms.territory.advance`."""
    cdef int64_t* ctrl = <int64_t*> _vec(controller, cnp.NPY_INT64, -1, True, "controller")
    cdef Py_ssize_t n = cnp.PyArray_DIM(controller, 0)
    cdef const double* mem = <const double*> _vec(members, cnp.NPY_DOUBLE, -1, False, "members")
    cdef Py_ssize_t g = cnp.PyArray_DIM(members, 0)
    cdef const double* st = <const double*> _vec(strength, cnp.NPY_DOUBLE, n, False, "strength")
    cdef const double* pres = <const double*> _vec(presence, cnp.NPY_DOUBLE, n, False, "presence")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef const int64_t* nb = <const int64_t*> _mat(nbr, cnp.NPY_INT64, n, -1, "nbr")
    cdef Py_ssize_t n_k = cnp.PyArray_DIM(nbr, 1)
    cdef const int64_t* cleared = <const int64_t*> _vec(cleared_on, cnp.NPY_INT64, n, False, "cleared_on")
    cdef const cnp.npy_bool* conf = <const cnp.npy_bool*> _vec(confront, cnp.NPY_BOOL, g, False, "confront")
    cdef int64_t* held = <int64_t*> _vec(held_until, cnp.NPY_INT64, n, True, "held_until")
    cdef const void* table = _side_table(side_of)
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef Py_ssize_t i, k, best, taken = 0
    cdef int64_t owner, j
    cdef double u, rate, att
    cdef bint stale
    # cells taken and their new controllers, applied after each stage (every cell sees the day's start)
    cdef int64_t* cells = <int64_t*> _scratch(3 * n, sizeof(int64_t), False)
    cdef int64_t* owners = cells + n
    cdef int64_t* side = cells + 2 * n
    try:
        for i in range(n):  # expansion into cells of no gang
            u = random_standard_uniform(bitgen)
            if ctrl[i] != NO_GANG or not on_land[i]:
                continue
            rate = expansion_rate * (retake_multiplier if cleared[i] > recent_after else 1.0)
            if u >= rate + _DRAW_SLACK:
                continue
            best = 0  # the strongest neighbour, the first listed among equals
            for k in range(1, n_k):
                if st[nb[i * n_k + k]] > st[nb[i * n_k + best]]:
                    best = k
            att = st[nb[i * n_k + best]]
            owner = ctrl[nb[i * n_k + best]]
            if (att > 0 and u < _take_probability(att, community_resistance + pres[i], rate)
                    and not (not conf[owner if owner > 0 else 0] and pres[i] > 0)):
                cells[taken] = i
                owners[taken] = owner
                taken += 1
        stale = _hand_over(ctrl, cells, owners, taken)
        if contest_rate > 0:  # rival gangs take border cells from each other
            if stale:
                strength = _empty(n, cnp.NPY_DOUBLE)
                _cell_strength(ctrl, n, mem, g, <double*> cnp.PyArray_DATA(strength))
                st = <const double*> cnp.PyArray_DATA(strength)
            _sides(side_of, table, ctrl, n, side)
            taken = 0
            for i in range(n):
                u = random_standard_uniform(bitgen)
                if side[i] == NO_GANG or ctrl[i] == NO_GANG or u >= contest_rate + _DRAW_SLACK:
                    continue
                att = 0.0  # the strongest hostile neighbour, the first listed among equals
                owner = ctrl[nb[i * n_k]]
                for k in range(n_k):
                    j = nb[i * n_k + k]
                    if side[j] != side[i] and side[j] != NO_GANG and on_land[j] and st[j] > att:
                        att = st[j]
                        owner = ctrl[j]
                if att > 0 and u < _take_probability(att, st[i], contest_rate):
                    cells[taken] = i
                    owners[taken] = owner
                    taken += 1
            stale = _hand_over(ctrl, cells, owners, taken)
        for i in range(n):  # holds end in the cells gangs hold
            if ctrl[i] != NO_GANG:
                held[i] = -1
        if stale:
            strength = _empty(n, cnp.NPY_DOUBLE)
            _cell_strength(ctrl, n, mem, g, <double*> cnp.PyArray_DATA(strength))
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


def population_day(object rng, cnp.ndarray population not None, cnp.ndarray held not None,
                   cnp.ndarray contested not None, cnp.ndarray patrolled not None, cnp.ndarray land not None,
                   cnp.ndarray civilians_killed not None, cnp.ndarray violence not None,
                   cnp.ndarray displaced not None, double predation_per_million, double border_rate,
                   double kidnap_per_million, double displaced_per_death, double front_flight_rate,
                   double out_share):
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
    cdef double predation = predation_per_million * 1e-6
    cdef double kidnapping = kidnap_per_million * 1e-6
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


cdef inline void _remaining(double blue, double red, double a, double b, double dt,
                            double* blue_left, double* red_left) noexcept nogil:
    """Exact square-law strengths after ``dt``; when a side is wiped out within ``dt`` the winner keeps the
    invariant's strength (``combat.lanchester_remaining`` of one fight)."""
    cdef double k = sqrt(a * b)
    cdef double kt = k * dt
    cdef double sinh_over_k = sinh(kt) / k if k > 0 else dt
    cdef double c = cosh(kt)
    cdef double blue_t = blue * c - b * red * sinh_over_k
    cdef double red_t = red * c - a * blue * sinh_over_k
    cdef bint red_out = red_t <= 0
    cdef bint blue_out = blue_t <= 0
    cdef double blue_wins, red_wins
    if red_out or blue_out:
        if red > 0:
            blue_wins = sqrt(_max(blue * blue - (b / a if a > 0 else INFINITY) * (red * red), 0.0))
        else:
            blue_wins = blue
        if blue > 0:
            red_wins = sqrt(_max(red * red - (a / b if b > 0 else INFINITY) * (blue * blue), 0.0))
        else:
            red_wins = red
        blue_t = blue_wins if red_out else 0.0
        red_t = red_wins if blue_out else 0.0
    blue_left[0] = _min(_max(0.0, blue_t), blue)
    red_left[0] = _min(_max(0.0, red_t), red)


cdef void _fight(bitgen_t* bitgen, Py_ssize_t n, const double* blue, const double* red, const double* a,
                 const double* b, double dt, double* blue_loss, double* red_loss) noexcept nogil:
    """Poisson losses around the square law's expected losses, capped by strength: every blue loss is
    drawn, then every red loss (``combat.engage``)."""
    cdef Py_ssize_t i
    for i in range(n):  # the strengths left, kept in the loss arrays until the draws
        _remaining(blue[i], red[i], a[i], b[i], dt, &blue_loss[i], &red_loss[i])
    for i in range(n):
        blue_loss[i] = _min(_draw_poisson(bitgen, blue[i] - blue_loss[i]), floor(blue[i]))
    for i in range(n):
        red_loss[i] = _min(_draw_poisson(bitgen, red[i] - red_loss[i]), floor(red[i]))


def engage(cnp.ndarray blue not None, cnp.ndarray red not None, cnp.ndarray a not None,
           cnp.ndarray b not None, object rng, double dt=1.0):
    """One day of fighting between 1-D arrays of forces: ``(blue losses, red losses)``, Poisson around the
    exact square-law losses and capped by strength, every blue loss drawn before the red ones:
    :func:`papsim.mechanisms.combat.engage`."""
    cdef const double* bl = <const double*> _vec(blue, cnp.NPY_DOUBLE, -1, False, "blue")
    cdef Py_ssize_t n = cnp.PyArray_DIM(blue, 0)
    cdef const double* rd = <const double*> _vec(red, cnp.NPY_DOUBLE, n, False, "red")
    cdef const double* aa = <const double*> _vec(a, cnp.NPY_DOUBLE, n, False, "a")
    cdef const double* bb = <const double*> _vec(b, cnp.NPY_DOUBLE, n, False, "b")
    cdef bitgen_t* bitgen = _bitgen(rng)
    cdef cnp.ndarray blue_loss = _empty(n, cnp.NPY_DOUBLE)
    cdef cnp.ndarray red_loss = _empty(n, cnp.NPY_DOUBLE)
    _fight(bitgen, n, bl, rd, aa, bb, dt, <double*> cnp.PyArray_DATA(blue_loss),
           <double*> cnp.PyArray_DATA(red_loss))
    return blue_loss, red_loss


def raid(object rng, cnp.ndarray targets not None, cnp.ndarray raiders not None, cnp.ndarray personnel not None,
         cnp.ndarray effectiveness not None, cnp.ndarray is_mss not None, cnp.ndarray morale not None,
         cnp.ndarray strength not None, cnp.ndarray controller not None, cnp.ndarray nbr not None,
         cnp.ndarray nbr_valid not None, cnp.ndarray confront not None, cnp.ndarray members not None,
         cnp.ndarray arms not None, cnp.ndarray trust not None, cnp.ndarray presence not None,
         cnp.ndarray population not None, double area_km2, double mean_population, double lethality,
         double gang_lethality, double caution, double reinforcement_share, double low_profile_engagement,
         double intel_weight, double arrest_share, double free_detention, double harm_ratio, double clear_ratio):
    """One operation in each of the distinct ``targets`` cells, raider ``r`` in operation ``r % n``; draws
    every operation's security losses, then gang losses, then arrests, then civilians killed. ``morale``,
    ``members``, ``arms`` and ``presence`` in place. Returns ``(cleared, civilians killed)`` per operation
    and ``(gang members killed, arrested, HNP losses, MSS losses)``: :func:`papsim.mechanisms.operations.raid`."""
    cdef const int64_t* tgt = <const int64_t*> _vec(targets, cnp.NPY_INT64, -1, False, "targets")
    cdef Py_ssize_t n = cnp.PyArray_DIM(targets, 0)
    cdef const int64_t* units = <const int64_t*> _vec(raiders, cnp.NPY_INT64, -1, False, "raiders")
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
        op, unit = r % n, units[r]
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
        op, unit = r % n, units[r]
        mor[unit] = _max(0.3, mor[unit] - 0.5 * (blue_loss[op] / _max(persons[op], 1e-9)))
    killed_total = _sum(killed, n)
    arrested_total = _sum(arrested, n)
    hnp_total = _sum(hnp_loss, n)
    mss_total = _sum(mss_loss, n)
    free(work)
    return cleared, civilians, killed_total, arrested_total, hnp_total, mss_total


def economy_day(object rng, cnp.ndarray controller not None, cnp.ndarray population not None,
                cnp.ndarray trust not None, cnp.ndarray road not None, cnp.ndarray site_cells not None,
                cnp.ndarray fuel_sites not None, cnp.ndarray kidnappings not None, cnp.ndarray cash not None,
                cnp.ndarray members not None, cnp.ndarray arms not None, double displaced_share,
                double trust_initial, double extortion, double toll, double blockade, double ransom,
                double recruitment_rate, double recruit_cost, double desertion_rate, double arms_per_day,
                double embargo, double arms_price):
    """A day of the groups' finances and ranks: revenue into ``cash``, recruits (every group's drawn first)
    and deserters, then weapons bought with the day's supply; ``cash``, ``members`` and ``arms`` in place:
    :func:`papsim.mechanisms.economy.one_day`."""
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
    for i in range(n):  # each group's cells in order, as np.bincount adds
        c = ctrl[i]
        if c >= 0:
            income[c] += extortion * pop[i] + toll * rd[i] + ransom * kid[i]
    for k in range(n_sites):
        c = ctrl[sites[k]]
        if c != NO_GANG:
            fuel_blockaded = fuel_blockaded or fuel[k]
            if c >= 0:
                blockaded[c] += 1.0
    for k in range(g):
        money[k] += income[k] + blockade * blockaded[k]
    for i in range(n):
        c = ctrl[i]
        if c != NO_GANG:
            territory_pop[c] += pop[i]
            territory_trust[c] += tru[i] * pop[i]
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


def trust_day(cnp.ndarray trust not None, cnp.ndarray presence not None, double unit_size,
              cnp.ndarray civilians_killed not None, cnp.ndarray population not None, cnp.ndarray land not None,
              double incidents, double passivity_index, double gain, double harm_loss, double misconduct_loss,
              double passivity_penalty):
    """A day of trust on land, in place (0 off land): up with visible security (units present, at most one),
    down with civilians killed per 1,000 residents, misconduct and passivity, clipped to [0, 1]:
    :func:`papsim.mechanisms.trust.one_day`."""
    cdef double* tru = <double*> _vec(trust, cnp.NPY_DOUBLE, -1, True, "trust")
    cdef Py_ssize_t n = cnp.PyArray_DIM(trust, 0)
    cdef const double* pres = <const double*> _vec(presence, cnp.NPY_DOUBLE, n, False, "presence")
    cdef const double* civ = <const double*> _vec(civilians_killed, cnp.NPY_DOUBLE, n, False, "civilians_killed")
    cdef const double* pop = <const double*> _vec(population, cnp.NPY_DOUBLE, n, False, "population")
    cdef const cnp.npy_bool* on_land = <const cnp.npy_bool*> _vec(land, cnp.NPY_BOOL, n, False, "land")
    cdef double misconduct = misconduct_loss * incidents
    cdef double passivity = passivity_penalty * passivity_index
    cdef double visible, harm, change
    cdef Py_ssize_t i
    for i in range(n):
        visible = _minimum(1.0, pres[i] / unit_size)
        harm = civ[i] * 1000.0 / pop[i] if pop[i] > 0 else 0.0
        change = gain * visible * (1.0 - tru[i]) - harm_loss * harm - misconduct - passivity
        tru[i] = _minimum(_maximum(0.0, tru[i] + change), 1.0) if on_land[i] else 0.0


def choose_targets(cnp.ndarray score not None, Py_ssize_t n_ops, cnp.ndarray jitter not None):
    """Indices of the ``n_ops`` best finite scores, best first, keyed with a tie-breaking ``jitter`` of a
    millionth of the score's size (equal keys to the lower index): :func:`papsim.mechanisms.posture.choose_targets`."""
    cdef const double* sc = <const double*> _vec(score, cnp.NPY_DOUBLE, -1, False, "score")
    cdef Py_ssize_t n = cnp.PyArray_DIM(score, 0)
    cdef const double* jit = <const double*> _vec(jitter, cnp.NPY_DOUBLE, n, False, "jitter")
    if n_ops < 0:
        n_ops = 0
    cdef Py_ssize_t i, j, found = 0, room = n_ops if n_ops < n else n
    cdef double s, key
    cdef int64_t* best = <int64_t*> _scratch(room, sizeof(int64_t) + sizeof(double), False)
    cdef double* keys = <double*> (best + room)
    cdef cnp.ndarray out
    try:
        for i in range(n):  # the best keys so far, sorted, in a buffer
            s = sc[i]
            if not isfinite(s):
                continue
            key = s + jit[i] * 1e-6 * (fabs(s) + 1.0)
            if found == n_ops and (n_ops == 0 or key <= keys[found - 1]):
                continue
            j = found if found < n_ops else n_ops - 1  # the new key goes in at j or above
            while j > 0 and keys[j - 1] < key:
                keys[j] = keys[j - 1]
                best[j] = best[j - 1]
                j -= 1
            keys[j] = key
            best[j] = i
            found = found + 1 if found < n_ops else n_ops
        out = _empty(found, cnp.NPY_INT64)
        for i in range(found):
            (<int64_t*> cnp.PyArray_DATA(out))[i] = best[i]
    finally:
        free(best)
    return out


cdef int _descending(const void* x, const void* y) noexcept nogil:
    """``qsort`` order of int64 values, largest first."""
    cdef int64_t a = (<const int64_t*> x)[0], b = (<const int64_t*> y)[0]
    return (a < b) - (a > b)


def keep_holds(cnp.ndarray held_until not None, int64_t day, Py_ssize_t capacity):
    """Mask of the holds the available units can keep: the ``capacity`` cells held after ``day`` with the
    most days left, the lower index first among equals: :func:`papsim.mechanisms.posture.keep_holds`."""
    cdef const int64_t* until = <const int64_t*> _vec(held_until, cnp.NPY_INT64, -1, False, "held_until")
    cdef Py_ssize_t i, n = cnp.PyArray_DIM(held_until, 0), count = 0, kept
    cdef int64_t threshold
    cdef cnp.ndarray keep = _zeros(n, cnp.NPY_BOOL)
    cdef cnp.npy_bool* kp = <cnp.npy_bool*> cnp.PyArray_DATA(keep)
    cdef int64_t* days
    for i in range(n):
        count += until[i] > day
    if capacity <= 0 or count == 0:
        return keep
    if count <= capacity:
        for i in range(n):
            kp[i] = until[i] > day
        return keep
    days = <int64_t*> _scratch(count, sizeof(int64_t), False)
    count = 0
    for i in range(n):
        if until[i] > day:
            days[count] = until[i]
            count += 1
    qsort(days, count, sizeof(int64_t), _descending)
    threshold = days[capacity - 1]  # the last end kept: all later ones, then the first listed ending then
    free(days)
    kept = 0
    for i in range(n):
        if until[i] > threshold:
            kp[i] = True
            kept += 1
    for i in range(n):
        if kept == capacity:
            break
        if until[i] == threshold:
            kp[i] = True
            kept += 1
    return keep


def update_intensity_near_events(cnp.ndarray intensity not None, cnp.ndarray events not None,
                                 cnp.ndarray nbr not None, cnp.ndarray nbr_valid not None, double jump,
                                 double decay):
    """A new array of yesterday's intensity decayed, plus ``jump`` per event in the cell and half as much per
    event next door, worked out in and next to the cells with events:
    :func:`papsim.mechanisms.retaliation.update_intensity_near_events`."""
    cdef const double* inten = <const double*> _vec(intensity, cnp.NPY_DOUBLE, -1, False, "intensity")
    cdef Py_ssize_t n = cnp.PyArray_DIM(intensity, 0)
    cdef const double* ev = <const double*> _vec(events, cnp.NPY_DOUBLE, n, False, "events")
    cdef const int64_t* nb = <const int64_t*> _mat(nbr, cnp.NPY_INT64, n, -1, "nbr")
    cdef Py_ssize_t i, k, n_k = cnp.PyArray_DIM(nbr, 1)
    cdef const double* valid = <const double*> _mat(nbr_valid, cnp.NPY_DOUBLE, n, n_k, "nbr_valid")
    cdef cnp.ndarray out = _empty(n, cnp.NPY_DOUBLE)
    cdef double* o = <double*> cnp.PyArray_DATA(out)
    cdef double* around = <double*> _scratch(n_k * sizeof(double) + n, 1, True)
    cdef cnp.npy_bool* near = <cnp.npy_bool*> (around + n_k)
    for i in range(n):
        o[i] = decay * inten[i]
    for i in range(n):
        if ev[i] != 0:
            near[i] = True
            for k in range(n_k):
                near[nb[i * n_k + k]] = True
    for i in range(n):
        if near[i]:
            for k in range(n_k):
                around[k] = ev[nb[i * n_k + k]] * valid[i * n_k + k]
            o[i] = decay * inten[i] + jump * (ev[i] + 0.5 * _sum(around, n_k))
    free(around)
    return out
