# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Helpers shared by the compiled twins (``papsim/kernels/<module>.pyx``): included in each, not copied.

Random draws call NumPy's own algorithms (``numpy/random/c_distributions.pxd``) on the model's bit
generator; sums of arrays use NumPy's pairwise summation (:func:`_pairwise`); minimum and maximum follow
NumPy's and Python's rules for NaN and signed zeros. Arrays are taken as they are, without copies or
conversions: each must be C-contiguous, aligned, in native byte order and of the expected dtype (float64;
int64 for indices, day numbers and controllers, ``side_of`` int16 or int64; NumPy bool for masks), or a
``TypeError``/``ValueError`` says which is not. Index values (controllers, neighbour tables, cells, units)
are trusted as in the NumPy code's own arrays: they must be valid, they are not checked.
"""

cimport numpy as cnp
from cpython.pycapsule cimport PyCapsule_GetPointer
from libc.math cimport INFINITY, cosh, exp, floor, sinh, sqrt
from libc.stdint cimport int16_t, int64_t
from libc.stdlib cimport calloc, free, malloc
from numpy.random cimport bitgen_t
from numpy.random.c_distributions cimport random_poisson

cdef extern from *:
    """
    #ifndef KERNELS_SOURCE_SHA256
    #define KERNELS_SOURCE_SHA256 ""
    #endif
    """
    # the SHA-256 of the twin's .pyx and this file when it was built (setup.py), for papsim.kernels
    const char* KERNELS_SOURCE_SHA256

cdef enum:
    NO_GANG = -1  # the controller of a cell no gang holds


cdef inline bitgen_t* _bitgen(object rng) except NULL:
    """The C state of a ``numpy.random.Generator``'s bit generator."""
    return <bitgen_t*> PyCapsule_GetPointer(rng.bit_generator.capsule, "BitGenerator")


cdef inline double _draw_poisson(bitgen_t* bitgen, double lam) noexcept nogil:
    """``rng.poisson(lam)`` as a float; nothing drawn unless ``lam > 0``."""
    return <double> random_poisson(bitgen, lam) if lam > 0 else 0.0


cdef inline double _poisson_summed(double u, double lam) noexcept nogil:
    """``quantiles.poisson`` of one uniform and a mean below ``quantiles.SUMMED_BELOW`` (larger means: its
    ``poisson_count``, a Python call, rare): the smallest ``k`` with ``u < F(k)``, the terms summed one by one
    (``exp(-lam)``, then times ``lam / k``) until the sum passes ``u`` or a term underflows."""
    cdef double term, cdf, count = 0.0
    cdef Py_ssize_t k = 0
    term = exp(-lam)
    cdf = term
    while u >= cdf and (k == 0 or term > 0):
        k += 1
        term = term * (lam / <double> k)
        cdf = cdf + term
        count = <double> k
    return count


cdef inline double _pairwise(const double* values, Py_ssize_t n) noexcept nogil:
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


# --- the best keys so far (posture.choose_targets, in the posture and operations twins) ----------------
cdef inline Py_ssize_t _keep_best(double key, int64_t index, int64_t* best, double* keys, Py_ssize_t found,
                                  Py_ssize_t room) noexcept nogil:
    """Put ``key`` (of ``index``) into the buffer of the ``room > 0`` best keys so far, sorted best first
    (``found`` of them; among equal keys the one put in first stays first); returns how many it holds now."""
    cdef Py_ssize_t j
    if found == room and key <= keys[found - 1]:
        return found
    j = found if found < room else room - 1  # the new key goes in at j or above
    while j > 0 and keys[j - 1] < key:
        keys[j] = keys[j - 1]
        best[j] = best[j - 1]
        j -= 1
    keys[j] = key
    best[j] = index
    return found + 1 if found < room else room


# --- arrays in and out ----------------------------------------------------------------------------------
cdef inline void* _vec(cnp.ndarray a, int typenum, Py_ssize_t n, bint writable, str name) except? NULL:
    """The data of a 1-D array of type ``typenum`` and length ``n`` (any if ``n < 0``), checked as the
    module docstring says (``writable`` for arrays changed in place)."""
    if cnp.PyArray_TYPE(a) != typenum:
        raise TypeError(f"{name}: expected dtype {cnp.PyArray_DescrFromType(typenum)}, "
                        f"got {a.dtype}")
    if cnp.PyArray_NDIM(a) != 1 or (n >= 0 and cnp.PyArray_DIM(a, 0) != n):
        raise ValueError(f"{name}: expected 1-D of length {n if n >= 0 else 'n'}, got shape {(<object> a).shape}")
    if not (cnp.PyArray_ISCARRAY(a) if writable else cnp.PyArray_ISCARRAY_RO(a)):
        raise ValueError(f"{name}: expected a C-contiguous, aligned, native{', writable' if writable else ''} array")
    return cnp.PyArray_DATA(a)


