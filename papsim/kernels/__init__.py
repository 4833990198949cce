"""The day's kernels: per mechanism module, its NumPy functions or their compiled twin, giving the same numbers.

The model does its per-day array work through a :class:`Kernels` set: for each mechanism module with a twin
(:data:`TWINS`), a namespace of its hot functions, ``k.territory.advance`` and so on. :data:`NUMPY` holds the
mechanisms' own functions: whole-array NumPy code, the readable specification of each step. A module's
compiled twin (``papsim/kernels/<module>.pyx``, built by ``pip install`` where a C compiler is available)
implements the same functions again as loops over cells, groups and units, with NumPy's random algorithms on
the model's generator and NumPy's summation order: the same outputs to the last bit and the same random
stream (``tests/test_kernels.py`` holds each twin to that, function by function and over whole runs).

Each twin records the SHA-256 of the NumPy modules it twins (``TWIN_OF`` in its ``.pyx``), and each build
the hash of the ``.pyx`` it was built from. A module whose twin is stale (its NumPy source changed since),
not built or not rebuilt runs its NumPy functions, alone: :func:`twins` says which and why.

Which functions a model uses is chosen by the environment variable ``PAP_SIM_KERNELS``: ``auto`` (the
default: each module's twin where it is built and current, else its NumPy functions), ``compiled`` (an error
naming the twins that are not usable) or ``numpy``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import NamedTuple

from papsim.errors import InputError

ENV = "PAP_SIM_KERNELS"
CHOICES = ("auto", "compiled", "numpy")
HERE = Path(__file__).parent
COMMON = HERE / "_common.pxd"  # helpers every twin includes: part of each build's hash
TWINS: dict[str, tuple[str, ...]] = {  # mechanism module -> its functions with a compiled twin
    "attacks": ("assault",),
    "census": ("count",),
    "displacement": ("one_day",),
    "economy": ("one_day",),
    "fighters": ("reconcile", "one_day"),
    "operations": ("raid",),
    "population": ("one_day", "humanitarian_access"),
    "posture": ("choose_targets", "keep_holds", "staff", "place"),
    "retaliation": ("update_intensity_near_events",),
    "territory": ("controller_fronts", "refresh_fronts", "advance", "contested_cells",
                  "strongest_attacker"),
    "trust": ("one_day",),
    "vigilantes": ("one_day",),
}
_RECORDED = re.compile(r'"(\w+)":\s*"([0-9a-f]{64})"')


class Kernels(NamedTuple):
    """The functions of a day's array work, per mechanism module (see each NumPy function for what it does).

    ``name`` is ``"numpy"``, ``"compiled"`` or ``"mixed (compiled: ...)"``."""

    name: str
    attacks: SimpleNamespace
    census: SimpleNamespace
    displacement: SimpleNamespace
    economy: SimpleNamespace
    fighters: SimpleNamespace
    operations: SimpleNamespace
    population: SimpleNamespace
    posture: SimpleNamespace
    retaliation: SimpleNamespace
    territory: SimpleNamespace
    trust: SimpleNamespace
    vigilantes: SimpleNamespace

    @property
    def compiled(self) -> tuple[str, ...]:
        """The modules running their compiled twin."""
        return tuple(m for m in TWINS if getattr(self, m).compiled)


@dataclass(frozen=True)
class Twin:
    """The state of one module's compiled twin: ``usable``, else why not (``stale``: the twin must be updated;
    otherwise it must be built)."""

    module: str
    usable: bool
    stale: bool
    reason: str
    built: ModuleType | None


def _functions(module: str, source: ModuleType, compiled: bool) -> SimpleNamespace:
    return SimpleNamespace(compiled=compiled, **{f: getattr(source, f) for f in TWINS[module]})


def _numpy_module(module: str) -> ModuleType:
    return importlib.import_module(f"papsim.mechanisms.{module}")


NUMPY = Kernels("numpy", **{m: _functions(m, _numpy_module(m), False) for m in TWINS})


def _read(path: Path) -> bytes:
    """A source file's bytes, read again only when the file changes (every model selects its kernels)."""
    return _read_once(path, *_stat(path))


@functools.lru_cache(maxsize=64)
def _read_once(path: Path, mtime_ns: int, size: int) -> bytes:
    return path.read_bytes()


def _sha256(*paths: Path) -> str:
    """SHA-256 of the files' bytes one after the other, worked out again only when a file changes."""
    return _sha256_once(tuple((path, *_stat(path)) for path in paths))


def _stat(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=64)
def _sha256_once(files: tuple[tuple[Path, int, int], ...]) -> str:
    return hashlib.sha256(b"".join(_read_once(*file) for file in files)).hexdigest()


