"""The day's census: the counts over the cells that the record writes, for the city and per commune.

Accounting, not behaviour: residents, those in gang-held and in secure cells, trust weighted by residents,
contested cells and running holds, and per commune the gang-held urban cells, residents (all and in
gang-held cells), civilians killed today, displaced people hosted and security personnel placed. One call a day instead of a dozen
whole-array reductions. Every sum has a fixed order that does not depend on the machine: the city's are
NumPy's pairwise sums of contiguous arrays (``ndarray.sum``), the communes' those of ``np.add.reduceat``
(a commune's first cell, plus the pairwise sum of its other cells); no dot product, whose order depends on
the BLAS library and the processor. The personnel are added unit by unit (``np.bincount``'s order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = ()

# the rows of the communes' table, in order
COMMUNE_ROWS: tuple[str, ...] = ("gang_held_urban_cells", "gang_held_residents", "residents", "killed", "displaced",
                                  "security_personnel")


def share_of(part: float, total: float) -> float:
    """``part / total`` of a part of the residents, 0 without residents: at most 1 (the part and the total are
    summed in different orders, so the part of all cells can exceed the total by a rounding)."""
    return min(1.0, float(part / total)) if total > 0 else 0.0


class City(NamedTuple):
    """The day's counts over the whole city."""

    residents: float
    gang_held_residents: float
    secure_residents: float
    trust_residents: float  # the sum of trust x residents over the cells
    contested_cells: float
    cells_held: float  # cells whose hold runs past today


def count(population: np.ndarray, held: np.ndarray, secure: np.ndarray, contested: np.ndarray, trust: np.ndarray,
          held_until: np.ndarray, today: int, urban: np.ndarray, killed: np.ndarray, displaced: np.ndarray,
          commune_starts: np.ndarray, unit_cell: np.ndarray, unit_personnel: np.ndarray,
          cell_commune: np.ndarray) -> tuple[float, float, float, float, float, float, np.ndarray]:
    """The city's counts (the fields of :class:`City`, in order) and the communes' table
    ``(len(COMMUNE_ROWS), communes)``.

    ``held``, ``secure``, ``contested`` and ``urban`` are masks per cell; ``killed`` civilians killed per
    cell today; ``commune_starts`` the first cell of each commune (the map numbers cells commune by
    commune, the first commune from cell 0, each with at least one cell); ``unit_cell`` the post of each
    unit (-1: not placed), ``cell_commune`` the commune of each cell.
    """
    gang_residents = np.where(held, population, 0.0)
    rows = (np.where(held & urban, 1.0, 0.0), gang_residents, population, killed, displaced)
    placed = unit_cell >= 0
    personnel = np.bincount(cell_commune[unit_cell[placed]], weights=unit_personnel[placed],
                            minlength=len(commune_starts))
    return (float(population.sum()), float(gang_residents.sum()), float(np.where(secure, population, 0.0).sum()),
            float((trust * population).sum()), float(np.count_nonzero(contested)),
            float(np.count_nonzero(held_until > today)),
            np.array([*(np.add.reduceat(row, commune_starts) for row in rows), personnel]))


def day(k: Kernels, population: np.ndarray, *, held: np.ndarray, secure: np.ndarray, contested: np.ndarray,
        trust: np.ndarray, held_until: np.ndarray, today: int, urban: np.ndarray, killed: np.ndarray,
        displaced: np.ndarray, commune_starts: np.ndarray, unit_cell: np.ndarray, unit_personnel: np.ndarray,
        cell_commune: np.ndarray) -> tuple[City, np.ndarray]:
    """The day's census (:func:`count`): the city's counts and the communes' table."""
    *city, communes = k.census.count(population, held, secure, contested, trust, held_until, today, urban, killed,
                                     displaced, commune_starts, unit_cell, unit_personnel, cell_commune)
    return City(*city), communes
