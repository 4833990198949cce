"""Mechanisms of the model: small modules of pure functions over numpy arrays, each testable alone.

Cells are handled as flat arrays with a Moore neighbour table ``nbr`` of shape ``(n_cells, 8)`` (a missing
neighbour points to the cell itself); gangs as arrays indexed by group; a cell's controller is a group index
or -1 for no gang. Each module declares the registry parameters it reads (``PARAMETERS``) and has one entry
point per step of the day it takes part in; the model calls them in a fixed order (``papsim/model.py``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Grid(NamedTuple):
    """The city's cells and key sites, fixed for a run."""

    land: np.ndarray  # bool per cell
    nbr: np.ndarray  # (n_cells, 8) Moore neighbours
    nbr_valid: np.ndarray  # 1.0 where a neighbour is a real land cell
    nbr_distinct: np.ndarray  # bool (n_cells, 8): distinct_neighbours of the table
    nbr_land_t: np.ndarray  # territory.land_neighbours_t of the table
    road: np.ndarray  # 1.0 on road cells
    area_km2: float  # of a cell
    mean_population: float  # initial residents per land cell
    site_cells: np.ndarray  # cell of each key site
    site_nbr: np.ndarray  # neighbours of each key site's cell
    site_value: np.ndarray  # per site its value to the gangs in (0, 1]: its priority over the highest
    site_distance: np.ndarray  # km from each cell to the nearest key site
    site_reach: np.ndarray  # (2, m) the pairs (site, cell) within the offensive's reach (attacks.reach)
    prison_sites: np.ndarray  # bool per site
    fuel_sites: np.ndarray  # bool per site


class Gangs(NamedTuple):
    """The armed groups as arrays, changed in place day by day."""

    members: np.ndarray
    arms: np.ndarray
    cash: np.ndarray
    confront: np.ndarray  # bool: the group confronts the forces (else keeps a low profile)
    alliance: np.ndarray  # alliance id of each group
    side_of: np.ndarray  # territory.cell_side as a lookup table (no gang last)


def distinct_neighbours(nbr: np.ndarray) -> np.ndarray:
    """Bool ``(n, 8)``: True where a column of the neighbour table is a real neighbour listed for the first
    time in its row (not the cell itself, which pads missing neighbours, nor a repeat of an earlier column),
    so that each neighbour cell is counted once."""
    n, k = nbr.shape
    first = nbr != np.arange(n)[:, None]
    for j in range(1, k):
        first[:, j] &= ~(nbr[:, :j] == nbr[:, j:j + 1]).any(axis=1)
    return first