def numpy_hash(module: str) -> str:
    """SHA-256 of the NumPy source of a mechanism module, as its twin records it."""
    return _sha256(Path(_numpy_module(module).__file__))


def source_hash(module: str) -> str | None:
    """SHA-256 of a twin's ``.pyx`` and the common helpers, as a build records it (None without the source)."""
    pyx = HERE / f"{module}.pyx"
    if not (pyx.exists() and COMMON.exists()):
        return None
    return _sha256(pyx, COMMON)


def _built(module: str) -> tuple[ModuleType | None, str]:
    """The built twin, or None and why."""
    try:
        return importlib.import_module(f"papsim.kernels.{module}"), ""
    except ImportError as exc:
        return None, f"not built ({exc})"


def _recorded(module: str, built: ModuleType | None) -> dict[str, str] | None:
    """The NumPy modules and hashes the twin records (``TWIN_OF``): from its source, else from its build."""
    pyx = HERE / f"{module}.pyx"
    if pyx.exists():
        block = re.search(r"TWIN_OF\s*=\s*\{(.*?)\}", _read(pyx).decode(), re.S)
        return dict(_RECORDED.findall(block.group(1))) if block else None
    return dict(built.TWIN_OF) if built is not None and hasattr(built, "TWIN_OF") else None


def twin(module: str) -> Twin:
    """Whether ``module``'s twin is usable: it exists, is current (records the hash of every NumPy module it
    twins), is built, from its current source, and defines every function of :data:`TWINS`."""
    built, why = _built(module)
    recorded = _recorded(module, built)
    if recorded is None:
        return Twin(module, False, False, f"papsim/kernels/{module}.pyx is missing", None)
    changed = [m for m, sha in recorded.items() if numpy_hash(m) != sha]
    if module not in recorded or changed:
        changed = changed or [module]
        names = ", ".join(f"papsim/mechanisms/{m}.py" for m in changed)
        return Twin(module, False, True, f"stale: {names} changed since papsim/kernels/{module}.pyx was written; "
                                         "update the twin and its recorded hash", built)
    if built is None:
        return Twin(module, False, False, f"{why}; to build it: pip install -e .", None)
    expected = source_hash(module)
    if expected is not None and getattr(built, "BUILT_FROM", None) != expected:
        return Twin(module, False, False, f"built from another version of {module}.pyx; "
                                          "to rebuild it: pip install -e .", built)
    missing = [f for f in TWINS[module] if not hasattr(built, f)]
    if missing:
        return Twin(module, False, False, f"the build lacks {', '.join(missing)}; to rebuild it: pip install -e .",
                    built)
    return Twin(module, True, False, "built and current", built)


def twins() -> dict[str, Twin]:
    """The state of every twin."""
    return {m: twin(m) for m in TWINS}


def compiled() -> Kernels | None:
    """The fully compiled set, or None if a twin is not usable (:func:`twins` says which)."""
    states = twins()
    if not all(t.usable for t in states.values()):
        return None
    return Kernels("compiled", **{m: _functions(m, t.built, True) for m, t in states.items()})


def select(choice: str | None = None) -> Kernels:
    """The set to use: ``choice``, or else ``PAP_SIM_KERNELS``, or else ``auto``."""
    choice = choice if choice is not None else os.environ.get(ENV, "auto")
    if choice not in CHOICES:
        raise InputError(f"{ENV} = {choice!r} is not allowed; expected one of {', '.join(CHOICES)}")
    if choice == "numpy":
        return NUMPY
    states = twins()
    unusable = [t for t in states.values() if not t.usable]
    if choice == "compiled" and unusable:
        raise InputError(f"{ENV} = 'compiled', but these twins are not usable: "
                         + "; ".join(f"{t.module}: {t.reason}" for t in unusable))
    any_built = any(t.built is not None for t in states.values())
    for t in unusable:  # a forgotten update or rebuild: say so (once per place, as warnings are)
        if t.stale or any_built:
            warnings.warn(f"papsim.kernels: {t.module}: {t.reason}; running its NumPy functions (the same "
                          "numbers, slower)", RuntimeWarning, stacklevel=2)
    parts = {m: _functions(m, t.built, True) if t.usable else getattr(NUMPY, m) for m, t in states.items()}
    fast = [m for m, t in states.items() if t.usable]
    if not fast:
        return NUMPY
    name = "compiled" if len(fast) == len(TWINS) else f"mixed (compiled: {', '.join(fast)})"
    return Kernels(name, **parts)
