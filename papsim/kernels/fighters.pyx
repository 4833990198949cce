# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :mod:`papsim.mechanisms.fighters`: the groups' fighters brought to their members and
redeployed at the end of a day.

The same bits as the NumPy functions (papsim/kernels/__init__.py); no draws.
"""

cimport numpy as cnp
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from papsim.kernels._common cimport KERNELS_SOURCE_SHA256, _scratch, _vec

cnp.import_array()

# the NumPy module twinned, with the SHA-256 of the version twinned (papsim/kernels/__init__.py)
TWIN_OF = {"fighters": "a3aecdcea3706d4161a525456cd310ea1d4250fb363d7d5b33144b6e49905547"}
BUILT_FROM = KERNELS_SOURCE_SHA256.decode()  # setup.py


cdef void _tally(const double* fighters, const int64_t* controller, Py_ssize_t n, Py_ssize_t n_groups,
                 double* held, int64_t* cells) noexcept:
    """Per group the sum of its cells' fighters in cell order (``fighters.tally``) and, unless ``cells`` is
    NULL, its number of cells."""
    cdef Py_ssize_t i, g
    for g in range(n_groups):
        held[g] = 0.0
        if cells != NULL:
            cells[g] = 0
    for i in range(n):
        g = controller[i]
        if g >= 0:
            held[g] += fighters[i]
            if cells != NULL:
                cells[g] += 1


cdef void _reconcile(double* fighters, const int64_t* controller, double* members, Py_ssize_t n,
                     Py_ssize_t n_groups, double* work) noexcept:
    """``fighters.reconcile`` with ``work`` room for ``4 * n_groups`` doubles."""
    cdef double* held = work
    cdef double* scale = work + n_groups
    cdef double* even = work + 2 * n_groups
    cdef int64_t* cells = <int64_t*> (work + 3 * n_groups)
    cdef Py_ssize_t i, g
    _tally(fighters, controller, n, n_groups, held, cells)
    for g in range(n_groups):
        if cells[g] == 0:
            members[g] = 0.0
        scale[g] = members[g] / held[g] if held[g] > 0 else 0.0
        even[g] = members[g] / <double> cells[g] if held[g] <= 0 and cells[g] > 0 else 0.0
    for i in range(n):
        g = controller[i]
        if g >= 0:
            fighters[i] = fighters[i] * scale[g] if held[g] > 0 else even[g]


def reconcile(cnp.ndarray fighters not None, cnp.ndarray controller not None, cnp.ndarray members not None):
    """Each group's fighters brought to its ``members``, in place (a group holding no cell keeps no members):
    :func:`papsim.mechanisms.fighters.reconcile`."""
    cdef double* f = <double*> _vec(fighters, cnp.NPY_DOUBLE, -1, True, "fighters")
    cdef Py_ssize_t n = cnp.PyArray_DIM(fighters, 0)
    cdef const int64_t* ctrl = <const int64_t*> _vec(controller, cnp.NPY_INT64, n, False, "controller")
    cdef double* mem = <double*> _vec(members, cnp.NPY_DOUBLE, -1, True, "members")
    cdef Py_ssize_t n_groups = cnp.PyArray_DIM(members, 0)
    cdef double* work = <double*> _scratch(4 * n_groups, sizeof(double), False)
    _reconcile(f, ctrl, mem, n, n_groups, work)
    free(work)


def one_day(cnp.ndarray fighters not None, cnp.ndarray controller not None, cnp.ndarray members not None,
            cnp.ndarray front not None, *, double pull, double rate):
    """The fighters reconciled with the members, redeployed a share ``rate`` towards their preferred spread
    (a ``front`` cell weighs ``1 + pull``), the members their new sums, in place:
    :func:`papsim.mechanisms.fighters.one_day`."""
    cdef double* f = <double*> _vec(fighters, cnp.NPY_DOUBLE, -1, True, "fighters")
    cdef Py_ssize_t n = cnp.PyArray_DIM(fighters, 0)
    cdef const int64_t* ctrl = <const int64_t*> _vec(controller, cnp.NPY_INT64, n, False, "controller")
    cdef double* mem = <double*> _vec(members, cnp.NPY_DOUBLE, -1, True, "members")
    cdef const cnp.npy_bool* on_front = <const cnp.npy_bool*> _vec(front, cnp.NPY_BOOL, n, False, "front")
    cdef Py_ssize_t n_groups = cnp.PyArray_DIM(members, 0)
    cdef Py_ssize_t i, g
    cdef double weight, per
    cdef double* work = <double*> _scratch(5 * n_groups + 1, sizeof(double), False)
    cdef double* per_weight = work + 4 * n_groups  # the last entry, read by the cells of no gang, stays 0
    try:
        _reconcile(f, ctrl, mem, n, n_groups, work)
        for g in range(n_groups + 1):
            per_weight[g] = 0.0
        for i in range(n):  # the weights' sum per group, in cell order
            g = ctrl[i]
            if g >= 0:
                per_weight[g] += 1.0 + pull * <double> on_front[i]
        for g in range(n_groups):
            per_weight[g] = mem[g] / per_weight[g] if per_weight[g] > 0 else 0.0
        for i in range(n):
            g = ctrl[i]
            weight = 1.0 + pull * <double> on_front[i]
            per = per_weight[g] if g >= 0 else per_weight[n_groups]
            f[i] = f[i] + rate * (weight * per - f[i])
        _tally(f, ctrl, n, n_groups, mem, NULL)
    finally:
        free(work)
