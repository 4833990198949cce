"""The day's kernels: one set of functions, in NumPy or compiled, giving the same numbers.

The model does its per-day work on arrays through a :class:`Kernels` set. :data:`NUMPY` holds the
mechanisms' own functions: whole-array NumPy code, the readable specification of each step. The compiled
set (``papsim/kernels/_kernels.pyx``, built by ``pip install`` where a C compiler is available) implements each of them
again as loops over cells, groups and units, with NumPy's random algorithms on the model's generator and
NumPy's summation order: the same outputs to the last bit and the same random stream, and a day in about
a third of the time (docs/performance.md). ``tests/test_kernels.py`` holds the two sets to that, function by
function and over whole runs.

Which set a model uses is chosen by the environment variable ``PAP_SIM_KERNELS``: ``auto`` (the default:
compiled when built and current, else NumPy), ``compiled`` (an error if they are not built) or ``numpy``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import warnings
from pathlib import Path
from typing import Callable, NamedTuple

from papsim.errors import InputError
from papsim.mechanisms import (combat, economy, operations, population, posture, retaliation, territory,
                            trust)

ENV = "PAP_SIM_KERNELS"
CHOICES = ("auto", "compiled", "numpy")
_SOURCE = Path(__file__).with_name("_kernels.pyx")


class Kernels(NamedTuple):
    """The functions of a day's array work (see each NumPy function for what it does)."""

    name: str
    cell_strength: Callable
    controller_fronts: Callable
    advance: Callable
    contested_cells: Callable
    strongest_attacker: Callable
    population_day: Callable
    humanitarian_access: Callable
    raid: Callable
    engage: Callable
    economy_day: Callable
    trust_day: Callable
    choose_targets: Callable
    keep_holds: Callable
    update_intensity_near_events: Callable
    poisson_where_positive: Callable


NUMPY = Kernels(
    name="numpy",
    cell_strength=territory.cell_strength,
    controller_fronts=territory.controller_fronts,
    advance=territory.advance,
    contested_cells=territory.contested_cells,
    strongest_attacker=territory.strongest_attacker,
    population_day=population.one_day,
    humanitarian_access=population.humanitarian_access,
    raid=operations.raid,
    engage=combat.engage,
    economy_day=economy.one_day,
    trust_day=trust.one_day,
    choose_targets=posture.choose_targets,
    keep_holds=posture.keep_holds,
    update_intensity_near_events=retaliation.update_intensity_near_events,
    poisson_where_positive=combat.poisson_where_positive,
)


def compiled() -> Kernels | None:
    """The compiled set, or None (not built, or built from another ``_kernels.pyx`` than the one beside
    it: :func:`compiled_status` says which)."""
    return _load()[0]


def compiled_status() -> str:
    """Whether the compiled set is available, and if not why, in a line."""
    return _load()[1]


def select(choice: str | None = None) -> Kernels:
    """The set to use: ``choice``, or else ``PAP_SIM_KERNELS``, or else ``auto``."""
    choice = choice if choice is not None else os.environ.get(ENV, "auto")
    if choice not in CHOICES:
        raise InputError(f"{ENV} = {choice!r} is not allowed; expected one of {', '.join(CHOICES)}")
    fast, status, stale = _load()
    if choice == "numpy":
        return NUMPY
    if fast is not None:
        return fast
    if choice == "compiled":
        raise InputError(f"{ENV} = 'compiled', but {status}")
    if stale:  # a forgotten rebuild: say so (once per place, as warnings are), run the NumPy kernels
        warnings.warn(f"{status}; running the NumPy kernels (the same numbers, slower)", RuntimeWarning,
                      stacklevel=2)
    return NUMPY


@functools.cache
def _load() -> tuple[Kernels | None, str, bool]:
    """(the compiled set or None, status line, whether a build exists but is stale)."""
    try:
        from papsim.kernels import _kernels
    except ImportError as exc:
        return None, f"the compiled kernels are not built ({exc}); to build them: pip install -e .", False
    if _SOURCE.exists() and hashlib.sha256(_SOURCE.read_bytes()).hexdigest() != getattr(_kernels, "SOURCE_SHA256", None):
        return None, (f"the compiled kernels were built from another version of {_SOURCE.name}; "
                      "to rebuild them: pip install -e ."), True
    functions = {name: getattr(_kernels, name) for name in Kernels._fields if name != "name"}
    return Kernels(name="compiled", **functions), "the compiled kernels are built and current", False