cdef inline void* _mat(cnp.ndarray a, int typenum, Py_ssize_t rows, Py_ssize_t cols, str name) except? NULL:
    """The data of a 2-D read-only array of type ``typenum`` and shape ``(rows, cols)`` (any where negative),
    checked as :func:`_vec`."""
    if cnp.PyArray_TYPE(a) != typenum:
        raise TypeError(f"{name}: expected dtype {cnp.PyArray_DescrFromType(typenum)}, "
                        f"got {a.dtype}")
    if (cnp.PyArray_NDIM(a) != 2 or (rows >= 0 and cnp.PyArray_DIM(a, 0) != rows)
            or (cols >= 0 and cnp.PyArray_DIM(a, 1) != cols)):
        raise ValueError(f"{name}: expected 2-D of shape ({rows if rows >= 0 else 'any'}, "
                         f"{cols if cols >= 0 else 'any'}), got shape {(<object> a).shape}")
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


cdef inline void* _scratch(Py_ssize_t count, size_t size, bint zero) except NULL:
    """Working memory for ``count`` values of ``size`` bytes (zeroed if ``zero``); ``free`` it."""
    cdef size_t total = <size_t> (count if count > 0 else 1) * size
    cdef void* p = calloc(total, 1) if zero else malloc(total)
    if p == NULL:
        raise MemoryError()
    return p


cdef inline Py_ssize_t _wrap(int64_t index, Py_ssize_t n) noexcept nogil:
    """A negative index counted from the end, as NumPy's indexing does (``side_of[-1]`` for no gang)."""
    return <Py_ssize_t> (index + n if index < 0 else index)


cdef inline const void* _side_table(cnp.ndarray side_of) except? NULL:
    """The data of ``side_of`` (the side of each controller, no gang last: int16 or int64), checked."""
    cdef int typenum = cnp.PyArray_TYPE(side_of)
    if typenum != cnp.NPY_INT16 and typenum != cnp.NPY_INT64:
        raise TypeError(f"side_of: expected an int16 or int64 array, got {side_of.dtype}")
    return _vec(side_of, typenum, -1, False, "side_of")


cdef inline void _sides(cnp.ndarray side_of, const void* table, const int64_t* controller, Py_ssize_t n,
                 int64_t* out) noexcept:
    """``side_of[controller]`` into ``out``; ``table`` is :func:`_side_table` of ``side_of``."""
    cdef Py_ssize_t i, m = cnp.PyArray_DIM(side_of, 0)
    if cnp.PyArray_TYPE(side_of) == cnp.NPY_INT16:
        for i in range(n):
            out[i] = (<const int16_t*> table)[_wrap(controller[i], m)]
    else:
        for i in range(n):
            out[i] = (<const int64_t*> table)[_wrap(controller[i], m)]




# --- the fighters per cell (papsim.mechanisms.fighters), moved by the territory and operations twins -------
cdef inline void _tally(const int64_t* controller, const double* fighters, Py_ssize_t n, double* members,
                        Py_ssize_t g) noexcept nogil:
    """``fighters.tally``: each group's fighters summed in cell order, into ``members``."""
    cdef Py_ssize_t i
    for i in range(g):
        members[i] = 0.0
    for i in range(n):
        if controller[i] != NO_GANG:
            members[controller[i]] += fighters[i]


cdef inline int _retreat(double* fighters, const int64_t* cells, const int64_t* losers, Py_ssize_t m,
                         const int64_t* controller, const int64_t* nbr, const cnp.npy_bool* distinct,
                         Py_ssize_t n_k) except -1:
    """``fighters.retreat``: the fighters of the ``m`` lost cells (all read and set to zero first) fall back
    evenly to the distinct neighbours their group ``losers`` still holds, cell by cell, neighbour by
    neighbour; cut off, they scatter."""
    cdef double* leaving = <double*> _scratch(m, sizeof(double), False)
    cdef Py_ssize_t r, k
    cdef int64_t cell, count
    cdef double each
    for r in range(m):
        leaving[r] = fighters[cells[r]]
        fighters[cells[r]] = 0.0
    for r in range(m):
        cell = cells[r]
        count = 0
        for k in range(n_k):
            if distinct[cell * n_k + k] and controller[nbr[cell * n_k + k]] == losers[r]:
                count += 1
        if count == 0:
            continue
        each = leaving[r] / <double> count
        for k in range(n_k):
            if distinct[cell * n_k + k] and controller[nbr[cell * n_k + k]] == losers[r]:
                fighters[nbr[cell * n_k + k]] += each
    free(leaving)
    return 0


cdef inline void _advance_into(double* fighters, const int64_t* cells, const int64_t* sources,
                               const int64_t* owners, Py_ssize_t m, const int64_t* controller,
                               double share) noexcept nogil:
    """``fighters.advance_into``: each taken cell, in order, gets ``share`` of its source's fighters, taken
    from it, when the source is still its new owner's, one cell after another in the order listed."""
    cdef Py_ssize_t r
    cdef double moved
    for r in range(m):
        if controller[sources[r]] == owners[r]:
            moved = share * fighters[sources[r]]
            fighters[sources[r]] -= moved
            fighters[cells[r]] += moved


# --- the square law (combat.lanchester_remaining and combat.engage), fought by the combat and operations twins
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


cdef inline void _fight(bitgen_t* bitgen, Py_ssize_t n, const double* blue, const double* red, const double* a,
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
